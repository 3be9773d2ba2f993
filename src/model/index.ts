export * from './snn-model.js';
