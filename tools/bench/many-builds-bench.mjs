#!/usr/bin/env node
/* global setInterval, clearInterval */
// Many builds at once (issue 18): a generated uv workspace of N apps (default 200) and M libraries
// (default 20) sharing a heavy closure (numpy, pandas, pydantic), built with
// `nx run-many -t build --parallel=P` (default 2), against `pex` builds of the same apps.
//   1. cold:   empty pexkit cache, empty Nx cache, no dist/
//   2. warm:   warm pexkit cache (wheels and deflated wheels), empty Nx cache, no dist/
//   3. nx hit: everything restored from Nx's cache (no dist/)
//   4. pex:    a sample of S pex builds (-r the exported lock, -D each first-party src), warm
//              pex root (after one untimed warm-up), extrapolated to N apps (S defaults to 5:
//              pex takes ~10 s a build here)
// Reports wall time, the peak resident memory of the whole process tree (sampled every 250 ms),
// bytes added to Nx's cache and to dist/, the number of wheel downloads and deflates (from the
// build summaries, and the cache's entries) against the number of distinct wheels.
// Usage: node tools/bench/many-builds-bench.mjs [--apps 200] [--libs 20] [--parallel 2]
//          [--pex-sample 5] [--layout zipapp|packed] [--keep]
// Work dir: $BENCH_DIR or a new temp dir (removed unless --keep).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBytes, median, pyenvPython, REPO_ROOT, sizeOf, toolBin } from './lib/bench-util.mjs';

const { values } = parseArgs({
  options: {
    apps: { type: 'string', default: '200' },
    libs: { type: 'string', default: '20' },
    parallel: { type: 'string', default: '2' },
    'pex-sample': { type: 'string', default: '5' },
    layout: { type: 'string', default: 'zipapp' },
    keep: { type: 'boolean', default: false },
  },
});
const APPS = Number(values.apps);
const LIBS = Number(values.libs);
const PARALLEL = Number(values.parallel);
const PEX_SAMPLE = Math.min(Number(values['pex-sample']), APPS);
const LAYOUT = values.layout;
const HEAVY = ['numpy==2.2.6', 'pandas==2.2.3', 'pydantic==2.11.7'];
const python = pyenvPython('3.11');

function write(root, path, text) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

const pad = (i, n = 3) => String(i).padStart(n, '0');
const libName = (i) => `lib-${pad(i, 2)}`;
const appName = (i) => `app-${pad(i)}`;
const mod = (name) => name.replace(/-/g, '_');

/** Library i needs one of the heavy packages; app i uses three consecutive libraries. */
const libDeps = (i) => [HEAVY[i % HEAVY.length]];
const appLibs = (i) => [0, 1, 2].map((k) => libName((i + k) % LIBS));

function generate(root) {
  write(root, 'package.json', JSON.stringify({ name: 'many-builds', private: true }, null, 2));
  const plugin = {
    plugin: '@pexkit/nx/plugin',
    include: ['apps/*/pyproject.toml', 'libs/*/pyproject.toml'],
  };
  write(root, 'nx.json', JSON.stringify({ plugins: [plugin] }, null, 2));
  write(root, '.gitignore', 'node_modules\n.nx\ndist\n');
  write(root, 'pyproject.toml', '[tool.uv.workspace]\nmembers = ["libs/*", "apps/*"]\n');
  for (let i = 0; i < LIBS; i++) {
    const name = libName(i);
    const pkg = HEAVY[i % HEAVY.length].split('==')[0];
    write(
      root,
      `libs/${name}/pyproject.toml`,
      `[project]\nname = "${name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n` +
        `dependencies = [${libDeps(i)
          .map((d) => JSON.stringify(d))
          .join(', ')}]\n\n` +
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
    );
    write(
      root,
      `libs/${name}/src/${mod(name)}/__init__.py`,
      `import ${pkg}\n\n\ndef version():\n    return "${name} " + ${pkg}.__version__\n`,
    );
  }
  for (let i = 0; i < APPS; i++) {
    const name = appName(i);
    const libs = appLibs(i);
    const table = LAYOUT !== 'zipapp' ? `\n[tool.pexkit]\nlayout = "${LAYOUT}"\n` : '';
    write(
      root,
      `apps/${name}/pyproject.toml`,
      `[project]\nname = "${name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n` +
        `dependencies = [${libs.map((d) => JSON.stringify(d)).join(', ')}]\n\n` +
        `[project.scripts]\n${name} = "${mod(name)}.main:main"\n\n` +
        `[tool.uv.sources]\n${libs.map((l) => `${l} = { workspace = true }`).join('\n')}\n${table}\n` +
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
    );
    write(root, `apps/${name}/src/${mod(name)}/__init__.py`, '');
    write(
      root,
      `apps/${name}/src/${mod(name)}/main.py`,
      `${libs.map((l) => `import ${mod(l)}`).join('\n')}\n\n\ndef main():\n` +
        `    print(${libs.map((l) => `${mod(l)}.version()`).join(', ')})\n`,
    );
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  execFileSync(toolBin('uv'), ['lock', '--quiet', '--python', python], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(
    toolBin('uv'),
    [
      'export',
      '--quiet',
      '--frozen',
      '--no-emit-workspace',
      '--no-hashes',
      '-o',
      'requirements.txt',
    ],
    { cwd: root, stdio: 'inherit' },
  );
  execFileSync('git', ['init', '-q'], { cwd: root });
  // The lock-subset files (pexkit.lock-subset) that the build hashes read, committed as users do.
  const sync = spawnSync(join(REPO_ROOT, 'node_modules/.bin/nx'), ['sync'], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    encoding: 'utf8',
  });
  if (sync.status !== 0) throw new Error(`nx sync failed:\n${sync.stdout}\n${sync.stderr}`);
  execFileSync('git', ['add', '-A'], { cwd: root });
  execFileSync(
    'git',
    ['-c', 'user.name=b', '-c', 'user.email=b@localhost', 'commit', '-qm', 'bench'],
    {
      cwd: root,
    },
  );
}

/** Sum of the RSS of a process and all its descendants, in bytes (Linux /proc via ps). */
function treeRss(rootPid) {
  let out;
  try {
    out = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss='], { encoding: 'utf8' });
  } catch {
    return 0;
  }
  const children = new Map();
  const rss = new Map();
  for (const line of out.trim().split('\n')) {
    const [pid, ppid, kb] = line.trim().split(/\s+/).map(Number);
    rss.set(pid, kb * 1024);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop();
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Runs a command, sampling the process tree's memory: wall seconds, peak bytes, output. */
function run(cmd, args, options) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, treeRss(child.pid))), 250);
    child.on('close', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0)
        reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${out.slice(-4000)}`));
      else resolve({ seconds, peak, out });
    });
  });
}

const du = (path) => (existsSync(path) ? sizeOf(path) : 0);

/**
 * Bytes of distinct file contents under `dir` (sha256 per file): what a content-addressed store
 * (a deduplicating remote cache, or a reflink/dedup file system under the Nx cache) keeps of it.
 */
function uniqueBytes(dir) {
  const seen = new Map();
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const data = readFileSync(p);
        seen.set(createHash('sha256').update(data).digest('hex'), data.length);
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return [...seen.values()].reduce((a, b) => a + b, 0);
}

/** Sum of the per-build fetch summaries ("fetched N files (…), M from cache"). */
function fetchCounts(out) {
  let downloaded = 0;
  let fromCache = 0;
  for (const m of out.matchAll(/fetched (\d+) files? \([^)]*\) in [0-9.]+ s, (\d+) from cache/g)) {
    downloaded += Number(m[1]);
    fromCache += Number(m[2]);
  }
  return { downloaded, fromCache };
}

/**
 * Nx 23 keeps the task cache in ~/.nx/<workspace id>/cache (NX_CACHE_DIRECTORY moves it, but then
 * Nx's database still reports hits from the old location and restores nothing): ask Nx where.
 */
function nxCacheDir(root, env) {
  return execFileSync(
    process.execPath,
    ['-e', "process.stdout.write(require('nx/src/utils/cache-directory').cacheDir)"],
    { cwd: root, env, encoding: 'utf8' },
  );
}

function nxReset(root, env) {
  execFileSync(join(REPO_ROOT, 'node_modules/.bin/nx'), ['reset'], {
    cwd: root,
    env,
    stdio: 'ignore',
  });
  rmSync(nxCacheDir(root, env), { recursive: true, force: true });
}

async function nxBuild(root, env, label) {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const cacheDir = nxCacheDir(root, env);
  const nxCacheBefore = du(cacheDir);
  const r = await run(
    join(REPO_ROOT, 'node_modules/.bin/nx'),
    ['run-many', '-t', 'build', `--parallel=${PARALLEL}`, '--outputStyle=stream'],
    { cwd: root, env },
  );
  writeFileSync(join(dirname(root), `nx-${label.split(' ')[0]}.log`), r.out);
  const deflatedEntries = existsSync(join(env.PEXKIT_CACHE_DIR, 'deflated-portable'))
    ? readdirSync(join(env.PEXKIT_CACHE_DIR, 'deflated-portable')).filter((f) =>
        f.endsWith('.json'),
      ).length
    : 0;
  const cached = (r.out.match(/\[local cache\]|existing outputs match the cache/g) ?? []).length;
  const unique = LAYOUT === 'zipapp' ? undefined : uniqueBytes(join(root, 'dist'));
  const result = {
    label,
    ...(unique !== undefined ? { distUniqueContent: unique } : {}),
    seconds: r.seconds,
    peak: r.peak,
    nxCacheAdded: du(cacheDir) - nxCacheBefore,
    dist: du(join(root, 'dist')),
    ...fetchCounts(r.out),
    deflatedEntries,
    nxCacheHits: cached,
    load: loadavg()[0].toFixed(1),
  };
  console.error(JSON.stringify(result));
  return result;
}

async function pexBuilds(root, pexRoot) {
  const out = join(root, 'pex-out');
  mkdirSync(out, { recursive: true });
  const build = (i) => {
    const name = appName(i);
    const srcs = [
      join(root, 'apps', name, 'src'),
      ...appLibs(i).map((l) => join(root, 'libs', l, 'src')),
    ];
    return run(
      toolBin('pex'),
      [
        '--python',
        python,
        '--pex-root',
        pexRoot,
        '-r',
        join(root, 'requirements.txt'),
        ...srcs.flatMap((s) => ['-D', s]),
        '-e',
        `${mod(name)}.main:main`,
        '-o',
        join(out, `${name}.pex`),
      ],
      { env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' } },
    );
  };
  const cold = await build(0); // fills pex's cache (untimed for the warm figure)
  const warm = [];
  for (let i = 1; i <= PEX_SAMPLE; i++) warm.push(await build(i));
  const seconds = warm.map((w) => w.seconds);
  return {
    coldFirstSeconds: cold.seconds,
    warmMedianSeconds: median(seconds),
    warmSampleSeconds: seconds,
    peak: Math.max(...warm.map((w) => w.peak)),
    sizeEach: du(join(out, `${appName(1)}.pex`)),
  };
}

async function main() {
  const work = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'pexkit-many-builds-'));
  const root = join(work, 'ws');
  try {
    if (!existsSync(join(root, 'uv.lock'))) generate(root);
    const env = {
      ...process.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      PEXKIT_CACHE_DIR: join(work, 'pexkit-cache'),
    };
    rmSync(env.PEXKIT_CACHE_DIR, { recursive: true, force: true });
    nxReset(root, env);
    const cold = await nxBuild(root, env, 'cold (empty pexkit and Nx caches)');
    nxReset(root, env);
    const warm = await nxBuild(root, env, 'warm wheel caches, empty Nx cache');
    const hit = await nxBuild(root, env, 'all from Nx cache');
    const distinctWheels = readdirSync(join(env.PEXKIT_CACHE_DIR, 'artifacts', 'sha256')).flatMap(
      (aa) => readdirSync(join(env.PEXKIT_CACHE_DIR, 'artifacts', 'sha256', aa)),
    ).length;
    const pex =
      PEX_SAMPLE > 0
        ? await pexBuilds(root, join(work, 'pex-root'))
        : { coldFirstSeconds: NaN, warmMedianSeconds: NaN, peak: NaN, sizeEach: NaN };
    const pexTotal = pex.warmMedianSeconds * APPS;
    console.log(
      `\n${APPS} apps, ${LIBS} libraries (${HEAVY.join(', ')}), nx run-many -t build --parallel=${PARALLEL}, layout ${LAYOUT}; ` +
        `${distinctWheels} distinct wheels; load ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
    console.log(
      '| run | wall | peak RSS (tree) | Nx cache added | dist/ | downloads | from cache | deflated entries | Nx cache hits |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of [cold, warm, hit])
      console.log(
        `| ${r.label} | ${r.seconds.toFixed(1)} s | ${formatBytes(r.peak)} | ${formatBytes(r.nxCacheAdded)} | ${formatBytes(r.dist)} | ${r.downloaded} | ${r.fromCache} | ${r.deflatedEntries} | ${r.nxCacheHits} |`,
      );
    console.log(
      `| pex, ${PEX_SAMPLE} warm builds (median ${pex.warmMedianSeconds.toFixed(1)} s) × ${APPS} | ${pexTotal.toFixed(0)} s (extrapolated) | ${formatBytes(pex.peak)} (one build) | - | ${formatBytes(pex.sizeEach * APPS)} (extrapolated) | - | - | - | - |`,
    );
    if (warm.distUniqueContent !== undefined)
      console.log(
        `(${LAYOUT} layout: dist/ holds ${formatBytes(warm.dist)}, of which ${formatBytes(warm.distUniqueContent)} distinct file contents: ` +
          `a content-addressed store keeps ${((100 * warm.distUniqueContent) / warm.dist).toFixed(1)}% of it)`,
      );
    console.log(
      `\nwarm pexkit ${warm.seconds.toFixed(1)} s vs pex ${pexTotal.toFixed(0)} s: 1/${(pexTotal / warm.seconds).toFixed(1)} (goal ≤ 1/20); ` +
        `downloads ${cold.downloaded} for ${distinctWheels} distinct wheels (goal: each once); pex first (cold) build ${pex.coldFirstSeconds.toFixed(1)} s`,
    );
    if (cold.downloaded !== distinctWheels) process.exitCode = 1;
  } finally {
    if (values.keep || process.env.BENCH_DIR) console.error(`work dir kept at ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

await main();
