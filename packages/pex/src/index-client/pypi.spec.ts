/**
 * The one test that talks to the real PyPI: lists `six`, downloads its newest py2.py3 wheel and
 * checks the sha256 three ways (index, the file real pip downloads, our own hash of the cached file). Skips
 * itself, saying why, only when PyPI cannot be reached at all.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetworkError } from '../fetch/errors.js';
import { fetchAll } from '../fetch/fetch-all.js';
import { hashFile } from '../fetch/hash-file.js';
import { HttpClient } from '../fetch/http.js';
import { listIndexWheels } from './simple.js';

describe('real PyPI', () => {
  it('lists six, downloads one wheel, verifies its sha256, and serves it warm with no network', async (ctx) => {
    const cache = await mkdtemp(join(tmpdir(), 'pexkit-pypi-'));
    try {
      let wheels;
      try {
        wheels = await listIndexWheels('six', {
          cacheDir: cache,
          retries: 1,
          connectTimeoutMs: 5000,
          idleTimeoutMs: 20_000,
        });
      } catch (error) {
        if (error instanceof NetworkError) {
          console.warn(`SKIPPED: PyPI is unreachable from this machine (${error.message})`);
          ctx.skip();
        }
        throw error;
      }
      const wheel = wheels
        .filter((w) => w.filename.endsWith('-py2.py3-none-any.whl') && w.yanked === undefined)
        .at(-1);
      expect(wheel, 'six has a py2.py3 wheel on PyPI').toBeDefined();
      if (wheel === undefined) return;
      expect(wheel.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(wheel.url).toMatch(/^https:\/\/files\.pythonhosted\.org\//);

      // Independent check: the same file as downloaded by real pip.
      const version = wheel.filename.split('-')[1];
      const pipDir = join(cache, 'pip');
      execFileSync(
        'python3',
        [
          '-m',
          'pip',
          'download',
          `six==${version}`,
          '--no-deps',
          '--only-binary',
          ':all:',
          '-q',
          '-d',
          pipDir,
        ],
        { stdio: 'pipe' },
      );
      const digest = (await hashFile(join(pipDir, wheel.filename))).sha256;
      expect(digest).toBe(wheel.sha256);

      const result = await fetchAll(
        [{ url: wheel.url, filename: wheel.filename, sha256: wheel.sha256 }],
        { cacheDir: cache, progress: 'none' },
      );
      const [fetched] = result.artifacts;
      expect(fetched.source).toBe('network');
      expect((await hashFile(fetched.path)).sha256).toBe(digest);
      expect((await readFile(fetched.path)).subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');

      const http = new HttpClient();
      const warm = await fetchAll(
        [{ url: wheel.url, filename: wheel.filename, sha256: wheel.sha256 }],
        { cacheDir: cache, http, progress: 'none' },
      );
      expect(warm.artifacts[0]).toMatchObject({ path: fetched.path, source: 'cache' });
      expect(http.requestCount).toBe(0);
      await http.close();
      // Offline, the index page comes from the page cache.
      expect((await listIndexWheels('six', { cacheDir: cache, offline: true })).length).toBe(
        wheels.length,
      );
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });
});
