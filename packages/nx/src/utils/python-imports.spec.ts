import { describe, expect, it } from 'vitest';
import { scanPythonImports } from './python-imports.js';

describe('scanPythonImports', () => {
  it('reads import and from-import statements at any indentation', () => {
    const source = [
      'import os, sys as system',
      'import a.b.c',
      'from pkg.sub import thing',
      'from . import local',
      'from .rel import x',
      'def f():',
      '    import inner_mod',
      '    try:',
      '        from optional import y  # comment',
      '    except ImportError:',
      '        pass',
      'x = 1; import semi',
    ].join('\n');
    expect(scanPythonImports(source)).toEqual(['a', 'inner_mod', 'optional', 'os', 'pkg', 'sys']);
  });

  it('skips imports inside triple-quoted strings and handles continuation lines', () => {
    const source = [
      '"""',
      'import not_this',
      '"""',
      "s = '''x",
      "from nope import y'''",
      'import one, \\',
      '    two',
      'from p import (a,',
      '    b)',
    ].join('\n');
    expect(scanPythonImports(source)).toEqual(['one', 'p', 'two']);
  });

  it('ignores text that only looks like an import', () => {
    expect(scanPythonImports('# import commented\nprint("import x")\nimportlib = 1\n')).toEqual([]);
  });
});
