import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { cacheDir as defaultCacheDir } from '../cache/cache-dir.js';
import { PexkitError } from '../errors.js';
import { hashFile } from '../fetch/hash-file.js';
import {
  inspectInterpreter,
  targetFromInterpreter,
  type InterpreterInfo,
} from '../interpreter/current.js';
import { pyenvInstalls } from '../interpreter/discover.js';
import { wheelSupportScore } from '../tags/compatible.js';
import { redactUserinfo } from '../lock/model.js';
import type { Target } from '../targets/target.js';
import { buildCachePath } from '../cache/layout.js';
import { holdEntry, touchEntry } from '../cache/holds.js';

const run = promisify(execFile);

/** An sdist that cannot be turned into a wheel for a target. */
export class SdistBuildError extends PexkitError {
  override readonly name = 'SdistBuildError';
}

export interface BuiltWheel {
  filename: string;
  path: string;
  sha256: string;
  size: number;
}

const LEGACY_MANYLINUX: Record<string, [number, number]> = {
  manylinux1: [2, 5],
  manylinux2010: [2, 12],
  manylinux2014: [2, 17],
};

/** The newest C library a Linux target promises (`manylinux_2_17` → glibc 2.17), if it says. */
export function targetLibc(
  platforms: readonly string[],
): { kind: 'glibc' | 'musl'; version: [number, number] } | undefined {
  let best: { kind: 'glibc' | 'musl'; version: [number, number] } | undefined;
  const consider = (kind: 'glibc' | 'musl', version: [number, number]) => {
    if (best === undefined || (best.kind === kind && compare(version, best.version) > 0))
      best = { kind, version };
  };
  for (const p of platforms) {
    const pep600 = /^manylinux_(\d+)_(\d+)_/.exec(p);
    if (pep600) consider('glibc', [Number(pep600[1]), Number(pep600[2])]);
    const legacy = /^(manylinux1|manylinux2010|manylinux2014)_/.exec(p);
    if (legacy) consider('glibc', LEGACY_MANYLINUX[legacy[1] as string] as [number, number]);
    const musl = /^musllinux_(\d+)_(\d+)_/.exec(p);
    if (musl) consider('musl', [Number(musl[1]), Number(musl[2])]);
  }
  return best;
}

/**
 * No wheel fits and no local interpreter can build the sdist for `target`. `explanation`: why
 * the closest wheels do not fit, one line each (`explainNoWheel`).
 */
export function noBuilderError(
  project: string,
  version: string,
  target: Target,
  sdistFilename: string,
  explanation?: string[],
): SdistBuildError {
  const exist =
    explanation === undefined
      ? ''
      : explanation.length === 0
        ? ' (no wheels exist)'
        : ` (${explanation.length === 1 ? 'the closest wheel' : 'the closest wheels'}:\n${explanation.map((l) => `  ${l}`).join('\n')}\n)`;
  return new SdistBuildError(
    `${project} ${version} has no wheel for target ${target.source}${exist}, only the sdist ${sdistFilename}, ` +
      `and no local interpreter matches that target to build it (need ${target.implementation === 'cp' ? 'CPython' : 'PyPy'} ` +
      `${target.pythonVersion.join('.')} on ${target.platforms[0] ?? 'that platform'}${libcHint(target)}). Build on a matching machine, ` +
      'use --python with a matching interpreter, or pin a version that ships wheels.',
  );
}

function libcHint(target: Target): string {
  const libc = targetLibc(target.platforms);
  return libc === undefined ? '' : ` with ${libc.kind} ${libc.version.join('.')} or older`;
}

function compare(a: [number, number], b: [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

/**
 * Whether wheels built by `info` install on `target`: same implementation and Python minor,
 * the interpreter's own most specific platform tag (what `pip wheel` stamps, e.g.
 * `linux_x86_64`) is one the target supports, and on Linux the same C library, no newer than the
 * target promises (a wheel built against glibc 2.36 may not run on a manylinux2014 / glibc 2.17
 * machine).
 */
export function interpreterServes(info: InterpreterInfo, target: Target): boolean {
  const host = targetFromInterpreter(info, info.path);
  if (host.implementation !== target.implementation) return false;
  if (
    host.pythonVersion[0] !== target.pythonVersion[0] ||
    host.pythonVersion[1] !== target.pythonVersion[1]
  )
    return false;
  const hostPlatform = host.platforms[0];
  if (hostPlatform === undefined || !target.platforms.includes(hostPlatform)) return false;
  if (target.compatibleTags !== undefined && target.source === 'current') return true;
  const want = targetLibc(target.platforms);
  if (want === undefined) return true;
  const have = info.platform.musl
    ? { kind: 'musl', version: info.platform.musl }
    : info.platform.glibc
      ? { kind: 'glibc', version: info.platform.glibc }
      : undefined;
  return have !== undefined && have.kind === want.kind && compare(have.version, want.version) <= 0;
}

/**
 * The interpreters the user named: `--python` (repeatable), else PEXKIT_PYTHON (one path or
 * name, or several separated like PATH entries).
 */
export function configuredPythons(
  python: string | readonly string[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const given = typeof python === 'string' ? [python] : [...(python ?? [])];
  if (given.length > 0) return given;
  return (env['PEXKIT_PYTHON'] ?? '').split(delimiter).filter((p) => p !== '');
}

/**
 * Local interpreters worth trying for a target: the configured ones (matched to the target by
 * its tags), then PATH's `python3.X`/`pypy3.X` and the like, then pyenv's installs of that
 * implementation and version.
 */
export function candidatePythons(
  target: Target,
  python: string | readonly string[] | undefined,
  env: NodeJS.ProcessEnv,
): string[] {
  const [major, minor] = target.pythonVersion;
  const out = configuredPythons(python, env);
  const pypy = target.implementation === 'pp';
  if (pypy) out.push(`pypy${major}.${minor}`, `pypy${major}`, 'pypy');
  else out.push(`python${major}.${minor}`, `python${major}`, 'python3');
  // CPython installs are named `3.11.7`; PyPy ones `pypy3.10-7.3.17`.
  const prefix = pypy ? `pypy${major}.${minor}-` : `${major}.${minor}.`;
  for (const { version, bin } of pyenvInstalls(env)) {
    if (version.startsWith(prefix)) out.push(join(bin, pypy ? `pypy${major}` : `python${major}`));
  }
  return [...new Set(out)];
}

/**
 * A local interpreter that can build wheels for `target`: the first candidate that
 * {@link interpreterServes} the target.
 */
export async function findBuildInterpreter(
  target: Target,
  options: {
    python?: string | readonly string[];
    cacheDir?: string;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<InterpreterInfo | undefined> {
  const env = options.env ?? process.env;
  for (const candidate of candidatePythons(target, options.python, env)) {
    let info: InterpreterInfo;
    try {
      info = await inspectInterpreter(candidate, { cacheDir: options.cacheDir, env });
    } catch {
      continue;
    }
    if (interpreterServes(info, target)) return info;
  }
  return undefined;
}

/** The lock key of the built-wheel entry `dir` (`built-wheels/<sdist sha256>/<builder>`). */
function builtWheelKey(dir: string): string {
  return `built-${basename(dirname(dir))}-${basename(dir)}`;
}

/** What a built-wheel cache entry records about the interpreter that built it. */
const BUILDER_FILE = 'builder.json';

/**
 * A wheel built earlier from the sdist with this sha256 (by any interpreter, e.g. through
 * `plan --python pypy3`) that serves `target`: the builder recorded with it serves the target
 * and the wheel's tags fit. Cache entries are `<cache>/built-wheels/<sdist sha256>/<builder>/`.
 */
export function findBuiltWheel(
  sdistSha256: string,
  target: Target,
  options: { cacheDir?: string; env?: NodeJS.ProcessEnv } = {},
): string | undefined {
  const root = buildCachePath(
    defaultCacheDir({ cacheDir: options.cacheDir, env: options.env }),
    'builtWheels',
    sdistSha256.toLowerCase(),
  );
  let entries: string[];
  try {
    entries = readdirSync(root)
      .filter((d) => !d.includes('.work-'))
      .sort();
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    const dir = join(root, entry);
    let builder: InterpreterInfo;
    let files: string[];
    try {
      builder = JSON.parse(readFileSync(join(dir, BUILDER_FILE), 'utf8')) as InterpreterInfo;
      files = readdirSync(dir).filter((f) => f.endsWith('.whl'));
    } catch {
      continue; // an entry from an older pexkit, or damaged: not reused
    }
    const wheel = files.length === 1 ? (files[0] as string) : undefined;
    if (wheel === undefined || !builtWheelFits(wheel, target)) continue;
    try {
      if (interpreterServes(builder, target)) return join(dir, wheel);
    } catch {
      continue;
    }
  }
  return undefined;
}

function builtWheelFits(filename: string, target: Target): boolean {
  const tag = filename.slice(0, -4).split('-').slice(-3).join('-');
  return wheelSupportScore([tag], target) !== undefined;
}

export interface BuildSdistOptions {
  /** The verified sdist on local disk. */
  sdist: { path: string; sha256: string; filename: string };
  /** The package, for messages. */
  project: string;
  version: string;
  target: Target;
  /** Interpreters to try first (`--python`, repeatable); default PEXKIT_PYTHON. */
  python?: string | readonly string[];
  cacheDir?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Where pip finds the build backend: index options (`--index-url …`, `--no-index`, `--find-links …`). */
  pipIndexArgs?: string[];
}

/**
 * Builds a wheel from an sdist with `pip wheel --no-deps` (PEP 517, isolated build environment)
 * through a local interpreter that serves the target, reproducibly (`SOURCE_DATE_EPOCH=315532800`,
 * `PYTHONHASHSEED=0`). Cached under `<cache>/built-wheels/<sdist sha256>/<interpreter key>/`
 * with the builder's description (reused for any target that builder serves), which appears
 * atomically (built in a work dir, then renamed).
 */
export async function buildWheelFromSdist(options: BuildSdistOptions): Promise<BuiltWheel> {
  const { sdist, target } = options;
  const env = options.env ?? process.env;
  const cached = findBuiltWheel(sdist.sha256, target, { cacheDir: options.cacheDir, env });
  if (cached !== undefined) {
    const entry = dirname(cached);
    await holdEntry(defaultCacheDir({ cacheDir: options.cacheDir, env }), builtWheelKey(entry));
    if (existsSync(cached)) {
      await touchEntry(entry);
      const { sha256, size } = await hashFile(cached);
      return { filename: basename(cached), path: cached, sha256, size };
    } // pruned meanwhile: build it again
  }
  const info = await findBuildInterpreter(target, {
    python: options.python,
    cacheDir: options.cacheDir,
    env,
  });
  if (info === undefined)
    throw noBuilderError(options.project, options.version, target, sdist.filename);
  const interpKey = createHash('sha256')
    .update(`${realpathSync(info.path)}\0${info.abi}\0${info.version.join('.')}`)
    .digest('hex')
    .slice(0, 16);
  const root = defaultCacheDir({ cacheDir: options.cacheDir, env });
  const dir = buildCachePath(root, 'builtWheels', sdist.sha256.toLowerCase(), interpKey);
  await holdEntry(root, builtWheelKey(dir));
  if (!existsSync(join(dir, BUILDER_FILE))) {
    const work = `${dir}.work-${process.pid}-${randomBytes(4).toString('hex')}`;
    await mkdir(work, { recursive: true });
    try {
      options.log?.(`building ${sdist.filename} with ${info.path}`);
      const buildEnv: NodeJS.ProcessEnv = {
        ...env,
        SOURCE_DATE_EPOCH: '315532800',
        PYTHONHASHSEED: '0',
        PIP_DISABLE_PIP_VERSION_CHECK: '1',
        PIP_NO_INPUT: '1',
      };
      delete buildEnv['PYTHONPATH'];
      const args = [
        '-m',
        'pip',
        'wheel',
        '--no-deps',
        ...(options.pipIndexArgs ?? []),
        '--wheel-dir',
        work,
        sdist.path,
      ];
      await run(info.path, args, {
        env: buildEnv,
        timeout: 30 * 60_000,
        maxBuffer: 64 << 20,
      });
      const built = readdirSync(work).filter((f) => f.endsWith('.whl'));
      if (built.length !== 1)
        throw new SdistBuildError(
          `pip wheel produced ${built.length} wheels for ${sdist.filename}`,
        );
      await writeFile(join(work, BUILDER_FILE), JSON.stringify(info));
      // An entry without builder.json (from an older pexkit) is replaced.
      if (existsSync(dir) && !existsSync(join(dir, BUILDER_FILE)))
        await rm(dir, { recursive: true, force: true });
      await rename(work, dir).catch(async (error: NodeJS.ErrnoException) => {
        if (!existsSync(dir)) throw error; // another build won the race: keep theirs
        await rm(work, { recursive: true, force: true });
      });
    } catch (error) {
      await rm(work, { recursive: true, force: true });
      if (error instanceof SdistBuildError) throw error;
      const e = error as { stderr?: string; message: string };
      const tail = (e.stderr ?? '').trim().split('\n').slice(-15).join('\n');
      throw new SdistBuildError(
        redactUserinfo(
          `Building ${options.project} ${options.version} from ${sdist.filename} with ${info.path} failed:\n${tail || e.message}`,
        ),
      );
    }
  }
  const filename = readdirSync(dir).find((f) => f.endsWith('.whl'));
  if (filename === undefined)
    throw new SdistBuildError(`the build cache ${dir} holds no wheel; delete it and retry`);
  if (!builtWheelFits(filename, target)) {
    throw new SdistBuildError(
      `The wheel built from ${sdist.filename} (${filename}) does not fit target ${target.source}`,
    );
  }
  const path = join(dir, filename);
  const { sha256, size } = await hashFile(path);
  return { filename, path, sha256, size };
}
