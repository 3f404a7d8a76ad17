import { afterEach, describe, expect, it } from 'vitest';
import { removeWorkspace, writeWorkspace } from '../../../testing/workspace-fixture.js';
import {
  findUndeclaredImports,
  formatUndeclaredImports,
  type PythonProjectRef,
} from './undeclared-imports.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) removeWorkspace(r);
});

const projects: PythonProjectRef[] = [
  {
    name: 'app',
    root: 'app',
    meta: {
      pythonName: 'app',
      sourceRoots: ['app/src'],
      dependencies: [{ name: 'lib', root: 'lib' }],
      uvWorkspaceRoot: '.',
    },
  },
  {
    name: 'lib',
    root: 'lib',
    meta: { pythonName: 'lib', sourceRoots: ['lib/src'], dependencies: [], uvWorkspaceRoot: '.' },
  },
  {
    name: 'other',
    root: 'other',
    meta: {
      pythonName: 'other-lib',
      sourceRoots: ['other'],
      dependencies: [],
      uvWorkspaceRoot: '.',
    },
  },
];

describe('findUndeclaredImports', () => {
  it('finds workspace modules imported without a declared dependency, in the whole closure', () => {
    const root = writeWorkspace({
      'app/src/app/__init__.py': 'import lib\nimport json\n',
      'app/tests/test_app.py': 'import other\n',
      'lib/src/lib/__init__.py': 'from other import thing\n',
      'other/other.py': '',
    });
    roots.push(root);
    const found = findUndeclaredImports(root, projects, 'app');
    expect(found).toEqual([
      {
        project: 'lib',
        file: 'lib/src/lib/__init__.py',
        module: 'other',
        provider: 'other',
        providerPythonName: 'other-lib',
      },
    ]);
    expect(formatUndeclaredImports(found)).toContain('add "other-lib" to [project].dependencies');
  });

  it('ignores test files unless tests go into the PEX', () => {
    const root = writeWorkspace({
      'app/src/app/__init__.py': '',
      'app/src/app/test_x.py': 'import other\n',
      'other/other.py': '',
    });
    roots.push(root);
    expect(findUndeclaredImports(root, projects, 'app')).toEqual([]);
    expect(findUndeclaredImports(root, projects, 'app', true).map((u) => u.file)).toEqual([
      'app/src/app/test_x.py',
    ]);
  });
});
