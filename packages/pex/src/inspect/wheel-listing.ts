/**
 * What a wheel holds, read from the end of its bytes alone: the wheel's central directory lists
 * every file with its size, so `pexkit inspect` never keeps a whole wheel in memory. The end
 * records and directory are parsed as strictly as any wheel pexkit reads (zip/central-directory).
 */
import { applyZip64, parseCentralDirectory, parseEndRecords } from '../zip/central-directory.js';
import { ZipError } from '../zip/errors.js';
import { EOCD_SIZE, MAX_16, ZIP64_EOCD_SIZE, ZIP64_LOCATOR_SIZE } from '../zip/format.js';

/** The most of a wheel's end `pexkit inspect` keeps: its central directory must fit. */
export const WHEEL_TAIL_BYTES = 16 * 1024 * 1024;

/** Files and their total uncompressed size (what installing the wheel unpacks). */
export interface WheelListing {
  files: number;
  installedBytes: number;
}

/**
 * Lists a wheel of `size` bytes from its end: `tail(n)` returns the last `n` bytes (at most
 * {@link WHEEL_TAIL_BYTES} are held). `label` names the wheel in errors (`app.pex: .deps/x.whl`).
 */
export function listWheelTail(
  label: string,
  tail: (n: number) => Buffer,
  size: number,
): WheelListing {
  const end = parseEndRecords(label, tail(Math.min(size, EOCD_SIZE + MAX_16)), size);
  let record = end.record;
  let from = end.eocdAt;
  if (end.zip64LocatorAt !== undefined) from = end.zip64LocatorAt - ZIP64_EOCD_SIZE;
  const cdStartGuess = record.cdEnd - record.cdSize;
  const start = Math.max(0, Math.min(from, cdStartGuess >= 0 ? cdStartGuess : from));
  if (size - start > WHEEL_TAIL_BYTES) {
    throw new ZipError(
      label,
      undefined,
      `central directory is larger than the ${WHEEL_TAIL_BYTES} bytes pexkit inspect reads`,
    );
  }
  const bytes = tail(size - start);
  if (bytes.length !== size - start)
    throw new ZipError(label, undefined, 'the wheel ended before its central directory');
  const at = (offset: number, length: number): Buffer => {
    if (offset < start || offset + length > size)
      throw new ZipError(label, undefined, 'bad central directory offsets');
    return bytes.subarray(offset - start, offset - start + length);
  };
  if (end.zip64LocatorAt !== undefined) {
    if (from < 0) throw new ZipError(label, undefined, 'bad ZIP64 end of central directory record');
    record = applyZip64(
      label,
      record,
      at(end.zip64LocatorAt, ZIP64_LOCATOR_SIZE),
      end.zip64LocatorAt,
      at(from, ZIP64_EOCD_SIZE),
    );
  }
  const cdStart = record.cdEnd - record.cdSize;
  if (cdStart < 0 || cdStart !== record.cdOffset) {
    throw new ZipError(label, undefined, 'central directory offset does not match its position');
  }
  if (cdStart < start) {
    throw new ZipError(
      label,
      undefined,
      `central directory is larger than the ${WHEEL_TAIL_BYTES} bytes pexkit inspect reads`,
    );
  }
  const entries = parseCentralDirectory(label, at(cdStart, record.cdSize), record.count, 0);
  let files = 0;
  let installedBytes = 0;
  for (const e of entries) {
    if (e.isDirectory) continue;
    files += 1;
    installedBytes += e.uncompressedSize;
  }
  return { files, installedBytes };
}
