import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FirstPartyProject } from '../plan/build-plan.js';
import { parseRecord } from '../wheel/record.js';
import { writeTree } from './test-support/fixtures.js';
import { collectUserCode, firstPartyDistInfo, UserCodeConflictError } from './user-code.js';

const work = mkdtempSync(join(tmpdir(), 'pexkit-usercode-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function project(name: string, root: string, sourceRoots = [root]): FirstPartyProject {
  return {
    name,
    version: '0.1.0',
    root,
    sourceRoots,
    scripts: {},
    guiScripts: {},
    entryPoints: {},
    dependencies: [],
  };
}

describe('collectUserCode', () => {
  it('takes only import packages and modules from a flat layout', async () => {
    const root = join(work, 'flat');
    writeTree(root, {
      'pyproject.toml': '',
      'setup.py': '',
      'README.md': '',
      'tool.py': 'X = 1\n',
      'conftest.py': '',
      'pkg/__init__.py': '',
      'pkg/data.json': '{}',
      'pkg/__pycache__/x.pyc': '',
      'pkg/test_unit.py': '',
      'nsp/inner/mod.py': '',
      'docs/conf.py': '',
      'tests/test_a.py': '',
      '.git/config': '',
      'flat.egg-info/PKG-INFO': '',
      'not-a-package/x.py': '',
      'build/lib/pkg/__init__.py': '',
    });
    chmodSync(join(root, 'tool.py'), 0o700);
    const files = await collectUserCode([project('flat', root)]);
    expect(files.map((f) => f.name)).toEqual([
      'nsp/inner/mod.py',
      'pkg/__init__.py',
      'pkg/data.json',
      'tool.py',
    ]);
    expect(files.find((f) => f.name === 'tool.py')!.executable).toBe(true);
    expect(files.find((f) => f.name === 'pkg/data.json')!.executable).toBe(false);
  });

  it('honours includeTests, exclude globs and include globs', async () => {
    const root = join(work, 'srcl');
    writeTree(root, {
      'src/app/__init__.py': '',
      'src/app/tests/test_x.py': '',
      'src/app/notes.md': '',
      'src/app/fixtures/big.bin': '',
    });
    const p = project('srcl', root, [join(root, 'src')]);
    expect((await collectUserCode([p])).map((f) => f.name)).toEqual([
      'app/__init__.py',
      'app/fixtures/big.bin',
      'app/notes.md',
    ]);
    expect(
      (await collectUserCode([p], { includeTests: true, excludes: ['*.md', 'app/fixtures/'] })).map(
        (f) => f.name,
      ),
    ).toEqual(['app/__init__.py', 'app/tests/test_x.py']);
    expect((await collectUserCode([p], { includes: ['**/tests/'] })).map((f) => f.name)).toContain(
      'app/tests/test_x.py',
    );
  });

  it('merges namespace packages across projects but refuses conflicting files', async () => {
    const a = join(work, 'ns-a');
    const b = join(work, 'ns-b');
    writeTree(a, { 'src/acme/a/__init__.py': 'A\n', 'src/acme/shared.py': 'one\n' });
    writeTree(b, { 'src/acme/b/__init__.py': 'B\n' });
    const files = await collectUserCode([
      project('a', a, [join(a, 'src')]),
      project('b', b, [join(b, 'src')]),
    ]);
    expect(files.map((f) => `${f.project}:${f.name}`)).toEqual([
      'a:acme/a/__init__.py',
      'b:acme/b/__init__.py',
      'a:acme/shared.py',
    ]);
    writeTree(b, { 'src/acme/shared.py': 'two\n' });
    await expect(
      collectUserCode([project('a', a, [join(a, 'src')]), project('b', b, [join(b, 'src')])]),
    ).rejects.toThrow(UserCodeConflictError);
  });
});

describe('firstPartyDistInfo', () => {
  it('writes METADATA, entry_points.txt, INSTALLER and a RECORD covering the code', async () => {
    const root = join(work, 'meta');
    writeTree(root, { 'src/my_app/__init__.py': 'print(1)\n' });
    const p: FirstPartyProject = {
      ...project('my-app', root, [join(root, 'src')]),
      version: '2.0',
      scripts: { 'my-app': 'my_app:main' },
      guiScripts: { 'my-gui': 'my_app:gui' },
      entryPoints: { 'acme.plugins': { x: 'my_app:X' } },
      dependencies: ['requests>=2', 'rich; python_version >= "3.9"'],
      requiresPython: '>=3.9',
    };
    const code = await collectUserCode([p]);
    const meta = firstPartyDistInfo(p, code);
    const text = (n: string) =>
      meta.find((f) => f.name === `my_app-2.0.dist-info/${n}`)!.data.toString();
    expect(meta.map((f) => f.name)).toEqual([
      'my_app-2.0.dist-info/INSTALLER',
      'my_app-2.0.dist-info/METADATA',
      'my_app-2.0.dist-info/entry_points.txt',
      'my_app-2.0.dist-info/RECORD',
    ]);
    expect(text('METADATA')).toBe(
      'Metadata-Version: 2.1\nName: my-app\nVersion: 2.0\nRequires-Python: >=3.9\nRequires-Dist: requests>=2\nRequires-Dist: rich; python_version >= "3.9"\n',
    );
    expect(text('entry_points.txt')).toBe(
      '[acme.plugins]\nx = my_app:X\n\n[console_scripts]\nmy-app = my_app:main\n\n[gui_scripts]\nmy-gui = my_app:gui\n',
    );
    const rows = parseRecord(text('RECORD'));
    expect(rows.map((r) => r.path)).toEqual([
      'my_app-2.0.dist-info/INSTALLER',
      'my_app-2.0.dist-info/METADATA',
      'my_app-2.0.dist-info/entry_points.txt',
      'my_app/__init__.py',
      'my_app-2.0.dist-info/RECORD',
    ]);
    expect(rows[3]).toEqual({
      path: 'my_app/__init__.py',
      hash:
        'sha256=' +
        (await import('node:crypto')).createHash('sha256').update('print(1)\n').digest('base64url'),
      size: 9,
    });
  });
});
