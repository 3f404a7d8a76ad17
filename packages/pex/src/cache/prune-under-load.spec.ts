/**
 * `cache prune --max-size 0`, over and over, on the build cache and the PEX_ROOT (one directory,
 * as by default) while 2 builds and 20 PEXes run from it: every build and every start must
 * succeed. Slow (a minute or more on a busy machine): runs with PEXKIT_SLOW_TESTS=1
 * (`npm run test-slow-cache -w packages/pex`).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTree } from '../pex/test-support/fixtures.js';
import { serveBytes, startTestServer, type TestServer } from '../testing/http-server.js';
import { downloadWheel } from '../wheel/test-support/download.js';

const SLOW = process.env['PEXKIT_SLOW_TESTS'] === '1';
const CLI = fileURLToPath(new URL('../../bin/pexkit.js', import.meta.url));
const WHEELS = [
  'requests==2.32.3',
  'idna==3.10',
  'certifi==2024.8.30',
  'urllib3==2.2.3',
  'charset-normalizer==3.4.0',
];
const APP = {
  'pyproject.toml':
    '[project]\nname = "load-app"\nversion = "1.0"\ndependencies = ["requests>=2"]\n[project.scripts]\nload = "load_app:main"\n',
  // Imports its wheels only after a pause: a prune in between must not break it.
  'src/load_app/__init__.py':
    'import sys, time\n\ndef main():\n    time.sleep(0.3)\n    import requests, idna, certifi\n    print("ok", requests.__version__, sys.argv[1])\n',
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, maxBuffer: 64 << 20, timeout: 600_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

let work: string;
let server: TestServer;

beforeAll(async () => {
  if (!SLOW) return;
  work = await mkdtemp(join(tmpdir(), 'pexkit-prune-load-'));
  server = await startTestServer();
  const pins: string[] = [];
  for (const req of WHEELS) {
    const path = downloadWheel(req, 'pure');
    const bytes = await readFile(path);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const file = basename(path);
    const name = req.split('==')[0] as string;
    server.route(`/files/${file}`, serveBytes(bytes));
    server.route(`/simple/${name}/`, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<html><body><a href="/files/${file}#sha256=${sha}">${file}</a></body></html>`);
    });
    pins.push(`${req} --hash=sha256:${sha}`);
  }
  writeTree(join(work, 'app'), APP);
  await writeFile(
    join(work, 'requirements.txt'),
    `--index-url ${server.origin}/simple/\n${pins.join('\n')}\n`,
  );
}, 120_000);

afterAll(async () => {
  if (!SLOW) return;
  await server.close();
  await rm(work, { recursive: true, force: true });
});

describe.skipIf(!SLOW)('cache prune under load', () => {
  it('prunes repeatedly while 2 builds and 20 PEX starts run: 0 failures', async () => {
    const shared = join(work, 'cache'); // the build cache and the PEX_ROOT, as by default
    const env: NodeJS.ProcessEnv = { ...process.env, PEXKIT_CACHE_DIR: shared, PEX_ROOT: shared };
    for (const k of Object.keys(env)) if (k.startsWith('PEX_') && k !== 'PEX_ROOT') delete env[k];
    const build = (out: string) =>
      run(
        process.execPath,
        [
          CLI,
          'build',
          '--project',
          join(work, 'app'),
          '--lock',
          join(work, 'requirements.txt'),
        ].concat(['-c', 'load', '-o', out]),
        env,
      );
    const first = await build(join(work, 'app.pex'));
    expect(first.code, first.stderr).toBe(0);

    let done = false;
    const prunes: Run[] = [];
    const pruner = async (args: string[]) => {
      while (!done)
        prunes.push(
          await run(
            process.execPath,
            [CLI, 'cache', 'prune', '--max-size', '0', '--json', ...args],
            env,
          ),
        );
    };
    const pruning = [pruner(['--cache-dir', shared]), pruner(['--pex-root', shared])];
    const builds = [0, 1].map(async (i) => {
      const results: Run[] = [];
      for (let round = 0; round < 2; round++)
        results.push(await build(join(work, `b${i}-${round}.pex`)));
      return results;
    });
    const starts = Array.from({ length: 20 }, async (_, i) => {
      const results: Run[] = [];
      for (let round = 0; round < 2; round++)
        results.push(await run('python3', [join(work, 'app.pex'), `${i}-${round}`], env));
      return results;
    });
    const [built, started] = await Promise.all([
      Promise.all(builds).then((r) => r.flat()),
      Promise.all(starts).then((r) => r.flat()),
    ]);
    done = true;
    await Promise.all(pruning);

    const failed = [...built, ...started, ...prunes].filter((r) => r.code !== 0);
    expect(failed.map((r) => r.stderr.slice(-2000))).toEqual([]);
    expect(started.map((r) => r.stdout.trim().split(' ').slice(0, 2).join(' '))).toEqual(
      Array(40).fill('ok 2.32.3'),
    );
    const reports = prunes.map(
      (r) => JSON.parse(r.stdout) as { removed: unknown[]; busy: unknown[] },
    );
    const removed = reports.reduce((n, r) => n + r.removed.length, 0);
    const busy = reports.reduce((n, r) => n + r.busy.length, 0);
    // The prunes did remove things meanwhile, and did find entries in use.
    expect(removed).toBeGreaterThan(20);
    expect(busy).toBeGreaterThan(0);
    process.stdout.write(
      `prune under load: ${prunes.length} prunes removed ${removed} entries, kept ${busy} in use; ` +
        `${built.length} builds and ${started.length} PEX starts all succeeded\n`,
    );
    // Nothing runs now: nothing is held, everything goes.
    for (const args of [
      ['--cache-dir', shared],
      ['--pex-root', shared],
    ]) {
      const last = await run(
        process.execPath,
        [CLI, 'cache', 'prune', '--max-size', '0', '--json', ...args],
        env,
      );
      expect(last.code, last.stderr).toBe(0);
      expect((JSON.parse(last.stdout) as { busy: unknown[] }).busy).toEqual([]);
    }
  }, 900_000);
});
