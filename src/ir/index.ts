export * from './graph.js';
export * from './shapes.js';
