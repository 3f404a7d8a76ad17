#!/usr/bin/env node
// Start-up benchmark for the PEX runtime (issue 6). One app (flask + requests, a console script
// `benchapp` that builds a Flask app object and prints the versions), packaged five ways and
// started with the same interpreter in the same run, interleaved round-robin so machine load
// hits every contender alike:
//   floor      a venv with the same wheels installed, running its console script
//   pexkit     `pexkit build` if it works, else tools/bench/build-pexkit-write.mjs (C's writer,
//              same runtime); the script says which
//   shiv       shiv 1.0.8 from .venv-tools, --site-packages of the same wheels
//   pex        pex 2.105.2 zipapp;  pex-venv: the same with --venv
// Warm: median of --runs starts after one warm-up. Cold: median of --cold-runs starts, each with
// an empty PEX_ROOT / SHIV_ROOT (the floor has no cold start).
// The zipapps run under a bare venv (no packages) of the same CPython, like the floor's venv, so
// whatever .pth files the machine's base site-packages imports at start costs no contender
// anything; PYTHONDONTWRITEBYTECODE is unset so every contender caches bytecode as users' do.
// Goals: pexkit warm <= floor + 10 ms and <= shiv warm; pexkit cold <= shiv cold and <= pex cold / 3.
// Usage: node tools/bench/start-bench.mjs [--runs 15] [--cold-runs 5] [--python 3.11] [--json FILE]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, pyenvPython, toolBin } from './lib/bench-util.mjs';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    'cold-runs': { type: 'string', default: '5' },
    python: { type: 'string', default: '3.11' },
    json: { type: 'string' },
  },
});
const RUNS = Number(opts.runs);
const COLD_RUNS = Number(opts['cold-runs']);
const PY = opts.python.includes('/') ? opts.python : pyenvPython(opts.python);
const WORK = join(REPO_ROOT, 'tmp/start-bench');
const APP = join(WORK, 'app');
const WHEELS = join(WORK, 'wheels');
const ROOTS = join(WORK, 'roots');
const log = (msg) => process.stderr.write(`start-bench: ${msg}\n`);
const run = (cmd, args, options = {}) =>
  execFileSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
    ...options,
  });

function writeApp() {
  mkdirSync(join(APP, 'src/benchapp'), { recursive: true });
  writeFileSync(
    join(APP, 'pyproject.toml'),
    '[project]\nname = "benchapp"\nversion = "0.1.0"\nrequires-python = ">=3.9"\n' +
      'dependencies = ["flask==3.0.3", "requests==2.32.3"]\n\n[project.scripts]\nbenchapp = "benchapp:main"\n',
  );
  writeFileSync(
    join(APP, 'src/benchapp/__init__.py'),
    'import flask\nimport requests\n\n\ndef main():\n    flask.Flask(__name__)\n' +
      '    print("ok", requests.__version__)\n',
  );
  writeFileSync(join(APP, 'requirements.in'), 'flask==3.0.3\nrequests==2.32.3\n');
}

function prepare() {
  writeApp();
  const pyVersion = run(PY, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']).trim();
  const lock = join(APP, 'requirements.txt');
  if (!existsSync(lock)) {
    log('locking with uv pip compile');
    run(toolBin('uv'), [
      'pip',
      'compile',
      '-q',
      '--generate-hashes',
      '--python-version',
      pyVersion,
      join(APP, 'requirements.in'),
      '-o',
      lock,
    ]);
  }
  if (!existsSync(WHEELS) || readdirSync(WHEELS).length === 0) {
    log('downloading wheels');
    run(toolBin('pip'), [
      'download',
      '-q',
      '--no-deps',
      '--only-binary=:all:',
      '--python-version',
      pyVersion,
      '-r',
      lock,
      '-d',
      WHEELS,
    ]);
  }
  const artifacts = join(WORK, 'artifacts');
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });

  log('floor: venv with the same wheels');
  const floor = join(artifacts, 'floor');
  run(PY, ['-m', 'venv', '--without-pip', floor]);
  run(toolBin('uv'), [
    'pip',
    'install',
    '-q',
    '--python',
    join(floor, 'bin/python'),
    '--no-index',
    '--find-links',
    WHEELS,
    '-r',
    lock,
  ]);
  const floorSite = run(join(floor, 'bin/python'), [
    '-c',
    'import sysconfig; print(sysconfig.get_paths()["purelib"])',
  ]).trim();
  cpSync(join(APP, 'src/benchapp'), join(floorSite, 'benchapp'), { recursive: true });
  writeFileSync(
    join(floor, 'bin/benchapp'),
    `#!${join(floor, 'bin/python')}\nimport sys\nfrom benchapp import main\nsys.exit(main())\n`,
    { mode: 0o755 },
  );

  const bare = join(artifacts, 'bare');
  run(PY, ['-m', 'venv', '--without-pip', bare]);
  const BARE = join(bare, 'bin/python');

  log('shiv');
  const shivSite = join(artifacts, 'shiv-site');
  run(toolBin('uv'), [
    'pip',
    'install',
    '-q',
    '--python',
    PY,
    '--target',
    shivSite,
    '--no-index',
    '--find-links',
    WHEELS,
    '-r',
    lock,
  ]);
  cpSync(join(APP, 'src/benchapp'), join(shivSite, 'benchapp'), { recursive: true });
  const shiv = join(artifacts, 'app.shiv');
  run(toolBin('shiv'), [
    '--site-packages',
    shivSite,
    '-e',
    'benchapp:main',
    '-o',
    shiv,
    '-p',
    '/usr/bin/env python3',
  ]);

  log('pex zipapp and --venv');
  const pexArgs = [
    '--python',
    PY,
    '--no-pypi',
    '--find-links',
    WHEELS,
    '-r',
    lock,
    '-D',
    join(APP, 'src'),
    '-e',
    'benchapp:main',
  ];
  const pexEnv = { ...process.env, PEX_ROOT: join(WORK, 'pex-build-root') };
  const pex = join(artifacts, 'app.pex');
  const pexVenv = join(artifacts, 'app-venv.pex');
  run(toolBin('pex'), [...pexArgs, '-o', pex], { env: pexEnv });
  run(toolBin('pex'), [...pexArgs, '--venv', '-o', pexVenv], { env: pexEnv });

  log('pexkit');
  const pexkit = join(artifacts, 'app.pexkit.pex');
  let pexkitHow = 'pexkit build';
  const cli = join(REPO_ROOT, 'packages/pex/dist/cli/main.js');
  // prettier-ignore
  const pexkitBuild = (out, ...extra) => spawnSync(process.execPath, [
    cli, 'build', '--project', APP, '--lock', lock, '-c', 'benchapp', '--find-links', WHEELS,
    ...extra, '-o', out, '-q',
  ], { encoding: 'utf8' });
  const built = pexkitBuild(pexkit);
  if (built.status !== 0 || !existsSync(pexkit)) {
    const why =
      `${built.stderr || ''}${built.stdout || ''}`
        .trim()
        .split('\n')
        .filter((l) => /error/i.test(l))[0] ?? `exit ${built.status}`;
    pexkitHow = `writePex via tools/bench/build-pexkit-write.mjs (pexkit build failed: ${why})`;
    run(process.execPath, [
      join(REPO_ROOT, 'tools/bench/build-pexkit-write.mjs'),
      APP,
      WHEELS,
      pexkit,
      'flask==3.0.3',
      'requests==2.32.3',
    ]);
  }
  log(`pexkit PEX built with: ${pexkitHow}`);
  const pexkitVenv = join(artifacts, 'app-venv.pexkit.pex');
  const builtVenv = pexkitHow === 'pexkit build' && pexkitBuild(pexkitVenv, '--venv').status === 0;
  return {
    pexkitHow,
    contenders: [
      {
        name: 'floor',
        argv: [join(floor, 'bin/python'), join(floor, 'bin/benchapp')],
        cold: false,
      },
      { name: 'pexkit', argv: [BARE, pexkit], rootVar: 'PEX_ROOT', cold: true },
      { name: 'shiv', argv: [BARE, shiv], rootVar: 'SHIV_ROOT', cold: true },
      { name: 'pex', argv: [BARE, pex], rootVar: 'PEX_ROOT', cold: true },
      { name: 'pex-venv', argv: [BARE, pexVenv], rootVar: 'PEX_ROOT', cold: true },
      ...(builtVenv
        ? [{ name: 'pexkit-venv', argv: [BARE, pexkitVenv], rootVar: 'PEX_ROOT', cold: true }]
        : []),
    ],
  };
}

function baseEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (
      k.startsWith('PEX') ||
      k.startsWith('SHIV') ||
      k === 'PYTHONPATH' ||
      k === 'PYTHONDONTWRITEBYTECODE'
    )
      delete env[k];
  }
  return env;
}

// GNU time, when present, also gives each start's CPU time (user + sys, children included):
// on a loaded machine that is the steadier figure.
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function once(c, root) {
  const env = baseEnv();
  if (c.rootVar) env[c.rootVar] = root;
  const [cmd, args] = GNU_TIME
    ? [GNU_TIME, ['-f', 'CPU %U %S', ...c.argv]]
    : [c.argv[0], c.argv.slice(1)];
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 || !r.stdout.startsWith('ok 2.32.3')) {
    throw new Error(`${c.name} failed (exit ${r.status}): ${r.stdout}\n${r.stderr}`);
  }
  const cpu = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function measure(contenders) {
  const warm = Object.fromEntries(contenders.map((c) => [c.name, []]));
  const cold = Object.fromEntries(contenders.filter((c) => c.cold).map((c) => [c.name, []]));
  rmSync(ROOTS, { recursive: true, force: true });
  for (const c of contenders) once(c, join(ROOTS, 'warm', c.name)); // warm-up (fills the caches)
  log(`warm: ${RUNS} rounds`);
  for (let i = 0; i < RUNS; i++)
    for (const c of contenders) warm[c.name].push(once(c, join(ROOTS, 'warm', c.name)));
  log(`cold: ${COLD_RUNS} rounds`);
  for (let i = 0; i < COLD_RUNS; i++) {
    for (const c of contenders.filter((x) => x.cold)) {
      const root = join(ROOTS, 'cold', `${c.name}-${i}`);
      rmSync(root, { recursive: true, force: true });
      cold[c.name].push(once(c, root));
      rmSync(root, { recursive: true, force: true });
    }
  }
  return { warm, cold };
}

const { contenders, pexkitHow } = prepare();
const pyFull = run(PY, ['-c', 'import sys; print(sys.version.split()[0])']).trim();
const { warm, cold } = measure(contenders);
const medianOf = (samples, key) =>
  Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v.map((s) => s[key]))]));
const W = medianOf(warm, 'ms');
const C = medianOf(cold, 'ms');
const Wcpu = medianOf(warm, 'cpuMs');
const Ccpu = medianOf(cold, 'cpuMs');
const fmt = (x) =>
  x === undefined || Number.isNaN(x) ? '       –' : `${x.toFixed(0).padStart(6)} ms`;
const minOf = (samples) =>
  Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, Math.min(...v.map((s) => s.ms))]));
const Wmin = minOf(warm);
const Cmin = minOf(cold);
const lines = [
  `start-up, CPython ${pyFull} (${PY}), median of ${RUNS} warm / ${COLD_RUNS} cold starts; pexkit PEX from: ${pexkitHow}`,
  `load average at the end: ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
  'contender    warm wall   cold wall    warm CPU    cold CPU    warm min    cold min',
  ...contenders.map(
    (c) =>
      `${c.name.padEnd(11)} ${fmt(W[c.name])}  ${fmt(C[c.name])}  ${fmt(Wcpu[c.name])}  ${fmt(Ccpu[c.name])}  ${fmt(Wmin[c.name])}  ${fmt(Cmin[c.name])}`,
  ),
];
const goals = [
  ['pexkit warm <= floor + 10 ms', W.pexkit <= W.floor + 10],
  ['pexkit warm <= shiv warm', W.pexkit <= W.shiv],
  ['pexkit cold <= shiv cold', C.pexkit <= C.shiv],
  ['pexkit cold <= pex cold / 3', C.pexkit <= C.pex / 3],
];
lines.push(...goals.map(([g, ok]) => `${ok ? 'met   ' : 'MISSED'} ${g} (medians of wall time)`));
const cpuGoals = [
  ['pexkit warm CPU <= floor + 10 ms', Wcpu.pexkit <= Wcpu.floor + 10],
  ['pexkit warm CPU <= shiv', Wcpu.pexkit <= Wcpu.shiv],
  ['pexkit cold CPU <= shiv', Ccpu.pexkit <= Ccpu.shiv],
  ['pexkit cold CPU <= pex / 3', Ccpu.pexkit <= Ccpu.pex / 3],
];
lines.push(...cpuGoals.map(([g, ok]) => `${ok ? 'met   ' : 'MISSED'} ${g} (medians of CPU time)`));
process.stdout.write(`${lines.join('\n')}\n`);
const result = {
  python: pyFull,
  runs: RUNS,
  coldRuns: COLD_RUNS,
  pexkitHow,
  warmMs: W,
  coldMs: C,
  warmCpuMs: Wcpu,
  coldCpuMs: Ccpu,
  samples: { warm, cold },
  goals: Object.fromEntries(goals),
  cpuGoals: Object.fromEntries(cpuGoals),
};
writeFileSync(opts.json ?? join(WORK, 'start-bench.json'), `${JSON.stringify(result, null, 2)}\n`);
