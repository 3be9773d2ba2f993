import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argmaxRows, sizeOf, tensor, ShapeError, stridesOf } from '../../src/tensor/tensor.js';
import { mulberry32, mulberry32AtIndex } from '../../src/tensor/random.js';

test('tensor checks data length against shape', () => {
  assert.throws(() => tensor([2, 3], [1, 2, 3]), ShapeError);
  assert.equal(tensor([2, 3]).data.length, 6);
});

test('sizeOf, strides and argmax', () => {
  assert.equal(sizeOf([2, 3, 4]), 24);
  assert.deepEqual(stridesOf([2, 3, 4]), [12, 4, 1]);
  assert.deepEqual([...argmaxRows(tensor([2, 3], [0, 5, 1, 7, 2, 7]))], [1, 0]);
});

test('mulberry32AtIndex(seed, n) is the (n+1)-th draw of mulberry32(seed)', () => {
  const draw = mulberry32(0xdeadbeef);
  for (let n = 0; n < 1000; n++) assert.equal(mulberry32AtIndex(0xdeadbeef, n), draw());
});
