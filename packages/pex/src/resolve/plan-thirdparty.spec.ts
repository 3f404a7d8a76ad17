import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { thirdPartyLockFixtures } from '../lock/lock-fixtures.spec-util.js';
import type { BuildPlan } from '../plan/build-plan.js';
import { REPO_ROOT } from '../testing/python-tools.js';
import { planBuild } from './plan.js';

const TARGETS = [
  'manylinux2014_x86_64-cp-311-cp311',
  'manylinux2014_aarch64-cp-312-cp312',
  'macosx_11_0_arm64-cp-312-cp312',
  'win_amd64-cp-311-cp311',
  'musllinux_1_2_x86_64-cp-313-cp313',
];

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

// Downloads ~100 MB of real wheels on a cold cache (numpy, cryptography, pydantic-core for five
// platforms): opt in with PEXKIT_SLOW_TESTS=1. The cache lives in <repo>/tmp/ between runs.
describe.skipIf(process.env['PEXKIT_SLOW_TESTS'] !== '1')(
  'planBuild for numpy/cryptography/pydantic/requests on five targets',
  () => {
    it('fetches and verifies one wheel per package and target, for each lock format', async () => {
      const dir = await thirdPartyLockFixtures();
      const cacheDir = join(REPO_ROOT, 'tmp/plan-thirdparty-cache');
      const plans: BuildPlan[] = [];
      for (const lock of ['uv.lock', 'pylock.toml', 'requirements.txt']) {
        const started = Date.now();
        const plan = await planBuild({
          project: dir,
          lock: join(dir, lock),
          targets: TARGETS,
          cacheDir,
          progress: 'summary',
          concurrency: 6,
        });
        process.stderr.write(`${lock}: planned in ${Date.now() - started} ms\n`);
        plans.push(plan);
        for (const t of TARGETS) {
          const forTarget = plan.projects.filter((p) =>
            p.wheels.some((w) => w.targets.includes(t)),
          );
          expect(forTarget.map((p) => p.name)).toContain('numpy');
          expect(forTarget.some((p) => p.name === 'colorama')).toBe(t.startsWith('win'));
          for (const p of forTarget)
            expect(p.wheels.filter((w) => w.targets.includes(t))).toHaveLength(1);
        }
        for (const p of plan.projects)
          for (const w of p.wheels) expect(await sha256(w.path)).toBe(w.sha256);
      }
      const files = (i: number) =>
        plans[i]!.projects.flatMap((p) =>
          p.wheels.map((w) => `${w.filename}@${w.targets.join('+')}`),
        );
      expect(files(1)).toEqual(files(0));
      expect(files(2)).toEqual(files(0));
      expect(plans[0]!.interpreterConstraints).toEqual(['>=3.10']);
    }, 600_000);
  },
);
