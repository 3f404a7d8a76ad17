/**
 * Two separate Node processes fetch the same wheel into one cache at the same moment: both must
 * succeed, exactly one verified file must result, and no temp file may be left behind.
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
const [url, sha256, cacheDir, filename] = process.argv.slice(2);
const got = await fetchArtifact({ url, sha256, filename }, { cacheDir, retries: 0 });
process.stdout.write(JSON.stringify(got));\n`,
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
  it('two processes fetching one wheel both succeed and leave one verified file', async () => {
    const cache = join(work, 'cache');
    const [a, b] = await Promise.all([runChild(cache), runChild(cache)]);
    expect(a.stderr).toBe('');
    expect(b.stderr).toBe('');
    expect([a.code, b.code]).toEqual([0, 0]);
    const pa = JSON.parse(a.stdout) as { path: string; source: string };
    const pb = JSON.parse(b.stdout) as { path: string; source: string };
    expect(pa.path).toBe(pb.path);
    expect([pa.source, pb.source]).toEqual(['network', 'network']);
    expect(server.requests.filter((r) => r.path === `/files/${FILE}`)).toHaveLength(2);
    expect(
      createHash('sha256')
        .update(await readFile(pa.path))
        .digest('hex'),
    ).toBe(sha);
    expect(await readdir(join(cache, 'artifacts', 'sha256', sha.slice(0, 2), sha))).toEqual([FILE]);
    expect(await readdir(join(cache, 'artifacts', 'tmp'))).toEqual([]);
  });
});
