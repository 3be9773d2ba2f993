export * from './convert.js';
export * from './strategy.js';
export * from './strategies/index.js';
