/**
 * `--python` (repeatable), PEXKIT_PYTHON, PyPy discovery and built-wheel reuse, against real
 * interpreters: markupsafe 3.0.2 ships CPython wheels only, so a PyPy target needs its sdist.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, toolsBin } from '../../testing/python-tools.js';

const cli = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
const HOME = process.env['HOME'] ?? '/root';
const PY312 = join(HOME, '.pyenv/versions/3.12.1/bin/python3');
const PYPY = '/usr/bin/pypy3';

/** pexkit with only what the test gives it: no interpreter on PATH, no pyenv, no PEXKIT_PYTHON. */
function pexkit(args: string[], env: NodeJS.ProcessEnv = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['PEXKIT_PYTHON', 'PYENV_VERSION', 'PYENV_ROOT']) delete base[name];
  base['HOME'] = mkdtempSync(join(tmpdir(), 'no-pyenv-home-'));
  base['PATH'] = '/nonexistent';
  return spawnSync(process.execPath, [cli, ...args], {
    env: { ...base, ...env },
    encoding: 'utf8',
  });
}

describe('interpreters for targets (real CPython 3.12 and PyPy)', () => {
  let app: string;
  let cp312: string;
  let pypy: string;
  beforeAll(() => {
    const root = mkdtempSync(join(tmpdir(), 'build-pythons-'));
    app = join(root, 'app');
    mkdirSync(join(app, 'src', 'app'), { recursive: true });
    writeFileSync(join(app, 'src', 'app', '__init__.py'), '');
    writeFileSync(
      join(app, 'src', 'app', 'main.py'),
      'import platform, markupsafe\n\ndef run():\n    print(platform.python_implementation(), markupsafe.escape("<b>"))\n',
    );
    writeFileSync(
      join(app, 'pyproject.toml'),
      '[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.9"\ndependencies = ["markupsafe==3.0.2"]\n\n' +
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n',
    );
    execFileSync(toolsBin('uv'), ['lock', '--quiet'], {
      cwd: app,
      env: {
        ...process.env,
        UV_CACHE_DIR: join(REPO_ROOT, 'tmp/uv-cache'),
        UV_NO_PROGRESS: '1',
        UV_PYTHON_DOWNLOADS: 'never',
      },
      stdio: 'ignore',
    });
    const platform = (python: string, name: string) => {
      const file = join(root, `${name}.json`);
      const json = execFileSync(
        process.execPath,
        [cli, 'tags', 'current', '--python', python, '--json'],
        {
          encoding: 'utf8',
        },
      );
      writeFileSync(file, json);
      return file;
    };
    cp312 = platform(PY312, 'cp312');
    pypy = platform(PYPY, 'pypy39');
  }, 180_000);

  it('builds one PEX for CPython and PyPy, matching each --python to its target, then reuses the PyPy wheel', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'build-pythons-cache-'));
    const out = join(mkdtempSync(join(tmpdir(), 'build-pythons-out-')), 'app.pex');
    const built = pexkit([
      'build',
      '--project',
      app,
      '--cache-dir',
      cacheDir,
      '-m',
      'app.main:run',
      '--target',
      cp312,
      '--target',
      pypy,
      '--python',
      PY312,
      '--python',
      PYPY,
      '-o',
      out,
    ]);
    expect(built.stderr).not.toMatch(/error/i);
    expect(built.status).toBe(0);
    for (const [python, impl] of [
      [PY312, 'CPython'],
      [PYPY, 'PyPy'],
    ] as const) {
      const ran = execFileSync(python, [out], {
        encoding: 'utf8',
        env: { ...process.env, PEX_ROOT: join(cacheDir, 'pex-root') },
      });
      expect(ran.trim()).toBe(`${impl} &lt;b&gt;`);
    }
    // Later builds find the PyPy wheel in the cache, without any interpreter to build it.
    const again = pexkit(['plan', '--project', app, '--cache-dir', cacheDir, '--target', pypy]);
    expect(again.stderr).not.toContain('no local interpreter');
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(
      /markupsafe==3\.0\.2 {2}markupsafe-3\.0\.2-pp39-pypy39_pp73-linux_x86_64\.whl|markupsafe==3\.0\.2 {2}(?:MarkupSafe|markupsafe)-3\.0\.2-py3-none-any\.whl/,
    );
  }, 600_000);

  it('takes the interpreter from PEXKIT_PYTHON', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'build-pythons-cache-'));
    const none = pexkit(['plan', '--project', app, '--cache-dir', cacheDir, '--target', pypy]);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/markupsafe 3\.0\.2 has no wheel for target .*pypy39\.json/);
    const viaEnv = pexkit(['plan', '--project', app, '--cache-dir', cacheDir, '--target', pypy], {
      PEXKIT_PYTHON: PYPY,
    });
    expect(viaEnv.stderr).not.toContain('no local interpreter');
    expect(viaEnv.status).toBe(0);
  }, 600_000);

  it('finds pypy3 on PATH for a PyPy target', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'build-pythons-cache-'));
    const found = pexkit(['plan', '--project', app, '--cache-dir', cacheDir, '--target', pypy], {
      PATH: '/usr/bin',
    });
    expect(found.stderr).not.toContain('no local interpreter');
    expect(found.status).toBe(0);
    expect(found.stdout).toContain('markupsafe==3.0.2');
  }, 600_000);
});
