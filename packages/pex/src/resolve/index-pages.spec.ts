import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveBytes, startTestServer, type TestServer } from '../testing/http-server.js';
import { makeWheel } from '../wheel/test-support/make-wheel.js';
import { INDEX_PAGE_CONCURRENCY } from './index-candidates.js';
import { planBuild } from './plan.js';

const PACKAGES = Array.from({ length: 16 }, (_, i) => `flat${String(i).padStart(2, '0')}`);
const PAGE_DELAY_MS = 200;

describe('index pages of a flat requirements lock', () => {
  let work: string;
  let server: TestServer;
  let inFlight = 0;
  let maxInFlight = 0;
  let firstPageAt: number | undefined;
  let lastPageAt: number | undefined;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'pexkit-index-pages-'));
    server = await startTestServer();
    const wheels = join(work, 'wheels');
    mkdirSync(wheels);
    for (const name of PACKAGES) {
      const path = makeWheel(wheels, {
        name,
        version: '1.0',
        files: [{ name: `${name}/__init__.py`, data: '' }],
      });
      const bytes = readFileSync(path);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      server.route(`/files/${basename(path)}`, serveBytes(bytes));
      const page = JSON.stringify({
        meta: { 'api-version': '1.1' },
        name,
        files: [{ filename: basename(path), url: `/files/${basename(path)}`, hashes: { sha256 } }],
      });
      // A slow index: each page takes PAGE_DELAY_MS; the server counts pages served at once.
      server.route(`/simple/${name}/`, async (_req, res) => {
        inFlight++;
        firstPageAt ??= Date.now();
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, PAGE_DELAY_MS));
        inFlight--;
        lastPageAt = Date.now();
        serveBytes(page, 'application/vnd.pypi.simple.v1+json')(_req, res, 1);
      });
    }
    const app = join(work, 'app');
    mkdirSync(join(app, 'src', 'app'), { recursive: true });
    writeFileSync(join(app, 'src', 'app', '__init__.py'), '');
    writeFileSync(
      join(app, 'pyproject.toml'),
      `[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.8"\n` +
        `dependencies = [${PACKAGES.map((p) => `"${p}"`).join(', ')}]\n`,
    );
    writeFileSync(join(app, 'requirements.txt'), PACKAGES.map((p) => `${p}==1.0\n`).join(''));
  }, 120_000);
  afterAll(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('fetches the pages concurrently (bounded), not one after another', async () => {
    const plan = await planBuild({
      project: join(work, 'app'),
      lock: join(work, 'app', 'requirements.txt'),
      indexUrl: `${server.origin}/simple/`,
      targets: ['linux_x86_64-cp-311-cp311'],
      cacheDir: join(work, 'cache'),
      progress: 'none',
    });
    // The window in which pages were served (the rest of the plan's time depends on the load).
    const elapsed = (lastPageAt ?? 0) - (firstPageAt ?? 0);
    expect(plan.projects.map((p) => p.name)).toEqual(PACKAGES);
    const pages = server.requests.filter((r) => r.path.startsWith('/simple/'));
    expect(pages).toHaveLength(PACKAGES.length);
    // One after another, the 16 pages alone take 16 × 200 ms = 3.2 s.
    expect(maxInFlight).toBe(INDEX_PAGE_CONCURRENCY);
    expect(elapsed).toBeLessThan((PACKAGES.length * PAGE_DELAY_MS) / 2);
    console.log(
      `index pages: ${PACKAGES.length} pages of ${PAGE_DELAY_MS} ms, ${maxInFlight} at once, all served within ${elapsed} ms`,
    );
  }, 60_000);
});
