import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSdist } from '../sdist/make-sdist.spec-util.js';
import { SdistBuildError } from '../sdist/build.js';
import { REPO_ROOT, toolsBin } from '../testing/python-tools.js';
import { planBuild } from './plan.js';

const PY311 = join(process.env['HOME'] ?? '/root', '.pyenv/versions/3.11.7/bin/python3');

/** A one-project workspace depending on a local sdist (path source) and six, locked by real uv. */
function makeProject(): { root: string; app: string } {
  const root = mkdtempSync(join(tmpdir(), 'plan-local-'));
  const sdist = makeSdist();
  mkdirSync(join(root, 'dist'));
  copyFileSync(sdist.path, join(root, 'dist', sdist.filename));
  const app = join(root, 'svc');
  mkdirSync(join(app, 'src', 'svc'), { recursive: true });
  writeFileSync(join(app, 'src', 'svc', '__init__.py'), '');
  writeFileSync(
    join(app, 'pyproject.toml'),
    `[project]\nname = "svc"\nversion = "1.0"\nrequires-python = ">=3.9"\ndependencies = ["tiny-sdist", "six==1.16.0"]\n\n` +
      `[tool.uv.sources]\ntiny-sdist = { path = "../dist/${sdist.filename}" }\n\n` +
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
  return { root, app };
}

describe('planBuild with local artifacts', () => {
  let project: { root: string; app: string };
  beforeAll(() => {
    project = makeProject();
  }, 120_000);

  it('builds a path-source sdist for the current target and refuses a foreign one', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'plan-local-cache-'));
    const plan = await planBuild({
      project: project.app,
      cacheDir,
      python: PY311,
      progress: 'none',
    });
    expect(plan.projects.map((p) => `${p.name}==${p.version}`)).toEqual([
      'six==1.16.0',
      'tiny-sdist==0.3',
    ]);
    const tiny = plan.projects.find((p) => p.name === 'tiny-sdist');
    expect(tiny?.wheels.map((w) => [w.filename, w.targets])).toEqual([
      ['tiny_sdist-0.3-py3-none-any.whl', ['current']],
    ]);
    expect(tiny?.wheels[0]?.path.startsWith(join(cacheDir, 'built-wheels'))).toBe(true);
    const fresh = mkdtempSync(join(tmpdir(), 'plan-local-cache-'));
    await expect(
      planBuild({
        project: project.app,
        cacheDir: fresh,
        targets: ['win_amd64-cp-311-cp311'],
        progress: 'none',
      }),
    ).rejects.toThrow(SdistBuildError);
    await expect(
      planBuild({
        project: project.app,
        cacheDir: fresh,
        targets: ['win_amd64-cp-311-cp311'],
        progress: 'none',
      }),
    ).rejects.toThrow(
      /^tiny-sdist 0\.3 has no wheel for target win_amd64-cp-311-cp311 \(no wheels exist\), only the sdist tiny_sdist-0\.3\.tar\.gz, and no local interpreter matches/,
    );
    // Refused before anything was downloaded.
    expect(existsSync(join(fresh, 'artifacts'))).toBe(false);
  }, 180_000);

  it('reads a hashed requirements file against an offline find-links wheelhouse', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'plan-local-cache-'));
    const online = await planBuild({
      project: project.app,
      cacheDir,
      targets: ['manylinux_2_39_x86_64-cp-311-cp311'],
      progress: 'none',
    });
    const six = online.projects.find((p) => p.name === 'six')?.wheels[0];
    expect(six).toBeDefined();
    const house = join(project.root, 'wheelhouse');
    mkdirSync(house, { recursive: true });
    copyFileSync(six!.path, join(house, six!.filename));
    const req = join(project.root, 'requirements.txt');
    writeFileSync(
      req,
      `--no-index\n--find-links ./wheelhouse\nsix==1.16.0 \\\n    --hash=sha256:${six!.sha256}\n`,
    );
    const fresh = mkdtempSync(join(tmpdir(), 'plan-local-cache-'));
    const plan = await planBuild({
      project: project.app,
      lock: req,
      cacheDir: fresh,
      offline: true,
      targets: ['macosx_11_0_arm64-cp-312-cp312'],
      progress: 'none',
    });
    expect(plan.projects.map((p) => p.wheels.map((w) => basename(w.path)))).toEqual([
      [six!.filename],
    ]);
    // A wheelhouse file whose hash the lock does not allow is refused.
    writeFileSync(
      req,
      `--no-index\n--find-links ./wheelhouse\nsix==1.16.0 --hash=sha256:${'0'.repeat(64)}\n`,
    );
    await expect(
      planBuild({
        project: project.app,
        lock: req,
        cacheDir: fresh,
        offline: true,
        targets: ['macosx_11_0_arm64-cp-312-cp312'],
        progress: 'none',
      }),
    ).rejects.toThrow(
      /requirements\.txt:3: six-1\.16\.0-py2\.py3-none-any\.whl has sha256 [0-9a-f]{64}, which is not among the --hash values for six 1\.16\.0/,
    );
  }, 120_000);
});
