#!/usr/bin/env node
/* global performance */
// End-to-end test of @pexkit/nx as a user meets it: publish @pexkit/pex and @pexkit/nx to a local
// verdaccio, create a fresh Nx workspace, `nx add @pexkit/nx`, generate Python projects, lock with
// real uv, build PEX files and check Nx caching, affected, remote-cache reproducibility and a
// multi-platform numpy PEX. Runs as far as the pieces exist and reports each step honestly.
// Usage: npm run e2e -w e2e/nx-e2e   (env PEXKIT_E2E_KEEP=1 keeps the temp dir)
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, run } from './lib/exec.mjs';
import { publish, startVerdaccio } from './lib/registry.mjs';
import { remoteCacheSteps } from './lib/remote-cache-steps.mjs';
import { assert, Steps } from './lib/steps.mjs';
import { inspectSteps } from './lib/inspect-steps.mjs';
import { qualitySteps } from './lib/quality-steps.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = join(here, '../..');
const uv = join(repo, '.venv-tools/bin/uv');
const pythons = readdirSync(join(homedir(), '.pyenv/versions'));
const python = (minor) => {
  const v = pythons.find((p) => p.startsWith(`${minor}.`));
  return v === undefined ? undefined : join(homedir(), '.pyenv/versions', v, 'bin/python3');
};
const PY_A = python('3.9');
const PY_B = python('3.12');
const PY_NUMPY = python('3.11');

// Run from `npm run e2e` (via nx), npm exports its own settings (workspace, package, lifecycle) to
// the environment; the npm and npx commands below must not inherit them.
for (const key of Object.keys(process.env)) {
  if (
    /^npm_(config_workspaces?|package_|lifecycle_|command$|config_prefix$)/i.test(key) ||
    key === 'INIT_CWD'
  )
    delete process.env[key];
}

const tmp = mkdtempSync(join(tmpdir(), 'pexkit-nx-e2e-'));
const ws = join(tmp, 'ws');
const copy = join(tmp, 'elsewhere', 'ws-copy');
const env = {
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_SKIP_NX_CACHE: undefined,
  npm_config_yes: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  NX_INTERACTIVE: 'false',
  GIT_AUTHOR_NAME: 'e2e',
  GIT_AUTHOR_EMAIL: 'e2e@example.invalid',
  GIT_COMMITTER_NAME: 'e2e',
  GIT_COMMITTER_EMAIL: 'e2e@example.invalid',
  UV_PYTHON: PY_NUMPY,
  UV_NO_PROGRESS: '1',
  PEXKIT_CACHE_DIR: join(tmp, 'pexkit-cache'),
  // `uv` for the inferred pytest targets (a directory holding only uv, not the tools' python3).
  PATH: `${join(repo, '.venv-tools/path')}:${process.env.PATH}`,
};
delete env.NX_SKIP_NX_CACHE;

const RUNS_TASKS = new Set(['build', 'affected', 'run', 'run-many']);
const nx = (args, cwd = ws) =>
  check('npx', ['nx', ...args, ...(RUNS_TASKS.has(args[0]) ? ['--outputStyle=static'] : [])], {
    cwd,
    env,
  });
const nxShow = (args, cwd = ws) => check('npx', ['nx', ...args], { cwd, env, quiet: true });
const uvRun = (args, cwd = ws) => check(uv, args, { cwd, env });
const git = (args, cwd = ws) => check('git', args, { cwd, env, quiet: true });
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
const commit = async (message) => {
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', message]);
};
const affected = async () =>
  JSON.parse(
    (await nxShow(['show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--json']))
      .stdout,
  );
const taskHash = async (cwd, project) =>
  (
    await check(process.execPath, [join(here, 'lib/task-hash.mjs'), cwd, project, 'build'], {
      cwd,
      env,
      quiet: true,
    })
  ).stdout.trim();
const fromCache = (out) =>
  /read the output from the cache|\[local cache\]|existing outputs match the cache/.test(out);

// eslint-disable-next-line no-control-regex
const stripAnsi = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

const APP_PEX = 'dist/apps/hello-app/hello-app.pex';
const steps = new Steps();
const started = performance.now();
let registry;

try {
  await steps.run('build @pexkit/pex and @pexkit/nx', async () => {
    await check(
      'npx',
      ['tsc', '-b', 'packages/pex/tsconfig.lib.json', 'packages/nx/tsconfig.lib.json'],
      { cwd: repo },
    );
  });
  await steps.run('start verdaccio', async () => {
    const upstream =
      (
        await check('npm', ['config', 'get', 'registry'], { cwd: tmp, quiet: true })
      ).stdout.trim() || 'https://registry.npmjs.org/';
    registry = await startVerdaccio(repo, join(tmp, 'verdaccio'), upstream);
    return registry.url;
  });
  await steps.run(
    'publish @pexkit/pex and @pexkit/nx',
    async () => {
      await publish(registry, join(repo, 'packages/pex'));
      await publish(registry, join(repo, 'packages/nx'));
    },
    ['build @pexkit/pex and @pexkit/nx', 'start verdaccio'],
  );
  await steps.run(
    'create-nx-workspace@23.2.1 --preset=apps',
    async () => {
      await check(
        'npx',
        [
          '--yes',
          'create-nx-workspace@23.2.1',
          'ws',
          '--preset=apps',
          '--nxCloud=skip',
          '--no-interactive',
          '--packageManager=npm',
        ],
        {
          cwd: tmp,
          env,
        },
      );
      assert(existsSync(join(ws, 'nx.json')), 'no nx.json in the new workspace');
      // Only the @pexkit scope comes from the local registry.
      writeFileSync(join(ws, '.npmrc'), `@pexkit:registry=${registry.url}\n`);
      await commit('use the local registry for @pexkit');
    },
    ['start verdaccio'],
  );
  await steps.run(
    'nx add @pexkit/nx',
    async () => {
      await nx(['add', '@pexkit/nx@0.1.0']);
      const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
      assert(
        (nxJson.plugins ?? []).some(
          (p) => (typeof p === 'string' ? p : p.plugin) === '@pexkit/nx/plugin',
        ),
        'nx.json does not register @pexkit/nx/plugin',
      );
      const production = nxJson.namedInputs?.production ?? [];
      assert(
        production.includes('!{projectRoot}/tests/**/*'),
        `init added no production named input without tests: ${JSON.stringify(production)}`,
      );
      await commit('nx add @pexkit/nx');
    },
    ['publish @pexkit/pex and @pexkit/nx', 'create-nx-workspace@23.2.1 --preset=apps'],
  );
  await steps.run(
    'generate application, libraries; add deps; uv lock',
    async () => {
      const generated = await nx([
        'g',
        '@pexkit/nx:library',
        '--name=greeter',
        '--directory=libs/greeter',
        '--no-interactive',
      ]);
      assert(
        /Next steps for greeter:[\s\S]*uv lock[\s\S]*nx sync[\s\S]*uv add --package <app> greeter/.test(
          stripAnsi(generated.stdout),
        ),
        `the library generator printed no next steps: ${generated.stdout}`,
      );
      await nx([
        'g',
        '@pexkit/nx:library',
        '--name=unrelated',
        '--directory=libs/unrelated',
        '--no-interactive',
      ]);
      await nx([
        'g',
        '@pexkit/nx:application',
        '--name=hello-app',
        '--directory=apps/hello-app',
        '--no-interactive',
      ]);
      writeFileSync(
        join(ws, 'libs/greeter/src/greeter/__init__.py'),
        'import six\n\n\ndef hello(name):\n    return six.ensure_str("Hello from greeter, %s!" % name)\n',
      );
      writeFileSync(
        join(ws, 'apps/hello-app/src/hello_app/cli.py'),
        'import sys\n\nimport greeter\n\n\ndef main():\n    print(greeter.hello(sys.argv[1] if len(sys.argv) > 1 else "world"))\n    print("python", "%d.%d" % sys.version_info[:2])\n    return 0\n',
      );
      writeFileSync(
        join(ws, 'apps/hello-app/tests/test_hello_app.py'),
        'from hello_app.cli import main\n\n\ndef test_main(capsys, monkeypatch):\n    monkeypatch.setattr("sys.argv", ["hello-app", "nx"])\n    assert main() == 0\n    assert capsys.readouterr().out.startswith("Hello from greeter, nx!\\n")\n',
      );
      // Before `uv lock`, `nx test` says what to run instead of Nx's bare "Cannot find configuration".
      const early = await run('npx', ['nx', 'test', 'greeter', '--outputStyle=static'], {
        cwd: ws,
        env,
      });
      assert(
        early.code !== 0 &&
          /uv\.lock does not exist yet[^\n]*run 'uv lock'/.test(
            stripAnsi(early.stdout + early.stderr),
          ),
        `nx test before uv lock: ${early.stdout}\n${early.stderr}`,
      );
      await uvRun(['add', '--no-sync', '--package', 'greeter', 'six>=1.16']);
      await uvRun(['add', '--no-sync', '--package', 'hello-app', 'greeter']);
      assert(existsSync(join(ws, 'uv.lock')), 'uv did not write uv.lock');
      await nx(['sync']);
      for (const p of ['apps/hello-app', 'libs/greeter', 'libs/unrelated'])
        assert(
          existsSync(join(ws, p, 'pexkit.lock-subset')),
          `nx sync wrote no ${p}/pexkit.lock-subset`,
        );
      assert(
        /^six==/m.test(readFileSync(join(ws, 'apps/hello-app/pexkit.lock-subset'), 'utf8')),
        "hello-app's lock subset does not list six (from its library greeter)",
      );
      const projects = JSON.parse((await nxShow(['show', 'projects', '--json'])).stdout);
      for (const p of ['hello-app', 'greeter', 'unrelated'])
        assert(projects.includes(p), `nx does not see project ${p} (${projects.join(', ')})`);
      const deps = JSON.parse((await nxShow(['graph', '--file=stdout'])).stdout).graph.dependencies[
        'hello-app'
      ].map((d) => d.target);
      assert(
        deps.includes('greeter'),
        `hello-app has no graph edge to greeter (${deps.join(', ')})`,
      );
      await commit('python projects');
    },
    ['nx add @pexkit/nx'],
  );
  await steps.run(
    'nx run-many -t test: the generated pytest suites pass through uv',
    async () => {
      const out = stripAnsi((await nx(['run-many', '-t', 'test'])).stdout);
      for (const p of ['hello-app', 'greeter', 'unrelated'])
        assert(out.includes(`nx run ${p}:test`), `no test target ran for ${p}`);
      // A failing test fails the target (and is not cached as a success).
      const test = join(ws, 'libs/greeter/tests/test_greeter.py');
      const good = readFileSync(test, 'utf8');
      writeFileSync(test, `${good}\n\ndef test_broken():\n    assert False\n`);
      const broken = await run('npx', ['nx', 'test', 'greeter', '--outputStyle=static'], {
        cwd: ws,
        env,
      });
      writeFileSync(test, good);
      assert(broken.code !== 0, 'nx test greeter passed with a failing test');
      assert(
        /1 failed/.test(stripAnsi(broken.stdout)),
        `pytest did not report the failure: ${broken.stdout}`,
      );
      return 'hello-app, greeter, unrelated';
    },
    ['generate application, libraries; add deps; uv lock'],
  );
  await steps.run(
    'nx build hello-app; run the PEX under two CPythons',
    async () => {
      const out = await nx(['build', 'hello-app']);
      assert(!fromCache(out.stdout), 'the first build came from the cache');
      for (const py of [PY_A, PY_B]) {
        assert(py !== undefined, 'missing a pyenv CPython');
        const r = await check(py, [join(ws, APP_PEX), 'nx'], { cwd: tmp });
        assert(
          r.stdout.includes('Hello from greeter, nx!'),
          `unexpected output under ${py}: ${r.stdout}`,
        );
        const version = (
          await check(py, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
            quiet: true,
          })
        ).stdout.trim();
        assert(
          r.stdout.includes(`python ${version}`),
          `the PEX did not run on ${py} (${version}): ${r.stdout}`,
        );
      }
      return `${sha256(join(ws, APP_PEX)).slice(0, 16)} runs under ${[PY_A, PY_B].map((p) => p.split('/').at(-3)).join(' and ')}`;
    },
    ['generate application, libraries; add deps; uv lock'],
  );
  await steps.run(
    'second nx build is a cache hit',
    async () => {
      const before = sha256(join(ws, APP_PEX));
      rmSync(join(ws, 'dist'), { recursive: true, force: true });
      const out = await nx(['build', 'hello-app']);
      assert(fromCache(out.stdout), 'the second build was not read from the cache');
      assert(sha256(join(ws, APP_PEX)) === before, 'the restored PEX differs');
    },
    ['nx build hello-app; run the PEX under two CPythons'],
  );
  const needsBuild = ['nx build hello-app; run the PEX under two CPythons'];
  await inspectSteps({
    steps,
    nx,
    ws,
    app: 'hello-app',
    pex: APP_PEX,
    fromCache,
    needs: needsBuild,
  });
  await steps.run(
    'library edit: nx affected rebuilds the app',
    async () => {
      appendFileSync(join(ws, 'libs/greeter/src/greeter/__init__.py'), '\nVERSION = "2"\n');
      await commit('edit greeter');
      const list = await affected();
      assert(
        list.includes('greeter') && list.includes('hello-app'),
        `affected: ${list.join(', ')}`,
      );
      assert(!list.includes('unrelated'), `unrelated is affected: ${list.join(', ')}`);
      const out = await nx(['affected', '-t', 'build', '--base=HEAD~1', '--head=HEAD']);
      assert(
        out.stdout.includes('hello-app:build') && !fromCache(out.stdout),
        'hello-app was not rebuilt',
      );
      return `affected: ${list.join(', ')}`;
    },
    ['second nx build is a cache hit'],
  );
  await steps.run(
    'unrelated lock change: not affected, still a cache hit',
    async () => {
      const hashBefore = await taskHash(ws, 'hello-app');
      await uvRun(['add', '--no-sync', '--package', 'unrelated', 'idna>=3']);
      await nx(['sync']);
      await commit('unrelated dependency');
      const list = await affected();
      assert(
        !list.includes('hello-app'),
        `hello-app is affected by an unrelated lock change: ${list.join(', ')}`,
      );
      const hashAfter = await taskHash(ws, 'hello-app');
      assert(hashAfter === hashBefore, `the task hash changed: ${hashBefore} -> ${hashAfter}`);
      const out = await nx(['build', 'hello-app']);
      assert(fromCache(out.stdout), 'the build after an unrelated lock change was not a cache hit');
      return `affected: ${list.join(', ') || '(none)'}`;
    },
    ['library edit: nx affected rebuilds the app'],
  );
  await steps.run(
    'nx test: a test importing an undeclared package fails (own environment)',
    async () => {
      // idna is locked (unrelated declares it) but greeter does not declare it.
      const test = join(ws, 'libs/greeter/tests/test_undeclared.py');
      writeFileSync(test, 'import idna\n\n\ndef test_idna():\n    assert idna.encode("a")\n');
      const r = await run('npx', ['nx', 'test', 'greeter', '--outputStyle=static'], {
        cwd: ws,
        env,
      });
      rmSync(test);
      const out = stripAnsi(r.stdout + r.stderr);
      assert(
        r.code !== 0 && /No module named '?idna/.test(out),
        `greeter's tests passed with an undeclared import of idna: ${out.slice(-2000)}`,
      );
      const ok = await nx(['test', 'unrelated']);
      assert(/1 passed/.test(stripAnsi(ok.stdout)), 'unrelated tests did not pass');
      return "greeter: No module named 'idna'";
    },
    ['unrelated lock change: not affected, still a cache hit'],
  );
  await steps.run(
    'lock-only bump: sync:check fails, nx sync, exactly its user is affected',
    async () => {
      const hashBefore = await taskHash(ws, 'hello-app');
      const subset = join(ws, 'libs/unrelated/pexkit.lock-subset');
      const before = readFileSync(subset, 'utf8');
      // A security bump as `uv lock` makes it: only uv.lock changes, no pyproject.toml.
      await uvRun(['lock', '--upgrade-package', 'idna==3.6']);
      const stale = await run('npx', ['nx', 'sync:check'], { cwd: ws, env });
      const out = stripAnsi(stale.stdout + stale.stderr);
      assert(
        stale.code !== 0 && out.includes('libs/unrelated/pexkit.lock-subset'),
        `nx sync:check did not fail naming the stale file: ${out}`,
      );
      await nx(['sync']);
      await check('npx', ['nx', 'sync:check'], { cwd: ws, env, quiet: true });
      const after = readFileSync(subset, 'utf8');
      assert(/^idna==3\.6$/m.test(after) && after !== before, `idna 3.6 is not in ${subset}`);
      await commit('bump idna (lock only)');
      const list = await affected();
      assert(
        JSON.stringify(list) === JSON.stringify(['unrelated']),
        `affected by an idna bump: ${list.join(', ') || '(none)'} (expected exactly unrelated)`,
      );
      const hashAfter = await taskHash(ws, 'hello-app');
      assert(
        hashAfter === hashBefore,
        `hello-app's build hash changed: ${hashBefore} -> ${hashAfter}`,
      );
      return `affected: ${list.join(', ')}`;
    },
    ['unrelated lock change: not affected, still a cache hit'],
  );
  await steps.run(
    'root pyproject.toml comment and a library test edit: nothing rebuilt',
    async () => {
      const hashBefore = await taskHash(ws, 'hello-app');
      appendFileSync(join(ws, 'pyproject.toml'), '\n# a comment that changes no closure\n');
      await commit('comment in the uv root pyproject.toml');
      await check('npx', ['nx', 'sync:check'], { cwd: ws, env, quiet: true });
      const list = await affected();
      assert(list.length === 0, `a root pyproject.toml comment affected: ${list.join(', ')}`);
      appendFileSync(join(ws, 'libs/greeter/tests/test_greeter.py'), '\n# a comment in a test\n');
      const hashAfter = await taskHash(ws, 'hello-app');
      assert(
        hashAfter === hashBefore,
        `hello-app's build hash changed: ${hashBefore} -> ${hashAfter}`,
      );
      await commit('edit a greeter test');
      return 'affected: (none); hello-app build hash unchanged by a greeter test edit';
    },
    ['lock-only bump: sync:check fails, nx sync, exactly its user is affected'],
  );
  await steps.run(
    'copy at another path: same Nx hash, byte-identical PEX',
    async () => {
      mkdirSync(join(tmp, 'elsewhere'), { recursive: true });
      cpSync(ws, copy, {
        recursive: true,
        verbatimSymlinks: true,
        filter: (src) => !/^\/(\.nx|dist)(\/|$)/.test(src.slice(ws.length)),
      });
      const [a, b] = [await taskHash(ws, 'hello-app'), await taskHash(copy, 'hello-app')];
      assert(a === b, `task hashes differ: ${a} here, ${b} in the copy`);
      await nx(['build', 'hello-app', '--skip-nx-cache'], copy);
      await nx(['build', 'hello-app', '--skip-nx-cache'], ws);
      const [x, y] = [sha256(join(ws, APP_PEX)), sha256(join(copy, APP_PEX))];
      assert(x === y, `PEX bytes differ: ${x} vs ${y}`);
      return `hash ${a}, pex sha256 ${x.slice(0, 16)}`;
    },
    ['nx build hello-app; run the PEX under two CPythons'],
  );
  await remoteCacheSteps({
    steps,
    ws,
    tmp,
    env,
    here,
    python: PY_B,
    appPex: APP_PEX,
    needs: ['root pyproject.toml comment and a library test edit: nothing rebuilt'],
  });
  await steps.run(
    'multi-platform numpy PEX (linux x86_64 + aarch64, macOS arm64, Windows)',
    async () => {
      await nx([
        'g',
        '@pexkit/nx:application',
        '--name=np-app',
        '--directory=apps/np-app',
        '--no-interactive',
      ]);
      writeFileSync(
        join(ws, 'apps/np-app/src/np_app/cli.py'),
        'import numpy as np\n\n\ndef main():\n    print("numpy", np.__version__, int(np.arange(10).sum()))\n    return 0\n',
      );
      await uvRun(['add', '--no-sync', '--package', 'np-app', 'numpy']);
      await nx(['sync']);
      // numpy >= 2.3 ships manylinux_2_28 (not manylinux2014) wheels for Linux.
      const targets = [
        'manylinux_2_28_x86_64-cp-311-cp311',
        'manylinux_2_28_aarch64-cp-311-cp311',
        'macosx_14_0_arm64-cp-311-cp311',
        'win_amd64-cp-311-cp311',
      ];
      await nx([
        'g',
        '@pexkit/nx:configuration',
        '--project=np-app',
        `--targets=${targets.join(',')}`,
        '--no-interactive',
      ]);
      await nx(['build', 'np-app']);
      const pex = join(ws, 'dist/apps/np-app/np-app.pex');
      const names = (
        await check(PY_NUMPY, [join(here, 'lib/zip-list.py'), pex], { quiet: true })
      ).stdout.split('\n');
      const wheels = [
        ...new Set(
          names.filter((n) => /^\.deps\/numpy-[^/]+\.whl/.test(n)).map((n) => n.split('/')[1]),
        ),
      ];
      for (const platform of ['manylinux', 'aarch64', 'macosx', 'win_amd64']) {
        assert(
          wheels.some(
            (w) => w.includes(platform) && (platform !== 'manylinux' || w.includes('x86_64')),
          ),
          `no numpy wheel for ${platform} in the PEX (${wheels.join(', ')})`,
        );
      }
      const r = await check(PY_NUMPY, [pex], { cwd: tmp });
      assert(/numpy \S+ 45/.test(r.stdout), `unexpected output: ${r.stdout}`);
      return `${wheels.length} numpy wheels; ${r.stdout.trim()}`;
    },
    ['generate application, libraries; add deps; uv lock'],
  );
  await qualitySteps({
    steps,
    nx,
    nxRun: (args) => run('npx', ['nx', ...args], { cwd: ws, env }),
    nxShow,
    uvRun,
    commit,
    affected,
    ws,
    fromCache,
    stripAnsi,
    needs: ['generate application, libraries; add deps; uv lock', ...needsBuild],
  });
} finally {
  registry?.stop();
  const total = performance.now() - started;
  console.log(steps.summary(total));
  writeFileSync(
    join(tmp, 'e2e-report.json'),
    JSON.stringify({ seconds: Math.round(total / 1000), steps: steps.results }, null, 2),
  );
  if (process.env.PEXKIT_E2E_KEEP === '1') console.log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
  process.exitCode = steps.ok ? 0 : 1;
}
