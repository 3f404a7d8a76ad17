#!/usr/bin/env node
// The eleven-app check (issue 14): real PyPI apps locked with uv, built with pexkit for each local
// interpreter (CPython 3.8, 3.11, 3.12, 3.13 from pyenv and PyPy from /usr/bin/pypy3), run with
// the app's own command, and compared with a venv holding the same pins. Prints a table.
//
//   node tools/apps/eleven-apps.mjs [--apps black,httpie] [--pythons 3.8,pypy] [--timeout 900]
//   npm run check:apps -- --apps black
//
// Per cell: ok (the PEX prints what the venv prints), DIFF, build-fail, run-fail, venv-fail,
// no-install (neither pexkit nor uv pip can install the pins on that interpreter: e.g. an sdist
// that does not build there), xfail (a known gap, with its reason) or XPASS (a known gap that
// now works). Details of every
// cell that is not ok follow the table; results/*.json keep the full output.
// Work dir: $ELEVEN_APPS_DIR or ~/.cache/pexkit-eleven-apps (kept: the caches stay warm).
// Needs the network (PyPI) and takes long: about 2–6 minutes per app on a quiet machine.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { printTable, REPO_ROOT, toolBin } from '../bench/lib/bench-util.mjs';

/**
 * The apps: PyPI requirements, the command to run (a console script of a dependency, or a
 * function of the app's own code when the packages ship no command), and known gaps.
 */
const APPS = [
  { id: 'black', deps: ['black'], script: 'black', args: ['--version'] },
  { id: 'httpie', deps: ['httpie'], script: 'http', args: ['--version'] },
  // 'aws' is a .data/scripts file of the awscli wheel (issue 14 point 2).
  { id: 'awscli', deps: ['awscli'], script: 'aws', args: ['--version'] },
  { id: 'ansible', deps: ['ansible'], script: 'ansible', args: ['--version'] },
  { id: 'mkdocs', deps: ['mkdocs'], script: 'mkdocs', args: ['--version'] },
  { id: 'datasette', deps: ['datasette'], script: 'datasette', args: ['--version'] },
  { id: 'poetry', deps: ['poetry'], script: 'poetry', args: ['--version'] },
  { id: 'fastapi', deps: ['fastapi', 'uvicorn'], script: 'uvicorn', args: ['--version'] },
  {
    id: 'pandas',
    deps: ['pandas', 'scipy'],
    code: [
      'import pandas, scipy, scipy.stats',
      'frame = pandas.DataFrame({"x": [1.5, 2.5, 3.0]})',
      'print("pandas", pandas.__version__, "scipy", scipy.__version__)',
      'print(frame["x"].sum(), round(float(scipy.stats.norm.cdf(1.0)), 6))',
    ],
  },
  {
    id: 'paramiko',
    deps: ['paramiko'],
    code: [
      'import paramiko, cryptography',
      'key = paramiko.RSAKey.generate(1024)',
      'print("paramiko", paramiko.__version__, "cryptography", cryptography.__version__)',
      'print(key.get_name(), key.get_bits())',
    ],
  },
  { id: 'sphinx', deps: ['sphinx'], script: 'sphinx-build', args: ['--version'] },
];

const { values } = parseArgs({
  options: {
    apps: { type: 'string' },
    pythons: { type: 'string' },
    timeout: { type: 'string', default: '900' },
  },
});
const TIMEOUT_MS = Number(values.timeout) * 1000;

/** Local interpreters: pyenv CPythons and the system PyPy. */
function interpreters() {
  const root = join(homedir(), '.pyenv/versions');
  const installed = existsSync(root) ? readdirSync(root) : [];
  const cpython = (minor) => {
    const v = installed.filter((d) => d.startsWith(`${minor}.`)).sort();
    return v.length > 0 ? join(root, v[v.length - 1], 'bin/python3') : undefined;
  };
  return [
    { id: 'cp38', label: '3.8', python: cpython('3.8') },
    { id: 'cp311', label: '3.11', python: cpython('3.11') },
    { id: 'cp312', label: '3.12', python: cpython('3.12') },
    { id: 'cp313', label: '3.13', python: cpython('3.13') },
    {
      id: 'pypy',
      label: 'pypy',
      python: existsSync('/usr/bin/pypy3') ? '/usr/bin/pypy3' : undefined,
    },
  ];
}

const pick = (list, filter, key) =>
  filter === undefined ? list : list.filter((x) => filter.split(',').includes(x[key]));
const apps = pick(APPS, values.apps, 'id');
const pythons = pick(interpreters(), values.pythons, 'label');

const work = process.env.ELEVEN_APPS_DIR ?? join(homedir(), '.cache', 'pexkit-eleven-apps');
mkdirSync(join(work, 'results'), { recursive: true });
const uv = toolBin('uv');
const cli = join(REPO_ROOT, 'packages/pex/dist/cli/main.js');
if (!existsSync(cli)) {
  execFileSync('npx', ['tsc', '-b', 'packages/pex/tsconfig.lib.json'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
}
const env = {
  ...process.env,
  PEXKIT_CACHE_DIR: join(work, 'pexkit-cache'),
  PEX_ROOT: join(work, 'pex-root'),
  UV_CACHE_DIR: join(work, 'uv-cache'),
  UV_NO_PROGRESS: '1',
  UV_PYTHON_DOWNLOADS: 'never',
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
};
delete env.PEXKIT_PYTHON;
delete env.PYTHONPATH;

function run(cmd, args, options = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, {
    env,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    timeout: TIMEOUT_MS,
    ...options,
  });
  const timedOut = r.error?.code === 'ETIMEDOUT';
  return {
    ok: r.status === 0,
    status: timedOut ? 'timeout' : r.status,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
    seconds: (Date.now() - started) / 1000,
  };
}

/** Paths differ between a venv and a PEX; the rest of the output must not. */
function normalize(text) {
  return text
    .replace(/(?:\/[\w.@+-]+)+\/?/g, '<path>')
    .replace(/\s+$/g, '')
    .trim();
}

/** The app's project, locked with uv for every supported Python (uv forks per Python version). */
function setUpApp(app) {
  const dir = join(work, 'apps', app.id);
  const pkg = `eleven_${app.id}`;
  mkdirSync(join(dir, 'src', pkg), { recursive: true });
  writeFileSync(join(dir, 'src', pkg, '__init__.py'), '');
  const body = app.code ?? ['raise SystemExit("run a console script")'];
  writeFileSync(
    join(dir, 'src', pkg, 'main.py'),
    `def run():\n${body.map((l) => `    ${l}`).join('\n')}\n`,
  );
  const deps = app.deps.map((d) => JSON.stringify(d)).join(', ');
  writeFileSync(
    join(dir, 'pyproject.toml'),
    `[project]\nname = "eleven-${app.id}"\nversion = "1.0"\nrequires-python = ">=3.8"\n` +
      `dependencies = [${deps}]\n\n[build-system]\nrequires = ["setuptools>=61"]\n` +
      'build-backend = "setuptools.build_meta"\n',
  );
  if (!existsSync(join(dir, 'uv.lock'))) {
    const locked = run(uv, ['lock', '--quiet'], { cwd: dir });
    if (!locked.ok) throw new Error(`uv lock failed for ${app.id}:\n${locked.stderr}`);
  }
  // The same pins for the venvs (markers kept; uv picks the fork of each interpreter).
  const exported = run(
    uv,
    ['export', '--frozen', '--no-hashes', '--no-emit-project', '--no-dev', '-o', 'pins.txt'],
    { cwd: dir },
  );
  if (!exported.ok) throw new Error(`uv export failed for ${app.id}:\n${exported.stderr}`);
  return { dir, pkg };
}

/** A complete platform per interpreter (what `pexkit tags current --json` prints). */
function platformFile(py) {
  const file = join(work, 'platforms', `${py.id}.json`);
  if (!existsSync(file)) {
    mkdirSync(join(work, 'platforms'), { recursive: true });
    const r = run(process.execPath, [cli, 'tags', 'current', '--python', py.python, '--json']);
    if (!r.ok) throw new Error(`pexkit tags failed for ${py.python}:\n${r.stderr}`);
    writeFileSync(file, r.stdout);
  }
  return file;
}

/** What the venv prints: `uv venv` + `uv pip install` of the exported pins, then the command. */
function venvOutput(app, project, py) {
  const venv = join(work, 'venvs', `${app.id}-${py.id}`);
  if (!existsSync(join(venv, '.installed'))) {
    rmSync(venv, { recursive: true, force: true });
    const made = run(uv, ['venv', '--quiet', '--python', py.python, venv]);
    if (!made.ok) return { error: `uv venv: ${made.stderr}` };
    const installed = run(uv, [
      'pip',
      'install',
      '--quiet',
      '--python',
      join(venv, 'bin/python'),
      '--no-deps',
      '-r',
      join(project.dir, 'pins.txt'),
    ]);
    if (!installed.ok) return { error: `uv pip install: ${installed.stderr.slice(-2000)}` };
    writeFileSync(join(venv, '.installed'), '');
  }
  const r = app.script
    ? run(join(venv, 'bin', app.script), app.args)
    : run(join(venv, 'bin/python'), ['-c', `from ${project.pkg}.main import run; run()`], {
        env: { ...env, PYTHONPATH: join(project.dir, 'src') },
      });
  return r.ok ? { out: r.stdout + r.stderr } : { error: `venv run (${r.status}): ${r.stderr}` };
}

function checkCell(app, project, py) {
  const target = platformFile(py);
  // Named like the command: click-based apps print their program name (basename of argv[0]).
  const pex = join(work, 'pexes', `${app.id}-${py.id}`, app.script ?? app.id);
  mkdirSync(join(work, 'pexes', `${app.id}-${py.id}`), { recursive: true });
  const entry = app.script ? ['-c', app.script] : ['-m', `${project.pkg}.main:run`];
  const built = run(process.execPath, [
    cli,
    'build',
    '--project',
    project.dir,
    '--target',
    target,
    '--python',
    py.python,
    ...entry,
    '-o',
    pex,
    '-q',
  ]);
  const cell = { app: app.id, python: py.label, buildSeconds: built.seconds };
  if (!built.ok) {
    // When pip cannot install the same pins either (no wheel, and the sdist does not build
    // for this interpreter), the pins do not exist for it: not a pexkit failure.
    const venv = venvOutput(app, project, py);
    const verdict = venv.error !== undefined ? 'no-install' : 'build-fail';
    const also = venv.error !== undefined ? `\nvenv: ${venv.error.trim().slice(-600)}` : '';
    return { ...cell, verdict, detail: `${built.stderr.trim()}${also}` };
  }
  const ran = run(py.python, [pex, ...(app.args ?? [])]);
  if (!ran.ok)
    return { ...cell, verdict: 'run-fail', detail: `${ran.status}: ${ran.stderr.slice(-3000)}` };
  const venv = venvOutput(app, project, py);
  if (venv.error !== undefined) return { ...cell, verdict: 'venv-fail', detail: venv.error };
  const pexOut = ran.stdout + ran.stderr;
  if (normalize(pexOut) !== normalize(venv.out))
    return { ...cell, verdict: 'DIFF', detail: `pex:  ${pexOut.trim()}\nvenv: ${venv.out.trim()}` };
  return { ...cell, verdict: 'ok', detail: pexOut.trim().split('\n')[0] };
}

const results = [];
for (const app of apps) {
  let project;
  try {
    project = setUpApp(app);
  } catch (error) {
    for (const py of pythons)
      results.push({ app: app.id, python: py.label, verdict: 'lock-fail', detail: String(error) });
    continue;
  }
  for (const py of pythons) {
    let cell;
    if (py.python === undefined) {
      cell = {
        app: app.id,
        python: py.label,
        verdict: 'skip',
        detail: 'interpreter not installed',
      };
    } else {
      try {
        cell = checkCell(app, project, py);
      } catch (error) {
        cell = { app: app.id, python: py.label, verdict: 'error', detail: String(error) };
      }
    }
    if (app.expectedFail !== undefined) {
      cell.detail = `${cell.verdict}: ${cell.detail ?? ''} [expected: ${app.expectedFail}]`;
      cell.verdict = cell.verdict === 'ok' ? 'XPASS' : 'xfail';
    }
    results.push(cell);
    writeFileSync(
      join(work, 'results', `${app.id}-${py.label}.json`),
      JSON.stringify(cell, null, 2),
    );
    console.error(
      `${app.id} ${py.label}: ${cell.verdict} (${(cell.buildSeconds ?? 0).toFixed(1)} s build)`,
    );
  }
}

console.log('');
printTable(
  ['app', ...pythons.map((p) => p.label)],
  apps.map((a) => [
    a.id,
    ...pythons.map(
      (p) => results.find((r) => r.app === a.id && r.python === p.label)?.verdict ?? '-',
    ),
  ]),
);
const notOk = results.filter((r) => r.verdict !== 'ok');
if (notOk.length > 0) {
  console.log('\nDetails:');
  for (const r of notOk)
    console.log(
      `- ${r.app} / ${r.python}: ${r.verdict}\n  ${String(r.detail).split('\n').slice(0, 12).join('\n  ')}`,
    );
}
const unexpected = results.filter(
  (r) => !['ok', 'xfail', 'skip', 'no-install'].includes(r.verdict),
);
process.exitCode = unexpected.length > 0 ? 1 : 0;
