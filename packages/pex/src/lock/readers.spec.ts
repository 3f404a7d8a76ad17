import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/python-tools.js';
import { loadLock } from './load.js';
import { thirdPartyLockFixtures } from './lock-fixtures.spec-util.js';
import { LockError, packagesNamed } from './model.js';
import { parsePylock } from './pylock.js';
import { logicalLines, parseRequirements } from './requirements.js';
import { parseUvLock } from './uv-lock.js';

let fixtures: string;
beforeAll(async () => {
  fixtures = await thirdPartyLockFixtures();
});

describe('uv.lock', () => {
  it('reads the real lock made by uv (forks, markers, wheels)', () => {
    const lock = loadLock(join(fixtures, 'uv.lock'));
    expect(lock.format).toBe('uv.lock');
    expect(lock.requiresPython).toBe('>=3.10');
    expect(lock.members).toEqual(['lockdemo']);
    expect(lock.resolutionMarkers).toHaveLength(2);
    const forks = packagesNamed(lock, 'pycparser');
    expect(forks.length).toBe(2);
    expect(forks.every((p) => p.resolutionMarkers.length > 0)).toBe(true);
    const root = packagesNamed(lock, 'lockdemo')[0];
    expect(root?.source).toEqual({ kind: 'virtual', path: '.' });
    expect(root?.dependencies.find((d) => d.name === 'colorama')?.marker).toBe(
      "sys_platform == 'win32'",
    );
    expect(
      packagesNamed(lock, 'cffi')[0]
        ?.dependencies.filter((d) => d.name === 'pycparser')
        .map((d) => d.version),
    ).toHaveLength(2);
    const crypto = packagesNamed(lock, 'cryptography')[0];
    expect(crypto?.source.kind).toBe('registry');
    expect(crypto?.wheels.length).toBeGreaterThan(10);
    for (const w of crypto?.wheels ?? []) {
      expect(w.filename).toMatch(/^cryptography-[\d.]+-.*\.whl$/);
      expect(w.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(w.size).toBeGreaterThan(0);
      expect(w.url).toMatch(/^https:\/\/files\.pythonhosted\.org\//);
    }
    expect(crypto?.sdist?.filename).toMatch(/\.tar\.gz$/);
    expect(crypto?.line).toBeGreaterThan(1);
  });

  it('reads the examples workspace lock (members, editable sources)', () => {
    const lock = loadLock(join(REPO_ROOT, 'examples/uv.lock'));
    expect(lock.members).toEqual(['greeting', 'hello-service']);
    expect(packagesNamed(lock, 'greeting')[0]?.source).toEqual({
      kind: 'editable',
      path: 'greeting',
    });
  });

  it('reads every source kind and optional dependencies', () => {
    const text = `version = 1
revision = 3
requires-python = ">=3.9"

[[package]]
name = "A_Pkg"
version = "1.0"
source = { registry = "wheelhouse" }
wheels = [{ path = "a_pkg-1.0-py3-none-any.whl", hash = "sha256:${'a'.repeat(64)}", size = 10 }]

[package.optional-dependencies]
Fast = [{ name = "b", extra = ["x"], marker = "python_version >= '3.10'" }]

[[package]]
name = "b"
version = "2.0"
source = { url = "https://example.com/b-2.0-py3-none-any.whl" }
wheels = [{ url = "https://example.com/b-2.0-py3-none-any.whl", hash = "sha256:${'b'.repeat(64)}" }]

[[package]]
name = "c"
version = "3.0"
source = { git = "https://github.com/x/c?rev=main#abc" }

[[package]]
name = "d"
version = "4.0"
source = { path = "dist/d-4.0-py3-none-any.whl" }
wheels = [{ filename = "d-4.0-py3-none-any.whl", hash = "sha256:${'d'.repeat(64)}" }]

[[package]]
name = "e"
version = "5.0"
source = { directory = "libs/e" }
`;
    const lock = parseUvLock(text, '/ws/uv.lock');
    const [a, b, c, d, e] = lock.packages;
    expect(a?.name).toBe('a-pkg');
    expect(a?.wheels[0]?.path).toBe('/ws/wheelhouse/a_pkg-1.0-py3-none-any.whl');
    expect(a?.optionalDependencies).toEqual({
      fast: [{ name: 'b', extras: ['x'], marker: "python_version >= '3.10'" }],
    });
    expect(b?.source.kind).toBe('url');
    expect(c?.source).toEqual({ kind: 'git', url: 'https://github.com/x/c?rev=main#abc' });
    expect(d?.wheels[0]?.path).toBe('/ws/dist/d-4.0-py3-none-any.whl');
    expect(e?.source).toEqual({ kind: 'directory', path: 'libs/e' });
    expect(lock.members).toEqual([]);
  });

  it('names file and line for malformed input', () => {
    expect(() =>
      parseUvLock('version = 1\n[[package]]\nname = "x"\nversion = \n', 'u.lock'),
    ).toThrow(/^u\.lock:4:\d+: invalid TOML/);
    expect(() => parseUvLock('revision = 1\n', 'u.lock')).toThrow(/^u\.lock:1: not a uv\.lock/);
    expect(() => parseUvLock('version = 2\n', 'u.lock')).toThrow(/version 2 is not supported/);
    const badHash =
      'version = 1\n\n[[package]]\nname = "x"\nversion = "1"\nsource = { registry = "https://pypi.org/simple" }\nwheels = [{ url = "https://h/x-1-py3-none-any.whl", hash = "sha256:zz" }]\n';
    expect(() => parseUvLock(badHash, 'u.lock')).toThrow(
      /^u\.lock:3: package 'x'\.wheels\[0\]\.hash: expected sha256/,
    );
    const noSource = 'version = 1\n\n\n[[package]]\nname = "x"\nversion = "1"\n';
    expect(() => parseUvLock(noSource, 'u.lock')).toThrow(
      /^u\.lock:4: package 'x'\.source: expected a table/,
    );
    expect(() => parseUvLock(noSource, 'u.lock')).toThrow(LockError);
  });
});

describe('pylock.toml', () => {
  it('reads the real export made by uv', () => {
    const lock = loadLock(join(fixtures, 'pylock.toml'));
    expect(lock.format).toBe('pylock');
    expect(lock.hasEdges).toBe(false);
    expect(packagesNamed(lock, 'colorama')[0]?.marker).toBe("sys_platform == 'win32'");
    expect(packagesNamed(lock, 'pycparser').map((p) => p.marker)).toHaveLength(2);
    const uv = loadLock(join(fixtures, 'uv.lock'));
    // Same pins and the same wheel files as the uv.lock it was exported from.
    for (const p of lock.packages) {
      const twin = packagesNamed(uv, p.name).find((q) => q.version === p.version);
      expect(twin, p.name).toBeDefined();
      expect(p.wheels.map((w) => `${w.filename} ${w.sha256}`)).toEqual(
        twin?.wheels.map((w) => `${w.filename} ${w.sha256}`),
      );
    }
  });

  it('names file and line for malformed input', () => {
    expect(() => parsePylock('lock-version = "1.0"\n[[packages]\n', 'pylock.toml')).toThrow(
      /^pylock\.toml:2:\d+: invalid TOML/,
    );
    expect(() => parsePylock('created-by = "x"\n', 'pylock.toml')).toThrow(
      /^pylock\.toml:1: not a PEP 751 lock/,
    );
    expect(() => parsePylock('lock-version = "2.0"\n', 'pylock.toml')).toThrow(
      /lock-version 2\.0 is not supported/,
    );
    const noHashes =
      'lock-version = "1.0"\n\n[[packages]]\nname = "x"\nversion = "1"\nwheels = [{ url = "https://h/x-1-py3-none-any.whl" }]\n';
    expect(() => parsePylock(noHashes, 'pylock.toml')).toThrow(
      /^pylock\.toml:3: package 'x'\.wheels\[0\]\.hashes: required/,
    );
    const nothing =
      'lock-version = "1.0"\n\n[[packages]]\nname = "x"\nversion = "1"\n\n[[packages]]\nname = "y"\n';
    expect(() => parsePylock(nothing, 'pylock.toml')).toThrow(
      /^pylock\.toml:3: package 'x': no vcs/,
    );
  });
});

describe('requirements.txt', () => {
  it('reads the real export made by uv', () => {
    const lock = loadLock(join(fixtures, 'requirements.txt'));
    expect(lock.format).toBe('requirements');
    const cffi = packagesNamed(lock, 'cffi')[0];
    expect(cffi?.version).toMatch(/^\d/);
    expect(cffi?.marker).toBe("platform_python_implementation != 'PyPy'");
    expect(cffi?.allowedHashes?.length).toBeGreaterThan(10);
    expect(packagesNamed(lock, 'pycparser')).toHaveLength(2);
    const uv = loadLock(join(fixtures, 'uv.lock'));
    for (const p of lock.packages) {
      const twin = packagesNamed(uv, p.name).find((q) => q.version === p.version);
      const all = [...(twin?.wheels ?? []), ...(twin?.sdist ? [twin.sdist] : [])]
        .map((a) => `sha256:${a.sha256}`)
        .sort();
      expect([...(p.allowedHashes ?? [])].sort(), p.name).toEqual(all);
    }
  });

  it('handles includes, options, continuations, comments and URLs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'req-'));
    writeFileSync(
      join(dir, 'base.txt'),
      `--extra-index-url https://extra.example/simple\nsix==1.16.0 --hash=sha256:${'d'.repeat(64)}  # via x\n`,
    );
    writeFileSync(join(dir, 'cons.txt'), 'attrs==23.2.0\nnot-used==1\n');
    const main = [
      '# header',
      '--index-url https://idx.example/simple',
      '-f ./wheels',
      '-r base.txt',
      '-c cons.txt',
      '-e .',
      'Requests[socks] == 2.31.0 ; python_version >= "3.8" \\',
      `    --hash=sha256:${'A'.repeat(64)} \\`,
      `    --hash=sha256:${'b'.repeat(64)}`,
      `attrs --hash=sha256:${'e'.repeat(64)}`,
      `foo @ https://files.example/foo-1.0-py3-none-any.whl#sha256=abc --hash=sha256:${'f'.repeat(64)}`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'requirements.txt'), main);
    const lock = loadLock(join(dir, 'requirements.txt'));
    expect(lock.indexUrl).toBe('https://idx.example/simple');
    expect(lock.extraIndexUrls).toEqual(['https://extra.example/simple']);
    expect(lock.findLinks).toEqual([join(dir, 'wheels')]);
    expect(lock.packages.map((p) => `${p.name}==${p.version ?? '?'}`)).toEqual([
      'six==1.16.0',
      'requests==2.31.0',
      'attrs==23.2.0',
      'foo==?',
    ]);
    const req = packagesNamed(lock, 'requests')[0];
    expect(req?.marker).toBe('python_version >= "3.8"');
    expect(req?.allowedHashes).toEqual([`sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`]);
    expect(req?.line).toBe(7);
    expect(packagesNamed(lock, 'foo')[0]?.wheels[0]?.filename).toBe('foo-1.0-py3-none-any.whl');
  });

  it('joins continuation lines and keeps the first line number', () => {
    expect(logicalLines('a==1 \\\n  --hash=sha256:x\n# c\n\nb==2 # note\n')).toEqual([
      { text: 'a==1    --hash=sha256:x', line: 1 },
      { text: 'b==2', line: 5 },
    ]);
  });

  it('names file and line for malformed input', () => {
    expect(() => parseRequirements('six==1\nrequests>=2\n', 'r.txt')).toThrow(
      /^r\.txt:2: 'requests' is not pinned/,
    );
    expect(() => parseRequirements('six==1\n\n!!bad\n', 'r.txt')).toThrow(
      /^r\.txt:3: cannot parse requirement/,
    );
    expect(() => parseRequirements('--frobnicate x\n', 'r.txt')).toThrow(
      /^r\.txt:1: unsupported option "--frobnicate"/,
    );
    expect(() => parseRequirements('six==1 --hash=md5:abc\n', 'r.txt')).toThrow(
      /^r\.txt:1: bad --hash/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'req-'));
    writeFileSync(join(dir, 'r.txt'), 'six==1\n-r missing.txt\n');
    expect(() => loadLock(join(dir, 'r.txt'))).toThrow(
      /r\.txt:2: -r missing\.txt: .*missing\.txt: file not found/,
    );
    writeFileSync(join(dir, 'inner.txt'), 'ok==1\nbad>=1\n');
    writeFileSync(join(dir, 'outer.txt'), '-r inner.txt\n');
    expect(() => loadLock(join(dir, 'outer.txt'))).toThrow(/inner\.txt:2: 'bad' is not pinned/);
  });
});

describe('loadLock', () => {
  it('detects the format by name and content', () => {
    const dir = mkdtempSync(join(tmpdir(), 'load-'));
    writeFileSync(join(dir, 'my.lock'), 'lock-version = "1.0"\n');
    expect(loadLock(join(dir, 'my.lock')).format).toBe('pylock');
    writeFileSync(join(dir, 'other.lock'), 'hello\n');
    expect(() => loadLock(join(dir, 'other.lock'))).toThrow(/other\.lock: unknown lock format/);
    expect(() => loadLock(join(dir, 'uv.lock'))).toThrow(/uv\.lock: file not found/);
  });
});

describe('credentials', () => {
  it('never shows URL passwords in reader errors', () => {
    let message = '';
    try {
      parseRequirements(
        'foo @ https://user:s3cret@host.example/simple/foo-1.0.tar.gz extra junk\n',
        'r.txt',
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^r\.txt:1: cannot parse requirement/);
    expect(message).not.toContain('s3cret');
    expect(message).toContain('https://***@host.example');
  });
});
