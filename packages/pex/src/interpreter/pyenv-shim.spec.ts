import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const PYENV_ROOT = process.env['PYENV_ROOT'] ?? join(process.env['HOME'] ?? '/root', '.pyenv');

/** The newest installed pyenv CPython of a minor version (e.g. `3.9` → `3.9.18`). */
function pyenvVersion(minor: string): string {
  const found = readdirSync(join(PYENV_ROOT, 'versions'))
    .filter((v) => v.startsWith(`${minor}.`))
    .sort();
  const v = found.at(-1);
  if (v === undefined) throw new Error(`pyenv has no CPython ${minor} under ${PYENV_ROOT}`);
  return v;
}

/** `pexkit tags current` run in `cwd` with pyenv's shims first on PATH: the best tag. */
function bestTagIn(cwd: string, cache: string): string {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(PYENV_ROOT, 'shims')}:${process.env['PATH'] ?? ''}`,
    PEXKIT_CACHE_DIR: cache,
  };
  delete env['PYENV_VERSION'];
  delete env['PEXKIT_PYTHON'];
  const out = execFileSync(process.execPath, [cli, 'tags', 'current'], {
    cwd,
    env,
    encoding: 'utf8',
  });
  return out.split('\n')[0] ?? '';
}

describe('the current target behind a pyenv shim', () => {
  it('follows .python-version although the shim file is the same for every version', () => {
    const cache = mkdtempSync(join(tmpdir(), 'shim-cache-'));
    const project = (minor: string) => {
      const dir = mkdtempSync(join(tmpdir(), `shim-py${minor}-`));
      writeFileSync(join(dir, '.python-version'), `${pyenvVersion(minor)}\n`);
      return dir;
    };
    const py39 = project('3.9');
    const py312 = project('3.12');
    expect(bestTagIn(py39, cache)).toMatch(/^cp39-cp39-/);
    // Same shim path, mtime and size: the old cache key answered cp39 here.
    expect(bestTagIn(py312, cache)).toMatch(/^cp312-cp312-/);
    expect(bestTagIn(py39, cache)).toMatch(/^cp39-cp39-/);
    // One inspection per real interpreter, reused on later runs.
    expect(readdirSync(join(cache, 'interpreters'))).toHaveLength(2);
    expect(bestTagIn(py312, cache)).toMatch(/^cp312-cp312-/);
    expect(readdirSync(join(cache, 'interpreters'))).toHaveLength(2);
  });
});
