import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonCacheFile } from './json-cache-file.js';
import { scanPythonImports } from '../../utils/python-imports.js';

interface CacheFile {
  version: 1;
  files: Record<string, string[]>;
}

const memory = new Map<string, string[]>();

/**
 * Imported top-level modules per Python file, cached by the file's content hash (the hash Nx's
 * file map already holds), in memory and in `<workspaceDataDirectory>/pexkit-imports.json`.
 */
export class ImportCache {
  private readonly file: string;
  private loaded = false;
  private dirty = false;
  private readonly used = new Map<string, string[]>();

  constructor(
    private readonly directory: string,
    private readonly workspaceRoot: string,
  ) {
    this.file = join(directory, 'pexkit-imports.json');
  }

  modules(file: string, hash: string): string[] {
    this.load();
    let modules = memory.get(hash);
    if (modules === undefined) {
      let text: string;
      try {
        text = readFileSync(join(this.workspaceRoot, file), 'utf8');
      } catch {
        return [];
      }
      modules = scanPythonImports(text);
      memory.set(hash, modules);
      this.dirty = true;
    }
    this.used.set(hash, modules);
    return modules;
  }

  /** Writes the entries used in this run (dropping stale ones) if anything changed. */
  save(): void {
    if (!this.dirty && this.used.size === memory.size) return;
    // Drop entries of files that changed or went away (a long-lived daemon would otherwise grow).
    memory.clear();
    for (const [hash, modules] of this.used) memory.set(hash, modules);
    const data: CacheFile = { version: 1, files: Object.fromEntries(this.used) };
    writeJsonCacheFile(this.directory, this.file, data);
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    if (memory.size > 0) return;
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as CacheFile;
      if (data.version === 1) for (const [h, m] of Object.entries(data.files)) memory.set(h, m);
    } catch {
      // missing or corrupt: a cold cache
    }
  }
}

export function clearImportMemoryCache(): void {
  memory.clear();
}
