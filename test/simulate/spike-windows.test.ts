/**
 * The per-axis window maps of the event lowering (src/simulate/event/spike-windows.ts) against the
 * reference backend's Pad and AvgPool: y = (My ⊗ Mx)·x for random sizes, kernels, strides, pads,
 * ceil mode and countIncludePad, a zero Pad before the pool and a second pool after it; and which
 * maps tile (sum-pooled) and which do not (gathered).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { avgPool } from '../../src/backend/reference/ops/avg-pool.js';
import { pad2d } from '../../src/backend/reference/ops/pad.js';
import { windowOut } from '../../src/ir/shapes.js';
import { identityAxis, padAxis, poolAxis, tiling, times, type AxisMap } from '../../src/simulate/event/spike-windows.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';

interface Pool {
  readonly kernel: [number, number];
  readonly strides: [number, number];
  readonly pads: [number, number, number, number];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
}

function apply([my, mx]: readonly [AxisMap, AxisMap], x: Tensor): Float64Array {
  const width = x.shape[3];
  const y = new Float64Array(my.taps.length * mx.taps.length);
  my.taps.forEach((rows, qy) =>
    mx.taps.forEach((columns, qx) => {
      for (const a of rows)
        for (const b of columns) {
          const w = times(a.weight, b.weight);
          y[qy * mx.taps.length + qx] += (w.num / w.den) * x.data[a.index * width + b.index];
        }
    }),
  );
  return y;
}

function pooled([y, x]: readonly [AxisMap, AxisMap], p: Pool): [AxisMap, AxisMap] {
  return [
    poolAxis(y, p.kernel[0], p.strides[0], p.pads[0], p.pads[2], p.ceilMode, p.countIncludePad),
    poolAxis(x, p.kernel[1], p.strides[1], p.pads[1], p.pads[3], p.ceilMode, p.countIncludePad),
  ];
}

function randomPool(r: () => number, height: number, width: number): Pool | null {
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const kernel: [number, number] = [int(1, 4), int(1, 4)];
  const pads: [number, number, number, number] = [
    int(0, kernel[0] - 1),
    int(0, kernel[1] - 1),
    int(0, kernel[0] - 1),
    int(0, kernel[1] - 1),
  ];
  const p: Pool = { kernel, strides: [int(1, 3), int(1, 3)], pads, ceilMode: r() < 0.5, countIncludePad: r() < 0.5 };
  const fits = [0, 1].every((a) => windowOut([height, width][a], kernel[a], p.strides[a], pads[a], pads[a + 2], 1, p.ceilMode) >= 1);
  return fits ? p : null;
}

test('Pad, AvgPool and AvgPool again as per-axis maps give the reference backend’s values (300 random cases)', () => {
  const r = mulberry32(17);
  let checked = 0;
  while (checked < 300) {
    const [height, width] = [2 + Math.floor(r() * 9), 2 + Math.floor(r() * 9)];
    const padding: [number, number, number, number] = [0, 1, 2, 3].map(() => Math.floor(r() * 3)) as [number, number, number, number];
    const [h1, w1] = [height + padding[0] + padding[2], width + padding[1] + padding[3]];
    const first = randomPool(r, h1, w1);
    if (!first) continue;
    const x = tensor(
      [1, 1, height, width],
      Float32Array.from({ length: height * width }, () => r()),
    );
    let want = avgPool(pad2d(x, padding, 0), first);
    let axes = pooled([padAxis(identityAxis(height), padding[0], padding[2]), padAxis(identityAxis(width), padding[1], padding[3])], first);
    const second = randomPool(r, want.shape[2], want.shape[3]);
    if (second && r() < 0.5) {
      want = avgPool(want, second);
      axes = pooled(axes, second);
    }
    assert.deepEqual([axes[0].taps.length, axes[1].taps.length], want.shape.slice(2));
    const got = apply(axes, x);
    got.forEach((v, i) => assert.ok(Math.abs(v - want.data[i]) < 1e-5, `case ${checked}: ${v} vs ${want.data[i]} at ${i}`));
    checked++;
  }
});

test('tilings: kernel = stride pools tile (floor mode drops the rest), a zero Pad before them shifts; overlap, padding inside windows and ceil mode do not', () => {
  const pool = (m: AxisMap, k: number, s: number, before = 0, after = 0, ceil = false, include = false) =>
    poolAxis(m, k, s, before, after, ceil, include);
  assert.deepEqual(tiling(pool(identityAxis(7), 2, 2)), { factor: 2, shift: 0, tiles: 3 });
  assert.deepEqual(tiling(pool(pool(identityAxis(12), 2, 2), 3, 3)), { factor: 6, shift: 0, tiles: 2 });
  assert.deepEqual(tiling(padAxis(pool(identityAxis(8), 2, 2), 1, 2)), { factor: 2, shift: 1, tiles: 4 });
  assert.deepEqual(tiling(padAxis(identityAxis(5), 2, 0)), { factor: 1, shift: 2, tiles: 5 });
  assert.equal(tiling(pool(identityAxis(7), 3, 2)), null, 'overlapping');
  assert.equal(tiling(pool(identityAxis(8), 2, 2, 1, 1)), null, 'a window half in the padding');
  assert.equal(tiling(pool(identityAxis(7), 2, 2, 0, 0, true, true)), null, 'ceil mode: a last window of one');
  assert.equal(tiling(pool(padAxis(identityAxis(8), 1, 0), 2, 2)), null, 'a Pad inside the windows');
  assert.equal(tiling(padAxis(identityAxis(6), -1, 0)), null, 'a crop at the start');
});
