import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { cacheDir as defaultCacheDir } from '../cache/cache-dir.js';
import { writeFileAtomic } from '../cache/atomic.js';
import { PexkitError } from '../errors.js';
import { compatibleTags, cpythonAbis } from '../tags/compatible.js';
import { macPlatforms } from '../tags/macos.js';
import { manylinuxPlatforms } from '../tags/manylinux.js';
import { musllinuxPlatforms } from '../tags/musllinux.js';
import { MARKER_VARIABLES, type Target, type TargetMarkerEnvironment } from '../targets/target.js';
import { INSPECT_SCRIPT } from './inspect-script.js';
import { buildCachePath } from '../cache/layout.js';
import { pyenvShimFingerprint } from './pyenv-shim.js';
import { touchEntrySync } from '../cache/holds.js';

const run = promisify(execFile);

/** An interpreter that cannot be found or inspected. */
export class InterpreterError extends PexkitError {
  override readonly name = 'InterpreterError';
}

/** What the inspection script reports. */
export interface InterpreterInfo {
  /** The interpreter's own `sys.executable`. */
  executable: string;
  /** The resolved path that was run. */
  path: string;
  markerEnvironment: Record<string, string>;
  abi: string;
  version: [number, number, number];
  platform: {
    sysconfig_platform: string;
    machine: string;
    bits: number;
    arch?: string;
    glibc?: [number, number] | null;
    musl?: [number, number] | null;
    mac_version?: [number, number] | null;
  };
  /** `packaging.tags.sys_tags()` when the interpreter has `packaging`. */
  compatible_tags?: string[];
}

export interface InspectOptions {
  cacheDir?: string;
  /** Skip `packaging` even if importable (tags computed by pexkit); for tests. */
  noPackaging?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Finds `python` (a path, or a name on PATH); defaults to `python3`. */
export function findPython(
  python: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const wanted = python ?? env['PEXKIT_PYTHON'] ?? 'python3';
  if (wanted.includes('/') || isAbsolute(wanted)) {
    const abs = resolve(wanted);
    if (!existsSync(abs)) throw new InterpreterError(`Python interpreter ${abs} does not exist`);
    return abs;
  }
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, wanted);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  throw new InterpreterError(
    `No '${wanted}' on PATH to describe the 'current' target; pass --python PATH or give explicit --platform targets`,
  );
}

/** Whether `file` starts like a native executable (ELF, Mach-O, PE) rather than a script. */
function isNativeBinary(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    if (n < 2) return false;
    const magic = head.readUInt32BE(0);
    return (
      (n === 4 && (magic === 0x7f454c46 /* ELF */ || MACHO_MAGICS.has(magic))) ||
      (head[0] === 0x4d && head[1] === 0x5a) // MZ
    );
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const MACHO_MAGICS = new Set([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe]);

/** Prints the interpreter's real `sys.executable`; runs without `site` to stay cheap. */
const EXECUTABLE_PROBE = 'import os, sys; sys.stdout.write(os.path.realpath(sys.executable))';

/**
 * The file that really runs when `path` is executed. A native binary (or a symlink to one) is
 * itself. A script — a pyenv or asdf shim, a wrapper — picks its interpreter at run time (from
 * `.python-version`, PYENV_VERSION, …), so it is asked: one `-S` run. A pyenv shim's answer is
 * kept under `<cache>/interpreter-shims/`, keyed by everything pyenv reads to decide it
 * ({@link pyenvShimFingerprint}), and asked again when any of that changes.
 */
async function realInterpreter(
  path: string,
  env: NodeJS.ProcessEnv,
  cacheDir: string,
): Promise<string> {
  const real = realpathSync(path);
  if (isNativeBinary(real)) return real;
  const fingerprint = pyenvShimFingerprint(path, env);
  const memo =
    fingerprint === undefined
      ? undefined
      : buildCachePath(cacheDir, 'interpreterShims', fingerprint);
  if (memo !== undefined) {
    try {
      const known = readFileSync(memo, 'utf8');
      if (isAbsolute(known) && isNativeBinary(known)) return known;
    } catch {
      // not asked yet
    }
  }
  let exe: string;
  try {
    const { stdout } = await run(path, ['-S', '-c', EXECUTABLE_PROBE], {
      env: inspectEnv(env),
      timeout: 60_000,
    });
    exe = stdout.trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new InterpreterError(
      `Cannot run the Python interpreter ${path}: ${stderr.trim() || (error as Error).message}`,
      { cause: error },
    );
  }
  if (exe === '' || !isAbsolute(exe) || !existsSync(exe)) return real;
  if (memo !== undefined && isNativeBinary(exe)) await writeFileAtomic(memo, exe);
  return exe;
}

function inspectEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, PYTHONIOENCODING: 'utf-8' };
  delete env['PYTHONPATH'];
  delete env['PYTHONHOME'];
  return env;
}

async function cacheKey(
  path: string,
  noPackaging: boolean,
  env: NodeJS.ProcessEnv,
  cacheDir: string,
): Promise<string> {
  // The path as found (a venv's `bin/python` is a symlink to its base interpreter but has its own
  // sys.prefix and packages) plus the identity of the binary that really runs (through shims).
  const real = await realInterpreter(path, env, cacheDir);
  const st = statSync(real);
  return createHash('sha256')
    .update(`${path}\0${real}\0${st.mtimeMs}\0${st.size}\0${noPackaging}\0`)
    .update(INSPECT_SCRIPT)
    .digest('hex')
    .slice(0, 32);
}

/**
 * Runs the inspection script in `python` (path or PATH name), cached on disk under
 * `<cache>/interpreters/` keyed by the path and the binary that really runs (its real path, mtime
 * and size; a shim is resolved by running it).
 */
export async function inspectInterpreter(
  python: string | undefined,
  options: InspectOptions = {},
): Promise<InterpreterInfo> {
  const path = findPython(python, options.env);
  const noPackaging = options.noPackaging === true;
  const baseEnv = options.env ?? process.env;
  const cacheDir = defaultCacheDir({ cacheDir: options.cacheDir, env: options.env });
  const file = buildCachePath(
    cacheDir,
    'interpreters',
    `${await cacheKey(path, noPackaging, baseEnv, cacheDir)}.json`,
  );
  if (existsSync(file)) {
    try {
      const info = JSON.parse(readFileSync(file, 'utf8')) as InterpreterInfo;
      touchEntrySync(file);
      return info;
    } catch {
      // a corrupt entry: inspect again
    }
  }
  let stdout: string;
  try {
    const env = inspectEnv(baseEnv);
    if (noPackaging) env['PEXKIT_INSPECT_NO_PACKAGING'] = '1';
    ({ stdout } = await run(path, ['-s', '-c', INSPECT_SCRIPT], {
      env,
      timeout: 60_000,
      maxBuffer: 16 << 20,
    }));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new InterpreterError(
      `Cannot inspect the Python interpreter ${path}: ${stderr.trim() || (error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  let parsed: Omit<InterpreterInfo, 'path' | 'markerEnvironment'> & {
    marker_environment: Record<string, string>;
  };
  try {
    parsed = JSON.parse(stdout) as typeof parsed;
  } catch {
    throw new InterpreterError(
      `The Python interpreter ${path} printed something other than JSON: ${stdout.slice(0, 200)}`,
    );
  }
  const { marker_environment: markerEnvironment, ...rest } = parsed;
  const info: InterpreterInfo = { ...rest, markerEnvironment, path };
  await writeFileAtomic(file, JSON.stringify(info));
  return info;
}

/** The platform tags of the host as `packaging.tags.platform_tags()` lists them. */
export function hostPlatforms(info: InterpreterInfo): string[] {
  const p = info.platform;
  const sys = info.markerEnvironment['sys_platform'] ?? '';
  if (sys.startsWith('linux') && p.arch !== undefined) {
    const archs = p.arch === 'armv8l' ? ['armv8l', 'armv7l'] : [p.arch];
    // packaging 26 lists `linux_<arch>` first, then manylinux and musllinux.
    const out: string[] = archs.map((a) => `linux_${a}`);
    if (p.glibc) out.push(...manylinuxPlatforms(archs, p.glibc));
    if (p.musl) out.push(...musllinuxPlatforms(archs, p.musl));
    return out;
  }
  if (sys === 'darwin' && p.mac_version && p.arch !== undefined) {
    const version: [number, number] =
      p.mac_version[0] >= 11 ? [p.mac_version[0], 0] : p.mac_version;
    return macPlatforms(version, p.arch);
  }
  return [p.sysconfig_platform];
}

/** A complete-platform `Target` for an inspected interpreter. */
export function targetFromInterpreter(info: InterpreterInfo, source = 'current'): Target {
  const markerEnvironment: TargetMarkerEnvironment = {};
  for (const name of MARKER_VARIABLES) {
    const value = info.markerEnvironment[name];
    if (value !== undefined) markerEnvironment[name] = value;
  }
  const implementation = info.markerEnvironment['implementation_name'] === 'pypy' ? 'pp' : 'cp';
  const pythonVersion: [number, number] = [info.version[0], info.version[1]];
  const target: Target = {
    source,
    platforms: hostPlatforms(info),
    implementation,
    pythonVersion,
    abis: implementation === 'cp' ? cpythonAbis(pythonVersion, info.abi) : [info.abi],
    markerEnvironment,
    unknownMarkers: MARKER_VARIABLES.filter((n) => markerEnvironment[n] === undefined),
  };
  target.compatibleTags = info.compatible_tags ?? compatibleTags({ ...target });
  return target;
}

/** The `current` target: the configured interpreter (else `python3` on PATH), inspected and cached. */
export async function currentTarget(
  options: InspectOptions & { python?: string } = {},
): Promise<Target> {
  const info = await inspectInterpreter(options.python, options);
  return targetFromInterpreter(info);
}
