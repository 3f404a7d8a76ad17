import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A temp file name in the same directory as `target` (so the final rename never crosses file
 * systems), unique per process and call. Names start with `.tmp-` so nothing reads them as entries.
 */
export function tempPathFor(target: string): string {
  const token = `${process.pid}-${randomBytes(6).toString('hex')}`;
  // Keep the name under common 255-byte limits even for long wheel names.
  return join(dirname(target), `.tmp-${token}-${basename(target).slice(0, 120)}`);
}

/** Flushes a file's data to disk. */
export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Best-effort fsync of a directory so a rename inside it survives a crash. */
async function fsyncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems refuse to open or sync directories; the rename is still atomic.
  }
}

/**
 * Moves a complete, already fsynced temp file into place. `rename` replaces atomically, so a
 * reader sees either the old file, or the new one, never a partial file; two writers of the same
 * content-addressed entry both succeed.
 */
export async function commitTempFile(temp: string, target: string): Promise<void> {
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDir(dirname(target));
}

/** Writes `data` to `target` atomically: temp file in the same directory, fsync, rename. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await commitTempFile(temp, target);
}

/**
 * Removes `.tmp-*` files older than `maxAgeMs` (default a day) from `dir`: leftovers of killed
 * processes. Younger ones may belong to a running build and are left alone. Best effort.
 */
export async function removeStaleTempFiles(
  dir: string,
  maxAgeMs = 24 * 60 * 60 * 1000,
): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  const cutoff = Date.now() - maxAgeMs;
  for (const name of names) {
    if (!name.startsWith('.tmp-')) continue;
    try {
      const info = await stat(join(dir, name));
      if (info.mtimeMs < cutoff) {
        await rm(join(dir, name), { force: true });
        removed++;
      }
    } catch {
      // Gone already (another process cleaned it).
    }
  }
  return removed;
}
