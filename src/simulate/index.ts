export * from './encoders.js';
export * from './plan.js';
export * from './simulator.js';
export { mulberry32 } from './random.js';
