export { PexkitError, UsageError } from './errors.js';
export { PEXKIT_VERSION, BOOTSTRAP_DIR } from './package-info.js';
export * from './project/index.js';
