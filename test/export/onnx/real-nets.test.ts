/**
 * The bar on real-size nets: a bare onnxruntime-node session runs the exported `onnx-step`
 * (client loop) and `onnx` (one Loop) files and agrees with `simulate` (dense engine) on ≥ 99.9 % of
 * images at every t, spike counts alike: the trained cnn4 on Fashion-MNIST test images (the bundled
 * demo model on MNIST where Fashion-MNIST is absent), and a random-weight VGG-style net. The cnn4 case
 * runs 300 images (≈ 45 s of CPU for 1,000, too long for the suite on a shared 2-core machine);
 * ANN2SNN_EXPORT_IMAGES=1000 runs the full 1,000.
 */
import { test } from 'node:test';
import { existsSync } from 'node:fs';
import { calibrate } from '../../../src/ann/calibrate.js';
import { loadAnn } from '../../../src/node/ann-file.js';
import { createOrtBackend } from '../../../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../../src/convert/index.js';
import { FASHION_MNIST_DIR, openDataset } from '../../../src/node/data/open-dataset.js';
import { exportSnn } from '../../../src/export/exporters.js';
import { syntheticImages } from '../../helpers/synthetic-data.js';
import { vggStyleNet } from './nets.js';
import { assertAgrees, loopTrace, simulatorTrace, stepTrace } from './trace.js';

const T = 16;
const images = Number(process.env.ANN2SNN_EXPORT_IMAGES ?? 300);
const fashion = existsSync(FASHION_MNIST_DIR);
const [modelFile, dataName] = fashion ? ['models/fmnist-cnn4-clip.onnx', 'fashion-mnist'] : ['models/demo-mnist.onnx', 'mnist'];

test(
  `${fashion ? 'cnn4 on Fashion-MNIST' : 'the demo model on bundled MNIST (Fashion-MNIST absent)'}, ${images} test images, T = ${T}`,
  { timeout: 300_000 },
  async () => {
    if (!fashion)
      console.log('# Fashion-MNIST not installed (apt-get install dataset-fashion-mnist): the demo model on bundled MNIST instead');
    const model = convertToSnn(await loadAnn(modelFile), null, { ...defaultConversionOptions, strategy: 'deng-gu' });
    const data = openDataset(dataName, { split: 'test' });
    const ours = await simulatorTrace(model.graph, data, T, images);
    assertAgrees(ours, await stepTrace(await exportSnn(model, 'onnx-step'), data, T, images), `${modelFile}, onnx-step`);
    assertAgrees(ours, await loopTrace(await exportSnn(model, 'onnx', { T }), data, T, images), `${modelFile}, onnx`);
  },
);

test(`VGG-style net (random weights, 3×16×16), 200 synthetic images, T = ${T}`, { timeout: 300_000 }, async () => {
  const ann = vggStyleNet(7);
  const data = syntheticImages(200, [3, 16, 16]);
  const stats = await calibrate(createOrtBackend({ threads: 2 }), ann, data, { limit: 100 });
  const model = convertToSnn(ann, stats, { ...defaultConversionOptions, thresholdScope: 'channel' });
  const ours = await simulatorTrace(model.graph, data, T, 200);
  assertAgrees(ours, await stepTrace(await exportSnn(model, 'onnx-step'), data, T, 200), 'VGG-style, onnx-step');
  assertAgrees(ours, await loopTrace(await exportSnn(model, 'onnx', { T }), data, T, 200), 'VGG-style, onnx');
});
