import { execSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CURRENT_PYTHON_INPUT } from './infer-projects.js';

const PYENV_ROOT = process.env['PYENV_ROOT'] ?? join(process.env['HOME'] ?? '/root', '.pyenv');

function pyenvVersion(minor: string): string {
  const v = readdirSync(join(PYENV_ROOT, 'versions'))
    .filter((d) => d.startsWith(`${minor}.`))
    .sort()
    .at(-1);
  if (v === undefined) throw new Error(`pyenv has no CPython ${minor}`);
  return v;
}

/** The runtime input as Nx evaluates it: `sh -c <command>` in the workspace root. */
function runtimeKey(cwd: string, extraEnv: NodeJS.ProcessEnv = {}): string {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(PYENV_ROOT, 'shims')}:${process.env['PATH'] ?? ''}`,
    ...extraEnv,
  };
  delete env['PYENV_VERSION'];
  if (extraEnv['PEXKIT_PYTHON'] === undefined) delete env['PEXKIT_PYTHON'];
  return execSync(CURRENT_PYTHON_INPUT.runtime, { cwd, env, encoding: 'utf8', shell: '/bin/sh' });
}

describe('the cache key of the current target', () => {
  const dir = (version: string) => {
    const d = mkdtempSync(join(tmpdir(), 'nx-current-'));
    writeFileSync(join(d, '.python-version'), `${version}\n`);
    return d;
  };

  it('follows the version a pyenv shim picks (.python-version in the workspace root)', () => {
    const a = runtimeKey(dir(pyenvVersion('3.9')));
    const b = runtimeKey(dir(pyenvVersion('3.12')));
    expect(a).toMatch(/^cpython-39 cpython-39-/);
    expect(b).toMatch(/^cpython-312 cpython-312-/);
  });

  it('names the interpreter PEXKIT_PYTHON points at, as pexkit inspects it', () => {
    const ws = dir(pyenvVersion('3.12'));
    const py39 = join(PYENV_ROOT, 'versions', pyenvVersion('3.9'), 'bin', 'python3');
    expect(runtimeKey(ws, { PEXKIT_PYTHON: py39 })).toMatch(/^cpython-39 /);
    expect(runtimeKey(ws)).toMatch(/^cpython-312 /);
  });

  it('tells a free-threaded build from the default one (same cache_tag)', () => {
    // SOABI carries the ABI flags (`cpython-313t-…`); cache_tag alone does not.
    expect(CURRENT_PYTHON_INPUT.runtime).toContain("get_config_var('SOABI')");
  });
});
