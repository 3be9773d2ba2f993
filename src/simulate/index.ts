export * from './encoders.js';
export * from './oracle/oracle.js';
export { findStaticValues } from './static-values.js';
export { perUnit } from './per-unit.js';
export * from './simulator.js';
export { SimulationError } from './simulation-error.js';
