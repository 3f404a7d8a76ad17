import { PexkitError } from '../errors.js';

/** A zip archive (a wheel or a PEX) is malformed, unsafe or larger than allowed. */
export class ZipError extends PexkitError {
  override readonly name: string = 'ZipError';
  /** The archive at fault. */
  readonly archive: string;
  /** The entry at fault, when one is. */
  readonly entry: string | undefined;
  constructor(
    archive: string,
    entry: string | undefined,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${archive}${entry === undefined ? '' : `: entry '${entry}'`}: ${problem}`, options);
    this.archive = archive;
    this.entry = entry;
  }
}

/** An entry name that would escape the extraction root, or is otherwise unsafe. */
export class UnsafeZipEntryError extends ZipError {
  override readonly name = 'UnsafeZipEntryError';
}

/** An archive whose declared or actual sizes exceed the caps (a zip bomb) or disagree. */
export class ZipBombError extends ZipError {
  override readonly name = 'ZipBombError';
}
