#!/usr/bin/env node
/* global performance */
// The Nx version matrix (a slow suite, not part of `npm test` or `npm run e2e`): for each Nx
// version, the journey a user takes — create-nx-workspace, `nx add @pexkit/nx` from a local
// verdaccio, generate a library and an application, `uv add`, `nx sync`, graph edges, `nx build`,
// run the PEX, a cache hit, `nx affected` after a library edit.
// Usage: npm run e2e:nx-matrix [-- 21.0.4 24.0.6]   (env PEXKIT_E2E_KEEP=1 keeps the temp dir)
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, run } from './lib/exec.mjs';
import { publish, startVerdaccio } from './lib/registry.mjs';
import { assert, Steps } from './lib/steps.mjs';

/** The oldest and newest Nx of @pexkit/nx's declared range, and the 22.x lines users hit. */
export const DEFAULT_VERSIONS = ['21.0.4', '21.6.11', '22.0.4', '22.7.12', '23.2.1', '24.0.6'];

/** The newest create-nx-workspace on the registry, for Nx versions that have none. */
const CREATE_FALLBACK = '23.2.1';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = join(here, '../..');
const versions = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_VERSIONS;
const pyenv = join(homedir(), '.pyenv/versions');
const py311 = readdirSync(pyenv).find((v) => v.startsWith('3.11.'));
const PYTHON = py311 === undefined ? 'python3' : join(pyenv, py311, 'bin/python3');

for (const key of Object.keys(process.env)) {
  if (
    /^npm_(config_workspaces?|package_|lifecycle_|command$|config_prefix$)/i.test(key) ||
    key === 'INIT_CWD'
  )
    delete process.env[key];
}

const tmp = mkdtempSync(join(tmpdir(), 'pexkit-nx-matrix-'));
const env = {
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_INTERACTIVE: 'false',
  npm_config_yes: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  GIT_AUTHOR_NAME: 'e2e',
  GIT_AUTHOR_EMAIL: 'e2e@example.invalid',
  GIT_COMMITTER_NAME: 'e2e',
  GIT_COMMITTER_EMAIL: 'e2e@example.invalid',
  UV_PYTHON: PYTHON,
  UV_NO_PROGRESS: '1',
  PEXKIT_CACHE_DIR: join(tmp, 'pexkit-cache'),
  PATH: `${join(repo, '.venv-tools/path')}:${process.env.PATH}`,
};
const uv = join(repo, '.venv-tools/bin/uv');
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
// eslint-disable-next-line no-control-regex
const stripAnsi = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');
const fromCache = (out) =>
  /read the output from the cache|\[local cache\]|existing outputs match the cache/.test(out);

const steps = new Steps();
const started = performance.now();
let registry;

/** The user's journey on one Nx version, as steps named `<version>: …`. */
async function journey(version) {
  const dir = join(tmp, version);
  const ws = join(dir, 'ws');
  // Each version keeps its task cache and workspace data to itself.
  const vEnv = { ...env, NX_CACHE_DIRECTORY: join(dir, 'nx-cache') };
  const nx = (args, options = {}) =>
    check('npx', ['nx', ...args], { cwd: ws, env: vEnv, quiet: true, ...options });
  const git = (args) => check('git', args, { cwd: ws, env: vEnv, quiet: true });
  const commit = async (message) => {
    await git(['add', '-A']);
    await git(['commit', '-q', '-m', message]);
  };
  const step = (name, fn, needs = []) =>
    steps.run(
      `${version}: ${name}`,
      fn,
      needs.map((n) => `${version}: ${n}`),
    );
  const APP_PEX = join(ws, 'dist/apps/hello-app/hello-app.pex');

  await step('create-nx-workspace --preset=apps', async () => {
    mkdirSync(dir, { recursive: true });
    // Nx 24 has no create-nx-workspace (nor @nx/js) on the registry yet: create the workspace
    // with the newest one and move it to that nx, as `npm install -D nx@24` would.
    const view = await run('npm', ['view', `create-nx-workspace@${version}`, 'version'], {
      cwd: dir,
      env: vEnv,
      quiet: true,
    });
    const published = view.code === 0 ? view.stdout.trim() : '';
    const creator = published === '' ? CREATE_FALLBACK : version;
    await check(
      'npx',
      [
        '--yes',
        `create-nx-workspace@${creator}`,
        'ws',
        '--preset=apps',
        '--nxCloud=skip',
        '--no-interactive',
        '--packageManager=npm',
      ],
      { cwd: dir, env: vEnv, quiet: true },
    );
    if (creator !== version)
      await check('npm', ['install', '-D', '--save-exact', `nx@${version}`], {
        cwd: ws,
        env: vEnv,
        quiet: true,
      });
    const installed = JSON.parse(readFileSync(join(ws, 'node_modules/nx/package.json'), 'utf8'));
    assert(installed.version === version, `installed nx ${installed.version}, not ${version}`);
    writeFileSync(join(ws, '.npmrc'), `@pexkit:registry=${registry.url}\n`);
    await commit('use the local registry for @pexkit');
    return creator === version ? '' : `created with ${creator}, then npm install -D nx@${version}`;
  });
  await step(
    'nx add @pexkit/nx',
    async () => {
      const out = await nx(['add', '@pexkit/nx@0.1.0']);
      const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
      assert(
        (nxJson.plugins ?? []).some(
          (p) => (typeof p === 'string' ? p : p.plugin) === '@pexkit/nx/plugin',
        ),
        'nx.json does not register @pexkit/nx/plugin',
      );
      const devkit = JSON.parse(
        readFileSync(join(ws, 'node_modules/@nx/devkit/package.json'), 'utf8'),
      ).version;
      await commit('nx add @pexkit/nx');
      const warned = /ERESOLVE overriding peer dependency/.test(out.stdout + out.stderr);
      return `@nx/devkit ${devkit}${warned ? ' (npm warned: overriding peer dependency)' : ''}`;
    },
    ['create-nx-workspace --preset=apps'],
  );
  await step(
    'generate, uv add, nx sync, graph',
    async () => {
      const gen = ['--no-interactive'];
      await nx(['g', '@pexkit/nx:library', '--name=greeter', '--directory=libs/greeter', ...gen]);
      await nx([
        'g',
        '@pexkit/nx:application',
        '--name=hello-app',
        '--directory=apps/hello-app',
        ...gen,
      ]);
      writeFileSync(
        join(ws, 'libs/greeter/src/greeter/__init__.py'),
        'import six\n\n\ndef hello(name):\n    return six.ensure_str("Hello from greeter, %s!" % name)\n',
      );
      writeFileSync(
        join(ws, 'apps/hello-app/src/hello_app/cli.py'),
        'import sys\n\nimport greeter\n\n\ndef main():\n    print(greeter.hello(sys.argv[1] if len(sys.argv) > 1 else "world"))\n    return 0\n',
      );
      await check(uv, ['add', '--no-sync', '--package', 'greeter', 'six>=1.16'], {
        cwd: ws,
        env: vEnv,
        quiet: true,
      });
      await check(uv, ['add', '--no-sync', '--package', 'hello-app', 'greeter'], {
        cwd: ws,
        env: vEnv,
        quiet: true,
      });
      await nx(['sync']);
      assert(
        /^six==/m.test(readFileSync(join(ws, 'apps/hello-app/pexkit.lock-subset'), 'utf8')),
        'nx sync wrote no lock subset listing six for hello-app',
      );
      await nx(['sync:check']);
      const graph = JSON.parse((await nx(['graph', '--file=stdout'])).stdout).graph;
      const deps = graph.dependencies['hello-app'].map((d) => d.target);
      assert(deps.includes('greeter'), `hello-app has no edge to greeter (${deps.join(', ')})`);
      await commit('python projects');
      return `hello-app -> ${deps.join(', ')}`;
    },
    ['nx add @pexkit/nx'],
  );
  await step(
    'nx build, run the PEX, cache hit',
    async () => {
      const first = await nx(['build', 'hello-app', '--outputStyle=static']);
      assert(!fromCache(first.stdout), 'the first build came from the cache');
      const r = await check(PYTHON, [APP_PEX, 'nx'], { cwd: dir, quiet: true });
      assert(r.stdout.includes('Hello from greeter, nx!'), `the PEX printed: ${r.stdout}`);
      const bytes = sha256(APP_PEX);
      rmSync(join(ws, 'dist'), { recursive: true, force: true });
      const second = await nx(['build', 'hello-app', '--outputStyle=static']);
      assert(fromCache(second.stdout), 'the second build was not a cache hit');
      assert(sha256(APP_PEX) === bytes, 'the restored PEX differs');
      return `pex sha256 ${bytes.slice(0, 16)}`;
    },
    ['generate, uv add, nx sync, graph'],
  );
  await step(
    'library edit: nx affected',
    async () => {
      appendFileSync(join(ws, 'libs/greeter/src/greeter/__init__.py'), '\nVERSION = "2"\n');
      await commit('edit greeter');
      const list = JSON.parse(
        (await nx(['show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--json']))
          .stdout,
      );
      assert(
        list.includes('greeter') && list.includes('hello-app'),
        `affected: ${list.join(', ')}`,
      );
      const out = stripAnsi(
        (
          await nx([
            'affected',
            '-t',
            'build',
            '--base=HEAD~1',
            '--head=HEAD',
            '--outputStyle=static',
          ])
        ).stdout,
      );
      assert(out.includes('hello-app:build') && !fromCache(out), 'hello-app was not rebuilt');
      return `affected: ${list.join(', ')}`;
    },
    ['nx build, run the PEX, cache hit'],
  );
  if (process.env.PEXKIT_E2E_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
}

try {
  await steps.run('build and publish @pexkit/pex and @pexkit/nx', async () => {
    await check(
      'npx',
      ['tsc', '-b', 'packages/pex/tsconfig.lib.json', 'packages/nx/tsconfig.lib.json'],
      { cwd: repo, quiet: true },
    );
    const upstream =
      (
        await check('npm', ['config', 'get', 'registry'], { cwd: tmp, quiet: true })
      ).stdout.trim() || 'https://registry.npmjs.org/';
    registry = await startVerdaccio(repo, join(tmp, 'verdaccio'), upstream);
    await publish(registry, join(repo, 'packages/pex'));
    await publish(registry, join(repo, 'packages/nx'));
  });
  if (steps.ok) for (const version of versions) await journey(version);
} finally {
  registry?.stop();
  const total = performance.now() - started;
  console.log(steps.summary(total));
  const perVersion = versions.map((v) => {
    const mine = steps.results.filter((r) => r.name.startsWith(`${v}: `));
    const ok = mine.length > 0 && mine.every((r) => r.status === 'pass');
    return `  nx ${v}: ${ok ? 'PASS' : 'FAIL'}`;
  });
  console.log(['', 'nx version matrix:', ...perVersion].join('\n'));
  if (process.env.PEXKIT_E2E_KEEP === '1') console.log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
  process.exitCode = steps.ok ? 0 : 1;
}
