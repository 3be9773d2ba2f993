/**
 * The PyTorch exports in models/pytorch/ (built by scripts/pytorch/train_fmnist_models.py) import
 * and, on the first 500 Fashion-MNIST test images, reach the accuracy their recipe records for
 * ONNX Runtime on the original file (testAccuracyOnnxRuntimeFirst500), within one image: our
 * import path (loadAnn: import + simplify) computes the same network PyTorch trained.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { evaluateAnn } from '../../src/ann/evaluate.js';
import { loadAnn } from '../../src/node/ann-file.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { FASHION_MNIST_DIR, openDataset } from '../../src/node/data/open-dataset.js';

const skip = existsSync(FASHION_MNIST_DIR) ? false : 'dataset-fashion-mnist not installed (apt-get install dataset-fashion-mnist)';
const IMAGES = 500;
const TOLERANCE = 1 / IMAGES;

/** Every committed PyTorch export (the QCFS one through the QuantClip fusion of src/onnx/fuse-quant-clip.ts). */
const MODELS = ['fmnist-relu-cnn', 'fmnist-relu-resnet', 'fmnist-clip-vgg10', 'fmnist-maxpool-cnn', 'fmnist-qcfs-cnn'];

interface Recipe {
  readonly testAccuracyOnnxRuntimeFirst500: number;
  readonly testAccuracyOnnxRuntime: number;
}

describe('PyTorch exports (models/pytorch): ann2snn reaches the accuracy of their recipe', () => {
  const backend = createOrtBackend({ threads: 2 });
  for (const name of MODELS) {
    test(name, { skip, timeout: 120_000 }, async (t) => {
      const recipe = JSON.parse(readFileSync(`models/pytorch/${name}.recipe.json`, 'utf8')) as Recipe;
      const ann = await loadAnn(`models/pytorch/${name}.onnx`);
      const data = openDataset('fashion-mnist', { split: 'test' });
      const { accuracy } = await evaluateAnn(backend, ann, data, { limit: IMAGES, batchSize: 100 });
      t.diagnostic(`${name}: ${accuracy} on ${IMAGES} images; recipe ${recipe.testAccuracyOnnxRuntimeFirst500}`);
      assert.ok(
        Math.abs(accuracy - recipe.testAccuracyOnnxRuntimeFirst500) <= TOLERANCE + 1e-9,
        `${name}: ${accuracy} on the first ${IMAGES} test images, recipe says ${recipe.testAccuracyOnnxRuntimeFirst500}`,
      );
    });
  }
});
