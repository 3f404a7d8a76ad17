import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashArray, type RawProjectGraphDependency } from '@nx/devkit';
import { PEXKIT_VERSION } from '@pexkit/pex';
import { PEXKIT_NX_VERSION } from '../../utils/package-info.js';
import { writeJsonCacheFile } from './json-cache-file.js';

/** Bump when createDependencies returns something else for the same inputs. */
const DEPENDENCIES_FORMAT = 1;

interface CacheFile {
  version: 1;
  key: string;
  dependencies: RawProjectGraphDependency[];
}

let memory: { key: string; dependencies: RawProjectGraphDependency[] } | undefined;

/** What the edges of the Python projects are computed from (see {@link dependenciesKey}). */
export interface DependenciesInputs {
  options: unknown;
  /** Every project of the graph: name and root (edges target projects by root). */
  projects: Array<{ name: string; root: string }>;
  /** The Python projects: name, their pexkit metadata, and their files with Nx's content hashes. */
  python: Array<{
    name: string;
    metadata: unknown;
    files: ReadonlyArray<{ file: string; hash: string }>;
  }>;
}

/**
 * Hash of every input of the Python edges: the projects (names, roots), each Python project's
 * metadata (declared dependencies, source roots) and its files with the content hashes Nx's file
 * map already holds (imports are read from those files), the options and versions. One native
 * hash call over all parts.
 */
export function dependenciesKey(inputs: DependenciesInputs): string {
  const parts: string[] = [
    String(DEPENDENCIES_FORMAT),
    PEXKIT_NX_VERSION,
    PEXKIT_VERSION,
    JSON.stringify(inputs.options ?? {}),
    String(inputs.projects.length),
  ];
  for (const p of inputs.projects) parts.push(p.name, p.root);
  for (const p of inputs.python) {
    // One string per project (NUL cannot occur in a path or a hash): fewer native strings.
    let files = '';
    for (const f of p.files) files += `${f.file}\0${f.hash}\0`;
    parts.push(p.name, JSON.stringify(p.metadata ?? null), files);
  }
  return hashArray(parts);
}

/**
 * The Python edges of the last graph, in memory and in
 * `<workspaceDataDirectory>/pexkit-dependencies.json`, keyed by {@link dependenciesKey}: a graph
 * whose Python files and projects did not change reuses them without walking every file.
 */
export class DependenciesCache {
  private readonly file: string;

  constructor(private readonly directory: string) {
    this.file = join(directory, 'pexkit-dependencies.json');
  }

  get(key: string): RawProjectGraphDependency[] | undefined {
    if (memory?.key === key) return memory.dependencies;
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as CacheFile;
      if (data.version !== 1 || data.key !== key || !Array.isArray(data.dependencies))
        return undefined;
      memory = { key, dependencies: data.dependencies };
      return data.dependencies;
    } catch {
      return undefined;
    }
  }

  set(key: string, dependencies: RawProjectGraphDependency[]): void {
    memory = { key, dependencies };
    const data: CacheFile = { version: 1, key, dependencies };
    writeJsonCacheFile(this.directory, this.file, data);
  }
}

/** Forgets the in-process copy (tests and benchmarks measure the uncached path with it). */
export function clearDependenciesMemoryCache(): void {
  memory = undefined;
}
