import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createInflateRaw, crc32, inflateRaw, inflateRawSync } from 'node:zlib';
import {
  applyZip64,
  checkExtras,
  parseCentralDirectory,
  parseEndRecords,
  type ZipEntryInfo,
} from './central-directory.js';
import { ZipBombError, ZipError } from './errors.js';
import { CHUNK, SequentialInput } from './sequential-input.js';
import {
  EOCD_SIZE,
  LOCAL_HEADER_SIG,
  LOCAL_HEADER_SIZE,
  MAX_16,
  METHOD_DEFLATED,
  METHOD_STORED,
  ZIP64_EOCD_SIZE,
  ZIP64_EXTRA_ID,
  ZIP64_LOCATOR_SIZE,
} from './format.js';

const inflateRawAsync = promisify(inflateRaw);
/** Entries at least this big inflate in libuv's pool (so several wheels verify in parallel). */
const ASYNC_INFLATE_AT = 256 * 1024;
const DATA_DESCRIPTOR_SIG = 0x08074b50;

export type { ZipEntryInfo } from './central-directory.js';

/** Caps against zip bombs; the defaults suit any real wheel (torch: 192 MB → ~1.5 GB). */
export interface ZipLimits {
  maxEntries?: number;
  /** Sum of declared uncompressed sizes. */
  maxTotalUncompressed?: number;
  /** Largest uncompressed/compressed ratio for an entry bigger than 1 MiB. */
  maxRatio?: number;
}

export interface ZipOpenOptions extends ZipLimits {
  /**
   * Accept bytes before the first entry (a PEX's shebang line), with offsets relative to the
   * file or to the archive, as Python's zipfile does. Off by default: in a wheel a preamble only
   * shifts offsets between readers.
   */
  allowPreamble?: boolean;
}

const DEFAULT_LIMITS: Required<ZipLimits> = {
  maxEntries: 500_000,
  maxTotalUncompressed: 16 * 1024 ** 3,
  maxRatio: 1_000,
};

/** Receives an entry's uncompressed bytes, in order, during `scan`. */
export type EntrySink = (chunk: Buffer) => void;

/**
 * A zip reader over the central directory: lists entries and reads one at a time, checking
 * declared against actual sizes and CRCs. The end records and directory are read strictly (see
 * central-directory.ts); `scan` then walks the local headers in file order and proves that they
 * tile the archive with nothing hidden between, before, or after them. No third-party code.
 */
export class ZipReader {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly entries: ZipEntryInfo[],
    private readonly cdStart: number,
    private readonly archiveStart: number,
  ) {}

  static async open(path: string, options: ZipOpenOptions = {}): Promise<ZipReader> {
    const caps = { ...DEFAULT_LIMITS, ...options };
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      const tailLen = Math.min(size, EOCD_SIZE + MAX_16);
      const tail = Buffer.alloc(tailLen);
      await handle.read(tail, 0, tailLen, size - tailLen);
      const end = parseEndRecords(path, tail, size);
      let record = end.record;
      if (end.zip64LocatorAt !== undefined) {
        const both = Buffer.alloc(ZIP64_EOCD_SIZE + ZIP64_LOCATOR_SIZE);
        const from = end.zip64LocatorAt - ZIP64_EOCD_SIZE;
        if (from < 0)
          throw new ZipError(path, undefined, 'bad ZIP64 end of central directory record');
        await handle.read(both, 0, both.length, from);
        record = applyZip64(
          path,
          record,
          both.subarray(ZIP64_EOCD_SIZE),
          end.zip64LocatorAt,
          both.subarray(0, ZIP64_EOCD_SIZE),
        );
      }
      const { count, cdSize, cdOffset, cdEnd } = record;
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
      if (delta !== 0 && options.allowPreamble !== true) {
        throw new ZipError(
          path,
          undefined,
          `${Math.abs(delta)} bytes ${delta > 0 ? 'before the archive shift' : 'missing from the archive shift'} ` +
            'its offsets (readers would disagree on where entries start)',
        );
      }
      const cd = Buffer.alloc(cdSize);
      await handle.read(cd, 0, cdSize, cdStart);
      const entries = parseCentralDirectory(path, cd, count, delta);
      checkLimits(path, entries, caps, cdStart, options.allowPreamble !== true);
      // The preamble: the bytes the offsets skip, or (offsets counted from the file start, as in
      // a PEX) the bytes before the first local header.
      const archiveStart =
        options.allowPreamble !== true
          ? 0
          : delta > 0
            ? delta
            : Math.min(cdStart, ...entries.map((e) => e.localOffset));
      return new ZipReader(path, handle, entries, cdStart, archiveStart);
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
    if (!name.equals(entry.nameBytes)) {
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
    return this.decode(entry, await this.readRaw(entry));
  }

  private async decode(entry: ZipEntryInfo, raw: Buffer): Promise<Buffer> {
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
        throw this.inflateError(entry, error);
      }
    } else {
      throw new ZipError(this.path, entry.name, `unsupported compression method ${entry.method}`);
    }
    this.checkResult(entry, data.length, crc32(data) >>> 0);
    return data;
  }

  private inflateError(entry: ZipEntryInfo, error: unknown): ZipError {
    if (error instanceof ZipError) return error;
    if (
      error instanceof RangeError ||
      (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
    ) {
      return new ZipBombError(
        this.path,
        entry.name,
        `inflates to more than its declared ${entry.uncompressedSize} bytes`,
      );
    }
    return new ZipError(this.path, entry.name, `cannot inflate: ${(error as Error).message}`, {
      cause: error,
    });
  }

  private checkResult(entry: ZipEntryInfo, size: number, crc: number): void {
    if (size !== entry.uncompressedSize) {
      throw new ZipBombError(
        this.path,
        entry.name,
        `declares ${entry.uncompressedSize} bytes but holds ${size}`,
      );
    }
    if (crc !== entry.crc32) throw new ZipError(this.path, entry.name, 'CRC-32 mismatch');
  }

  /**
   * Reads the whole archive once, in file order, in bounded memory: checks that the local
   * headers agree with the central directory (name bytes, flags, method, CRC, sizes, extra
   * fields) and that entries, data descriptors and the central directory follow each other
   * with no byte unaccounted for; inflates every entry (streaming the big ones), checks its
   * size and CRC, and hands its bytes to the sink `visit` returns for it (if any).
   */
  async scan(visit: (entry: ZipEntryInfo) => EntrySink | undefined): Promise<void> {
    const order = [...this.entries].sort((a, b) => a.localOffset - b.localOffset);
    const input = new SequentialInput(this.path, this.handle, this.archiveStart);
    for (let i = 0; i < order.length; i++) {
      const entry = order[i];
      if (input.position !== entry.localOffset) {
        throw new ZipError(
          this.path,
          entry.name,
          input.position < entry.localOffset
            ? `${entry.localOffset - input.position} unaccounted bytes before its local header`
            : 'local header overlaps the previous entry',
        );
      }
      const local = await this.localHeader(input, entry);
      const sink = visit(entry);
      try {
        await this.inflateInto(input, entry, sink);
      } catch (error) {
        throw this.inflateError(entry, error);
      }
      if ((entry.flags & 8) !== 0) await this.dataDescriptor(input, entry, local.zip64);
    }
    if (input.position !== this.cdStart) {
      throw new ZipError(
        this.path,
        undefined,
        `${this.cdStart - input.position} unaccounted bytes before the central directory`,
      );
    }
  }

  private async localHeader(
    input: SequentialInput,
    entry: ZipEntryInfo,
  ): Promise<{ zip64: boolean }> {
    const h = await input.take(LOCAL_HEADER_SIZE);
    const bad = (what: string): ZipError =>
      new ZipError(
        this.path,
        entry.name,
        `local header ${what} differs from the central directory`,
      );
    if (h.readUInt32LE(0) !== LOCAL_HEADER_SIG)
      throw new ZipError(this.path, entry.name, 'bad local header signature');
    if (h.readUInt16LE(6) !== entry.flags) throw bad('flags');
    if (h.readUInt16LE(8) !== entry.method) throw bad('compression method');
    const nameLen = h.readUInt16LE(26);
    const extraLen = h.readUInt16LE(28);
    const rest = await input.take(nameLen + extraLen);
    if (!rest.subarray(0, nameLen).equals(entry.nameBytes)) {
      throw new ZipError(
        this.path,
        entry.name,
        `local header names '${rest.subarray(0, nameLen).toString('utf8')}' instead`,
      );
    }
    const sizes = { compressed: h.readUInt32LE(18), uncompressed: h.readUInt32LE(22) };
    const extra = rest.subarray(nameLen);
    checkExtras(this.path, entry.name, entry.nameBytes, extra, sizes);
    const crc = h.readUInt32LE(14);
    const deferred = (entry.flags & 8) !== 0; // sizes and CRC may follow in a data descriptor
    const agrees = (local: number, central: number): boolean =>
      local === central || (deferred && local === 0);
    if (!agrees(crc, entry.crc32)) throw bad('CRC-32');
    if (!agrees(sizes.compressed, entry.compressedSize)) throw bad('compressed size');
    if (!agrees(sizes.uncompressed, entry.uncompressedSize)) throw bad('size');
    return { zip64: hasExtra(extra, ZIP64_EXTRA_ID) };
  }

  private async inflateInto(
    input: SequentialInput,
    entry: ZipEntryInfo,
    sink: EntrySink | undefined,
  ): Promise<void> {
    const size = entry.compressedSize;
    if (size < ASYNC_INFLATE_AT || entry.method !== METHOD_DEFLATED) {
      if (size < CHUNK) {
        const data = await this.decode(entry, await input.take(size));
        sink?.(data);
        return;
      }
    }
    if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATED)
      throw new ZipError(this.path, entry.name, `unsupported compression method ${entry.method}`);
    let produced = 0;
    let crc = 0;
    let bomb: ZipBombError | undefined;
    const take = (chunk: Buffer): void => {
      produced += chunk.length;
      if (produced > entry.uncompressedSize) {
        bomb = new ZipBombError(
          this.path,
          entry.name,
          `inflates to more than its declared ${entry.uncompressedSize} bytes`,
        );
        throw bomb;
      }
      crc = crc32(chunk, crc);
      sink?.(chunk);
    };
    if (entry.method === METHOD_STORED) {
      for await (const chunk of input.stream(size)) take(chunk);
    } else {
      try {
        await pipeline(
          Readable.from(input.stream(size)),
          createInflateRaw({ chunkSize: 256 * 1024 }),
          async (source: AsyncIterable<Buffer>) => {
            for await (const chunk of source) take(chunk);
          },
        );
      } catch (error) {
        throw bomb ?? error;
      }
    }
    this.checkResult(entry, produced, crc >>> 0);
  }

  private async dataDescriptor(
    input: SequentialInput,
    entry: ZipEntryInfo,
    zip64: boolean,
  ): Promise<void> {
    // The signature is optional; the sizes are 8 bytes each in a ZIP64 entry, else 4.
    const width = zip64 ? 8 : 4;
    const head = await input.peek(4);
    if (head.readUInt32LE(0) === DATA_DESCRIPTOR_SIG) await input.take(4);
    const d = await input.take(4 + 2 * width);
    const read = (at: number): number =>
      zip64 ? Number(d.readBigUInt64LE(at)) : d.readUInt32LE(at);
    if (
      d.readUInt32LE(0) !== entry.crc32 ||
      read(4) !== entry.compressedSize ||
      read(4 + width) !== entry.uncompressedSize
    ) {
      throw new ZipError(
        this.path,
        entry.name,
        'data descriptor differs from the central directory',
      );
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

function hasExtra(extra: Buffer, id: number): boolean {
  for (let p = 0; p + 4 <= extra.length; p += 4 + extra.readUInt16LE(p + 2))
    if (extra.readUInt16LE(p) === id) return true;
  return false;
}

function checkLimits(
  path: string,
  entries: ZipEntryInfo[],
  caps: Required<ZipLimits>,
  cdStart: number,
  strict: boolean,
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
    const minEnd = e.localOffset + LOCAL_HEADER_SIZE + e.nameBytes.length + e.compressedSize;
    const limit = i + 1 < byOffset.length ? byOffset[i + 1].localOffset : cdStart;
    if (e.localOffset < 0 || minEnd > limit) {
      throw new ZipBombError(path, e.name, 'entry overlaps another entry or the central directory');
    }
  }
  // A streaming reader meets the entries in file order, zipfile in directory order.
  const outOfOrder = strict ? entries.findIndex((e, i) => e !== byOffset[i]) : -1;
  if (outOfOrder >= 0) {
    throw new ZipError(
      path,
      entries[outOfOrder].name,
      'central directory order differs from the order of the local headers',
    );
  }
}
