import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonCacheFile } from './json-cache-file.js';
import type { CreateNodesResult } from '@nx/devkit';

type Results = Array<[file: string, result: CreateNodesResult]>;

interface CacheFile {
  version: 1;
  entries: Record<string, Results>;
}

const MAX_ENTRIES = 8;
const memory = new Map<string, Results>();

/**
 * Inferred nodes cached on disk (`<workspaceDataDirectory>/pexkit-nodes.json`), keyed by a hash of
 * every input (pyproject.toml texts, lock files, options, versions). Written atomically (temp
 * file + rename); a corrupt or missing file is a cache miss.
 */
export class NodesCache {
  private readonly file: string;
  private data: CacheFile | undefined;

  constructor(private readonly directory: string) {
    this.file = join(directory, 'pexkit-nodes.json');
  }

  get(key: string): Results | undefined {
    const hit = memory.get(key);
    if (hit !== undefined) return hit;
    const entry = this.load().entries[key];
    if (entry !== undefined) memory.set(key, entry);
    return entry;
  }

  set(key: string, results: Results): void {
    memory.set(key, results);
    // A long-lived daemon sees many keys as files change: keep only the newest few in memory.
    for (const old of [...memory.keys()].slice(0, Math.max(0, memory.size - MAX_ENTRIES)))
      memory.delete(old);
    const data = this.load();
    delete data.entries[key];
    data.entries[key] = results;
    const keys = Object.keys(data.entries);
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES)))
      delete data.entries[old];
    writeJsonCacheFile(this.directory, this.file, data);
  }

  private load(): CacheFile {
    if (this.data !== undefined) return this.data;
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as CacheFile;
      this.data =
        parsed.version === 1 && typeof parsed.entries === 'object'
          ? parsed
          : { version: 1, entries: {} };
    } catch {
      this.data = { version: 1, entries: {} };
    }
    return this.data;
  }
}

/** Forgets the in-process copy (tests and benchmarks measure the cold path with it). */
export function clearNodesMemoryCache(): void {
  memory.clear();
}
