/**
 * ann2snn's host-free API: what a browser bundle imports (and what 'ann2snn' re-exports under Node).
 * It imports no `node:*` module and no runtime-specific package; the host (files, threads, ONNX
 * Runtime, kernels' bytes, gunzip) is installed first with installPlatform (src/host/platform.ts).
 *
 *   installPlatform(webPlatform);
 *   const ann = loadAnnFromBytes(new Uint8Array(await file.arrayBuffer()), file.name);
 *   const backend = createOrtBackend({ threads: 2 });
 *   const stats = await calibrate(backend, ann, bundledMnist('train'));
 *   const snn = convertToSnn(ann, stats, { ...defaultConversionOptions, strategy: 'deng-gu' });
 *   const result = await simulate(backend, snn.graph, bundledMnist('test'), { T: 64 });
 */
export {
  installPlatform,
  platform,
  type GunzipOptions,
  type Ort,
  type Platform,
  type WorkerMain,
  type WorkerModuleName,
  type WorkerScope,
  type WorkerThread,
} from './host/platform.js';
export * from './tensor/tensor.js';
export { mulberry32 } from './tensor/random.js';
export * from './ir/index.js';
export { simplifyGraph, foldBatchNorm, foldPad, removeIdentity } from './ir/passes/index.js';
export { importOnnx } from './onnx/import.js';
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
export * from './export/exporters.js';
export { ExportError } from './export/export-error.js';
export * from './report/index.js';
export * from './export/nir/index.js';
