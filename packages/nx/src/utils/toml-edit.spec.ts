import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { addWorkspaceMember, setTableKeys, workspaceMembers } from './toml-edit.js';

describe('addWorkspaceMember', () => {
  it('creates a virtual uv workspace root when there is none', () => {
    const text = addWorkspaceMember(undefined, 'apps/api');
    expect(workspaceMembers(text)).toEqual(['apps/api']);
  });

  it('appends to a multi-line members array and keeps comments', () => {
    const root =
      '# root\n[project]\nname = "r"\nversion = "1"\n\n[tool.uv.workspace]\nmembers = [\n  "libs/a", # first\n]\n\n[tool.ruff]\nline-length = 100\n';
    const text = addWorkspaceMember(root, 'apps/api');
    expect(workspaceMembers(text)).toEqual(['libs/a', 'apps/api']);
    expect(text).toContain('# root');
    expect((parse(text) as { tool: { ruff: unknown } }).tool.ruff).toEqual({ 'line-length': 100 });
  });

  it('leaves the file alone when a glob already covers the member', () => {
    const root = '[tool.uv.workspace]\nmembers = ["apps/*"]\n';
    expect(addWorkspaceMember(root, 'apps/api')).toBe(root);
  });

  it('adds a [tool.uv.workspace] table to a project root without one', () => {
    const text = addWorkspaceMember('[project]\nname = "r"\nversion = "1"\n', 'libs/x');
    expect(workspaceMembers(text)).toEqual(['libs/x']);
  });
});

describe('setTableKeys', () => {
  it('replaces existing keys and adds new ones in place', () => {
    const text = setTableKeys(
      '[tool.pexkit]\ntargets = [\n  "current",\n]\n\n[tool.other]\na = 1\n',
      'tool.pexkit',
      {
        targets: ['linux'],
        'entry-point': 'm:f',
      },
    );
    expect(parse(text)).toEqual({
      tool: { pexkit: { targets: ['linux'], 'entry-point': 'm:f' }, other: { a: 1 } },
    });
  });
});
