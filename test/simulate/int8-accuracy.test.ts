/**
 * int8 costs no accuracy: on trained models the int8 event engine's accuracy stays within 0.1 point
 * of f32 at T = 32 and T = 128 (one simulation of 128 steps gives both: prediction(t) depends only on
 * steps ≤ t). The bundled MNIST always; the trained Fashion-MNIST cnn4 when Fashion-MNIST is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate } from '../../src/ann/calibrate.js';
import { loadAnn } from '../../src/node/ann-file.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import type { Dataset } from '../../src/data/dataset.js';
import { openDataset } from '../../src/node/data/open-dataset.js';
import { simulate } from '../../src/simulate/index.js';

const ort = createOrtBackend({ threads: 2 });
/** The bound, in points of accuracy. */
const BOUND = 0.1;

async function assertInt8WithinBound(model: string, data: Dataset, images: number, T: number): Promise<void> {
  const ann = await loadAnn(model);
  const snn = convertToSnn(ann, await calibrate(ort, ann, data, { limit: 200 }), defaultConversionOptions).graph;
  const run = (precision: 'f32' | 'int8') => simulate(ort, snn, data, { T, limit: images, engine: 'event', precision, threads: 2 });
  const [f32, int8] = [await run('f32'), await run('int8')];
  for (const t of [32, T]) {
    const delta = 100 * (int8.accuracyAt[t - 1] - f32.accuracyAt[t - 1]);
    // Counted in images: 1 of 1,000 is the bound itself (a difference of two f32 ratios may round past it).
    assert.ok(
      Math.abs(int8.correctAt[t - 1] - f32.correctAt[t - 1]) <= (BOUND / 100) * f32.images + 1e-9,
      `${model}, T = ${t}: int8 ${int8.accuracyAt[t - 1]} vs f32 ${f32.accuracyAt[t - 1]} (${delta} points)`,
    );
  }
}

test('int8 within 0.1 point of f32 at T = 32 and 128: demo model, 1,000 bundled MNIST test images', async () => {
  await assertInt8WithinBound('models/demo-mnist.onnx', openDataset('mnist', { split: 'test' }), 1000, 128);
});

test('int8 within 0.1 point of f32 at T = 32: trained Fashion-MNIST cnn4, 1,000 test images', async (t) => {
  let data: Dataset;
  try {
    data = openDataset('fashion-mnist', { split: 'test' });
  } catch {
    t.skip('Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)');
    return;
  }
  await assertInt8WithinBound('models/fmnist-cnn4-clip.onnx', data, 1000, 32);
});
