export * from './tensor.js';
export * from './random.js';
