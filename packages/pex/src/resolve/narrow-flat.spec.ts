import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveBytes, startTestServer, type TestServer } from '../testing/http-server.js';
import { makeWheel } from '../wheel/test-support/make-wheel.js';
import { planBuild } from './plan.js';

// app needs top; top -> mid, winonly on Windows; mid -> leaf[fast]; leaf[fast] -> turbo.
// other -> lonely is in the lock for another project only.
const WHEELS: Record<string, string[]> = {
  top: ['mid>=1', 'winonly; sys_platform == "win32"'],
  mid: ['leaf[fast]'],
  leaf: ['turbo; extra == "fast"', 'slow; extra == "slow"'],
  turbo: [],
  slow: [],
  winonly: [],
  other: ['lonely'],
  lonely: [],
};

describe('flat locks narrowed by the wheels own Requires-Dist', () => {
  let work: string;
  let server: TestServer;
  const files = new Map<string, { filename: string; sha256: string }>();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'pexkit-narrow-'));
    server = await startTestServer();
    const wheels = join(work, 'wheels');
    mkdirSync(wheels);
    for (const [name, requiresDist] of Object.entries(WHEELS)) {
      const path = makeWheel(wheels, {
        name,
        version: '1.0',
        requiresDist,
        files: [{ name: `${name}/__init__.py`, data: '' }],
      });
      const bytes = readFileSync(path);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      server.route(`/files/${basename(path)}`, serveBytes(bytes));
      files.set(name, { filename: basename(path), sha256 });
      const page = JSON.stringify({
        meta: { 'api-version': '1.1' },
        name,
        files: [{ filename: basename(path), url: `/files/${basename(path)}`, hashes: { sha256 } }],
      });
      server.route(`/simple/${name}/`, serveBytes(page, 'application/vnd.pypi.simple.v1+json'));
    }
    const app = join(work, 'app');
    mkdirSync(join(app, 'src', 'app'), { recursive: true });
    writeFileSync(join(app, 'src', 'app', '__init__.py'), '');
    writeFileSync(
      join(app, 'pyproject.toml'),
      `[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.8"\ndependencies = ["top"]\n`,
    );
    // A whole workspace's pins, no `# via`: pip freeze style.
    writeFileSync(
      join(app, 'requirements.txt'),
      Object.keys(WHEELS)
        .map((p) => `${p}==1.0\n`)
        .join(''),
    );
  }, 120_000);
  afterAll(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('keeps what the project reaches per target (markers and extras), drops the rest', async () => {
    const lines: string[] = [];
    const plan = await planBuild({
      project: join(work, 'app'),
      lock: join(work, 'app', 'requirements.txt'),
      indexUrl: `${server.origin}/simple/`,
      targets: ['linux_x86_64-cp-311-cp311', 'win_amd64-cp-311-cp311'],
      cacheDir: join(work, 'cache'),
      progress: 'none',
      logger: (line: string) => lines.push(line),
    });
    const wheelsOf = Object.fromEntries(
      plan.projects.map((p) => [p.name, p.wheels.flatMap((w) => w.targets).sort()]),
    );
    const both = ['linux_x86_64-cp-311-cp311', 'win_amd64-cp-311-cp311'];
    expect(wheelsOf).toEqual({
      leaf: both,
      mid: both,
      top: both,
      turbo: both,
      winonly: ['win_amd64-cp-311-cp311'],
    });
    expect(lines.join('\n')).toContain(
      'left out 3 locked package(s) app does not need: lonely, other, slow',
    );
  }, 60_000);

  it('narrows a pylock.toml without dependency edges the same way', async () => {
    const pylock = join(work, 'app', 'pylock.toml');
    writeFileSync(
      pylock,
      'lock-version = "1.0"\ncreated-by = "hand"\n' +
        Object.keys(WHEELS)
          .map((name) => {
            const f = files.get(name) as { filename: string; sha256: string };
            return (
              `\n[[packages]]\nname = "${name}"\nversion = "1.0"\n` +
              `wheels = [{ url = "${server.origin}/files/${f.filename}", hashes = { sha256 = "${f.sha256}" } }]\n`
            );
          })
          .join(''),
    );
    const plan = await planBuild({
      project: join(work, 'app'),
      lock: pylock,
      targets: ['linux_x86_64-cp-311-cp311'],
      cacheDir: join(work, 'cache'),
      progress: 'none',
    });
    expect(plan.projects.map((p) => p.name)).toEqual(['leaf', 'mid', 'top', 'turbo']);
  }, 60_000);
});
