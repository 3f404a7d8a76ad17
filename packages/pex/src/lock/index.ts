export * from './model.js';
export { parseUvLock, readUvLock } from './uv-lock.js';
export { parsePylock, readPylock } from './pylock.js';
export {
  parseRequirements,
  readRequirements,
  logicalLines,
  viaAnnotations,
} from './requirements.js';
export { detectLockFormat, loadLock } from './load.js';
