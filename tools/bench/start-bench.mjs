#!/usr/bin/env node
// Start-up benchmark for the PEX runtime (issues 6, 12). One app per case, packaged five ways and
// started with the same interpreter (the real binary through a bare venv, never a pyenv shim) in
// the same run, interleaved round-robin so machine load hits every contender alike:
//   floor      a venv with the same wheels installed, running its console script
//   pexkit     `pexkit build` if it works, else tools/bench/build-pexkit-write.mjs (C's writer,
//              same runtime); the script says which
//   shiv       shiv from .venv-tools, --site-packages of the same wheels
//   pex        pex zipapp;  pex-venv: the same with --venv;  pexkit-venv: pexkit with --venv;
//              pexkit-pyc: pexkit with --compile (the wheels' modules shipped as .pyc)
// Cases: flask (flask + requests, default), ansible (--cases ansible: ~23k files, cold start),
// jupyterlab (--cases jupyterlab: 100+ wheels, warm start), many (--cases many: 150 generated
// pure-Python wheels, all imported, built offline: warm start with many sys.path-worthy wheels).
// Modes, per case, interleaved:
//   warm       median of --runs starts after one warm-up start
//   warm-nobc  the same with PYTHONDONTWRITEBYTECODE=1 from the first start on (as in many container
//              images), each contender with its own cache; the floor keeps the .pyc its install made
//   cold       median of --cold-runs starts, each with an empty PEX_ROOT / SHIV_ROOT (no floor)
// The zipapps run under a bare venv (no packages) of the same CPython, like the floor's venv, so
// whatever .pth files the machine's base site-packages imports at start costs no contender anything.
// Goals: pexkit warm (both modes) <= floor + 10 ms (jupyterlab: + 5 %); pexkit cold <= 0.8 x shiv
// cold and <= pex cold / 3 (ansible: <= shiv cold).
// Usage: node tools/bench/start-bench.mjs [--runs 15] [--cold-runs 9] [--python 3.11]
//          [--cases flask,ansible,jupyterlab,many] [--json FILE]
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, pyenvPython, toolBin } from './lib/bench-util.mjs';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    'cold-runs': { type: 'string', default: '9' },
    python: { type: 'string', default: '3.11' },
    cases: { type: 'string', default: 'flask' },
    json: { type: 'string' },
  },
});
const RUNS = Number(opts.runs);
const COLD_RUNS = Number(opts['cold-runs']);
const PY = opts.python.includes('/') ? opts.python : pyenvPython(opts.python);
const CASES = {
  flask: {
    requirements: ['flask==3.0.3', 'requests==2.32.3'],
    main: 'import flask\nimport requests\n\n\ndef main():\n    flask.Flask(__name__)\n    print("ok", requests.__version__)\n',
    warmSlack: (floor) => floor + 10,
    coldGoal: (c, who = 'pexkit') => [
      [`${who} cold <= 0.8 x shiv cold`, c[who] <= 0.8 * c.shiv],
      [`${who} cold <= pex cold / 3`, c[who] <= c.pex / 3],
    ],
  },
  ansible: {
    requirements: ['ansible>=10,<11'],
    main: 'import ansible.release\nimport ansible.cli.playbook\n\n\ndef main():\n    print("ok", ansible.release.__version__)\n',
    warmSlack: (floor) => floor + 10,
    coldGoal: (c, who = 'pexkit') => [[`${who} cold <= shiv cold`, c[who] <= c.shiv]],
  },
  many: {
    generate: 150,
    requirements: Array.from({ length: 150 }, (_, i) => `synth${String(i).padStart(3, '0')}==1.0`),
    main:
      Array.from({ length: 150 }, (_, i) => `import synth${String(i).padStart(3, '0')}\n`).join(
        '',
      ) + '\n\ndef main():\n    print("ok", 150)\n',
    warmSlack: (floor) => floor * 1.05,
    coldGoal: () => [],
  },
  jupyterlab: {
    requirements: ['jupyterlab>=4.2,<4.3'],
    main: 'import jupyterlab.labapp\n\n\ndef main():\n    print("ok", jupyterlab.labapp.__name__)\n',
    warmSlack: (floor) => floor * 1.05,
    coldGoal: () => [],
  },
};
const WORK_ROOT = join(REPO_ROOT, 'tmp/start-bench');
// N wheels synthNNN (a package importing two modules of 30 functions/classes each, RECORD hashed)
// and a hash-pinned requirements file for them.
const GENERATE_WHEELS = String.raw`
import base64, hashlib, os, sys, zipfile
n, out, lock = int(sys.argv[1]), sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)
NL = chr(10)
def rec(d):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(d.encode()).digest()).rstrip(b"=").decode() + ",%d" % len(d)
pins = []
for i in range(n):
    name = "synth%03d" % i
    dist = name + "-1.0"
    files = {
        name + "/__init__.py": NL.join(["from . import a, b", "VALUE = %d" % i, ""]),
        name + "/a.py": "import os" + NL + "".join(NL.join(["def f%d(x):" % j, "    return x + %d" % j, ""]) for j in range(30)),
        name + "/b.py": "import json" + NL + "".join(NL.join(["class C%d:" % j, "    x = %d" % j, ""]) for j in range(30)),
        dist + ".dist-info/METADATA": NL.join(["Metadata-Version: 2.1", "Name: " + name, "Version: 1.0", ""]),
        dist + ".dist-info/WHEEL": NL.join(["Wheel-Version: 1.0", "Generator: start-bench", "Root-Is-Purelib: true", "Tag: py3-none-any", ""]),
    }
    record = [f + "," + rec(files[f]) for f in sorted(files)] + [dist + ".dist-info/RECORD,,", ""]
    files[dist + ".dist-info/RECORD"] = NL.join(record)
    path = os.path.join(out, "%s-1.0-py3-none-any.whl" % name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(files):
            z.writestr(zipfile.ZipInfo(f, (1980, 1, 1, 0, 0, 0)), files[f])
    pins.append("%s==1.0 --hash=sha256:%s" % (name, hashlib.sha256(open(path, "rb").read()).hexdigest()))
open(lock, "w").write(NL.join(pins) + NL)
`;
const log = (msg) => process.stderr.write(`start-bench: ${msg}\n`);
const run = (cmd, args, options = {}) =>
  execFileSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
    ...options,
  });

function writeApp(APP, spec) {
  mkdirSync(join(APP, 'src/benchapp'), { recursive: true });
  writeFileSync(
    join(APP, 'pyproject.toml'),
    '[project]\nname = "benchapp"\nversion = "0.1.0"\nrequires-python = ">=3.9"\n' +
      `dependencies = [${spec.requirements.map((r) => JSON.stringify(r)).join(', ')}]\n\n` +
      '[project.scripts]\nbenchapp = "benchapp:main"\n',
  );
  writeFileSync(join(APP, 'src/benchapp/__init__.py'), spec.main);
  writeFileSync(join(APP, 'requirements.in'), `${spec.requirements.join('\n')}\n`);
}

function prepare(caseName) {
  const spec = CASES[caseName];
  const WORK = join(WORK_ROOT, caseName);
  const APP = join(WORK, 'app');
  const WHEELS = join(WORK, 'wheels');
  writeApp(APP, spec);
  const pyVersion = run(PY, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']).trim();
  const lock = join(APP, 'requirements.txt');
  if (spec.generate && !existsSync(lock)) {
    log(`generating ${spec.generate} wheels`);
    run(PY, ['-c', GENERATE_WHEELS, String(spec.generate), WHEELS, lock]);
  }
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
    ...(spec.generate ? ['--offline'] : []), ...extra, '-o', out, '-q',
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
      ...spec.requirements,
    ]);
  }
  log(`pexkit PEX built with: ${pexkitHow}`);
  const pexkitVenv = join(artifacts, 'app-venv.pexkit.pex');
  const builtVenv = pexkitHow === 'pexkit build' && pexkitBuild(pexkitVenv, '--venv').status === 0;
  // The same PEX with the wheels' modules shipped compiled (--compile, off by default).
  const pexkitPyc = join(artifacts, 'app-pyc.pexkit.pex');
  const builtPyc = pexkitHow === 'pexkit build' && pexkitBuild(pexkitPyc, '--compile').status === 0;
  return {
    pexkitHow,
    work: WORK,
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
      ...(builtPyc
        ? [{ name: 'pexkit-pyc', argv: [BARE, pexkitPyc], rootVar: 'PEX_ROOT', cold: true }]
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

function once(c, root, extraEnv = {}) {
  const env = { ...baseEnv(), ...extraEnv };
  if (c.rootVar) env[c.rootVar] = root;
  const [cmd, args] = GNU_TIME
    ? [GNU_TIME, ['-f', 'CPU %U %S', ...c.argv]]
    : [c.argv[0], c.argv.slice(1)];
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 || !r.stdout.startsWith('ok ')) {
    throw new Error(`${c.name} failed (exit ${r.status}): ${r.stdout}\n${r.stderr}`);
  }
  const cpu = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const NOBC = { PYTHONDONTWRITEBYTECODE: '1' };

/** Samples per mode and contender: warm and warm-nobc interleaved, then cold interleaved. */
function measure(contenders, work) {
  const roots = join(work, 'roots');
  const samples = { warm: {}, 'warm-nobc': {}, cold: {} };
  for (const c of contenders) {
    samples.warm[c.name] = [];
    samples['warm-nobc'][c.name] = [];
    if (c.cold) samples.cold[c.name] = [];
  }
  rmSync(roots, { recursive: true, force: true });
  for (const c of contenders) {
    once(c, join(roots, 'warm', c.name)); // warm-up (fills the caches)
    once(c, join(roots, 'nobc', c.name), NOBC); // the same, as a container that never writes .pyc
  }
  log(`warm and warm-nobc: ${RUNS} rounds`);
  for (let i = 0; i < RUNS; i++)
    for (const c of contenders) {
      samples.warm[c.name].push(once(c, join(roots, 'warm', c.name)));
      samples['warm-nobc'][c.name].push(once(c, join(roots, 'nobc', c.name), NOBC));
    }
  log(`cold: ${COLD_RUNS} rounds`);
  for (let i = 0; i < COLD_RUNS; i++) {
    for (const c of contenders.filter((x) => x.cold)) {
      const root = join(roots, 'cold', `${c.name}-${i}`);
      rmSync(root, { recursive: true, force: true });
      samples.cold[c.name].push(once(c, root));
      rmSync(root, { recursive: true, force: true });
    }
  }
  return samples;
}

const medianOf = (samples, key) =>
  Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v.map((s) => s[key]))]));
const fmt = (x) =>
  x === undefined || Number.isNaN(x) ? '       –' : `${x.toFixed(0).padStart(6)} ms`;

const pyFull = run(PY, ['-c', 'import sys; print(sys.version.split()[0])']).trim();
const lines = [];
const results = {};
const loads = [];
for (const caseName of opts.cases.split(',').filter(Boolean)) {
  if (!(caseName in CASES))
    throw new Error(`unknown case ${caseName} (known: ${Object.keys(CASES)})`);
  const { contenders, pexkitHow, work } = prepare(caseName);
  loads.push(loadavg()[0]);
  const samples = measure(contenders, work);
  loads.push(loadavg()[0]);
  const med = Object.fromEntries(
    Object.entries(samples).map(([mode, s]) => [
      mode,
      { wall: medianOf(s, 'ms'), cpu: medianOf(s, 'cpuMs') },
    ]),
  );
  lines.push(
    '',
    `case ${caseName}: CPython ${pyFull} (${PY}); median of ${RUNS} warm / ${COLD_RUNS} cold starts; pexkit PEX from: ${pexkitHow}`,
    `load average (1 min) before/after: ${loads
      .slice(-2)
      .map((x) => x.toFixed(1))
      .join(' / ')} on ${(await import('node:os')).cpus().length} CPUs`,
    'contender      warm wall  warm-nobc wall   cold wall    warm CPU  warm-nobc CPU   cold CPU',
    ...contenders.map(
      (c) =>
        `${c.name.padEnd(12)} ${fmt(med.warm.wall[c.name])}  ${fmt(med['warm-nobc'].wall[c.name])}      ${fmt(med.cold.wall[c.name])}  ${fmt(med.warm.cpu[c.name])}  ${fmt(med['warm-nobc'].cpu[c.name])}     ${fmt(med.cold.cpu[c.name])}`,
    ),
  );
  const spec = CASES[caseName];
  const goals = [
    ['pexkit warm <= floor goal', med.warm.wall.pexkit <= spec.warmSlack(med.warm.wall.floor)],
    [
      'pexkit warm-nobc <= floor goal',
      med['warm-nobc'].wall.pexkit <= spec.warmSlack(med['warm-nobc'].wall.floor),
    ],
    ...spec.coldGoal(med.cold.wall),
    ...(med.cold.wall['pexkit-pyc'] !== undefined
      ? spec.coldGoal(med.cold.wall, 'pexkit-pyc')
      : []),
  ];
  const cpuGoals = [
    ['pexkit warm CPU <= floor goal', med.warm.cpu.pexkit <= spec.warmSlack(med.warm.cpu.floor)],
    [
      'pexkit warm-nobc CPU <= floor goal',
      med['warm-nobc'].cpu.pexkit <= spec.warmSlack(med['warm-nobc'].cpu.floor),
    ],
    ...[
      ...spec.coldGoal(med.cold.cpu),
      ...(med.cold.cpu['pexkit-pyc'] !== undefined
        ? spec.coldGoal(med.cold.cpu, 'pexkit-pyc')
        : []),
    ].map(([g, ok]) => [g.replace('cold', 'cold CPU'), ok]),
  ];
  lines.push(...goals.map(([g, ok]) => `${ok ? 'met   ' : 'MISSED'} ${g} (medians of wall time)`));
  lines.push(
    ...cpuGoals.map(([g, ok]) => `${ok ? 'met   ' : 'MISSED'} ${g} (medians of CPU time)`),
  );
  process.stdout.write(`${lines.splice(0).join('\n')}\n`);
  results[caseName] = {
    pexkitHow,
    medians: med,
    samples,
    goals: Object.fromEntries(goals),
    cpuGoals: Object.fromEntries(cpuGoals),
  };
}
const result = { python: pyFull, runs: RUNS, coldRuns: COLD_RUNS, cases: results };
writeFileSync(
  opts.json ?? join(WORK_ROOT, 'start-bench.json'),
  `${JSON.stringify(result, null, 2)}\n`,
);
