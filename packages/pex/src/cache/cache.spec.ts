import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeStaleTempFiles, tempPathFor, writeFileAtomic } from './atomic.js';
import { artifactCachePath, cacheDir } from './cache-dir.js';

describe('cacheDir', () => {
  it('option > PEXKIT_CACHE_DIR > absolute XDG_CACHE_HOME > ~/.cache', () => {
    expect(cacheDir({ cacheDir: '/opt/c', env: { PEXKIT_CACHE_DIR: '/p' } })).toBe('/opt/c');
    expect(cacheDir({ env: { PEXKIT_CACHE_DIR: '/p', XDG_CACHE_HOME: '/x' } })).toBe('/p');
    expect(cacheDir({ env: { XDG_CACHE_HOME: '/x' } })).toBe('/x/pexkit');
    expect(cacheDir({ env: { XDG_CACHE_HOME: 'relative', HOME: '/home/u' } })).toBe(
      '/home/u/.cache/pexkit',
    );
    expect(cacheDir({ env: {} })).toBe(join(homedir(), '.cache', 'pexkit'));
  });

  it('lays artifacts out by sha256', () => {
    expect(artifactCachePath('/c', 'AB'.repeat(32), 'x-1-py3-none-any.whl')).toBe(
      `/c/artifacts/sha256/ab/${'ab'.repeat(32)}/x-1-py3-none-any.whl`,
    );
  });
});

describe('atomic writes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pexkit-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('many concurrent writers of one file: the file always holds one complete version', async () => {
    const target = join(dir, 'sub', 'f.json');
    const versions = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({ i, pad: 'x'.repeat(100_000) }),
    );
    await Promise.all(versions.map((v) => writeFileAtomic(target, v)));
    expect(versions).toContain(await readFile(target, 'utf8'));
    expect(await readdir(join(dir, 'sub'))).toEqual(['f.json']);
  });

  it('removes only old temp files', async () => {
    const old = tempPathFor(join(dir, 'a.whl'));
    const young = tempPathFor(join(dir, 'b.whl'));
    await writeFile(old, 'x');
    await writeFile(young, 'y');
    await writeFile(join(dir, 'keep.whl'), 'z');
    const longAgo = new Date(Date.now() - 3 * 24 * 3600 * 1000);
    await utimes(old, longAgo, longAgo);
    expect(await removeStaleTempFiles(dir)).toBe(1);
    expect((await readdir(dir)).sort()).toEqual([young.slice(dir.length + 1), 'keep.whl'].sort());
  });
});
