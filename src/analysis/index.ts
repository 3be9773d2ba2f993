export * from './cost.js';
export * from './evaluate-snn.js';
export * from './macs.js';
export * from './activity.js';
export * from './compare-strategies.js';
export * from './layer-error.js';
export * from './spike-raster.js';
