import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { PexkitError } from '../errors.js';
import type { FirstPartyProject } from '../plan/build-plan.js';
import { formatCoreMetadata, formatEntryPoints, type EntryPoints } from '../wheel/metadata.js';
import { formatRecord, recordHash, type RecordRow } from '../wheel/record.js';
import { globToRegExp } from './glob.js';

/** One first-party file as it goes into the PEX (name relative to the user-code root). */
export interface UserCodeFile {
  name: string;
  data: Buffer;
  executable: boolean;
  /** Canonical name of the project it came from. */
  project: string;
  /** Where it was read from and its `dev:ino` (generated files have neither). */
  source?: { path: string; id: string };
}

export interface CollectUserCodeOptions {
  /** Keep `tests/`, `test/`, `test_*.py`, `*_test.py` and `conftest.py` (default false). */
  includeTests?: boolean;
  /** Extra globs to leave out, matched against the path under a source root (`**`, `*`, `?`). */
  excludes?: string[];
  /** Globs to keep even when a default rule would leave them out. */
  includes?: string[];
}

/** Two first-party projects put different files at the same path. */
export class UserCodeConflictError extends PexkitError {
  override readonly name = 'UserCodeConflictError';
}

const ALWAYS_SKIPPED_DIRS = new Set([
  '__pycache__',
  '.git',
  '.hg',
  '.svn',
  '.bzr',
  '.tox',
  '.nox',
  '.venv',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  'node_modules',
]);
const SKIPPED_FILES = /(\.py[co]|\.DS_Store|~|\.swp)$/;
const TEST_DIRS = new Set(['tests', 'test']);
const TEST_FILES = /^(test_.*\.py|.*_test\.py|conftest\.py)$/;
// In a flat layout the project root also holds tooling; only import packages and modules go in.
const FLAT_SKIPPED_DIRS = new Set([
  'docs',
  'doc',
  'examples',
  'example',
  'build',
  'dist',
  'venv',
  'env',
  'site-packages',
  'tools',
  'scripts',
  'benchmarks',
]);
const FLAT_SKIPPED_FILES = new Set([
  'setup.py',
  'noxfile.py',
  'fabfile.py',
  'tasks.py',
  'manage.py',
]);

/**
 * First-party files of every project, in sorted name order: everything under a `src/`-style
 * source root (packages, modules, package data, `py.typed`, namespace packages), or, when the
 * source root is the project root (flat layout), its top-level modules and import packages only.
 * Leaves out `__pycache__`, `*.pyc`, VCS dirs, `*.egg-info` and (by default) tests.
 */
export async function collectUserCode(
  projects: FirstPartyProject[],
  options: CollectUserCodeOptions = {},
): Promise<UserCodeFile[]> {
  const excludes = (options.excludes ?? []).map(globToRegExp);
  const includes = (options.includes ?? []).map(globToRegExp);
  const byName = new Map<string, UserCodeFile>();
  for (const project of projects) {
    for (const sourceRoot of project.sourceRoots) {
      const flat = resolve(sourceRoot) === resolve(project.root);
      const files: UserCodeFile[] = [];
      const seen = new Set<string>();
      walk(sourceRoot, '', {
        project,
        flat,
        excludes,
        includes,
        includeTests: options.includeTests === true,
        files,
        seen,
      });
      for (const file of files) {
        const existing = byName.get(file.name);
        if (existing !== undefined && !existing.data.equals(file.data)) {
          throw new UserCodeConflictError(
            `first-party projects '${existing.project}' and '${project.name}' both provide '${file.name}' with different contents`,
          );
        }
        if (existing === undefined) byName.set(file.name, file);
      }
    }
  }
  return [...byName.values()].sort((a, b) => compareNames(a.name, b.name));
}

interface WalkState {
  project: FirstPartyProject;
  flat: boolean;
  excludes: RegExp[];
  includes: RegExp[];
  includeTests: boolean;
  files: UserCodeFile[];
  seen: Set<string>;
}

function matches(globs: RegExp[], path: string): boolean {
  return globs.some((g) => g.test(path));
}

// Synchronous on purpose: for trees of small files, sync fs calls are several times faster than
// fs/promises, and a build has nothing else to do meanwhile.
function walk(dir: string, prefix: string, state: WalkState, forcedDir = false): void {
  const real = realpathSync(dir);
  if (state.seen.has(real)) return; // a symlink loop
  state.seen.add(real);
  for (const name of readdirSync(dir).sort(compareNames)) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const full = join(dir, name);
    let info: Stats;
    try {
      info = statSync(full);
    } catch {
      continue; // a dangling symlink
    }
    // An include glob that matches a directory keeps everything under it.
    const forced =
      forcedDir ||
      (state.includes.length > 0 &&
        (matches(state.includes, rel) || matches(state.includes, `${rel}/`)));
    if (
      matches(state.excludes, rel) ||
      (info.isDirectory() && matches(state.excludes, `${rel}/`))
    ) {
      if (!forced) continue;
    }
    if (info.isDirectory()) {
      if (forced || !skipDirectory(name, prefix === '', state)) walk(full, rel, state, forced);
    } else if (info.isFile() && (forced || !skipFile(name, prefix === '', state))) {
      state.files.push({
        name: rel,
        data: readFileSync(full),
        executable: (info.mode & 0o111) !== 0,
        project: state.project.name,
        source: { path: full, id: `${info.dev}:${info.ino}` },
      });
    }
  }
}

function skipDirectory(name: string, top: boolean, state: WalkState): boolean {
  if (ALWAYS_SKIPPED_DIRS.has(name) || name.endsWith('.egg-info') || name.endsWith('.dist-info'))
    return true;
  if (!state.includeTests && TEST_DIRS.has(name)) return true;
  if (top && state.flat) {
    if (name.startsWith('.') || FLAT_SKIPPED_DIRS.has(name)) return true;
    return !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
  }
  return false;
}

function skipFile(name: string, top: boolean, state: WalkState): boolean {
  if (SKIPPED_FILES.test(name)) return true;
  if (!state.includeTests && TEST_FILES.test(name)) return true;
  if (top && state.flat) return !name.endsWith('.py') || FLAT_SKIPPED_FILES.has(name);
  return false;
}

/**
 * Byte-wise order of the names' UTF-8 encodings (= Unicode code point order), without encoding:
 * UTF-16 code unit order agrees except between a surrogate and a code unit above U+DFFF.
 */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      const xs = x <= 0xdfff;
      const ys = y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1; // a supplementary character sorts after any BMP one
    }
    return x - y;
  }
  return a.length - b.length;
}

/** `<name>-<version>.dist-info`, with the name normalised as the wheel spec says. */
export function distInfoDirName(name: string, version: string): string {
  return `${name.replace(/[-_.]+/g, '_')}-${version}.dist-info`;
}

/**
 * The `.dist-info` files pexkit generates for a first-party project (METADATA, entry_points.txt,
 * INSTALLER, RECORD over `code` + these) so `importlib.metadata` and console-script lookup work.
 */
export function firstPartyDistInfo(
  project: FirstPartyProject,
  code: UserCodeFile[],
): UserCodeFile[] {
  const dir = distInfoDirName(project.name, project.version);
  const groups: EntryPoints = {};
  for (const [group, entries] of Object.entries(project.entryPoints))
    groups[group] = { ...entries };
  if (Object.keys(project.scripts).length > 0) groups.console_scripts = { ...project.scripts };
  if (Object.keys(project.guiScripts).length > 0) groups.gui_scripts = { ...project.guiScripts };
  const file = (name: string, text: string): UserCodeFile => ({
    name: `${dir}/${name}`,
    data: Buffer.from(text, 'utf8'),
    executable: false,
    project: project.name,
  });
  const meta: UserCodeFile[] = [
    file('INSTALLER', 'pexkit\n'),
    file(
      'METADATA',
      formatCoreMetadata({
        name: project.name,
        version: project.version,
        requiresPython: project.requiresPython,
        requiresDist: [...project.dependencies],
      }),
    ),
  ];
  const entryPoints = formatEntryPoints(groups);
  if (entryPoints !== '') meta.push(file('entry_points.txt', entryPoints));
  const recorded = [...code.filter((f) => f.project === project.name), ...meta].sort((a, b) =>
    compareNames(a.name, b.name),
  );
  const rows: RecordRow[] = recorded.map((f) => ({
    path: f.name,
    hash: recordHash(createHash('sha256').update(f.data).digest()),
    size: f.data.length,
  }));
  rows.push({ path: `${dir}/RECORD`, hash: '', size: undefined });
  meta.push(file('RECORD', formatRecord(rows)));
  return meta;
}
