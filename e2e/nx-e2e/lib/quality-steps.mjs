// e2e steps for the inferred quality targets (lint, format, format-check, typecheck: ruff and
// mypy through uv) and the smoke target (pexkit smoke on the built PEXes).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assert } from './steps.mjs';

const TYPED_USE = `"""Uses the typed workspace library (mypy checks the call through its py.typed)."""

from typed_lib import hello


def greeting() -> str:
    return hello("typed-app")
`;

/**
 * Generates a typed library and an application using it (`--typeChecker=mypy`, ruff by default),
 * runs their lint, format-check and typecheck targets (then again from the cache), shows that a
 * lint error, bad formatting and a type error each fail their target, that `nx affected` follows
 * the configuration files the tools read, and that `nx smoke` passes the generated apps' PEXes
 * and fails one whose entry point raises.
 *
 * @param {object} ctx
 * @param {import('./steps.mjs').Steps} ctx.steps
 * @param {(args: string[]) => Promise<{ stdout: string }>} ctx.nx  `npx nx …`, failing on error
 * @param {(args: string[]) => Promise<{ code: number, stdout: string, stderr: string }>} ctx.nxRun
 *   `npx nx …` that resolves whatever the exit code
 * @param {(args: string[]) => Promise<{ stdout: string }>} ctx.nxShow  `npx nx …`, quiet
 * @param {(args: string[]) => Promise<unknown>} ctx.uvRun  runs uv in the workspace
 * @param {(message: string) => Promise<void>} ctx.commit  commits everything
 * @param {() => Promise<string[]>} ctx.affected  projects affected by the last commit
 * @param {string} ctx.ws  the workspace
 * @param {(stdout: string) => boolean} ctx.fromCache
 * @param {(text: string) => string} ctx.stripAnsi
 * @param {string[]} ctx.needs  steps that must have passed
 */
export async function qualitySteps({
  steps,
  nx,
  nxRun,
  nxShow,
  uvRun,
  commit,
  affected,
  ws,
  fromCache,
  stripAnsi,
  needs,
}) {
  const write = (path, text) => {
    mkdirSync(dirname(join(ws, path)), { recursive: true });
    writeFileSync(join(ws, path), text);
  };
  const generated = 'quality: generate typed-lib and typed-app (--typeChecker=mypy), lock';
  await steps.run(
    generated,
    async () => {
      await nx([
        'g',
        '@pexkit/nx:library',
        '--name=typed-lib',
        '--directory=libs/typed-lib',
        '--typeChecker=mypy',
        '--no-interactive',
      ]);
      const app = await nx([
        'g',
        '@pexkit/nx:application',
        '--name=typed-app',
        '--directory=apps/typed-app',
        '--typeChecker=mypy',
        '--no-interactive',
      ]);
      assert(/nx typecheck typed-app/.test(stripAnsi(app.stdout)), 'no typecheck next step');
      write('apps/typed-app/src/typed_app/uses_lib.py', TYPED_USE);
      await uvRun(['add', '--no-sync', '--package', 'typed-app', 'typed-lib']);
      await nx(['sync']);
      const root = readFileSync(join(ws, 'pyproject.toml'), 'utf8');
      assert(/"ruff>=0\.6"/.test(root) && /"mypy>=1\.10"/.test(root), `root dev group: ${root}`);
      const project = JSON.parse((await nxShow(['show', 'project', 'typed-app', '--json'])).stdout);
      const targets = Object.keys(project.targets).sort();
      for (const t of ['format', 'format-check', 'lint', 'smoke', 'typecheck'])
        assert(targets.includes(t), `typed-app has no ${t} target (${targets.join(', ')})`);
      await commit('typed-lib and typed-app');
      return targets.join(', ');
    },
    needs,
  );
  const checked = 'quality: nx run-many -t lint format-check typecheck passes, then from cache';
  const projects = ['--projects=typed-app,typed-lib'];
  await steps.run(checked, async () => {
    const out = stripAnsi(
      (await nx(['run-many', '-t', 'lint', 'format-check', 'typecheck', ...projects])).stdout,
    );
    assert(/All checks passed!/.test(out), `ruff check did not pass: ${out.slice(-2000)}`);
    assert(/already formatted/.test(out), `ruff format --check did not run: ${out.slice(-2000)}`);
    assert(/Success: no issues found/.test(out), `mypy did not pass: ${out.slice(-2000)}`);
    // The tools' caches (.ruff_cache, .mypy_cache in the project) must not change the hashes.
    const again = stripAnsi(
      (await nx(['run-many', '-t', 'lint', 'format-check', 'typecheck', ...projects])).stdout,
    );
    assert(
      fromCache(again) && /6\/6 .*cache|6 out of 6 tasks/.test(again),
      `second run was not served from the cache: ${again.slice(-1500)}`,
    );
    return 'ruff check, ruff format --check, mypy --strict: 6 tasks, then 6 cache hits';
  }, [generated]);
  await steps.run(
    'quality: a lint error fails lint, bad formatting fails format-check, a type error typecheck',
    async () => {
      const bad = 'apps/typed-app/src/typed_app/bad.py';
      write(bad, 'import os\n\n\ndef f() -> int:\n    return   "x"\n');
      const results = {};
      for (const target of ['lint', 'format-check', 'typecheck']) {
        const r = await nxRun([target, 'typed-app', '--outputStyle=static']);
        results[target] = { code: r.code, out: stripAnsi(r.stdout + r.stderr) };
      }
      rmSync(join(ws, bad));
      assert(
        results.lint.code !== 0 && /F401/.test(results.lint.out),
        `lint passed an unused import: ${results.lint.out.slice(-1500)}`,
      );
      assert(
        results['format-check'].code !== 0 &&
          /would be reformatted|Would reformat/i.test(results['format-check'].out),
        `format-check passed bad formatting: ${results['format-check'].out.slice(-1500)}`,
      );
      assert(
        results.typecheck.code !== 0 &&
          /Incompatible return value type/.test(results.typecheck.out),
        `typecheck passed a type error: ${results.typecheck.out.slice(-1500)}`,
      );
      const fixed = stripAnsi((await nx(['lint', 'typed-app'])).stdout);
      assert(fromCache(fixed), 'lint after removing the error was not the cached success');
      return 'F401; would be reformatted; Incompatible return value type';
    },
    [checked],
  );
  await steps.run(
    'quality: nx affected follows the tool configuration each project reads',
    async () => {
      // Every generated project has its own [tool.ruff]: a root ruff.toml is read by none.
      write('ruff.toml', 'line-length = 88\n');
      await commit('root ruff.toml');
      const byRuff = await affected();
      assert(byRuff.length === 0, `a root ruff.toml nobody reads affected ${byRuff.join(', ')}`);
      // mypy is in the root dev group, so every project type-checks; only the typed ones have
      // their own [tool.mypy]: a root mypy.ini is read by (and affects) exactly the others.
      write('mypy.ini', '[mypy]\nwarn_unused_configs = True\n');
      await commit('root mypy.ini');
      const byMypy = await affected();
      assert(
        !byMypy.includes('typed-app') &&
          !byMypy.includes('typed-lib') &&
          byMypy.includes('greeter'),
        `a root mypy.ini affected ${byMypy.join(', ')}`,
      );
      return `ruff.toml: none; mypy.ini: ${byMypy.sort().join(', ')}`;
    },
    [checked],
  );
  const smoked = 'smoke: nx smoke runs the built PEXes under the local interpreters they are for';
  await steps.run(
    smoked,
    async () => {
      const notes = [];
      for (const app of ['hello-app', 'typed-app']) {
        const out = stripAnsi((await nx(['smoke', app])).stdout);
        const passes = out.match(/^\s*PASS {2}\S+ \S+/gm) ?? [];
        assert(passes.length > 0, `no interpreter ran ${app}: ${out.slice(-2000)}`);
        assert(/passed: (\d+) of \1 interpreter/.test(out), `${app}: ${out.slice(-2000)}`);
        notes.push(`${app}: ${passes.map((p) => p.trim().slice(6)).join(', ')}`);
      }
      return notes.join('; ');
    },
    needs,
  );
  await steps.run(
    'smoke: a PEX whose entry point raises fails nx smoke',
    async () => {
      const cli = join(ws, 'apps/typed-app/src/typed_app/cli.py');
      const good = readFileSync(cli, 'utf8');
      writeFileSync(
        cli,
        `${good}\n\ndef main(argv: object = None) -> int:\n    raise RuntimeError("broken at start-up")\n`,
      );
      const r = await nxRun(['smoke', 'typed-app', '--outputStyle=static']);
      writeFileSync(cli, good);
      const out = stripAnsi(r.stdout + r.stderr);
      assert(r.code !== 0, `nx smoke passed a PEX that raises: ${out.slice(-2000)}`);
      assert(
        /FAIL {2}\S+ .*exit 1\)/.test(out) && /RuntimeError: broken at start-up/.test(out),
        `no FAIL line with the traceback: ${out.slice(-2000)}`,
      );
      return 'FAIL, exit 1, RuntimeError shown';
    },
    [smoked],
  );
}
