/**
 * Differential test: for every committed fixture lock, every member × extra / group × 3 targets,
 * pexkit's per-target subset equals an independent walk in Python (test-fixtures/walk_lock.py:
 * tomllib + pypa `packaging` markers, uv's conflict-marker semantics written out separately).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { subsetForTarget, type SubsetRoots } from '../resolve/subset.js';
import { parseTarget, type Target } from '../targets/target.js';
import { runOracle } from '../testing/differential.js';
import { REPO_ROOT } from '../testing/python-tools.js';
import { loadLock } from './load.js';
import type { Lock } from './model.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FX = join(HERE, 'test-fixtures');
const WALKER = join(FX, 'walk_lock.py');

const TARGETS: Target[] = [
  parseTarget('manylinux2014_x86_64-cp-311-cp311'),
  parseTarget('macosx_11_0_arm64-cp-312-cp312'),
  parseTarget('win_amd64-cp-310-cp310'),
];

interface Case {
  lock: string;
  member: string;
  extras: string[];
  groups: string[];
  env: Record<string, string>;
}

/** The marker environment the walker gets: the target's, with the patch release at `.0`. */
function envOf(target: Target): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(target.markerEnvironment))
    if (typeof v === 'string') env[k] = v;
  const pv = env['python_version'];
  if (pv !== undefined) {
    env['python_full_version'] ??= `${pv}.0`;
    env['implementation_version'] ??= `${pv}.0`;
  }
  return env;
}

/** Members and their single extras / groups (conflicting pairs are tested elsewhere). */
function requests(lock: Lock): Array<{ member: string; extras: string[]; groups: string[] }> {
  const out: Array<{ member: string; extras: string[]; groups: string[] }> = [];
  if (lock.format === 'uv.lock') {
    for (const member of lock.members) {
      const pkg = lock.packages.find((p) => p.name === member);
      out.push({ member, extras: [], groups: [] });
      for (const extra of Object.keys(pkg?.optionalDependencies ?? {}))
        out.push({ member, extras: [extra], groups: [] });
      for (const group of Object.keys(pkg?.dependencyGroups ?? {})) {
        out.push({ member, extras: [], groups: [group] });
        for (const extra of Object.keys(pkg?.optionalDependencies ?? {}))
          out.push({ member, extras: [extra], groups: [group] });
      }
    }
  } else {
    out.push({ member: 'app', extras: [], groups: [] });
    for (const extra of lock.extras ?? []) out.push({ member: 'app', extras: [extra], groups: [] });
    for (const group of lock.dependencyGroups ?? []) {
      out.push({ member: 'app', extras: [], groups: [group] });
      for (const extra of lock.extras ?? [])
        out.push({ member: 'app', extras: [extra], groups: [group] });
    }
  }
  return out;
}

const LOCKS = [
  join(FX, 'uv-conflicts/uv.lock'),
  join(FX, 'uv-conflicts/pylock.toml'),
  join(FX, 'uv-conflicts/pylock.cpu.toml'),
  join(FX, 'uv-conflicts/pylock.gpu.toml'),
  join(FX, 'uv-conflicts/requirements.cpu.nohash.txt'),
  join(FX, 'pylock-groups/pylock.toml'),
  join(REPO_ROOT, 'examples/uv.lock'),
];

function pexkitAnswer(lock: Lock, c: Case, target: Target): string[] | { error: string } {
  const firstParty =
    lock.format === 'uv.lock'
      ? // The member and the workspace members it reaches (as the plan's first-party closure).
        lock.members
      : [c.member];
  const roots: SubsetRoots = {
    firstParty: lock.format === 'uv.lock' ? [c.member] : firstParty,
    extras: { [c.member]: c.extras },
    groups: { [c.member]: c.groups },
    requirements: [],
  };
  try {
    return subsetForTarget(lock, roots, target)
      .map((e) => `${e.pkg.name}==${e.pkg.version ?? 'None'}`)
      .sort();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('lock subsets vs an independent walk with pypa packaging', () => {
  it('agree for every fixture lock × member × extra/group × 3 targets', () => {
    const cases: Case[] = [];
    const mine: Array<string[] | { error: string }> = [];
    for (const path of LOCKS) {
      const lock = loadLock(path);
      for (const r of requests(lock)) {
        for (const target of TARGETS) {
          const c: Case = { lock: path, ...r, env: envOf(target) };
          cases.push(c);
          mine.push(pexkitAnswer(lock, c, target));
        }
      }
    }
    const answer = runOracle<string[] | { error: string }>(WALKER, cases);
    const disagreements = cases
      .map((c, i) => ({ c, pexkit: mine[i], python: answer.results[i] }))
      .filter(({ pexkit, python }) => JSON.stringify(pexkit) !== JSON.stringify(python))
      .map(
        ({ c, pexkit, python }) =>
          `${c.lock} ${c.member} extras=${c.extras} groups=${c.groups} ${c.env['sys_platform']}: pexkit ${JSON.stringify(pexkit)} vs python ${JSON.stringify(python)}`,
      );
    expect(disagreements).toEqual([]);
    // Every case produced packages (no silent empty answers), and there are enough of them.
    expect(mine.filter((m) => !Array.isArray(m))).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(100);
  });
});
