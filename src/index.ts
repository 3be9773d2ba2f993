/**
 * ann2snn's public API: the only surface the CLI, the web demo and users import.
 *
 *   const ann = await loadAnn('model.onnx');
 *   const backend = createOrtBackend({ threads: 2 });
 *   const stats = await calibrate(backend, ann, openDataset('mnist', { split: 'train' }));
 *   const snn = convertToSnn(ann, stats, { ...defaultConversionOptions, strategy: 'deng-gu' });
 *   const result = await simulate(backend, snn.graph, openDataset('mnist', { split: 'test' }), { T: 64 });
 */
import './node/install.js';
export * from './tensor/tensor.js';
export { mulberry32 } from './tensor/random.js';
export * from './ir/index.js';
export { simplifyGraph, foldBatchNorm, foldPad, removeIdentity } from './ir/passes/index.js';
export { importOnnx, readOnnxFile } from './onnx/import.js';
export { graphToOnnx } from './onnx/export-graph.js';
export { OnnxError } from './onnx/errors.js';
export { listOnnxNodes, type OnnxNodeInfo } from './onnx/list-nodes.js';
export type { Backend, CompiledGraph, CompileOptions, SpikePrecision } from './backend/backend.js';
export { BackendError } from './backend/backend.js';
export { referenceBackend } from './backend/reference/reference-backend.js';
export { createOrtBackend, type OrtBackendOptions } from './backend/ort/ort-backend.js';
export * from './data/index.js';
export * from './ann/index.js';
export * from './neurons/index.js';
export * from './model/index.js';
export * from './convert/index.js';
export * from './simulate/index.js';
export * from './analysis/index.js';
export * from './calibrate/index.js';
export { writeFileAtomic, OutputExistsError } from './node/write-atomic.js';
export * from './export/exporters.js';
export { ExportError } from './export/export-error.js';
export * from './report/index.js';
export * from './export/nir/index.js';
