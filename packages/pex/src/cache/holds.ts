import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { utimesSync } from 'node:fs';
import { mkdir, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { STALE_LOCK_MS, withCacheLock } from './entry-lock.js';
import { buildCachePath } from './layout.js';

/**
 * What a running build holds in the build cache. A build (`buildPex`) runs inside
 * {@link withCacheHolds}; before it uses a cache entry by path (a download, a built wheel, a git
 * archive) it records a hold on the entry's lock key: an empty file
 * `locks/holds/<host>~<pid>~<token>/<key>`, made while holding the entry's lock. `pexkit cache
 * prune` takes that same lock (without waiting), then looks for holds, so it never removes an
 * entry a build has started to use, and a build that registers its hold after the prune finds
 * the entry gone and fetches it again. The directory is refreshed every 10 s while the build
 * runs and removed when it ends; one left by a dead process (same host) or not refreshed for a
 * minute is ignored and cleaned up by the next prune.
 */
interface Scope {
  root: string;
  dir: string;
  made?: Promise<void>;
  held: Set<string>;
}

const scopes = new AsyncLocalStorage<Scope>();
const HEARTBEAT_MS = 10_000;

/** The folder of holds under a cache root. */
export function holdsDir(root: string): string {
  return join(buildCachePath(root, 'locks'), 'holds');
}

/** Runs `body` as one build: entries it holds stay until it ends. */
export async function withCacheHolds<T>(root: string, body: () => Promise<T>): Promise<T> {
  const token = randomBytes(6).toString('hex');
  const scope: Scope = {
    root,
    dir: join(holdsDir(root), `${hostname()}~${process.pid}~${token}`),
    held: new Set(),
  };
  const heartbeat = setInterval(() => {
    if (scope.made === undefined) return;
    const now = new Date();
    utimes(scope.dir, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await scopes.run(scope, body);
  } finally {
    clearInterval(heartbeat);
    if (scope.made !== undefined) await rm(scope.dir, { recursive: true, force: true });
  }
}

/**
 * Records that the running build uses the entry with lock key `key` under `root` (no-op outside
 * {@link withCacheHolds}, or for another cache root). Call it before checking that the entry
 * exists; the caller must not hold that key's lock already.
 */
export async function holdEntry(root: string, key: string): Promise<void> {
  const scope = scopes.getStore();
  if (scope === undefined || scope.root !== root || scope.held.has(key)) return;
  scope.held.add(key);
  try {
    await withCacheLock(root, key, async () => {
      scope.made ??= mkdir(scope.dir, { recursive: true, mode: 0o700 }).then(() => undefined);
      await scope.made;
      await writeFile(join(scope.dir, key), '');
    });
  } catch {
    scope.held.delete(key); // a read-only cache: nothing can prune it either
  }
}

/** Marks a cache entry (file or directory) as used now: its mtime is its last use. */
export async function touchEntry(path: string): Promise<void> {
  const now = new Date();
  await utimes(path, now, now).catch(() => undefined);
}

/** {@link touchEntry} for synchronous callers. */
export function touchEntrySync(path: string): void {
  const now = new Date();
  try {
    utimesSync(path, now, now);
  } catch {
    // read-only cache, or gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The keys held by live builds, read now. Hold folders of dead processes on this host, or not
 * refreshed for {@link STALE_LOCK_MS}, are removed (when `clean`) and count for nothing.
 */
export async function liveHolds(root: string, clean = false): Promise<Set<string>> {
  const base = holdsDir(root);
  const keys = new Set<string>();
  let names: string[];
  try {
    names = await readdir(base);
  } catch {
    return keys;
  }
  for (const name of names) {
    const dir = join(base, name);
    const [host, pid] = name.split('~');
    let stale: boolean;
    try {
      stale =
        Date.now() - (await stat(dir)).mtimeMs > STALE_LOCK_MS ||
        (host === hostname() && !alive(Number(pid)));
    } catch {
      continue;
    }
    if (stale) {
      if (clean) await rm(dir, { recursive: true, force: true });
      continue;
    }
    try {
      for (const key of await readdir(dir)) keys.add(key);
    } catch {
      // ended meanwhile
    }
  }
  return keys;
}
