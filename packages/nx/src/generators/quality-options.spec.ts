import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CreateNodesResult, Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applicationGenerator } from './application/application.js';
import { libraryGenerator } from './library/library.js';
import { createNodes } from '../plugins/plugin.js';
import { clearNodesMemoryCache } from '../plugins/lib/nodes-cache.js';
import { nodesContext } from '../testing/workspace-fixture.js';
import { nextStepsText, normalizePythonProject } from '../utils/python-project-generator.js';

type Toml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function toml(tree: Tree, path: string): Toml {
  return parse(tree.read(path, 'utf-8') ?? '') as Toml;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  clearNodesMemoryCache();
});

/** Writes the tree's Python files (and an empty uv.lock) to disk and infers their targets. */
async function inferredTargets(tree: Tree): Promise<Record<string, string[]>> {
  const root = mkdtempSync(join(tmpdir(), 'pexkit-gen-'));
  dirs.push(root);
  const files: string[] = [];
  for (const change of tree.listChanges()) {
    if (change.content === null) continue;
    mkdirSync(dirname(join(root, change.path)), { recursive: true });
    writeFileSync(join(root, change.path), change.content);
    if (change.path.endsWith('pyproject.toml')) files.push(change.path);
  }
  writeFileSync(join(root, 'uv.lock'), 'version = 1\n');
  const results = await createNodes[1](files, {}, nodesContext(root));
  const out: Record<string, string[]> = {};
  for (const [, r] of results as ReadonlyArray<readonly [string, CreateNodesResult]>)
    for (const p of Object.values(r.projects ?? {}))
      out[p.name ?? ''] = Object.keys(p.targets ?? {}).sort();
  return out;
}

describe('application and library generators: quality tool options', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    tree.delete('.oxfmtrc.json');
    tree.write('.prettierrc', '{}\n');
  });

  it('set up ruff by default: the root dev group, a [tool.ruff] section, the inferred ruff targets', async () => {
    await applicationGenerator(tree, { name: 'svc', directory: 'apps/svc' });
    const root = toml(tree, 'pyproject.toml');
    expect(root['dependency-groups'].dev).toEqual(['pytest>=8', 'ruff>=0.6']);
    const project = toml(tree, 'apps/svc/pyproject.toml');
    expect(project['tool'].ruff['line-length']).toBe(100);
    expect(project['tool'].ruff.lint.select).toContain('I');
    expect(project['tool'].mypy).toBeUndefined();
    expect(tree.read('.gitignore', 'utf-8')).toContain('.ruff_cache/');
    expect(await inferredTargets(tree)).toEqual({
      svc: ['build', 'format', 'format-check', 'inspect', 'lint', 'smoke', 'test'],
    });
    const steps = nextStepsText(
      normalizePythonProject(tree, { name: 'other' }, 'application'),
      'application',
    );
    expect(steps).toContain('nx run-many -t lint format-check -p other');
    expect(steps).not.toContain('nx typecheck');
  });

  it('set up mypy or pyright with --typeChecker, once in the root dev group, with a py.typed marker', async () => {
    await libraryGenerator(tree, { name: 'core', directory: 'libs/core', typeChecker: 'mypy' });
    await applicationGenerator(tree, { name: 'api', directory: 'apps/api', typeChecker: 'mypy' });
    await libraryGenerator(tree, { name: 'ui', directory: 'libs/ui', typeChecker: 'pyright' });
    expect(toml(tree, 'pyproject.toml')['dependency-groups'].dev).toEqual([
      'pytest>=8',
      'ruff>=0.6',
      'mypy>=1.10',
      'pyright>=1.1.380',
    ]);
    expect(toml(tree, 'libs/core/pyproject.toml')['tool'].mypy).toEqual({ strict: true });
    expect(toml(tree, 'libs/ui/pyproject.toml')['tool'].pyright).toEqual({
      typeCheckingMode: 'strict',
    });
    expect(tree.exists('libs/core/src/core/py.typed')).toBe(true);
    expect(tree.read('apps/api/src/api/cli.py', 'utf-8')).toContain(
      'def main(argv: list[str] | None = None) -> int:',
    );
    const targets = await inferredTargets(tree);
    expect(targets['core']).toEqual(['format', 'format-check', 'lint', 'test', 'typecheck']);
    expect(targets['api']).toContain('typecheck');
  });

  it('--linter=none adds no ruff; a root ruff configuration replaces the project section', async () => {
    await libraryGenerator(tree, { name: 'plain', linter: 'none' });
    expect(toml(tree, 'pyproject.toml')['dependency-groups'].dev).toEqual(['pytest>=8']);
    expect(toml(tree, 'plain/pyproject.toml')['tool']).toBeUndefined();
    expect(await inferredTargets(tree)).toEqual({ plain: ['test'] });

    tree.write('ruff.toml', 'line-length = 88\n');
    await libraryGenerator(tree, { name: 'styled' });
    expect(toml(tree, 'styled/pyproject.toml')['tool']).toBeUndefined();
    expect(toml(tree, 'pyproject.toml')['dependency-groups'].dev).toEqual([
      'pytest>=8',
      'ruff>=0.6',
    ]);
  });

  it('keeps a ruff the root lists in another group, and rejects what it cannot edit or bad values', async () => {
    tree.write(
      'pyproject.toml',
      '[tool.uv.workspace]\nmembers = []\n\n[dependency-groups]\nlint = ["ruff==0.6.9"]\n',
    );
    await libraryGenerator(tree, { name: 'a' });
    expect(toml(tree, 'pyproject.toml')['dependency-groups']).toEqual({ lint: ['ruff==0.6.9'] });
    tree.write(
      'pyproject.toml',
      '[tool.uv.workspace]\nmembers = []\n\n[dependency-groups]\ndev = [{include-group = "lint"}]\nlint = ["pytest"]\n',
    );
    await expect(libraryGenerator(tree, { name: 'b', typeChecker: 'mypy' })).rejects.toThrow(
      /\[dependency-groups\] dev is not a plain list of requirements; add "ruff>=0.6", "mypy>=1.10"/,
    );
    await expect(
      libraryGenerator(tree, { name: 'c', typeChecker: 'pytype' as 'mypy' }),
    ).rejects.toThrow(/--typeChecker must be 'mypy', 'pyright' or 'none', got "pytype"/);
    await expect(libraryGenerator(tree, { name: 'd', linter: 'flake8' as 'ruff' })).rejects.toThrow(
      /--linter must be 'ruff' or 'none'/,
    );
  });
});
