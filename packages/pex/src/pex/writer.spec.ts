import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants as fsConstants,
  copyFileSync,
  openSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildPlan } from '../plan/build-plan.js';
import { downloadWheel } from '../wheel/test-support/download.js';
import { makeWheel } from '../wheel/test-support/make-wheel.js';
import { ZipReader } from '../zip/reader.js';
import { pythons } from '../zip/test-support/pythons.js';
import { canonicalJson } from './pex-info.js';
import { bundleForNode } from './test-support/bundle.js';
import {
  appProject,
  planFor,
  projectForWheel,
  REQUESTS_WHEELS,
  writeApp,
} from './test-support/fixtures.js';
import { writePex } from './writer.js';

const work = mkdtempSync(join(tmpdir(), 'pexkit-writer-'));
const cacheDir = join(work, 'cache');
let wheels: string[];
let plan: BuildPlan;
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(async () => {
  wheels = REQUESTS_WHEELS.map((r) => downloadWheel(r, 'pure'));
  plan = await planFor(writeApp(join(work, 'app')), wheels);
});

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * A plan project whose one wheel `<name>-1.0-py3-none-any.whl` is read from `path` (not a real
 * wheel), with a verification verdict already cached for `sha256`, so the writer copies it as is.
 */
function preverifiedWheel(cacheDir: string, name: string, sha256: string, path: string) {
  const verdict = {
    filename: `${name}-1.0-py3-none-any.whl`,
    sha256,
    distInfo: `${name}-1.0.dist-info`,
    name,
    version: '1.0',
    requiresDist: [],
    entryPoints: {},
    entries: 1,
    scripts: [],
    installedSize: 1,
  };
  mkdirSync(join(cacheDir, 'verified'), { recursive: true });
  writeFileSync(
    join(cacheDir, 'verified', `${sha256}.json`),
    JSON.stringify({ version: 3, verdict }),
  );
  const wheel = {
    filename: verdict.filename,
    path,
    sha256,
    size: 0,
    name,
    version: '1.0',
    targets: ['current'],
  };
  return { name, version: '1.0', requires: [], wheels: [wheel] };
}

describe('writePex (zipapp)', () => {
  it('writes a zip that zipfile, unzip and zipimport accept, with whole wheels under .deps/', async () => {
    const output = join(work, 'out', 'hello.pex');
    const result = await writePex(plan, { output, consoleScript: 'hello', cacheDir });
    expect(result).toMatchObject({ output, layout: 'zipapp', zip64: false, warnings: [] });
    expect(statSync(output).mode & 0o777).toBe(0o755);
    expect(readFileSync(output).subarray(0, 23).toString()).toBe('#!/usr/bin/env python3\n');
    expect(result.sha256).toBe(sha256(output));
    expect(spawnSync('unzip', ['-t', output], { encoding: 'utf8' }).stdout).toContain(
      'No errors detected',
    );
    for (const python of pythons()) {
      execFileSync(python, ['-m', 'zipfile', '-t', output]);
      const probe =
        'import sys; sys.path.insert(0, sys.argv[1]); import hello_app, nsp.sub.mod; from importlib.metadata import version;' +
        'import pkgutil; print(hello_app.GREETING, nsp.sub.mod.NAME, version("hello-app"), pkgutil.get_data("hello_app", "data/greeting.txt").decode().strip())';
      expect(execFileSync(python, ['-c', probe, output], { encoding: 'utf8' })).toBe(
        'hello namespace 1.2.0 hi there\n',
      );
    }
    const reader = await ZipReader.open(output, { allowPreamble: true });
    const names = reader.entries.map((e) => e.name);
    expect(names).toEqual(
      [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    );
    expect(names).toContain('.deps/');
    expect(names).toContain('hello_app/py.typed');
    expect(names).toContain('hello_app-1.2.0.dist-info/RECORD');
    expect(names).toContain('__main__.py');
    expect(
      names.some((n) => n.includes('tests') || n.includes('__pycache__') || n.endsWith('.pyc')),
    ).toBe(false);
    expect(names.some((n) => n.startsWith('README') || n === 'pyproject.toml')).toBe(false);
    for (const wheel of wheels) {
      const entry = reader.entries.find((e) => e.name === `.deps/${wheel.split('/').pop()}`)!;
      // Deflated whole when that is smaller (it is for these wheels: their names repeat).
      expect(entry.method).toBe(8);
      expect(entry.compressedSize).toBeLessThan(entry.uncompressedSize);
      expect(
        createHash('sha256')
          .update(await reader.read(entry))
          .digest('hex'),
      ).toBe(sha256(wheel));
    }
    const ep = (
      await reader.read(
        reader.entries.find((e) => e.name === 'hello_app-1.2.0.dist-info/entry_points.txt')!,
      )
    ).toString();
    expect(ep).toBe('[console_scripts]\nhello = hello_app.cli:main\n');
    const infoText = (
      await reader.read(reader.entries.find((e) => e.name === 'PEX-INFO')!)
    ).toString();
    await reader.close();
    const info = JSON.parse(infoText) as Record<string, unknown>;
    expect(Object.keys(info)).toEqual(Object.keys(info).sort());
    expect(info).toMatchObject({
      format: 1,
      entry_point: 'hello_app.cli:main',
      script: null,
      first_party: ['hello-app'],
      requirements: ['requests>=2'],
      targets: ['current'],
      inherit_path: 'false',
      venv: false,
      build_properties: { pexkit_version: expect.any(String) },
    });
    expect((info.distributions as Record<string, string>)['requests-2.32.3-py3-none-any.whl']).toBe(
      sha256(wheels[0]),
    );
    expect(
      (info.projects as Record<string, { requires: string[] }>).requests.requires.some((r) =>
        r.startsWith('idna'),
      ),
    ).toBe(true);
    const { pex_hash: pexHash, ...rest } = info;
    expect(pexHash).toBe(createHash('sha256').update(canonicalJson(rest)).digest('hex'));
    expect(infoText).not.toContain(work);
  });

  it('runs under every CPython 3.8+ on the machine with the real runtime (zipapp; packed and loose on the oldest and newest)', async () => {
    const output = join(work, 'run', 'hello.pex');
    await writePex(plan, { output, consoleScript: 'hello', cacheDir });
    const packed = join(work, 'run', 'hello-packed');
    await writePex(plan, { output: packed, layout: 'packed', consoleScript: 'hello', cacheDir });
    const env = { ...process.env, PEX_ROOT: join(work, 'pex-root') };
    const all = pythons();
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const python of all) {
      expect(execFileSync(python, [output, 'a', 'b'], { encoding: 'utf8', env })).toBe(
        'hello 2.32.3 1.2.0 a b\n',
      );
    }
    expect(execFileSync(output, ['direct'], { encoding: 'utf8', env })).toBe(
      'hello 2.32.3 1.2.0 direct\n',
    );
    const loose = join(work, 'run', 'hello-loose');
    await writePex(plan, { output: loose, layout: 'loose', consoleScript: 'hello', cacheDir });
    for (const python of [all[0], all[all.length - 1]]) {
      expect(execFileSync(python, [packed, 'p'], { encoding: 'utf8', env })).toBe(
        'hello 2.32.3 1.2.0 p\n',
      );
      expect(execFileSync(python, [loose, 'l'], { encoding: 'utf8', env })).toBe(
        'hello 2.32.3 1.2.0 l\n',
      );
    }
  });

  it('is reproducible across checkout paths, umasks and time zones', async () => {
    const build = async (label: string, umask: string, tz: string) => {
      const root = join(work, `copy-${label}`, 'deeper', 'app');
      mkdirSync(join(root, '..'), { recursive: true });
      execFileSync('sh', ['-c', `umask ${umask} && cp -r "$0" "$1"`, join(work, 'app'), root]);
      const p = await planFor(appProject(root), wheels);
      const saved = process.env.TZ;
      process.env.TZ = tz;
      try {
        return await writePex(p, {
          output: join(work, `repro-${label}.pex`),
          entryPoint: 'hello_app.cli:main',
          cacheDir,
        });
      } finally {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      }
    };
    const a = await build('a', '022', 'UTC');
    const b = await build('b', '077', 'Asia/Kolkata');
    expect(b.sha256).toBe(a.sha256);
    expect(b.pexHash).toBe(a.pexHash);

    // A third build in another process, as user nobody, umask 027, TZ America/Los_Angeles, from a
    // copy at yet another path, with its own cache and wheel copies.
    const shared = mkdtempSync(join(tmpdir(), 'pexkit-other-user-'));
    try {
      chmodSync(shared, 0o777);
      const script = join(shared, 'write.mjs');
      bundleForNode(
        fileURLToPath(new URL('./test-support/write-from-json.ts', import.meta.url)),
        script,
      );
      const root = join(shared, 'checkout', 'app');
      execFileSync('sh', [
        '-c',
        `umask 022 && mkdir -p "$1" && cp -r "$0"/. "$1"`,
        join(work, 'app'),
        root,
      ]);
      const wheelDir = join(shared, 'wheels');
      mkdirSync(wheelDir);
      const copies = wheels.map((w) => {
        const to = join(wheelDir, w.split('/').pop()!);
        copyFileSync(w, to);
        return to;
      });
      const p = await planFor(appProject(root), copies);
      const input = join(shared, 'input.json');
      const options = {
        output: join(shared, 'out', 'c.pex'),
        entryPoint: 'hello_app.cli:main',
        cacheDir: join(shared, 'cache'),
      };
      writeFileSync(input, JSON.stringify({ plan: p, options }));
      execFileSync('chmod', ['-R', 'a+rX', shared]);
      mkdirSync(join(shared, 'out'), { mode: 0o777 });
      chmodSync(join(shared, 'out'), 0o777);
      const out = execFileSync(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          'sh',
          '-c',
          'umask 027 && exec "$0" "$@"',
          process.execPath,
          script,
          input,
        ],
        {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, TZ: 'America/Los_Angeles', HOME: shared },
        },
      );
      expect(statSync(options.output).uid).toBe(65534);
      expect(JSON.parse(out)).toEqual({ sha256: a.sha256, pexHash: a.pexHash });
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('refuses malicious wheels and unknown console scripts, leaving no output and the old one intact', async () => {
    const output = join(work, 'safe', 'app.pex');
    mkdirSync(join(work, 'safe'), { recursive: true });
    writeFileSync(output, 'previous build');
    const evil = makeWheel(work, {
      name: 'evil',
      version: '1.0',
      files: [{ name: '../../escape.py', data: 'x' }],
    });
    const bad = { ...plan, projects: [...plan.projects, await projectForWheel(evil)] };
    await expect(writePex(bad, { output, cacheDir })).rejects.toThrow(
      /evil-1\.0-py3-none-any\.whl.*\.\.\/\.\.\/escape\.py.*zip-slip/,
    );
    await expect(writePex(plan, { output, consoleScript: 'nope', cacheDir })).rejects.toThrow(
      /--console-script 'nope'.*available: .*hello \(hello-app\)/,
    );
    expect(readFileSync(output, 'utf8')).toBe('previous build');
    expect(readdirSync(join(work, 'safe'))).toEqual(['app.pex']);
    // A failure after the zip is half written (a wheel changes while being copied: here a
    // /proc file whose stat size is 0, with a cached verdict) also leaves nothing behind.
    const changing = preverifiedWheel(cacheDir, 'zzz', 'f'.repeat(64), '/proc/self/status');
    await expect(
      writePex({ ...plan, projects: [...plan.projects, changing] }, { output, cacheDir }),
    ).rejects.toThrow(/changed size while being copied/);
    expect(readFileSync(output, 'utf8')).toBe('previous build');
    expect(readdirSync(join(work, 'safe'))).toEqual(['app.pex']);
  });

  it('leaves the old output and no temp file when interrupted mid-write (SIGTERM)', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'pexkit-interrupt-'));
    const fifo = join(shared, 'blocked-1.0-py3-none-any.whl');
    let child: ReturnType<typeof spawn> | undefined;
    // The child's copy thread sits in open() on the FIFO; opening the write end lets it go.
    const release = () => {
      try {
        closeSync(openSync(fifo, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK));
      } catch {
        // no reader (left)
      }
    };
    try {
      const script = join(shared, 'write.mjs');
      bundleForNode(
        fileURLToPath(new URL('./test-support/write-from-json.ts', import.meta.url)),
        script,
      );
      const outDir = join(shared, 'out');
      mkdirSync(outDir);
      const output = join(outDir, 'app.pex');
      writeFileSync(output, 'previous build');
      // A wheel that is a FIFO nobody writes to: the copy blocks half-way through the zip.
      execFileSync('mkfifo', [fifo]);
      const cache = join(shared, 'cache');
      const blocked = preverifiedWheel(cache, 'blocked', 'e'.repeat(64), fifo);
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
      const exited = new Promise<number | null>((ok) => running.on('exit', (code) => ok(code)));
      const deadline = Date.now() + 20_000;
      const hasTemp = () => readdirSync(outDir).some((n) => n.includes('.tmp-'));
      while (!hasTemp() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(hasTemp()).toBe(true);
      await new Promise((r) => setTimeout(r, 200));
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      release();
      expect(await exited).toBe(143);
      expect(readdirSync(outDir)).toEqual(['app.pex']);
      expect(readFileSync(output, 'utf8')).toBe('previous build');
    } finally {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        release();
      }
      rmSync(shared, { recursive: true, force: true });
    }
  });
});

describe('writePex options', () => {
  it('stores everything with compress: false, dates entries from SOURCE_DATE_EPOCH, and sets the shebang', async () => {
    const output = join(work, 'opts.pex');
    await writePex(plan, {
      output,
      compress: false,
      pythonShebang: 'python3.11',
      env: { SOURCE_DATE_EPOCH: '1700000000' },
      inheritPath: 'fallback',
      venv: true,
      interpreterConstraints: ['CPython>=3.10,<3.14'],
      cacheDir,
    });
    expect(readFileSync(output).subarray(0, 26).toString()).toBe('#!/usr/bin/env python3.11\n');
    const reader = await ZipReader.open(output, { allowPreamble: true });
    expect(reader.entries.every((e) => e.method === 0)).toBe(true);
    const info = JSON.parse(
      (await reader.read(reader.entries.find((e) => e.name === 'PEX-INFO')!)).toString(),
    );
    await reader.close();
    expect(info).toMatchObject({
      inherit_path: 'fallback',
      venv: true,
      interpreter_constraints: ['CPython>=3.10,<3.14'],
      // No entry point given: the app's only console script.
      entry_point: 'hello_app.cli:main',
    });
    expect(execFileSync('unzip', ['-Z', '-l', output], { encoding: 'utf8' })).toContain(
      '23-Nov-14 22:13',
    );
  });

  it('refuses to replace a directory that is not a PEX, and rejects bad options by name', async () => {
    const dir = join(work, 'precious');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'thesis.txt'), 'do not delete');
    await expect(writePex(plan, { output: dir, cacheDir })).rejects.toThrow(
      /precious is an existing directory that is not a PEX/,
    );
    expect(readFileSync(join(dir, 'thesis.txt'), 'utf8')).toBe('do not delete');
    await expect(
      writePex(plan, { output: join(work, 'x.pex'), layout: 'tar' as never, cacheDir }),
    ).rejects.toThrow(/--layout must be one of/);
    await expect(
      writePex(plan, { output: join(work, 'x.pex'), entryPoint: 'not a module', cacheDir }),
    ).rejects.toThrow(/--entry-point 'not a module'/);
    await expect(
      writePex(plan, {
        output: join(work, 'x.pex'),
        entryPoint: 'a',
        consoleScript: 'hello',
        cacheDir,
      }),
    ).rejects.toThrow(/not both/);
    expect(existsSync(join(work, 'x.pex'))).toBe(false);
  });
});

describe('writePex (directory layouts)', () => {
  it.each(['packed', 'loose'] as const)(
    'writes a %s PEX whose .bootstrap and code import',
    async (layout) => {
      const output = join(work, `dir-${layout}`);
      const result = await writePex(plan, {
        output,
        layout,
        entryPoint: 'hello_app.cli:main',
        cacheDir,
      });
      expect(result.layout).toBe(layout);
      expect(existsSync(join(output, 'PEX-INFO'))).toBe(true);
      expect(existsSync(join(output, '.deps', 'requests-2.32.3-py3-none-any.whl'))).toBe(true);
      expect(statSync(join(output, '.bootstrap')).isDirectory()).toBe(layout === 'loose');
      expect(statSync(join(output, 'hello_app/__init__.py')).mode & 0o777).toBe(0o644);
      const python = pythons()[0];
      const probe =
        'import sys, os; sys.path[:0] = [sys.argv[1], os.path.join(sys.argv[1], ".bootstrap")]; import hello_app, pexkit_boot; print("ok")';
      expect(execFileSync(python, ['-c', probe, output], { encoding: 'utf8' })).toBe('ok\n');
      // Rebuilding over the previous directory output replaces it, and the hash is stable.
      const again = await writePex(plan, {
        output,
        layout,
        entryPoint: 'hello_app.cli:main',
        cacheDir,
      });
      expect(again.sha256).toBe(result.sha256);
    },
  );
});
