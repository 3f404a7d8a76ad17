/**
 * Lock features as the real tools write them (fixtures in test-fixtures/, made by
 * tools/fixtures/make-lock-feature-fixtures.mjs with uv): uv `conflicts` (the PyTorch CPU/CUDA
 * pattern), per-edge sources, dependency groups, supported/required markers, PEP 751 groups and
 * environments, pip-style requirement lines, and fields that must not be dropped silently.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lockSubset, subsetForTarget, type SubsetRoots } from '../resolve/subset.js';
import { parseTarget } from '../targets/target.js';
import { loadLock } from './load.js';
import { parsePylock } from './pylock.js';
import { parseRequirements } from './requirements.js';
import { parseUvLock } from './uv-lock.js';
import type { Lock } from './model.js';

const FX = join(dirname(fileURLToPath(import.meta.url)), 'test-fixtures');
const CONFLICTS = join(FX, 'uv-conflicts');
const linux = parseTarget('manylinux2014_x86_64-cp-311-cp311');
const linux310 = parseTarget('manylinux2014_x86_64-cp-310-cp310');
const mac = parseTarget('macosx_11_0_arm64-cp-312-cp312');
const win = parseTarget('win_amd64-cp-310-cp310');

const uvLock = (): Lock => loadLock(join(CONFLICTS, 'uv.lock'));
const roots = (
  member: string,
  extras: string[] = [],
  groups: string[] = [],
  firstParty = ['app', 'lib'],
): SubsetRoots => ({
  firstParty,
  extras: { [member]: extras },
  groups: { [member]: groups },
  requirements: [],
});
const names = (entries: ReturnType<typeof subsetForTarget>): string[] =>
  entries.map((e) => `${e.pkg.name}==${e.pkg.version ?? ''}`);

describe('uv.lock conflicts (PyTorch CPU/CUDA pattern, made by uv)', () => {
  it('reads conflicts, supported-markers, required-markers and groups', () => {
    const lock = uvLock();
    expect(lock.conflicts).toEqual([
      [
        { package: 'app', extra: 'cpu' },
        { package: 'app', extra: 'gpu' },
      ],
      [
        { package: 'app', group: 'docs-new' },
        { package: 'app', group: 'docs-old' },
      ],
    ]);
    expect(lock.supportedMarkers).toEqual([
      "sys_platform == 'linux'",
      "sys_platform == 'win32'",
      "sys_platform == 'darwin'",
    ]);
    expect(lock.requiredMarkers).toEqual([
      "platform_machine == 'x86_64' and sys_platform == 'linux'",
    ]);
    const app = lock.packages.find((p) => p.name === 'app');
    expect(Object.keys(app?.dependencyGroups ?? {}).sort()).toEqual([
      'dev',
      'docs-new',
      'docs-old',
      'lint',
    ]);
    const cpu = app?.optionalDependencies['cpu']?.find((d) => d.name === 'mytorch');
    expect(cpu?.source).toEqual({ kind: 'registry', path: '../idx/cpu' });
  });

  it('--extra cpu keeps mytorch from the CPU index and everything it needs', () => {
    const sub = subsetForTarget(uvLock(), roots('app', ['cpu']), linux);
    expect(names(sub)).toEqual([
      'certifi==2026.10.19.post1',
      'filelock==4.2.6',
      'idna==3.20',
      'mytorch==1.0.0',
      'myvision==1.0.0',
      'typing-extensions==4.16.0',
    ]);
    expect(sub.find((e) => e.pkg.name === 'mytorch')?.pkg.source).toEqual({
      kind: 'registry',
      path: '../idx/cpu',
    });
    // The runtime never sees uv's encoded extras: decided here.
    expect(sub.find((e) => e.pkg.name === 'myvision')?.requires).toEqual(['idna', 'mytorch']);
    const torch = sub.find((e) => e.pkg.name === 'mytorch');
    expect(torch?.requires).toEqual([
      'filelock; python_full_version < "3.11" and sys_platform == "linux"',
      'filelock; python_full_version >= "3.11" and sys_platform == "linux"',
      'typing-extensions',
    ]);
  });

  it('--extra gpu takes the other mytorch (same name and version, other index)', () => {
    const sub = subsetForTarget(uvLock(), roots('app', ['gpu']), win);
    expect(names(sub)).toEqual([
      'certifi==2026.10.19.post1',
      'colorama==0.4.6',
      'idna==3.20',
      'mytorch==1.0.0',
      'myvision==1.0.0',
    ]);
    expect(sub.find((e) => e.pkg.name === 'mytorch')?.pkg.source.path).toBe('../idx/gpu');
  });

  it('a really ambiguous edge (no source given) names the sources', () => {
    const text = readFileSync(join(CONFLICTS, 'uv.lock'), 'utf8');
    const bare = text.replaceAll(
      `{ name = "mytorch", version = "1.0.0", source = { registry = "../idx/cpu" }`,
      `{ name = "mytorch", version = "1.0.0"`,
    );
    expect(bare).not.toBe(text);
    const lock = parseUvLock(bare, join(CONFLICTS, 'uv.lock'));
    expect(() => subsetForTarget(lock, roots('app', ['cpu']), linux)).toThrow(
      "'mytorch' (needed by app 0.1.0) is ambiguous for target manylinux2014_x86_64-cp-311-cp311: versions 1.0.0 (registry ../idx/cpu), 1.0.0 (registry ../idx/gpu)",
    );
  });

  it('no extra: neither mytorch', () => {
    expect(names(subsetForTarget(uvLock(), roots('app'), mac))).toEqual([
      'certifi==2026.10.19.post1',
      'idna==3.20',
    ]);
  });

  it('refuses two conflicting extras or groups, naming both', () => {
    expect(() => subsetForTarget(uvLock(), roots('app', ['cpu', 'gpu']), linux)).toThrow(
      "extra 'cpu' of 'app' and extra 'gpu' of 'app' conflict",
    );
    expect(() =>
      subsetForTarget(uvLock(), roots('app', [], ['docs-old', 'docs-new']), linux),
    ).toThrow("group 'docs-new' of 'app' and group 'docs-old' of 'app' conflict");
    expect(() => lockSubset(uvLock(), roots('app', ['cpu', 'gpu']))).toThrow(/conflict/);
  });

  it('the target-independent subset follows the chosen extra only', () => {
    const cpu = lockSubset(uvLock(), roots('app', ['cpu'])).entries;
    const torches = cpu.filter((e) => e.pkg.name === 'mytorch').map((e) => e.pkg.source.path);
    expect(torches).toEqual(['../idx/cpu']);
  });
});

describe('uv.lock dependency groups', () => {
  it('includes a requested group, with its markers and conflicts read as uv does', () => {
    expect(names(subsetForTarget(uvLock(), roots('app', [], ['lint']), mac))).toEqual([
      'certifi==2026.10.19.post1',
      'idna==3.20',
      'packaging==26.3',
      'six==1.17.0',
    ]);
    expect(names(subsetForTarget(uvLock(), roots('app', [], ['lint']), linux))).toEqual([
      'certifi==2026.10.19.post1',
      'idna==3.20',
      'packaging==26.3',
    ]);
    expect(names(subsetForTarget(uvLock(), roots('app', [], ['docs-old']), linux))).toContain(
      'six==1.16.0',
    );
    expect(names(subsetForTarget(uvLock(), roots('app', [], ['lint', 'docs-old']), mac))).toContain(
      'six==1.16.0',
    );
  });

  it("a member's own group (lib: test), with python markers", () => {
    const sub = subsetForTarget(uvLock(), roots('lib', [], ['test'], ['lib']), linux310);
    expect(names(sub)).toEqual(['certifi==2026.10.19.post1', 'iniconfig==2.3.1', 'tomli==2.5.0']);
  });

  it('no group unless asked (default-groups are for uv sync, not for a PEX)', () => {
    expect(names(subsetForTarget(uvLock(), roots('app'), linux))).not.toContain('iniconfig==2.3.1');
  });

  it('an unknown group is an error naming the groups the lock has', () => {
    expect(() => subsetForTarget(uvLock(), roots('app', [], ['tests']), linux)).toThrow(
      "'app' has no dependency group 'tests' in the lock (it has dev, docs-new, docs-old, lint",
    );
  });
});

describe('uv.lock supported-markers and fields', () => {
  const text = readFileSync(join(CONFLICTS, 'uv.lock'), 'utf8');

  it('refuses a target outside supported-markers, with the markers', () => {
    const linuxOnly = text.replace(
      /supported-markers = \[[^\]]*\]/,
      `supported-markers = ["sys_platform == 'linux'"]`,
    );
    const lock = parseUvLock(linuxOnly, join(CONFLICTS, 'uv.lock'));
    expect(() => subsetForTarget(lock, roots('app'), mac)).toThrow(
      `target macosx_11_0_arm64-cp-312-cp312 is outside the lock's supported-markers ("sys_platform == 'linux'")`,
    );
    expect(names(subsetForTarget(lock, roots('app'), linux))).toEqual([
      'certifi==2026.10.19.post1',
      'idna==3.20',
    ]);
  });

  it('refuses a field it does not know, naming it', () => {
    const extra = text.replace('name = "idna"\n', 'name = "idna"\nfrobnicate = true\n');
    expect(() => parseUvLock(extra, 'uv.lock')).toThrow(
      "package 'idna': unsupported field 'frobnicate'",
    );
    expect(() =>
      parseUvLock(`${text}\nfuture = 1\n`.replace(/^/, 'x-top = 1\n'), 'uv.lock'),
    ).toThrow("unsupported field 'x-top'");
  });

  it("refuses a url source's subdirectory instead of dropping it", () => {
    const lock = `version = 1
revision = 3

[[package]]
name = "pkg"
version = "1.0"
source = { url = "https://example.org/pkg-1.0.tar.gz", subdirectory = "python" }
sdist = { hash = "sha256:${'a'.repeat(64)}" }
`;
    expect(() => parseUvLock(lock, 'uv.lock')).toThrow(
      `package 'pkg'.source.subdirectory: a project in a subdirectory of a URL source is unsupported ("python")`,
    );
  });

  it('reads a git source whose sdist holds only a hash; the plan names the git source', () => {
    const lock = parseUvLock(
      `version = 1
revision = 3

[[package]]
name = "anyio"
version = "4.0.0"
source = { git = "https://github.com/agronholm/anyio?rev=4.0.0#437a7e3109d1e8a47e2a4b1e7c5bd0e0a3dbfa11" }
sdist = { hash = "sha256:${'b'.repeat(64)}" }
`,
      'uv.lock',
    );
    expect(lock.packages[0]?.source.kind).toBe('git');
    expect(lock.packages[0]?.sdist).toBeUndefined();
  });
});

describe('pylock.toml (uv export, pdm-shaped groups)', () => {
  it("reads uv's export: environments are supported markers; outside them is refused", () => {
    const lock = loadLock(join(CONFLICTS, 'pylock.cpu.toml'));
    expect(lock.supportedMarkers).toHaveLength(3);
    expect(names(subsetForTarget(lock, roots('app'), mac))).toEqual([
      'certifi==2026.10.19.post1',
      'idna==3.20',
      'iniconfig==2.3.1',
      'mytorch==1.0.0',
      'myvision==1.0.0',
      'packaging==26.3',
      'six==1.17.0',
      'typing-extensions==4.16.0',
    ]);
    const other = parsePylock(
      readFileSync(join(CONFLICTS, 'pylock.cpu.toml'), 'utf8').replace(
        /environments = \[[^\]]*\]/,
        `environments = ["sys_platform == 'win32'"]`,
      ),
      join(CONFLICTS, 'pylock.cpu.toml'),
    );
    expect(() => subsetForTarget(other, roots('app'), linux)).toThrow(
      `is outside the lock's environments ("sys_platform == 'win32'")`,
    );
  });

  const groups = () => loadLock(join(FX, 'pylock-groups/pylock.toml'));

  it('reads extras, dependency-groups and default-groups', () => {
    const lock = groups();
    expect(lock.extras).toEqual(['color']);
    expect(lock.dependencyGroups).toEqual(['default', 'dev', 'lint']);
    expect(lock.defaultGroups).toEqual(['default']);
  });

  it('the default group is active without asking; others by name; extras by name', () => {
    const r = (extras: string[] = [], g: string[] = []) => roots('papp', extras, g, ['papp']);
    expect(names(subsetForTarget(groups(), r(), linux))).toEqual(['idna==3.20']);
    expect(names(subsetForTarget(groups(), r(), win))).toEqual(['colorama==0.4.6', 'idna==3.20']);
    expect(names(subsetForTarget(groups(), r([], ['lint']), mac))).toEqual([
      'idna==3.20',
      'packaging==26.3',
      'six==1.17.0',
    ]);
    expect(names(subsetForTarget(groups(), r(['color'], ['dev']), linux))).toEqual([
      'certifi==2026.10.19.post1',
      'idna==3.20',
      'iniconfig==2.3.1',
    ]);
    expect(() => subsetForTarget(groups(), r([], ['docs']), linux)).toThrow(
      "no dependency group 'docs' in the lock (dependency-groups: default, dev, lint)",
    );
  });

  it('refuses unknown fields and an archive subdirectory, naming them', () => {
    const base = readFileSync(join(FX, 'pylock-groups/pylock.toml'), 'utf8');
    expect(() =>
      parsePylock(base.replace('version = "3.20"', 'version = "3.20"\nfoo = 1'), 'pylock.toml'),
    ).toThrow("package 'idna': unsupported field 'foo'");
    const archive = `lock-version = "1.0"
[[packages]]
name = "pkg"
archive = { url = "https://example.org/pkg.tar.gz", subdirectory = "sub", hashes = { sha256 = "${'c'.repeat(64)}" } }
`;
    expect(() => parsePylock(archive, 'pylock.toml')).toThrow(
      'archive.subdirectory: a project in a subdirectory of an archive is unsupported ("sub")',
    );
  });
});

describe('requirements files as pip reads them', () => {
  const lines = readFileSync(join(FX, 'requirements/pip-style.txt'), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
  const file = join(FX, 'requirements/requirements.txt');
  const read = (line: string, env: NodeJS.ProcessEnv = {}) =>
    parseRequirements(`${line}\n`, file, { env });
  const line = (start: string) => lines.find((l) => l.startsWith(start)) as string;

  it('reads git lines pinned to a commit as git sources, and refuses the rest in one line', () => {
    const anyio = read(line('anyio @ git+')).packages[0];
    expect(anyio?.name).toBe('anyio');
    expect(anyio?.source).toEqual({
      kind: 'git',
      url: 'https://github.com/agronholm/anyio#437a7e3109d1e8a47e2a4b1e7c5bd0e0a3dbfa11',
    });
    // A tag can move; no revision at all locks nothing.
    const click = line('git+https');
    expect(() => read(click)).toThrow(
      `requirements.txt:1: VCS requirement ${JSON.stringify(click)}: it is not pinned to a full commit hash (got "8.1.7")`,
    );
    const flask = line('-e git+');
    expect(() => read(flask)).toThrow(
      `requirements.txt:1: VCS requirement ${JSON.stringify(flask)}: it names no revision`,
    );
    const sha = 'a'.repeat(40);
    const pinned = read(`-e git+https://github.com/pallets/flask.git@${sha}#egg=Flask`);
    expect(pinned.packages[0]).toMatchObject({
      name: 'flask',
      source: { kind: 'git', url: `https://github.com/pallets/flask.git#${sha}` },
    });
    const sub = read(`git+ssh://git@example.com/mono.git@${sha}#egg=lib&subdirectory=libs/lib`);
    expect(sub.packages[0]?.source.url).toBe(
      `ssh://git@example.com/mono.git?subdirectory=libs%2Flib#${sha}`,
    );
    expect(() => read(`hg+https://example.com/repo@${sha}#egg=x`)).toThrow(
      'hg is unsupported (only git sources are built)',
    );
    expect(() => read(`git+https://example.com/repo@${sha}`)).toThrow(
      'names no project (add #egg=<name>)',
    );
    expect(() => read(`x @ git+https://example.com/repo@${sha}#subdirectory=../up`)).toThrow(
      'its subdirectory "../up" leaves the repository',
    );
    // pip refuses VCS lines in hash-checking mode: there is no hash of a repository.
    expect(() =>
      read(`${line('anyio @ git+')}\nsix==1.16.0 --hash=sha256:${'0'.repeat(64)}`),
    ).toThrow("'anyio' is a git source, and pip's hash-checking mode");
  });

  it('refuses project directories as unsupported local paths (after ${VAR} expansion)', () => {
    expect(() => read('.')).toThrow('requirements.txt:1: unsupported: local path "."');
    expect(() => read('./app')).toThrow('unsupported: local path "./app"');
    expect(() => read('${HATCH_PATH}', { HATCH_PATH: '/srv/project' })).toThrow(
      'unsupported: local path "/srv/project"',
    );
    expect(() => read('${HATCH_PATH}')).toThrow(
      'environment variable HATCH_PATH is not set (pip expands ${HATCH_PATH} in requirements files)',
    );
  });

  it('reads wheel paths and bare wheel file names as the file, named by it', () => {
    const dist = read(line('./dist/')).packages[0];
    expect(dist).toMatchObject({ name: 'app', version: '1.0.0', source: { kind: 'path' } });
    expect(dist?.wheels[0]?.path).toBe(join(FX, 'requirements/dist/app-1.0.0-py3-none-any.whl'));
    const bare = read(line('flask-')).packages[0];
    expect(bare).toMatchObject({ name: 'flask', version: '3.0.0' });
    expect(bare?.wheels[0]?.filename).toBe('flask-3.0.0-py3-none-any.whl');
    const env = read(line('${WHEELS}'), { WHEELS: '/srv/wheels' }).packages[0];
    expect(env?.wheels[0]).toMatchObject({
      path: '/srv/wheels/idna-3.20-py3-none-any.whl',
      sha256: 'ab7ae7122974553370f0bdb919e1a960b2cd1bc1ef0276416d896db81c14582c',
    });
    const url = read(line('six @ file:')).packages[0];
    expect(url).toMatchObject({ name: 'six', marker: 'sys_platform == "linux"' });
  });

  it("refuses uv's hashed export where the local-index packages have no --hash (pip's hash mode)", () => {
    // uv exports mytorch / myvision (local flat indexes) with neither hashes nor an index: read by
    // name they would come unverified from the public index, a different project of that name.
    expect(() => loadLock(join(CONFLICTS, 'requirements.cpu.txt'))).toThrow(
      "hashes are required for every requirement once one has --hash (pip's hash-checking mode), but 'mytorch==1.0.0' (line 25), 'myvision==1.0.0' (line 29) have none",
    );
    expect(() => read('--require-hashes\nsix==1.17.0')).toThrow("'six==1.17.0' (line 2) has none");
  });

  it("reads uv's export of the conflicts workspace (--extra cpu, --no-hashes)", () => {
    const lock = loadLock(join(CONFLICTS, 'requirements.cpu.nohash.txt'));
    expect(names(subsetForTarget(lock, roots('app'), linux))).toEqual([
      'certifi==2026.10.19.post1',
      'filelock==4.2.6',
      'idna==3.20',
      'mytorch==1.0.0',
      'myvision==1.0.0',
      'typing-extensions==4.16.0',
    ]);
  });
});
