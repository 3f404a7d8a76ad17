import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HashMismatchError, OfflineMissingError } from '../../fetch/errors.js';
import {
  fakeArchiveBytes,
  serveBytes,
  startTestServer,
  type TestServer,
} from '../../testing/http-server.js';
import { downloadCommand } from './download.js';

const a = fakeArchiveBytes(40_000);
const b = fakeArchiveBytes(41_000);
const shaOf = (x: Buffer): string => createHash('sha256').update(x).digest('hex');
const A1 = 'alpha-1.2-py3-none-any.whl';
const A0 = 'alpha-1.1-py3-none-any.whl';
const B1 = 'beta_pkg-2.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl';
const B2 = 'beta_pkg-2.0-cp312-cp312-win_amd64.whl';

let server: TestServer;
let work: string;

beforeEach(async () => {
  server = await startTestServer({
    '/simple/alpha/': (_req, res) =>
      void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<a href="/f/${A0}#sha256=${shaOf(b)}">x</a><a href="/f/${A1}#sha256=${shaOf(a)}">x</a>`,
        ),
    '/simple/beta-pkg/': (_req, res) =>
      void res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' }).end(
        JSON.stringify({
          meta: { 'api-version': '1.0' },
          files: [
            { filename: B1, url: `/f/${B1}`, hashes: { sha256: shaOf(b) } },
            { filename: B2, url: `/f/${B2}`, hashes: { sha256: shaOf(a) } },
          ],
        }),
      ),
    [`/f/${A1}`]: serveBytes(a),
    [`/f/${A0}`]: serveBytes(b),
    [`/f/${B1}`]: serveBytes(b),
    [`/f/${B2}`]: serveBytes(a),
  });
  work = await mkdtemp(join(tmpdir(), 'pexkit-download-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
  await rm(work, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(
    (chunk) => ((stdout += String(chunk)), true),
  );
  vi.spyOn(process.stderr, 'write').mockImplementation(
    (chunk) => ((stderr += String(chunk)), true),
  );
  try {
    const code = await downloadCommand.run(args);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('pexkit download', () => {
  it('fetches a hash-pinned requirements file from its --index-url into a wheelhouse, then works offline from it', async () => {
    const req = join(work, 'requirements.txt');
    await writeFile(
      req,
      `--index-url ${server.origin}/simple/\nalpha==1.2 \\\n    --hash=sha256:${shaOf(a)}\nbeta-pkg==2.0 --hash=sha256:${shaOf(b)} --hash=sha256:${shaOf(a)}\n`,
    );
    const cache = join(work, 'cache');
    const house = join(work, 'house');
    const first = await run([
      req,
      '--dest',
      house,
      '--cache-dir',
      cache,
      '--match',
      '*none-any*',
      '--match',
      '*manylinux*',
    ]);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/fetched 2 files .* 0 from cache/);
    expect((await readdir(house)).sort()).toEqual([A1, B1].sort());
    expect(shaOf(await readFile(join(house, A1)))).toBe(shaOf(a));

    // A fresh cache, offline, with only the wheelhouse: still works (the index is gone too).
    await server.close();
    const offline = await run([
      join(work, 'requirements.txt'),
      '--offline',
      '--cache-dir',
      join(work, 'cache2'),
      '--find-links',
      house,
      '--match',
      '*none-any*',
      '--match',
      '*manylinux*',
    ]);
    expect(offline.code).toBe(0);
    expect(offline.stdout.trim().split('\n').sort()).toEqual(
      [join(house, A1), join(house, B1)].sort(),
    );
  });

  it('refuses a file whose hash is not among the --hash values', async () => {
    const req = join(work, 'requirements.txt');
    await writeFile(
      req,
      `--index-url ${server.origin}/simple/\nalpha==1.1 --hash=sha256:${'0'.repeat(64)}\n`,
    );
    // The index's own hash for alpha 1.1 is b's; the --hash filter drops it, so nothing matches.
    await expect(run([req, '--cache-dir', join(work, 'c')])).rejects.toThrow(
      /no file of alpha==1\.1 .*--hash/,
    );
  });

  it('downloads a wheel URL (hash from the fragment) and reports offline misses', async () => {
    const url = `${server.origin}/f/${A1}#sha256=${shaOf(a)}`;
    const ok = await run([url, '--cache-dir', join(work, 'c')]);
    expect(ok.stdout.trim()).toMatch(new RegExp(`${shaOf(a)}/${A1.replace(/\./g, '\\.')}$`));
    await expect(
      run([`${server.origin}/f/${B2}`, '--offline', '--cache-dir', join(work, 'c')]),
    ).rejects.toBeInstanceOf(OfflineMissingError);
    await expect(
      run([`${server.origin}/f/${A1}#sha256=${shaOf(b)}`, '--cache-dir', join(work, 'c')]),
    ).rejects.toBeInstanceOf(HashMismatchError);
  });
});
