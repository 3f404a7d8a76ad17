import { mkdirSync, renameSync, writeFileSync } from 'node:fs';

/**
 * Writes a plugin cache file atomically (temp file + rename, so a reader never sees half of it).
 * An unwritable cache directory is ignored: the cache only saves time.
 */
export function writeJsonCacheFile(directory: string, file: string, data: unknown): void {
  try {
    mkdirSync(directory, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, file);
  } catch {
    // An unwritable cache only costs time.
  }
}
