/**
 * Issue 11, network: what a hostile or broken server on 127.0.0.1 can no longer do — cut a
 * hash-less download short and have it cached, make us write far more than the lock's size, hold
 * a request open forever, blow up an index page, downgrade credentials to http, point a remote
 * page at the local disk, or crash the client with a bad %-escape.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createGzip, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PexkitError } from '../errors.js';
import { IndexFormatError, parseSimpleHtml } from '../index-client/parse.js';
import { listIndexFiles } from '../index-client/simple.js';
import {
  fakeArchiveBytes,
  makeTestCertificate,
  serveBytes,
  startTestServer,
} from '../testing/http-server.js';
import { CredentialStore } from './credentials.js';
import { AuthenticationError, InsecureRedirectError, NetworkError } from './errors.js';
import { fetchArtifact } from './fetch-artifact.js';
import { HttpClient } from './http.js';
import { BodyTooLargeError } from './limits.js';

const WHEEL = 'tiny-1.0-py3-none-any.whl';
const wheel = fakeArchiveBytes(40_000);
const noNetrc = { NETRC: '/nonexistent' };
const fast = { retries: 1, retryBaseDelayMs: 10, connectTimeoutMs: 2000, idleTimeoutMs: 3000 };

/** A raw TCP server answering every connection with `respond` (for bodies HTTP servers won't send). */
async function rawServer(
  respond: (socket: Socket, request: string) => void,
): Promise<{ origin: string; requests: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', (data: Buffer) => {
      count++;
      respond(socket, data.toString('latin1'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => count,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Every file under `dir` (relative paths). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

let work: string;
let cache: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'pexkit-hostile-'));
  cache = join(work, 'cache');
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('a download no hash pins', () => {
  it('cut short without a Content-Length is refused and never cached (wheel and sdist)', async () => {
    const sdist = gzipSync(Buffer.alloc(10_240, 0x61)); // not a tar, and cut in half below
    const server = await rawServer((socket, request) => {
      const body = request.includes('.whl') ? wheel : sdist;
      socket.end(
        Buffer.concat([
          Buffer.from(
            'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n',
          ),
          body.subarray(0, Math.floor(body.length / 2)),
        ]),
      );
    });
    try {
      const error = await fetchArtifact(
        { url: `${server.origin}/f/${WHEEL}`, filename: WHEEL },
        { cacheDir: cache, ...fast, retries: 0 },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `${WHEEL.replace(/\./g, '\\.')} is not a readable archive .*refused and not cached`,
        ),
      );
      const tarball = await fetchArtifact(
        { url: `${server.origin}/f/tiny-1.0.tar.gz`, filename: 'tiny-1.0.tar.gz' },
        { cacheDir: cache, ...fast, retries: 0 },
      ).catch((e: unknown) => e);
      expect((tarball as Error).message).toMatch(/tiny-1\.0\.tar\.gz is not a readable archive/);
      // Nothing entered the cache: no artifact, no by-url record, no temp file left.
      expect(filesUnder(join(cache, 'artifacts'))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('a complete archive without a Content-Length is cached as before', async () => {
    const server = await rawServer((socket) => {
      socket.end(
        Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n'), wheel]),
      );
    });
    try {
      const got = await fetchArtifact(
        { url: `${server.origin}/f/${WHEEL}`, filename: WHEEL },
        { cacheDir: cache, ...fast },
      );
      expect(got.sha256).toBe(createHash('sha256').update(wheel).digest('hex'));
    } finally {
      await server.close();
    }
  });
});

describe('bounded resources', () => {
  it('stops a body at the lock’s size instead of writing it all', async () => {
    let written = 0;
    const server = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n');
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = (): void => {
        while (written < 300 * 1024 ** 2 && !socket.destroyed) {
          written += chunk.length;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.end();
      };
      pump();
    });
    try {
      const started = Date.now();
      const error = await fetchArtifact(
        { url: `${server.origin}/f/${WHEEL}`, filename: WHEEL, size: 943 },
        { cacheDir: cache, ...fast },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BodyTooLargeError);
      expect((error as Error).message).toBe(
        `body of ${server.origin}/f/${WHEEL} exceeds 943 bytes (the size the lock gives for ${WHEEL}); stopped, nothing was kept`,
      );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(server.requests()).toBe(1); // not retried
      expect(written).toBeLessThan(50 * 1024 ** 2);
      expect(filesUnder(join(cache, 'artifacts'))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('reads only the start of an error page', async () => {
    let written = 0;
    const server = await rawServer((socket) => {
      socket.write('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\nno such file ');
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = (): void => {
        while (written < 300 * 1024 ** 2 && !socket.destroyed) {
          written += chunk.length;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.end();
      };
      pump();
    });
    try {
      const http = new HttpClient({ ...fast, env: noNetrc });
      const error = await http.get(`${server.origin}/f/${WHEEL}`).catch((e: unknown) => e);
      await http.close();
      expect((error as Error).message).toMatch(/^HTTP 404 for .*: no such file a+$/);
      expect(written).toBeLessThan(50 * 1024 ** 2);
    } finally {
      await server.close();
    }
  });

  it('refuses a declared Content-Length over the cap before reading; the cap has a variable', async () => {
    const server = await startTestServer({ [`/f/${WHEEL}`]: serveBytes(wheel) });
    try {
      const error = await fetchArtifact(
        { url: `${server.origin}/f/${WHEEL}`, filename: WHEEL },
        { cacheDir: cache, ...fast, env: { PEXKIT_MAX_DOWNLOAD_SIZE: '32K', ...noNetrc } },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BodyTooLargeError);
      expect((error as Error).message).toMatch(
        /exceeds 32 KiB \(the download cap; raise it with \$PEXKIT_MAX_DOWNLOAD_SIZE\)/,
      );
      const ok = await fetchArtifact(
        { url: `${server.origin}/f/${WHEEL}`, filename: WHEEL },
        { cacheDir: cache, ...fast, env: { PEXKIT_MAX_DOWNLOAD_SIZE: '64K', ...noNetrc } },
      );
      expect(ok.size).toBe(wheel.length);
    } finally {
      await server.close();
    }
  });

  it('gives every request a total deadline (slow-loris), named with its variable, not retried', async () => {
    const server = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nPK');
      const drip = setInterval(
        () => (socket.destroyed ? clearInterval(drip) : socket.write('x')),
        200,
      );
      socket.on('close', () => clearInterval(drip));
    });
    try {
      const started = Date.now();
      const error = await fetchArtifact(
        { url: `${server.origin}/f/${WHEEL}`, filename: WHEEL },
        { cacheDir: cache, ...fast, env: { PEXKIT_HTTP_DEADLINE: '1.5', ...noNetrc } },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as Error).message).toBe(
        `network error fetching ${server.origin}/f/${WHEEL}: no complete response within 1.5 s, ` +
          'the total deadline per request (raise it with $PEXKIT_HTTP_DEADLINE=<seconds>)',
      );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(server.requests()).toBe(1);
      expect(filesUnder(join(cache, 'artifacts')).filter((f) => !f.startsWith('tmp'))).toEqual([]);
    } finally {
      await server.close();
    }
  }, 20_000);

  it('caps a decompressed index page (gzip bomb): fails fast, once, naming URL and limit', async () => {
    // ~100 MB of spaces, gzipped to ~100 KB.
    const gz = createGzip({ level: 1 });
    const parts: Buffer[] = [];
    gz.on('data', (c: Buffer) => parts.push(c));
    const done = new Promise((resolve) => gz.on('end', resolve));
    const block = Buffer.alloc(1024 * 1024, 0x20);
    for (let i = 0; i < 100; i++) gz.write(block);
    gz.end();
    await done;
    const bomb = Buffer.concat(parts);
    const small = `<a href="/f/small-1.0-py3-none-any.whl">x</a>${' '.repeat(4096)}`;
    const server = await startTestServer({
      '/simple/small/': serveBytes(small, 'text/html'),
      '/simple/tiny/': (_req, res) => {
        res
          .writeHead(200, {
            'content-type': 'text/html',
            'content-encoding': 'gzip',
            'content-length': String(bomb.length),
          })
          .end(bomb);
      },
    });
    try {
      const started = Date.now();
      const error = await listIndexFiles('tiny', {
        indexUrl: `${server.origin}/simple`,
        cacheDir: cache,
        ...fast,
        env: noNetrc,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BodyTooLargeError);
      expect((error as Error).message).toBe(
        `decompressed (gzip) index page of ${server.origin}/simple/tiny/ exceeds 64 MiB ` +
          '(the index page cap; raise it with $PEXKIT_MAX_INDEX_PAGE_SIZE); stopped, nothing was kept',
      );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(server.requests).toHaveLength(1);
      // The cap has a variable: a 4 KiB page under a 1 KiB cap is refused, under 8 KiB read.
      const options = { indexUrl: `${server.origin}/simple`, cacheDir: cache, ...fast };
      await expect(
        listIndexFiles('small', {
          ...options,
          env: { PEXKIT_MAX_INDEX_PAGE_SIZE: '1K', ...noNetrc },
        }),
      ).rejects.toThrow(/^index page of .*\/simple\/small\/ exceeds 1 KiB/);
      const files = await listIndexFiles('small', {
        ...options,
        env: { PEXKIT_MAX_INDEX_PAGE_SIZE: '8K', ...noNetrc },
      });
      expect(files.map((f) => f.filename)).toEqual(['small-1.0-py3-none-any.whl']);
    } finally {
      await server.close();
    }
  });
});

describe('credentials and origins', () => {
  it('credentials given for https://host never go to http://host', () => {
    const store = new CredentialStore({
      urls: ['https://alice:s3cret@idx.example/simple/'],
      netrc: false,
      env: {},
    });
    expect(store.lookup(new URL('https://idx.example/files/x.whl'))).toEqual({
      username: 'alice',
      password: 's3cret',
    });
    expect(store.lookup(new URL('http://idx.example/files/x.whl'))).toBeUndefined();
    expect(store.lookup(new URL('https://idx.example:8443/files/x.whl'))).toBeUndefined();
  });

  it('refuses an https → http redirect while credentials are involved', async (ctx) => {
    const cert = makeTestCertificate(work);
    if (cert === undefined) {
      console.warn('SKIPPED: the openssl command is not installed (no test certificate)');
      ctx.skip();
      return;
    }
    const plain = await startTestServer({
      '/simple/tiny/': (_req, res) =>
        void res.writeHead(200, { 'content-type': 'text/html' }).end(''),
    });
    const tls = await startTestServer(
      {
        '/simple/tiny/': (_req, res) =>
          void res.writeHead(302, { location: `${plain.origin}/simple/tiny/` }).end(),
      },
      { tls: cert },
    );
    const netrc = join(work, 'netrc');
    writeFileSync(netrc, 'machine 127.0.0.1 login alice password s3cret\n');
    try {
      const error = await listIndexFiles('tiny', {
        indexUrl: `${tls.origin}/simple`,
        cacheDir: cache,
        ...fast,
        caFile: cert.certFile,
        env: { NETRC: netrc },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InsecureRedirectError);
      expect((error as Error).message).toMatch(
        /^refused the redirect from https:\/\/127\.0\.0\.1:\d+\/simple\/tiny\/ to http:\/\/127\.0\.0\.1:\d+\/simple\/tiny\/: it downgrades https to http/,
      );
      expect(tls.requests[0]?.headers.authorization).toMatch(/^Basic /);
      expect(plain.requests).toEqual([]);
    } finally {
      await tls.close();
      await plain.close();
    }
  });

  it('a remote index page may not link to file: URLs (HTML, <base>, JSON); local pages may', async () => {
    const local = join(work, 'house');
    mkdirSync(local);
    writeFileSync(join(local, WHEEL), wheel);
    const fileUrl = pathToFileURL(join(local, WHEEL)).href;
    const server = await startTestServer({
      '/html/tiny/': (_req, res) =>
        void res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(`<a href="${fileUrl}">${WHEEL}</a>`),
      '/base/tiny/': (_req, res) =>
        void res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(`<base href="${pathToFileURL(local).href}/"><a href="${WHEEL}">${WHEEL}</a>`),
      '/json/tiny/': (_req, res) =>
        void res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' }).end(
          JSON.stringify({
            meta: { 'api-version': '1.1' },
            files: [{ filename: WHEEL, url: fileUrl, hashes: {} }],
          }),
        ),
    });
    try {
      for (const kind of ['html', 'base', 'json']) {
        const error = await listIndexFiles('tiny', {
          indexUrl: `${server.origin}/${kind}`,
          cacheDir: cache,
          ...fast,
          env: noNetrc,
        }).catch((e: unknown) => e);
        expect(error, kind).toBeInstanceOf(IndexFormatError);
        expect((error as Error).message, kind).toMatch(
          new RegExp(
            `^index page ${server.origin}/${kind}/tiny/ links to file:///.*: a remote page may only link to http\\(s\\) URLs; refused$`,
          ),
        );
      }
      expect(server.requests).toHaveLength(3); // refused at once, no retries
      // A page on the user's own disk may point at files next to it.
      expect(parseSimpleHtml(`<a href="${WHEEL}">x</a>`, pathToFileURL(`${local}/`).href)).toEqual([
        { filename: WHEEL, url: fileUrl },
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('error polish', () => {
  it('a malformed %-escape in an index link is a clear error, not an internal one', async () => {
    const server = await startTestServer({
      '/simple/tiny/': (_req, res) =>
        void res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<a href="/files/tiny-1.0%ZZ-py3-none-any.whl">tiny</a>'),
    });
    try {
      const error = await listIndexFiles('tiny', {
        indexUrl: `${server.origin}/simple`,
        cacheDir: cache,
        ...fast,
        env: noNetrc,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PexkitError);
      expect((error as Error).message).toBe(
        `index page ${server.origin}/simple/tiny/ has a link with a malformed %-escape in its file name: "tiny-1.0%ZZ-py3-none-any.whl"`,
      );
    } finally {
      await server.close();
    }
  });

  it('the netrc hint names the host the lookup uses (no port)', async () => {
    const server = await startTestServer({
      [`/f/${WHEEL}`]: (_req, res) => void res.writeHead(401).end(),
    });
    const netrc = join(work, 'netrc');
    try {
      const error = await fetchArtifact(
        { url: `${server.origin}/f/${WHEEL}`, filename: WHEEL },
        { cacheDir: cache, ...fast, env: noNetrc },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).toMatch(
        /"machine 127\.0\.0\.1" \(netrc entries name a host without a port\)$/,
      );
      // Following the hint works: that entry is sent to this host:port.
      writeFileSync(netrc, 'machine 127.0.0.1 login bob password pw\n');
      const http = new HttpClient({ ...fast, env: { NETRC: netrc } });
      await http.get(`${server.origin}/f/${WHEEL}`).catch(() => undefined);
      await http.close();
      expect(server.requests.at(-1)?.headers.authorization).toBe(
        `Basic ${Buffer.from('bob:pw').toString('base64')}`,
      );
    } finally {
      await server.close();
    }
  });
});
