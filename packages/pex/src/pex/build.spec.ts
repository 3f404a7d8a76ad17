import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BuildPlan } from '../plan/build-plan.js';
import { downloadWheel } from '../wheel/test-support/download.js';
import { buildPex, type PlanBuildOptions } from './build.js';
import { planFor, REQUESTS_WHEELS, writeApp } from './test-support/fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'pexkit-build-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('buildPex', () => {
  it('plans, then writes to <project>/dist/<name>.pex with the console script resolved', async () => {
    const app = writeApp(join(work, 'app'));
    const plan = await planFor(app, REQUESTS_WHEELS.map((r) => downloadWheel(r, 'pure')));
    const seen: PlanBuildOptions[] = [];
    const planBuild = async (o: PlanBuildOptions): Promise<BuildPlan> => {
      seen.push(o);
      return plan;
    };
    const result = await buildPex({ project: app.root, consoleScript: 'hello', cacheDir: join(work, 'cache'), offline: true, planBuild });
    expect(seen[0]).toMatchObject({ project: app.root, targets: ['current'], offline: true, cacheDir: join(work, 'cache') });
    expect(result.output).toBe(join(app.root, 'dist', 'hello-app.pex'));
    expect(existsSync(result.output)).toBe(true);
    expect(result.plan).toBe(plan);
    const env = { ...process.env, PEX_ROOT: join(work, 'root') };
    expect(execFileSync(result.output, ['x'], { encoding: 'utf8', env })).toBe('hello 2.32.3 1.2.0 x\n');
    await expect(buildPex({ project: app.root, consoleScript: 'flsk', cacheDir: join(work, 'cache'), planBuild })).rejects.toThrow(
      /'flsk'.*available: hello \(hello-app\)/,
    );
  });
});
