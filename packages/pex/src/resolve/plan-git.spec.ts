import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, toolsBin } from '../testing/python-tools.js';
import { planBuild } from './plan.js';

const PY311 = join(process.env['HOME'] ?? '/root', '.pyenv/versions/3.11.7/bin/python3');
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
};

/** A local git repository holding a setuptools project, and an app locking it by uv via file://. */
function makeProject(): { app: string; commit: string } {
  const root = mkdtempSync(join(tmpdir(), 'plan-git-'));
  const repo = join(root, 'repo');
  mkdirSync(join(repo, 'tinygit'), { recursive: true });
  writeFileSync(join(repo, 'tinygit', '__init__.py'), 'WORD = "from git"\n');
  writeFileSync(
    join(repo, 'pyproject.toml'),
    '[project]\nname = "tinygit"\nversion = "0.2"\n\n' +
      '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n',
  );
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repo, env: GIT_ENV, encoding: 'utf8' }).trim();
  git('init', '--quiet');
  git('add', '.');
  git('commit', '--quiet', '-m', 'one');
  const commit = git('rev-parse', 'HEAD');
  const app = join(root, 'app');
  mkdirSync(join(app, 'src', 'app'), { recursive: true });
  writeFileSync(join(app, 'src', 'app', '__init__.py'), '');
  writeFileSync(
    join(app, 'pyproject.toml'),
    `[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.9"\ndependencies = ["tinygit"]\n\n` +
      `[tool.uv.sources]\ntinygit = { git = "file://${repo}" }\n`,
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
  // The same pins as uv exports them: a pylock.toml `vcs` table and a `git+URL@COMMIT` line.
  for (const [format, file] of [
    ['pylock.toml', 'pylock.toml'],
    ['requirements-txt', 'requirements.txt'],
  ] as const) {
    execFileSync(toolsBin('uv'), ['export', '--quiet', '--format', format, '-o', file], {
      cwd: app,
      env: { ...process.env, UV_CACHE_DIR: join(REPO_ROOT, 'tmp/uv-cache'), UV_NO_PROGRESS: '1' },
      stdio: 'ignore',
    });
  }
  return { app, commit };
}

describe('planBuild with a git source', () => {
  let project: { app: string; commit: string };
  beforeAll(() => {
    project = makeProject();
  }, 180_000);

  const sharedCache = mkdtempSync(join(tmpdir(), 'plan-git-cache-'));

  it('builds the package from a clone at the locked commit', async () => {
    expect(readFileSync(join(project.app, 'uv.lock'), 'utf8')).toContain(`#${project.commit}`);
    const cacheDir = sharedCache;
    const plan = await planBuild({
      project: project.app,
      cacheDir,
      python: PY311,
      progress: 'none',
    });
    const tiny = plan.projects.find((p) => p.name === 'tinygit');
    expect(tiny?.wheels.map((w) => w.filename)).toEqual(['tinygit-0.2-py3-none-any.whl']);
    const listing = execFileSync(PY311, [
      '-c',
      'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read("tinygit/__init__.py").decode())',
      tiny?.wheels[0]?.path ?? '',
    ]).toString();
    expect(listing).toContain('from git');
  }, 180_000);

  it.each(['pylock.toml', 'requirements.txt'])(
    'builds the same wheel from the git pin of an exported %s',
    async (file) => {
      const lock = join(project.app, file);
      expect(readFileSync(lock, 'utf8')).toContain(project.commit);
      // The archive and wheel built by the first test are reused: same commit, same sdist bytes.
      const cacheDir = sharedCache;
      const plan = await planBuild({
        project: project.app,
        lock,
        cacheDir,
        python: PY311,
        progress: 'none',
      });
      const tiny = plan.projects.find((p) => p.name === 'tinygit');
      // The requirements line pins no version: the built wheel's is used.
      expect(tiny?.version).toBe('0.2');
      expect(tiny?.wheels.map((w) => w.filename)).toEqual(['tinygit-0.2-py3-none-any.whl']);
    },
    180_000,
  );

  it('refuses a lock whose commit is not in the repository, in one line', async () => {
    const lock = join(project.app, 'uv.lock');
    const bad = '0123456789abcdef0123456789abcdef01234567';
    writeFileSync(lock, readFileSync(lock, 'utf8').replaceAll(project.commit, bad));
    const cacheDir = mkdtempSync(join(tmpdir(), 'plan-git-cache-'));
    await expect(
      planBuild({ project: project.app, cacheDir, python: PY311, progress: 'none' }),
    ).rejects.toThrow(new RegExp(`tinygit comes from git .*the locked commit ${bad} is not in`));
  }, 180_000);
});
