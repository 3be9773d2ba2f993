export * from './cost.js';
export * from './evaluate-snn.js';
export * from './macs.js';
