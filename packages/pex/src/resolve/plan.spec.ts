import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { currentTarget } from '../interpreter/current.js';
import { examplesLockExports } from '../lock/lock-fixtures.spec-util.js';
import { completePlatformFromTarget } from '../targets/complete-platform.js';
import type { BuildPlan } from '../plan/build-plan.js';
import { REPO_ROOT } from '../testing/python-tools.js';
import { planBuild } from './plan.js';

const PY311 = join(process.env['HOME'] ?? '/root', '.pyenv/versions/3.11.7/bin/python3');
const APP = join(REPO_ROOT, 'examples/hello-service');
const TARGETS = ['current', 'win_amd64-cp-311-cp311', 'macosx_11_0_arm64-cp-39-cp39'];

const summary = (plan: BuildPlan) =>
  plan.projects.map(
    (p) =>
      `${p.name}==${p.version} ${p.wheels.map((w) => `${w.filename}@${w.targets.join('+')}`).join(' ')}`,
  );

describe('planBuild (examples workspace)', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'plan-cache-'));
  let plan: BuildPlan;
  let exports: string;

  beforeAll(async () => {
    exports = await examplesLockExports();
    plan = await planBuild({
      project: APP,
      targets: TARGETS,
      cacheDir,
      python: PY311,
      progress: 'none',
    });
  }, 240_000);

  it('fills the first-party closure, roots and constraints', () => {
    expect(plan.main.name).toBe('hello-service');
    expect(plan.main.scripts).toEqual({ 'hello-service': 'hello_service.cli:main' });
    expect(plan.firstParty.map((p) => p.name)).toEqual(['hello-service', 'greeting']);
    expect(plan.firstParty[1]?.sourceRoots).toEqual([join(REPO_ROOT, 'examples/greeting/src')]);
    expect(plan.requirements).toEqual(['click>=8.1', 'rich>=13', 'attrs>=23.1']);
    expect(plan.interpreterConstraints).toEqual(['>=3.9']);
    expect(plan.targets).toEqual(TARGETS);
  });

  it('subsets per target: markers and uv forks, nothing unrelated (no dev group)', () => {
    const names = plan.projects.map((p) => `${p.name}==${p.version}`);
    expect(names).toContain('click==8.5.1');
    expect(names).toContain('click==8.1.8'); // only for the cp39 target
    expect(names.some((n) => n.startsWith('pytest') || n.startsWith('iniconfig'))).toBe(false);
    const click8 = plan.projects.find((p) => p.name === 'click' && p.version === '8.1.8');
    expect(click8?.wheels.flatMap((w) => w.targets)).toEqual(['macosx_11_0_arm64-cp-39-cp39']);
    expect(click8?.requires).toEqual(["colorama; sys_platform == 'win32'"]);
    const colorama = plan.projects.find((p) => p.name === 'colorama');
    // Reached through click 8.1.8 only, whose edge needs win32: the mac cp39 target never takes it.
    expect(colorama).toBeUndefined();
  });

  it('puts every wheel on disk, verified', () => {
    for (const p of plan.projects) {
      for (const w of p.wheels) {
        const bytes = readFileSync(w.path);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(w.sha256);
        expect(bytes.length).toBe(w.size);
        expect(w.path.startsWith(cacheDir)).toBe(true);
      }
    }
  });

  it('plans again offline from the warm cache, identically', async () => {
    const again = await planBuild({
      project: join(APP, 'pyproject.toml'),
      targets: TARGETS,
      cacheDir,
      python: PY311,
      offline: true,
      progress: 'none',
    });
    expect(again).toEqual(plan);
  });

  it('gives the same wheels from the requirements.txt and pylock.toml exports', async () => {
    const target = ['win_amd64-cp-311-cp311'];
    const fromUv = await planBuild({ project: APP, targets: target, cacheDir, progress: 'none' });
    for (const lock of ['requirements.txt', 'pylock.toml', 'requirements-all.txt']) {
      const other = await planBuild({
        project: APP,
        lock: join(exports, lock),
        targets: target,
        cacheDir,
        progress: 'none',
      });
      if (lock === 'requirements-all.txt') {
        // The whole workspace with its dev group: `# via` keeps pytest & co out. `# via click`
        // cannot say which click version needs colorama, so colorama (win32) comes along.
        expect(summary(other).filter((l) => !l.startsWith('colorama=='))).toEqual(summary(fromUv));
        expect(other.projects.map((p) => p.name)).not.toContain('pytest');
      } else {
        expect(summary(other), lock).toEqual(summary(fromUv));
      }
      const rich = other.projects.find((p) => p.name === 'rich');
      expect(rich?.requires.some((r) => r.startsWith('markdown-it-py'))).toBe(true);
    }
  }, 120_000);

  it('takes a complete-platform JSON file as a target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-'));
    const file = join(dir, 'here.json');
    writeFileSync(
      file,
      JSON.stringify(completePlatformFromTarget(await currentTarget({ python: PY311, cacheDir }))),
    );
    const viaFile = await planBuild({
      project: APP,
      targets: [file],
      cacheDir,
      offline: true,
      progress: 'none',
    });
    const current = plan.projects
      .filter((p) => p.wheels.some((w) => w.targets.includes('current')))
      .map((p) => `${p.name}==${p.version}`);
    expect(viaFile.projects.map((p) => `${p.name}==${p.version}`)).toEqual(current);
    expect(viaFile.targets).toEqual([file]);
  });

  it('names a missing lock', async () => {
    await expect(
      planBuild({
        project: APP,
        lock: join(exports, 'nope.lock'),
        targets: ['win_amd64-cp-311-cp311'],
        cacheDir,
      }),
    ).rejects.toThrow(/nope\.lock: no lock file for hello-service/);
  });
});
