import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BuildPlan } from '../plan/build-plan.js';
import { downloadWheel, TEST_WHEEL_CACHE } from '../wheel/test-support/download.js';
import { REPO_ROOT } from '../testing/python-tools.js';
import { buildCommand } from '../cli/commands/build.js';
import { buildPex, type PlanBuildOptions } from './build.js';
import { planFor, REQUESTS_WHEELS, writeApp } from './test-support/fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'pexkit-build-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('buildPex', () => {
  it('plans, then writes to <project>/dist/<name>.pex with the console script resolved', async () => {
    const app = writeApp(join(work, 'app'));
    const plan = await planFor(
      app,
      REQUESTS_WHEELS.map((r) => downloadWheel(r, 'pure')),
    );
    const seen: PlanBuildOptions[] = [];
    const planBuild = async (o: PlanBuildOptions): Promise<BuildPlan> => {
      seen.push(o);
      return plan;
    };
    const result = await buildPex({
      project: app.root,
      consoleScript: 'hello',
      cacheDir: join(work, 'cache'),
      offline: true,
      planBuild,
    });
    expect(seen[0]).toMatchObject({
      project: app.root,
      targets: ['current'],
      offline: true,
      cacheDir: join(work, 'cache'),
    });
    expect(result.output).toBe(join(app.root, 'dist', 'hello-app.pex'));
    expect(existsSync(result.output)).toBe(true);
    expect(result.plan).toBe(plan);
    const env = { ...process.env, PEX_ROOT: join(work, 'root') };
    expect(execFileSync(result.output, ['x'], { encoding: 'utf8', env })).toBe(
      'hello 2.32.3 1.2.0 x\n',
    );
    await expect(
      buildPex({
        project: app.root,
        consoleScript: 'flsk',
        cacheDir: join(work, 'cache'),
        planBuild,
      }),
    ).rejects.toThrow(/'flsk'.*available: hello \(hello-app\)/);
  });

  it('builds the example workspace app from its uv.lock (planBuild), via the CLI, reproducibly', async () => {
    const cacheDir = join(TEST_WHEEL_CACHE, 'pexkit-cache');
    const project = join(REPO_ROOT, 'examples/hello-service');
    const a = await buildPex({
      project,
      consoleScript: 'hello-service',
      output: join(work, 'hello-a.pex'),
      cacheDir,
    });
    expect(a.plan.firstParty.map((p) => p.name)).toEqual(['hello-service', 'greeting']);
    expect(a.plan.projects.map((p) => p.name)).toEqual(
      expect.arrayContaining(['attrs', 'click', 'rich']),
    );
    const env = { ...process.env, PEX_ROOT: join(work, 'root') };
    const out = execFileSync(a.output, ['Ada'], { encoding: 'utf8', env });
    expect(out).toMatch(/^Hello, Ada!\n\(python 3\.\d+, click \d/);
    const written: string[] = [];
    const errors: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string) =>
      written.push(String(chunk)) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) =>
      errors.push(String(chunk)) > 0) as typeof process.stderr.write;
    let code: number;
    try {
      code = await buildCommand.run([
        '--project',
        project,
        '-c',
        'hello-service',
        '-o',
        join(work, 'hello-b.pex'),
        '--cache-dir',
        cacheDir,
        '--offline',
        '-q',
      ]);
    } finally {
      process.stdout.write = write;
      process.stderr.write = writeErr;
    }
    expect(code).toBe(0);
    expect(written.join('')).toBe(`${join(work, 'hello-b.pex')}\n`);
    expect(errors.join('')).toBe(''); // -q: no progress or summary lines either
    expect(
      createHash('sha256')
        .update(readFileSync(join(work, 'hello-b.pex')))
        .digest('hex'),
    ).toBe(a.sha256);
  });
});
