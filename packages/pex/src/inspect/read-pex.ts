/**
 * Reads what a PEX holds, part by part, without trusting it: a zipapp goes through the hardened
 * zip reader in one pass in file order (every entry inflated and CRC-checked, the local headers
 * proven to tile the archive), each wheel is hashed against PEX-INFO's sha256 and listed from
 * the end of its bytes; a packed or loose PEX (a directory) is read file by file, symlinks never
 * followed. Anything malformed is an {@link InspectError} or a `ZipError` naming the file.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PexkitError } from '../errors.js';
import { sha256File } from '../wheel/validate.js';
import { ZipReader, type ZipEntryInfo } from '../zip/reader.js';
import { InspectError } from './errors.js';
import { readPexInfo, type InspectedPexInfo } from './read-pex-info.js';
import { listWheelTail, WHEEL_TAIL_BYTES } from './wheel-listing.js';

/** Files, bytes in the PEX (compressed) and bytes once extracted. */
export interface PartSize {
  files: number;
  pexBytes: number;
  installedBytes: number;
}

/** One wheel under `.deps/` (`pexBytes` includes its compiled modules under `.bytecode/`). */
export interface WheelFacts extends PartSize {
  file: string;
  sha256: string;
  /** Size of the .whl file itself. */
  wheelBytes: number;
}

export type InspectedLayout = 'zipapp' | 'packed' | 'loose';

export interface PexFacts {
  path: string;
  layout: InspectedLayout;
  /** The PEX file's size (a directory layout: the sum of its files). */
  size: number;
  info: InspectedPexInfo;
  /** Sorted by file name. */
  wheels: WheelFacts[];
  /** Code at the root (first-party packages, modules, data, generated .dist-info). */
  firstParty: PartSize & { topLevel: Record<string, PartSize> };
  /** `__main__.py` and `.bootstrap/`. */
  runtime: PartSize;
  /** PEX-INFO's own size. */
  pexInfoBytes: number;
}

const PEX_INFO_MAX = 64 * 1024 * 1024;

function emptyPart(): PartSize {
  return { files: 0, pexBytes: 0, installedBytes: 0 };
}

function addTo(part: PartSize, pexBytes: number, installedBytes: number): void {
  part.files += 1;
  part.pexBytes += pexBytes;
  part.installedBytes += installedBytes;
}

/** Which part of a PEX a root-relative name belongs to. */
function partOf(name: string): 'info' | 'runtime' | 'deps' | 'bytecode' | 'code' {
  if (name === 'PEX-INFO') return 'info';
  if (name === '.bytecode' || name.startsWith('.bytecode/')) return 'bytecode';
  if (name === '__main__.py' || name === '.bootstrap' || name.startsWith('.bootstrap/'))
    return 'runtime';
  if (name === '.deps' || name.startsWith('.deps/')) return 'deps';
  return 'code';
}

/** The wheel file name a `.bytecode/<cache_tag>/<wheel>.zip` bundle belongs to. */
function bytecodeWheel(name: string): string {
  return name
    .split('/')
    .pop()!
    .replace(/\.zip$/, '');
}

function addCode(facts: PexFacts['firstParty'], name: string, pex: number, size: number): void {
  addTo(facts, pex, size);
  const top = name.split('/')[0] as string;
  const key = name.includes('/') ? `${top}/` : top;
  const part = facts.topLevel[key] ?? emptyPart();
  addTo(part, pex, size);
  facts.topLevel[key] = part;
}

/** Checks that `.deps/` holds exactly the wheels PEX-INFO lists, and sorts them. */
function checkWheels(path: string, info: InspectedPexInfo, wheels: WheelFacts[]): WheelFacts[] {
  const seen = new Set(wheels.map((w) => w.file));
  for (const file of Object.keys(info.distributions)) {
    if (!seen.has(file))
      throw new InspectError(
        path,
        `PEX-INFO lists ${file}, which is not in .deps/; the PEX is damaged`,
      );
  }
  return wheels.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

function wheelSha(path: string, info: InspectedPexInfo, file: string, sha: string): void {
  const expected = info.distributions[file];
  if (expected === undefined)
    throw new InspectError(path, `.deps/${file} is not listed in PEX-INFO distributions`);
  if (expected !== sha) {
    throw new InspectError(
      path,
      `.deps/${file} has sha256 ${sha}, PEX-INFO says ${expected}; the PEX is damaged`,
    );
  }
}

/** Collects an entry's bytes, keeping at most the last `keep` of them. */
class TailSink {
  private chunks: Buffer[] = [];
  private held = 0;
  readonly hash = createHash('sha256');
  constructor(private readonly keep: number) {}
  push = (chunk: Buffer): void => {
    this.hash.update(chunk);
    this.chunks.push(chunk);
    this.held += chunk.length;
    while (this.chunks.length > 1 && this.held - (this.chunks[0] as Buffer).length >= this.keep) {
      this.held -= (this.chunks.shift() as Buffer).length;
    }
  };
  /** The last `n` bytes (at most what is held). */
  tail = (n: number): Buffer => {
    const parts: Buffer[] = [];
    let got = 0;
    for (let i = this.chunks.length - 1; i >= 0 && got < n; i--) {
      const chunk = this.chunks[i] as Buffer;
      parts.unshift(chunk);
      got += chunk.length;
    }
    const all = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    return all.length > n ? all.subarray(all.length - n) : all;
  };
}

async function readZipapp(path: string, size: number): Promise<PexFacts> {
  const zip = await ZipReader.open(path, { allowPreamble: true });
  try {
    const infoEntry = zip.entries.find((e) => e.name === 'PEX-INFO');
    if (infoEntry === undefined)
      throw new InspectError(path, 'no PEX-INFO at the root of the zip: not a PEX');
    if (infoEntry.uncompressedSize > PEX_INFO_MAX)
      throw new InspectError(path, `PEX-INFO is larger than ${PEX_INFO_MAX} bytes`);
    const info = readPexInfo(path, (await zip.read(infoEntry)).toString('utf8'));
    const firstParty = { ...emptyPart(), topLevel: {} as Record<string, PartSize> };
    const runtime = emptyPart();
    const wheels: WheelFacts[] = [];
    const bytecode = new Map<string, number>(); // `.bytecode/` sorts before `.deps/`
    // scan() meets the entries one after the other: a wheel is complete when the next entry
    // starts (or the scan ends), so at most one wheel's tail is held at a time.
    let pending: { entry: ZipEntryInfo; file: string; sink: TailSink } | undefined;
    const finish = (): void => {
      if (pending === undefined) return;
      const { entry, file, sink } = pending;
      pending = undefined;
      wheelSha(path, info, file, sink.hash.digest('hex'));
      const listing = listWheelTail(`${path}: .deps/${file}`, sink.tail, entry.uncompressedSize);
      wheels.push({
        file,
        sha256: info.distributions[file] as string,
        files: listing.files,
        installedBytes: listing.installedBytes,
        pexBytes: entry.compressedSize + (bytecode.get(file) ?? 0),
        wheelBytes: entry.uncompressedSize,
      });
    };
    await zip.scan((entry) => {
      finish();
      if (entry.isDirectory) return undefined;
      const part = partOf(entry.name);
      if (part === 'runtime') addTo(runtime, entry.compressedSize, entry.uncompressedSize);
      else if (part === 'bytecode') {
        const wheel = bytecodeWheel(entry.name);
        bytecode.set(wheel, (bytecode.get(wheel) ?? 0) + entry.compressedSize);
      } else if (part === 'code')
        addCode(firstParty, entry.name, entry.compressedSize, entry.uncompressedSize);
      else if (part === 'deps') {
        const file = entry.name.slice('.deps/'.length);
        if (file.includes('/') || !file.endsWith('.whl'))
          throw new InspectError(path, `unexpected entry '${entry.name}' under .deps/`);
        pending = { entry, file, sink: new TailSink(WHEEL_TAIL_BYTES) };
        return pending.sink.push;
      }
      return undefined;
    });
    finish();
    return {
      path,
      layout: 'zipapp',
      size,
      info,
      wheels: checkWheels(path, info, wheels),
      firstParty,
      runtime,
      pexInfoBytes: infoEntry.uncompressedSize,
    };
  } finally {
    await zip.close();
  }
}

/** Every regular file under `dir` (relative `/` names), refusing symlinks and odd files. */
async function walk(path: string, dir: string, prefix = ''): Promise<Array<[string, number]>> {
  const out: Array<[string, number]> = [];
  for (const name of (await readdir(dir)).sort()) {
    const rel = `${prefix}${name}`;
    const st = await lstat(join(dir, name));
    if (st.isDirectory()) out.push(...(await walk(path, join(dir, name), `${rel}/`)));
    else if (st.isFile()) out.push([rel, st.size]);
    else throw new InspectError(path, `${rel} is not a regular file or directory (a symlink?)`);
  }
  return out;
}

async function zipListing(path: string): Promise<PartSize> {
  const zip = await ZipReader.open(path);
  try {
    const part = emptyPart();
    for (const e of zip.entries) if (!e.isDirectory) addTo(part, 0, e.uncompressedSize);
    return part;
  } finally {
    await zip.close();
  }
}

async function readDirectory(path: string): Promise<PexFacts> {
  const files = await walk(path, path);
  const infoFile = files.find(([n]) => n === 'PEX-INFO');
  if (infoFile === undefined)
    throw new InspectError(path, 'no PEX-INFO in the directory: not a PEX');
  if (infoFile[1] > PEX_INFO_MAX)
    throw new InspectError(path, `PEX-INFO is larger than ${PEX_INFO_MAX} bytes`);
  const info = readPexInfo(path, await readFile(join(path, 'PEX-INFO'), 'utf8'));
  const firstParty = { ...emptyPart(), topLevel: {} as Record<string, PartSize> };
  const runtime = emptyPart();
  const wheels: WheelFacts[] = [];
  const bytecode = new Map<string, number>();
  for (const [name, bytes] of files)
    if (partOf(name) === 'bytecode')
      bytecode.set(bytecodeWheel(name), (bytecode.get(bytecodeWheel(name)) ?? 0) + bytes);
  let layout: InspectedLayout = 'loose';
  let size = 0;
  for (const [name, bytes] of files) {
    size += bytes;
    const part = partOf(name);
    if (part === 'code') addCode(firstParty, name, bytes, bytes);
    else if (part === 'runtime') {
      if (name === '.bootstrap') {
        // packed: the runtime is a zip of its own
        layout = 'packed';
        const listing = await zipListing(join(path, name));
        runtime.files += listing.files;
        runtime.pexBytes += bytes;
        runtime.installedBytes += listing.installedBytes;
      } else addTo(runtime, bytes, bytes);
    } else if (part === 'deps') {
      const file = name.slice('.deps/'.length);
      if (file.includes('/') || !file.endsWith('.whl'))
        throw new InspectError(path, `unexpected file '${name}' under .deps/`);
      const full = join(path, name);
      wheelSha(path, info, file, await sha256File(full));
      const listing = await zipListing(full);
      wheels.push({
        file,
        sha256: info.distributions[file] as string,
        files: listing.files,
        installedBytes: listing.installedBytes,
        pexBytes: bytes + (bytecode.get(file) ?? 0),
        wheelBytes: bytes,
      });
    }
  }
  return {
    path,
    layout,
    size,
    info,
    wheels: checkWheels(path, info, wheels),
    firstParty,
    runtime,
    pexInfoBytes: infoFile[1],
  };
}

/** Reads the PEX at `path` (a zipapp file, or a packed or loose directory). */
export async function readPexFacts(path: string): Promise<PexFacts> {
  let st;
  try {
    st = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InspectError(path, code === 'ENOENT' ? 'no such file' : `cannot read (${code})`);
  }
  try {
    if (st.isDirectory()) return await readDirectory(path);
    if (!st.isFile()) throw new InspectError(path, 'not a regular file or directory');
    return await readZipapp(path, st.size);
  } catch (error) {
    if (error instanceof PexkitError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string')
      throw new InspectError(path, `cannot read (${code})`, { cause: error });
    throw error;
  }
}
