export * from './pyproject.js';
export * from './workspace.js';
export * from './dependency-groups.js';
