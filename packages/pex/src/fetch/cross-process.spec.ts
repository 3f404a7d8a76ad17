/**
 * Separate Node processes fetch (and deflate) the same wheel into one cache at the same moment:
 * all must succeed, the wheel must be downloaded and deflated once (a cross-process lock per
 * entry), exactly one verified file must result, and no temp or lock file may be left behind.
 * The child is `fetch-artifact.ts` bundled with esbuild (Vitest's own toolchain) into a temp dir.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fakeArchiveBytes,
  serveBytes,
  startTestServer,
  type TestServer,
} from '../testing/http-server.js';

const FILE = 'race-1.0-py3-none-any.whl';
const body = fakeArchiveBytes(3_000_000);
const sha = createHash('sha256').update(body).digest('hex');

let work: string;
let child: string;
let server: TestServer;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pexkit-race-'));
  const entry = join(work, 'entry.mjs');
  await writeFile(
    entry,
    `import { fetchArtifact } from ${JSON.stringify(fileURLToPath(new URL('./fetch-artifact.ts', import.meta.url)))};
import { deflatedWheel, deflateStats } from ${JSON.stringify(fileURLToPath(new URL('../pex/deflated-wheel.ts', import.meta.url)))};
const [url, sha256, cacheDir, filename] = process.argv.slice(2);
const got = await fetchArtifact({ url, sha256, filename }, { cacheDir, retries: 0 });
const entry = await deflatedWheel(got.path, got.sha256, got.size, { cacheDir });
process.stdout.write(JSON.stringify({ ...got, deflated: deflateStats.deflated, compressedSize: entry?.compressedData.length }));\n`,
  );
  await mkdir(join(work, 'bin'));
  child = join(work, 'bin', 'child.mjs');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: child,
    logLevel: 'error',
    // undici is CommonJS: give the ESM bundle a real `require` for Node built-ins.
    banner: {
      js: "import { createRequire as __pexkitCreateRequire } from 'node:module'; const require = __pexkitCreateRequire(import.meta.url);",
    },
  });
  // package-info.ts reads ../package.json next to the bundle.
  await writeFile(
    join(work, 'package.json'),
    JSON.stringify({ name: '@pexkit/pex', version: '0.0.0-test' }),
  );
  server = await startTestServer({
    [`/files/${FILE}`]: async (req, res, hit) => {
      await new Promise((r) => setTimeout(r, 300)); // both requests are in flight together
      serveBytes(body)(req, res, hit);
    },
  });
});

afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

function runChild(cache: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(
      process.execPath,
      [child, `${server.origin}/files/${FILE}`, sha, cache, FILE],
      { stdio: 'pipe' },
    );
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('cache shared by concurrent processes', () => {
  it('three processes fetching one wheel all succeed; one downloads and deflates it, one verified file', async () => {
    const cache = join(work, 'cache');
    const runs = await Promise.all([runChild(cache), runChild(cache), runChild(cache)]);
    for (const r of runs) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const got = runs.map(
      (r) =>
        JSON.parse(r.stdout) as {
          path: string;
          source: string;
          deflated: number;
          compressedSize?: number;
        },
    );
    expect(new Set(got.map((g) => g.path)).size).toBe(1);
    expect(got.map((g) => g.source).sort()).toEqual(['cache', 'cache', 'network']);
    expect(server.requests.filter((r) => r.path === `/files/${FILE}`)).toHaveLength(1);
    expect(got.reduce((n, g) => n + g.deflated, 0)).toBe(1);
    expect(new Set(got.map((g) => g.compressedSize)).size).toBe(1);
    const path = got[0]?.path ?? '';
    expect(
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex'),
    ).toBe(sha);
    expect(await readdir(join(cache, 'artifacts', 'sha256', sha.slice(0, 2), sha))).toEqual([FILE]);
    expect(await readdir(join(cache, 'artifacts', 'tmp'))).toEqual([]);
    expect(await readdir(join(cache, 'locks'))).toEqual([]);
  });
});
