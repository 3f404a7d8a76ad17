import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pyenvShimFingerprint } from './pyenv-shim.js';

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
function bestTagIn(
  cwd: string,
  cache: string,
  root = PYENV_ROOT,
  extra: NodeJS.ProcessEnv = {},
): string {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(root, 'shims')}:${process.env['PATH'] ?? ''}`,
    PEXKIT_CACHE_DIR: cache,
  };
  delete env['PYENV_VERSION'];
  delete env['PEXKIT_PYTHON'];
  Object.assign(env, extra);
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
    const facts = () => readdirSync(join(cache, 'interpreters')).filter((f) => f.endsWith('.json'));
    expect(facts()).toHaveLength(2);
    expect(bestTagIn(py312, cache)).toMatch(/^cp312-cp312-/);
    expect(facts()).toHaveLength(2);
  });
});

/**
 * A pyenv root whose `libexec/pyenv` logs every run and then runs the real pyenv interpreter the
 * version file (or PYENV_VERSION) names: the shim is the real pyenv shim's text.
 */
function fakePyenv(): { root: string; runs: () => number } {
  const root = mkdtempSync(join(tmpdir(), 'fake-pyenv-'));
  mkdirSync(join(root, 'shims'));
  mkdirSync(join(root, 'libexec'));
  mkdirSync(join(root, 'versions'));
  for (const minor of ['3.9', '3.12'])
    writeFileSync(join(root, 'versions', pyenvVersion(minor)), '');
  const log = join(root, 'runs.log');
  writeFileSync(log, '');
  writeFileSync(
    join(root, 'shims', 'python3'),
    `#!/usr/bin/env bash\nset -e\nprogram="\${0##*/}"\nexport PYENV_ROOT="${root}"\nexec "${root}/libexec/pyenv" exec "$program" "$@"\n`,
  );
  writeFileSync(
    join(root, 'libexec', 'pyenv'),
    `#!/usr/bin/env bash\necho run >> "${log}"\nshift\nprogram="$1"; shift\n` +
      `v="\${PYENV_VERSION:-$(cat .python-version 2>/dev/null || cat "${root}/version")}"\n` +
      `exec "${PYENV_ROOT}/versions/$v/bin/$program" "$@"\n`,
  );
  chmodSync(join(root, 'shims', 'python3'), 0o755);
  chmodSync(join(root, 'libexec', 'pyenv'), 0o755);
  return { root, runs: () => readFileSync(log, 'utf8').split('\n').length - 1 };
}

describe('the answer of a pyenv shim', () => {
  it('is reused while nothing pyenv reads changes, and asked again when something does', () => {
    const { root, runs } = fakePyenv();
    const cache = mkdtempSync(join(tmpdir(), 'shim-memo-cache-'));
    const dir = mkdtempSync(join(tmpdir(), 'shim-memo-project-'));
    writeFileSync(join(dir, '.python-version'), `${pyenvVersion('3.9')}\n`);
    expect(bestTagIn(dir, cache, root)).toMatch(/^cp39-cp39-/);
    const first = runs(); // the probe, and the inspection of a new interpreter
    expect(first).toBeGreaterThan(0);
    expect(bestTagIn(dir, cache, root)).toMatch(/^cp39-cp39-/);
    expect(runs()).toBe(first); // warm: the shim is not run at all
    // Same directory, same shim: a new .python-version is followed at once.
    writeFileSync(join(dir, '.python-version'), `${pyenvVersion('3.12')}\n`);
    expect(bestTagIn(dir, cache, root)).toMatch(/^cp312-cp312-/);
    const afterSwitch = runs();
    expect(bestTagIn(dir, cache, root)).toMatch(/^cp312-cp312-/);
    expect(runs()).toBe(afterSwitch);
    // PYENV_VERSION overrides the file.
    expect(bestTagIn(dir, cache, root, { PYENV_VERSION: pyenvVersion('3.9') })).toMatch(
      /^cp39-cp39-/,
    );
  });

  it('has a fingerprint only for pyenv shims, changed by each input pyenv reads', () => {
    const { root } = fakePyenv();
    const shim = join(root, 'shims', 'python3');
    const dir = mkdtempSync(join(tmpdir(), 'shim-fp-'));
    const env = { PATH: '/usr/bin' };
    const base = pyenvShimFingerprint(shim, env, dir);
    expect(base).toMatch(/^[0-9a-f]{32}$/);
    expect(pyenvShimFingerprint(shim, env, dir)).toBe(base);
    expect(pyenvShimFingerprint(shim, { ...env, PYENV_VERSION: '3.9' }, dir)).not.toBe(base);
    expect(pyenvShimFingerprint(shim, { PATH: '/bin' }, dir)).not.toBe(base);
    writeFileSync(join(root, 'version'), '3.12\n');
    const withGlobal = pyenvShimFingerprint(shim, env, dir);
    expect(withGlobal).not.toBe(base);
    writeFileSync(join(dir, '.python-version'), '3.9\n');
    const withLocal = pyenvShimFingerprint(shim, env, dir);
    expect(withLocal).not.toBe(withGlobal);
    mkdirSync(join(dir, 'sub'));
    expect(pyenvShimFingerprint(shim, env, join(dir, 'sub'))).toBe(withLocal);
    writeFileSync(join(root, 'versions', '3.9.99'), '');
    expect(pyenvShimFingerprint(shim, env, dir)).not.toBe(withLocal);
    const wrapper = join(dir, 'python3');
    writeFileSync(wrapper, '#!/bin/sh\nexec /usr/bin/python3 "$@"\n');
    expect(pyenvShimFingerprint(wrapper, env, dir)).toBeUndefined();
  });
});
