import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { rename, rm, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { scanBuildCache, type CacheEntry } from './entries.js';
import { OBSOLETE_BUILD_CACHE_DIRS, type BuildCacheDir } from './layout.js';
import { tryCacheLock } from './entry-lock.js';
import { liveHolds } from './holds.js';
import { buildCachePath } from './layout.js';

export interface PruneOptions {
  /** Remove every entry not used for this long. */
  olderThanMs?: number;
  /** Then remove more, least recently used first, until at most this many bytes are left. */
  maxSize?: number;
  /** Report what would go; remove nothing. */
  dryRun?: boolean;
  /** Leftovers of writers (`.tmp-*`, `.work-*`) older than this are removed (default a day). */
  tempAgeMs?: number;
  now?: number;
}

export interface PrunedEntry {
  /** Relative to the cache root. */
  path: string;
  size: number;
  lastUse: number;
}

export interface PruneReport {
  root: string;
  dryRun: boolean;
  removed: PrunedEntry[];
  /** Chosen, but a running build holds it (or is filling it): kept. */
  busy: PrunedEntry[];
  freed: number;
  kept: number;
  tempsRemoved: number;
  /** Folders of older pexkit versions (OBSOLETE_BUILD_CACHE_DIRS) removed (or to remove). */
  obsolete: string[];
}

/** The entries to remove, least recently used first (see {@link PruneOptions}). */
export function chooseVictims(
  entries: readonly CacheEntry[],
  options: PruneOptions,
  now = Date.now(),
): CacheEntry[] {
  const order = [...entries].sort(
    (a, b) => a.lastUse - b.lastUse || (a.paths[0] ?? '').localeCompare(b.paths[0] ?? ''),
  );
  let total = order.reduce((sum, e) => sum + e.size, 0);
  const chosen: CacheEntry[] = [];
  for (const e of order) {
    const old = options.olderThanMs !== undefined && e.lastUse < now - options.olderThanMs;
    const big = options.maxSize !== undefined && total > options.maxSize;
    if (!old && !big) break; // the rest are newer, and the size is reached
    chosen.push(e);
    total -= e.size;
  }
  return chosen;
}

const BATCH = 256;
const CONCURRENCY = 8;

/** Entries whose writers take a lock, or that builds hold: removed under that lock. */
const LOCKED: ReadonlySet<BuildCacheDir> = new Set([
  'artifacts',
  'builtWheels',
  'gitArchives',
  'deflated',
]);
/** Entries that are directories: renamed into trash/, then deleted. */
const DIRECTORIES: ReadonlySet<BuildCacheDir> = new Set([
  'artifacts',
  'builtWheels',
  'gitArchives',
]);

/** Runs `fn` over `items`, `limit` at a time (file system latency overlaps). */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const ignoreMissing = (error: NodeJS.ErrnoException) => {
  if (error.code !== 'ENOENT') throw error;
};

/**
 * Makes `e` vanish for readers at once: a directory is renamed into `trash/` (deleted later);
 * files (read whole by their readers, a miss is re-made) are unlinked, the one that makes the
 * entry count first.
 */
async function removeEntry(e: CacheEntry, trash: string): Promise<void> {
  for (const p of e.paths) {
    if (DIRECTORIES.has(e.dir))
      await rename(p, join(trash, `${randomBytes(6).toString('hex')}-${basename(p)}`)).catch(
        ignoreMissing,
      );
    else await unlink(p).catch(ignoreMissing);
  }
}

/**
 * Removes build-cache entries as {@link chooseVictims} says, never one a running build holds:
 * each is locked with its writers' lock (skipped if anyone holds it), the holds of running builds
 * are read after that (see holds.ts), and an entry no one holds is renamed into `trash/` (readers
 * see all of it or nothing), its lock released, then deleted. Entries that are single files read
 * whole (verdicts, index pages, interpreter facts, URL records) have no lock and no holds: one
 * unlink removes them atomically.
 */
export async function pruneBuildCache(
  root: string,
  options: PruneOptions = {},
): Promise<PruneReport> {
  const now = options.now ?? Date.now();
  const trash = buildCachePath(root, 'trash');
  if (options.dryRun !== true) await emptyTrash(trash); // left by a killed prune
  const { entries, temps } = await scanBuildCache(root);
  const victims = chooseVictims(entries, options, now);
  const rel = (e: CacheEntry): PrunedEntry => ({
    path: (e.paths[0] ?? '').slice(root.length + 1),
    size: e.size,
    lastUse: Math.round(e.lastUse),
  });
  const report: PruneReport = {
    root,
    dryRun: options.dryRun === true,
    removed: [],
    busy: [],
    freed: 0,
    kept: 0,
    tempsRemoved: 0,
    obsolete: OBSOLETE_BUILD_CACHE_DIRS.filter((d) => existsSync(join(root, d))),
  };
  const oldTemps = temps.filter((t) => t.mtimeMs < now - (options.tempAgeMs ?? 86_400_000));
  if (options.dryRun === true) {
    report.removed = victims.map(rel);
  } else {
    // Synchronous file operations: thousands of small ones, each cheaper than an async round trip.
    mkdirSync(buildCachePath(root, 'locks'), { recursive: true });
    mkdirSync(trash, { recursive: true });
    await liveHolds(root, true); // clean up the holds of dead builds
    for (let i = 0; i < victims.length; i += BATCH) {
      const batch = victims.slice(i, i + BATCH);
      const locked = new Map<CacheEntry, (() => Promise<void>) | undefined>();
      await pool(batch, CONCURRENCY, async (e) => {
        locked.set(
          e,
          LOCKED.has(e.dir) ? await tryCacheLock(root, e.key) : () => Promise.resolve(),
        );
      });
      // Holds are read after the locks are taken: a build that registered its hold before
      // is seen now; one that registers later waits for the lock, then finds the entry gone.
      const held = await liveHolds(root);
      await pool(batch, CONCURRENCY, async (e) => {
        const release = locked.get(e);
        if (release === undefined || held.has(e.key)) {
          report.busy.push(rel(e));
          await release?.();
          return;
        }
        try {
          await removeEntry(e, trash);
          report.removed.push(rel(e));
        } finally {
          await release();
        }
      });
    }
    for (const t of oldTemps) {
      rmSync(t.path, { recursive: true, force: true });
      report.tempsRemoved++;
    }
    for (const d of report.obsolete)
      await rename(join(root, d), join(trash, `${randomBytes(6).toString('hex')}-${d}`)).catch(
        ignoreMissing,
      );
    await emptyTrash(trash);
  }
  report.removed.sort((a, b) => a.lastUse - b.lastUse || a.path.localeCompare(b.path));
  report.freed = report.removed.reduce((sum, e) => sum + e.size, 0);
  report.kept = entries.length - report.removed.length;
  return report;
}

async function emptyTrash(trash: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(trash);
  } catch {
    return;
  }
  await pool(names, CONCURRENCY, (name) => rm(join(trash, name), { recursive: true, force: true }));
}
