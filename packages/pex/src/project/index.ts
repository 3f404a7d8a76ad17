export * from './pyproject.js';
export * from './workspace.js';
