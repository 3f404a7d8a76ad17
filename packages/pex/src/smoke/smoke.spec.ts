/**
 * `pexkit smoke` on real PEXes and real pyenv CPythons: a healthy entry point passes, one that
 * raises fails, a traceback printed with exit 0 fails, and only the interpreters the PEX is for
 * run (each with its own empty PEX_ROOT, never re-executing into another interpreter).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildPlan, FirstPartyProject } from '../plan/build-plan.js';
import { writeTree } from '../pex/test-support/fixtures.js';
import { writePex } from '../pex/writer.js';
import { pythons } from '../zip/test-support/pythons.js';
import { parseSmokeArgs } from '../cli/commands/smoke.js';
import { interpreterVerdict, unsatisfiedConstraints } from './match.js';
import { formatSmokeReport, smokePex } from './smoke-pex.js';
import { smokeEnv } from './run-under.js';
import { inspectInterpreter } from '../interpreter/current.js';
import { parseTarget } from '../targets/target.js';
import { localPythonCandidates } from '../interpreter/discover.js';

const work = mkdtempSync(join(tmpdir(), 'pexkit-smoke-'));
const cacheDir = join(work, 'cache');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const minor = (python: string): string =>
  execFileSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
    encoding: 'utf8',
  }).trim();

// Two pyenv CPythons of different minors: `a` describes `current` (python3 on a private PATH).
const found = pythons();
const a = found.find((p) => minor(p) === '3.11') ?? found[0];
const b = found.find((p) => p !== a && minor(p) !== minor(a ?? ''));
const bin = join(work, 'bin');
/** Only the two interpreters, on PATH; no pyenv: the runs are deterministic. */
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: bin,
  PYENV_ROOT: join(work, 'no-pyenv'),
  PEXKIT_PYTHON: undefined,
};
delete env['PEXKIT_PYTHON'];

const APP: Record<string, string> = {
  'src/smokeapp/__init__.py': '',
  'src/smokeapp/ok.py':
    'import sys\n\ndef main():\n    print("usage: smokeapp", " ".join(sys.argv[1:]), sys.version_info[:2])\n',
  'src/smokeapp/boom.py': 'def main():\n    raise RuntimeError("boom at start-up")\n',
  'src/smokeapp/hidden.py':
    'import traceback\n\ndef main():\n    try:\n        import no_such_module  # noqa\n    except ImportError:\n        traceback.print_exc()\n    return 0\n',
  'src/smokeapp/where.py':
    'import sys\n\ndef main():\n    print("file", __file__)\n    print("exe", sys.executable)\n    print("args", sys.argv[1:])\n',
};

function project(root: string): FirstPartyProject {
  return {
    name: 'smokeapp',
    version: '1.0.0',
    root,
    sourceRoots: [join(root, 'src')],
    scripts: {},
    guiScripts: {},
    entryPoints: {},
    dependencies: [],
    requiresPython: '>=3.8',
  };
}

async function pexOf(entryPoint: string, targets: string[], constraints = ['>=3.8']) {
  const main = project(join(work, 'app'));
  const plan: BuildPlan = {
    main,
    firstParty: [main],
    requirements: [],
    projects: [],
    targets,
    interpreterConstraints: constraints,
  };
  const output = join(
    work,
    `${entryPoint.replace(/\W/g, '_')}-${targets.length}-${constraints.join('_').replace(/\W/g, '')}.pex`,
  );
  await writePex(plan, { output, entryPoint, cacheDir });
  return output;
}

beforeAll(() => {
  writeTree(join(work, 'app'), APP);
  mkdirSync(bin);
  if (a !== undefined) symlinkSync(a, join(bin, 'python3'));
  if (b !== undefined) symlinkSync(b, join(bin, `python${minor(b)}`));
});

const haveTwo = a !== undefined && b !== undefined;

describe.skipIf(!haveTwo)('smokePex', () => {
  it('passes a healthy PEX under every interpreter one of its targets describes, each cold', async () => {
    const other = `manylinux2014_x86_64-cp-${minor(b!).replace('.', '')}-cp${minor(b!).replace('.', '')}`;
    const pex = await pexOf('smokeapp.ok:main', ['current', other]);
    const report = await smokePex({ pex, env, cacheDir });
    expect(report.ok).toBe(true);
    expect(report.args).toEqual(['--help']);
    expect(report.runs.map((r) => [r.python, r.target, r.ok])).toEqual([
      [join(bin, 'python3'), 'current', true],
      [join(bin, `python${minor(b!)}`), other, true],
    ]);
    // `--help` reached the entry point, under the interpreter named (no re-exec elsewhere).
    expect(report.runs[1]?.output).toContain(
      `usage: smokeapp --help (${minor(b!).replace('.', ', ')})`,
    );
    const text = formatSmokeReport(report);
    expect(text).toMatch(/PASS {2}CPython 3\.\d+\.\d+ +\S+python3 {2}\(target current/);
    expect(text).toContain('passed: 2 of 2 interpreter(s) passed');
  });

  it('runs each interpreter with an empty PEX_ROOT of its own and given arguments', async () => {
    const pex = await pexOf('smokeapp.where:main', ['current']);
    const first = await smokePex({ pex, env, cacheDir, args: ['x'] });
    const again = await smokePex({ pex, env, cacheDir, args: ['x'] });
    const out = first.runs[0]?.output ?? '';
    expect(first.runs).toHaveLength(1);
    // The code was extracted (a cold start) into a fresh PEX_ROOT, a new one per run.
    const root = /file (\/\S*pexkit-smoke-\w+\/pex_root)\/code\//.exec(out)?.[1];
    expect(root).toBeDefined();
    expect(again.runs[0]?.output).not.toContain(root);
    expect(out).toContain(`exe ${join(bin, 'python3')}`);
    expect(out).toContain("args ['x']");
  });

  it('fails a PEX whose entry point raises, showing the traceback', async () => {
    const pex = await pexOf('smokeapp.boom:main', ['current']);
    const report = await smokePex({ pex, env, cacheDir });
    expect(report.ok).toBe(false);
    const run = report.runs[0];
    expect(run?.exitCode).toBe(1);
    expect(run?.traceback).toBe(true);
    const text = formatSmokeReport(report);
    expect(text).toMatch(/FAIL {2}CPython .*exit 1\)/);
    expect(text).toContain('| RuntimeError: boom at start-up');
    expect(text).toContain('FAILED: 0 of 1 interpreter(s) passed');
  });

  it('fails a PEX that prints a traceback and exits 0', async () => {
    const pex = await pexOf('smokeapp.hidden:main', ['current']);
    const report = await smokePex({ pex, env, cacheDir });
    expect(report.runs[0]?.exitCode).toBe(0);
    expect(report.runs[0]?.traceback).toBe(true);
    expect(report.ok).toBe(false);
    expect(formatSmokeReport(report)).toContain('exit 0 but printed a traceback');
  });

  it('skips interpreters the constraints exclude, and fails when none is left', async () => {
    const pex = await pexOf('smokeapp.ok:main', ['current'], ['CPython<3.0']);
    const report = await smokePex({ pex, env, cacheDir });
    expect(report.runs).toEqual([]);
    expect(report.ok).toBe(false);
    expect(report.skipped.map((s) => s.reason).join('\n')).toMatch(
      /CPython 3\.\d+\.\d+ does not satisfy CPython<3\.0/,
    );
    expect(formatSmokeReport(report)).toContain('FAILED: no interpreter on this machine fits');
  });

  it('names a missing PEX or a file that is not one', async () => {
    await expect(smokePex({ pex: join(work, 'nope.pex'), env, cacheDir })).rejects.toThrow(
      /nope\.pex does not exist \(build it first\)/,
    );
    await expect(
      smokePex({ pex: join(work, 'app/src/smokeapp/ok.py'), env, cacheDir }),
    ).rejects.toThrow(/ok\.py is not a PEX/);
  });
});

describe('interpreter matching and the run environment', () => {
  it.skipIf(a === undefined)(
    'matches a target by implementation, minor, ABI and platform; constraints as the runtime reads them',
    async () => {
      const info = await inspectInterpreter(a, { cacheDir });
      const [major, min] = info.version;
      const same = `manylinux2014_x86_64-cp-${major}${min}-cp${major}${min}`;
      const older = `manylinux2014_x86_64-cp-${major}${min - 1}-cp${major}${min - 1}`;
      const mac = `macosx_11_0_arm64-cp-${major}${min}-cp${major}${min}`;
      const t = (name: string) => ({ name, target: parseTarget(name) });
      expect(interpreterVerdict(info, [t(older), t(same)], [])).toEqual({
        fits: true,
        target: same,
      });
      expect(interpreterVerdict(info, [t(older), t(mac)], [])).toMatchObject({ fits: false });
      expect(unsatisfiedConstraints(['PyPy', `CPython==${major}.${min}.*`], info)).toBeUndefined();
      expect(unsatisfiedConstraints(['PyPy>=3'], info)).toMatch(/does not satisfy PyPy>=3/);
    },
  );

  it('drops PEX_* settings and PYTHONPATH, pins the interpreter and the PEX_ROOT', () => {
    const out = smokeEnv(
      {
        PATH: '/bin',
        PEX_ROOT: '/shared',
        PEX_VERBOSE: '9',
        PEX_INHERIT_PATH: 'prefer',
        PYTHONPATH: '/evil',
      },
      '/py/bin/python3',
      '/tmp/x/pex_root',
    );
    expect(out).toEqual({
      PATH: '/bin',
      PEX_ROOT: '/tmp/x/pex_root',
      PEX_PYTHON: '/py/bin/python3',
      PYTHONIOENCODING: 'utf-8',
    });
  });

  it('finds pyenv installs and PATH programs, skipping pyenv shims', () => {
    const root = join(work, 'discover');
    for (const dir of [
      'pyenv/versions/3.12.1/bin',
      'pyenv/versions/pypy3.10-7.3.17/bin',
      'path',
      'pyenv/shims',
    ])
      mkdirSync(join(root, dir), { recursive: true });
    const exe = (p: string) => {
      writeTree(root, { [p]: '#!/bin/sh\n' });
      execFileSync('chmod', ['+x', join(root, p)]);
    };
    exe('pyenv/versions/3.12.1/bin/python3');
    exe('pyenv/versions/pypy3.10-7.3.17/bin/pypy3');
    exe('path/python3.11');
    exe('path/python3-config');
    exe('pyenv/shims/python3.12');
    writeTree(root, { 'path/python3.9': 'not executable' });
    const found = localPythonCandidates({
      PYENV_ROOT: join(root, 'pyenv'),
      PATH: [join(root, 'path'), join(root, 'pyenv/shims')].join(':'),
    });
    expect(found).toEqual([
      join(root, 'pyenv/versions/pypy3.10-7.3.17/bin/pypy3'),
      join(root, 'pyenv/versions/3.12.1/bin/python3'),
      join(root, 'path/python3.11'),
    ]);
    expect(readdirSync(join(root, 'path'))).toContain('python3.9');
  });
});

describe('pexkit smoke arguments', () => {
  it('takes one PEX, the PEX arguments after --, --python, --timeout', () => {
    expect(
      parseSmokeArgs([
        'app.pex',
        '--python',
        'python3.12',
        '--timeout',
        '30',
        '--',
        'serve',
        '--check',
      ]),
    ).toMatchObject({
      options: {
        pex: 'app.pex',
        args: ['serve', '--check'],
        python: ['python3.12'],
        timeoutMs: 30_000,
      },
      json: false,
    });
    expect(parseSmokeArgs(['app.pex']).options.args).toBeUndefined();
    expect(() => parseSmokeArgs([])).toThrow(/give the PEX to run/);
    expect(() => parseSmokeArgs(['a.pex', 'b.pex'])).toThrow(/one PEX at a time/);
    expect(() => parseSmokeArgs(['a.pex', '--timeout', '0'])).toThrow(
      /--timeout must be a positive/,
    );
  });
});
