import { describe, expect, it } from 'vitest';
import { isPythonTestFile, topLevelModules } from './python-modules.js';

describe('topLevelModules', () => {
  it('lists packages and modules directly under a src/ root', () => {
    const files = [
      'p/src/pkg/__init__.py',
      'p/src/pkg/sub/x.py',
      'p/src/single.py',
      'p/src/data.txt',
      'p/tests/test_x.py',
      'p/pyproject.toml',
    ];
    expect(topLevelModules(files, ['p/src'])).toEqual(['pkg', 'single']);
  });

  it('leaves tests and tooling out of a flat layout', () => {
    const files = [
      'p/mod.py',
      'p/setup.py',
      'p/conftest.py',
      'p/test_mod.py',
      'p/tests/test_a.py',
      'p/pkg/__init__.py',
      'p/my-dir/x.py',
    ];
    expect(topLevelModules(files, ['p'])).toEqual(['mod', 'pkg']);
  });
});

describe('isPythonTestFile', () => {
  it('follows pytest conventions', () => {
    expect(isPythonTestFile('tests/test_a.py')).toBe(true);
    expect(isPythonTestFile('src/pkg/a_test.py')).toBe(true);
    expect(isPythonTestFile('conftest.py')).toBe(true);
    expect(isPythonTestFile('src/pkg/testing.py')).toBe(false);
  });
});
