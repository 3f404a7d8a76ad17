import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAge, parseSize } from '../cli/commands/cache.js';
import { scanBuildCache } from './entries.js';
import { withCacheLock } from './entry-lock.js';
import { holdEntry, holdsDir, withCacheHolds } from './holds.js';
import { buildCacheInfo } from './info.js';
import { BUILD_CACHE_DIRS, buildCachePath } from './layout.js';
import { chooseVictims, pruneBuildCache } from './prune.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'pexkit-prune-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const DAY = 86_400_000;
const sha = (c: string) => c.repeat(64);

async function put(path: string, bytes: number, daysAgo: number, touch: string[] = [path]) {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, Buffer.alloc(bytes, 1));
  const t = new Date(Date.now() - daysAgo * DAY);
  for (const p of touch) await utimes(p, t, t);
}

/** One entry of every kind, each `daysAgo` old; returns their first paths by name. */
async function fillCache(daysAgo: Record<string, number>) {
  const art = buildCachePath(root, 'artifacts', 'aa', sha('a'));
  await put(join(art, 'six-1.16.0-py2.py3-none-any.whl'), 1000, daysAgo['download'] ?? 0, [
    join(art, 'six-1.16.0-py2.py3-none-any.whl'),
    art,
  ]);
  const built = buildCachePath(root, 'builtWheels', sha('b'), 'f00d');
  await put(join(built, 'builder.json'), 10, 0);
  await put(join(built, 'x-1-cp311-cp311-linux_x86_64.whl'), 2000, 0, [built]);
  await utimes(
    built,
    new Date(Date.now() - (daysAgo['built'] ?? 0) * DAY),
    new Date(Date.now() - (daysAgo['built'] ?? 0) * DAY),
  );
  await put(buildCachePath(root, 'deflated', `${sha('c')}.deflate`), 900, daysAgo['deflated'] ?? 0);
  await put(buildCachePath(root, 'deflated', `${sha('c')}.json`), 50, daysAgo['deflated'] ?? 0);
  await put(buildCachePath(root, 'verified', `${sha('a')}.json`), 30, daysAgo['verified'] ?? 0);
  await put(
    buildCachePath(root, 'indexPages', 'dd', `${sha('d')}.json`),
    400,
    daysAgo['page'] ?? 0,
  );
  await put(
    buildCachePath(root, 'interpreters', 'e'.repeat(32) + '.json'),
    300,
    daysAgo['interpreter'] ?? 0,
  );
  await put(
    buildCachePath(root, 'artifactsByUrl', 'ff', `${sha('f')}.json`),
    20,
    daysAgo['url'] ?? 0,
  );
}

describe('chooseVictims', () => {
  const e = (name: string, size: number, lastUse: number) => ({
    dir: 'verified' as const,
    key: name,
    paths: [`/c/${name}`],
    size,
    files: 1,
    lastUse,
  });
  const entries = [e('new', 10, 300), e('old', 10, 100), e('mid', 10, 200)];

  it('takes the least recently used first, by age and then by size', () => {
    const names = (o: Parameters<typeof chooseVictims>[1]) =>
      chooseVictims(entries, o, 1000).map((v) => v.key);
    expect(names({ olderThanMs: 750 })).toEqual(['old', 'mid']);
    expect(names({ maxSize: 15 })).toEqual(['old', 'mid']);
    expect(names({ maxSize: 0 })).toEqual(['old', 'mid', 'new']);
    expect(names({ maxSize: 30 })).toEqual([]);
    expect(names({ olderThanMs: 850, maxSize: 15 })).toEqual(['old', 'mid']);
  });
});

describe('pruneBuildCache', () => {
  it('info counts every kind; prune --older-than removes exactly the old entries, atomically', async () => {
    await fillCache({
      download: 40,
      deflated: 40,
      page: 40,
      built: 1,
      verified: 1,
      interpreter: 1,
      url: 1,
    });
    const info = await buildCacheInfo(root);
    expect(info.folders.artifacts).toMatchObject({ entries: 1, files: 1, size: 1000 });
    expect(info.folders.builtWheels).toMatchObject({ entries: 1, files: 2, size: 2010 });
    expect(info.folders.deflated).toMatchObject({ entries: 1, files: 2, size: 950 });
    expect(info.folders.indexPages?.entries).toBe(1);
    expect(info.folders.interpreters?.entries).toBe(1);
    expect(info.totalSize).toBe(1000 + 2010 + 950 + 30 + 400 + 300 + 20);

    const dry = await pruneBuildCache(root, { olderThanMs: 30 * DAY, dryRun: true });
    expect(dry.removed.map((r) => r.path.split('/')[0]).sort()).toEqual([
      'artifacts',
      BUILD_CACHE_DIRS.deflated,
      'index-pages',
    ]);
    expect((await scanBuildCache(root)).entries).toHaveLength(7); // nothing went

    const report = await pruneBuildCache(root, { olderThanMs: 30 * DAY });
    expect(report.removed.map((r) => r.path)).toEqual(dry.removed.map((r) => r.path));
    expect(report.freed).toBe(1000 + 950 + 400);
    expect(report.kept).toBe(4);
    expect(existsSync(buildCachePath(root, 'deflated', `${sha('c')}.deflate`))).toBe(false);
    expect(existsSync(buildCachePath(root, 'artifacts', 'aa', sha('a')))).toBe(false);
    expect(await readdir(buildCachePath(root, 'trash'))).toEqual([]);
    expect(await readdir(buildCachePath(root, 'locks'))).toEqual([]); // every lock released
  });

  it('--max-size removes least recently used first until the rest fits', async () => {
    await fillCache({
      download: 5,
      built: 4,
      deflated: 3,
      page: 2,
      verified: 1,
      interpreter: 0,
      url: 0,
    });
    const report = await pruneBuildCache(root, { maxSize: 1000 });
    expect(report.removed.map((r) => r.path.split('/')[0])).toEqual([
      'artifacts',
      'built-wheels',
      BUILD_CACHE_DIRS.deflated,
    ]);
    expect((await buildCacheInfo(root)).totalSize).toBe(750);
  });

  it('keeps what a running build holds or a filler is writing, and removes it once they end', async () => {
    await fillCache({});
    let report;
    await withCacheHolds(root, async () => {
      await holdEntry(root, `artifact-${sha('a')}`);
      await withCacheLock(root, `deflate-${sha('c')}`, async () => {
        report = await pruneBuildCache(root, { maxSize: 0 });
      });
    });
    expect(report!.busy.map((r) => r.path.split('/')[0]).sort()).toEqual([
      'artifacts',
      BUILD_CACHE_DIRS.deflated,
    ]);
    expect(report!.removed).toHaveLength(5);
    expect(existsSync(buildCachePath(root, 'artifacts', 'aa', sha('a')))).toBe(true);
    expect(existsSync(holdsDir(root))).toBe(true);
    expect(await readdir(holdsDir(root))).toEqual([]); // the build's holds went with it
    const after = await pruneBuildCache(root, { maxSize: 0 });
    expect(after.busy).toEqual([]);
    expect(after.removed).toHaveLength(2);
  });

  it('ignores (and removes) the holds of a dead process, and holds not refreshed for a minute', async () => {
    await fillCache({});
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout;
    const deadDir = join(holdsDir(root), `${hostname()}~${dead}~abc`);
    const silent = join(holdsDir(root), `elsewhere~${process.pid}~abc`);
    for (const dir of [deadDir, silent]) {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `artifact-${sha('a')}`), '');
    }
    const past = new Date(Date.now() - 120_000);
    await utimes(silent, past, past);
    const report = await pruneBuildCache(root, { maxSize: 0 });
    expect(report.busy).toEqual([]);
    expect(report.removed).toHaveLength(7);
    expect(await readdir(holdsDir(root))).toEqual([]);
  });

  it('a build that holds an entry after a prune removed it sees it gone (and fetches again)', async () => {
    await fillCache({});
    const art = buildCachePath(root, 'artifacts', 'aa', sha('a'));
    await pruneBuildCache(root, { maxSize: 0 });
    await withCacheHolds(root, async () => {
      await holdEntry(root, `artifact-${sha('a')}`);
      expect(existsSync(art)).toBe(false);
    });
  });

  it('removes old writer leftovers, leaves young ones and anything that is not an entry', async () => {
    await put(buildCachePath(root, 'artifactsTmp', '.tmp-1-ab-x.whl'), 10, 3);
    await put(buildCachePath(root, 'artifactsTmp', '.tmp-2-cd-y.whl'), 10, 0);
    await put(buildCachePath(root, 'verified', `${sha('a')}.json.tmp-ab`), 10, 3);
    await put(join(root, 'mine', 'notes.txt'), 10, 100);
    await put(join(root, 'deflated', `${sha('a')}.deflate`), 10, 0); // an older pexkit's folder
    await put(buildCachePath(root, 'interpreters', 'bad name!.json'), 10, 100);
    expect((await buildCacheInfo(root)).temps).toBe(3);
    expect((await buildCacheInfo(root)).obsolete).toEqual(['deflated']);
    const report = await pruneBuildCache(root, { maxSize: 0 });
    expect(report.tempsRemoved).toBe(2);
    expect(report.obsolete).toEqual(['deflated']);
    expect(existsSync(join(root, 'deflated'))).toBe(false);
    expect(await readdir(buildCachePath(root, 'artifactsTmp'))).toEqual(['.tmp-2-cd-y.whl']);
    expect(existsSync(join(root, 'mine', 'notes.txt'))).toBe(true);
    expect(existsSync(buildCachePath(root, 'interpreters', 'bad name!.json'))).toBe(true);
    expect((await buildCacheInfo(root)).other).toEqual(['mine']);
  });
});

describe('cache command arguments', () => {
  it('reads sizes and ages as the runtime does', () => {
    expect(parseSize('5GB')).toBe(5 * 2 ** 30);
    expect(parseSize('500M')).toBe(500 * 2 ** 20);
    expect(parseSize('1.5g')).toBe(1.5 * 2 ** 30);
    expect(parseSize('0')).toBe(0);
    expect(parseSize('5GiB')).toBe(5 * 2 ** 30);
    expect(parseAge('30d')).toBe(30 * DAY);
    expect(parseAge('2w')).toBe(14 * DAY);
    expect(() => parseSize('lots')).toThrow(/--max-size expects/);
    expect(() => parseAge('3 days')).toThrow(/--older-than expects/);
  });
});
