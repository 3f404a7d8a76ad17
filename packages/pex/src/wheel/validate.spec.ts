import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidWheelError, sha256File, validateWheel } from './validate.js';
import { downloadWheel } from './test-support/download.js';
import { makeWheel } from './test-support/make-wheel.js';

const work = mkdtempSync(join(tmpdir(), 'pexkit-wheel-'));
const cacheDir = join(work, 'cache');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const good = {
  name: 'demo',
  version: '1.0',
  files: [{ name: 'demo/__init__.py', data: 'X = 1\n' }],
};

describe('validateWheel', () => {
  it('accepts real PyPI wheels, reads their metadata and caches the verdict', async () => {
    const path = downloadWheel('requests==2.32.3');
    const verdict = await validateWheel({ path }, { cacheDir });
    expect(verdict).toMatchObject({
      name: 'requests',
      version: '2.32.3',
      distInfo: 'requests-2.32.3.dist-info',
    });
    expect(verdict.requiresDist.some((r) => /^idna ?<4,>=2\.5$/.test(r))).toBe(true);
    expect(verdict.requiresPython).toBe('>=3.8');
    const marker = join(cacheDir, 'verified', `${verdict.sha256}.json`);
    expect(existsSync(marker)).toBe(true);
    // A warm call trusts the marker (proved by tampering with it).
    const saved = JSON.parse(readFileSync(marker, 'utf8'));
    saved.verdict.version = 'from-cache';
    writeFileSync(marker, JSON.stringify(saved));
    expect((await validateWheel({ path }, { cacheDir })).version).toBe('from-cache');
    const flask = await validateWheel({ path: downloadWheel('flask==3.0.3') }, { cacheDir });
    expect(flask.entryPoints.console_scripts).toEqual({ flask: 'flask.cli:main' });
  });

  it('accepts a generated valid wheel', async () => {
    const path = makeWheel(work, good);
    const v = await validateWheel({ path }, { cacheDir, noCache: true });
    expect(v.sha256).toBe(await sha256File(path));
  });

  const bad: Array<[string, Parameters<typeof makeWheel>[1], RegExp]> = [
    [
      'zip-slip',
      { ...good, name: 'slip', files: [...good.files, { name: '../evil.py', data: 'x' }] },
      /'\.\.\/evil\.py'.*zip-slip/,
    ],
    [
      'nested zip-slip',
      { ...good, name: 'slip2', files: [{ name: 'demo/../../evil.py', data: 'x' }] },
      /zip-slip/,
    ],
    [
      'absolute path',
      { ...good, name: 'abs', files: [{ name: '/etc/evil.py', data: 'x' }] },
      /'\/etc\/evil\.py'.*absolute/,
    ],
    [
      'drive letter',
      { ...good, name: 'drive', files: [{ name: 'C:/evil.py', data: 'x' }] },
      /drive letter/,
    ],
    [
      'symlink',
      { ...good, name: 'link', files: [{ name: 'demo/link', data: '/etc/passwd', symlink: true }] },
      /'demo\/link'.*symbolic link/,
    ],
    [
      'RECORD mismatch',
      { ...good, name: 'tamper', record: 'tamper-first' },
      /'demo\/__init__\.py'.*RECORD hash mismatch/,
    ],
    [
      'file missing from RECORD',
      { ...good, name: 'omit', record: 'omit-first' },
      /'demo\/__init__\.py'.*not listed in RECORD/,
    ],
    [
      'unrecorded extra file',
      { ...good, name: 'extra', unrecorded: [{ name: 'demo/sneaky.py', data: 'x' }] },
      /sneaky\.py.*not listed in RECORD/,
    ],
    [
      'zip bomb (ratio)',
      {
        ...good,
        name: 'bomb',
        files: [{ name: 'demo/zeros.bin', data: Buffer.alloc(8 * 1024 * 1024) }],
      },
      /compression ratio/,
    ],
  ];
  for (const [label, spec, message] of bad) {
    it(`refuses a wheel with a ${label}`, async () => {
      const path = makeWheel(work, spec);
      const error = await validateWheel({ path }, { cacheDir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidWheelError);
      expect(String((error as Error).message)).toMatch(message);
      expect((error as Error).message).toContain(`${spec.name}-1.0-py3-none-any.whl`);
    });
  }

  it.each([
    ['small (inline inflate)', Buffer.from('y'.repeat(100_000))],
    ['large (thread-pool inflate)', randomBytes(600_000)],
  ])('refuses a wheel whose %s entry inflates past its declared size', async (label, payload) => {
    const name = `liar${label.startsWith('small') ? 's' : 'l'}`;
    const path = makeWheel(work, {
      ...good,
      name,
      files: [{ name: 'demo/data.txt', data: payload }],
    });
    const bytes = readFileSync(path);
    // Patch the declared uncompressed size (central directory and local header) down to 10.
    const entry = Buffer.from('demo/data.txt');
    for (let at = bytes.indexOf(entry); at >= 0; at = bytes.indexOf(entry, at + 1)) {
      const central = at >= 46 && bytes.readUInt32LE(at - 46) === 0x02014b50;
      const local = at >= 30 && bytes.readUInt32LE(at - 30) === 0x04034b50;
      if (central) bytes.writeUInt32LE(10, at - 46 + 24);
      if (local) bytes.writeUInt32LE(10, at - 30 + 22);
    }
    writeFileSync(path, bytes);
    await expect(validateWheel({ path }, { cacheDir })).rejects.toThrow(
      new RegExp(`${name}-1\\.0.*demo/data\\.txt.*more than its declared 10 bytes`),
    );
  });

  it('names a missing RECORD in one line (it was nested in a second "cannot parse")', async () => {
    const path = makeWheel(work, { ...good, name: 'norecord', record: 'none' });
    await expect(validateWheel({ path }, { cacheDir })).rejects.toThrow(
      /^wheel norecord-1\.0-py3-none-any\.whl: norecord-1\.0\.dist-info\/RECORD is missing$/,
    );
  });

  it('refuses METADATA naming another project or version than the file name', async () => {
    const other = makeWheel(work, { ...good, name: 'meta', metadataName: 'evil' });
    await expect(validateWheel({ path: other }, { cacheDir })).rejects.toThrow(
      /^wheel meta-1\.0-py3-none-any\.whl, entry 'meta-1\.0\.dist-info\/METADATA': names the project 'evil', the file name 'meta'$/,
    );
    const newer = makeWheel(work, { ...good, name: 'metav', metadataVersion: '2.0' });
    await expect(validateWheel({ path: newer }, { cacheDir })).rejects.toThrow(
      /metav-1\.0-py3-none-any\.whl.*says version '2\.0', the file name '1\.0'/,
    );
    // The same project and version spelt differently is fine (PEP 503 names, PEP 440 versions).
    const same = makeWheel(work, {
      ...good,
      name: 'meta_ok',
      metadataName: 'Meta.OK',
      metadataVersion: '1.0.0',
    });
    expect((await validateWheel({ path: same }, { cacheDir })).name).toBe('Meta.OK');
  });

  it('refuses a file that is not a zip', async () => {
    const path = join(work, 'junk-1.0-py3-none-any.whl');
    writeFileSync(path, 'not a zip');
    await expect(validateWheel({ path }, { cacheDir })).rejects.toThrow(
      /junk-1\.0-py3-none-any\.whl.*not a zip/,
    );
  });
});
