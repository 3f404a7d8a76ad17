/**
 * Shipped bytecode (bytecode.ts) with a real CPython 3.11: what is compiled and how, the cache,
 * determinism, the size cap, the fallback without an interpreter, and a PEX whose cold start
 * imports its wheel's modules from the shipped .pyc.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildPlan } from '../plan/build-plan.js';
import { parseTarget } from '../targets/target.js';
import { makeWheel } from '../wheel/test-support/make-wheel.js';
import { readPexFacts } from '../inspect/read-pex.js';
import { compileBytecode, compileStats } from './bytecode.js';
import { planFor, writeApp } from './test-support/fixtures.js';
import { planWheels, writePex } from './writer.js';

const PY311 = join(homedir(), '.pyenv/versions/3.11.7/bin/python3');
const work = mkdtempSync(join(tmpdir(), 'pexkit-bytecode-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** [name, flags word of the .pyc header] of every entry of a bundle, read by Python's zipfile. */
function bundleEntries(path: string): Array<[string, number]> {
  const script =
    'import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\n' +
    'print(json.dumps([[n, int.from_bytes(z.read(n)[4:8], "little")] for n in z.namelist()]))';
  return JSON.parse(execFileSync(PY311, ['-c', script, path], { encoding: 'utf8' })) as Array<
    [string, number]
  >;
}

describe.skipIf(!existsSync(PY311))('shipped bytecode (CPython 3.11)', () => {
  let plan: BuildPlan;
  beforeAll(async () => {
    const dir = join(work, 'wheels');
    mkdirSync(dir, { recursive: true });
    const wheel = makeWheel(dir, {
      name: 'lib',
      version: '1.0',
      files: [
        { name: 'lib/__init__.py', data: 'from lib.sub import VALUE\n' },
        { name: 'lib/sub.py', data: 'VALUE = 42\n\n\ndef main():\n    print("ok", VALUE)\n' },
        { name: 'lib/py2only.py', data: 'print "a Python 2 file"\n' },
        { name: 'lib/data.txt', data: 'not code\n' },
        { name: 'lib-1.0.data/purelib/extra.py', data: 'X = 1\n' },
        { name: 'lib-1.0.data/scripts/tool.py', data: 'print("a script")\n' },
      ],
    });
    const base = await planFor(writeApp(join(work, 'app')), [wheel], ['lib']);
    plan = {
      ...base,
      resolvedTargets: [{ ...parseTarget('manylinux2014_x86_64-cp-311-cp311'), source: 'current' }],
    };
  }, 60_000);

  it('compiles the importable modules to unchecked-hash .pyc once per cache, byte for byte the same in another cache', async () => {
    const before = compileStats.compiled;
    const first = await compileBytecode(plan, planWheels(plan), {
      cacheDir: join(work, 'cache-a'),
      python: PY311,
    });
    expect(compileStats.compiled).toBe(before + 1);
    expect(first).toHaveLength(1);
    const [set] = first;
    expect(set?.cacheTag).toBe('cpython-311');
    expect(set?.magic).toBe('a70d0d0a');
    expect(set?.python).toMatch(/^3\.11\.\d+$/);
    const bundle = set!.bundles[0]!;
    expect(bundle.wheel).toBe('lib-1.0-py3-none-any.whl');
    expect(sha256(bundle.path)).toBe(bundle.sha256);
    expect(bundleEntries(bundle.path)).toEqual([
      ['__pycache__/extra.cpython-311.pyc', 1],
      ['lib/__pycache__/__init__.cpython-311.pyc', 1],
      ['lib/__pycache__/sub.cpython-311.pyc', 1],
    ]);
    // Cached: no compiling the second time.
    const again = await compileBytecode(plan, planWheels(plan), {
      cacheDir: join(work, 'cache-a'),
      python: PY311,
    });
    expect(compileStats.compiled).toBe(before + 1);
    expect(again).toEqual(first);
    // Another cache, another process: the same bytes.
    const other = await compileBytecode(plan, planWheels(plan), {
      cacheDir: join(work, 'cache-b'),
      python: PY311,
    });
    expect(other[0]?.bundles[0]?.sha256).toBe(bundle.sha256);
    // A damaged cache entry is compiled again, not shipped.
    execFileSync('truncate', ['-s', '10', bundle.path]);
    const repaired = await compileBytecode(plan, planWheels(plan), {
      cacheDir: join(work, 'cache-a'),
      python: PY311,
    });
    expect(compileStats.compiled).toBe(before + 3);
    expect(repaired[0]?.bundles[0]?.sha256).toBe(bundle.sha256);
  }, 60_000);

  it('leaves out a wheel whose sources are bigger than the cap', async () => {
    const sets = await compileBytecode(plan, planWheels(plan), {
      cacheDir: join(work, 'cache-cap'),
      python: PY311,
      maxSource: 10,
    });
    expect(sets.flatMap((s) => s.bundles)).toEqual([]);
  }, 60_000);

  it('ships nothing (and says so) when no CPython of the target version is here', async () => {
    const lines: string[] = [];
    const sets = await compileBytecode(
      {
        ...plan,
        resolvedTargets: [{ ...parseTarget('manylinux2014_x86_64-cp-39-cp39'), source: 'current' }],
      },
      planWheels(plan),
      {
        cacheDir: join(work, 'cache-none'),
        python: PY311,
        env: { PATH: '/nonexistent', HOME: join(work, 'no-home') },
        logger: { info: (m) => lines.push(m) },
      },
    );
    expect(sets).toEqual([]);
    expect(lines.join('\n')).toMatch(/no CPython 3\.9 here to compile bytecode with/);
  }, 60_000);

  it('writes a PEX whose cold start imports the wheel from the shipped .pyc (and none by default)', async () => {
    const wheelPexBytes: number[] = [];
    for (const compile of [true, false]) {
      const out = join(work, `app-${compile}.pex`);
      const written = await writePex(plan, {
        output: out,
        entryPoint: 'lib.sub:main',
        cacheDir: join(work, 'cache-a'),
        python: PY311,
        // Opt-in, as pex's --compile: the default ships none.
        ...(compile ? { compileBytecode: true } : {}),
      });
      const bundle = '.bytecode/cpython-311/lib-1.0-py3-none-any.whl.zip';
      const names = execFileSync(
        PY311,
        [
          '-c',
          'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))',
          out,
        ],
        { encoding: 'utf8' },
      ).split('\n');
      expect(names.includes(bundle)).toBe(compile);
      expect(written.info.bytecode === undefined).toBe(!compile);
      // pexkit inspect counts the bundle with its wheel, not as first-party code.
      const facts = await readPexFacts(out);
      expect(Object.keys(facts.firstParty.topLevel).some((k) => k.startsWith('.'))).toBe(false);
      wheelPexBytes.push(facts.wheels[0]!.pexBytes);
      const root = join(work, `root-${compile}`);
      const r = spawnSync(PY311, [out], {
        env: { PATH: process.env['PATH'], PEX_ROOT: root, PYTHONVERBOSE: '1' },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe('ok 42\n');
      const origin = /# code object from '?([^'\n]*lib\/(?:__pycache__\/)?sub\.[^'\n]*)'?/.exec(
        r.stderr,
      )?.[1];
      expect(origin).toMatch(compile ? /__pycache__\/sub\.cpython-311\.pyc$/ : /lib\/sub\.py$/);
    }
    expect(wheelPexBytes[0]).toBeGreaterThan(wheelPexBytes[1]!);
  }, 120_000);
});
