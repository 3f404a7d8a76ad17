import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResolvedProject } from '../plan/build-plan.js';
import { writePex } from '../pex/writer.js';
import { parseTarget } from '../targets/target.js';
import { REPO_ROOT } from '../testing/python-tools.js';
import { planBuild } from './plan.js';
import {
  LAST_MINOR,
  narrowConstraints,
  NoPythonFitsError,
  pythonRangeOf,
  retarget,
} from './python-range.js';

const LINUX311 = parseTarget('manylinux2014_x86_64-cp-311-cp311');
const LINUX39 = parseTarget('manylinux2014_x86_64-cp-39-cp39');

function project(
  name: string,
  version: string,
  wheels: string[],
  extra: Partial<ResolvedProject> = {},
): ResolvedProject {
  return {
    name,
    version,
    requires: [],
    wheels: wheels.map((filename) => ({
      filename,
      path: `/nowhere/${filename}`,
      sha256: '0'.repeat(64),
      size: 1,
      name,
      version,
      targets: [],
    })),
    ...extra,
  };
}

const from = (lo: number, hi = LAST_MINOR): number[] =>
  Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

describe('pythonRangeOf', () => {
  it('follows wheel tags: a cp311 build runs on 3.11 only, abi3 from its version on, py3 everywhere', () => {
    const cp311 = project('ms', '2.1.5', ['ms-2.1.5-cp311-cp311-manylinux2014_x86_64.whl']);
    expect(pythonRangeOf(['ms'], [cp311], [], [LINUX311]).minors).toEqual([11]);
    const abi3 = project('cr', '42', ['cr-42-cp38-abi3-manylinux2014_x86_64.whl']);
    expect(pythonRangeOf(['cr'], [abi3], [], [LINUX311]).minors).toEqual(from(8));
    const pure = project('six', '1.16.0', ['six-1.16.0-py2.py3-none-any.whl']);
    expect(pythonRangeOf(['six'], [pure], [], [LINUX311]).minors).toEqual(from(0));
    // a cp39 and a cp311 target together: both builds count
    const cp39 = project('ms', '2.1.5', [
      'ms-2.1.5-cp39-cp39-manylinux2014_x86_64.whl',
      'ms-2.1.5-cp311-cp311-manylinux2014_x86_64.whl',
    ]);
    expect(pythonRangeOf(['ms'], [cp39], [], [LINUX39, LINUX311]).minors).toEqual([9, 11]);
  });

  it("follows the lock's and each wheel's Requires-Python, and a fork's versions together", () => {
    const click = project('click', '8.5.1', ['click-8.5.1-py3-none-any.whl']);
    const rp = (w: string) => (w.startsWith('click-8.5.1') ? '>=3.10' : '>=3.7');
    expect(pythonRangeOf(['click>=8.1'], [click], [], [LINUX311], rp).minors).toEqual(from(10));
    const locked = { ...click, requiresPython: '>=3.10' };
    expect(pythonRangeOf(['click>=8.1'], [locked], [], [LINUX311]).minors).toEqual(from(10));
    const old = project('click', '8.1.8', ['click-8.1.8-py3-none-any.whl']);
    expect(pythonRangeOf(['click>=8.1'], [click, old], [], [LINUX311], rp).minors).toEqual(from(7));
  });

  it('walks every minor that any input names, however high, and treats the ones above alike', () => {
    // Each bound sits well above today's Pythons, so a walk cut short would miss it.
    const late = project('late', '1', ['late-1-py3-none-any.whl'], {
      requires: ['gone; python_version >= "3.27"'],
    });
    const gone = project('gone', '1', ['gone-1-cp311-cp311-manylinux2014_x86_64.whl']);
    expect(pythonRangeOf(['late'], [late, gone], [], [LINUX311]).minors).toEqual(from(0, 26));
    const abi3 = project('cr', '42', ['cr-42-cp333-abi3-manylinux2014_x86_64.whl']);
    expect(pythonRangeOf(['cr'], [abi3], [], [LINUX311]).minors).toEqual(from(33));
    const capped = project('capped', '1', ['capped-1-py3-none-any.whl'], {
      requiresPython: '>=3.8,<3.31.2',
    });
    const range = pythonRangeOf(['capped'], [capped], [], [LINUX311]);
    expect(range.minors).toEqual(from(8, 31));
    expect(range.rejected[LAST_MINOR]).toMatch(/capped 1 requires Python >=3.8,<3.31.2/);
    const marker = project('m', '1', ['m-1-py3-none-any.whl'], {
      requiresPython: '!=3.35.*',
    });
    expect(pythonRangeOf(['m'], [marker], [], [LINUX311]).minors).toEqual(
      from(0).filter((m) => m !== 35),
    );
  });

  it('walks only what markers reach: a backport for old Pythons does not narrow the rest', () => {
    const app = project('app', '1', ['app-1-py3-none-any.whl'], {
      requires: ['dataclasses; python_version < "3.7"'],
    });
    const dc = project('dataclasses', '0.8', ['dataclasses-0.8-py3-none-any.whl'], {
      requiresPython: '>=3.6, <3.7',
    });
    const range = pythonRangeOf(['app'], [app, dc], [], [LINUX311]);
    expect(range.minors).toEqual(from(6));
    expect(range.rejected[5]).toMatch(/dataclasses 0.8 requires Python >=3.6, <3.7/);
    // first-party names are never looked up
    expect(pythonRangeOf(['mine', 'app'], [app, dc], ['mine'], [LINUX311]).minors).toEqual(from(6));
  });

  it('retargets ABIs and markers to the version tried', () => {
    const t = retarget(parseTarget('manylinux2014_x86_64-pp-310-pypy310_pp73'), 9);
    expect(t.abis).toEqual(['pypy39_pp73']);
    expect(t.markerEnvironment.python_version).toBe('3.9');
    expect(t.pythonVersion).toEqual([3, 9]);
  });
});

describe('narrowConstraints', () => {
  const range = (minors: number[]) => ({ minors, rejected: { 9: 'click needs >=3.10' } });

  it('keeps constraints the wheels fully allow, and narrows the others to runs of versions', () => {
    expect(narrowConstraints(['>=3.9'], range(from(9)))).toEqual(['>=3.9']);
    expect(narrowConstraints([], range(from(0)))).toEqual([]);
    expect(narrowConstraints(['>=3.9'], range(from(10)))).toEqual(['>=3.9,>=3.10']);
    expect(narrowConstraints(['CPython>=3.9,<3.14'], range([9, 11]))).toEqual([
      'CPython>=3.9,<3.14,>=3.9,<3.10',
      'CPython>=3.9,<3.14,>=3.11,<3.12',
    ]);
    expect(narrowConstraints([], range([11]))).toEqual(['>=3.11,<3.12']);
  });

  it('refuses, naming why, when no version is left', () => {
    expect(() => narrowConstraints(['<3.10'], range(from(10)))).toThrow(NoPythonFitsError);
    expect(() => narrowConstraints(['<3.10'], range(from(10)))).toThrow(
      /no Python version satisfies <3.10 .*3.9: click needs >=3.10/,
    );
  });
});

describe('interpreter constraints of a PEX from the examples fork lock', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'range-cache-'));
  const build = async (targets: string[]) => {
    const plan = await planBuild({
      project: join(REPO_ROOT, 'examples/hello-service'),
      targets,
      cacheDir,
      progress: 'none',
    });
    const out = join(mkdtempSync(join(tmpdir(), 'range-pex-')), 'app.pex');
    const written = await writePex(plan, { output: out, consoleScript: 'hello-service', cacheDir });
    return written.info.interpreter_constraints;
  };

  it('says >=3.10 when only click 8.5.1 (Requires-Python >=3.10) is sealed, >=3.9 with 8.1.8 too', async () => {
    expect(await build(['manylinux2014_x86_64-cp-311-cp311'])).toEqual(['>=3.9,>=3.10']);
    expect(
      await build(['manylinux2014_x86_64-cp-39-cp39', 'manylinux2014_x86_64-cp-311-cp311']),
    ).toEqual(['>=3.9']);
  }, 240_000);
});
