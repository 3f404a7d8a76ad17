export { cacheDir, artifactCachePath, type CacheDirOptions } from './cache-dir.js';
export {
  writeFileAtomic,
  commitTempFile,
  tempPathFor,
  fsyncFile,
  removeStaleTempFiles,
} from './atomic.js';
export {
  BUILD_CACHE_DIRS,
  PEX_ROOT_DIRS,
  buildCachePath,
  pexRootPath,
  type BuildCacheDir,
  type PexRootDir,
} from './layout.js';
export { withCacheHolds } from './holds.js';
export { scanBuildCache, type CacheEntry } from './entries.js';
export { buildCacheInfo, type BuildCacheInfo, type FolderInfo } from './info.js';
export {
  pruneBuildCache,
  chooseVictims,
  type PruneOptions,
  type PruneReport,
  type PrunedEntry,
} from './prune.js';
