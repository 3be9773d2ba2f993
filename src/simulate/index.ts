export * from './encoders.js';
export * from './oracle/oracle.js';
export { findStaticValues } from './static-values.js';
export { perUnit } from './per-unit.js';
export * from './simulator.js';
export * from './exit/exit-rule.js';
export { readoutBound, type ReadoutBound } from './exit/readout-bound.js';
export type { ExitSummary } from './exit/steps-summary.js';
