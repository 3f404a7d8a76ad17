import { readFileSync } from 'node:fs';
import type { ProjectConfiguration } from '@nx/devkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodes } from '../plugin.js';
import { clearNodesMemoryCache } from './nodes-cache.js';
import { lockSubsetProjects } from '../../utils/lock-subset-file.js';
import {
  nodesContext,
  projectsOf,
  removeWorkspace,
  UV_WORKSPACE,
  UV_WORKSPACE_FILES,
  writeFile,
  writeWorkspace,
} from '../../testing/workspace-fixture.js';
import type { PexkitPluginOptions } from './options.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) removeWorkspace(r);
  clearNodesMemoryCache();
});

const LOCK = readFileSync(new URL('../../../../../examples/uv.lock', import.meta.url), 'utf8');

/** UV_WORKSPACE, locked, with a tests/ dir in core-lib, plus `extra` files. */
function workspace(extra: Record<string, string> = {}): string {
  const root = writeWorkspace({
    ...UV_WORKSPACE,
    'py/uv.lock': LOCK,
    'py/libs/core/tests/test_core.py': 'def test_x():\n    pass\n',
    ...extra,
  });
  roots.push(root);
  return root;
}

async function infer(
  root: string,
  options?: PexkitPluginOptions,
): Promise<Record<string, ProjectConfiguration>> {
  return projectsOf(await createNodes[1](UV_WORKSPACE_FILES, options, nodesContext(root)));
}

function targetNames(project: ProjectConfiguration | undefined): string[] {
  return Object.keys(project?.targets ?? {}).sort();
}

const ROOT = UV_WORKSPACE['py/pyproject.toml'] as string;
const CORE = UV_WORKSPACE['py/libs/core/pyproject.toml'] as string;
const CORE_ENV = 'uv run --locked --package core-lib --exact';

describe('inferred quality targets', () => {
  it('infers none without ruff, mypy or pyright configuration or dependency', async () => {
    const projects = await infer(workspace());
    expect(targetNames(projects['core-lib'])).toEqual(['test']);
    expect(targetNames(projects['util'])).toEqual([]);
    expect(targetNames(projects['web-app'])).toEqual(['build', 'inspect', 'smoke', 'test']);
    expect(projects['util']?.metadata?.['pexkit']).not.toHaveProperty('checks');
  });

  it('gives every member lint, format and format-check when the uv root has [tool.ruff], in the environment the tests use', async () => {
    const projects = await infer(
      workspace({ 'py/pyproject.toml': `${ROOT}\n[tool.ruff]\nline-length = 100\n` }),
    );
    for (const name of ['core-lib', 'util', 'web-app'])
      expect(targetNames(projects[name])).toEqual(
        expect.arrayContaining(['format', 'format-check', 'lint']),
      );
    expect(targetNames(projects['util'])).not.toContain('typecheck');
    const core = projects['core-lib']?.targets ?? {};
    expect(core['lint']?.command).toBe(`${CORE_ENV} python -m ruff check`);
    expect(core['format']?.command).toBe(`${CORE_ENV} python -m ruff format`);
    expect(core['format-check']?.command).toBe(`${CORE_ENV} python -m ruff format --check`);
    // The same cwd and environment as the pytest target (never undoing each other's --exact sync).
    expect(core['lint']?.options).toEqual(core['test']?.options);
    expect(core['lint']?.cache).toBe(true);
    expect(core['format']?.cache).toBe(false);
    // The project's files, the tool version (the test-groups lock subset) and the root
    // pyproject.toml, which ruff reads here: nothing else (not its dependencies' files).
    expect(core['lint']?.inputs).toEqual([
      'default',
      '{workspaceRoot}/py/pexkit.test-groups.lock-subset',
      '{workspaceRoot}/py/pyproject.toml',
    ]);
    expect(core['format-check']?.inputs).toEqual(core['lint']?.inputs);
    expect(core['lint']?.metadata?.['description']).toMatch(/ruff check/);
    expect(core['lint']?.metadata?.['help']).toEqual({
      command: `${CORE_ENV} python -m ruff check --help`,
      example: { args: ['--fix'] },
    });
    expect(core['lint']?.syncGenerators).toEqual(['@pexkit/nx:sync']);
  });

  it("uses a project's own ruff.toml: only that project gets the targets, and reads no root file", async () => {
    const projects = await infer(workspace({ 'py/libs/util/ruff.toml': 'line-length = 90\n' }));
    expect(targetNames(projects['util'])).toEqual(['format', 'format-check', 'lint']);
    expect(targetNames(projects['core-lib'])).toEqual(['test']);
    expect(projects['util']?.targets?.['lint']?.inputs).toEqual([
      'default',
      '{workspaceRoot}/py/pexkit.test-groups.lock-subset',
    ]);
    // util has no tests: its environment (the lock subsets) is recorded for `nx sync`.
    expect(projects['util']?.metadata?.['pexkit']).toMatchObject({
      checks: { target: 'lint', rootGroups: [], ownGroups: [] },
    });
  });

  it('reads a root ruff.toml (and .ruff.toml before it) rather than the root pyproject.toml', async () => {
    const projects = await infer(
      workspace({
        'py/pyproject.toml': `${ROOT}\n[tool.ruff]\nline-length = 100\n`,
        'py/ruff.toml': 'line-length = 90\n',
        'py/.ruff.toml': 'line-length = 80\n',
      }),
    );
    expect(projects['web-app']?.targets?.['lint']?.inputs).toEqual([
      'default',
      '{workspaceRoot}/py/pexkit.test-groups.lock-subset',
      '{workspaceRoot}/py/.ruff.toml',
    ]);
  });

  it("adds the file a project's ruff configuration extends", async () => {
    const projects = await infer(
      workspace({
        'py/libs/util/pyproject.toml': `${UV_WORKSPACE['py/libs/util/pyproject.toml']}\n[tool.ruff]\nextend = "../../ruff-base.toml"\n`,
        'py/libs/core/ruff.toml': 'extend = "../../../shared/ruff.toml"\n',
      }),
    );
    expect(projects['util']?.targets?.['lint']?.inputs).toContain(
      '{workspaceRoot}/py/ruff-base.toml',
    );
    expect(projects['core-lib']?.targets?.['lint']?.inputs).toContain(
      '{workspaceRoot}/shared/ruff.toml',
    );
  });

  it('infers the ruff targets when ruff is only in a dependency group', async () => {
    // In the root's default group: every member, no configuration file input.
    const byRoot = await infer(
      workspace({
        'py/pyproject.toml': `${ROOT}\n[dependency-groups]\ndev = ["pytest>=8", "ruff>=0.6"]\n`,
      }),
    );
    expect(byRoot['util']?.targets?.['lint']?.command).toBe(
      'uv run --locked --package util --group dev --exact python -m ruff check',
    );
    expect(byRoot['web-app']?.targets?.['lint']?.inputs).toEqual([
      'default',
      '{workspaceRoot}/py/pexkit.test-groups.lock-subset',
    ]);
    clearNodesMemoryCache();
    // In a project's group that uv does not install by default: selected with --group, and its
    // requirements join the lock subsets.
    const byGroup = await infer(
      workspace({
        'py/libs/util/pyproject.toml': `${UV_WORKSPACE['py/libs/util/pyproject.toml']}\n[dependency-groups]\nlint = ["Ruff==0.6.9"]\n`,
      }),
    );
    expect(targetNames(byGroup['web-app'])).toEqual(['build', 'inspect', 'smoke', 'test']);
    expect(byGroup['util']?.targets?.['lint']?.command).toBe(
      'uv run --locked --package util --group lint --exact python -m ruff check',
    );
    expect(byGroup['util']?.metadata?.['pexkit']).toMatchObject({
      checks: { target: 'lint', ownGroups: ['Ruff==0.6.9'] },
    });
  });

  it('infers typecheck with mypy from [tool.mypy], a root mypy.ini (passed with --config-file) or a dependency group', async () => {
    const own = await infer(
      workspace({ 'py/libs/core/pyproject.toml': `${CORE}\n[tool.mypy]\nstrict = true\n` }),
    );
    const typecheck = own['core-lib']?.targets?.['typecheck'];
    expect(typecheck?.command).toBe(`${CORE_ENV} python -m mypy .`);
    // Types come from the dependencies too: their production files and the Python version.
    expect(typecheck?.inputs).toEqual([
      'default',
      '{workspaceRoot}/py/pexkit.test-groups.lock-subset',
      '^default',
      { runtime: 'uv --directory "py" python find --show-version' },
    ]);
    expect(typecheck?.metadata?.['description']).toMatch(/mypy/);
    expect(targetNames(own['core-lib'])).toEqual(['test', 'typecheck']);
    expect(targetNames(own['util'])).toEqual([]);
    clearNodesMemoryCache();

    const rootIni = await infer(workspace({ 'py/mypy.ini': '[mypy]\nstrict = True\n' }));
    expect(rootIni['web-app']?.targets?.['typecheck']?.command).toBe(
      'uv run --locked --package web-app --exact python -m mypy --config-file ../../mypy.ini .',
    );
    expect(rootIni['web-app']?.targets?.['typecheck']?.inputs).toContain(
      '{workspaceRoot}/py/mypy.ini',
    );
    clearNodesMemoryCache();

    const grouped = await infer(
      workspace({ 'py/pyproject.toml': `${ROOT}\n[dependency-groups]\ndev = ["mypy"]\n` }),
    );
    expect(grouped['util']?.targets?.['typecheck']?.command).toBe(
      'uv run --locked --package util --group dev --exact python -m mypy .',
    );
    expect(targetNames(grouped['util'])).toEqual(['typecheck']);
  });

  it('infers typecheck with pyright from pyrightconfig.json or [tool.pyright]; mypy wins when both are set up', async () => {
    const projects = await infer(
      workspace({
        'py/pyrightconfig.json': '{ "typeCheckingMode": "strict" }\n',
        'py/libs/util/pyproject.toml': `${UV_WORKSPACE['py/libs/util/pyproject.toml']}\n[tool.pyright]\nstrict = ["."]\n`,
        'py/libs/core/mypy.ini': '[mypy]\n',
      }),
    );
    expect(projects['web-app']?.targets?.['typecheck']?.command).toBe(
      'uv run --locked --package web-app --exact python -m pyright --project ../../pyrightconfig.json .',
    );
    expect(projects['util']?.targets?.['typecheck']?.command).toBe(
      'uv run --locked --package util --exact python -m pyright',
    );
    expect(projects['util']?.targets?.['typecheck']?.metadata?.['description']).toMatch(/pyright/);
    expect(projects['core-lib']?.targets?.['typecheck']?.command).toBe(
      `${CORE_ENV} python -m mypy .`,
    );
  });

  it('before uv lock, says what to run first (uncached), like the test target', async () => {
    const root = writeWorkspace({ ...UV_WORKSPACE, 'py/ruff.toml': '' });
    roots.push(root);
    const lint = (await infer(root))['util']?.targets?.['lint'];
    expect(lint?.cache).toBe(false);
    expect(lint?.command).toContain(
      "util: py/uv.lock does not exist yet, so there is no environment to lint in: run 'uv lock' in py, then 'nx sync', then 'nx lint util' again",
    );
  });

  it('names the targets as configured, infers none when set to false, and rejects two targets of one name', async () => {
    const root = workspace({ 'py/ruff.toml': '', 'py/mypy.ini': '[mypy]\n' });
    const renamed = await infer(root, {
      lintTargetName: 'ruff',
      formatTargetName: false,
      formatCheckTargetName: 'fmt-check',
      typecheckTargetName: 'mypy',
    });
    expect(targetNames(renamed['util'])).toEqual(['fmt-check', 'mypy', 'ruff']);
    clearNodesMemoryCache();
    const none = await infer(root, {
      lintTargetName: false,
      formatTargetName: false,
      formatCheckTargetName: false,
      typecheckTargetName: false,
    });
    expect(targetNames(none['util'])).toEqual([]);
    expect(none['util']?.metadata?.['pexkit']).not.toHaveProperty('checks');
    await expect(infer(root, { lintTargetName: 'test' })).rejects.toThrow(
      /options testTargetName and lintTargetName are both "test"/,
    );
  });

  it('infers again when a tool configuration file appears (part of the nodes cache key)', async () => {
    const root = workspace();
    expect(targetNames((await infer(root))['util'])).toEqual([]);
    clearNodesMemoryCache();
    writeFile(root, 'py/libs/util/.ruff.toml', '');
    expect(targetNames((await infer(root))['util'])).toEqual(['format', 'format-check', 'lint']);
  });

  it('has `nx sync` write the lock subsets of a project whose only uv targets are the checks', async () => {
    const projects = await infer(workspace({ 'py/libs/util/ruff.toml': '' }));
    const util = lockSubsetProjects(projects).find((p) => p.name === 'util');
    expect(util?.test).toEqual({ target: 'lint', rootGroups: [], ownGroups: [] });
  });
});
