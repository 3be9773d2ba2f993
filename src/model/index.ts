export * from './snn-model.js';
export * from './snn-codec.js';
export * from './snn-file.js';
