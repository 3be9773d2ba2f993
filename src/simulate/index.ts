export * from './encoders.js';
export * from './oracle/oracle.js';
export * from './plan.js';
export * from './simulator.js';
