import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildPlan } from '../plan/build-plan.js';
import { parseTarget } from '../targets/target.js';
import { downloadWheel } from '../wheel/test-support/download.js';
import { planFor, REQUESTS_WHEELS, writeApp } from './test-support/fixtures.js';
import { writePex } from './writer.js';

const work = mkdtempSync(join(tmpdir(), 'pexkit-entrycheck-'));
const cacheDir = join(work, 'cache');
let plan: BuildPlan;
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(async () => {
  plan = await planFor(
    writeApp(join(work, 'app')),
    REQUESTS_WHEELS.map((r) => downloadWheel(r, 'pure')),
  );
});

describe('writePex build-time checks of what the PEX runs', () => {
  it('accepts entry points whose module is first-party code, a namespace package or in a wheel', async () => {
    for (const entryPoint of [
      'hello_app.cli:main',
      'nsp.sub.mod',
      'requests.utils',
      'idna',
      'http.server',
    ]) {
      const output = join(work, `ok-${entryPoint.replace(/\W/g, '_')}.pex`);
      await writePex(plan, { output, cacheDir, entryPoint });
      expect(existsSync(output)).toBe(true);
    }
  });

  it('refuses an entry point or console script whose module is not in the sealed code', async () => {
    const output = join(work, 'bad.pex');
    await expect(
      writePex(plan, { output, cacheDir, entryPoint: 'hello_app.nothere:main' }),
    ).rejects.toThrow(
      /^--entry-point 'hello_app\.nothere:main' names module 'hello_app\.nothere', which is not in the PEX: no hello_app\/nothere\.py/,
    );
    await expect(
      writePex(plan, { output, cacheDir, entryPoint: 'requests.nothere' }),
    ).rejects.toThrow(/module 'requests\.nothere', which is not in the PEX/);
    const ghost = { ...plan.main, scripts: { ...plan.main.scripts, ghost: 'ghost_mod.cli:run' } };
    await expect(
      writePex(
        { ...plan, main: ghost, firstParty: [ghost, ...plan.firstParty.slice(1)] },
        { output, cacheDir, consoleScript: 'ghost' },
      ),
    ).rejects.toThrow(
      /^console script 'ghost' \(ghost_mod\.cli:run\) names module 'ghost_mod\.cli'/,
    );
    expect(existsSync(output)).toBe(false);
  });

  it('refuses interpreter constraints that no target satisfies, naming the targets', async () => {
    const output = join(work, 'ic.pex');
    const targets = ['manylinux2014_x86_64-cp-311-cp311', 'macosx_11_0_arm64-cp-312-cp312'];
    const p = { ...plan, targets, resolvedTargets: targets.map((t) => parseTarget(t)) };
    await expect(
      writePex(p, { output, cacheDir, interpreterConstraints: ['PyPy>=3.9'] }),
    ).rejects.toThrow(
      /^no target satisfies the interpreter constraints PyPy>=3\.9: targets are manylinux2014_x86_64-cp-311-cp311 \(CPython 3\.11\), macosx_11_0_arm64-cp-312-cp312 \(CPython 3\.12\)$/,
    );
    await expect(
      writePex(p, { output, cacheDir, interpreterConstraints: ['CPython>=3.13', '<3.10'] }),
    ).rejects.toThrow(/no target satisfies the interpreter constraints CPython>=3\.13 or <3\.10/);
    expect(existsSync(output)).toBe(false);
    // One target inside the constraints is enough.
    await writePex(p, { output, cacheDir, interpreterConstraints: ['CPython>=3.12'] });
    expect(existsSync(output)).toBe(true);
  });
});
