export * from './activation-sites.js';
export * from './calibrate.js';
export * from './evaluate.js';
export * from './histogram.js';
export * from './input-shape.js';
export * from './load.js';
