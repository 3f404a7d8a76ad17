import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthenticationError } from '../fetch/errors.js';
import { fetchAll } from '../fetch/fetch-all.js';
import { HttpClient } from '../fetch/http.js';
import {
  fakeArchiveBytes,
  serveBytes,
  startTestServer,
  type TestServer,
} from '../testing/http-server.js';
import { parseSimpleHtml } from './parse.js';
import { listIndexFiles, listIndexWheels, ProjectNotFoundError } from './simple.js';

const wheel = fakeArchiveBytes(50_000);
const sha = createHash('sha256').update(wheel).digest('hex');
const W1 = 'demo_pkg-1.0-py3-none-any.whl';
const W2 = 'demo_pkg-2.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl';
const SDIST = 'demo_pkg-2.0.tar.gz';

function jsonPage(): string {
  return JSON.stringify({
    meta: { 'api-version': '1.1' },
    name: 'demo-pkg',
    files: [
      {
        filename: W1,
        url: `../../files/${W1}`,
        hashes: { sha256: sha },
        'requires-python': '>=3.8',
        yanked: false,
        size: wheel.length,
      },
      { filename: W2, url: `/files/${W2}`, hashes: {}, yanked: 'broken build' },
      { filename: SDIST, url: `/files/${SDIST}`, hashes: { sha256: sha } },
    ],
  });
}

function htmlPage(): string {
  return `<!DOCTYPE html><html><body><h1>Links for demo-pkg</h1>
<a href="../../files/${W1}#sha256=${sha}" data-requires-python="&gt;=3.8">${W1}</a><br/>
<a data-yanked="" href='/files/${W2}'>${W2}</a>
<a href="/files/${SDIST}#sha256=${sha}" data-yanked="bad &amp; old">${SDIST}</a>
</body></html>`;
}

let server: TestServer;
let cache: string;
const fast = { retries: 2, retryBaseDelayMs: 10, idleTimeoutMs: 2000 };

beforeEach(async () => {
  server = await startTestServer();
  cache = await mkdtemp(join(tmpdir(), 'pexkit-index-'));
});
afterEach(async () => {
  await server.close();
  await rm(cache, { recursive: true, force: true });
});

describe('listIndexWheels', () => {
  it('reads PEP 691 JSON, resolves relative URLs, normalises the project name', async () => {
    server.route('/simple/demo-pkg/', (req, res) => {
      expect(req.headers.accept).toContain('application/vnd.pypi.simple.v1+json');
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' }).end(jsonPage());
    });
    const wheels = await listIndexWheels('Demo_Pkg', {
      indexUrl: `${server.origin}/simple`,
      cacheDir: cache,
      ...fast,
    });
    expect(wheels).toEqual([
      {
        filename: W1,
        url: `${server.origin}/files/${W1}`,
        sha256: sha,
        requiresPython: '>=3.8',
        size: wheel.length,
      },
      { filename: W2, url: `${server.origin}/files/${W2}`, yanked: 'broken build' },
    ]);
    const all = await listIndexFiles('demo.pkg', {
      indexUrl: `${server.origin}/simple/`,
      cacheDir: cache,
      ...fast,
    });
    expect(all.map((f) => f.filename)).toEqual([W1, W2, SDIST]);
  });

  it('falls back to PEP 503 HTML (entities, yanked, hash fragments)', async () => {
    server.route(
      '/simple/demo-pkg/',
      (_req, res) =>
        void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(htmlPage()),
    );
    const files = await listIndexFiles('demo-pkg', {
      indexUrl: `${server.origin}/simple/`,
      cacheDir: cache,
      ...fast,
    });
    expect(files).toEqual([
      {
        filename: W1,
        url: `${server.origin}/files/${W1}#sha256=${sha}`,
        sha256: sha,
        requiresPython: '>=3.8',
      },
      { filename: W2, url: `${server.origin}/files/${W2}`, yanked: true },
      {
        filename: SDIST,
        url: `${server.origin}/files/${SDIST}#sha256=${sha}`,
        sha256: sha,
        yanked: 'bad & old',
      },
    ]);
  });

  it('decodes gzip pages and retries a truncated page', async () => {
    const { gzipSync } = await import('node:zlib');
    const zipped = gzipSync(jsonPage());
    server.route('/simple/demo-pkg/', (req, res, hit) => {
      expect(req.headers['accept-encoding']).toContain('gzip');
      res.writeHead(200, {
        'content-type': 'application/vnd.pypi.simple.v1+json',
        'content-encoding': 'gzip',
        'content-length': String(zipped.length),
      });
      if (hit === 1) res.write(zipped.subarray(0, 20), () => res.socket?.destroy());
      else res.end(zipped);
    });
    const wheels = await listIndexWheels('demo-pkg', {
      indexUrl: `${server.origin}/simple/`,
      cacheDir: cache,
      ...fast,
    });
    expect(wheels.map((w) => w.filename)).toEqual([W1, W2]);
    expect(server.requests).toHaveLength(2);
  });

  it('serves a page fresh per Cache-Control max-age without asking the server; pageMaxAgeMs overrides', async () => {
    server.route(
      '/simple/demo-pkg/',
      (_req, res) =>
        void res
          .writeHead(200, {
            'content-type': 'application/vnd.pypi.simple.v1+json',
            'cache-control': 'max-age=600, public',
          })
          .end(jsonPage()),
    );
    const options = { indexUrl: `${server.origin}/simple/`, cacheDir: cache, ...fast };
    const first = await listIndexWheels('demo-pkg', options);
    await server.close();
    expect(await listIndexWheels('demo-pkg', options)).toEqual(first); // server down: served fresh from cache
    expect(server.requests).toHaveLength(1);
    await expect(
      listIndexWheels('demo-pkg', { ...options, retries: 0, pageMaxAgeMs: 0 }),
    ).rejects.toThrow(/connection refused/);
  });

  it('404 everywhere names the package and the URLs tried', async () => {
    const error = await listIndexWheels('nope', {
      indexUrl: `${server.origin}/simple/`,
      extraIndexUrls: [`${server.origin}/extra/`],
      cacheDir: cache,
      ...fast,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectNotFoundError);
    expect((error as Error).message).toContain("package 'nope'");
    expect((error as Error).message).toContain(`${server.origin}/simple/nope/`);
    expect((error as Error).message).toContain(`${server.origin}/extra/nope/`);
  });

  it('merges extra indexes and find-links (first file name wins), retrying a 500', async () => {
    server.route('/simple/demo-pkg/', (_req, res, hit) =>
      hit === 1
        ? void res.writeHead(500).end()
        : void res
            .writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' })
            .end(jsonPage()),
    );
    server.route(
      '/extra/demo-pkg/',
      (_req, res) =>
        void res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            `<a href="/x/${W1}">${W1}</a><a href="/x/demo_pkg-3.0-py3-none-any.whl">demo_pkg-3.0-py3-none-any.whl</a>`,
          ),
    );
    const house = join(cache, 'house');
    await mkdir(house);
    await writeFile(join(house, 'demo_pkg-4.0-py3-none-any.whl'), wheel);
    await writeFile(join(house, 'other-1.0-py3-none-any.whl'), wheel);
    server.route(
      '/flat/',
      (_req, res) =>
        void res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            `<a href="Demo.Pkg-5.0-py3-none-any.whl">x</a><a href="other-1-py3-none-any.whl">o</a>`,
          ),
    );
    const wheels = await listIndexWheels('demo-pkg', {
      indexUrl: `${server.origin}/simple/`,
      extraIndexUrls: [`${server.origin}/extra/`],
      findLinks: [house, `${server.origin}/flat/`],
      cacheDir: cache,
      ...fast,
    });
    expect(wheels.map((w) => w.filename)).toEqual([
      W1,
      W2,
      'demo_pkg-3.0-py3-none-any.whl',
      'demo_pkg-4.0-py3-none-any.whl',
      'Demo.Pkg-5.0-py3-none-any.whl',
    ]);
    expect(wheels[0].url).toBe(`${server.origin}/files/${W1}`);
    expect(wheels[3].path).toBe(join(house, 'demo_pkg-4.0-py3-none-any.whl'));
    expect(wheels[4].url).toBe(`${server.origin}/flat/Demo.Pkg-5.0-py3-none-any.whl`);
  });

  it('revalidates cached pages with ETag and works offline from the page cache', async () => {
    server.route('/simple/demo-pkg/', (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end();
      res
        .writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json', etag: '"v1"' })
        .end(jsonPage());
    });
    const options = { indexUrl: `${server.origin}/simple/`, cacheDir: cache, ...fast };
    const first = await listIndexWheels('demo-pkg', options);
    const second = await listIndexWheels('demo-pkg', options);
    expect(second).toEqual(first);
    expect(server.requests.map((r) => r.headers['if-none-match'])).toEqual([undefined, '"v1"']);
    await server.close();
    expect(await listIndexWheels('demo-pkg', { ...options, offline: true })).toEqual(first);
    await expect(listIndexWheels('unknown', { ...options, offline: true })).rejects.toThrow(
      /offline mode: no cached index page .*'unknown'/,
    );
  });

  it('401 from the index is an AuthenticationError; index credentials reach file downloads on the same host', async () => {
    const auth = `Basic ${Buffer.from('idx:tok-123').toString('base64')}`;
    server.route('/simple/demo-pkg/', (req, res) => {
      if (req.headers.authorization !== auth) return void res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' }).end(jsonPage());
    });
    server.route(`/files/${W1}`, (req, res, hit) =>
      req.headers.authorization === auth
        ? serveBytes(wheel)(req, res, hit)
        : void res.writeHead(401).end(),
    );
    const host = server.origin.replace('http://', '');
    const noAuth = await listIndexWheels('demo-pkg', {
      indexUrl: `${server.origin}/simple/`,
      cacheDir: cache,
      ...fast,
      env: { NETRC: '/nonexistent' },
    }).catch((e: unknown) => e);
    expect(noAuth).toBeInstanceOf(AuthenticationError);
    const env = { PIP_INDEX_URL: `http://idx:tok-123@${host}/simple/`, NETRC: '/nonexistent' };
    const http = new HttpClient({ ...fast, env });
    const wheels = await listIndexWheels('demo-pkg', {
      indexUrl: env.PIP_INDEX_URL,
      cacheDir: cache,
      http,
    });
    for (const w of wheels) expect(w.url).not.toContain('tok-123');
    const lines: string[] = [];
    const stream = Object.assign(new (await import('node:stream')).PassThrough(), { isTTY: false });
    stream.on('data', (d: Buffer) => lines.push(d.toString()));
    const result = await fetchAll(
      [{ url: wheels[0].url, filename: W1, sha256: wheels[0].sha256 }],
      { cacheDir: cache, http, stream },
    );
    expect(result.artifacts[0].sha256).toBe(sha);
    expect(lines.join('')).toMatch(/^fetched 1 file \(50\.0 kB\) in \d+\.\d s, 0 from cache\n$/);
    await http.close();
  });
});

describe('credentials from an index URL option', () => {
  it('reach the downloads of the wheels that index listed, without appearing in the listing', async () => {
    const auth = `Basic ${Buffer.from('opt:pw-opt').toString('base64')}`;
    const guard =
      (
        inner: import('../testing/http-server.js').Route,
      ): import('../testing/http-server.js').Route =>
      (req, res, hit) =>
        req.headers.authorization === auth ? inner(req, res, hit) : void res.writeHead(401).end();
    server.route(
      '/private/simple/demo-pkg/',
      guard(
        (_req, res) =>
          void res
            .writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' })
            .end(jsonPage()),
      ),
    );
    server.route(`/private/files/${W1}`, guard(serveBytes(wheel)));
    const host = server.origin.replace('http://', '');
    const env = { NETRC: '/nonexistent' };
    const [w] = await listIndexWheels('demo-pkg', {
      indexUrl: `http://opt:pw-opt@${host}/private/simple/`,
      cacheDir: cache,
      env,
      ...fast,
    });
    expect(JSON.stringify(w)).not.toMatch(/pw-opt|opt:/);
    const result = await fetchAll([{ url: w.url, filename: w.filename, sha256: w.sha256 }], {
      cacheDir: cache,
      env,
      progress: 'none',
      ...fast,
    });
    expect(result.artifacts[0].sha256).toBe(sha);
    for (const f of await readdir(cache, { recursive: true })) expect(f).not.toMatch(/pw-opt/);
  });
});

describe('parseSimpleHtml', () => {
  it('honours <base href> and ignores links without href', () => {
    const files = parseSimpleHtml(
      `<base href="https://files.example/pkgs/"><a name="x">no</a><a href="a-1.0-py3-none-any.whl">a-1.0-py3-none-any.whl</a>`,
      'https://idx.example/simple/a/',
    );
    expect(files).toEqual([
      {
        filename: 'a-1.0-py3-none-any.whl',
        url: 'https://files.example/pkgs/a-1.0-py3-none-any.whl',
      },
    ]);
  });
});
