import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PexkitError } from '../errors.js';
import { buildCachePath } from './layout.js';

/** A lock whose holder stopped refreshing it for this long is stale (the holder died). */
export const STALE_LOCK_MS = 60_000;
const HEARTBEAT_MS = 10_000;
/** Waiting longer than this for one cache entry is an error (naming the lock file). */
const MAX_WAIT_MS = 30 * 60_000;

/** The lock of a cache entry was held by a live process for longer than anyone should need. */
export class CacheLockTimeoutError extends PexkitError {
  override readonly name = 'CacheLockTimeoutError';
  constructor(path: string, waitedMs: number) {
    super(
      `waited ${Math.round(waitedMs / 1000)} s for the cache lock ${path}; another pexkit process is still filling that entry. ` +
        'If no pexkit process is running, delete the file.',
    );
  }
}

interface Holder {
  pid: number;
  host: string;
  token: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(path: string): Promise<boolean> {
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(path)).mtimeMs;
  } catch {
    return false; // gone: not stale, just retry
  }
  if (Date.now() - mtimeMs > STALE_LOCK_MS) return true;
  try {
    const holder = JSON.parse(await readFile(path, 'utf8')) as Partial<Holder>;
    return holder.host === hostname() && typeof holder.pid === 'number' && !alive(holder.pid);
  } catch {
    return false; // being written, or not ours to judge: wait for it to age
  }
}

/** Removes a stale lock without removing a fresh one that replaced it meanwhile. */
async function breakStale(path: string): Promise<void> {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch {
    return; // someone else broke it first
  }
  if (!(await isStale(aside))) {
    // We took a fresh lock (the stale one was replaced between our check and the rename): put it
    // back unless yet another holder exists now.
    await link(aside, path).catch(() => undefined);
  }
  await rm(aside, { force: true });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fill` while holding the cross-process lock `<cacheRoot>/locks/<key>.lock`, so that
 * concurrent builds sharing one cache fill each entry once: the first takes the lock and
 * downloads (or deflates); the others wait, then find the entry. `fill` must re-check the cache
 * first. The lock file holds the holder's pid and host and is refreshed while held; a lock left by
 * a dead process (same host) or not refreshed for {@link STALE_LOCK_MS} is broken. Where no lock
 * can be created (a read-only cache), `fill` runs unlocked: entries are still written atomically.
 */
export async function withCacheLock<T>(
  cacheRoot: string,
  key: string,
  fill: () => Promise<T>,
): Promise<T> {
  if (!/^[A-Za-z0-9._-]{1,160}$/.test(key)) throw new Error(`invalid cache lock key ${key}`);
  const dir = buildCachePath(cacheRoot, 'locks');
  const path = join(dir, `${key}.lock`);
  const holder: Holder = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(8).toString('hex'),
  };
  const start = Date.now();
  let delay = 10;
  for (;;) {
    let handle;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      handle = await open(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return fill();
      if (await isStale(path)) {
        await breakStale(path);
        continue;
      }
      if (Date.now() - start > MAX_WAIT_MS)
        throw new CacheLockTimeoutError(path, Date.now() - start);
      await sleep(delay);
      delay = Math.min(delay * 2, 250);
      continue;
    }
    try {
      await handle.writeFile(JSON.stringify(holder));
    } finally {
      await handle.close();
    }
    const heartbeat = setInterval(() => {
      const now = new Date();
      utimes(path, now, now).catch(() => undefined);
    }, HEARTBEAT_MS);
    heartbeat.unref();
    try {
      return await fill();
    } finally {
      clearInterval(heartbeat);
      await releaseIfOurs(path, holder.token);
    }
  }
}

async function releaseIfOurs(path: string, token: string): Promise<void> {
  try {
    const current = JSON.parse(await readFile(path, 'utf8')) as Partial<Holder>;
    if (current.token === token) await rm(path, { force: true });
  } catch {
    // already gone (broken as stale by a waiter after a very long pause)
  }
}

/**
 * Takes the lock `<cacheRoot>/locks/<key>.lock` only if no one holds it (a live filler, a
 * reader registering a hold, another prune); returns its release, or undefined. Used by
 * `pexkit cache prune`, which never waits (a stale lock is broken by the next filler).
 */
export async function tryCacheLock(
  cacheRoot: string,
  key: string,
): Promise<(() => Promise<void>) | undefined> {
  if (!/^[A-Za-z0-9._-]{1,160}$/.test(key)) throw new Error(`invalid cache lock key ${key}`);
  const path = join(buildCachePath(cacheRoot, 'locks'), `${key}.lock`);
  const holder: Holder = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(8).toString('hex'),
  };
  try {
    await writeFile(path, JSON.stringify(holder), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return undefined;
  }
  return () => releaseIfOurs(path, holder.token);
}
