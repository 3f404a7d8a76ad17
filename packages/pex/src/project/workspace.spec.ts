import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/python-tools.js';
import {
  expandMemberGlob,
  findWorkspace,
  firstPartyClosure,
  resolveFirstParty,
} from './workspace.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ws-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe('findWorkspace', () => {
  it('finds the examples workspace from a member', () => {
    const ws = findWorkspace(join(REPO_ROOT, 'examples/hello-service/src/hello_service'));
    expect(ws.root).toBe(join(REPO_ROOT, 'examples'));
    expect([...ws.members.keys()].sort()).toEqual(['greeting', 'hello-service']);
    const { projects, requirements } = resolveFirstParty(ws, 'hello-service');
    expect(projects.map((p) => p.name)).toEqual(['hello-service', 'greeting']);
    expect(projects[0]?.scripts).toEqual({ 'hello-service': 'hello_service.cli:main' });
    expect(requirements).toEqual(['click>=8.1', 'rich>=13', 'attrs>=23.1']);
  });

  it('globs members, honours exclude, path sources, extras and cycles', () => {
    const root = tree({
      'pyproject.toml':
        '[tool.uv.workspace]\nmembers = ["libs/*", "apps/app"]\nexclude = ["libs/skip"]\n[tool.uv.sources]\nb = { workspace = true }\n',
      'libs/a/pyproject.toml':
        '[project]\nname = "a"\nversion = "1"\ndependencies = ["b", "six"]\n[project.optional-dependencies]\nx = ["ext-dep", "c"]\n[tool.uv.sources]\nc = { path = "../../outside/c" }\n',
      'libs/b/pyproject.toml':
        '[project]\nname = "b"\nversion = "2"\ndependencies = ["a", "requests>=2"]\n[tool.uv.sources]\na = { workspace = true }\n',
      'libs/skip/pyproject.toml': '[project]\nname = "skip"\nversion = "1"\n',
      'libs/nodir.txt': '',
      'outside/c/pyproject.toml':
        '[project]\nname = "c"\nversion = "3"\ndependencies = ["numpy; python_version >= \'3.10\'"]\n',
      'apps/app/pyproject.toml':
        '[project]\nname = "app"\nversion = "0.1"\ndependencies = ["a[x]", "b"]\n[tool.uv.sources]\na = { workspace = true }\nb = { workspace = true }\n',
      'apps/app/src/app/__init__.py': '',
    });
    expect(expandMemberGlob(root, 'libs/*')).toEqual([
      join(root, 'libs/a'),
      join(root, 'libs/b'),
      join(root, 'libs/skip'),
    ]);
    const ws = findWorkspace(join(root, 'apps/app/src/app'));
    expect([...ws.members.keys()].sort()).toEqual(['a', 'app', 'b']);
    const res = resolveFirstParty(ws, 'app');
    expect(res.projects.map((p) => p.name)).toEqual(['app', 'a', 'b', 'c']);
    expect(res.projects[0]?.sourceRoots).toEqual([join(root, 'apps/app/src')]);
    expect(res.requirements).toEqual([
      'six',
      'ext-dep',
      'requests>=2',
      "numpy; python_version >= '3.10'",
    ]);
    // `b` depends on `a` through the root's [tool.uv.sources]; no extras requested → no `c`.
    expect(firstPartyClosure(ws, 'b').map((p) => p.name)).toEqual(['b', 'a']);
    expect(() => resolveFirstParty(ws, 'nope')).toThrow(
      /project 'nope' is not in this workspace \(members: a, app, b\)/,
    );
    expect(() => resolveFirstParty(ws, 'a', ['missing'])).toThrow(/no extra 'missing' in a/);
  });

  it('treats a lone project as a workspace of one', () => {
    const root = tree({
      'p/pyproject.toml': '[project]\nname = "solo"\nversion = "1"\ndependencies = ["attrs"]\n',
    });
    const ws = findWorkspace(join(root, 'p'));
    expect(ws.root).toBe(join(root, 'p'));
    expect(resolveFirstParty(ws, 'solo').requirements).toEqual(['attrs']);
  });

  it('rejects a listed member without pyproject.toml', () => {
    const root = tree({
      'pyproject.toml': '[tool.uv.workspace]\nmembers = ["gone"]\n',
      'gone/x.txt': '',
    });
    expect(() => findWorkspace(root)).toThrow(/members: 'gone' has no pyproject\.toml/);
  });
});
