#!/usr/bin/env node
// Build benchmark (issue 5): pexkit vs pex 2.105.2 vs shiv 1.0.8 (pinned in .venv-tools), from
// warm caches, single target (this machine, CPython 3.11), for
//   (a) an app depending on flask and requests, and
//   (b) one depending on numpy, pandas, pydantic, flask and requests.
// Prints median wall times and output sizes side by side.
//   pexkit:        `pexkit build --lock uv.lock` (the whole pipeline: lock → plan → verified wheels → PEX)
//   pexkit-writer: writePex alone over the downloaded wheels (tools/bench/build-pexkit-write.mjs)
// Usage: node tools/bench/build-bench.mjs [--runs N] [--apps a,b]
// Work dir: $BENCH_DIR or ~/.cache/pexkit-bench (kept between runs: that is the warm cache).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ensureDir,
  formatBytes,
  median,
  printTable,
  pyenvPython,
  REPO_ROOT,
  sizeOf,
  timed,
  toolBin,
} from './lib/bench-util.mjs';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, apps: { type: 'string', default: 'a,b' } },
});
const RUNS = Number(values.runs);
const APPS = [
  { id: 'a', deps: ['flask', 'requests'] },
  { id: 'b', deps: ['numpy', 'pandas', 'pydantic', 'flask', 'requests'] },
].filter((a) => values.apps.split(',').includes(a.id));

const work = ensureDir(process.env.BENCH_DIR ?? join(homedir(), '.cache', 'pexkit-bench'));
const python = pyenvPython('3.11');
const pexkitCache = join(work, 'pexkit-cache');
const pexRoot = join(work, 'pex-root');
const env = {
  ...process.env,
  PEXKIT_CACHE_DIR: pexkitCache,
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
  TZ: 'UTC',
};

if (!existsSync(join(REPO_ROOT, 'packages/pex/dist/pex/writer.js'))) {
  console.error('building packages/pex/dist …');
  execFileSync('npx', ['tsc', '-b', 'packages/pex/tsconfig.lib.json'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
}

function setUpApp(app) {
  const dir = ensureDir(join(work, `app-${app.id}`));
  const mod = `bench_app_${app.id}`;
  const imports = app.deps.map((d) => `    import ${d}\n`).join('');
  writeFileSync(
    join(dir, 'pyproject.toml'),
    `[project]\nname = "bench-app-${app.id}"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n` +
      `dependencies = [${app.deps.map((d) => `"${d}"`).join(', ')}]\n\n[project.scripts]\nbench-app-${app.id} = "${mod}:main"\n`,
  );
  ensureDir(join(dir, 'src', mod));
  writeFileSync(
    join(dir, 'src', mod, '__init__.py'),
    `def main():\n${imports}    print("ok", ${app.deps.map((d) => `${d}.__version__`).join(', ')})\n`,
  );
  const req = join(dir, 'requirements.txt');
  if (!existsSync(req)) {
    // Pinned once with uv (network on the first run only); every tool builds from this file.
    execFileSync(
      toolBin('uv'),
      [
        'pip',
        'compile',
        '--quiet',
        '--no-header',
        '--python',
        python,
        '-o',
        req,
        join(dir, 'pyproject.toml'),
      ],
      {
        env,
        stdio: 'inherit',
      },
    );
  }
  if (!existsSync(join(dir, 'uv.lock'))) {
    execFileSync(toolBin('uv'), ['lock', '--quiet', '--python', python], {
      cwd: dir,
      env,
      stdio: 'inherit',
    });
  }
  const wheels = join(dir, 'wheels');
  if (!existsSync(wheels) || readdirSync(wheels).length === 0) {
    execFileSync(
      toolBin('pip'),
      [
        'download',
        '--quiet',
        '--only-binary=:all:',
        '--no-deps',
        '--python-version',
        '3.11',
        '-d',
        wheels,
        '-r',
        req,
      ],
      {
        env,
        stdio: 'inherit',
      },
    );
  }
  return { ...app, dir, mod, req, wheels, out: ensureDir(join(dir, 'out')) };
}

const tools = {
  pexkit: (app) => {
    const out = join(app.out, 'pexkit.pex');
    const cli = join(REPO_ROOT, 'packages/pex/dist/cli/main.js');
    return {
      out,
      cmd: process.execPath,
      args: [
        cli,
        'build',
        '--project',
        app.dir,
        '--lock',
        join(app.dir, 'uv.lock'),
        '-c',
        `bench-app-${app.id}`,
        '-o',
        out,
        '--cache-dir',
        pexkitCache,
        '-q',
      ],
    };
  },
  'pexkit-writer': (app) => {
    const out = join(app.out, 'pexkit-writer.pex');
    return {
      out,
      cmd: process.execPath,
      args: [
        join(REPO_ROOT, 'tools/bench/build-pexkit-write.mjs'),
        app.dir,
        app.wheels,
        out,
        ...app.deps,
      ],
    };
  },
  pex: (app) => {
    const out = join(app.out, 'pex.pex');
    return {
      out,
      cmd: toolBin('pex'),
      args: [
        '--python',
        python,
        '--pex-root',
        pexRoot,
        '-r',
        app.req,
        '-D',
        join(app.dir, 'src'),
        '-e',
        `${app.mod}:main`,
        '-o',
        out,
      ],
    };
  },
  shiv: (app) => {
    const out = join(app.out, 'shiv.pyz');
    return {
      out,
      cmd: toolBin('shiv'),
      args: [
        '-p',
        python,
        '-o',
        out,
        '-e',
        `${app.mod}:main`,
        '--site-packages',
        join(app.dir, 'src'),
        '-r',
        app.req,
      ],
    };
  },
};

const rows = [];
const summary = [];
for (const spec of APPS) {
  const app = setUpApp(spec);
  const results = {};
  for (const [name, make] of Object.entries(tools)) {
    const { out, cmd, args } = make(app);
    rmSync(out, { recursive: true, force: true });
    // pexkit's first run starts with an empty verified-wheel cache (every wheel re-hashed);
    // this warm-up also fills pex's and shiv's caches on a first benchmark run.
    if (name === 'pexkit') rmSync(join(pexkitCache, 'verified'), { recursive: true, force: true });
    const first = timed(cmd, args, { env }).seconds;
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      rmSync(out, { recursive: true, force: true });
      times.push(timed(cmd, args, { env }).seconds);
    }
    const run = timed(python, [out], {
      env: { ...env, PEX_ROOT: join(work, 'run-root'), SHIV_ROOT: join(work, 'run-root-shiv') },
    });
    if (!run.stdout.startsWith('ok '))
      throw new Error(`${name}'s output for app ${app.id} did not run: ${run.stdout}${run.stderr}`);
    results[name] = { seconds: median(times), times, first, size: sizeOf(out) };
  }
  for (const [name, r] of Object.entries(results)) {
    rows.push([
      `${app.id}: ${app.deps.join(' ')}`,
      name,
      r.seconds.toFixed(3),
      r.times.map((t) => t.toFixed(2)).join(' '),
      r.first.toFixed(2),
      formatBytes(r.size),
      `${(results.pex.seconds / r.seconds).toFixed(1)}x`,
    ]);
  }
  summary.push(
    `app ${app.id}: pexkit ${(results.pexkit.seconds * 1000).toFixed(0)} ms vs pex ${(results.pex.seconds * 1000).toFixed(0)} ms ` +
      `(${(results.pex.seconds / results.pexkit.seconds).toFixed(1)}x faster; goal ≥ 10x: ${results.pex.seconds / results.pexkit.seconds >= 10 ? 'met' : 'MISSED'}), ` +
      `size ${formatBytes(results.pexkit.size)} vs shiv ${formatBytes(results.shiv.size)} ` +
      `(goal ≤ shiv: ${results.pexkit.size <= results.shiv.size ? 'met' : 'MISSED'})`,
  );
}
console.log(`\nWarm builds, median of ${RUNS} after one warm-up run; CPython 3.11; ${work}\n`);
printTable(['app', 'tool', 'wall s (median)', 'runs', 'first run s', 'size', 'speed vs pex'], rows);
console.log('');
for (const line of summary) console.log(line);
console.log(
  '\npexkit: pexkit build --lock uv.lock (artifact and verified-wheel caches warm); ' +
    'pexkit-writer: writePex over the downloaded wheels (each hashed); ' +
    'pex: -r requirements.txt -D src (pex-root warm); shiv: -r requirements.txt --site-packages src (pip cache warm).\n' +
    '"first run": pexkit with an empty verified-wheel cache (every wheel validated: RECORD hashes; wheels already downloaded); for the others ' +
    'the warm-up run, cold only on the very first benchmark run in this work dir.',
);
