import { PexkitError } from '../errors.js';

/** A wheel that must not go into a PEX: unsafe, incomplete or tampered with. */
export class InvalidWheelError extends PexkitError {
  override readonly name = 'InvalidWheelError';
  constructor(
    readonly wheel: string,
    readonly entry: string | undefined,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`wheel ${wheel}${entry === undefined ? '' : `, entry '${entry}'`}: ${problem}`, options);
  }
}
