export * from './calibrate-snn.js';
export * from './calibration-error.js';
