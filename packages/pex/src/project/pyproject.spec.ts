import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/python-tools.js';
import { parsePyproject, PyprojectError, readPyproject } from './pyproject.js';

const FULL = `
[project]
name = "Hello_Service"
version = "1.2.3"
requires-python = ">=3.9"
dependencies = ["greeting", "click>=8.1", 'colorama; sys_platform == "win32"']
dynamic = []

[project.optional-dependencies]
Fast = ["orjson>=3"]

[project.scripts]
hello = "hello_service.cli:main"

[project.gui-scripts]
hello-gui = "hello_service.gui:main"

[project.entry-points."pexkit.plugins"]
one = "hello_service.plugins:one"

[dependency-groups]
dev = ["pytest>=8", { include-group = "lint" }]
lint = ["ruff"]

[tool.uv.sources]
greeting = { workspace = true }
Other_Lib = { path = "../other", editable = true }
multi = [{ index = "a", marker = "sys_platform == 'linux'" }, { index = "b" }]

[tool.uv.workspace]
members = ["packages/*"]
exclude = ["packages/skip"]

[tool.pexkit]
entry-point = "hello_service.cli:main"
`;

describe('parsePyproject', () => {
  it('reads PEP 621 metadata and uv settings', () => {
    const info = parsePyproject(FULL, '/ws/app/pyproject.toml');
    expect(info.name).toBe('hello-service');
    expect(info.displayName).toBe('Hello_Service');
    expect(info.version).toBe('1.2.3');
    expect(info.requiresPython).toBe('>=3.9');
    expect(info.dependencies).toEqual([
      'greeting',
      'click>=8.1',
      'colorama; sys_platform == "win32"',
    ]);
    expect(info.optionalDependencies).toEqual({ fast: ['orjson>=3'] });
    expect(info.scripts).toEqual({ hello: 'hello_service.cli:main' });
    expect(info.guiScripts).toEqual({ 'hello-gui': 'hello_service.gui:main' });
    expect(info.entryPoints).toEqual({ 'pexkit.plugins': { one: 'hello_service.plugins:one' } });
    expect(info.dependencyGroups).toEqual({
      dev: ['pytest>=8', { includeGroup: 'lint' }],
      lint: ['ruff'],
    });
    expect(info.uvSources).toEqual({
      greeting: { workspace: true },
      'other-lib': { path: '../other', editable: true },
      multi: { index: 'a', marker: "sys_platform == 'linux'" },
    });
    expect(info.uvWorkspace).toEqual({ members: ['packages/*'], exclude: ['packages/skip'] });
    expect(info.pexkit).toEqual({ 'entry-point': 'hello_service.cli:main' });
    expect(info.sourceRoots).toEqual(['/ws/app']);
  });

  it('uses src/ when present, or [tool.pexkit] source-roots', () => {
    const text = '[project]\nname = "a"\nversion = "1"\n';
    expect(parsePyproject(text, '/x/pyproject.toml', (d) => d === '/x/src').sourceRoots).toEqual([
      '/x/src',
    ]);
    const custom = `${text}[tool.pexkit]\nsource-roots = ["lib", "gen"]\n`;
    expect(parsePyproject(custom, '/x/pyproject.toml').sourceRoots).toEqual(['/x/lib', '/x/gen']);
  });

  it('accepts a dynamic version', () => {
    const info = parsePyproject(
      '[project]\nname = "a"\ndynamic = ["version"]\n',
      '/x/pyproject.toml',
    );
    expect(info.version).toBe('0.0.0');
    expect(info.dynamicVersion).toBe(true);
  });

  it('names the file, line and column of a TOML syntax error', () => {
    const bad = '[project]\nname = "a"\nversion = "1"\ndependencies = ["x",\n';
    expect(() => parsePyproject(bad, '/p/pyproject.toml')).toThrow(PyprojectError);
    expect(() => parsePyproject(bad, '/p/pyproject.toml')).toThrow(
      /^\/p\/pyproject\.toml:5:1: invalid TOML/,
    );
    const dup = '[project]\nname = "a"\nname = "b"\n';
    expect(() => parsePyproject(dup, 'dup.toml')).toThrow(/^dup\.toml:3:\d+: invalid TOML/);
  });

  it('names the key and line of a schema error', () => {
    const notList = '[project]\nname = "a"\nversion = "1"\ndependencies = "click"\n';
    expect(() => parsePyproject(notList, 'p.toml')).toThrow(
      /^p\.toml:4: project\.dependencies: expected an array/,
    );
    const badScript = '[project]\nname = "a"\nversion = "1"\n\n[project.scripts]\nx = 1\n';
    expect(() => parsePyproject(badScript, 'p.toml')).toThrow(
      /^p\.toml:6: project\.scripts\.x: expected a string/,
    );
    // A missing key is named as missing (it was "expected a string, got undefined undefined").
    expect(() => parsePyproject('[project]\nversion = "1"\n', 'p.toml')).toThrow(
      /^p\.toml: project\.name: missing \(a string is required\)$/,
    );
    expect(() => parsePyproject('[project]\nname = 1\nversion = "1"\n', 'p.toml')).toThrow(
      /^p\.toml:2: project\.name: expected a string, got number 1$/,
    );
    expect(() => parsePyproject('[project]\nname = "a"\n', 'p.toml')).toThrow(
      /project\.version: missing/,
    );
    expect(() => parsePyproject('[project]\nname = "-bad-"\nversion="1"\n', 'p.toml')).toThrow(
      /invalid project name/,
    );
    expect(() => parsePyproject('[tool.x]\na = 1\n', 'p.toml')).toThrow(
      /^p\.toml: no \[project\] table/,
    );
    const badReq =
      '[project]\nname = "a"\nversion = "1"\ndependencies = [\n  "ok>=1",\n  "bad ==",\n]\n';
    expect(() => parsePyproject(badReq, 'p.toml')).toThrow(
      /^p\.toml:6: project\.dependencies\[1\]: Invalid requirement/,
    );
    const badPy = '[project]\nname = "a"\nversion = "1"\nrequires-python = ">=three"\n';
    expect(() => parsePyproject(badPy, 'p.toml')).toThrow(/^p\.toml:4: project\.requires-python: /);
    const ws = '[project]\nname = "a"\nversion = "1"\n[tool.uv.workspace]\nmembers = "x"\n';
    expect(() => parsePyproject(ws, 'p.toml')).toThrow(
      /tool\.uv\.workspace\.members: expected an array/,
    );
  });
});

describe('readPyproject', () => {
  it('reads the example app from a directory', () => {
    const info = readPyproject(join(REPO_ROOT, 'examples/hello-service'));
    expect(info.name).toBe('hello-service');
    expect(info.sourceRoots).toEqual([join(REPO_ROOT, 'examples/hello-service/src')]);
    expect(info.uvSources['greeting']).toEqual({ workspace: true });
  });

  it('reports a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyproject-'));
    mkdirSync(join(dir, 'empty'));
    expect(() => readPyproject(join(dir, 'empty'))).toThrow(
      /empty\/pyproject\.toml: file not found/,
    );
    writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "z"\nversion = "2"\n');
    expect(readPyproject(dir).sourceRoots).toEqual([dir]);
  });
});
