import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dosDateTimeFromEpoch, reproducibleDosTime, DOS_EPOCH } from './dos-time.js';
import { ZipReader } from './reader.js';
import { pythons } from './test-support/pythons.js';
import { ZipWriter } from './writer.js';

const work = mkdtempSync(join(tmpdir(), 'pexkit-zip-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function sample(path: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const zip = await ZipWriter.create(path, {
    preamble: Buffer.from('#!/usr/bin/env python3\n'),
    dosTime: reproducibleDosTime(env),
  });
  zip.addDirectory('pkg/');
  await zip.addBuffer('pkg/__init__.py', Buffer.from('VALUE = 42\n'));
  await zip.addBuffer('pkg/big.py', Buffer.from(`DATA = ${JSON.stringify('x'.repeat(10_000))}\n`));
  await zip.addBuffer('pkg/run.sh', Buffer.from('#!/bin/sh\necho hi\n'), {
    executable: true,
    compress: false,
  });
  const file = join(work, 'source.bin');
  writeFileSync(file, Buffer.alloc(3_000_000, 7));
  await zip.addFileStored('pkg/blob.bin', file, 3_000_000);
  await zip.addBuffer('__main__.py', Buffer.from('import pkg\nprint(pkg.VALUE)\n'));
  await zip.close();
}

describe('ZipWriter', () => {
  it('writes an archive that zipfile, unzip and zipimport accept on every CPython', async () => {
    const path = join(work, 'a.pyz');
    await sample(path);
    const py = pythons();
    expect(py.length).toBeGreaterThan(0);
    for (const python of py) {
      execFileSync(python, ['-m', 'zipfile', '-t', path]);
      expect(execFileSync(python, [path], { encoding: 'utf8' })).toBe('42\n');
    }
    expect(spawnSync('unzip', ['-t', path], { encoding: 'utf8' }).stdout).toContain(
      'No errors detected',
    );
    const listing = execFileSync('unzip', ['-Z', '-l', path], { encoding: 'utf8' });
    expect(listing).toMatch(/-rwxr-xr-x.*pkg\/run\.sh/);
    expect(listing).toMatch(/-rw-r--r--.*pkg\/__init__\.py/);
    expect(listing).toMatch(/drwxr-xr-x.*pkg\//);
    expect(listing).toContain('80-Jan-01 00:00');
  });

  it('is byte-identical across time zones, and honours SOURCE_DATE_EPOCH in UTC', async () => {
    const a = join(work, 'tz-a.zip');
    await sample(a);
    const b = join(work, 'tz-b.zip');
    const saved = process.env.TZ;
    process.env.TZ = 'Pacific/Kiritimati';
    try {
      await sample(b);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
    expect(readFileSync(b).equals(readFileSync(a))).toBe(true);

    expect(dosDateTimeFromEpoch(0)).toEqual(DOS_EPOCH);
    // 2021-06-15T13:45:30Z
    const t = dosDateTimeFromEpoch(1623764730);
    expect(t.date).toBe(((2021 - 1980) << 9) | (6 << 5) | 15);
    expect(t.time).toBe((13 << 11) | (45 << 5) | 15);
    const c = join(work, 'sde.zip');
    await sample(c, { SOURCE_DATE_EPOCH: '1623764730' });
    expect(execFileSync('unzip', ['-Z', '-l', c], { encoding: 'utf8' })).toContain(
      '21-Jun-15 13:45',
    );
    expect(() => reproducibleDosTime({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(
      /SOURCE_DATE_EPOCH/,
    );
  });

  it('reads back what it wrote, raw and inflated, and copies raw entries unchanged', async () => {
    const path = join(work, 'a.pyz');
    const reader = await ZipReader.open(path);
    const names = reader.entries.map((e) => e.name);
    expect(names).toEqual([
      'pkg/',
      'pkg/__init__.py',
      'pkg/big.py',
      'pkg/run.sh',
      'pkg/blob.bin',
      '__main__.py',
    ]);
    const big = reader.entries[2];
    expect(big.method).toBe(8);
    expect((await reader.read(big)).toString()).toContain('xxxx');
    const blob = await reader.read(reader.entries[4]);
    expect(blob.length).toBe(3_000_000);
    const raw = await reader.readRaw(big);
    const copy = join(work, 'copy.zip');
    const zip = await ZipWriter.create(copy);
    zip.addRaw('big.py', {
      method: big.method,
      crc32: big.crc32,
      uncompressedSize: big.uncompressedSize,
      compressedData: raw,
    });
    await zip.close();
    await reader.close();
    execFileSync('unzip', ['-t', copy]);
    const again = await ZipReader.open(copy);
    expect(
      createHash('sha256')
        .update(await again.read(again.entries[0]))
        .digest('hex'),
    ).toBe(
      createHash('sha256')
        .update(`DATA = ${JSON.stringify('x'.repeat(10_000))}\n`)
        .digest('hex'),
    );
    await again.close();
  });

  it('uses ZIP64 only past 65,535 entries, and Python 3.13 reads it', async () => {
    const small = join(work, 'a.pyz');
    expect(readFileSync(small).includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(false);
    const path = join(work, 'many.zip');
    const zip = await ZipWriter.create(path);
    for (let i = 0; i < 70_000; i++) {
      await zip.addBuffer(`f/${String(i).padStart(5, '0')}.txt`, Buffer.from(String(i)), {
        compress: false,
      });
      await zip.maybeFlush();
    }
    const summary = await zip.close();
    expect(summary).toMatchObject({ entries: 70_000, zip64: true });
    const reader = await ZipReader.open(path);
    expect(reader.entries.length).toBe(70_000);
    expect((await reader.read(reader.entries[69_999])).toString()).toBe('69999');
    await reader.close();
    const py313 = pythons().find((p) => p.includes('/3.13'));
    if (py313 !== undefined) {
      const out = execFileSync(
        py313,
        ['-c', 'import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))', path],
        {
          encoding: 'utf8',
        },
      );
      expect(out.trim()).toBe('70000');
    }
  });

  it('refuses duplicate names', async () => {
    const zip = await ZipWriter.create(join(work, 'dup.zip'));
    zip.addDirectory('a/');
    expect(() => zip.addDirectory('a/')).toThrow(/duplicate/);
    await zip.abort();
  });
});
