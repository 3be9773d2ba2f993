export * from './encoders.js';
export * from './plan.js';
export * from './simulator.js';
