import { readdir } from 'node:fs/promises';
import { scanBuildCache } from './entries.js';
import { liveHolds } from './holds.js';
import {
  BUILD_CACHE_DIRS,
  buildCachePath,
  OBSOLETE_BUILD_CACHE_DIRS,
  PEX_ROOT_DIRS,
  type BuildCacheDir,
} from './layout.js';

export interface FolderInfo {
  path: string;
  entries: number;
  files: number;
  /** Bytes (apparent file sizes). */
  size: number;
}

export interface BuildCacheInfo {
  root: string;
  /** Per folder of BUILD_CACHE_DIRS that holds entries (downloads, built wheels, …). */
  folders: Partial<Record<BuildCacheDir, FolderInfo>>;
  totalSize: number;
  /** Leftovers of writers (`.tmp-*`, `.work-*`): in progress, or of killed processes. */
  temps: number;
  /** Lock files now (fills in progress, or left by killed processes). */
  locks: number;
  /** Entries held by running builds. */
  held: number;
  oldestUse?: number;
  newestUse?: number;
  /** PEX_ROOT folders found in the same directory (`pexkit cache info --pex-root` shows them). */
  pexRootFolders: string[];
  /** Folders an older pexkit wrote (`cache prune` removes them). */
  obsolete: string[];
  /** Anything else at the top (not pexkit's). */
  other: string[];
}

async function names(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

/** What the build cache under `root` holds: per folder, entries, files and bytes. */
export async function buildCacheInfo(root: string): Promise<BuildCacheInfo> {
  const { entries, temps } = await scanBuildCache(root);
  const folders: Partial<Record<BuildCacheDir, FolderInfo>> = {};
  for (const dir of ['artifacts', 'builtWheels', 'deflated', 'verified', 'indexPages'] as const)
    folders[dir] = { path: buildCachePath(root, dir), entries: 0, files: 0, size: 0 };
  for (const e of entries) {
    const f = (folders[e.dir] ??= {
      path: buildCachePath(root, e.dir),
      entries: 0,
      files: 0,
      size: 0,
    });
    f.entries++;
    f.files += e.files;
    f.size += e.size;
  }
  const uses = entries.map((e) => e.lastUse);
  const top = await names(root);
  const buildTop = new Set(Object.values(BUILD_CACHE_DIRS).map((d) => d.split('/')[0]));
  const pexTop = new Set<string>(Object.values(PEX_ROOT_DIRS));
  return {
    root,
    folders,
    totalSize: entries.reduce((sum, e) => sum + e.size, 0),
    temps: temps.length,
    locks: (await names(buildCachePath(root, 'locks'))).filter((n) => n.endsWith('.lock')).length,
    held: (await liveHolds(root)).size,
    ...(uses.length > 0 ? { oldestUse: Math.min(...uses), newestUse: Math.max(...uses) } : {}),
    pexRootFolders: top.filter((n) => pexTop.has(n) && !buildTop.has(n)),
    obsolete: top.filter((n) => OBSOLETE_BUILD_CACHE_DIRS.includes(n)),
    other: top.filter(
      (n) => !pexTop.has(n) && !buildTop.has(n) && !OBSOLETE_BUILD_CACHE_DIRS.includes(n),
    ),
  };
}
