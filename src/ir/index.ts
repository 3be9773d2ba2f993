export * from './graph.js';
export * from './shapes.js';
export * from './passes/index.js';
export * from './op-traits.js';
