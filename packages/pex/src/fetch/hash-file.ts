import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { nodeHashName } from '../lock/hashes.js';

/** sha256 plus any other secure algorithms over one stream of chunks. */
export class Digests {
  private readonly sha256 = createHash('sha256');
  private readonly others: [string, Hash][];

  constructor(algorithms: readonly string[] = []) {
    this.others = [...new Set(algorithms)]
      .filter((a) => a !== 'sha256')
      .map((a) => [a, createHash(nodeHashName(a))]);
  }

  update(chunk: Buffer): void {
    this.sha256.update(chunk);
    for (const [, hash] of this.others) hash.update(chunk);
  }

  /** `{ sha256, digests }` where `digests` maps every algorithm (sha256 too) to its hex digest. */
  digest(): { sha256: string; digests: Record<string, string> } {
    const sha256 = this.sha256.digest('hex');
    const digests: Record<string, string> = { sha256 };
    for (const [name, hash] of this.others) digests[name] = hash.digest('hex');
    return { sha256, digests };
  }
}

/** sha256 (hex), the digests of `algorithms` and the size of a file, streamed. */
export async function hashFile(
  path: string,
  algorithms: readonly string[] = [],
): Promise<{ sha256: string; size: number; digests: Record<string, string> }> {
  const hash = new Digests(algorithms);
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    size += buffer.length;
  }
  return { ...hash.digest(), size };
}
