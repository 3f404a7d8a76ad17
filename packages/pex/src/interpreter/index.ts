export * from './current.js';
export * from './discover.js';
