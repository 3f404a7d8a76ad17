import { PexkitError } from '../errors.js';

/** The file given to `pexkit inspect` is not a PEX pexkit can read, or it is damaged. */
export class InspectError extends PexkitError {
  override readonly name = 'InspectError';
  /** The PEX (or the file inside it) at fault. */
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.file = file;
  }
}
