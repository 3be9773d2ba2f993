export { NIR_FIELDS, NIR_VERSION, NirExportError, NirReadError, type NirGraph, type NirNode } from './nir-graph.js';
export { checkNirExportable } from './check-exportable.js';
export { snnToNir, writeNir, type NirFile, type NirLowering, type NirWriteOptions } from './write-nir.js';
export { nirToSnn, readNir, type NirReadOptions } from './read-nir.js';
export { nirReaderVariants, type NirReaderVariant } from './reader-variants.js';
