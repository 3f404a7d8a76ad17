import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32, deflateRaw, constants as zlibConstants } from 'node:zlib';
import { writeFileAtomic } from '../cache/atomic.js';
import { cacheDir } from '../cache/cache-dir.js';
import { METHOD_DEFLATED } from '../zip/format.js';
import type { RawEntry } from '../zip/writer.js';

const deflateRawAsync = promisify(deflateRaw);

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
 * `<cacheDir>/deflated/`, so warm builds copy the bytes without compressing again. Returns
 * undefined when the wheel is too big or deflate does not make it smaller (store it instead).
 */
export async function deflatedWheel(
  path: string,
  sha256: string,
  size: number,
  options: { cacheDir?: string } = {},
): Promise<RawEntry | undefined> {
  if (size > MAX_DEFLATED_WHEEL) return undefined;
  const dir = join(cacheDir({ cacheDir: options.cacheDir }), 'deflated');
  const dataPath = join(dir, `${sha256}.deflate`);
  const metaPath = join(dir, `${sha256}.json`);
  const cached = await readCached(dataPath, metaPath, size);
  if (cached !== undefined) return cached;

  const data = await readFile(path);
  if (data.length !== size) return undefined; // the writer's size check reports this
  const compressed = await deflateRawAsync(data, {
    level: 6,
    strategy: zlibConstants.Z_DEFAULT_STRATEGY,
  });
  const meta: DeflatedMeta = {
    crc32: crc32(data),
    uncompressedSize: data.length,
    compressedSize: compressed.length,
  };
  // Data first, metadata last: an entry counts only once its metadata is there.
  await writeFileAtomic(dataPath, compressed);
  await writeFileAtomic(metaPath, `${JSON.stringify(meta)}\n`);
  return toEntry(meta, compressed);
}

async function readCached(
  dataPath: string,
  metaPath: string,
  size: number,
): Promise<RawEntry | undefined> {
  let meta: DeflatedMeta;
  try {
    meta = JSON.parse(await readFile(metaPath, 'utf8')) as DeflatedMeta;
    if ((await stat(dataPath)).size !== meta.compressedSize || meta.uncompressedSize !== size)
      return undefined;
  } catch {
    return undefined; // missing or damaged: compress again
  }
  return toEntry(meta, await readFile(dataPath));
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
