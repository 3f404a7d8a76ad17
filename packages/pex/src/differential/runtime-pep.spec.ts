/**
 * Differential suite for the PEX runtime's own standards code (`bootstrap/pexkit_boot/markers.py`):
 * the same seeded generators as the TypeScript side, answered by pypa `packaging` (once, in the
 * tools venv) and by the runtime under every interpreter the runtime supports here (CPython 3.8+,
 * PyPy). On every input packaging accepts, the runtime must give the same answer; an input
 * packaging refuses must not be accepted as a different valid one where it matters (versions).
 * Reproduce a run with PEXKIT_DIFF_SEED=<seed>.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { differentialSeed, Rng, runOracle } from '../testing/differential.js';
import { REPO_ROOT } from '../testing/python-tools.js';
import type { MarkerEnvironment } from '../pep508/marker.js';
import { candidatesFor, genSpecifierSet, genVersionText } from './pep-generators.js';
import { ENVIRONMENTS, genMarker, genRequirement } from './pep508-generators.js';

const SEED = differentialSeed();
const ORACLE = join(REPO_ROOT, 'packages/pex/src/testing/runtime-oracle.py');
const BOOTSTRAP = join(REPO_ROOT, 'packages/pex/bootstrap');

type Case =
  | { k: 'version'; s: string }
  | { k: 'compare'; a: string; b: string }
  | { k: 'contains'; s: string; v: string }
  | { k: 'marker'; s: string; env: MarkerEnvironment; extra: string }
  | { k: 'requirement'; s: string; env: MarkerEnvironment };
type Result = { ok: unknown } | { err: string };

function buildCases(seed: number): Case[] {
  const rng = new Rng(seed);
  const cases: Case[] = [];
  for (let i = 0; i < 3000; i++) cases.push({ k: 'version', s: genVersionText(rng) });
  for (let i = 0; i < 2000; i++) {
    const { shapes } = genSpecifierSet(rng);
    const [a, b] = candidatesFor(rng, shapes, 2) as [string, string];
    cases.push({ k: 'compare', a, b });
  }
  for (let i = 0; i < 3000; i++) {
    const set = genSpecifierSet(rng);
    for (const v of candidatesFor(rng, set.shapes, 2))
      cases.push({ k: 'contains', s: set.text, v });
  }
  for (let i = 0; i < 4000; i++) {
    const extra = rng.pick(['', '', 'foo', 'Foo_Bar', 'test']);
    cases.push({ k: 'marker', s: genMarker(rng), env: rng.pick(ENVIRONMENTS), extra });
  }
  for (let i = 0; i < 2000; i++)
    cases.push({ k: 'requirement', s: genRequirement(rng), env: rng.pick(ENVIRONMENTS) });
  return cases;
}

/** Every interpreter the runtime supports on this machine: pyenv CPython 3.8+ and pypy3. */
function runtimeInterpreters(): string[] {
  const root = join(homedir(), '.pyenv/versions');
  const found = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^3\.(\d+)\./.test(v) && Number(v.split('.')[1]) >= 8)
        .map((v) => join(root, v, 'bin/python3'))
        .filter((p) => existsSync(p))
    : [];
  for (const p of ['/usr/bin/pypy3', '/usr/local/bin/pypy3']) if (existsSync(p)) found.push(p);
  return found;
}

function runtimeAnswers(python: string, cases: readonly Case[]): Result[] {
  const r = spawnSync(python, ['-sE', ORACLE, 'runtime', BOOTSTRAP], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  if (r.status !== 0)
    throw new Error(`${python}: runtime oracle failed: ${r.stderr.slice(0, 2000)}`);
  return (JSON.parse(r.stdout) as { results: Result[] }).results;
}

describe(`runtime markers vs packaging (seed ${SEED})`, () => {
  const cases = buildCases(SEED);
  const want = runOracle<Result>(ORACLE, cases);
  const interpreters = runtimeInterpreters();

  it('has interpreters to test and a corpus packaging mostly accepts', () => {
    expect(interpreters.length).toBeGreaterThan(0);
    const accepted = want.results.filter((r) => 'ok' in r).length;
    expect(accepted).toBeGreaterThan(cases.length / 3);
  });

  it.each(interpreters)(
    'agrees under %s on every input packaging accepts',
    (python) => {
      const got = runtimeAnswers(python, cases);
      const bad: string[] = [];
      cases.forEach((c, i) => {
        const w = want.results[i] as Result;
        const g = got[i] as Result;
        if ('ok' in w) {
          if (JSON.stringify(w) !== JSON.stringify(g))
            bad.push(
              `${JSON.stringify(c)}: packaging ${JSON.stringify(w)}, runtime ${JSON.stringify(g)}`,
            );
        } else if (c.k === 'version' && 'ok' in g) {
          bad.push(`${JSON.stringify(c)}: packaging refuses it, the runtime accepts it`);
        }
      });
      expect(bad.slice(0, 15), `${bad.length} of ${cases.length} differ (seed ${SEED})`).toEqual(
        [],
      );
    },
    120_000,
  );
});
