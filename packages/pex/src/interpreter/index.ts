export * from './current.js';
