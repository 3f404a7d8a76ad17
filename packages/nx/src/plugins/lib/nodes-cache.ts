import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonCacheFile } from './json-cache-file.js';
import type { CreateNodesResult } from '@nx/devkit';

type Results = Array<[file: string, result: CreateNodesResult]>;

interface CacheFile {
  version: 2;
  key: string;
  results: Results;
}

const MAX_ENTRIES = 8;
const memory = new Map<string, Results>();

/**
 * Inferred nodes cached on disk, one file per key (`<workspaceDataDirectory>/pexkit-nodes/<key>.json`,
 * the newest few kept), keyed by a hash of every input (pyproject.toml texts, lock files,
 * options, versions). One file per key: a warm run parses only the entry it uses (at 5,000
 * projects an entry is ~8 MB of JSON, and parsing is most of the warm path). Written atomically
 * (temp file + rename); a corrupt or missing file is a cache miss.
 */
export class NodesCache {
  private readonly directory: string;

  constructor(workspaceDataDirectory: string) {
    this.directory = join(workspaceDataDirectory, 'pexkit-nodes');
  }

  get(key: string): Results | undefined {
    const hit = memory.get(key);
    if (hit !== undefined) return hit;
    try {
      const parsed = JSON.parse(readFileSync(this.fileOf(key), 'utf8')) as CacheFile;
      if (parsed.version !== 2 || parsed.key !== key || !Array.isArray(parsed.results))
        return undefined;
      remember(key, parsed.results);
      return parsed.results;
    } catch {
      return undefined;
    }
  }

  set(key: string, results: Results): void {
    remember(key, results);
    const data: CacheFile = { version: 2, key, results };
    writeJsonCacheFile(this.directory, this.fileOf(key), data);
    this.prune();
  }

  private fileOf(key: string): string {
    return join(this.directory, `${key.replace(/[^\w-]/g, '_')}.json`);
  }

  /** Keeps the newest {@link MAX_ENTRIES} entries (by modification time). */
  private prune(): void {
    try {
      const entries = readdirSync(this.directory)
        .filter((name) => name.endsWith('.json'))
        .map((name) => {
          const file = join(this.directory, name);
          return { file, mtime: statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0 };
        })
        .sort((a, b) => b.mtime - a.mtime);
      for (const old of entries.slice(MAX_ENTRIES)) rmSync(old.file, { force: true });
    } catch {
      // another process pruned it first, or the directory is unwritable: only costs disk
    }
  }
}

function remember(key: string, results: Results): void {
  memory.delete(key);
  memory.set(key, results);
  // A long-lived daemon sees many keys as files change: keep only the newest few in memory.
  for (const old of [...memory.keys()].slice(0, Math.max(0, memory.size - MAX_ENTRIES)))
    memory.delete(old);
}

/** Forgets the in-process copy (tests and benchmarks measure the cold path with it). */
export function clearNodesMemoryCache(): void {
  memory.clear();
}
