/** Local and central header records (APPNOTE 4.3.7, 4.3.12) for the deterministic writer. */
import type { DosDateTime } from './dos-time.js';
import {
  CENTRAL_HEADER_SIG,
  CENTRAL_HEADER_SIZE,
  FLAG_UTF8,
  LOCAL_HEADER_SIG,
  LOCAL_HEADER_SIZE,
  MADE_BY_UNIX,
  MAX_32,
  ZIP64_EXTRA_ID,
} from './format.js';

export interface CentralRecord {
  name: Buffer;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
  attributes: number;
}

export function flagsFor(name: string): number {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(name) ? 0 : FLAG_UTF8;
}

export function needsZip64(r: CentralRecord): boolean {
  return r.compressedSize >= MAX_32 || r.uncompressedSize >= MAX_32 || r.localOffset >= MAX_32;
}

export function localHeader(
  name: Buffer,
  method: number,
  crc: number,
  compressedSize: number,
  uncompressedSize: number,
  dosTime: DosDateTime,
  zip64: boolean,
): Buffer {
  const extraLen = zip64 ? 20 : 0;
  const b = Buffer.alloc(LOCAL_HEADER_SIZE + name.length + extraLen);
  b.writeUInt32LE(LOCAL_HEADER_SIG, 0);
  b.writeUInt16LE(zip64 ? 45 : 20, 4);
  b.writeUInt16LE(flagsFor(name.toString('utf8')), 6);
  b.writeUInt16LE(method, 8);
  b.writeUInt16LE(dosTime.time, 10);
  b.writeUInt16LE(dosTime.date, 12);
  b.writeUInt32LE(crc >>> 0, 14);
  b.writeUInt32LE(zip64 ? MAX_32 : compressedSize, 18);
  b.writeUInt32LE(zip64 ? MAX_32 : uncompressedSize, 22);
  b.writeUInt16LE(name.length, 26);
  b.writeUInt16LE(extraLen, 28);
  name.copy(b, LOCAL_HEADER_SIZE);
  if (zip64) {
    const x = LOCAL_HEADER_SIZE + name.length;
    b.writeUInt16LE(ZIP64_EXTRA_ID, x);
    b.writeUInt16LE(16, x + 2);
    b.writeBigUInt64LE(BigInt(uncompressedSize), x + 4);
    b.writeBigUInt64LE(BigInt(compressedSize), x + 12);
  }
  return b;
}

export function centralHeader(r: CentralRecord, dosTime: DosDateTime): Buffer {
  const fields: number[] = [];
  if (r.uncompressedSize >= MAX_32) fields.push(r.uncompressedSize);
  if (r.compressedSize >= MAX_32) fields.push(r.compressedSize);
  if (r.localOffset >= MAX_32) fields.push(r.localOffset);
  const extraLen = fields.length === 0 ? 0 : 4 + 8 * fields.length;
  const b = Buffer.alloc(CENTRAL_HEADER_SIZE + r.name.length + extraLen);
  b.writeUInt32LE(CENTRAL_HEADER_SIG, 0);
  b.writeUInt16LE(fields.length > 0 ? (3 << 8) | 45 : MADE_BY_UNIX, 4);
  b.writeUInt16LE(fields.length > 0 ? 45 : 20, 6);
  b.writeUInt16LE(r.flags, 8);
  b.writeUInt16LE(r.method, 10);
  b.writeUInt16LE(dosTime.time, 12);
  b.writeUInt16LE(dosTime.date, 14);
  b.writeUInt32LE(r.crc32, 16);
  b.writeUInt32LE(Math.min(r.compressedSize, MAX_32), 20);
  b.writeUInt32LE(Math.min(r.uncompressedSize, MAX_32), 24);
  b.writeUInt16LE(r.name.length, 28);
  b.writeUInt16LE(extraLen, 30);
  b.writeUInt16LE(0, 32);
  b.writeUInt16LE(0, 34);
  b.writeUInt16LE(0, 36);
  b.writeUInt32LE(r.attributes, 38);
  b.writeUInt32LE(Math.min(r.localOffset, MAX_32), 42);
  r.name.copy(b, CENTRAL_HEADER_SIZE);
  if (extraLen > 0) {
    const x = CENTRAL_HEADER_SIZE + r.name.length;
    b.writeUInt16LE(ZIP64_EXTRA_ID, x);
    b.writeUInt16LE(8 * fields.length, x + 2);
    fields.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), x + 4 + 8 * i));
  }
  return b;
}
