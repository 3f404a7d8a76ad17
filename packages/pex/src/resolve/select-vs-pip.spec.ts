import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLock } from '../lock/load.js';
import { thirdPartyLockFixtures } from '../lock/lock-fixtures.spec-util.js';
import type { Lock } from '../lock/model.js';
import { parseTarget } from '../targets/target.js';
import type { Target } from '../targets/target.js';
import { REPO_ROOT, toolsPython } from '../testing/python-tools.js';
import { selectArtifact } from './select.js';
import { subsetForTarget, type SubsetRoots } from './subset.js';

const TARGETS = [
  'manylinux2014_x86_64-cp-311-cp311',
  'manylinux2014_aarch64-cp-312-cp312',
  'macosx_11_0_arm64-cp-312-cp312',
  'win_amd64-cp-311-cp311',
  'musllinux_1_2_x86_64-cp-313-cp313',
];

const ROOTS: SubsetRoots = { firstParty: ['lockdemo'], requirements: [] };

/**
 * What real pip picks for the pins: `pip download` with --only-binary=:all: --no-deps and --platform repeated for every platform
 * the target supports, in order. Cached under tmp/ by the exact command line.
 */
function pipChoice(target: Target, pins: string[]): string[] {
  const args = ['-m', 'pip', 'download', '--quiet'];
  args.push(
    '--only-binary=:all:',
    '--no-deps',
    '--disable-pip-version-check',
    '--index-url',
    'https://pypi.org/simple',
  );
  for (const p of target.platforms) args.push('--platform', p);
  args.push(
    '--python-version',
    `${target.pythonVersion[0]}.${target.pythonVersion[1]}`,
    '--implementation',
    target.implementation,
  );
  for (const abi of target.abis) args.push('--abi', abi);
  args.push(...pins);
  const key = createHash('sha256').update(JSON.stringify(args)).digest('hex').slice(0, 24);
  const dir = join(REPO_ROOT, 'tmp/pip-choice-cache');
  const file = join(dir, `${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as string[];
  mkdirSync(dir, { recursive: true });
  // pip 23's `install --dry-run` checks requires-python against the host, not --python-version,
  // so this runs the real `pip download` into a scratch directory and keeps only the file names.
  const dest = join(dir, `${key}.download-${process.pid}`);
  let names: string[];
  try {
    execFileSync(toolsPython(), [...args, '--dest', dest], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    names = readdirSync(dest).sort();
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
  writeFileSync(`${file}.tmp-${process.pid}`, JSON.stringify(names));
  renameSync(`${file}.tmp-${process.pid}`, file);
  return names;
}

describe('wheel selection agrees with pip', () => {
  let uvLock: Lock;
  let pylock: Lock;
  beforeAll(async () => {
    const dir = await thirdPartyLockFixtures();
    uvLock = loadLock(join(dir, 'uv.lock'));
    pylock = loadLock(join(dir, 'pylock.toml'));
  });

  it.each(TARGETS)('%s', (text) => {
    const target = parseTarget(text);
    const subset = subsetForTarget(uvLock, ROOTS, target);
    const ours = subset.map((e) => {
      const s = selectArtifact(e.pkg, target);
      expect(s.kind, `${e.pkg.name} on ${text}`).toBe('wheel');
      return s.artifact.filename;
    });
    const pins = subset.map((e) => `${e.pkg.name}==${e.pkg.version ?? ''}`);
    expect(ours.sort()).toEqual(pipChoice(target, pins));
    // The PEP 751 export of the same lock yields the same packages and wheels for the target.
    const fromPylock = subsetForTarget(pylock, ROOTS, target).map(
      (e) => selectArtifact(e.pkg, target).artifact.filename,
    );
    expect(fromPylock.sort()).toEqual(ours);
    // Markers were evaluated for the target: colorama only on Windows, numpy's fork by Python.
    const names = subset.map((e) => `${e.pkg.name}==${e.pkg.version ?? ''}`);
    expect(names.some((n) => n.startsWith('colorama=='))).toBe(text.startsWith('win'));
    expect(names).toContain('numpy==2.2.6');
    expect(names).toContain('pycparser==3.12');
  });
});
