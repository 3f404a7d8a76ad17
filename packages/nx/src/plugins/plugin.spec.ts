import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AggregateCreateNodesError,
  type CreateNodesResult,
  type ProjectConfiguration,
} from '@nx/devkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDependencies, createNodes, createNodesV2 } from './plugin.js';
import { clearNodesMemoryCache } from './lib/nodes-cache.js';
import { clearDependenciesMemoryCache } from './lib/dependencies-cache.js';
import { ImportCache } from './lib/import-cache.js';
import { CURRENT_PYTHON_INPUT, pythonRuntimeKey } from './lib/infer-projects.js';
import { PYTEST_COMMAND } from './lib/test-target.js';
import {
  dependenciesContext,
  nodesContext,
  removeWorkspace,
  UV_WORKSPACE,
  UV_WORKSPACE_FILES,
  writeFile,
  writeWorkspace,
} from '../testing/workspace-fixture.js';
import type { PexkitPluginOptions } from './lib/options.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) removeWorkspace(r);
  clearNodesMemoryCache();
  clearDependenciesMemoryCache();
});

function workspace(files: Record<string, string>): string {
  const root = writeWorkspace(files);
  roots.push(root);
  return root;
}

async function infer(
  root: string,
  files: string[],
  options?: PexkitPluginOptions,
  namedInputs?: Record<string, string[]>,
) {
  const results = await createNodes[1](files, options, nodesContext(root, namedInputs));
  return projectsOf(results);
}

function projectsOf(
  results: ReadonlyArray<readonly [string, CreateNodesResult]>,
): Record<string, ProjectConfiguration> {
  const out: Record<string, ProjectConfiguration> = {};
  for (const [, r] of results) {
    for (const [root, p] of Object.entries(r.projects ?? {}))
      out[p.name ?? root] = { ...p, root } as ProjectConfiguration;
  }
  return out;
}

const LOCK = readFileSync(new URL('../../../../examples/uv.lock', import.meta.url), 'utf8');

describe('createNodes', () => {
  it('is the same batched function under both export names, over pyproject.toml files', () => {
    expect(createNodes[0]).toBe('**/pyproject.toml');
    expect(createNodesV2).toBe(createNodes);
  });

  it('exports a name, which Nx 21 and 22.0–22.6 would otherwise assign on the frozen module', async () => {
    const plugin: { name?: string } = await import('./plugin.js');
    expect(plugin.name).toBe('@pexkit/nx/plugin');
    // What those Nx versions run on the loaded module (`plugin.name ??= moduleName`).
    expect(() => {
      plugin.name ??= '@pexkit/nx/plugin';
    }).not.toThrow();
  });

  it('turns each pyproject.toml with a [project] into a Python project; only apps get a PEX target', async () => {
    const root = workspace(UV_WORKSPACE);
    const projects = await infer(root, UV_WORKSPACE_FILES);
    expect(Object.keys(projects).sort()).toEqual(['core-lib', 'util', 'web-app']);
    const app = projects['web-app'] as ProjectConfiguration;
    expect(app.root).toBe('py/apps/web');
    expect(app.projectType).toBe('application');
    expect(app.metadata?.technologies).toEqual(['python']);
    expect(app.metadata?.['pexkit']).toEqual({
      pythonName: 'web-app',
      sourceRoots: ['py/apps/web/src'],
      dependencies: [{ name: 'core-lib', root: 'py/libs/core' }],
      uvWorkspaceRoot: 'py',
    });
    const build = app.targets?.['build'];
    expect(build?.executor).toBe('@pexkit/nx:pex');
    expect(build?.cache).toBe(true);
    expect(build?.outputs).toEqual(['{workspaceRoot}/dist/{projectRoot}']);
    // [tool.pexkit] options (kebab-case keys) become executor options.
    expect(build?.options).toMatchObject({
      targets: ['current', 'manylinux2014_aarch64-cp-311-cp311'],
      compress: false,
    });
    expect(build?.inputs).toContain('default');
    expect(build?.inputs).toContain('^default');
    expect(build?.inputs).toContain('!{projectRoot}/tests/**/*');
    // The lock enters through the project's lock-subset file (`nx sync`); neither uv.lock nor the
    // uv root pyproject.toml is an input (a comment there must affect no project).
    expect(build?.inputs).toContain('{projectRoot}/pexkit.lock-subset');
    expect(build?.inputs).not.toContain('{workspaceRoot}/py/pyproject.toml');
    expect(build?.inputs).not.toContain('{workspaceRoot}/py/uv.lock');
    expect(build?.syncGenerators).toEqual(['@pexkit/nx:sync']);
    expect(build?.options).not.toHaveProperty('lockSubsetHash');
    // The only cache key part outside the workspace: for the default `current` target, the
    // machine's python3. Not Node's version or CPU: the PEX bytes do not depend on them.
    expect(build?.inputs).toContainEqual(CURRENT_PYTHON_INPUT);
    expect(JSON.stringify(build?.inputs)).not.toMatch(/node|process\.(version|arch)/);
    expect(projects['core-lib']?.targets).toEqual({});
    expect(projects['core-lib']?.projectType).toBe('library');
    // A flat layout (no src/) has the project root as its source root.
    expect(
      (projects['util']?.metadata?.['pexkit'] as { sourceRoots: string[] }).sourceRoots,
    ).toEqual(['py/libs/util']);
  });

  it('keeps absolute paths and times out of the inferred configuration', async () => {
    const root = workspace({ ...UV_WORKSPACE, 'py/uv.lock': LOCK });
    const results = await createNodes[1](UV_WORKSPACE_FILES, {}, nodesContext(root));
    expect(JSON.stringify(results)).not.toContain(root);
  });

  it('keys the cache on the machine python only when a target is `current`', async () => {
    const explicit = UV_WORKSPACE['py/apps/web/pyproject.toml']!.replace('"current", ', '');
    const root = workspace({ ...UV_WORKSPACE, 'py/apps/web/pyproject.toml': explicit });
    const inputs = (await infer(root, UV_WORKSPACE_FILES))['web-app']?.targets?.['build']?.inputs;
    expect(inputs).not.toContainEqual(CURRENT_PYTHON_INPUT);
    expect(inputs?.filter((i) => typeof i !== 'string')).toEqual([]);
  });

  it('keys the cache on the configured interpreters instead of python3', async () => {
    const withPython = UV_WORKSPACE['py/apps/web/pyproject.toml']!.replace(
      '[tool.pexkit]',
      "[tool.pexkit]\npython = ['python3.12', '/opt/my py/bin/pypy3']",
    );
    const root = workspace({ ...UV_WORKSPACE, 'py/apps/web/pyproject.toml': withPython });
    const build = (await infer(root, UV_WORKSPACE_FILES))['web-app']?.targets?.['build'];
    expect(build?.options).toMatchObject({ python: ['python3.12', '/opt/my py/bin/pypy3'] });
    expect(build?.inputs).not.toContainEqual(CURRENT_PYTHON_INPUT);
    expect(build?.inputs).toContainEqual({ runtime: pythonRuntimeKey('python3.12') });
    expect(build?.inputs).toContainEqual({ runtime: pythonRuntimeKey("'/opt/my py/bin/pypy3'") });
  });

  it('uses the production named input when nx.json defines one', async () => {
    const root = workspace(UV_WORKSPACE);
    const projects = await infer(root, UV_WORKSPACE_FILES, {}, { production: ['default'] });
    expect(projects['web-app']?.targets?.['build']?.inputs?.slice(0, 1)).toEqual(['production']);
  });

  it('names the target as configured, or infers none', async () => {
    const root = workspace(UV_WORKSPACE);
    expect(
      Object.keys(
        (await infer(root, UV_WORKSPACE_FILES, { buildTargetName: 'pex' }))['web-app']?.targets ??
          {},
      ),
    ).toEqual(['pex', 'inspect', 'smoke', 'test']);
    expect(
      Object.keys(
        (await infer(root, UV_WORKSPACE_FILES, { buildTargetName: false }))['web-app']?.targets ??
          {},
      ),
    ).toEqual(['test']);
    const byDir = await infer(root, UV_WORKSPACE_FILES, { projectNameSource: 'directory' });
    expect(Object.keys(byDir).sort()).toEqual(['core', 'util', 'web']);
  });

  it('gives projects with tests a pytest target run through uv, once the uv workspace is locked', async () => {
    const files = {
      ...UV_WORKSPACE,
      'py/libs/core/tests/test_core.py': 'def test_x():\n    pass\n',
    };
    const root = workspace(files);
    const unlocked = await infer(root, UV_WORKSPACE_FILES);
    // Before `uv lock`: a test target that says what to run (not Nx's "Cannot find configuration").
    const before = unlocked['web-app']?.targets?.['test'];
    expect(before?.cache).toBe(false);
    expect(before?.command).toContain(
      "web-app: py/uv.lock does not exist yet, so there is no environment to test in: run 'uv lock' in py, then 'nx sync'",
    );
    expect(unlocked['web-app']?.metadata?.['pexkit']).not.toHaveProperty('test');

    writeFile(root, 'py/uv.lock', LOCK);
    clearNodesMemoryCache();
    const projects = await infer(root, UV_WORKSPACE_FILES);
    expect(Object.keys(projects['web-app']?.targets ?? {})).toEqual([
      'build',
      'inspect',
      'smoke',
      'test',
    ]);
    expect(Object.keys(projects['util']?.targets ?? {})).toEqual([]); // no tests/ directory
    const test = projects['core-lib']?.targets?.['test'];
    // An environment of its own (its closure, no other member's packages), in its .venv.
    expect(test?.command).toBe(
      'uv run --locked --package core-lib --exact python -m pytest -p no:cacheprovider',
    );
    expect(test?.options).toEqual({
      cwd: '{projectRoot}',
      env: { UV_PROJECT_ENVIRONMENT: 'libs/core/.venv' },
    });
    expect(test?.cache).toBe(true);
    expect(test?.inputs).toEqual([
      'default',
      '{projectRoot}/pexkit.lock-subset',
      '{workspaceRoot}/py/pexkit.test-groups.lock-subset',
      '^default',
      { runtime: 'uv --directory "py" python find --show-version' },
    ]);
    expect(test?.syncGenerators).toEqual(['@pexkit/nx:sync']);
    expect((projects['core-lib']?.metadata?.['pexkit'] as { test: unknown }).test).toEqual({
      target: 'test',
      rootGroups: [],
      ownGroups: [],
    });

    clearNodesMemoryCache();
    const renamed = await infer(root, UV_WORKSPACE_FILES, { testTargetName: 'pytest' });
    expect(Object.keys(renamed['core-lib']?.targets ?? {})).toEqual(['pytest']);
    clearNodesMemoryCache();
    const none = await infer(root, UV_WORKSPACE_FILES, { testTargetName: false });
    expect(none['core-lib']?.targets).toEqual({});
    await expect(
      infer(root, UV_WORKSPACE_FILES, { buildTargetName: 'ci', testTargetName: 'ci' }),
    ).rejects.toThrow(/buildTargetName and testTargetName are both "ci"/);
  });

  it("selects the root's default groups for a project's own test environment, or keeps the shared one when the project has a group of the same name", async () => {
    const root = workspace({
      ...UV_WORKSPACE,
      'py/pyproject.toml': `${UV_WORKSPACE['py/pyproject.toml']}\n[dependency-groups]\ndev = ["pytest>=8"]\nlint = ["ruff"]\n\n[tool.uv]\ndefault-groups = ["dev", "lint", "missing"]\n`,
      'py/libs/core/pyproject.toml': `${UV_WORKSPACE['py/libs/core/pyproject.toml']}\n[dependency-groups]\nlint = ["mypy"]\n`,
      'py/libs/core/tests/test_core.py': 'def test_x():\n    pass\n',
      'py/uv.lock': LOCK,
    });
    const projects = await infer(root, UV_WORKSPACE_FILES);
    expect(projects['web-app']?.targets?.['test']?.command).toBe(
      'uv run --locked --package web-app --group dev --group lint --exact python -m pytest -p no:cacheprovider',
    );
    // core-lib's own `lint` group would replace the root's in uv: the shared environment.
    expect(projects['core-lib']?.targets?.['test']?.command).toBe(PYTEST_COMMAND);
    expect(projects['core-lib']?.targets?.['test']?.options).toEqual({ cwd: '{projectRoot}' });
  });

  it('gives a library a target when [tool.pexkit] names an entry point', async () => {
    const root = workspace({
      'lib/pyproject.toml':
        '[project]\nname = "lib"\nversion = "1"\n\n[tool.pexkit]\nentry-point = "lib.main:run"\n',
    });
    const build = (await infer(root, ['lib/pyproject.toml']))['lib']?.targets?.['build'];
    expect(build?.options).toEqual({ entryPoint: 'lib.main:run' });
  });

  it('reports a malformed pyproject.toml with its file and line, and still returns the other projects', async () => {
    const root = workspace({
      ...UV_WORKSPACE,
      'py/libs/util/pyproject.toml':
        '[project]\nname = "util"\nversion = "0.1.0"\ndependencies = ["a",\n',
    });
    const error = await Promise.resolve(
      createNodes[1](UV_WORKSPACE_FILES, {}, nodesContext(root)),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AggregateCreateNodesError);
    const aggregate = error as AggregateCreateNodesError;
    expect(aggregate.errors).toHaveLength(1);
    const [file, cause] = aggregate.errors[0] ?? [];
    expect(file).toBe('py/libs/util/pyproject.toml');
    expect(cause?.message).toMatch(/py\/libs\/util\/pyproject\.toml:5/);
    expect(Object.keys(projectsOf(aggregate.partialResults)).sort()).toEqual([
      'core-lib',
      'web-app',
    ]);
  });

  it('reports a bad dependency group on the uv root; members keep their workspace and build, lose only the test target', async () => {
    const root = workspace({
      ...UV_WORKSPACE,
      'py/pyproject.toml': `${UV_WORKSPACE['py/pyproject.toml']}\n[dependency-groups]\ndev = [{include-group = "dev"}]\n`,
      'py/uv.lock': LOCK,
    });
    const error = await Promise.resolve(
      createNodes[1](UV_WORKSPACE_FILES, {}, nodesContext(root)),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AggregateCreateNodesError);
    const aggregate = error as AggregateCreateNodesError;
    expect(aggregate.errors.map(([file, cause]) => [file, cause.message])).toEqual([
      ['py/pyproject.toml', expect.stringMatching(/include cycle dev -> dev/)],
    ]);
    const app = projectsOf(aggregate.partialResults)['web-app'];
    expect(app?.metadata?.['pexkit']).toMatchObject({ uvWorkspaceRoot: 'py' });
    expect(Object.keys(app?.targets ?? {})).toEqual(['build', 'inspect', 'smoke']);
  });

  it('reports a schema error (bad [tool.pexkit] value) for that file only', async () => {
    const root = workspace({
      ...UV_WORKSPACE,
      'py/apps/web/pyproject.toml': `${UV_WORKSPACE['py/apps/web/pyproject.toml']}layout = "tarball"\n`,
    });
    const error = (await Promise.resolve(
      createNodes[1](UV_WORKSPACE_FILES, {}, nodesContext(root)),
    ).catch((e: unknown) => e)) as AggregateCreateNodesError;
    expect(error.errors.map(([f]) => f)).toEqual(['py/apps/web/pyproject.toml']);
    expect(error.errors[0]?.[1].message).toContain(
      'tool.pexkit.layout must be one of zipapp, packed, loose',
    );
    expect(Object.keys(projectsOf(error.partialResults)).sort()).toEqual(['core-lib', 'util']);
  });

  it('caches inferred nodes on disk keyed by the inputs, and recomputes when one changes', async () => {
    const root = workspace(UV_WORKSPACE);
    const first = await infer(root, UV_WORKSPACE_FILES);
    const cacheDir = join(root, '.nx', 'workspace-data', 'pexkit-nodes');
    expect(readdirSync(cacheDir)).toHaveLength(1);
    clearNodesMemoryCache();
    expect(await infer(root, UV_WORKSPACE_FILES)).toEqual(first);
    writeFile(
      root,
      'py/libs/util/pyproject.toml',
      '[project]\nname = "util"\nversion = "0.1.0"\n\n[project.scripts]\nu = "util:main"\n',
    );
    const changed = await infer(root, UV_WORKSPACE_FILES);
    expect(changed['util']?.targets?.['build']).toBeDefined();
  });

  it('keeps one cache file per key, parses only the one it uses, and keeps the newest 8', async () => {
    const root = workspace(UV_WORKSPACE);
    const cacheDir = join(root, '.nx', 'workspace-data', 'pexkit-nodes');
    const first = await infer(root, UV_WORKSPACE_FILES);
    const [firstFile] = readdirSync(cacheDir);
    for (let i = 0; i < 9; i++) {
      writeFile(
        root,
        'py/libs/util/pyproject.toml',
        `[project]\nname = "util"\nversion = "0.1.${i}"\n`,
      );
      await infer(root, UV_WORKSPACE_FILES);
    }
    // A warm run (fresh process) reads only its own entry: the others may be anything.
    expect(readdirSync(cacheDir)).toHaveLength(8);
    expect(readdirSync(cacheDir)).not.toContain(firstFile);
    for (const name of readdirSync(cacheDir))
      writeFile(root, `.nx/workspace-data/pexkit-nodes/${name}`, '{');
    writeFile(
      root,
      'py/libs/util/pyproject.toml',
      UV_WORKSPACE['py/libs/util/pyproject.toml'] ?? '',
    );
    await infer(root, UV_WORKSPACE_FILES);
    clearNodesMemoryCache();
    expect(await infer(root, UV_WORKSPACE_FILES)).toEqual(first);
  });
});

describe('createDependencies', () => {
  async function graph(files: Record<string, string>, options?: PexkitPluginOptions) {
    const root = workspace(files);
    const projects = await infer(
      root,
      Object.keys(files).filter((f) => f.endsWith('pyproject.toml')),
      options,
    );
    return createDependencies(options, dependenciesContext(root, projects));
  }

  it('adds a static edge, from the pyproject.toml, for each declared workspace dependency', async () => {
    const deps = await graph(UV_WORKSPACE, { inferImportDependencies: false });
    expect(deps).toEqual([
      {
        source: 'web-app',
        target: 'core-lib',
        type: 'static',
        sourceFile: 'py/apps/web/pyproject.toml',
      },
    ]);
  });

  it('adds edges from import statements, naming the importing file', async () => {
    const deps = await graph({
      ...UV_WORKSPACE,
      'py/libs/core/src/core_lib/extra.py': 'import util\n',
      'py/apps/web/src/web_app/other.py': 'from util import x\n',
    });
    expect(deps).toContainEqual({
      source: 'core-lib',
      target: 'util',
      type: 'static',
      sourceFile: 'py/libs/core/src/core_lib/extra.py',
    });
    expect(deps).toContainEqual({
      source: 'web-app',
      target: 'util',
      type: 'static',
      sourceFile: 'py/apps/web/src/web_app/other.py',
    });
    // The declared edge keeps its pyproject.toml source file (first seen wins).
    expect(deps.filter((d) => d.source === 'web-app' && d.target === 'core-lib')).toHaveLength(1);
  });

  it('reuses the edges of an unchanged graph without reading a file, and sees an edited import', async () => {
    const files = { ...UV_WORKSPACE, 'py/libs/core/src/core_lib/extra.py': 'import os\n' };
    const root = workspace(files);
    const pyprojects = Object.keys(files).filter((f) => f.endsWith('pyproject.toml'));
    const projects = await infer(root, pyprojects);
    const first = await createDependencies(undefined, dependenciesContext(root, projects));
    clearDependenciesMemoryCache();
    const read = vi.spyOn(ImportCache.prototype, 'modules');
    try {
      // A fresh process: the edges come from the on-disk cache, no Python file is looked at.
      expect(await createDependencies(undefined, dependenciesContext(root, projects))).toEqual(
        first,
      );
      expect(read).not.toHaveBeenCalled();
      writeFile(root, 'py/libs/core/src/core_lib/extra.py', 'import util\n');
      const edited = await createDependencies(undefined, dependenciesContext(root, projects));
      expect(edited).toContainEqual({
        source: 'core-lib',
        target: 'util',
        type: 'static',
        sourceFile: 'py/libs/core/src/core_lib/extra.py',
      });
      expect(read).toHaveBeenCalled();
    } finally {
      read.mockRestore();
    }
  });

  it('links nothing through a module that several projects provide (namespace packages)', async () => {
    const deps = await graph({
      'a/pyproject.toml': '[project]\nname = "a"\nversion = "1"\n',
      'a/src/ns/a.py': '',
      'b/pyproject.toml': '[project]\nname = "b"\nversion = "1"\n',
      'b/src/ns/b.py': '',
      'c/pyproject.toml': '[project]\nname = "c"\nversion = "1"\n',
      'c/src/c/__init__.py': 'import ns.a\n',
    });
    expect(deps).toEqual([]);
  });
});
