import { open, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { crc32, inflateRaw, inflateRawSync } from 'node:zlib';
import { ZipBombError, ZipError } from './errors.js';
import {
  CENTRAL_HEADER_SIG,
  CENTRAL_HEADER_SIZE,
  EOCD_SIG,
  EOCD_SIZE,
  LOCAL_HEADER_SIG,
  LOCAL_HEADER_SIZE,
  MAX_16,
  MAX_32,
  METHOD_DEFLATED,
  METHOD_STORED,
  ZIP64_EOCD_SIG,
  ZIP64_EXTRA_ID,
  ZIP64_LOCATOR_SIG,
  ZIP64_LOCATOR_SIZE,
} from './format.js';

const inflateRawAsync = promisify(inflateRaw);
/** Entries at least this big inflate in libuv's pool (so several wheels verify in parallel). */
const ASYNC_INFLATE_AT = 256 * 1024;

/** One entry of the central directory. */
export interface ZipEntryInfo {
  name: string;
  versionMadeBy: number;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Offset of the local header from the file start (preamble adjusted). */
  localOffset: number;
  externalAttributes: number;
  isDirectory: boolean;
}

/** Caps against zip bombs; the defaults suit any real wheel (torch: 192 MB → ~1.5 GB). */
export interface ZipLimits {
  maxEntries?: number;
  /** Sum of declared uncompressed sizes. */
  maxTotalUncompressed?: number;
  /** Largest uncompressed/compressed ratio for an entry bigger than 1 MiB. */
  maxRatio?: number;
}

const DEFAULT_LIMITS: Required<ZipLimits> = {
  maxEntries: 500_000,
  maxTotalUncompressed: 16 * 1024 ** 3,
  maxRatio: 1_000,
};

/**
 * A zip reader over the central directory: lists entries and reads one at a time, checking
 * declared against actual sizes and CRCs. Tolerates a preamble (offsets relative to the file
 * start or to the archive start, as Python's zipfile does). No third-party code.
 */
export class ZipReader {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly entries: ZipEntryInfo[],
    private readonly cdStart: number,
  ) {}

  static async open(path: string, limits: ZipLimits = {}): Promise<ZipReader> {
    const caps = { ...DEFAULT_LIMITS, ...limits };
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      const tailLen = Math.min(size, EOCD_SIZE + MAX_16);
      const tail = Buffer.alloc(tailLen);
      await handle.read(tail, 0, tailLen, size - tailLen);
      let eocdAt = -1;
      for (let i = tailLen - EOCD_SIZE; i >= 0; i--) {
        if (
          tail.readUInt32LE(i) === EOCD_SIG &&
          i + EOCD_SIZE + tail.readUInt16LE(i + 20) <= tailLen
        ) {
          eocdAt = i;
          break;
        }
      }
      if (eocdAt < 0)
        throw new ZipError(path, undefined, 'not a zip file (no end of central directory record)');
      const eocdOffset = size - tailLen + eocdAt;
      let count = tail.readUInt16LE(eocdAt + 10);
      let cdSize = tail.readUInt32LE(eocdAt + 12);
      let cdOffset = tail.readUInt32LE(eocdAt + 16);
      let cdEnd = eocdOffset;
      const locAt = eocdAt - ZIP64_LOCATOR_SIZE;
      if (locAt >= 0 && tail.readUInt32LE(locAt) === ZIP64_LOCATOR_SIG) {
        const z64Offset = Number(tail.readBigUInt64LE(locAt + 8));
        const z64 = Buffer.alloc(56);
        await handle.read(z64, 0, 56, z64Offset);
        if (z64.readUInt32LE(0) !== ZIP64_EOCD_SIG) {
          throw new ZipError(path, undefined, 'bad ZIP64 end of central directory record');
        }
        count = Number(z64.readBigUInt64LE(32));
        cdSize = Number(z64.readBigUInt64LE(40));
        cdOffset = Number(z64.readBigUInt64LE(48));
        cdEnd = z64Offset;
      }
      if (count > caps.maxEntries) {
        throw new ZipBombError(
          path,
          undefined,
          `${count} entries (more than the cap of ${caps.maxEntries})`,
        );
      }
      const cdStart = cdEnd - cdSize;
      if (cdStart < 0)
        throw new ZipError(path, undefined, 'central directory size exceeds the file');
      const delta = cdStart - cdOffset; // bytes of preamble not counted in the offsets
      const cd = Buffer.alloc(cdSize);
      await handle.read(cd, 0, cdSize, cdStart);
      const entries = parseCentralDirectory(path, cd, count, delta);
      checkLimits(path, entries, caps, cdStart);
      return new ZipReader(path, handle, entries, cdStart);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The entry's compressed bytes as stored (no inflate). */
  async readRaw(entry: ZipEntryInfo): Promise<Buffer> {
    const header = Buffer.alloc(LOCAL_HEADER_SIZE);
    await this.handle.read(header, 0, LOCAL_HEADER_SIZE, entry.localOffset);
    if (header.readUInt32LE(0) !== LOCAL_HEADER_SIG) {
      throw new ZipError(this.path, entry.name, 'bad local header signature');
    }
    const nameLen = header.readUInt16LE(26);
    const extraLen = header.readUInt16LE(28);
    const name = Buffer.alloc(nameLen);
    await this.handle.read(name, 0, nameLen, entry.localOffset + LOCAL_HEADER_SIZE);
    if (name.toString('utf8') !== entry.name) {
      throw new ZipError(
        this.path,
        entry.name,
        `local header names '${name.toString('utf8')}' instead`,
      );
    }
    const start = entry.localOffset + LOCAL_HEADER_SIZE + nameLen + extraLen;
    if (start + entry.compressedSize > this.cdStart) {
      throw new ZipError(this.path, entry.name, 'entry data runs into the central directory');
    }
    const data = Buffer.alloc(entry.compressedSize);
    await this.handle.read(data, 0, entry.compressedSize, start);
    return data;
  }

  /** The entry's contents, inflated; the size and CRC must match the declared ones. */
  async read(entry: ZipEntryInfo): Promise<Buffer> {
    const raw = await this.readRaw(entry);
    let data: Buffer;
    if (entry.method === METHOD_STORED) {
      data = raw;
    } else if (entry.method === METHOD_DEFLATED) {
      try {
        const options = { maxOutputLength: Math.max(entry.uncompressedSize, 1) };
        data =
          raw.length >= ASYNC_INFLATE_AT
            ? await inflateRawAsync(raw, options)
            : inflateRawSync(raw, options);
      } catch (error) {
        if (
          error instanceof RangeError ||
          (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
        ) {
          throw new ZipBombError(
            this.path,
            entry.name,
            `inflates to more than its declared ${entry.uncompressedSize} bytes`,
          );
        }
        throw new ZipError(this.path, entry.name, `cannot inflate: ${(error as Error).message}`, {
          cause: error,
        });
      }
    } else {
      throw new ZipError(this.path, entry.name, `unsupported compression method ${entry.method}`);
    }
    if (data.length !== entry.uncompressedSize) {
      throw new ZipBombError(
        this.path,
        entry.name,
        `declares ${entry.uncompressedSize} bytes but holds ${data.length}`,
      );
    }
    if (crc32(data) >>> 0 !== entry.crc32)
      throw new ZipError(this.path, entry.name, 'CRC-32 mismatch');
    return data;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

function parseCentralDirectory(
  path: string,
  cd: Buffer,
  count: number,
  delta: number,
): ZipEntryInfo[] {
  const entries: ZipEntryInfo[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + CENTRAL_HEADER_SIZE > cd.length || cd.readUInt32LE(p) !== CENTRAL_HEADER_SIG) {
      throw new ZipError(path, undefined, `central directory entry ${i} is corrupt`);
    }
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const name = cd.toString('utf8', p + CENTRAL_HEADER_SIZE, p + CENTRAL_HEADER_SIZE + nameLen);
    let uncompressedSize = cd.readUInt32LE(p + 24);
    let compressedSize = cd.readUInt32LE(p + 20);
    let localOffset = cd.readUInt32LE(p + 42);
    const extraStart = p + CENTRAL_HEADER_SIZE + nameLen;
    const zip64 = findExtra(cd, extraStart, extraStart + extraLen, ZIP64_EXTRA_ID);
    if (zip64 !== undefined) {
      let q = zip64.start;
      const next = (): number => {
        if (q + 8 > zip64.end) throw new ZipError(path, name, 'truncated ZIP64 extra field');
        const v = Number(cd.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (uncompressedSize === MAX_32) uncompressedSize = next();
      if (compressedSize === MAX_32) compressedSize = next();
      if (localOffset === MAX_32) localOffset = next();
    }
    const flags = cd.readUInt16LE(p + 8);
    if ((flags & 1) !== 0) throw new ZipError(path, name, 'encrypted entries are not supported');
    entries.push({
      name,
      versionMadeBy: cd.readUInt16LE(p + 4),
      flags,
      method: cd.readUInt16LE(p + 10),
      crc32: cd.readUInt32LE(p + 16),
      compressedSize,
      uncompressedSize,
      localOffset: localOffset + delta,
      externalAttributes: cd.readUInt32LE(p + 38),
      isDirectory: name.endsWith('/'),
    });
    p = extraStart + extraLen + commentLen;
  }
  return entries;
}

function findExtra(
  buf: Buffer,
  start: number,
  end: number,
  id: number,
): { start: number; end: number } | undefined {
  let p = start;
  while (p + 4 <= end) {
    const tag = buf.readUInt16LE(p);
    const len = buf.readUInt16LE(p + 2);
    if (tag === id) return { start: p + 4, end: Math.min(p + 4 + len, end) };
    p += 4 + len;
  }
  return undefined;
}

function checkLimits(
  path: string,
  entries: ZipEntryInfo[],
  caps: Required<ZipLimits>,
  cdStart: number,
): void {
  let total = 0;
  for (const e of entries) {
    total += e.uncompressedSize;
    if (total > caps.maxTotalUncompressed) {
      throw new ZipBombError(
        path,
        e.name,
        `declared uncompressed total exceeds the cap of ${caps.maxTotalUncompressed} bytes`,
      );
    }
    if (
      e.uncompressedSize > 1024 * 1024 &&
      e.uncompressedSize > caps.maxRatio * Math.max(e.compressedSize, 1)
    ) {
      throw new ZipBombError(
        path,
        e.name,
        `compression ratio ${Math.round(e.uncompressedSize / Math.max(e.compressedSize, 1))}:1 exceeds the cap of ${caps.maxRatio}:1`,
      );
    }
  }
  // Overlapping entries (the "better zip bomb" trick) would share data between names.
  const byOffset = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 0; i < byOffset.length; i++) {
    const e = byOffset[i];
    const minEnd = e.localOffset + LOCAL_HEADER_SIZE + Buffer.byteLength(e.name) + e.compressedSize;
    const limit = i + 1 < byOffset.length ? byOffset[i + 1].localOffset : cdStart;
    if (e.localOffset < 0 || minEnd > limit) {
      throw new ZipBombError(path, e.name, 'entry overlaps another entry or the central directory');
    }
  }
}
