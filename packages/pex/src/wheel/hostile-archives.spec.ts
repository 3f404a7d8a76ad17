/**
 * Wheels that two zip readers could read differently, crafted byte by byte
 * (test-support/craft_archives.py), checked against the real interpreters: every archive
 * pexkit accepts must extract to exactly the (name, bytes) pexkit verified in CPython 3.8–3.13
 * and PyPy; every ambiguous one is refused with an error naming the wheel and the problem.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZipReader } from '../zip/reader.js';
import { pythons } from '../zip/test-support/pythons.js';
import { anyPython } from './test-support/make-wheel.js';
import { InvalidWheelError, validateWheel } from './validate.js';

const support = (file: string): string =>
  fileURLToPath(new URL(`./test-support/${file}`, import.meta.url));
const WHEEL = 'demo-1.0-py3-none-any.whl';
const EVIL_SHA = createHash('sha256')
  .update("import os; os.environ['PWNED'] = '1'\n")
  .digest('hex');

type Extracted = { ok: true; files: Record<string, string> } | { ok: false; error: string };

const work = mkdtempSync(join(tmpdir(), 'pexkit-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function interpreters(): string[] {
  const list = pythons();
  try {
    execFileSync('pypy3', ['-c', 'import zipfile'], { stdio: 'ignore' });
    list.push('pypy3');
  } catch {
    // no PyPy here: the CPythons still decide
  }
  return list;
}

/** case -> interpreter -> what its zipfile extracts. */
const extracted = new Map<string, Map<string, Extracted>>();
let cases: string[] = [];
const pys = interpreters();

beforeAll(() => {
  execFileSync(anyPython(), [support('craft_archives.py'), work]);
  cases = readdirSync(work).sort();
  const paths = cases.map((c) => join(work, c, WHEEL));
  for (const c of cases) extracted.set(c, new Map());
  for (const py of pys) {
    const lines = execFileSync(py, [support('zip_oracle.py'), ...paths], { encoding: 'utf8' })
      .trim()
      .split('\n');
    lines.forEach((line, i) => extracted.get(cases[i])!.set(py, JSON.parse(line) as Extracted));
  }
}, 120_000);

/** (name, sha256) of every file pexkit's reader verified, read in its one strict pass. */
async function ourFiles(path: string): Promise<Record<string, string>> {
  const reader = await ZipReader.open(path);
  const hashes = new Map<string, ReturnType<typeof createHash>>();
  try {
    await reader.scan((entry) => {
      if (entry.isDirectory) return undefined;
      const hash = createHash('sha256');
      hashes.set(entry.name, hash);
      return (chunk) => hash.update(chunk);
    });
  } finally {
    await reader.close();
  }
  return Object.fromEntries([...hashes].map(([name, h]) => [name, h.digest('hex')]));
}

const accepted = [
  'ok-plain',
  'ok-stored',
  'ok-comment',
  'ok-descriptor',
  'ok-zip64-local',
  'ok-zip64-end',
  'ok-unicode-path-same',
  'ok-utf8-name',
];

const refused: Array<[string, RegExp]> = [
  ['count-hidden-entry', /end record says 4 entries but the central directory holds 5/],
  ['count-hidden-replacement', /end record says 4 entries but the central directory holds 5/],
  ['count-says-more', /end record says 5 entries but the central directory holds 4/],
  ['zip64-count-hidden', /end record \(4 entries.*ZIP64 end record \(5 entries.*disagree/],
  ['zip64-locator-elsewhere', /ZIP64 locator points at offset 0/],
  ['unicode-path-rename', /'demo\/x_pth\.py'.*0x7075.*'demo-evil\.pth'/],
  ['unicode-path-corrupt', /'demo\/x_pth\.py'.*0x7075.*malformed/],
  ['gap-between-entries', /64 unaccounted bytes before its local header/],
  ['hidden-local-entry', /unaccounted bytes before its local header/],
  ['cd-order-differs', /central directory order differs from the order of the local headers/],
  ['local-name-differs', /local header names 'demo\/__init__\.pz' instead/],
  ['local-size-differs', /'demo\/__init__\.py'.*local header size differs/],
  ['overlapping-entries', /'demo\/(outer\.bin|inner\.py)'.*overlaps another entry/],
  ['prefix-archive-relative', /63 bytes before the archive shift its offsets/],
  ['prefix-file-relative', /63 unaccounted bytes before its local header/],
  ['comment-length-lies', /comment length \(40\) does not reach exactly to the end/],
  ['comment-holds-end-record', /end record|central directory|shift its offsets/],
  ['non-ascii-without-utf8-flag', /non-ASCII name without the UTF-8 flag/],
  ['case-duplicate', /'demo\/util\.py'.*installs to the same file as 'demo\/Util\.py'/],
  ['nfc-duplicate', /installs to the same file as 'demo\/café\.py'/],
  ['data-dir-collision', /installs to the same file as 'demo\/__init__\.py'/],
  ['exact-duplicate', /'demo\/__init__\.py'.*duplicate entry name/],
  ['directory-with-data', /'demo\/sub\/'.*directory entry with contents/],
];

describe('hostile wheel archives, against the real interpreters', () => {
  it('runs CPython 3.8–3.13 and PyPy', () => {
    expect(pys.length).toBeGreaterThanOrEqual(6);
    expect(new Set([...cases])).toEqual(new Set([...accepted, ...refused.map(([c]) => c)]));
  });

  for (const name of accepted) {
    it(`accepts ${name}, and every interpreter extracts exactly what was verified`, async () => {
      const path = join(work, name, WHEEL);
      const verdict = await validateWheel({ path }, { noCache: true });
      expect(verdict.name).toBe('demo');
      const ours = await ourFiles(path);
      for (const [py, result] of extracted.get(name)!) {
        expect({ py, result }).toEqual({ py, result: { ok: true, files: ours } });
      }
    });
  }

  for (const [name, message] of refused) {
    it(`refuses ${name} with one clear line`, async () => {
      const error = await validateWheel({ path: join(work, name, WHEEL) }, { noCache: true }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidWheelError);
      const text = (error as Error).message;
      expect(text).toMatch(message);
      expect(text.startsWith(`wheel ${WHEEL}`)).toBe(true);
      expect(text).not.toContain('\n');
    });
  }

  it('the attacks are real: some interpreter extracts a file nobody verified', () => {
    // With the end record's count (or the header names) as the truth, these archives hold only
    // the verified __init__.py; the interpreters see a hidden .pth or a replaced __init__.py.
    const unverified = (r: Extracted | undefined): boolean =>
      r !== undefined &&
      r.ok &&
      ('demo-evil.pth' in r.files || r.files['demo/__init__.py'] === EVIL_SHA);
    for (const name of [
      'count-hidden-entry',
      'count-hidden-replacement',
      'zip64-count-hidden',
      'unicode-path-rename',
    ]) {
      const hits = [...extracted.get(name)!].filter(([, r]) => unverified(r)).map(([py]) => py);
      expect({ name, hits: hits.length > 0 }).toEqual({ name, hits: true });
    }
    // CPython 3.12+ follows the Unicode Path field, 3.8–3.11 do not: the readers disagree.
    const rename = [...extracted.get('unicode-path-rename')!.values()];
    expect(new Set(rename.map((r) => JSON.stringify(r))).size).toBeGreaterThan(1);
  });
});
