import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUvLock } from '../lock/uv-lock.js';
import { loadLock } from '../lock/load.js';
import { parseRequirements } from '../lock/requirements.js';
import { parsePylock } from '../lock/pylock.js';
import { parseTarget } from '../targets/target.js';
import { findWorkspace, type Workspace } from '../project/workspace.js';
import { parsePyproject, type PyprojectInfo } from '../project/pyproject.js';
import type { Lock } from '../lock/model.js';
import { REPO_ROOT } from '../testing/python-tools.js';
import { MarkerNeedsCompletePlatformError } from './markers.js';
import {
  lockSubset,
  setSharedSubsetWalks,
  subsetForTarget,
  subsetHash,
  type SubsetRoots,
} from './subset.js';

const H = (c: string) => `sha256:${c.repeat(64)}`;
const wheel = (file: string, c: string) =>
  `{ url = "https://files.example/${file}", hash = "${H(c)}", size = 1 }`;

const LOCK = `version = 1
revision = 3
requires-python = ">=3.9"
resolution-markers = ["python_full_version >= '3.12'", "python_full_version < '3.12'"]

[manifest]
members = ["app", "lib", "other"]

[[package]]
name = "app"
version = "1.0"
source = { editable = "app" }
dependencies = [
    { name = "lib" },
    { name = "attrs" },
    { name = "colorama", marker = "sys_platform == 'win32'" },
    { name = "old", version = "1.0", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version < '3.12'" },
    { name = "old", version = "2.0", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version >= '3.12'" },
]

[package.optional-dependencies]
fast = [{ name = "speedy", extra = ["turbo"] }]

[[package]]
name = "lib"
version = "0.1"
source = { editable = "lib" }
dependencies = [{ name = "six" }]

[package.optional-dependencies]
kernel = [{ name = "kernel-only", marker = "platform_release >= '6'" }]

[[package]]
name = "other"
version = "0.1"
source = { editable = "other" }
dependencies = [{ name = "unrelated" }]

[[package]]
name = "attrs"
version = "23.2.0"
source = { registry = "https://pypi.org/simple" }
wheels = [${wheel('attrs-23.2.0-py3-none-any.whl', 'a')}]

[[package]]
name = "colorama"
version = "0.4.6"
source = { registry = "https://pypi.org/simple" }
wheels = [${wheel('colorama-0.4.6-py2.py3-none-any.whl', 'c')}]

[[package]]
name = "old"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version < '3.12'"]
wheels = [${wheel('old-1.0-py3-none-any.whl', 'd')}]

[[package]]
name = "old"
version = "2.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version >= '3.12'"]
wheels = [${wheel('old-2.0-py3-none-any.whl', 'e')}]

[[package]]
name = "six"
version = "1.16.0"
source = { registry = "https://pypi.org/simple" }
wheels = [${wheel('six-1.16.0-py2.py3-none-any.whl', 'f')}]

[[package]]
name = "kernel-only"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
wheels = [${wheel('kernel_only-1.0-py3-none-any.whl', '1')}]

[[package]]
name = "speedy"
version = "3.0"
source = { registry = "https://pypi.org/simple" }
wheels = [${wheel('speedy-3.0-py3-none-any.whl', '2')}]

[package.optional-dependencies]
turbo = [{ name = "turbo-core", marker = "python_version >= '3.10'" }]

[[package]]
name = "turbo-core"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
wheels = [${wheel('turbo_core-1.0-py3-none-any.whl', '3')}]

[[package]]
name = "unrelated"
version = "9.9"
source = { registry = "https://pypi.org/simple" }
wheels = [${wheel('unrelated-9.9-py3-none-any.whl', '4')}]
`;

const names = (entries: Array<{ pkg: { name: string; version?: string } }>) =>
  entries.map((e) => `${e.pkg.name}==${e.pkg.version}`);
const APP: SubsetRoots = { firstParty: ['app'], requirements: [] };
const LIBK: SubsetRoots = {
  firstParty: ['app', 'lib'],
  extras: { lib: ['kernel'] },
  requirements: [],
};

describe('subsetForTarget (uv.lock)', () => {
  const lock = parseUvLock(LOCK, '/ws/uv.lock');
  const linux311 = parseTarget('manylinux2014_x86_64-cp-311-cp311');
  const complete = {
    ...linux311,
    source: 'complete.json',
    markerEnvironment: {
      ...linux311.markerEnvironment,
      platform_release: '6.1.0',
      python_full_version: '3.11.4',
    },
    unknownMarkers: [],
  };

  it('follows edges whose markers hold, picks the uv fork for the target, skips unrelated members', () => {
    expect(() => subsetForTarget(lock, LIBK, linux311)).toThrow(MarkerNeedsCompletePlatformError);
    const sub = subsetForTarget(lock, LIBK, complete);
    expect(names(sub)).toEqual(['attrs==23.2.0', 'kernel-only==1.0', 'old==1.0', 'six==1.16.0']);
    expect(
      names(subsetForTarget(lock, { firstParty: ['app', 'lib'], requirements: [] }, linux311)),
    ).toEqual(['attrs==23.2.0', 'old==1.0', 'six==1.16.0']);
    const win312 = subsetForTarget(lock, LIBK, {
      ...parseTarget('win_amd64-cp-3.12.1-cp312'),
      markerEnvironment: {
        ...parseTarget('win_amd64-cp-3.12.1-cp312').markerEnvironment,
        platform_release: '10',
      },
    });
    expect(names(win312)).toEqual([
      'attrs==23.2.0',
      'colorama==0.4.6',
      'kernel-only==1.0',
      'old==2.0',
      'six==1.16.0',
    ]);
    expect(sub.find((e) => e.pkg.name === 'unrelated')).toBeUndefined();
  });

  it('names the marker, the edge and the lock when an abbreviated target lacks a variable', () => {
    expect(() => subsetForTarget(lock, LIBK, linux311)).toThrow(
      /the dependency of lib 0\.1 on 'kernel-only' in \/ws\/uv\.lock: marker "platform_release >= '6'" needs "platform_release", which target manylinux2014_x86_64-cp-311-cp311 does not define.*--complete-platform/,
    );
  });

  it('activates requested extras transitively, resolving markers inside them', () => {
    const sub = subsetForTarget(
      lock,
      { firstParty: ['app'], extras: { app: ['fast'] }, requirements: [] },
      parseTarget('macosx_11_0_arm64-cp-312-cp312'),
    );
    expect(names(sub)).toEqual([
      'attrs==23.2.0',
      'old==2.0',
      'six==1.16.0',
      'speedy==3.0',
      'turbo-core==1.0',
    ]);
    expect(sub.find((e) => e.pkg.name === 'speedy')?.extras).toEqual(['turbo']);
    expect(sub.find((e) => e.pkg.name === 'speedy')?.requires).toEqual([
      "turbo-core; python_version >= '3.10'",
    ]);
    const sub39 = subsetForTarget(
      lock,
      { firstParty: ['app'], extras: { app: ['fast'] }, requirements: [] },
      parseTarget('macosx_11_0_arm64-cp-39-cp39'),
    );
    expect(names(sub39)).toEqual(['attrs==23.2.0', 'old==1.0', 'six==1.16.0', 'speedy==3.0']);
    expect(() =>
      subsetForTarget(
        lock,
        { firstParty: ['app'], extras: { app: ['nope'] }, requirements: [] },
        linux311,
      ),
    ).toThrow(/'app' has no extra 'nope'/);
  });

  it('bounds an abbreviated python_full_version by the minor series', () => {
    // `python_full_version < '3.12'` is decidable for cp-311 (3.11.0 … 3.11.999 agree).
    expect(names(subsetForTarget(lock, APP, linux311))).toEqual([
      'attrs==23.2.0',
      'old==1.0',
      'six==1.16.0',
    ]);
  });

  it('reports members missing from the lock', () => {
    expect(() =>
      subsetForTarget(lock, { firstParty: ['app', 'ghost'], requirements: [] }, linux311),
    ).toThrow(/first-party project 'ghost' is not in the lock/);
  });
});

describe('lockSubset / subsetHash', () => {
  const lock = parseUvLock(LOCK, '/ws/uv.lock');

  it('keeps every marker branch but never unrelated packages', () => {
    expect(names(lockSubset(lock, APP).entries)).toEqual([
      'attrs==23.2.0',
      'colorama==0.4.6',
      'old==1.0',
      'old==2.0',
      'six==1.16.0',
    ]);
  });

  it('is stable under unrelated changes and changes with related ones', () => {
    const base = subsetHash(lockSubset(lock, APP));
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    const unrelatedBump = LOCK.replace(
      'name = "unrelated"\nversion = "9.9"',
      'name = "unrelated"\nversion = "10.0"',
    ).replace('unrelated-9.9', 'unrelated-10.0');
    expect(subsetHash(lockSubset(parseUvLock(unrelatedBump, '/ws/uv.lock'), APP))).toBe(base);
    const reordered = LOCK.split('\n[[package]]\n');
    const swapped = [reordered[0], ...reordered.slice(1).reverse()].join('\n[[package]]\n');
    expect(subsetHash(lockSubset(parseUvLock(swapped, '/ws/uv.lock'), APP))).toBe(base);
    const relatedBump = LOCK.replace(H('a'), H('b'));
    expect(subsetHash(lockSubset(parseUvLock(relatedBump, '/ws/uv.lock'), APP))).not.toBe(base);
    expect(subsetHash(lockSubset(lock, { ...APP, extras: { app: ['fast'] } }))).not.toBe(base);
    expect(subsetHash(lockSubset(lock, LIBK))).not.toBe(base);
  });

  it('takes a workspace and project name (the form the Nx plugin calls)', () => {
    const ws = findWorkspace(join(REPO_ROOT, 'examples/hello-service'));
    const ex = loadLock(join(REPO_ROOT, 'examples/uv.lock'));
    const app = lockSubset(ex, ws, 'hello-service');
    expect(app.roots.firstParty).toEqual(['hello-service', 'greeting']);
    expect(names(app.entries).map((n) => n.split('==')[0])).toContain('rich');
    expect(names(app.entries).some((n) => n.startsWith('pytest'))).toBe(false);
    const lib = lockSubset(ex, ws, 'greeting');
    expect(subsetHash(lib)).not.toBe(subsetHash(app));
    // The same lock content elsewhere on disk hashes the same (portable cache keys).
    const moved = parseUvLock(
      readFileSync(join(REPO_ROOT, 'examples/uv.lock'), 'utf8'),
      '/elsewhere/uv.lock',
    );
    expect(subsetHash(lockSubset(moved, ws, 'greeting'))).toBe(subsetHash(lib));
  });

  it('works on the examples workspace lock', () => {
    const ex = loadLock(join(REPO_ROOT, 'examples/uv.lock'));
    const sub = lockSubset(ex, { firstParty: ['greeting'], requirements: [] }).entries;
    expect(names(sub).map((n) => n.split('==')[0])).toEqual(['attrs']);
  });
});

describe('many subsets of one big workspace (the Nx plugin and nx sync: one per project)', () => {
  /** A chain of `n` members (m0 <- m1 <- ... ), each also needing one of ten registry packages. */
  function chain(n: number): { lock: Lock; workspace: Workspace; reads: () => number } {
    const members = new Map<string, PyprojectInfo>();
    const lockParts = ['version = 1', 'revision = 3', '', '[manifest]'];
    lockParts.push(`members = [${Array.from({ length: n }, (_, i) => `"m${i}"`).join(', ')}]`, '');
    for (let i = 0; i < n; i++) {
      const deps = [`"dep${i % 10}"`, ...(i > 0 ? [`"m${i - 1}"`] : [])];
      const text = [
        '[project]',
        `name = "m${i}"`,
        'version = "1"',
        `dependencies = [${deps.join(', ')}]`,
        ...(i > 0 ? ['[tool.uv.sources]', `m${i - 1} = { workspace = true }`] : []),
      ].join('\n');
      members.set(`m${i}`, parsePyproject(text, `/ws/m${i}/pyproject.toml`));
      lockParts.push(
        '[[package]]',
        `name = "m${i}"`,
        'version = "1"',
        `source = { editable = "m${i}" }`,
        `dependencies = [${deps.map((d) => `{ name = ${d} }`).join(', ')}]`,
        '',
      );
    }
    for (let d = 0; d < 10; d++)
      lockParts.push(
        '[[package]]',
        `name = "dep${d}"`,
        'version = "1.0"',
        'source = { registry = "https://pypi.org/simple" }',
        `wheels = [${wheel(`dep${d}-1.0-py3-none-any.whl`, String(d))}]`,
        '',
      );
    const parsed = parseUvLock(lockParts.join('\n'), '/ws/uv.lock');
    let count = 0;
    const lock = new Proxy(parsed, {
      get(target, prop, receiver) {
        if (prop === 'packages') count++;
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const workspace = { root: '/ws', rootPyproject: '/ws/pyproject.toml', members };
    return { lock, workspace, reads: () => count };
  }

  it("reads the lock's package list once, not once per project (which made 5,000 projects quadratic)", () => {
    const { lock, workspace, reads } = chain(400);
    const hashes = new Set<string>();
    for (let i = 0; i < 400; i++) hashes.add(subsetHash(lockSubset(lock, workspace, `m${i}`)));
    expect(hashes.size).toBe(400);
    expect(reads()).toBeLessThanOrEqual(2);
    // The results are the closures: m399 reaches every member and all ten packages.
    const last = lockSubset(lock, workspace, 'm399');
    expect(last.roots.firstParty).toHaveLength(400);
    expect(last.members.map((m) => m.name)).toHaveLength(400);
    expect(names(last.entries)).toHaveLength(10);
    expect(names(lockSubset(lock, workspace, 'm3').entries)).toEqual([
      'dep0==1.0',
      'dep1==1.0',
      'dep2==1.0',
      'dep3==1.0',
    ]);
  });
});

describe('the shared walk of many projects over one lock (nx sync at thousands of projects)', () => {
  /** Deterministic pseudo-random numbers. */
  function rng(seed: number): () => number {
    let x = seed >>> 0;
    return () => (x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  }

  /**
   * A random uv workspace lock: members depending on earlier members (some through extras) and
   * on registry packages with extras, platform markers, conflict-encoded extra markers, cycles
   * and a package locked twice (a marker fork).
   */
  function randomWorkspace(seed: number, n: number) {
    const rand = rng(seed);
    const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)] as T;
    const third = Array.from({ length: 30 }, (_, i) => `p${i}`);
    const markers = [
      undefined,
      "sys_platform == 'win32'",
      "python_version < '3.10'",
      "extra == 'extra-2-m1-gpu'",
      "extra != 'extra-2-m1-gpu'",
    ];
    const edge = (name: string, extras: string[] = []) => {
      const m = pick(markers);
      const parts = [`name = "${name}"`];
      if (extras.length > 0) parts.push(`extra = [${extras.map((e) => `"${e}"`).join(', ')}]`);
      if (m !== undefined) parts.push(`marker = "${m}"`);
      return `{ ${parts.join(', ')} }`;
    };
    const members = new Map<string, PyprojectInfo>();
    const lockParts = ['version = 1', 'revision = 3', '', '[manifest]'];
    lockParts.push(`members = [${Array.from({ length: n }, (_, i) => `"m${i}"`).join(', ')}]`, '');
    for (let i = 0; i < n; i++) {
      const firstParty = i > 0 ? [...new Set([pick([...Array(i).keys()]), i - 1])] : [];
      const thirdParty = [pick(third), pick(third)];
      const extraDeps = [pick(third)];
      const text = [
        '[project]',
        `name = "m${i}"`,
        'version = "1"',
        `dependencies = [${[...firstParty.map((j) => `"m${j}"`), ...thirdParty.map((t) => `"${t}"`)].join(', ')}]`,
        '[project.optional-dependencies]',
        `gpu = [${extraDeps.map((t) => `"${t}[fast]"`).join(', ')}]`,
        ...(firstParty.length > 0
          ? ['[tool.uv.sources]', ...firstParty.map((j) => `m${j} = { workspace = true }`)]
          : []),
      ].join('\n');
      members.set(`m${i}`, parsePyproject(text, `/ws/m${i}/pyproject.toml`));
      lockParts.push(
        '[[package]]',
        `name = "m${i}"`,
        'version = "1"',
        `source = { editable = "m${i}" }`,
        `dependencies = [${[...firstParty.map((j) => edge(`m${j}`)), ...thirdParty.map((t) => edge(t))].join(', ')}]`,
        '',
        '[package.optional-dependencies]',
        `gpu = [${extraDeps.map((t) => edge(t, ['fast'])).join(', ')}]`,
        '',
      );
    }
    for (const [i, name] of third.entries()) {
      const versions = i === 7 ? ['1.0', '2.0'] : ['1.0'];
      for (const version of versions) {
        const deps = [edge(pick(third)), ...(rand() < 0.5 ? [edge(pick(third), ['fast'])] : [])];
        lockParts.push(
          '[[package]]',
          `name = "${name}"`,
          `version = "${version}"`,
          'source = { registry = "https://pypi.org/simple" }',
          ...(versions.length > 1
            ? [`resolution-markers = ["python_version ${version === '1.0' ? '<' : '>='} '3.10'"]`]
            : []),
          `dependencies = [${deps.join(', ')}]`,
          `wheels = [${wheel(`${name}-${version}-py3-none-any.whl`, String(i % 10))}]`,
          '',
          '[package.optional-dependencies]',
          `fast = [${edge(pick(third))}]`,
          '',
        );
      }
    }
    const lock = parseUvLock(lockParts.join('\n'), '/ws/uv.lock');
    const workspace = { root: '/ws', rootPyproject: '/ws/pyproject.toml', members };
    return { lock, workspace };
  }

  it('gives every project the subset (and hash) the plain walk gives', () => {
    for (const seed of [1, 2, 3]) {
      const { lock, workspace } = randomWorkspace(seed, 60);
      const subsets = (shared: boolean) => {
        setSharedSubsetWalks(shared);
        try {
          const out: string[] = [];
          for (let i = 0; i < 60; i++)
            for (const extras of [[], ['gpu']]) {
              const sub = lockSubset(lock, workspace, `m${i}`, extras);
              out.push(
                JSON.stringify({
                  hash: subsetHash(sub),
                  entries: sub.entries.map((e) => [
                    e.pkg.name,
                    e.pkg.version,
                    e.extras,
                    e.requires,
                  ]),
                }),
              );
            }
          return out;
        } finally {
          setSharedSubsetWalks(true);
        }
      };
      const plain = subsets(false);
      expect(subsets(true)).toEqual(plain);
      // The fixture is not trivial: extras and conflict markers change some subsets.
      expect(new Set(plain).size).toBeGreaterThan(60);
    }
  });

  it("walks each registry package's edges once per lock, not once per project", () => {
    const { lock, workspace } = randomWorkspace(4, 200);
    const reads = new Map<string, number>();
    for (const pkg of lock.packages) {
      if (pkg.source.kind !== 'registry') continue;
      const dependencies = pkg.dependencies;
      Object.defineProperty(pkg, 'dependencies', {
        get: () => {
          reads.set(pkg.name, (reads.get(pkg.name) ?? 0) + 1);
          return dependencies;
        },
      });
    }
    for (let i = 0; i < 200; i++) subsetHash(lockSubset(lock, workspace, `m${i}`));
    // Read once per closure of a fact that reaches it (60 facts: 30 packages, base and `fast`)
    // and once for its requirement lines, however many projects reach it; a walk per project
    // reads it once per project reaching it (about 200 here).
    expect(Math.max(...reads.values())).toBeLessThanOrEqual(61);
  });
});

describe('PEP 751 locks with dependency edges', () => {
  it('walks from the root requirements, honouring package markers', () => {
    const wheelT = (n: string, c: string) =>
      `wheels = [{ url = "https://h/${n}-1.0-py3-none-any.whl", hashes = { sha256 = "${c.repeat(64)}" } }]`;
    const text = [
      'lock-version = "1.0"',
      '[[packages]]\nname = "a"\nversion = "1.0"\ndependencies = [{ name = "b" }]\n' +
        wheelT('a', 'a'),
      '[[packages]]\nname = "b"\nversion = "1.0"\nmarker = "sys_platform == \'win32\'"\n' +
        wheelT('b', 'b'),
      '[[packages]]\nname = "c"\nversion = "1.0"\n' + wheelT('c', 'c'),
    ].join('\n\n');
    const lock = parsePylock(text, '/p/pylock.toml');
    expect(lock.hasEdges).toBe(true);
    const roots: SubsetRoots = {
      firstParty: ['app'],
      requirements: ['a>=1', "zz; python_version < '3'"],
    };
    expect(
      names(subsetForTarget(lock, roots, parseTarget('manylinux2014_x86_64-cp-311-cp311'))),
    ).toEqual(['a==1.0']);
    expect(names(subsetForTarget(lock, roots, parseTarget('win_amd64-cp-311-cp311')))).toEqual([
      'a==1.0',
      'b==1.0',
    ]);
    expect(names(lockSubset(lock, roots).entries)).toEqual(['a==1.0', 'b==1.0']);
  });
});

describe('requirements files with # via annotations', () => {
  // What `uv export --all-packages` writes for a workspace: app and other are members.
  const TEXT = [
    '-e ./app',
    '-e ./other',
    'attrs==23.2.0',
    '    # via app',
    'colorama==0.4.6 \\',
    "    ; sys_platform == 'win32'",
    '    # via',
    '    #   click',
    '    #   pytest',
    'click==8.1.7',
    '    # via app',
    'pytest==8.0.0',
    'only-other==1.0',
    '    # via other',
    'deep==2.0',
    '    # via only-other',
    'from-in==3.0',
    '    # via -r requirements.in',
    'named==4.0',
    '    # via app (pyproject.toml)',
    '',
  ].join('\n');

  it("keeps what the closure reaches, drops other members' and groups' packages", () => {
    const lock = parseRequirements(TEXT, '/w/requirements.txt');
    expect(lock.packages.find((p) => p.name === 'colorama')?.via).toEqual(['click', 'pytest']);
    expect(lock.packages.find((p) => p.name === 'from-in')?.via).toEqual(['-r requirements.in']);
    const roots: SubsetRoots = { firstParty: ['app'], requirements: ['attrs', 'click>=8'] };
    expect(names(subsetForTarget(lock, roots, parseTarget('win_amd64-cp-311-cp311')))).toEqual([
      'attrs==23.2.0',
      'click==8.1.7',
      'colorama==0.4.6',
      'from-in==3.0',
      'named==4.0',
    ]);
    expect(
      names(subsetForTarget(lock, roots, parseTarget('manylinux2014_x86_64-cp-311-cp311'))),
    ).toEqual(['attrs==23.2.0', 'click==8.1.7', 'from-in==3.0', 'named==4.0']);
    expect(names(lockSubset(lock, { firstParty: ['other'], requirements: [] }).entries)).toEqual([
      'deep==2.0',
      'from-in==3.0',
      'only-other==1.0',
    ]);
  });
});

describe('flat locks', () => {
  it('filters requirements by marker per target', () => {
    const lock = parseRequirements(
      "six==1.16.0\ncolorama==0.4.6 ; sys_platform == 'win32'\nold==1.0 ; python_version < '3.12'\nold==2.0 ; python_version >= '3.12'\n",
      '/r.txt',
    );
    expect(names(subsetForTarget(lock, APP, parseTarget('win_amd64-cp-312-cp312')))).toEqual([
      'colorama==0.4.6',
      'old==2.0',
      'six==1.16.0',
    ]);
    expect(
      names(subsetForTarget(lock, APP, parseTarget('manylinux2014_x86_64-cp-311-cp311'))),
    ).toEqual(['old==1.0', 'six==1.16.0']);
    const overlap = parseRequirements("old==1.0\nold==2.0 ; python_version >= '3.12'\n", '/r.txt');
    expect(() => subsetForTarget(overlap, APP, parseTarget('win_amd64-cp-312-cp312'))).toThrow(
      /several entries for 'old' apply to target win_amd64-cp-312-cp312/,
    );
  });
});
