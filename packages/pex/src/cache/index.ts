export { cacheDir, artifactCachePath, type CacheDirOptions } from './cache-dir.js';
export {
  writeFileAtomic,
  commitTempFile,
  tempPathFor,
  fsyncFile,
  removeStaleTempFiles,
} from './atomic.js';
