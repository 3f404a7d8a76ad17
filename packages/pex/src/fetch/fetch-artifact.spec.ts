import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fakeArchiveBytes,
  serveBytes,
  serveTruncated,
  startTestServer,
  type TestServer,
} from '../testing/http-server.js';
import {
  AuthenticationError,
  HashMismatchError,
  HttpStatusError,
  NetworkError,
  OfflineMissingError,
} from './errors.js';
import { fetchArtifact, NotAnArchiveError } from './fetch-artifact.js';
import { HttpClient } from './http.js';

const FILE = 'demo-1.0-py3-none-any.whl';
const body = fakeArchiveBytes(200_000);
const sha = createHash('sha256').update(body).digest('hex');

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  }
  await walk(dir);
  return out.sort();
}

let server: TestServer;
let cache: string;
const fast = { retries: 2, retryBaseDelayMs: 10, connectTimeoutMs: 2000, idleTimeoutMs: 2000 };

beforeEach(async () => {
  server = await startTestServer();
  cache = await mkdtemp(join(tmpdir(), 'pexkit-fetch-'));
});
afterEach(async () => {
  await server.close();
  await rm(cache, { recursive: true, force: true });
});

describe('fetchArtifact over HTTP', () => {
  it('downloads, verifies and stores content-addressed; a warm cache needs no server', async () => {
    server.route(`/files/${FILE}`, serveBytes(body));
    const url = `${server.origin}/files/${FILE}`;
    const first = await fetchArtifact(
      { url, filename: FILE, sha256: sha, size: body.length },
      { cacheDir: cache, ...fast },
    );
    expect(first.source).toBe('network');
    expect(first.path).toBe(join(cache, 'artifacts', 'sha256', sha.slice(0, 2), sha, FILE));
    expect(Buffer.compare(await readFile(first.path), body)).toBe(0);
    expect(server.requests[0].headers['user-agent']).toMatch(/^pexkit\/\d/);
    await server.close();
    const http = new HttpClient(fast);
    const second = await fetchArtifact(
      { url, filename: FILE, sha256: sha },
      { cacheDir: cache, http },
    );
    expect(second).toMatchObject({
      path: first.path,
      sha256: sha,
      size: body.length,
      source: 'cache',
    });
    expect(http.requestCount).toBe(0);
    await http.close();
  });

  it('refuses a hash mismatch, naming file, URL and both hashes, and caches nothing', async () => {
    server.route(`/files/${FILE}`, serveBytes(body));
    const wrong = 'ab'.repeat(32);
    const error = await fetchArtifact(
      { url: `${server.origin}/files/${FILE}`, filename: FILE, sha256: wrong },
      { cacheDir: cache, ...fast },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HashMismatchError);
    const message = (error as Error).message;
    expect(message).toContain(FILE);
    expect(message).toContain(`${server.origin}/files/${FILE}`);
    expect(message).toContain(wrong);
    expect(message).toContain(sha);
    expect(server.requests).toHaveLength(1); // not retried
    expect(await listFiles(cache)).toEqual([]);
  });

  it('retries a 500 and succeeds', async () => {
    server.route(`/files/${FILE}`, (req, res, hit) =>
      hit === 1 ? void res.writeHead(500).end('boom') : serveBytes(body)(req, res, hit),
    );
    const logs: string[] = [];
    const got = await fetchArtifact(
      { url: `${server.origin}/files/${FILE}`, filename: FILE, sha256: sha },
      { cacheDir: cache, ...fast, log: (l) => logs.push(l) },
    );
    expect(got.sha256).toBe(sha);
    expect(server.requests).toHaveLength(2);
    expect(logs.join('\n')).toMatch(/retrying .* HTTP 500/);
  });

  it('429 with Retry-After waits as asked, then succeeds', async () => {
    server.route(`/files/${FILE}`, (req, res, hit) =>
      hit === 1
        ? void res.writeHead(429, { 'retry-after': '1' }).end()
        : serveBytes(body)(req, res, hit),
    );
    const started = Date.now();
    const got = await fetchArtifact(
      { url: `${server.origin}/files/${FILE}`, filename: FILE, sha256: sha },
      { cacheDir: cache, ...fast },
    );
    expect(got.sha256).toBe(sha);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('a dead proxy is named in the error', async () => {
    const error = await fetchArtifact(
      { url: `${server.origin}/files/${FILE}`, filename: FILE, sha256: sha },
      { cacheDir: cache, retries: 0, env: { HTTP_PROXY: 'http://proxyuser:proxypw@127.0.0.1:9' } },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(
      /connection refused \(through proxy http:\/\/\*\*\*@127\.0\.0\.1:9\/?/,
    );
    expect((error as Error).message).not.toContain('proxypw');
  });

  it('gives up on a persistent 503 after the configured retries', async () => {
    server.route(`/files/${FILE}`, (_req, res) => void res.writeHead(503).end());
    const error = await fetchArtifact(
      { url: `${server.origin}/files/${FILE}`, filename: FILE, sha256: sha },
      { cacheDir: cache, ...fast },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(503);
    expect(server.requests).toHaveLength(3);
    expect(await listFiles(cache)).toEqual([]);
  });

  it('404 is not retried and names the URL', async () => {
    const url = `${server.origin}/files/${FILE}`;
    const error = await fetchArtifact(
      { url, filename: FILE, sha256: sha },
      { cacheDir: cache, ...fast },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as Error).message).toContain(`HTTP 404 for ${url}`);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a truncated body, and never caches a truncated file', async () => {
    server.route(`/files/${FILE}`, (req, res, hit) =>
      hit === 1 ? serveTruncated(body, 1000)(req, res, hit) : serveBytes(body)(req, res, hit),
    );
    const got = await fetchArtifact(
      { url: `${server.origin}/files/${FILE}`, filename: FILE, sha256: sha },
      { cacheDir: cache, ...fast },
    );
    expect(got.size).toBe(body.length);
    expect(server.requests).toHaveLength(2);

    server.route('/files/always-cut.whl', serveTruncated(body, 5000));
    const error = await fetchArtifact(
      { url: `${server.origin}/files/always-cut.whl`, filename: 'always-cut.whl' },
      { cacheDir: cache, ...fast },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toContain('/files/always-cut.whl');
    expect((await listFiles(cache)).filter((f) => f.includes('always-cut'))).toEqual([]);
  });

  it('times out on a slow server with a clear error', async () => {
    server.route(`/files/${FILE}`, () => undefined); // never answers
    const started = Date.now();
    const error = await fetchArtifact(
      { url: `${server.origin}/files/${FILE}`, filename: FILE, sha256: sha },
      { cacheDir: cache, retries: 1, retryBaseDelayMs: 10, idleTimeoutMs: 300 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/no response within 300 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.requests).toHaveLength(2);
  });

  it('stalls mid-body are a timeout too', async () => {
    server.route(`/files/${FILE}`, (_req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) });
      res.write(body.subarray(0, 10));
    });
    const error = await fetchArtifact(
      { url: `${server.origin}/files/${FILE}`, filename: FILE, sha256: sha },
      { cacheDir: cache, retries: 0, idleTimeoutMs: 300 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/stalled/);
    expect(await listFiles(cache)).toEqual([]);
  });

  it('uses the #sha256 fragment when the lock has no hash, and computes it when there is none', async () => {
    server.route(`/files/${FILE}`, serveBytes(body));
    const withFragment = await fetchArtifact(
      { url: `${server.origin}/files/${FILE}#sha256=${sha}`, filename: FILE },
      { cacheDir: cache, ...fast },
    );
    expect(withFragment.sha256).toBe(sha);
    const bad = await fetchArtifact(
      { url: `${server.origin}/files/${FILE}#sha256=${'0'.repeat(64)}`, filename: FILE },
      { cacheDir: join(cache, 'other'), ...fast },
    ).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(HashMismatchError);

    server.route('/files/nohash.whl', serveBytes(body));
    const computed = await fetchArtifact(
      { url: `${server.origin}/files/nohash.whl`, filename: 'nohash.whl' },
      { cacheDir: cache, ...fast },
    );
    expect(computed.sha256).toBe(sha);
    // Offline later: found again through the URL record, no server needed.
    await server.close();
    const again = await fetchArtifact(
      { url: `${server.origin}/files/nohash.whl`, filename: 'nohash.whl' },
      { cacheDir: cache, offline: true },
    );
    expect(again).toMatchObject({ source: 'cache', sha256: sha });
  });

  it('refuses an HTML page served as a hash-less wheel (login page / proxy error) and caches nothing', async () => {
    server.route(
      '/files/portal.whl',
      serveBytes('<html><body>Please log in</body></html>', 'text/html'),
    );
    const error = await fetchArtifact(
      { url: `${server.origin}/files/portal.whl`, filename: 'portal.whl' },
      { cacheDir: cache, ...fast },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotAnArchiveError);
    expect((error as Error).message).toMatch(
      /portal\.whl from .* is not a zip archive \(server sent text\/html\)/,
    );
    expect(await listFiles(cache)).toEqual([]);
  });

  it('drops a corrupted cache entry and fetches it again', async () => {
    server.route(`/files/${FILE}`, serveBytes(body));
    const url = `${server.origin}/files/${FILE}`;
    const first = await fetchArtifact(
      { url, filename: FILE, sha256: sha },
      { cacheDir: cache, ...fast },
    );
    await writeFile(first.path, 'garbage');
    const second = await fetchArtifact(
      { url, filename: FILE, sha256: sha },
      { cacheDir: cache, ...fast },
    );
    expect(second.source).toBe('network');
    expect(Buffer.compare(await readFile(second.path), body)).toBe(0);
  });

  it('two racing fetchers of one wheel into one cache both succeed; one downloads, one file', async () => {
    server.route(`/files/${FILE}`, async (req, res, hit) => {
      await new Promise((r) => setTimeout(r, 100));
      serveBytes(body)(req, res, hit);
    });
    // A symlinked root defeats in-process sharing, like two separate processes would.
    const alias = `${cache}-alias`;
    await symlink(cache, alias);
    try {
      const url = `${server.origin}/files/${FILE}`;
      const [a, b] = await Promise.all([
        fetchArtifact({ url, filename: FILE, sha256: sha }, { cacheDir: cache, ...fast }),
        fetchArtifact({ url, filename: FILE, sha256: sha }, { cacheDir: alias, ...fast }),
      ]);
      // The cache's entry lock: the second waits for the first, then finds the verified entry.
      expect(server.requests).toHaveLength(1);
      expect([a.source, b.source].sort()).toEqual(['cache', 'network']);
      expect(await listFiles(join(cache, 'artifacts'))).toEqual([
        `sha256/${sha.slice(0, 2)}/${sha}/${FILE}`,
      ]);
    } finally {
      await rm(alias);
    }
  });
});

describe('fetchArtifact offline and local', () => {
  it('offline: a cache miss is an OfflineMissingError naming the file', async () => {
    const error = await fetchArtifact(
      { url: `${server.origin}/files/${FILE}`, filename: FILE, sha256: sha },
      { cacheDir: cache, offline: true },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfflineMissingError);
    expect((error as Error).message).toContain(FILE);
    expect(server.requests).toHaveLength(0);
  });

  it('offline: finds the wheel in a find-links directory (verified), without copying it', async () => {
    const house = join(cache, 'wheelhouse');
    await mkdir(house);
    await writeFile(join(house, FILE), body);
    const got = await fetchArtifact(
      { url: `${server.origin}/files/${FILE}`, filename: FILE, sha256: sha },
      { cacheDir: cache, offline: true, findLinks: [house] },
    );
    expect(got).toMatchObject({ path: join(house, FILE), source: 'local', sha256: sha });
    const wrong = await fetchArtifact(
      { url: `${server.origin}/files/${FILE}`, filename: FILE, sha256: 'cd'.repeat(32) },
      { cacheDir: cache, offline: true, findLinks: [pathToFileURL(house).href] },
    ).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(OfflineMissingError);
  });

  it('verifies a local path or file:// URL in place', async () => {
    const path = join(cache, FILE);
    await writeFile(path, body);
    expect(
      await fetchArtifact({ path, filename: FILE, sha256: sha }, { cacheDir: cache }),
    ).toMatchObject({ path, sha256: sha, size: body.length, source: 'local' });
    expect(
      await fetchArtifact({ url: pathToFileURL(path).href, filename: FILE }, { cacheDir: cache }),
    ).toMatchObject({ sha256: sha });
    await expect(
      fetchArtifact({ path, filename: FILE, sha256: 'ef'.repeat(32) }, { cacheDir: cache }),
    ).rejects.toThrow(/sha256 mismatch for demo-1\.0/);
    await expect(
      fetchArtifact({ path, filename: FILE, size: 5 }, { cacheDir: cache }),
    ).rejects.toThrow(/size mismatch/);
  });

  it('rejects file names that could escape the cache', async () => {
    await expect(
      fetchArtifact({ url: `${server.origin}/x`, filename: '../evil.whl' }, { cacheDir: cache }),
    ).rejects.toThrow(/bad artifact file name/);
    await expect(
      fetchArtifact({ url: 'https://u:secretpw@', filename: 'a.whl' }, { cacheDir: cache }),
    ).rejects.toThrow(/bad URL for a\.whl/);
    await expect(
      fetchArtifact({ url: 'ftp://h/a.whl', filename: 'a.whl' }, { cacheDir: cache }),
    ).rejects.toThrow(/unsupported URL scheme/);
  });

  it('handles very long wheel file names (temp names stay short enough)', async () => {
    const long = `averylongprojectname-1.0-${'cp312.'.repeat(12)}cp312-cp312-${'manylinux_2_17_x86_64.'.repeat(5)}manylinux2014_x86_64.whl`;
    expect(long.length).toBeGreaterThan(235);
    expect(long.length).toBeLessThan(256);
    server.route(`/files/${long}`, serveBytes(body));
    const got = await fetchArtifact(
      { url: `${server.origin}/files/${long}`, filename: long, sha256: sha },
      { cacheDir: cache, ...fast },
    );
    expect(got.path.endsWith(long)).toBe(true);
  });
});

describe('credentials', () => {
  const needAuth =
    (user: string, pass: string) =>
    (
      req: import('node:http').IncomingMessage,
      res: import('node:http').ServerResponse,
      hit: number,
    ) => {
      const expected = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      if (req.headers.authorization !== expected)
        return void res.writeHead(401, { 'www-authenticate': 'Basic' }).end();
      serveBytes(body)(req, res, hit);
    };

  it('sends URL user info as Basic auth and keeps it out of errors, logs and the cache', async () => {
    server.route(`/files/${FILE}`, needAuth('alice', 's3cret-pw'));
    const host = server.origin.replace('http://', '');
    const logs: string[] = [];
    const ok = await fetchArtifact(
      { url: `http://alice:s3cret-pw@${host}/files/${FILE}`, filename: FILE, sha256: sha },
      { cacheDir: cache, ...fast, log: (l) => logs.push(l) },
    );
    expect(ok.source).toBe('network');
    expect(ok.path).not.toContain('s3cret');
    const bad = await fetchArtifact(
      {
        url: `http://alice:wrong-pw@${host}/files/${FILE}`,
        filename: FILE,
        sha256: 'ab'.repeat(32),
      },
      { cacheDir: cache, ...fast, log: (l) => logs.push(l) },
    ).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(AuthenticationError);
    const message = (bad as Error).message;
    expect(message).toContain('401');
    expect(message).toContain(host);
    expect(message).toContain('netrc');
    expect(message).not.toContain('wrong-pw');
    expect(message).not.toContain('alice');
    expect(logs.join('\n')).not.toMatch(/s3cret|wrong-pw/);
    for (const f of await listFiles(cache)) expect(f).not.toMatch(/s3cret|alice/);
    for (const f of await listFiles(cache))
      expect(await readFile(join(cache, f), 'latin1')).not.toMatch(/s3cret/);
  });

  it('follows redirects, but never forwards credentials to another origin', async () => {
    const other = await startTestServer({ [`/cdn/${FILE}`]: serveBytes(body) });
    try {
      server.route(`/files/${FILE}`, (req, res) => {
        expect(req.headers.authorization).toBeDefined();
        res.writeHead(302, { location: `${other.origin}/cdn/${FILE}` }).end();
      });
      const host = server.origin.replace('http://', '');
      const got = await fetchArtifact(
        { url: `http://dan:redirect-pw@${host}/files/${FILE}`, filename: FILE, sha256: sha },
        { cacheDir: cache, ...fast, env: { NETRC: '/nonexistent' } },
      );
      expect(got.sha256).toBe(sha);
      expect(other.requests).toHaveLength(1);
      expect(other.requests[0].headers.authorization).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('reads credentials from $NETRC and from PIP_INDEX_URL for the same host', async () => {
    server.route(`/files/${FILE}`, needAuth('bob', 'netrc-pw'));
    const netrc = join(cache, 'netrc');
    await writeFile(netrc, `# comment\nmachine 127.0.0.1\n  login bob\n  password netrc-pw\n`);
    const url = `${server.origin}/files/${FILE}`;
    const got = await fetchArtifact(
      { url, filename: FILE, sha256: sha },
      { cacheDir: cache, ...fast, env: { NETRC: netrc } },
    );
    expect(got.sha256).toBe(sha);

    server.route('/files/b.whl', needAuth('carol', 'env-pw'));
    const host = server.origin.replace('http://', '');
    const viaEnv = await fetchArtifact(
      { url: `${server.origin}/files/b.whl`, filename: 'b.whl' },
      {
        cacheDir: cache,
        ...fast,
        env: { PIP_INDEX_URL: `http://carol:env-pw@${host}/simple/`, NETRC: netrc },
      },
    );
    expect(viaEnv.sha256).toBe(sha);

    const none = await fetchArtifact(
      { url: `${server.origin}/files/b.whl`, filename: 'b.whl', sha256: sha },
      { cacheDir: join(cache, 'c2'), ...fast, env: { NETRC: '/nonexistent' } },
    ).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(AuthenticationError);
    expect((none as Error).message).toContain('no credentials were sent');
  });
});
