import { join } from 'node:path';

/**
 * Every folder of pexkit's build cache (`cacheDir()`), relative to its root. The one place these
 * names are spelled; `docs/cache-layout.md` describes what each holds.
 */
export const BUILD_CACHE_DIRS = {
  /** Verified downloads: `<aa>/<sha256>/<file name>`. */
  artifacts: 'artifacts/sha256',
  /** Which sha256 a hash-less URL had: `<aa>/<sha256 of the URL>.json`. */
  artifactsByUrl: 'artifacts/by-url',
  /** Downloads in progress (`.tmp-*`). */
  artifactsTmp: 'artifacts/tmp',
  /** Wheels built from sdists: `<sdist sha256>/<builder key>/{<wheel>,builder.json}`. */
  builtWheels: 'built-wheels',
  /**
   * Whole wheels deflated for `.deps/`: `<sha256>.json` (+ `<sha256>.deflate`). Bytes from
   * `zip/deflate.ts`, the same on every Node; `deflated/` held an older pexkit's zlib bytes.
   */
  deflated: 'deflated-portable',
  /** Wheels' modules compiled (bytecode.ts): `cpython-<X.Y.Z>/<wheel sha256>.json` (+ `.zip`). */
  bytecode: 'bytecode',
  /** Passing wheel verdicts: `<sha256>.json`. */
  verified: 'verified',
  /** Simple-index pages with their validators: `<aa>/<sha256 of the URL>.json`. */
  indexPages: 'index-pages/v1',
  /** What an interpreter is (tags, markers): `<key>.json`. */
  interpreters: 'interpreters',
  /** Which interpreter a pyenv shim runs, keyed by everything pyenv reads: `<key>` (a path). */
  interpreterShims: 'interpreter-shims',
  /** Archives of git sources at a locked commit: `<key>/<name>-<version>.tar.gz`. */
  gitArchives: 'git-archives',
  /** Lock files (`<key>.lock`) and the holds of running builds (`holds/`). */
  locks: 'locks',
  /** Entries being removed by `pexkit cache prune` (renamed here, then deleted). */
  trash: 'trash',
} as const;

/**
 * Every folder of a PEX_ROOT (the runtime's cache), relative to its root; the runtime names them
 * in `bootstrap/pexkit_boot/layout.py` (a test checks that both agree). By default the PEX_ROOT
 * and the build cache are one directory (`~/.cache/pexkit`); their names do not collide.
 */
export const PEX_ROOT_DIRS = {
  /** The runtime (`pexkit_boot/`) extracted: `<bootstrap_hash>/`. */
  bootstrap: 'bootstrap',
  /** A PEX's first-party code extracted: `<code_hash>/`. */
  code: 'code',
  /** Installed wheels: `<wheel sha256>/`. */
  installed: 'installed',
  /** Start plans for warm starts: `<pex_hash>/<interpreter key>.json`. */
  pexes: 'pexes',
  /** venv-mode PEXes: `<pex_hash>/<interpreter key>/`. */
  venvs: 'venvs',
  /** One sys.path entry for a set of wheels (symlinks into `installed/`): `<sha256 of their dirs>/`. */
  sites: 'sites',
  /** `flock` lock files, one per entry: `<folder>_<name>.lock`. */
  locks: 'locks',
  /** Entries being removed by a prune (renamed here, then deleted). */
  trash: 'trash',
} as const;

/** Folders older pexkit versions wrote that nothing reads any more: `cache prune` removes them. */
export const OBSOLETE_BUILD_CACHE_DIRS: readonly string[] = ['deflated'];

export type BuildCacheDir = keyof typeof BUILD_CACHE_DIRS;
export type PexRootDir = keyof typeof PEX_ROOT_DIRS;

/** `<root>/<the folder named by dir>/<...rest>`. */
export function buildCachePath(root: string, dir: BuildCacheDir, ...rest: string[]): string {
  return join(root, ...BUILD_CACHE_DIRS[dir].split('/'), ...rest);
}

/** `<root>/<the folder named by dir>/<...rest>` in a PEX_ROOT. */
export function pexRootPath(root: string, dir: PexRootDir, ...rest: string[]): string {
  return join(root, PEX_ROOT_DIRS[dir], ...rest);
}
