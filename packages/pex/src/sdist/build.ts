import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheDir as defaultCacheDir } from '../cache/cache-dir.js';
import { PexkitError } from '../errors.js';
import { hashFile } from '../fetch/hash-file.js';
import {
  inspectInterpreter,
  targetFromInterpreter,
  type InterpreterInfo,
} from '../interpreter/current.js';
import { wheelSupportScore } from '../tags/compatible.js';
import { redactUserinfo } from '../lock/model.js';
import type { Target } from '../targets/target.js';

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

/** No wheel fits and no local interpreter can build the sdist for `target`. */
export function noBuilderError(
  project: string,
  version: string,
  target: Target,
  sdistFilename: string,
  wheelTags?: string[],
): SdistBuildError {
  const exist =
    wheelTags === undefined
      ? ''
      : ` (wheels that exist: ${wheelTags.length === 0 ? 'none' : wheelTags.join(', ')})`;
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

/** Local interpreters worth trying for a target: the configured one, PATH's, pyenv's. */
function candidatePythons(
  target: Target,
  python: string | undefined,
  env: NodeJS.ProcessEnv,
): string[] {
  const [major, minor] = target.pythonVersion;
  const out: string[] = [];
  if (python !== undefined) out.push(python);
  out.push(`python${major}.${minor}`, `python${major}`, 'python3');
  const pyenv =
    env['PYENV_ROOT'] ?? (env['HOME'] !== undefined ? join(env['HOME'], '.pyenv') : undefined);
  if (pyenv !== undefined && existsSync(join(pyenv, 'versions'))) {
    for (const v of readdirSync(join(pyenv, 'versions')).sort().reverse()) {
      if (v.startsWith(`${major}.${minor}.`))
        out.push(join(pyenv, 'versions', v, 'bin', 'python3'));
    }
  }
  return out;
}

/**
 * A local interpreter that can build wheels for `target`: for `current`, the interpreter that
 * describes it; otherwise the first candidate that {@link interpreterServes} the target.
 */
export async function findBuildInterpreter(
  target: Target,
  options: { python?: string; cacheDir?: string; env?: NodeJS.ProcessEnv } = {},
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

export interface BuildSdistOptions {
  /** The verified sdist on local disk. */
  sdist: { path: string; sha256: string; filename: string };
  /** The package, for messages. */
  project: string;
  version: string;
  target: Target;
  python?: string;
  cacheDir?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Where pip finds the build backend: index options (`--index-url …`, `--no-index`, `--find-links …`). */
  pipIndexArgs?: string[];
}

/**
 * Builds a wheel from an sdist with `pip wheel --no-deps` (PEP 517, isolated build environment)
 * through a local interpreter that serves the target, reproducibly (`SOURCE_DATE_EPOCH=315532800`,
 * `PYTHONHASHSEED=0`). Cached under `<cache>/built-wheels/<sdist sha256>/<interpreter key>/`,
 * which appears atomically (built in a work dir, then renamed).
 */
export async function buildWheelFromSdist(options: BuildSdistOptions): Promise<BuiltWheel> {
  const { sdist, target } = options;
  const env = options.env ?? process.env;
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
  const dir = join(root, 'built-wheels', sdist.sha256.toLowerCase(), interpKey);
  if (!existsSync(dir)) {
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
  const tag = filename.slice(0, -4).split('-').slice(-3).join('-');
  if (wheelSupportScore([tag], target) === undefined) {
    throw new SdistBuildError(
      `The wheel built from ${sdist.filename} (${filename}) does not fit target ${target.source}`,
    );
  }
  const path = join(dir, filename);
  const { sha256, size } = await hashFile(path);
  return { filename, path, sha256, size };
}
