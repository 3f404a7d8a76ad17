export {
  createNodes,
  createNodesV2,
  createDependencies,
  PYPROJECT_GLOB,
} from './plugins/plugin.js';
export type { PexkitPluginOptions } from './plugins/plugin.js';
export type { PythonProjectMetadata } from './plugins/lib/python-project-metadata.js';
export { default as pexExecutor } from './executors/pex/executor.js';
export type { PexExecutorSchema } from './executors/pex/schema.js';
export {
  normalizeOptions,
  type NormalizedPexOptions,
} from './executors/pex/lib/normalize-options.js';
export { initGenerator } from './generators/init/init.js';
export { applicationGenerator } from './generators/application/application.js';
export { libraryGenerator } from './generators/library/library.js';
export { configurationGenerator } from './generators/configuration/configuration.js';
export { scanPythonImports } from './utils/python-imports.js';
