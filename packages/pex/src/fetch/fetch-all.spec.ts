import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fakeArchiveBytes,
  serveBytes,
  startTestProxy,
  startTestServer,
  type TestServer,
} from '../testing/http-server.js';
import { HashMismatchError, OfflineMissingError } from './errors.js';
import { fetchAll } from './fetch-all.js';
import { HttpClient } from './http.js';

interface Wheel {
  filename: string;
  body: Buffer;
  sha256: string;
}

const wheels: Wheel[] = Array.from({ length: 12 }, (_, i) => {
  const body = fakeArchiveBytes(30_000 + i * 1000);
  return {
    filename: `pkg${i}-1.0-py3-none-any.whl`,
    body,
    sha256: createHash('sha256').update(body).digest('hex'),
  };
});

let server: TestServer;
let cache: string;
const fast = { retries: 2, retryBaseDelayMs: 10, idleTimeoutMs: 2000 };

function capture(isTTY: boolean): { stream: PassThrough & { isTTY: boolean }; text: () => string } {
  const chunks: string[] = [];
  const stream = Object.assign(new PassThrough(), { isTTY });
  stream.on('data', (d: Buffer) => chunks.push(d.toString()));
  return { stream, text: () => chunks.join('') };
}

beforeEach(async () => {
  server = await startTestServer();
  cache = await mkdtemp(join(tmpdir(), 'pexkit-fetchall-'));
  let active = 0;
  for (const w of wheels) {
    server.route(`/files/${w.filename}`, async (req, res, hit) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 30));
      active--;
      serveBytes(w.body)(req, res, hit);
    });
  }
  maxActive = 0;
});
let maxActive = 0;
afterEach(async () => {
  await server.close();
  await rm(cache, { recursive: true, force: true });
});

const refs = (): { url: string; filename: string; sha256: string }[] =>
  wheels.map((w) => ({
    url: `${server.origin}/files/${w.filename}`,
    filename: w.filename,
    sha256: w.sha256,
  }));

describe('fetchAll', () => {
  it('bounds concurrency, keeps input order, prints a one-line summary off a TTY', async () => {
    const out = capture(false);
    const result = await fetchAll(refs(), {
      cacheDir: cache,
      concurrency: 3,
      stream: out.stream,
      ...fast,
    });
    expect(result.artifacts.map((a) => a.sha256)).toEqual(wheels.map((w) => w.sha256));
    expect(maxActive).toBeLessThanOrEqual(3);
    expect(maxActive).toBeGreaterThan(1);
    const total = wheels.reduce((n, w) => n + w.body.length, 0);
    expect(result.counts.bytes).toBe(total);
    expect(out.text()).toMatch(/^fetched 12 files \(\d+\.\d kB\) in \d+\.\d s, 0 from cache\n$/);
  });

  it('a warm cache does no network I/O: all 12 from cache with the server stopped', async () => {
    await fetchAll(refs(), { cacheDir: cache, progress: 'none', ...fast });
    const urls = refs();
    await server.close();
    const http = new HttpClient(fast);
    const out = capture(false);
    const result = await fetchAll(urls, { cacheDir: cache, http, stream: out.stream });
    expect(http.requestCount).toBe(0);
    expect(result.artifacts.every((a) => a.source === 'cache')).toBe(true);
    expect(out.text()).toMatch(/^fetched 0 files \(0 B\) in \d+\.\d s, 12 from cache\n$/);
    await http.close();
  });

  it('two fetchAll at once on the same artifacts share downloads and both succeed', async () => {
    const [a, b] = await Promise.all([
      fetchAll(refs(), { cacheDir: cache, progress: 'none', ...fast }),
      fetchAll([...refs()].reverse(), { cacheDir: cache, progress: 'none', ...fast }),
    ]);
    expect(a.artifacts.map((x) => x.path)).toEqual([...b.artifacts].reverse().map((x) => x.path));
    expect(server.requests.length).toBe(12);
    const tmp = await readdir(join(cache, 'artifacts', 'tmp'));
    expect(tmp).toEqual([]);
  });

  it('offline lists every missing artifact at once', async () => {
    await fetchAll(refs().slice(0, 4), { cacheDir: cache, progress: 'none', ...fast });
    const error = await fetchAll(refs(), {
      cacheDir: cache,
      offline: true,
      progress: 'none',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfflineMissingError);
    expect((error as OfflineMissingError).missing).toHaveLength(8);
    expect((error as Error).message).toContain('pkg11-1.0-py3-none-any.whl');
    expect((error as Error).message).not.toContain('pkg0-1.0');
  });

  it('one bad hash fails the batch with a HashMismatchError; the good ones stay cached', async () => {
    const list = refs();
    list[5] = { ...list[5], sha256: '00'.repeat(32) };
    const error = await fetchAll(list, {
      cacheDir: cache,
      progress: 'none',
      concurrency: 1,
      ...fast,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HashMismatchError);
    expect((error as Error).message).toContain('pkg5-1.0-py3-none-any.whl');
    const cached = await readdir(join(cache, 'artifacts', 'sha256'), { recursive: true });
    expect(cached.some((f) => f.endsWith('pkg5-1.0-py3-none-any.whl'))).toBe(false);
    expect(cached.some((f) => f.endsWith('pkg0-1.0-py3-none-any.whl'))).toBe(true);
  });

  it('draws one updating line on a TTY and ends with the summary', async () => {
    const out = capture(true);
    await fetchAll(refs(), { cacheDir: cache, concurrency: 2, stream: out.stream, ...fast });
    const text = out.text();
    expect(text).toContain('\r\x1b[Kfetching wheels: ');
    expect(text).not.toMatch(/\n.*\n/); // a single line ever ends with a newline
    expect(text.endsWith(' from cache\n')).toBe(true);
  });

  it('honours HTTP_PROXY (requests go through a local proxy) and NO_PROXY', async () => {
    const proxy = await startTestProxy();
    try {
      const result = await fetchAll(refs().slice(0, 2), {
        cacheDir: cache,
        progress: 'none',
        ...fast,
        env: { HTTP_PROXY: proxy.url },
      });
      expect(result.artifacts).toHaveLength(2);
      expect(proxy.targets.length).toBeGreaterThan(0);
      expect(proxy.targets.every((t) => t === server.origin.replace('http://', ''))).toBe(true);
      const before = proxy.targets.length;
      await fetchAll(refs().slice(2, 4), {
        cacheDir: cache,
        progress: 'none',
        ...fast,
        env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
      });
      expect(proxy.targets.length).toBe(before);
    } finally {
      await proxy.close();
    }
  });
});
