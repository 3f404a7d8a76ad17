/**
 * Which top-level Python modules a project provides, from its file list (no disk access): every
 * package directory and `.py` module directly under one of its source roots. Test and tooling
 * files at the root of a flat layout (`tests/`, `setup.py`, `conftest.py`, ...) do not count.
 */

const IDENT_RE = /^[A-Za-z_]\w*$/;
const NOT_MODULES = new Set(['setup', 'conftest', 'noxfile', 'fabfile', 'tasks', 'manage']);
const NOT_PACKAGES = new Set(['tests', 'test', 'docs', 'doc', 'examples', 'scripts', 'benchmarks']);

/**
 * @param files workspace-relative `/` paths of the project's files
 * @param sourceRoots workspace-relative `/` paths of its source roots (`.` for the workspace root)
 */
export function topLevelModules(
  files: readonly string[],
  sourceRoots: readonly string[],
): string[] {
  const modules = new Set<string>();
  for (const root of sourceRoots) {
    const prefix = root === '.' || root === '' ? '' : `${root.replace(/\/+$/, '')}/`;
    const flat = !/(^|\/)src$/.test(root);
    for (const file of files) {
      if (!file.startsWith(prefix) || !/\.pyi?$/.test(file)) continue;
      const rel = file.slice(prefix.length);
      const slash = rel.indexOf('/');
      if (slash === -1) {
        const name = rel.replace(/\.pyi?$/, '');
        if (IDENT_RE.test(name) && !(flat && (NOT_MODULES.has(name) || name.startsWith('test_'))))
          modules.add(name);
      } else {
        const name = rel.slice(0, slash);
        if (IDENT_RE.test(name) && !(flat && NOT_PACKAGES.has(name))) modules.add(name);
      }
    }
  }
  return [...modules].sort();
}

/** True for a file that is test code by Python conventions (pytest discovery, `tests/` dirs). */
export function isPythonTestFile(file: string): boolean {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return (
    /(^|\/)tests?\//.test(file) ||
    /^test_.*\.py$/.test(base) ||
    /_test\.py$/.test(base) ||
    base === 'conftest.py'
  );
}
