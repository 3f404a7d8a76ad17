import { readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parse } from 'smol-toml';
import { beforeEach, describe, expect, it } from 'vitest';
import { applicationGenerator } from './application/application.js';
import { configurationGenerator } from './configuration/configuration.js';
import { initGenerator } from './init/init.js';
import { libraryGenerator } from './library/library.js';
import { nextStepsText, normalizePythonProject } from '../utils/python-project-generator.js';

type Toml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function toml(tree: Tree, path: string): Toml {
  return parse(tree.read(path, 'utf-8') ?? '') as Toml;
}

function pluginEntries(tree: Tree) {
  return (readNxJson(tree)?.plugins ?? []).filter(
    (p) => (typeof p === 'string' ? p : p.plugin) === '@pexkit/nx/plugin',
  );
}

describe('generators', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    // Nx 23's empty workspace formats with oxfmt, not installed here; format with prettier instead.
    tree.delete('.oxfmtrc.json');
    tree.write('.prettierrc', '{}\n');
  });

  it('init registers the plugin in nx.json once', async () => {
    await initGenerator(tree, {});
    await initGenerator(tree, { buildTargetName: 'pex' });
    expect(pluginEntries(tree)).toEqual([
      { plugin: '@pexkit/nx/plugin', options: { buildTargetName: 'build' } },
    ]);
  });

  it('init adds a production named input without Python tests, or completes an existing one', async () => {
    const nxJson = readNxJson(tree) ?? {};
    delete nxJson.namedInputs;
    updateNxJson(tree, nxJson);
    await initGenerator(tree, {});
    const production = readNxJson(tree)?.namedInputs?.['production'];
    expect(production?.[0]).toBe('default');
    expect(production).toContain('!{projectRoot}/tests/**/*');
    expect(production).toContain('!{projectRoot}/**/test_*.py');
    expect(production).toContain('!{projectRoot}/**/conftest.py');
    // An existing one keeps its own entries and gains only the missing Python patterns, once.
    updateNxJson(tree, {
      ...readNxJson(tree),
      namedInputs: {
        default: ['{projectRoot}/**/*'],
        production: ['default', '!{projectRoot}/**/*.spec.ts'],
      },
    });
    await initGenerator(tree, {});
    await initGenerator(tree, {});
    const again = readNxJson(tree)?.namedInputs?.['production'] ?? [];
    expect(again.slice(0, 2)).toEqual(['default', '!{projectRoot}/**/*.spec.ts']);
    expect(again.filter((p) => p === '!{projectRoot}/tests/**/*')).toHaveLength(1);
  });

  it('application and library print the next steps (uv lock, nx sync, a dependency, nx build)', () => {
    const app = nextStepsText(
      normalizePythonProject(tree, { name: 'my-app', directory: 'apps/my-app' }, 'application'),
      'application',
    );
    expect(app).toMatch(/^ {2}uv lock /m);
    expect(app).toMatch(/^ {2}nx sync /m);
    expect(app).toContain('uv add --package my-app <library>');
    expect(app).toContain('nx build my-app');
    expect(app).toContain('dist/apps/my-app/my-app.pex');
    const lib = nextStepsText(
      normalizePythonProject(tree, { name: 'my-lib' }, 'library'),
      'library',
    );
    expect(lib).toContain('uv add --package <app> my-lib');
    expect(lib).not.toContain('nx build');
  });

  it('application writes a PEP 621 project with a console script, a package and a test, and joins the uv workspace', async () => {
    await applicationGenerator(tree, {
      name: 'My-Service',
      directory: 'apps/my-service',
      skipFormat: true,
    });
    const project = toml(tree, 'apps/my-service/pyproject.toml');
    expect(project['project'].name).toBe('My-Service');
    expect(project['project'].scripts).toEqual({ 'my-service': 'my_service.cli:main' });
    expect(project['project']['requires-python']).toBe('>=3.9');
    expect(project['project'].description).toBe('The My-Service application');
    expect(tree.exists('apps/my-service/src/my_service/__init__.py')).toBe(true);
    expect(tree.read('apps/my-service/src/my_service/cli.py', 'utf-8')).toContain('def main(');
    expect(tree.read('apps/my-service/tests/test_my_service.py', 'utf-8')).toContain(
      'from my_service.cli import greet, main',
    );
    expect(toml(tree, 'pyproject.toml')['tool'].uv.workspace.members).toEqual(['apps/my-service']);
    expect(pluginEntries(tree)).toHaveLength(1);
    expect(tree.read('.gitignore', 'utf-8')).toContain('.venv/');
  });

  it('library writes a project without scripts and appends to the existing workspace members', async () => {
    await applicationGenerator(tree, { name: 'api', directory: 'apps/api', skipFormat: true });
    await libraryGenerator(tree, {
      name: 'shared_utils',
      directory: 'libs/shared',
      description: 'Say "hi" <&> """x"""',
      skipFormat: true,
    });
    const lib = toml(tree, 'libs/shared/pyproject.toml');
    expect(lib['project'].description).toBe('Say "hi" <&> """x"""');
    expect(tree.read('libs/shared/src/shared_utils/__init__.py', 'utf-8')).toContain(
      '"""Say "hi" <&> \\"\\"\\"x\\"\\"\\".',
    );
    expect(lib['project'].scripts).toBeUndefined();
    expect(tree.read('libs/shared/src/shared_utils/__init__.py', 'utf-8')).toContain('def hello(');
    expect(toml(tree, 'pyproject.toml')['tool'].uv.workspace.members).toEqual([
      'apps/api',
      'libs/shared',
    ]);
  });

  it('rejects invalid names and existing projects', async () => {
    await expect(
      applicationGenerator(tree, { name: 'bad name', skipFormat: true }),
    ).rejects.toThrow(/--name must be a valid Python project name/);
    await expect(libraryGenerator(tree, { name: '9lives', skipFormat: true })).rejects.toThrow(
      /cannot start with a digit/,
    );
    await libraryGenerator(tree, { name: 'dup', skipFormat: true });
    await expect(libraryGenerator(tree, { name: 'dup', skipFormat: true })).rejects.toThrow(
      /dup\/pyproject.toml already exists/,
    );
  });

  it('configuration adds a [tool.pexkit] entry point to a project found by name', async () => {
    await libraryGenerator(tree, { name: 'worker', directory: 'libs/worker', skipFormat: true });
    await configurationGenerator(tree, {
      project: 'worker',
      entryPoint: 'worker:hello',
      targets: 'current, manylinux2014_x86_64-cp-311-cp311',
      skipFormat: true,
    });
    expect(toml(tree, 'libs/worker/pyproject.toml')['tool'].pexkit).toEqual({
      'entry-point': 'worker:hello',
      targets: ['current', 'manylinux2014_x86_64-cp-311-cp311'],
    });
    await configurationGenerator(tree, {
      project: 'libs/worker',
      entryPoint: 'worker.main',
      skipFormat: true,
    });
    expect(toml(tree, 'libs/worker/pyproject.toml')['tool'].pexkit['entry-point']).toBe(
      'worker.main',
    );
  });

  it('configuration needs an entry point for a project without console scripts', async () => {
    await libraryGenerator(tree, { name: 'worker', skipFormat: true });
    await expect(
      configurationGenerator(tree, { project: 'worker', skipFormat: true }),
    ).rejects.toThrow(/has no \[project.scripts\]; give --entryPoint/);
    await expect(
      configurationGenerator(tree, { project: 'nothing', skipFormat: true }),
    ).rejects.toThrow(/no Python project 'nothing'/);
  });
});
