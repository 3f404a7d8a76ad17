export {
  listIndexFiles,
  listIndexWheels,
  ProjectNotFoundError,
  type IndexOptions,
} from './simple.js';
export { parseSimpleHtml, parseSimpleJson, IndexFormatError, type IndexFile } from './parse.js';
export { normalizeProjectName } from './project-name.js';
