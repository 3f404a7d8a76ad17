import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { deflatePortable } from './deflate.js';
import { ZipError } from './errors.js';
import { DOS_EPOCH, type DosDateTime } from './dos-time.js';
import { centralHeader, flagsFor, localHeader, needsZip64, type CentralRecord } from './records.js';
import {
  ATTR_DIRECTORY,
  ATTR_EXECUTABLE,
  ATTR_FILE,
  EOCD_SIG,
  EOCD_SIZE,
  MAX_16,
  MAX_32,
  METHOD_DEFLATED,
  METHOD_STORED,
  ZIP64_EOCD_SIG,
  ZIP64_EOCD_SIZE,
  ZIP64_LOCATOR_SIG,
  ZIP64_LOCATOR_SIZE,
} from './format.js';

const FLUSH_AT = 1 << 20;
const COPY_CHUNK = 1 << 20;

export interface ZipWriterOptions {
  /** Bytes written before the archive (a `#!` line); offsets count from the file start. */
  preamble?: Uint8Array;
  /** Timestamp of every entry (default 1980-01-01 00:00). */
  dosTime?: DosDateTime;
  /** Deflate level for new entries (default 6; others go through pako, slower). */
  level?: number;
}

/** A new entry's data, compressed ahead of time (so several can deflate in parallel). */
export interface PreparedEntry {
  method: number;
  crc32: number;
  uncompressedSize: number;
  data: Uint8Array;
}

/** An already-compressed entry copied as is (e.g. from a wheel), no inflate/deflate round trip. */
export interface RawEntry {
  method: number;
  crc32: number;
  uncompressedSize: number;
  compressedData: Uint8Array;
}

export interface ZipSummary {
  entries: number;
  /** Bytes written, preamble included. */
  size: number;
  /** True when the archive needed ZIP64 records (Python < 3.13 zipimport cannot read it). */
  zip64: boolean;
}

/**
 * Compresses `data` with raw deflate (see deflate.ts: the same bytes on every Node, OS and CPU);
 * keeps it STORED when `compress` is false or deflate would not make it smaller.
 */
export async function prepareEntry(
  data: Uint8Array,
  compress: boolean,
  level = 6,
): Promise<PreparedEntry> {
  const crc = crc32(data);
  if (compress && data.length > 0) {
    const deflated = await deflatePortable(data, level);
    if (deflated.length < data.length) {
      return { method: METHOD_DEFLATED, crc32: crc, uncompressedSize: data.length, data: deflated };
    }
  }
  return { method: METHOD_STORED, crc32: crc, uncompressedSize: data.length, data };
}

/**
 * A deterministic streaming zip writer. Entries appear in the order added (callers sort);
 * every entry gets the same timestamp, normalised Unix modes, no extra fields unless ZIP64
 * is needed, and version-made-by Unix. Call `close()` to write the central directory.
 */
export class ZipWriter {
  private readonly central: CentralRecord[] = [];
  private readonly names = new Set<string>();
  private pending: Buffer[] = [];
  private pendingSize = 0;
  private position = 0;
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
    private readonly dosTime: DosDateTime,
    private readonly level: number,
  ) {}

  /** Creates (truncates) `path` and writes the preamble. */
  static async create(path: string, options: ZipWriterOptions = {}): Promise<ZipWriter> {
    const handle = await open(path, 'w', 0o644);
    const writer = new ZipWriter(path, handle, options.dosTime ?? DOS_EPOCH, options.level ?? 6);
    if (options.preamble !== undefined && options.preamble.length > 0)
      writer.push(Buffer.from(options.preamble));
    return writer;
  }

  /** Bytes written so far (preamble included). */
  get size(): number {
    return this.position;
  }

  /** An explicit directory entry; `name` must end with `/`. */
  addDirectory(name: string): void {
    if (!name.endsWith('/')) throw new ZipError(this.path, name, 'directory names must end with /');
    this.writeEntry(name, ATTR_DIRECTORY, METHOD_STORED, 0, 0, 0, Buffer.alloc(0));
  }

  /** A file from memory, deflated unless `compress` is false. */
  async addBuffer(
    name: string,
    data: Uint8Array,
    options: { compress?: boolean; executable?: boolean } = {},
  ): Promise<void> {
    this.addPrepared(name, await prepareEntry(data, options.compress ?? true, this.level), options);
  }

  /** A file whose data was prepared with `prepareEntry`. */
  addPrepared(name: string, entry: PreparedEntry, options: { executable?: boolean } = {}): void {
    this.writeEntry(
      name,
      options.executable === true ? ATTR_EXECUTABLE : ATTR_FILE,
      entry.method,
      entry.crc32,
      entry.data.length,
      entry.uncompressedSize,
      entry.data,
    );
  }

  /** Copies already-compressed bytes as they are. */
  addRaw(name: string, entry: RawEntry, options: { executable?: boolean } = {}): void {
    this.writeEntry(
      name,
      options.executable === true ? ATTR_EXECUTABLE : ATTR_FILE,
      entry.method,
      entry.crc32,
      entry.compressedData.length,
      entry.uncompressedSize,
      entry.compressedData,
    );
  }

  /**
   * A whole file from disk, STORED, streamed in 1 MiB chunks with a running CRC; the CRC is
   * patched into the local header afterwards (no data descriptor). `size` is the file's size.
   */
  async addFileStored(
    name: string,
    sourcePath: string,
    size: number,
    options: { executable?: boolean } = {},
  ): Promise<void> {
    const nameBuf = this.checkName(name);
    const localOffset = this.position;
    const zip64 = size >= MAX_32;
    const header = localHeader(nameBuf, METHOD_STORED, 0, size, size, this.dosTime, zip64);
    this.push(header);
    await this.flush();
    const source = await open(sourcePath, 'r');
    let crc = 0;
    let copied = 0;
    try {
      const chunk = Buffer.allocUnsafe(Math.min(COPY_CHUNK, Math.max(size, 1)));
      for (;;) {
        const { bytesRead } = await source.read(chunk, 0, chunk.length, copied);
        if (bytesRead === 0) break;
        const view = chunk.subarray(0, bytesRead);
        crc = crc32(view, crc);
        await this.handle.write(view, 0, bytesRead, this.position);
        this.position += bytesRead;
        copied += bytesRead;
        if (copied > size) break;
      }
    } finally {
      await source.close();
    }
    if (copied !== size) {
      throw new ZipError(
        this.path,
        name,
        `${sourcePath} changed size while being copied (${size} → ${copied} bytes)`,
      );
    }
    const crcBuf = Buffer.alloc(4);
    crcBuf.writeUInt32LE(crc >>> 0);
    await this.handle.write(crcBuf, 0, 4, localOffset + 14);
    this.central.push({
      name: nameBuf,
      flags: flagsFor(name),
      method: METHOD_STORED,
      crc32: crc >>> 0,
      compressedSize: size,
      uncompressedSize: size,
      localOffset,
      attributes: options.executable === true ? ATTR_EXECUTABLE : ATTR_FILE,
    });
  }

  /** Writes the central directory (ZIP64 records only when needed), flushes and closes. */
  async close(): Promise<ZipSummary> {
    if (this.closed) throw new ZipError(this.path, undefined, 'zip writer already closed');
    this.closed = true;
    try {
      const cdOffset = this.position;
      for (const record of this.central) this.push(centralHeader(record, this.dosTime));
      const cdSize = this.position - cdOffset;
      const count = this.central.length;
      const zip64 =
        count >= MAX_16 ||
        cdOffset >= MAX_32 ||
        cdSize >= MAX_32 ||
        this.central.some((r) => needsZip64(r));
      if (zip64) {
        const zip64EocdOffset = this.position;
        const rec = Buffer.alloc(ZIP64_EOCD_SIZE + ZIP64_LOCATOR_SIZE);
        rec.writeUInt32LE(ZIP64_EOCD_SIG, 0);
        rec.writeBigUInt64LE(BigInt(ZIP64_EOCD_SIZE - 12), 4);
        rec.writeUInt16LE((3 << 8) | 45, 12);
        rec.writeUInt16LE(45, 14);
        rec.writeUInt32LE(0, 16);
        rec.writeUInt32LE(0, 20);
        rec.writeBigUInt64LE(BigInt(count), 24);
        rec.writeBigUInt64LE(BigInt(count), 32);
        rec.writeBigUInt64LE(BigInt(cdSize), 40);
        rec.writeBigUInt64LE(BigInt(cdOffset), 48);
        rec.writeUInt32LE(ZIP64_LOCATOR_SIG, 56);
        rec.writeUInt32LE(0, 60);
        rec.writeBigUInt64LE(BigInt(zip64EocdOffset), 64);
        rec.writeUInt32LE(1, 72);
        this.push(rec);
      }
      const eocd = Buffer.alloc(EOCD_SIZE);
      eocd.writeUInt32LE(EOCD_SIG, 0);
      eocd.writeUInt16LE(Math.min(count, MAX_16), 8);
      eocd.writeUInt16LE(Math.min(count, MAX_16), 10);
      eocd.writeUInt32LE(Math.min(cdSize, MAX_32), 12);
      eocd.writeUInt32LE(Math.min(cdOffset, MAX_32), 16);
      this.push(eocd);
      await this.flush();
      await this.handle.sync();
      return { entries: count, size: this.position, zip64 };
    } finally {
      await this.handle.close();
    }
  }

  /** Closes the file without finishing the archive (after a failure). */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }

  private checkName(name: string): Buffer {
    if (this.closed) throw new ZipError(this.path, name, 'zip writer already closed');
    if (this.names.has(name)) throw new ZipError(this.path, name, 'duplicate entry name');
    if (name.length === 0 || name.startsWith('/') || name.includes('\\')) {
      throw new ZipError(this.path, name, 'entry names must be relative POSIX paths');
    }
    this.names.add(name);
    const buf = Buffer.from(name, 'utf8');
    if (buf.length > MAX_16)
      throw new ZipError(this.path, name, 'entry name longer than 65,535 bytes');
    return buf;
  }

  private writeEntry(
    name: string,
    attributes: number,
    method: number,
    crc: number,
    compressedSize: number,
    uncompressedSize: number,
    data: Uint8Array,
  ): void {
    const nameBuf = this.checkName(name);
    const localOffset = this.position;
    const zip64 = compressedSize >= MAX_32 || uncompressedSize >= MAX_32;
    this.push(
      localHeader(nameBuf, method, crc, compressedSize, uncompressedSize, this.dosTime, zip64),
    );
    this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.central.push({
      name: nameBuf,
      flags: flagsFor(name),
      method,
      crc32: crc >>> 0,
      compressedSize,
      uncompressedSize,
      localOffset,
      attributes,
    });
  }

  private push(buf: Buffer): void {
    if (buf.length === 0) return;
    this.pending.push(buf);
    this.pendingSize += buf.length;
    this.position += buf.length;
  }

  /** Writes buffered bytes; call before awaiting anything else that touches the file. */
  async flush(): Promise<void> {
    if (this.pendingSize === 0) return;
    const data =
      this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingSize);
    const at = this.position - this.pendingSize;
    this.pending = [];
    this.pendingSize = 0;
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await this.handle.write(
        data,
        written,
        data.length - written,
        at + written,
      );
      written += bytesWritten;
    }
  }

  /** Flushes when enough is buffered; call between entries to bound memory. */
  async maybeFlush(): Promise<void> {
    if (this.pendingSize >= FLUSH_AT) await this.flush();
  }
}
