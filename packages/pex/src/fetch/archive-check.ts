import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { ZipReader } from '../zip/reader.js';

/** Size of a tar block. */
const BLOCK = 512;

/** Octal (or GNU base-256) number field of a tar header. */
function tarNumber(field: Buffer): number {
  if ((field[0] ?? 0) & 0x80) {
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + (field[i] ?? 0);
    return n;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** Walks tar headers block by block, checking checksums; tells whether it ended cleanly. */
class TarWalker {
  private pending: Buffer = Buffer.alloc(0);
  /** Data blocks still to skip of the current member. */
  private skip = 0;
  private members = 0;
  private ended = false;
  problem: string | undefined;

  push(chunk: Buffer): void {
    if (this.problem !== undefined || this.ended) return;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let at = 0;
    while (this.pending.length - at >= BLOCK && this.problem === undefined && !this.ended) {
      if (this.skip > 0) {
        const blocks = Math.min(this.skip, Math.floor((this.pending.length - at) / BLOCK));
        this.skip -= blocks;
        at += blocks * BLOCK;
        continue;
      }
      this.header(this.pending.subarray(at, at + BLOCK));
      at += BLOCK;
    }
    this.pending = this.pending.subarray(at);
  }

  private header(block: Buffer): void {
    if (block.every((b) => b === 0)) {
      this.ended = true; // end-of-archive marker; trailing padding is not read
      return;
    }
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    if (sum !== tarNumber(block.subarray(148, 156))) {
      this.problem = `tar header ${this.members + 1} has a bad checksum`;
      return;
    }
    const size = tarNumber(block.subarray(124, 136));
    const type = String.fromCharCode(block[156] ?? 0);
    // Links, directories and devices carry no data whatever their size field says.
    const hasData = !['1', '2', '3', '4', '5', '6'].includes(type);
    this.skip = hasData ? Math.ceil(size / BLOCK) : 0;
    this.members++;
  }

  finish(): string | undefined {
    if (this.problem !== undefined) return this.problem;
    if (this.members === 0) return 'no tar members';
    if (this.skip > 0 || (!this.ended && this.pending.length > 0))
      return 'tar archive cut short inside a member';
    return undefined;
  }
}

async function gzipTarProblem(path: string): Promise<string | undefined> {
  const walker = new TarWalker();
  try {
    for await (const chunk of createReadStream(path).pipe(createGunzip()))
      walker.push(chunk as Buffer);
  } catch (error) {
    return `gzip stream is corrupt or cut short (${(error as Error).message})`;
  }
  return walker.finish();
}

/**
 * Why a downloaded archive cannot be read (a truncated body, a page that is not an archive), or
 * undefined when it reads: wheels and `.zip` sdists must have a central directory that Python's
 * zipfile accepts; `.tar.gz` / `.tgz` sdists must gunzip completely into whole tar members.
 * Other suffixes are not checked. Used for downloads that no hash pins.
 */
export async function archiveProblem(path: string, filename: string): Promise<string | undefined> {
  if (/\.(whl|zip)$/i.test(filename)) {
    try {
      const reader = await ZipReader.open(path);
      await reader.close();
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }
  if (/\.(tar\.gz|tgz)$/i.test(filename)) return gzipTarProblem(path);
  return undefined;
}
