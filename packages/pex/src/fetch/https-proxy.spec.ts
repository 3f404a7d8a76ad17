/**
 * HTTPS end to end on 127.0.0.1: a self-signed server trusted through a CA bundle, directly and
 * through an HTTPS_PROXY CONNECT tunnel (with proxy credentials kept out of errors).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fakeArchiveBytes,
  makeTestCertificate,
  serveBytes,
  startTestProxy,
  startTestServer,
  type TestProxy,
  type TestServer,
} from '../testing/http-server.js';
import { NetworkError } from './errors.js';
import { fetchArtifact } from './fetch-artifact.js';

const FILE = 'tls-1.0-py3-none-any.whl';
const body = fakeArchiveBytes(100_000);
const sha = createHash('sha256').update(body).digest('hex');

let work: string;
let certFile: string | undefined;
let server: TestServer | undefined;
let proxy: TestProxy;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pexkit-tls-'));
  const cert = makeTestCertificate(work);
  certFile = cert?.certFile;
  if (cert !== undefined)
    server = await startTestServer({ [`/files/${FILE}`]: serveBytes(body) }, { tls: cert });
  proxy = await startTestProxy();
});
afterAll(async () => {
  await server?.close();
  await proxy.close();
  await rm(work, { recursive: true, force: true });
});

describe('HTTPS', () => {
  it('trusts a CA bundle from PIP_CERT, and names the fix when the certificate is unknown', async (ctx) => {
    if (server === undefined || certFile === undefined) {
      console.warn(
        'SKIPPED: the openssl command is not installed, so no test certificate could be made',
      );
      ctx.skip();
      return;
    }
    const url = `${server.origin}/files/${FILE}`;
    const untrusted = await fetchArtifact(
      { url, filename: FILE, sha256: sha },
      { cacheDir: join(work, 'c0'), retries: 0, env: {} },
    ).catch((e: unknown) => e);
    expect(untrusted).toBeInstanceOf(NetworkError);
    expect((untrusted as Error).message).toMatch(/TLS certificate not trusted .*PIP_CERT/);
    const got = await fetchArtifact(
      { url, filename: FILE, sha256: sha },
      { cacheDir: join(work, 'c1'), retries: 0, env: { PIP_CERT: certFile } },
    );
    expect(got).toMatchObject({ sha256: sha, source: 'network' });
  });

  it('tunnels through HTTPS_PROXY with CONNECT, and NO_PROXY bypasses it', async (ctx) => {
    if (server === undefined || certFile === undefined) {
      console.warn(
        'SKIPPED: the openssl command is not installed, so no test certificate could be made',
      );
      ctx.skip();
      return;
    }
    const url = `${server.origin}/files/${FILE}`;
    const proxyUrl = proxy.url.replace('http://', 'http://puser:ppass@');
    const got = await fetchArtifact(
      { url, filename: FILE, sha256: sha },
      {
        cacheDir: join(work, 'c2'),
        retries: 0,
        env: { HTTPS_PROXY: proxyUrl, SSL_CERT_FILE: certFile },
      },
    );
    expect(got.sha256).toBe(sha);
    expect(proxy.targets).toEqual([`127.0.0.1:${server.port}`]);
    expect(proxy.authorizations).toEqual([
      `Basic ${Buffer.from('puser:ppass').toString('base64')}`,
    ]);
    await fetchArtifact(
      { url, filename: FILE, sha256: sha },
      {
        cacheDir: join(work, 'c3'),
        retries: 0,
        env: { HTTPS_PROXY: proxyUrl, NO_PROXY: 'localhost,127.0.0.1', SSL_CERT_FILE: certFile },
      },
    );
    expect(proxy.targets).toHaveLength(1);
  });
});
