#!/usr/bin/env node
/* global performance */
// Project-graph benchmark for @pexkit/nx: a generated uv workspace of N Python projects (default
// 500) with workspace dependencies, imports between them and a uv.lock-style lock. Measures
//   1. the plugin directly (createNodes + createDependencies), cold (no cache, fresh process) and
//      warm (on-disk cache, fresh process; plus in-process repeat);
//   2. `nx graph --file` with the daemon off, cold (no .nx) and warm.
// Goals: < 2 s cold, < 0.3 s warm for the plugin's graph computation. Usage:
//   node tools/bench/graph-bench.mjs [--projects 500] [--runs 3] [--skip-nx] [--keep]
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const pluginUrl = pathToFileURL(join(repo, 'packages/nx/dist/plugins/plugin.js')).href;

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
  for (const name of readdirSync(dir)) {
    if (name === '.nx' || name === 'node_modules') continue;
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) listFiles(root, abs, out);
    else out.push(relative(root, abs).split(sep).join('/'));
  }
  return out;
}

/** Child process: one measured plugin run (the file map is built untimed, as Nx's hasher would). */
async function child(root) {
  const t0 = performance.now();
  const plugin = await import(pluginUrl);
  const tLoad = performance.now();
  const configFiles = listFiles(root)
    .filter((f) => f.endsWith('pyproject.toml'))
    .sort();
  const context = { workspaceRoot: root, nxJsonConfiguration: {} };
  const timeNodes = async () => {
    const s = performance.now();
    const results = await plugin.createNodes[1](configFiles, {}, context);
    return { ms: performance.now() - s, results };
  };
  const first = await timeNodes();
  const projects = {};
  for (const [, r] of first.results)
    for (const [projRoot, p] of Object.entries(r.projects ?? {}))
      projects[p.name] = { ...p, root: projRoot };
  const roots = Object.entries(projects).sort((a, b) => b[1].root.length - a[1].root.length);
  const projectFileMap = {};
  const nonProjectFiles = [];
  for (const file of listFiles(root)) {
    const hash = createHash('sha1')
      .update(readFileSync(join(root, file)))
      .digest('hex');
    const owner = roots.find(([, p]) => p.root === '.' || file.startsWith(`${p.root}/`));
    if (owner === undefined) nonProjectFiles.push({ file, hash });
    else (projectFileMap[owner[0]] ??= []).push({ file, hash });
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
    const deps = await plugin.createDependencies({}, depContext);
    return { ms: performance.now() - s, deps };
  };
  const firstDeps = await timeDeps();
  const second = await timeNodes();
  const secondDeps = await timeDeps();
  process.stdout.write(
    JSON.stringify({
      moduleLoadMs: tLoad - t0,
      nodesMs: first.ms,
      depsMs: firstDeps.ms,
      inProcessRepeatMs: second.ms + secondDeps.ms,
      projects: Object.keys(projects).length,
      buildTargets: Object.values(projects).filter((p) => Object.keys(p.targets ?? {}).length > 0)
        .length,
      edges: firstDeps.deps.length,
    }),
  );
}

function runChild(root) {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', root], {
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeNxGraph(root) {
  const s = performance.now();
  const r = spawnSync(join(repo, 'node_modules/.bin/nx'), ['graph', '--file=graph.json'], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_PERF_LOGGING: 'true' },
    encoding: 'utf8',
  });
  const ms = performance.now() - s;
  if (r.status !== 0) throw new Error(`nx graph failed:\n${r.stdout}\n${r.stderr}`);
  const graph = JSON.parse(readFileSync(join(root, 'graph.json'), 'utf8')).graph;
  const edges = Object.values(graph.dependencies).reduce((n, d) => n + d.length, 0);
  // Nx's own timings of the plugin's functions (plugin worker start-up excluded).
  const timing = (name) =>
    Number(
      new RegExp(`'@pexkit/nx/plugin:${name}' ([0-9.]+)ms`).exec(r.stdout + r.stderr)?.[1] ?? NaN,
    );
  return {
    ms,
    nodes: Object.keys(graph.nodes).length,
    edges,
    pluginNodesMs: timing('createNodes'),
    pluginDepsMs: timing('createDependencies'),
  };
}

async function main() {
  if (process.argv[2] === '--child') return child(process.argv[3]);
  const count = Number(arg('projects', '500'));
  const runs = Number(arg('runs', '3'));
  const root = mkdtempSync(join(tmpdir(), 'pexkit-graph-bench-'));
  try {
    execFileSync('git', ['init', '-q'], { cwd: root });
    generateWorkspace(root, count);
    execFileSync('git', ['add', '-A'], { cwd: root });
    const files = listFiles(root).length;
    const cold = [];
    const warm = [];
    for (let i = 0; i < runs; i++) {
      rmSync(join(root, '.nx'), { recursive: true, force: true });
      cold.push(runChild(root));
      warm.push(runChild(root));
    }
    const summary = (list, key) => Math.round(median(list.map((r) => r[key])));
    const result = {
      projects: cold[0].projects,
      buildTargets: cold[0].buildTargets,
      edges: cold[0].edges,
      files,
      plugin: {
        coldMs: summary(
          cold.map((r) => ({ t: r.nodesMs + r.depsMs })),
          't',
        ),
        coldNodesMs: summary(cold, 'nodesMs'),
        coldDepsMs: summary(cold, 'depsMs'),
        warmMs: summary(
          warm.map((r) => ({ t: r.nodesMs + r.depsMs })),
          't',
        ),
        warmNodesMs: summary(warm, 'nodesMs'),
        warmDepsMs: summary(warm, 'depsMs'),
        inProcessRepeatMs: summary(warm, 'inProcessRepeatMs'),
        moduleLoadMs: summary(cold, 'moduleLoadMs'),
      },
    };
    if (!process.argv.includes('--skip-nx')) {
      const nxCold = [];
      const nxWarm = [];
      for (let i = 0; i < runs; i++) {
        rmSync(join(root, '.nx'), { recursive: true, force: true });
        nxCold.push(timeNxGraph(root));
        nxWarm.push(timeNxGraph(root));
      }
      result.nxGraph = {
        coldMs: Math.round(median(nxCold.map((r) => r.ms))),
        warmMs: Math.round(median(nxWarm.map((r) => r.ms))),
        pluginColdMs: Math.round(median(nxCold.map((r) => r.pluginNodesMs + r.pluginDepsMs))),
        pluginWarmMs: Math.round(median(nxWarm.map((r) => r.pluginNodesMs + r.pluginDepsMs))),
        nodes: nxCold[0].nodes,
        edges: nxCold[0].edges,
      };
    }
    result.goals = {
      coldUnder2s: result.plugin.coldMs < 2000,
      warmUnder300ms: result.plugin.warmMs < 300,
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    if (process.argv.includes('--keep')) console.error(`workspace kept at ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

await main();
