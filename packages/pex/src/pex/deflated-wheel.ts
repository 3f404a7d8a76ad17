import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from '../cache/atomic.js';
import { cacheDir } from '../cache/cache-dir.js';
import { withCacheLock } from '../cache/entry-lock.js';
import { deflatePortable } from '../zip/deflate.js';
import { METHOD_DEFLATED } from '../zip/format.js';
import type { RawEntry } from '../zip/writer.js';
import { buildCachePath } from '../cache/layout.js';
import { touchEntry } from '../cache/holds.js';

/** Wheels above this size stay STORED: the gain is small and the whole file would sit in memory. */
export const MAX_DEFLATED_WHEEL = 64 * 1024 * 1024;

interface DeflatedMeta {
  crc32: number;
  uncompressedSize: number;
  compressedSize: number;
}

/**
 * The `.deps/<wheel>` entry deflated as a whole. A wheel is a zip of already-deflated members,
 * but its local headers and central directory repeat every file name: deflating the whole file
 * saves ~3% (more than the runtime's own size). The result is cached by the wheel's sha256 under
 * `<cacheDir>/deflated-portable/` (cache/layout.ts; entries of older pexkit versions, which used
 * whichever zlib Node had, are not reused), so warm builds copy the bytes without compressing again. Returns
 * undefined when the wheel is too big or deflate does not make it smaller (store it instead).
 */
export async function deflatedWheel(
  path: string,
  sha256: string,
  size: number,
  options: { cacheDir?: string } = {},
): Promise<RawEntry | undefined> {
  if (size > MAX_DEFLATED_WHEEL) return undefined;
  const root = cacheDir({ cacheDir: options.cacheDir });
  const dir = buildCachePath(root, 'deflated');
  const dataPath = join(dir, `${sha256}.deflate`);
  const metaPath = join(dir, `${sha256}.json`);
  const cached = await readCached(dataPath, metaPath, size);
  if (cached !== undefined) {
    await touchEntry(metaPath);
    return cached === STORE ? undefined : cached;
  }
  // Parallel builds sharing the cache deflate each wheel once: the others wait for the entry.
  return withCacheLock(root, `deflate-${sha256}`, async () => {
    const filled = await readCached(dataPath, metaPath, size);
    if (filled !== undefined) return filled === STORE ? undefined : filled;
    return deflate(path, size, dataPath, metaPath);
  });
}

/** A cached verdict: deflate does not make this wheel smaller, store it. */
const STORE = 'store';

/** Counts of wheels this process deflated (not served from the cache), for benchmarks and tests. */
export const deflateStats = { deflated: 0 };

async function deflate(
  path: string,
  size: number,
  dataPath: string,
  metaPath: string,
): Promise<RawEntry | undefined> {
  const data = await readFile(path);
  if (data.length !== size) return undefined; // the writer's size check reports this
  const compressed = await deflatePortable(data);
  deflateStats.deflated++;
  const meta: DeflatedMeta = {
    crc32: crc32(data),
    uncompressedSize: data.length,
    compressedSize: compressed.length,
  };
  // Data first, metadata last: an entry counts only once its metadata is there. A wheel that
  // deflate does not shrink is recorded by its metadata alone (stored, never deflated again).
  if (compressed.length < data.length) await writeFileAtomic(dataPath, compressed);
  await writeFileAtomic(metaPath, `${JSON.stringify(meta)}\n`);
  return toEntry(meta, compressed);
}

async function readCached(
  dataPath: string,
  metaPath: string,
  size: number,
): Promise<RawEntry | typeof STORE | undefined> {
  let meta: DeflatedMeta;
  try {
    meta = JSON.parse(await readFile(metaPath, 'utf8')) as DeflatedMeta;
    if (meta.uncompressedSize !== size || typeof meta.compressedSize !== 'number') return undefined;
    if (meta.compressedSize >= meta.uncompressedSize) return STORE;
    if ((await stat(dataPath)).size !== meta.compressedSize) return undefined;
    return toEntry(meta, await readFile(dataPath));
  } catch {
    return undefined; // missing or damaged: compress again
  }
}

function toEntry(meta: DeflatedMeta, compressed: Uint8Array): RawEntry | undefined {
  if (meta.compressedSize >= meta.uncompressedSize) return undefined;
  return {
    method: METHOD_DEFLATED,
    crc32: meta.crc32,
    uncompressedSize: meta.uncompressedSize,
    compressedData: compressed,
  };
}
