import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZipReader } from './reader.js';
import { pythons } from './test-support/pythons.js';
import { ZipWriter } from './writer.js';

// Opt-in (writes ~9 GB): PEXKIT_BIG_ZIP_TESTS=1 npx vitest run src/zip/writer-big.spec.ts
describe.runIf(process.env.PEXKIT_BIG_ZIP_TESTS === '1')('ZipWriter past 4 GiB', () => {
  it(
    'writes ZIP64 sizes and offsets that Python 3.13 and unzip accept',
    { timeout: 600_000 },
    async () => {
      const work = mkdtempSync(join(tmpdir(), 'pexkit-bigzip-'));
      try {
        const sparse = join(work, 'big.bin');
        const size = 4 * 1024 ** 3 + 12_345; // zeros, sparse on disk
        const fd = openSync(sparse, 'w');
        ftruncateSync(fd, size);
        closeSync(fd);
        const path = join(work, 'big.zip');
        const zip = await ZipWriter.create(path, {
          preamble: Buffer.from('#!/usr/bin/env python3\n'),
        });
        await zip.addBuffer('before.txt', Buffer.from('before\n'));
        await zip.addFileStored('big.bin', sparse, size);
        await zip.addBuffer('after.txt', Buffer.from('after\n'));
        const summary = await zip.close();
        expect(summary.zip64).toBe(true);
        const reader = await ZipReader.open(path, { allowPreamble: true });
        expect(reader.entries.map((e) => [e.name, e.uncompressedSize])).toEqual([
          ['before.txt', 7],
          ['big.bin', size],
          ['after.txt', 6],
        ]);
        expect(reader.entries[2].localOffset).toBeGreaterThan(4 * 1024 ** 3);
        expect((await reader.read(reader.entries[2])).toString()).toBe('after\n');
        await reader.close();
        const py313 = pythons().find((p) => p.includes('/3.13'));
        if (py313 !== undefined) {
          const probe =
            'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.read("after.txt").decode().strip(), z.getinfo("big.bin").file_size)';
          expect(execFileSync(py313, ['-c', probe, path], { encoding: 'utf8' })).toBe(
            `after ${size}\n`,
          );
        }
        expect(execFileSync('unzip', ['-t', path], { encoding: 'utf8' })).toContain(
          'No errors detected',
        );
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  );
});
