import { describe, expect, it } from 'vitest';
import {
  defaultGroupRequirements,
  expandDependencyGroups,
  uvDefaultGroupRequirements,
} from './dependency-groups.js';
import { parsePyproject, parsePyprojectToml, PyprojectError } from './pyproject.js';

function defaults(text: string): string[] {
  return uvDefaultGroupRequirements(
    parsePyprojectToml(text, 'p/pyproject.toml'),
    text,
    'p/pyproject.toml',
  );
}

describe('dependency groups', () => {
  it('installs dev by default, includes expanded once, in order', () => {
    const text = [
      '[dependency-groups]',
      'test = ["pytest>=8", "coverage"]',
      'lint = ["ruff"]',
      'Dev = [{include-group = "test"}, "ipython", "coverage"]',
      '',
    ].join('\n');
    expect(defaults(text)).toEqual(['pytest>=8', 'coverage', 'ipython']);
  });

  it("follows [tool.uv] default-groups, including 'all'", () => {
    const groups = '[dependency-groups]\ndev = ["a"]\nlint = ["b"]\n';
    expect(defaults(`${groups}\n[tool.uv]\ndefault-groups = ["lint"]\n`)).toEqual(['b']);
    expect(defaults(`${groups}\n[tool.uv]\ndefault-groups = "all"\n`)).toEqual(['a', 'b']);
    expect(defaults('[project]\nname = "x"\n')).toEqual([]);
    // A parsed project carries the setting: the same answer from PyprojectInfo.
    const text = `[project]\nname = "x"\nversion = "1"\n${groups}\n[tool.uv]\ndefault-groups = ["Lint"]\n`;
    const info = parsePyproject(text, '/w/x/pyproject.toml');
    expect(info.uvDefaultGroups).toEqual(['lint']);
    expect(
      defaultGroupRequirements(info.dependencyGroups, info.uvDefaultGroups, info.path),
    ).toEqual(['b']);
  });

  it('refuses include cycles and includes of undefined groups, naming the file', () => {
    const cycle = { a: [{ includeGroup: 'b' }], b: [{ includeGroup: 'a' }] };
    expect(() => expandDependencyGroups(cycle, ['a'], 'p/pyproject.toml')).toThrow(
      /p\/pyproject\.toml.*include cycle a -> b -> a/,
    );
    expect(() =>
      expandDependencyGroups({ dev: [{ includeGroup: 'nope' }] }, ['dev'], 'p/pyproject.toml'),
    ).toThrow(PyprojectError);
    expect(() => defaults('[tool.uv]\ndefault-groups = 3\n')).toThrow(/default-groups/);
  });
});
