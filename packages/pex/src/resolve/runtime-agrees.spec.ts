/**
 * The two halves agree: one PEX is built for every interpreter on this machine (each as a
 * complete platform from `currentTarget`), and under each interpreter the runtime picks exactly
 * the wheels the build's plan chose for that interpreter's target (`PEX_TOOLS=1 app.pex info`).
 * The lock mixes CPython-version-specific builds with a pure fallback (charset-normalizer) and a
 * marker on the Python version (tomli), so a runtime that ranked tags or read markers differently
 * from the TypeScript side would pick another wheel or another set of projects.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { currentTarget } from '../interpreter/current.js';
import type { BuildPlan } from '../plan/build-plan.js';
import { writePex } from '../pex/writer.js';
import { completePlatformFromTarget } from '../targets/complete-platform.js';
import { planBuild } from './plan.js';

function interpreters(): string[] {
  const root = join(homedir(), '.pyenv/versions');
  const found = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^3\.(\d+)\./.test(v) && Number(v.split('.')[1]) >= 9)
        .map((v) => join(root, v, 'bin/python3'))
        .filter((p) => existsSync(p))
    : [];
  if (existsSync('/usr/bin/pypy3')) found.push('/usr/bin/pypy3');
  return found;
}

describe('runtime wheel choice vs the build plan, per interpreter here', () => {
  const work = mkdtempSync(join(tmpdir(), 'agree-'));
  const pythons = interpreters();
  const targetOf = new Map<string, string>();
  let plan: BuildPlan;
  let pex: string;

  beforeAll(async () => {
    const project = join(work, 'app');
    mkdirSync(join(project, 'src/agree'), { recursive: true });
    writeFileSync(
      join(project, 'pyproject.toml'),
      '[project]\nname = "agree"\nversion = "1.0"\nrequires-python = ">=3.9"\n' +
        'dependencies = ["charset-normalizer==3.4.1", "tomli==2.2.1; python_version < \'3.11\'"]\n',
    );
    writeFileSync(join(project, 'src/agree/__init__.py'), '');
    writeFileSync(
      join(project, 'requirements.txt'),
      'charset-normalizer==3.4.1\ntomli==2.2.1 ; python_version < "3.11"\n',
    );
    for (const [i, python] of pythons.entries()) {
      const json = join(work, `platform-${i}.json`);
      writeFileSync(
        json,
        JSON.stringify(completePlatformFromTarget(await currentTarget({ python }))),
      );
      targetOf.set(python, json);
    }
    plan = await planBuild({
      project,
      lock: join(project, 'requirements.txt'),
      targets: [...targetOf.values()],
      cacheDir: join(work, 'cache'),
      progress: 'none',
    });
    pex = (
      await writePex(plan, {
        output: join(work, 'agree.pex'),
        entryPoint: 'agree',
        cacheDir: join(work, 'cache'),
      })
    ).output;
  }, 300_000);

  it('found interpreters, and the plan differs between them', () => {
    expect(pythons.length).toBeGreaterThan(1);
    const charset = plan.projects.find((p) => p.name === 'charset-normalizer');
    expect(charset?.wheels.length).toBeGreaterThan(1);
  });

  it.each(pythons)(
    'under %s the runtime picks the planned wheels',
    (python) => {
      const target = targetOf.get(python) as string;
      const want = Object.fromEntries(
        plan.projects.flatMap((p) =>
          p.wheels.filter((w) => w.targets.includes(target)).map((w) => [p.name, w.filename]),
        ),
      );
      const r = spawnSync(python, [pex, 'info'], {
        encoding: 'utf8',
        env: { ...process.env, PEX_TOOLS: '1', PEX_ROOT: join(work, 'root') },
      });
      expect(r.status, r.stderr).toBe(0);
      const got = (JSON.parse(r.stdout) as { selected_wheels: Record<string, string> })
        .selected_wheels;
      expect(got).toEqual(want);
    },
    120_000,
  );
});
