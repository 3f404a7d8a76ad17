import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildCachePath, type BuildCacheDir } from './layout.js';

/** One entry of the build cache: what `cache info` counts and `cache prune` removes whole. */
export interface CacheEntry {
  /** The folder it lives in (a key of BUILD_CACHE_DIRS). */
  dir: BuildCacheDir;
  /** Its lock key (`locks/<key>.lock`), the one its writers and holders take. */
  key: string;
  /** Files or directories, removed in this order (the first one makes it vanish for readers). */
  paths: string[];
  size: number;
  files: number;
  /** Last use (ms since the epoch): the newest mtime of its paths (builds touch what they use). */
  lastUse: number;
}

/** Leftovers of writers (`.tmp-*` files, `.work-*` dirs): not entries; old ones are removed. */
export interface TempLeftover {
  path: string;
  mtimeMs: number;
}

// Synchronous: thousands of small calls, each cheaper than an async round trip.
function names(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Size, file count and newest mtime of a file or a directory tree (symlinks not followed). */
function measure(path: string): { size: number; files: number; mtimeMs: number } {
  const st = statSync(path);
  if (!st.isDirectory()) return { size: st.size, files: 1, mtimeMs: st.mtimeMs };
  let size = 0;
  let files = 0;
  for (const e of readdirSync(path, { withFileTypes: true, recursive: true })) {
    if (e.isDirectory()) continue;
    try {
      size += statSync(join(e.parentPath, e.name)).size;
      files++;
    } catch {
      // removed meanwhile
    }
  }
  return { size, files, mtimeMs: st.mtimeMs };
}

/** Lock keys are plain file names; anything else under the cache is not ours and left alone. */
const KEY = /^[A-Za-z0-9._-]{1,160}$/;

const isTemp = (name: string) =>
  name.startsWith('.tmp-') || name.includes('.tmp-') || name.includes('.work-');

/** Every entry of the build cache under `root`, and the writers' leftovers. */
export async function scanBuildCache(
  root: string,
): Promise<{ entries: CacheEntry[]; temps: TempLeftover[] }> {
  const entries: CacheEntry[] = [];
  const temps: TempLeftover[] = [];
  const add = (dir: BuildCacheDir, key: string, paths: string[]) => {
    let size = 0;
    let files = 0;
    let lastUse = 0;
    for (const p of paths) {
      try {
        const m = measure(p);
        size += m.size;
        files += m.files;
        lastUse = Math.max(lastUse, m.mtimeMs);
      } catch {
        // gone meanwhile, or an optional part (a .deflate file) is missing
      }
    }
    if (files > 0 && KEY.test(key)) entries.push({ dir, key, paths, size, files, lastUse });
  };
  const temp = (path: string) => {
    try {
      temps.push({ path, mtimeMs: statSync(path).mtimeMs });
    } catch {
      // gone
    }
  };
  // Files named <name>.json, one level down in <aa>/ fan-out folders or flat.
  const jsonFiles = (dir: BuildCacheDir, fanOut: boolean, prefix: string) => {
    const base = buildCachePath(root, dir);
    const parents = fanOut ? names(base).map((aa) => join(base, aa)) : [base];
    for (const parent of parents) {
      for (const name of names(parent)) {
        const path = join(parent, name);
        if (isTemp(name)) temp(path);
        else if (name.endsWith('.json')) add(dir, `${prefix}${name.slice(0, -5)}`, [path]);
      }
    }
  };

  const artifacts = buildCachePath(root, 'artifacts');
  for (const aa of names(artifacts)) {
    for (const sha of names(join(artifacts, aa))) {
      if (isTemp(sha)) temp(join(artifacts, aa, sha));
      else add('artifacts', `artifact-${sha}`, [join(artifacts, aa, sha)]);
    }
  }
  jsonFiles('artifactsByUrl', true, 'artifact-');
  for (const name of names(buildCachePath(root, 'artifactsTmp')))
    temp(buildCachePath(root, 'artifactsTmp', name));
  const built = buildCachePath(root, 'builtWheels');
  for (const sha of names(built)) {
    for (const builder of names(join(built, sha))) {
      const path = join(built, sha, builder);
      if (isTemp(builder)) temp(path);
      else add('builtWheels', `built-${sha}-${builder}`, [path]);
    }
  }
  const deflated = buildCachePath(root, 'deflated');
  const deflatedNames = names(deflated);
  const metas = new Set(deflatedNames.filter((n) => n.endsWith('.json')));
  for (const name of deflatedNames) {
    const path = join(deflated, name);
    if (isTemp(name)) temp(path);
    else if (name.endsWith('.json')) {
      const sha = name.slice(0, -5);
      // The metadata first: without it the entry is a miss for readers at once.
      add('deflated', `deflate-${sha}`, [path, join(deflated, `${sha}.deflate`)]);
    } else if (name.endsWith('.deflate') && !metas.has(`${name.slice(0, -8)}.json`)) temp(path); // data whose metadata never came (a killed build)
  }
  jsonFiles('verified', false, 'verified-');
  jsonFiles('indexPages', true, 'page-');
  jsonFiles('interpreters', false, 'interpreter-');
  const git = buildCachePath(root, 'gitArchives');
  for (const key of names(git)) add('gitArchives', `git-${key}`, [join(git, key)]);
  return { entries, temps };
}
