import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildPlan } from '../plan/build-plan.js';
import { downloadWheel } from '../wheel/test-support/download.js';
import { makeWheel } from '../wheel/test-support/make-wheel.js';
import { pythons } from '../zip/test-support/pythons.js';
import {
  appProject,
  planFor,
  projectForWheel,
  REQUESTS_WHEELS,
  writeApp,
} from './test-support/fixtures.js';
import { writePex } from './writer.js';

// The slow tests around the zip's own limits (65,535 entries, ZIP64), in a file of their own so
// they run beside writer.spec.ts.
const work = mkdtempSync(join(tmpdir(), 'pexkit-limits-'));
const cacheDir = join(work, 'cache');
let plan: BuildPlan;
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(async () => {
  plan = await planFor(
    writeApp(join(work, 'app')),
    REQUESTS_WHEELS.map((r) => downloadWheel(r, 'pure')),
  );
});

describe('writePex and the zip limits', () => {
  it('keeps the zip small and free of ZIP64 when a wheel holds 70,000 files', async () => {
    const big = makeWheel(work, {
      name: 'manyfiles',
      version: '1.0',
      files: [{ name: 'manyfiles/__init__.py', data: '' }],
      generated: { prefix: 'manyfiles', count: 70_000 },
    });
    const p = {
      ...plan,
      requirements: [...plan.requirements, 'manyfiles'],
      projects: [...plan.projects, await projectForWheel(big)],
    };
    const result = await writePex(p, { output: join(work, 'many.pex'), cacheDir });
    expect(result.zip64).toBe(false);
    expect(result.entries).toBeLessThan(100);
    const bytes = readFileSync(join(work, 'many.pex'));
    // The outer archive ends with a plain end-of-central-directory record, no ZIP64 locator.
    expect(bytes.readUInt32LE(bytes.length - 22)).toBe(0x06054b50);
    expect(bytes.readUInt32LE(bytes.length - 22 - 20)).not.toBe(0x07064b50);
    expect(
      spawnSync('unzip', ['-t', join(work, 'many.pex')], { encoding: 'utf8' }).stdout,
    ).toContain('No errors detected');
    // The runtime installs the whole wheel at first run, so Python 3.8–3.12 (no ZIP64 in zipimport) run it.
    const env = { ...process.env, PEX_ROOT: join(work, 'pex-root-many'), PEX_INTERPRETER: '1' };
    const probe = 'import manyfiles.m069999 as m, requests; print(m.N)';
    for (const python of pythons().filter((p) => /\/3\.(8|12)\./.test(p))) {
      expect(
        execFileSync(python, [join(work, 'many.pex'), '-c', probe], { encoding: 'utf8', env }),
      ).toBe('69999\n');
    }
    // 70,000 files installed by two interpreters: ~30 s on a quiet machine, 115 s at load 20.
  }, 240_000);

  it('says plainly that a ZIP64 zipapp needs Python 3.13+ and that packed works everywhere', async () => {
    const root = join(work, 'huge');
    const pkg = join(root, 'src', 'huge');
    mkdirSync(pkg, { recursive: true });
    for (let i = 0; i < 65_600; i++) writeFileSync(join(pkg, `d${i}.txt`), '');
    writeFileSync(join(pkg, '__init__.py'), '');
    const project = {
      ...appProject(root),
      name: 'huge',
      scripts: {},
      sourceRoots: [join(root, 'src')],
    };
    const warnings: string[] = [];
    const result = await writePex(
      { ...plan, main: project, firstParty: [project] },
      {
        output: join(work, 'huge.pex'),
        cacheDir,
        logger: { warn: (m) => warnings.push(m) },
      },
    );
    expect(result.zip64).toBe(true);
    expect(result.warnings).toEqual(warnings);
    expect(warnings[0]).toMatch(
      /huge\.pex needs ZIP64 .*runs only on Python 3\.13\+.*--layout packed to run on every Python/,
    );
    const py313 = pythons().find((p) => p.includes('/3.13'));
    if (py313 !== undefined) execFileSync(py313, ['-m', 'zipfile', '-t', join(work, 'huge.pex')]);
  }, 240_000);
});
