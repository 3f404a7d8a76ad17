#!/usr/bin/env node
/* global performance */
// Project-graph benchmark for @pexkit/nx: a generated uv workspace of N Python projects with
// workspace dependencies, imports between them and a uv.lock-style lock. Measures
//   1. the plugin directly (createNodes + createDependencies), cold (no cache, fresh process) and
//      warm (on-disk cache, fresh process; plus in-process repeat): wall and CPU time, peak RSS;
//   2. with --projects N (unless --skip-nx) or --nx: `nx graph --file` with the daemon off, cold
//      (no .nx) and warm, and `nx show projects --affected` after a one-file edit, each with the
//      plugin's share (Nx's own NX_PERF_LOGGING timings of createNodes + createDependencies).
// Without --projects it prints the scaling table for 500/1,000/2,000/5,000 projects (--sizes to
// change) and exits 1 when 2,000 projects take more than 4.5× the cold CPU time of 500 (linear
// inference gives 4×; CPU time, because wall time on a shared machine is noise). Usage:
//   node tools/bench/graph-bench.mjs [--projects N (<= 10000) | --sizes 500,2000] [--runs 3]
//                                     [--skip-nx | --nx] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const pluginUrl = pathToFileURL(join(repo, 'packages/nx/dist/plugins/plugin.js')).href;
const lockSubsetUrl = pathToFileURL(join(repo, 'packages/nx/dist/utils/lock-subset-file.js')).href;

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}

function write(root, path, text) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

const THIRD_PARTY = Array.from({ length: 120 }, (_, i) => `dep-${String(i).padStart(3, '0')}`);

/** Deterministic pseudo-random numbers (so every run generates the same workspace). */
function rng(seed) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

export function generateWorkspace(root, count) {
  const rand = rng(42);
  const names = Array.from({ length: count }, (_, i) => `proj-${String(i).padStart(3, '0')}`);
  write(root, 'package.json', JSON.stringify({ name: 'graph-bench', private: true }, null, 2));
  write(
    root,
    'nx.json',
    JSON.stringify(
      {
        plugins: [
          {
            plugin: '@pexkit/nx/plugin',
            include: ['projects/**/pyproject.toml', 'pyproject.toml'],
          },
        ],
      },
      null,
      2,
    ),
  );
  write(root, '.gitignore', 'node_modules\n.nx\n');
  write(root, 'pyproject.toml', '[tool.uv.workspace]\nmembers = ["projects/*"]\n');
  const lockPackages = [];
  for (const [i, name] of names.entries()) {
    const mod = name.replace(/-/g, '_');
    const deps = new Set();
    for (let k = 0; k < 3 && i > 0; k++) deps.add(names[Math.floor(rand() * i)]);
    const third = [
      THIRD_PARTY[Math.floor(rand() * THIRD_PARTY.length)],
      THIRD_PARTY[Math.floor(rand() * THIRD_PARTY.length)],
    ];
    const app = i % 5 === 0;
    const lines = [
      '[project]',
      `name = "${name}"`,
      'version = "0.1.0"',
      'requires-python = ">=3.9"',
      `dependencies = [${[...deps, ...third].map((d) => JSON.stringify(d)).join(', ')}]`,
      '',
    ];
    if (app) lines.push('[project.scripts]', `${name} = "${mod}.main:main"`, '');
    if (deps.size > 0) {
      lines.push('[tool.uv.sources]');
      for (const d of deps) lines.push(`${d} = { workspace = true }`);
      lines.push('');
    }
    lines.push(
      '[build-system]',
      'requires = ["hatchling"]',
      'build-backend = "hatchling.build"',
      '',
    );
    write(root, `projects/${name}/pyproject.toml`, lines.join('\n'));
    write(root, `projects/${name}/src/${mod}/__init__.py`, `"""${name}."""\n`);
    const imports = [...deps].map((d) => `import ${d.replace(/-/g, '_')}`).join('\n');
    write(
      root,
      `projects/${name}/src/${mod}/main.py`,
      `import os\nimport sys\n${imports}\n\n\ndef main():\n    print(sys.argv)\n`,
    );
    for (let f = 0; f < 3; f++)
      write(
        root,
        `projects/${name}/src/${mod}/mod_${f}.py`,
        `from ${mod} import main\n\nVALUE = ${f}\n`,
      );
    write(
      root,
      `projects/${name}/tests/test_${mod}.py`,
      `from ${mod}.main import main\n\n\ndef test_main():\n    main()\n`,
    );
    lockPackages.push(
      [
        '[[package]]',
        `name = "${name}"`,
        'version = "0.1.0"',
        `source = { editable = "projects/${name}" }`,
        `dependencies = [\n${[...deps, ...third].map((d) => `    { name = "${d}" },`).join('\n')}\n]`,
        '',
      ].join('\n'),
    );
  }
  for (const [i, name] of THIRD_PARTY.entries()) {
    const sha = createHash('sha256').update(name).digest('hex');
    const deps = i > 0 ? `dependencies = [\n    { name = "${THIRD_PARTY[i - 1]}" },\n]\n` : '';
    lockPackages.push(
      [
        '[[package]]',
        `name = "${name}"`,
        `version = "1.${i}.0"`,
        'source = { registry = "https://pypi.org/simple" }',
        deps,
        `sdist = { url = "https://files.pythonhosted.org/packages/xx/${name}-1.${i}.0.tar.gz", hash = "sha256:${sha}", size = ${1000 + i} }`,
        'wheels = [',
        `    { url = "https://files.pythonhosted.org/packages/xx/${name.replace(/-/g, '_')}-1.${i}.0-py3-none-any.whl", hash = "sha256:${sha}", size = ${2000 + i} },`,
        ']',
        '',
      ].join('\n'),
    );
  }
  write(
    root,
    'uv.lock',
    [
      'version = 1',
      'revision = 3',
      'requires-python = ">=3.9"',
      '',
      '[manifest]',
      `members = [\n${names.map((n) => `    "${n}",`).join('\n')}\n]`,
      '',
      ...lockPackages,
    ].join('\n'),
  );
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
  return names;
}

function listFiles(root, dir = root, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.nx' || entry.name === 'node_modules' || entry.name === '.git') continue;
    const abs = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(root, abs, out);
    else out.push(relative(root, abs).split(sep).join('/'));
  }
  return out;
}

/** CPU time (user + system) of this process in ms. */
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Peak resident memory of this process so far, in MB. */
function peakMb() {
  return process.resourceUsage().maxRSS / 1024;
}

/** Child process: one measured plugin run (the file map is built untimed, as Nx's hasher would). */
async function child(root) {
  const t0 = performance.now();
  const plugin = await import(pluginUrl);
  const tLoad = performance.now();
  const files = listFiles(root);
  const configFiles = files.filter((f) => f.endsWith('pyproject.toml')).sort();
  const context = { workspaceRoot: root, nxJsonConfiguration: {} };
  const baseMb = peakMb();
  const timeNodes = async () => {
    const s = performance.now();
    const c = cpuMs();
    const results = await plugin.createNodes[1](configFiles, {}, context);
    return { ms: performance.now() - s, cpu: cpuMs() - c, results };
  };
  const first = await timeNodes();
  const nodesPeakMb = peakMb();
  const projects = {};
  for (const [, r] of first.results)
    for (const [projRoot, p] of Object.entries(r.projects ?? {}))
      projects[p.name] = { ...p, root: projRoot };
  // Each file belongs to the project with the longest root above it (walk up its directories).
  const byRoot = new Map(Object.entries(projects).map(([name, p]) => [p.root, name]));
  const projectFileMap = {};
  const nonProjectFiles = [];
  for (const file of files) {
    const hash = createHash('sha1')
      .update(readFileSync(join(root, file)))
      .digest('hex');
    let owner;
    for (let dir = dirname(file); owner === undefined; dir = dirname(dir)) {
      owner = byRoot.get(dir);
      if (dir === '.') break;
    }
    if (owner === undefined) nonProjectFiles.push({ file, hash });
    else (projectFileMap[owner] ??= []).push({ file, hash });
  }
  const fileMap = { projectFileMap, nonProjectFiles };
  const depContext = {
    workspaceRoot: root,
    projects,
    externalNodes: {},
    nxJsonConfiguration: {},
    fileMap,
    filesToProcess: fileMap,
  };
  const timeDeps = async () => {
    const s = performance.now();
    const c = cpuMs();
    const deps = await plugin.createDependencies({}, depContext);
    return { ms: performance.now() - s, cpu: cpuMs() - c, deps };
  };
  const firstDeps = await timeDeps();
  const second = await timeNodes();
  const secondDeps = await timeDeps();
  process.stdout.write(
    JSON.stringify({
      moduleLoadMs: tLoad - t0,
      nodesMs: first.ms,
      depsMs: firstDeps.ms,
      cpuMs: first.cpu + firstDeps.cpu,
      nodesCpuMs: first.cpu,
      depsCpuMs: firstDeps.cpu,
      inProcessRepeatCpuMs: second.cpu + secondDeps.cpu,
      inProcessRepeatMs: second.ms + secondDeps.ms,
      baseMb,
      nodesPeakMb,
      peakMb: peakMb(),
      projects: Object.keys(projects).length,
      buildTargets: Object.values(projects).filter((p) => Object.keys(p.targets ?? {}).length > 0)
        .length,
      edges: firstDeps.deps.length,
    }),
  );
}

/**
 * Child process: what `nx sync` computes (every project's lock subset, from the inferred projects),
 * timed, then written, so the measured graph runs see the committed files as users have them.
 */
async function syncChild(root) {
  const plugin = await import(pluginUrl);
  const { expectedLockSubsetFiles, lockSubsetProjects } = await import(lockSubsetUrl);
  const configFiles = listFiles(root)
    .filter((f) => f.endsWith('pyproject.toml'))
    .sort();
  const results = await plugin.createNodes[1](
    configFiles,
    {},
    { workspaceRoot: root, nxJsonConfiguration: {} },
  );
  const projects = {};
  for (const [, r] of results)
    for (const [projRoot, p] of Object.entries(r.projects ?? {}))
      projects[p.name] = { ...p, root: projRoot };
  const s = performance.now();
  const c = cpuMs();
  const files = expectedLockSubsetFiles(root, lockSubsetProjects(projects));
  const ms = performance.now() - s;
  const cpu = cpuMs() - c;
  for (const [file, text] of files) if (text !== undefined) write(root, file, text);
  process.stdout.write(
    JSON.stringify({ ms, cpu, files: [...files.values()].filter((t) => t !== undefined).length }),
  );
}

function runChild(root) {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', root], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const NX_ENV = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_PERF_LOGGING: 'true',
};

/** Runs an nx command in the workspace: wall time and Nx's own timings of the plugin's hooks. */
function timeNx(root, args) {
  const s = performance.now();
  const r = spawnSync(join(repo, 'node_modules/.bin/nx'), args, {
    cwd: root,
    env: NX_ENV,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const ms = performance.now() - s;
  if (r.status !== 0) throw new Error(`nx ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  // Nx's own timings of the plugin's functions (plugin worker start-up excluded).
  const timing = (name) =>
    Number(
      new RegExp(`'@pexkit/nx/plugin:${name}' ([0-9.]+)ms`).exec(r.stdout + r.stderr)?.[1] ?? NaN,
    );
  return {
    ms,
    stdout: r.stdout,
    pluginMs: timing('createNodes') + timing('createDependencies'),
  };
}

function timeNxGraph(root) {
  const r = timeNx(root, ['graph', '--file=graph.json']);
  const graph = JSON.parse(readFileSync(join(root, 'graph.json'), 'utf8')).graph;
  const edges = Object.values(graph.dependencies).reduce((n, d) => n + d.length, 0);
  return { ...r, nodes: Object.keys(graph.nodes).length, edges };
}

/** `nx show projects --affected` after an edit of one library's source file. */
function timeNxAffected(root) {
  const r = timeNx(root, ['show', 'projects', '--affected', '--base=HEAD']);
  return { ...r, affected: r.stdout.split('\n').filter((l) => /^proj-/.test(l)).length };
}

/** Plugin-only measurements (cold: no .nx; warm: the plugin's on-disk caches) at one size. */
function measurePlugin(root, runs) {
  const cold = [];
  const warm = [];
  for (let i = 0; i < runs; i++) {
    rmSync(join(root, '.nx'), { recursive: true, force: true });
    cold.push(runChild(root));
    warm.push(runChild(root));
  }
  const med = (list, key) => Math.round(median(list.map(key)));
  return {
    projects: cold[0].projects,
    buildTargets: cold[0].buildTargets,
    edges: cold[0].edges,
    coldMs: med(cold, (r) => r.nodesMs + r.depsMs),
    coldNodesMs: med(cold, (r) => r.nodesMs),
    coldDepsMs: med(cold, (r) => r.depsMs),
    coldCpuMs: med(cold, (r) => r.cpuMs),
    warmMs: med(warm, (r) => r.nodesMs + r.depsMs),
    warmNodesMs: med(warm, (r) => r.nodesMs),
    warmDepsMs: med(warm, (r) => r.depsMs),
    warmCpuMs: med(warm, (r) => r.cpuMs),
    inProcessRepeatMs: med(warm, (r) => r.inProcessRepeatMs),
    moduleLoadMs: med(cold, (r) => r.moduleLoadMs),
    // Peak RSS of the process running the plugin: before it ran, after createNodes, and at the
    // end (which also holds the bench's file map, as Nx's plugin worker holds Nx's).
    memoryMb: {
      base: med(cold, (r) => r.baseMb),
      afterCreateNodes: med(cold, (r) => r.nodesPeakMb),
      peak: med(cold, (r) => r.peakMb),
    },
  };
}

function newWorkspace(count) {
  const root = mkdtempSync(join(tmpdir(), 'pexkit-graph-bench-'));
  execFileSync('git', ['init', '-q'], { cwd: root });
  generateWorkspace(root, count);
  const sync = JSON.parse(
    execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--sync', root], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    }),
  );
  execFileSync('git', ['add', '-A'], { cwd: root });
  execFileSync(
    'git',
    [
      '-c',
      'gc.auto=0',
      '-c',
      'user.name=bench',
      '-c',
      'user.email=bench@localhost',
      'commit',
      '-qm',
      'bench',
    ],
    {
      cwd: root,
    },
  );
  return { root, sync };
}

const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** Cold CPU time of 2,000 projects over 500: linear inference gives ~4 (2000/500). */
export const MAX_SCALING_RATIO = 4.5;

async function main() {
  if (process.argv[2] === '--child') return child(process.argv[3]);
  if (process.argv[2] === '--sync') return syncChild(process.argv[3]);
  const runs = Number(arg('runs', '3'));
  const single = arg('projects', undefined);
  const sizes =
    single !== undefined
      ? [Number(single)]
      : arg('sizes', '500,1000,2000,5000').split(',').map(Number);
  for (const n of sizes)
    if (!Number.isInteger(n) || n < 1 || n > 10000)
      throw new Error(`--projects/--sizes: ${n} is not a project count from 1 to 10,000`);
  const keep = process.argv.includes('--keep');
  const withNx =
    single !== undefined ? !process.argv.includes('--skip-nx') : process.argv.includes('--nx');
  const results = [];
  for (const count of sizes) {
    const { root, sync } = newWorkspace(count);
    try {
      const files = listFiles(root).length;
      const result = {
        files,
        // `nx sync`'s own work (every lock subset; the lock and the workspace read once), whose
        // files are in the workspace for every measurement below, as users commit them.
        syncLockSubsets: {
          ms: Math.round(sync.ms),
          cpuMs: Math.round(sync.cpu),
          files: sync.files,
        },
        load: loadavg().map((l) => l.toFixed(1)),
        plugin: measurePlugin(root, runs),
      };
      if (withNx) {
        const nxCold = [];
        const nxWarm = [];
        for (let i = 0; i < runs; i++) {
          rmSync(join(root, '.nx'), { recursive: true, force: true });
          nxCold.push(timeNxGraph(root));
          nxWarm.push(timeNxGraph(root));
        }
        // One library's source edited (uncommitted): what is affected, and how long it takes.
        const lib = 'proj-001';
        writeFileSync(join(root, `projects/${lib}/src/proj_001/mod_0.py`), 'VALUE = 99\n');
        const affected = [];
        for (let i = 0; i < runs; i++) affected.push(timeNxAffected(root));
        // `nx sync` after a one-package lock bump (dep-119, the top of the third-party chain):
        // it must rewrite exactly the lock-subset files that list dep-119.
        execFileSync('git', ['checkout', '-q', '--', '.'], { cwd: root });
        const using = execFileSync(
          'git',
          ['grep', '-l', '^dep-119==', '--', '*pexkit.lock-subset'],
          {
            cwd: root,
            encoding: 'utf8',
          },
        )
          .trim()
          .split('\n')
          .filter(Boolean)
          .sort();
        const lockPath = join(root, 'uv.lock');
        writeFileSync(lockPath, readFileSync(lockPath, 'utf8').replaceAll('1.119.0', '1.119.1'));
        const sync = timeNx(root, ['sync']);
        const changed = execFileSync('git', ['diff', '--name-only'], {
          cwd: root,
          encoding: 'utf8',
        })
          .trim()
          .split('\n')
          .filter((f) => f !== 'uv.lock')
          .sort();
        const med = (list, key) => Math.round(median(list.map(key)));
        result.nxSyncAfterBump = {
          ms: Math.round(sync.ms),
          changedFiles: changed.length,
          expectedFiles: using.length,
          exactlyThose: JSON.stringify(changed) === JSON.stringify(using),
        };
        result.nx = {
          graphColdMs: med(nxCold, (r) => r.ms),
          graphColdPluginMs: med(nxCold, (r) => r.pluginMs),
          graphWarmMs: med(nxWarm, (r) => r.ms),
          graphWarmPluginMs: med(nxWarm, (r) => r.pluginMs),
          affectedMs: med(affected, (r) => r.ms),
          affectedPluginMs: med(affected, (r) => r.pluginMs),
          affectedProjects: affected[0].affected,
          nodes: nxCold[0].nodes,
          edges: nxCold[0].edges,
        };
      }
      results.push({ count, ...result });
      console.error(JSON.stringify({ count, ...result }));
    } finally {
      if (keep) console.error(`workspace kept at ${root}`);
      else rmSync(root, { recursive: true, force: true, maxRetries: 5 });
    }
  }
  console.log(
    `\n| projects | files | cold (cpu) | createNodes | createDependencies | warm | peak RSS | load |`,
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const p = r.plugin;
    console.log(
      `| ${r.count} | ${r.files} | ${sec(p.coldMs)} (${sec(p.coldCpuMs)}) | ${sec(p.coldNodesMs)} | ${sec(p.coldDepsMs)} | ${p.warmMs} ms | ${Math.round(p.memoryMb.peak)} MB | ${r.load.join(' ')} |`,
    );
  }
  for (const r of results.filter((x) => x.nx !== undefined)) {
    const x = r.nx;
    console.log(
      `\nnx at ${r.count} projects: graph --file cold ${sec(x.graphColdMs)} (plugin ${sec(x.graphColdPluginMs)}), warm ${sec(x.graphWarmMs)} (plugin ${sec(x.graphWarmPluginMs)}); show projects --affected ${sec(x.affectedMs)} (plugin ${sec(x.affectedPluginMs)}, ${x.affectedProjects} affected)`,
    );
  }
  for (const r of results.filter((x) => x.nxSyncAfterBump !== undefined)) {
    const x = r.nxSyncAfterBump;
    console.log(
      `nx sync at ${r.count} projects after a one-package lock bump: ${sec(x.ms)}, rewrote ${x.changedFiles} lock-subset files (${x.expectedFiles} list the package; exactly those: ${x.exactlyThose})`,
    );
  }
  const small = results.find((r) => r.count === 500);
  const mid = results.find((r) => r.count === 2000);
  if (small !== undefined && mid !== undefined) {
    const ratio = mid.plugin.coldCpuMs / small.plugin.coldCpuMs;
    const wallRatio = mid.plugin.coldMs / small.plugin.coldMs;
    console.log(
      `\nscaling 2,000 / 500 projects: ${ratio.toFixed(2)}× cold CPU time (${wallRatio.toFixed(2)}× wall); limit ${MAX_SCALING_RATIO}×`,
    );
    if (ratio > MAX_SCALING_RATIO) {
      console.error(
        `graph-bench: inference does not scale linearly (${ratio.toFixed(2)}× > ${MAX_SCALING_RATIO}×)`,
      );
      process.exitCode = 1;
    }
  }
}

await main();
