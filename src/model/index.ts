export * from './snn-model.js';
export * from './snn-codec.js';
