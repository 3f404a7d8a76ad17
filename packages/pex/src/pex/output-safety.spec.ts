/**
 * `-o` never destroys anything else: devices, FIFOs, sockets, foreign directories and the
 * build's own inputs (lock, pyproject.toml, first-party sources, wheels) are refused with one
 * line, and a SIGKILLed build's temp output is removed by the next build to the same path.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  constants as fsConstants,
  cpSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildPlan } from '../plan/build-plan.js';
import { REPO_ROOT } from '../testing/python-tools.js';
import { downloadWheel, TEST_WHEEL_CACHE } from '../wheel/test-support/download.js';
import { bundleForNode } from './test-support/bundle.js';
import { planFor, REQUESTS_WHEELS, writeApp } from './test-support/fixtures.js';
import { writePex } from './writer.js';

const work = mkdtempSync(join(tmpdir(), 'pexkit-outsafe-'));
const cacheDir = join(work, 'cache');
let plan: BuildPlan;
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(async () => {
  plan = await planFor(
    writeApp(join(work, 'app')),
    REQUESTS_WHEELS.map((r) => downloadWheel(r, 'pure')),
  );
});

async function refusal(output: string, p: BuildPlan = plan): Promise<string> {
  const error = await writePex(p, { output, cacheDir }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  return message;
}

describe('writePex output safety', () => {
  it('refuses a FIFO, a socket, a character device and a foreign directory, leaving them be', async () => {
    const fifo = join(work, 'fifo.pex');
    execFileSync('mkfifo', [fifo]);
    expect(await refusal(fifo)).toMatch(/output .*fifo\.pex is a FIFO; pexkit writes only regular/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);

    const sock = join(work, 'sock.pex');
    const server = createServer();
    await new Promise<void>((ok) => server.listen(sock, ok));
    try {
      expect(await refusal(sock)).toMatch(/sock\.pex is a socket/);
      expect(lstatSync(sock).isSocket()).toBe(true);
    } finally {
      server.close();
    }

    const dir = join(work, 'somedir');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    expect(await refusal(dir)).toMatch(/somedir is an existing directory that is not a PEX/);
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('mine');

    // A device node (what /dev/null is): only root can make one; as root the old code replaced it.
    if (process.getuid?.() === 0) {
      const dev = join(work, 'null.pex');
      execFileSync('mknod', [dev, 'c', '1', '3']);
      expect(await refusal(dev)).toMatch(/null\.pex is a character device/);
      expect(lstatSync(dev).isCharacterDevice()).toBe(true);
    }
  });

  it("refuses the build's own inputs: pyproject.toml, sources (also hard-linked), wheels, the lock", async () => {
    const app = plan.main.root;
    const pyproject = join(app, 'pyproject.toml');
    const before = readFileSync(pyproject, 'utf8');
    expect(await refusal(pyproject)).toMatch(
      /output .*pyproject\.toml is the pyproject\.toml of hello-app .* of this build/,
    );
    const source = join(app, 'src/hello_app/cli.py');
    const code = readFileSync(source, 'utf8');
    expect(await refusal(source)).toMatch(/is a source file of hello-app .*cli\.py/);
    const link = join(work, 'linked.pex');
    linkSync(source, link);
    expect(await refusal(link)).toMatch(/linked\.pex is a source file of hello-app/);
    const wheel = plan.projects[0].wheels[0].path;
    const wheelBytes = readFileSync(wheel);
    expect(await refusal(wheel)).toMatch(/is the wheel .*\.whl of this build/);
    const lock = join(work, 'uv.lock');
    writeFileSync(lock, 'version = 1\n');
    expect(await refusal(lock, { ...plan, lockPath: lock })).toMatch(/uv\.lock is the lock file/);
    expect(readFileSync(pyproject, 'utf8')).toBe(before);
    expect(readFileSync(source, 'utf8')).toBe(code);
    expect(readFileSync(wheel).equals(wheelBytes)).toBe(true);
    expect(readFileSync(lock, 'utf8')).toBe('version = 1\n');
  });

  it('pexkit build -o <lock> or -o <pyproject.toml> exits with one line and keeps the file', async () => {
    const copy = join(work, 'examples');
    cpSync(join(REPO_ROOT, 'examples'), copy, { recursive: true });
    const project = join(copy, 'hello-service');
    const cli = join(work, 'cli', 'pexkit.mjs');
    bundleForNode(fileURLToPath(new URL('../cli/main.ts', import.meta.url)), cli);
    for (const target of [join(copy, 'uv.lock'), join(project, 'pyproject.toml')]) {
      const before = readFileSync(target);
      const run = spawnSync(
        process.execPath,
        [
          cli,
          'build',
          '--project',
          project,
          '-o',
          target,
          '--cache-dir',
          join(TEST_WHEEL_CACHE, 'pexkit-cache'),
          '-q',
        ],
        { encoding: 'utf8' },
      );
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(
        /^pexkit build: output .* is the (lock file|pyproject\.toml of hello-service) .* of this build/,
      );
      expect(readFileSync(target).equals(before)).toBe(true);
    }
  }, 120_000);

  it("removes a SIGKILLed build's temp output on the next build to the same path", async () => {
    const shared = mkdtempSync(join(tmpdir(), 'pexkit-sigkill-'));
    const fifo = join(shared, 'blocked-1.0-py3-none-any.whl');
    const release = () => {
      try {
        closeSync(openSync(fifo, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK));
      } catch {
        // no reader (left)
      }
    };
    let child: ReturnType<typeof spawn> | undefined;
    try {
      const script = join(shared, 'write.mjs');
      bundleForNode(
        fileURLToPath(new URL('./test-support/write-from-json.ts', import.meta.url)),
        script,
      );
      const outDir = join(shared, 'out');
      mkdirSync(outDir);
      const output = join(outDir, 'app.pex');
      execFileSync('mkfifo', [fifo]);
      // A wheel read from a FIFO nobody writes to (with a verdict already cached): the copy
      // blocks half-way through the zip, the temp output exists, and the build is SIGKILLed.
      const sha = 'd'.repeat(64);
      const cache = join(shared, 'cache');
      mkdirSync(join(cache, 'verified'), { recursive: true });
      const filename = 'blocked-1.0-py3-none-any.whl';
      writeFileSync(
        join(cache, 'verified', `${sha}.json`),
        JSON.stringify({
          version: 3,
          verdict: {
            filename,
            sha256: sha,
            distInfo: 'blocked-1.0.dist-info',
            name: 'blocked',
            version: '1.0',
            requiresDist: [],
            entryPoints: {},
            entries: 1,
            scripts: [],
            installedSize: 1,
          },
        }),
      );
      const blocked = {
        name: 'blocked',
        version: '1.0',
        requires: [],
        wheels: [
          {
            filename,
            path: fifo,
            sha256: sha,
            size: 0,
            name: 'blocked',
            version: '1.0',
            targets: ['current'],
          },
        ],
      };
      const input = join(shared, 'input.json');
      writeFileSync(
        input,
        JSON.stringify({
          plan: { ...plan, projects: [...plan.projects, blocked] },
          options: { output, cacheDir: cache },
        }),
      );
      child = spawn(process.execPath, [script, input], { stdio: 'ignore' });
      const running = child;
      const exited = new Promise((ok) => running.on('exit', ok));
      const deadline = Date.now() + 30_000;
      const temps = () => readdirSync(outDir).filter((n) => n.includes('.tmp-'));
      while (temps().length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(temps()).toHaveLength(1);
      child.kill('SIGKILL');
      release();
      await exited;
      expect(temps()).toHaveLength(1); // SIGKILL runs no exit hook: the temp is left behind
      // A temp of a process that is still running is left alone.
      const live = `.app.pex.tmp-${process.pid}-${'a'.repeat(12)}`;
      writeFileSync(join(outDir, live), 'in progress');
      await writePex(plan, { output, cacheDir });
      expect(readdirSync(outDir).sort()).toEqual([live, 'app.pex'].sort());
    } finally {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        release();
      }
      rmSync(shared, { recursive: true, force: true });
    }
  }, 120_000);
});
