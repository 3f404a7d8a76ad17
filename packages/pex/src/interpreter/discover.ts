/**
 * The Python interpreters installed on this machine: pyenv's installs and the `python3.X` /
 * `pypy3.X` programs on PATH. Used to find an interpreter that builds an sdist for a target, and
 * by `pexkit smoke` to run a PEX under every interpreter that fits it.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { inspectInterpreter, type InterpreterInfo } from './current.js';

/** One pyenv install: its name (`3.11.7`, `pypy3.10-7.3.17`) and its `bin/` directory. */
export interface PyenvInstall {
  version: string;
  bin: string;
}

function pyenvRoot(env: NodeJS.ProcessEnv): string | undefined {
  return env['PYENV_ROOT'] ?? (env['HOME'] !== undefined ? join(env['HOME'], '.pyenv') : undefined);
}

/** `$PYENV_ROOT` (else `~/.pyenv`) `/versions/*`, newest name first; none without pyenv. */
export function pyenvInstalls(env: NodeJS.ProcessEnv = process.env): PyenvInstall[] {
  const pyenv = pyenvRoot(env);
  if (pyenv === undefined || !existsSync(join(pyenv, 'versions'))) return [];
  let names: string[];
  try {
    names = readdirSync(join(pyenv, 'versions'));
  } catch {
    return [];
  }
  return names
    .sort()
    .reverse()
    .map((version) => ({ version, bin: join(pyenv, 'versions', version, 'bin') }));
}

/** Interpreter program names worth trying: `python3`, `python3.11`, `pypy3`, `pypy3.10`. */
const PROGRAM = /^(?:python|pypy)3(?:\.\d+)?$/;

function isExecutableFile(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * Every local interpreter candidate (paths): for each pyenv install its `python3` or `pypy3`,
 * then the matching programs in each PATH directory (pyenv's shims skipped: they only forward to
 * the installs listed already, or fail for versions not selected).
 */
export function localPythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const install of pyenvInstalls(env)) {
    const program = install.version.startsWith('pypy') ? 'pypy3' : 'python3';
    const path = join(install.bin, program);
    if (isExecutableFile(path)) out.push(path);
  }
  const root = pyenvRoot(env);
  const shims = root === undefined ? undefined : join(root, 'shims');
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '' || /[/\\]\.pyenv[/\\]shims[/\\]?$/.test(dir)) continue;
    if (shims !== undefined && dir.replace(/[/\\]+$/, '') === shims) continue;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => PROGRAM.test(n)).sort()) {
      const path = join(dir, name);
      if (isExecutableFile(path)) out.push(path);
    }
  }
  return [...new Set(out)];
}

/** A candidate that could not be inspected, and why. */
export interface UnusableInterpreter {
  path: string;
  reason: string;
}

/**
 * The local interpreters, inspected (cached like every inspection), one per real executable
 * (PATH's `python3` and pyenv's `3.11.7/bin/python3.11` may be the same binary).
 */
export async function localInterpreters(
  options: { env?: NodeJS.ProcessEnv; cacheDir?: string } = {},
): Promise<{ interpreters: InterpreterInfo[]; unusable: UnusableInterpreter[] }> {
  const env = options.env ?? process.env;
  const interpreters: InterpreterInfo[] = [];
  const unusable: UnusableInterpreter[] = [];
  const seen = new Set<string>();
  for (const path of localPythonCandidates(env)) {
    let info: InterpreterInfo;
    try {
      info = await inspectInterpreter(path, { env, cacheDir: options.cacheDir });
    } catch (error) {
      unusable.push({ path, reason: (error as Error).message.split('\n')[0] ?? String(error) });
      continue;
    }
    let real = info.executable;
    try {
      real = realpathSync(info.executable);
    } catch {
      // keep the reported path
    }
    if (seen.has(real)) continue;
    seen.add(real);
    interpreters.push(info);
  }
  return { interpreters, unusable };
}
