import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STALE_LOCK_MS, withCacheLock } from './entry-lock.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'pexkit-lock-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A pid that is not running: a child that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

describe('withCacheLock', () => {
  it('runs fills of one entry one at a time, and removes its lock file', async () => {
    const order: string[] = [];
    const fill = (name: string) => async () => {
      order.push(`${name} start`);
      await new Promise((r) => setTimeout(r, 50));
      order.push(`${name} end`);
      return name;
    };
    const got = await Promise.all([
      withCacheLock(root, 'artifact-x', fill('a')),
      withCacheLock(root, 'artifact-x', fill('b')),
    ]);
    expect(got).toEqual(['a', 'b']);
    expect(order).toEqual(['a start', 'a end', 'b start', 'b end']);
    expect(await readdir(join(root, 'locks'))).toEqual([]);
  });

  it('releases the lock when the fill throws', async () => {
    await expect(
      withCacheLock(root, 'artifact-y', () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect(await withCacheLock(root, 'artifact-y', () => Promise.resolve(1))).toBe(1);
  });

  it('breaks a lock left by a dead process on this host, and one not refreshed for a minute', async () => {
    await mkdir(join(root, 'locks'));
    const dead = join(root, 'locks', 'artifact-dead.lock');
    await writeFile(dead, JSON.stringify({ pid: deadPid(), host: hostname(), token: 't' }));
    expect(await withCacheLock(root, 'artifact-dead', () => Promise.resolve('ok'))).toBe('ok');
    // A live pid (ours) elsewhere, but silent for longer than STALE_LOCK_MS.
    const old = join(root, 'locks', 'artifact-old.lock');
    await writeFile(old, JSON.stringify({ pid: process.pid, host: 'other-host', token: 't' }));
    const past = new Date(Date.now() - STALE_LOCK_MS - 5000);
    await utimes(old, past, past);
    expect(await withCacheLock(root, 'artifact-old', () => Promise.resolve('ok'))).toBe('ok');
    expect(await readdir(join(root, 'locks'))).toEqual([]);
  });

  it('waits for a live holder instead of breaking its lock', async () => {
    await mkdir(join(root, 'locks'));
    const held = join(root, 'locks', 'artifact-held.lock');
    await writeFile(held, JSON.stringify({ pid: process.pid, host: hostname(), token: 't' }));
    let ran = false;
    const waiting = withCacheLock(root, 'artifact-held', () => {
      ran = true;
      return Promise.resolve();
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(ran).toBe(false);
    await rm(held);
    await waiting;
    expect(ran).toBe(true);
  });

  it('refuses keys that are not plain file names (no ../ out of the lock directory)', async () => {
    await expect(withCacheLock(root, '../../etc/x', () => Promise.resolve())).rejects.toThrow(
      'invalid cache lock key',
    );
  });
});
