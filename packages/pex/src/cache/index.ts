export { cacheDir, artifactCachePath, type CacheDirOptions } from './cache-dir.js';
export { writeFileAtomic, commitTempFile, tempPathFor, fsyncFile } from './atomic.js';
