/**
 * The end records and central directory of a zip, read as strictly as it takes for every reader
 * to see the same archive: CPython's `zipfile` (3.8–3.14), PyPy's, zipimport and streaming
 * unzippers disagree on anything the format leaves loose (which end record, entry count versus
 * directory size, ZIP64 locator offset, extra fields, name encodings), so any of those is an
 * error here. Pure functions over buffers; the I/O is in reader.ts.
 */
import { crc32 } from 'node:zlib';
import { ZipError } from './errors.js';
import {
  CENTRAL_HEADER_SIG,
  CENTRAL_HEADER_SIZE,
  EOCD_SIG,
  EOCD_SIZE,
  FLAG_UTF8,
  MAX_16,
  MAX_32,
  ZIP64_EOCD_SIG,
  ZIP64_EOCD_SIZE,
  ZIP64_EXTRA_ID,
  ZIP64_LOCATOR_SIG,
  ZIP64_LOCATOR_SIZE,
} from './format.js';

/** Info-ZIP Unicode Path extra field: CPython 3.12+ takes the name from it, older ones do not. */
export const UNICODE_PATH_EXTRA_ID = 0x7075;
/** Highest "version needed to extract" CPython's zipfile opens (6.3). */
const MAX_EXTRACT_VERSION = 63;

/** One entry of the central directory. */
export interface ZipEntryInfo {
  name: string;
  /** The name as stored (compared byte for byte with the local header). */
  nameBytes: Buffer;
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

/** Where the central directory is, as the end records say. */
export interface EndRecord {
  /** Offset (from the file start) of the record that ends the central directory. */
  cdEnd: number;
  count: number;
  cdSize: number;
  cdOffset: number;
}

/**
 * Finds the end of central directory record exactly as CPython's `_EndRecData` does (the last
 * 22 bytes when they are a comment-less record, else the last signature in the final 64 KiB),
 * then insists that its comment runs precisely to the end of the file, so no reader can pick
 * another record. `tail` is the last `tail.length` bytes of a `size`-byte file; `z64` reads the
 * 56 bytes before the ZIP64 locator when there is one.
 */
export function parseEndRecords(
  path: string,
  tail: Buffer,
  size: number,
): { eocdAt: number; record: EndRecord; zip64LocatorAt: number | undefined } {
  const tailStart = size - tail.length;
  let at = -1;
  const last = tail.length - EOCD_SIZE;
  if (last >= 0 && tail.readUInt32LE(last) === EOCD_SIG && tail.readUInt16LE(last + 20) === 0) {
    at = last;
  } else {
    at = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (at >= 0 && at + EOCD_SIZE > tail.length) at = -1;
  }
  if (at < 0)
    throw new ZipError(path, undefined, 'not a zip file (no end of central directory record)');
  const commentLen = tail.readUInt16LE(at + 20);
  if (at + EOCD_SIZE + commentLen !== tail.length) {
    throw new ZipError(
      path,
      undefined,
      `the archive comment length (${commentLen}) does not reach exactly to the end of the file; ` +
        'readers would disagree on where the archive ends',
    );
  }
  const disk = tail.readUInt16LE(at + 4);
  const cdDisk = tail.readUInt16LE(at + 6);
  const onDisk = tail.readUInt16LE(at + 8);
  const total = tail.readUInt16LE(at + 10);
  if (disk !== 0 || cdDisk !== 0 || onDisk !== total) {
    throw new ZipError(path, undefined, 'multi-disk archives are not supported');
  }
  const record: EndRecord = {
    cdEnd: tailStart + at,
    count: total,
    cdSize: tail.readUInt32LE(at + 12),
    cdOffset: tail.readUInt32LE(at + 16),
  };
  const locAt = at - ZIP64_LOCATOR_SIZE;
  const hasLocator = locAt >= 0 && tail.readUInt32LE(locAt) === ZIP64_LOCATOR_SIG;
  return {
    eocdAt: tailStart + at,
    record,
    zip64LocatorAt: hasLocator ? tailStart + locAt : undefined,
  };
}

/**
 * Applies the ZIP64 end record that sits (as CPython assumes) immediately before the locator:
 * the locator must point at it, it must carry no extensible data, and every EOCD field must
 * either agree with it or be saturated.
 */
export function applyZip64(
  path: string,
  eocd: EndRecord,
  locator: Buffer,
  locatorAt: number,
  z64: Buffer,
): EndRecord {
  const z64At = locatorAt - ZIP64_EOCD_SIZE;
  if (z64At < 0 || z64.readUInt32LE(0) !== ZIP64_EOCD_SIG) {
    throw new ZipError(path, undefined, 'ZIP64 locator without a ZIP64 end record right before it');
  }
  const diskOfZ64 = locator.readUInt32LE(4);
  const z64Offset = Number(locator.readBigUInt64LE(8));
  const disks = locator.readUInt32LE(16);
  if (diskOfZ64 !== 0 || disks > 1)
    throw new ZipError(path, undefined, 'multi-disk archives are not supported');
  if (z64Offset !== z64At) {
    throw new ZipError(
      path,
      undefined,
      `the ZIP64 locator points at offset ${z64Offset}, the ZIP64 end record is at ${z64At}`,
    );
  }
  if (Number(z64.readBigUInt64LE(4)) !== ZIP64_EOCD_SIZE - 12) {
    throw new ZipError(path, undefined, 'ZIP64 end record with extensible data');
  }
  const onDisk = Number(z64.readBigUInt64LE(24));
  const count = Number(z64.readBigUInt64LE(32));
  const cdSize = Number(z64.readBigUInt64LE(40));
  const cdOffset = Number(z64.readBigUInt64LE(48));
  if (z64.readUInt32LE(16) !== 0 || z64.readUInt32LE(20) !== 0 || onDisk !== count)
    throw new ZipError(path, undefined, 'multi-disk archives are not supported');
  const agrees = (short: number, long: number, max: number): boolean =>
    short === long || short === max;
  if (
    !agrees(eocd.count, count, MAX_16) ||
    !agrees(eocd.cdSize, cdSize, MAX_32) ||
    !agrees(eocd.cdOffset, cdOffset, MAX_32)
  ) {
    throw new ZipError(
      path,
      undefined,
      `the end record (${eocd.count} entries, ${eocd.cdSize} bytes at ${eocd.cdOffset}) and the ` +
        `ZIP64 end record (${count} entries, ${cdSize} bytes at ${cdOffset}) disagree`,
    );
  }
  return { cdEnd: z64At, count, cdSize, cdOffset };
}

/**
 * Parses the central directory the way CPython does (entries until `cd.length` bytes are used)
 * and requires that to be exactly `count` entries ending exactly at the end of `cd`.
 */
export function parseCentralDirectory(
  path: string,
  cd: Buffer,
  count: number,
  delta: number,
): ZipEntryInfo[] {
  const entries: ZipEntryInfo[] = [];
  let p = 0;
  while (p < cd.length) {
    const i = entries.length;
    if (p + CENTRAL_HEADER_SIZE > cd.length || cd.readUInt32LE(p) !== CENTRAL_HEADER_SIG) {
      throw new ZipError(path, undefined, `central directory entry ${i} is corrupt`);
    }
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const extraStart = p + CENTRAL_HEADER_SIZE + nameLen;
    const next = extraStart + extraLen + commentLen;
    if (next > cd.length) {
      throw new ZipError(path, undefined, `central directory entry ${i} runs past the directory`);
    }
    const flags = cd.readUInt16LE(p + 8);
    const nameBytes = cd.subarray(p + CENTRAL_HEADER_SIZE, extraStart);
    const name = decodeName(path, nameBytes, flags);
    if (cd.readUInt16LE(p + 6) > MAX_EXTRACT_VERSION) {
      throw new ZipError(path, name, `needs zip version ${cd.readUInt16LE(p + 6) / 10} to extract`);
    }
    if (cd.readUInt16LE(p + 34) !== 0)
      throw new ZipError(path, name, 'multi-disk archives are not supported');
    if ((flags & 1) !== 0) throw new ZipError(path, name, 'encrypted entries are not supported');
    const sizes = {
      uncompressed: cd.readUInt32LE(p + 24),
      compressed: cd.readUInt32LE(p + 20),
      offset: cd.readUInt32LE(p + 42),
    };
    checkExtras(path, name, nameBytes, cd.subarray(extraStart, extraStart + extraLen), sizes);
    entries.push({
      name,
      nameBytes: Buffer.from(nameBytes),
      versionMadeBy: cd.readUInt16LE(p + 4),
      flags,
      method: cd.readUInt16LE(p + 10),
      crc32: cd.readUInt32LE(p + 16),
      compressedSize: sizes.compressed,
      uncompressedSize: sizes.uncompressed,
      localOffset: sizes.offset + delta,
      externalAttributes: cd.readUInt32LE(p + 38),
      isDirectory: name.endsWith('/'),
    });
    p = next;
  }
  if (entries.length !== count) {
    throw new ZipError(
      path,
      undefined,
      `the end record says ${count} entries but the central directory holds ${entries.length}; ` +
        'readers would disagree on the contents',
    );
  }
  return entries;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The entry name: UTF-8 when flagged (and valid), else it must be ASCII (cp437 elsewhere). */
function decodeName(path: string, bytes: Buffer, flags: number): string {
  if ((flags & FLAG_UTF8) === 0) {
    for (const b of bytes) {
      if (b >= 0x80) {
        throw new ZipError(
          path,
          bytes.toString('latin1'),
          'non-ASCII name without the UTF-8 flag (Python reads it as cp437, other tools as UTF-8)',
        );
      }
    }
    return bytes.toString('latin1');
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ZipError(path, bytes.toString('latin1'), 'name is flagged UTF-8 but is not UTF-8');
  }
}

/**
 * Checks an extra-field block (central or local): records must tile it exactly with no
 * repeated ids; a ZIP64 record supplies, in order, each size/offset that is saturated (updating
 * `sizes`); a Unicode Path record (0x7075) is accepted only when it restates the header name
 * (version 1, CRC of the stored name, same UTF-8 text), because CPython 3.12+ obeys it and older
 * versions ignore it.
 */
export function checkExtras(
  path: string,
  name: string,
  nameBytes: Buffer,
  extra: Buffer,
  sizes: { uncompressed: number; compressed: number; offset?: number },
): void {
  const seen = new Set<number>();
  let p = 0;
  while (p < extra.length) {
    if (p + 4 > extra.length) throw new ZipError(path, name, 'truncated extra field');
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    const body = extra.subarray(p + 4, p + 4 + len);
    if (body.length !== len)
      throw new ZipError(path, name, `extra field 0x${id.toString(16)} runs past its block`);
    if (seen.has(id))
      throw new ZipError(path, name, `extra field 0x${id.toString(16)} appears twice`);
    seen.add(id);
    if (id === ZIP64_EXTRA_ID) {
      let q = 0;
      const next = (): number => {
        if (q + 8 > body.length) throw new ZipError(path, name, 'truncated ZIP64 extra field');
        const v = Number(body.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (sizes.uncompressed === MAX_32) sizes.uncompressed = next();
      if (sizes.compressed === MAX_32) sizes.compressed = next();
      if (sizes.offset === MAX_32) sizes.offset = next();
    } else if (id === UNICODE_PATH_EXTRA_ID) {
      const restates =
        len >= 5 &&
        body[0] === 1 &&
        body.readUInt32LE(1) === crc32(nameBytes) >>> 0 &&
        body.subarray(5).equals(Buffer.from(name, 'utf8'));
      if (!restates) {
        let other = 'a malformed field';
        try {
          if (len >= 5 && body[0] === 1) other = `'${utf8.decode(body.subarray(5))}'`;
        } catch {
          // keep 'a malformed field'
        }
        throw new ZipError(
          path,
          name,
          `Unicode Path extra field (0x7075) does not restate the header name (it holds ${other}); ` +
            'Python 3.12+ may extract it under another name than older readers',
        );
      }
    }
    p += 4 + len;
  }
}
