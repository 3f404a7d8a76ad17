export { createNodesV2, createDependencies } from './plugins/plugin.js';
