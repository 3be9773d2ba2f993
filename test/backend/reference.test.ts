import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { kernels, referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { conv2d } from '../../src/backend/reference/ops/conv2d.js';
import { tensor } from '../../src/tensor/tensor.js';
import { runConformance } from './conformance.js';

runConformance('reference', () => referenceBackend, { oracle: () => createOrtBackend() });

test('the op table has a kernel for every op', () => {
  assert.equal(referenceBackend.name, 'reference');
  for (const op of Object.keys(kernels)) assert.equal(typeof kernels[op as keyof typeof kernels], 'function');
});

test('kernels refuse inconsistent shapes with a RangeError', () => {
  const x = tensor([1, 3, 4, 4]);
  const w = tensor([2, 2, 3, 3]);
  assert.throws(() => conv2d(x, w, null, { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], groups: 1 }), RangeError);
});
