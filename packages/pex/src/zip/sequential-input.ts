import type { FileHandle } from 'node:fs/promises';
import { ZipError } from './errors.js';

/** Sequential reads take this much at a time. */
export const CHUNK = 1024 * 1024;

/** Forward-only reads of a file through a 1 MiB window. */
export class SequentialInput {
  private buffer = Buffer.alloc(0);
  private offset = 0;
  /** File offset of the next byte `take` returns. */
  position: number;
  constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
    start: number,
  ) {
    this.position = start;
  }

  private async fill(n: number): Promise<void> {
    const have = this.buffer.length - this.offset;
    if (have >= n) return;
    const want = Math.max(n - have, CHUNK);
    const next = Buffer.allocUnsafe(have + want);
    this.buffer.copy(next, 0, this.offset);
    const { bytesRead } = await this.handle.read(next, have, want, this.position + have);
    this.buffer = next.subarray(0, have + bytesRead);
    this.offset = 0;
    if (this.buffer.length < n)
      throw new ZipError(
        this.path,
        undefined,
        `truncated at offset ${this.position + this.buffer.length}`,
      );
  }

  async peek(n: number): Promise<Buffer> {
    await this.fill(n);
    return this.buffer.subarray(this.offset, this.offset + n);
  }

  async take(n: number): Promise<Buffer> {
    const out = await this.peek(n);
    this.offset += n;
    this.position += n;
    return out;
  }

  /** The next `n` bytes in chunks of at most 1 MiB (never all in memory). */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      const have = this.buffer.length - this.offset;
      if (have === 0) await this.fill(1);
      const k = Math.min(left, this.buffer.length - this.offset);
      yield await this.take(k);
      left -= k;
    }
  }
}
