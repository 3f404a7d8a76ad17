import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { lstat, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { PexkitError } from '../errors.js';
import { compareNames } from './user-code.js';

/** The output path is taken by something pexkit must not replace. */
export class OutputPathError extends PexkitError {
  override readonly name = 'OutputPathError';
}

const pendingTemps = new Set<string>();
let exitHookInstalled = false;

/**
 * Registers a temp output to be removed if the process exits before `releaseTemp` (e.g. on
 * Ctrl-C, once `exitOnSignals` turned the signal into an exit).
 */
export function trackTemp(path: string): void {
  pendingTemps.add(path);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const temp of pendingTemps) rmSync(temp, { recursive: true, force: true });
    });
  }
}

export function releaseTemp(path: string): void {
  pendingTemps.delete(path);
}

/** Makes SIGINT/SIGTERM/SIGHUP exit through `process.exit` (128 + signal), so temps are removed. */
export function exitOnSignals(): void {
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const [signal, code] of Object.entries(codes)) {
    process.once(signal as NodeJS.Signals, () => process.exit(code));
  }
}

/** A temp path beside `output` (same directory, so the final rename stays atomic). */
export function tempOutputPath(output: string): string {
  return join(
    dirname(output),
    `.${basename(output)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`,
  );
}

/** What a path holds, in words, when it is not something pexkit may replace. */
function specialKind(info: Stats): string | undefined {
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  return undefined;
}

/**
 * Refuses an output path pexkit must not replace: a device, FIFO or socket (a rename over
 * `/dev/null` as root would replace the device), or a directory that is not a PEX (a
 * `packed`/`loose` output holds PEX-INFO; a zipapp may replace one). Symlinks are replaced
 * themselves, never their targets.
 */
export async function checkOutputPath(output: string): Promise<void> {
  let info;
  try {
    info = await lstat(output);
  } catch {
    return;
  }
  const kind = specialKind(info);
  if (kind !== undefined) {
    throw new OutputPathError(
      `output ${output} is ${kind}; pexkit writes only regular files (or PEX directories)`,
    );
  }
  if (info.isDirectory()) {
    try {
      await stat(join(output, 'PEX-INFO'));
    } catch {
      throw new OutputPathError(
        `output ${output} is an existing directory that is not a PEX; refusing to replace it`,
      );
    }
  }
}

/** One input of the build: its path and what it is, for the error message. */
export interface BuildInput {
  path: string;
  what: string;
  /** `dev:ino` when already known (first-party files are stat'ed while collected). */
  id?: string;
}

const idOf = (info: Stats): string => `${info.dev}:${info.ino}`;

/**
 * Refuses an output that is one of the build's inputs (the same file, also through a hard
 * link), or a PEX directory holding one: replacing it would destroy the input.
 */
export async function checkOutputNotInput(output: string, inputs: BuildInput[]): Promise<void> {
  let info;
  try {
    info = await lstat(output);
  } catch {
    return;
  }
  const refuse = (input: BuildInput): never => {
    throw new OutputPathError(
      `output ${output} is ${input.what} ${input.path} of this build; refusing to replace it`,
    );
  };
  if (info.isDirectory()) {
    const inside = `${output}${sep}`;
    for (const input of inputs) if (input.path.startsWith(inside)) refuse(input);
    return;
  }
  const target = idOf(info);
  for (const input of inputs) {
    if (input.path === output) refuse(input);
    if (input.id !== undefined) {
      if (input.id === target) refuse(input);
      continue;
    }
    const other = await stat(input.path).catch(() => undefined);
    if (other !== undefined && idOf(other) === target) refuse(input);
  }
}

const TEMP_NAME = /^\.(.+)\.tmp-(\d+)-[0-9a-f]{12}(\.old)?$/;

/**
 * Removes temp outputs beside `output` left by builds that died without cleaning up (SIGKILL,
 * power loss): those whose process id no longer runs. A live process's temp is left alone.
 */
export async function removeStaleTemps(output: string): Promise<void> {
  const dir = dirname(output);
  const base = basename(output);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m === null || m[1] !== base) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || isRunning(pid)) continue;
    await rm(join(dir, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Moves the finished `temp` (file or directory) to `output`. A file replacing a file is one
 * atomic rename; when a directory is involved the old output is renamed aside first and removed
 * after, so at every moment `output` is either the old PEX or the new one.
 */
export async function commitOutput(temp: string, output: string): Promise<void> {
  let old: Awaited<ReturnType<typeof lstat>> | undefined;
  try {
    old = await lstat(output);
  } catch {
    old = undefined;
  }
  const tempIsDir = (await lstat(temp)).isDirectory();
  if (old === undefined || (!old.isDirectory() && !tempIsDir)) {
    await rename(temp, output);
    return;
  }
  const aside = `${tempOutputPath(output)}.old`;
  await rename(output, aside);
  try {
    await rename(temp, output);
  } catch (error) {
    await rename(aside, output);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}

/**
 * sha256 hex over a directory tree: for each file in byte-wise path order, the path, its mode
 * (0644/0755), and the sha256 of its contents. Stable across machines and umasks.
 */
export async function hashTree(root: string): Promise<{ sha256: string; size: number }> {
  const outer = createHash('sha256');
  let size = 0;
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const names = (await readdir(dir)).sort(compareNames);
    for (const name of names) {
      const full = join(dir, name);
      const rel = prefix === '' ? name : `${prefix}/${name}`;
      const info = await stat(full);
      if (info.isDirectory()) {
        outer.update(`${rel}/\n`);
        await walk(full, rel);
      } else {
        const data = await readFile(full);
        size += data.length;
        const mode = (info.mode & 0o111) !== 0 ? '755' : '644';
        outer.update(`${rel}\0${mode}\0${createHash('sha256').update(data).digest('hex')}\n`);
      }
    }
  };
  await walk(root, '');
  return { sha256: outer.digest('hex'), size };
}
