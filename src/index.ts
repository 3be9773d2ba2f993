/**
 * ann2snn's public API under Node: the host-free core (core.ts), the Node host installed, and the
 * Node functions that read and write files. The CLI and Node users import this; a browser imports
 * 'ann2snn/core' (core.ts) and installs its own host.
 *
 *   const ann = await loadAnn('model.onnx');
 *   const backend = createOrtBackend({ threads: 2 });
 *   const stats = await calibrate(backend, ann, openDataset('mnist', { split: 'train' }));
 *   const snn = convertToSnn(ann, stats, { ...defaultConversionOptions, strategy: 'deng-gu' });
 *   const result = await simulate(backend, snn.graph, openDataset('mnist', { split: 'test' }), { T: 64 });
 */
import './node/install.js';
export * from './core.js';
export { readOnnxFile } from './node/onnx-file.js';
export { loadAnn } from './node/ann-file.js';
export { loadSnn, saveSnn } from './node/snn-file.js';
export { FASHION_MNIST_DIR, openDataset, type OpenDatasetOptions } from './node/data/open-dataset.js';
export { readIdxImages, readIdxLabels, readIdxPair } from './node/data/idx-files.js';
export { findCifar10Dir, readCifar10 } from './node/data/cifar10-files.js';
export { writeFileAtomic, OutputExistsError } from './node/write-atomic.js';
export { writeReport } from './node/report-write.js';
export { decodeNirGuarded, NIR_DECODE_TIMEOUT_MS } from './node/nir-decode-guarded.js';
