// Spiking convolution steps fused with the neurons (f32 and s8 weights): per output pixel and block
// of 32 channels, the weight rows of every spike entry under the kernel are summed in SIMD registers.
import { BLOCK, FLUSH_ROWS, WIDE, dequantize } from './common';
import { finishBlock } from './fire';

/**
 * One step of a spiking convolution fused with integrate-and-fire, for one image:
 *   I[o, c] = b[c] + Σ_{ky,kx} Σ_{ci ∈ spikes(o·s − pad + k)} W[ky, kx, ci, c]
 *   v ← v + I;  s = [v ≥ θ];  v ← v − θ·s (soft reset) or v·(1 − s) (hard reset, `hard` ≠ 0)
 * With `keep` ≠ 0 the current I is written to `v` instead (no neurons: the readout, or one of several
 * inputs of a layer). With `extra` ≠ 0, the currents there ([pixel × coutPad]) are added to I first. Returns the spike count.
 */
export function convStep(
  entries: usize,
  inOff: usize,
  inH: i32,
  inW: i32,
  cin: i32,
  w: usize,
  bias: usize,
  kh: i32,
  kw: i32,
  strideY: i32,
  strideX: i32,
  padY: i32,
  padX: i32,
  outH: i32,
  outW: i32,
  coutPad: i32,
  theta: usize,
  v: usize,
  extra: usize,
  outIdx: usize,
  outOff: usize,
  keep: i32,
  hard: i32,
): i32 {
  let count: i32 = 0;
  const rowBytes = coutPad << 2;
  const tapBytes = cin * rowBytes;
  if (keep == 0) store<i32>(outOff, 0);
  for (let oy: i32 = 0; oy < outH; oy++) {
    for (let ox: i32 = 0; ox < outW; ox++) {
      const pixel = oy * outW + ox;
      const x0 = ox * strideX - padX;
      const ixLo = max(x0, 0);
      const ixHi = min(x0 + kw, inW);
      for (let block: i32 = 0; block < coutPad; block += BLOCK) {
        const blockBytes = <usize>block << 2;
        let a0 = v128.load(bias + blockBytes, 0);
        let a1 = v128.load(bias + blockBytes, 16);
        let a2 = v128.load(bias + blockBytes, 32);
        let a3 = v128.load(bias + blockBytes, 48);
        let a4 = v128.load(bias + blockBytes, 64);
        let a5 = v128.load(bias + blockBytes, 80);
        let a6 = v128.load(bias + blockBytes, 96);
        let a7 = v128.load(bias + blockBytes, 112);
        for (let ky: i32 = 0; ky < kh; ky++) {
          const iy = oy * strideY - padY + ky;
          if (iy < 0 || iy >= inH || ixLo >= ixHi) continue;
          const begin = load<i32>(inOff + (<usize>(iy * inW + ixLo) << 2));
          const end = load<i32>(inOff + (<usize>(iy * inW + ixHi) << 2));
          // Wraps below zero for columns left of the image; base + e is always inside W'.
          const base = w + <usize>((ky * kw - x0) * tapBytes) + blockBytes;
          // Two passes of four accumulators: one pass of eight needs more SIMD registers than V8
          // allocates on x64 (it spilled one, chaining every row through the stack).
          for (let k = begin; k < end; k++) {
            const row = base + <usize>load<i32>(entries + (<usize>k << 2));
            a0 = f32x4.add(a0, v128.load(row, 0));
            a1 = f32x4.add(a1, v128.load(row, 16));
            a2 = f32x4.add(a2, v128.load(row, 32));
            a3 = f32x4.add(a3, v128.load(row, 48));
          }
          for (let k = begin; k < end; k++) {
            const row = base + <usize>load<i32>(entries + (<usize>k << 2));
            a4 = f32x4.add(a4, v128.load(row, 64));
            a5 = f32x4.add(a5, v128.load(row, 80));
            a6 = f32x4.add(a6, v128.load(row, 96));
            a7 = f32x4.add(a7, v128.load(row, 112));
          }
        }
        const vp = v + <usize>pixel * <usize>rowBytes + blockBytes;
        const ep = extra != 0 ? extra + <usize>pixel * <usize>rowBytes + blockBytes : 0;
        count = finishBlock(a0, a1, a2, a3, a4, a5, a6, a7, ep, vp, theta + blockBytes, block, outIdx, count, keep, hard);
      }
      if (keep == 0) store<i32>(outOff + (<usize>(pixel + 1) << 2), count);
    }
  }
  return count;
}

/**
 * `convStep` with s8 weights (W' quantized per output channel: W' ≈ scale[c]·Wq[…, c]; rows of
 * coutPad bytes), summed exactly: each block of 32 channels adds rows in four i16x8 accumulators,
 * widened into the i32 sums at WIDE after every FLUSH_ROWS rows (FLUSH_ROWS·127 < 2¹⁵, so the
 * wrapping i16 adds never lose a bit), then I[c] = b[c] + scale[c]·Σ. Entries are in bytes of these rows.
 */
export function convStepI8(
  entries: usize,
  inOff: usize,
  inH: i32,
  inW: i32,
  cin: i32,
  w: usize,
  bias: usize,
  scale: usize,
  kh: i32,
  kw: i32,
  strideY: i32,
  strideX: i32,
  padY: i32,
  padX: i32,
  outH: i32,
  outW: i32,
  coutPad: i32,
  theta: usize,
  v: usize,
  extra: usize,
  outIdx: usize,
  outOff: usize,
  keep: i32,
  hard: i32,
): i32 {
  let count: i32 = 0;
  const rowBytes = <usize>coutPad << 2;
  const tapBytes = cin * coutPad;
  if (keep == 0) store<i32>(outOff, 0);
  for (let oy: i32 = 0; oy < outH; oy++) {
    for (let ox: i32 = 0; ox < outW; ox++) {
      const pixel = oy * outW + ox;
      const x0 = ox * strideX - padX;
      const ixLo = max(x0, 0);
      const ixHi = min(x0 + kw, inW);
      for (let block: i32 = 0; block < coutPad; block += BLOCK) {
        let a0 = i16x8.splat(0);
        let a1 = i16x8.splat(0);
        let a2 = i16x8.splat(0);
        let a3 = i16x8.splat(0);
        // Rows since the last widening, and whether the i32 sums at WIDE hold any yet.
        let pending: i32 = 0;
        let widened = false;
        for (let ky: i32 = 0; ky < kh; ky++) {
          const iy = oy * strideY - padY + ky;
          if (iy < 0 || iy >= inH || ixLo >= ixHi) continue;
          let k = load<i32>(inOff + (<usize>(iy * inW + ixLo) << 2));
          const end = load<i32>(inOff + (<usize>(iy * inW + ixHi) << 2));
          const base = w + <usize>((ky * kw - x0) * tapBytes) + <usize>block;
          while (k < end) {
            // Usually one pass: a kernel row holds fewer than FLUSH_ROWS entries.
            const stop = min(end, k + FLUSH_ROWS - pending);
            pending += stop - k;
            for (; k < stop; k++) {
              const row = base + <usize>load<i32>(entries + (<usize>k << 2));
              a0 = i16x8.add(a0, v128.load8x8_s(row, 0));
              a1 = i16x8.add(a1, v128.load8x8_s(row, 8));
              a2 = i16x8.add(a2, v128.load8x8_s(row, 16));
              a3 = i16x8.add(a3, v128.load8x8_s(row, 24));
            }
            if (pending == FLUSH_ROWS) {
              widen(a0, a1, a2, a3, widened);
              widened = true;
              a0 = i16x8.splat(0);
              a1 = i16x8.splat(0);
              a2 = i16x8.splat(0);
              a3 = i16x8.splat(0);
              pending = 0;
            }
          }
        }
        const blockBytes = <usize>block << 2;
        const sp = scale + blockBytes;
        const bp = bias + blockBytes;
        let c0: v128, c1: v128, c2: v128, c3: v128, c4: v128, c5: v128, c6: v128, c7: v128;
        if (widened) {
          widen(a0, a1, a2, a3, true);
          c0 = dequantize(v128.load(WIDE, 0), sp, bp, 0);
          c1 = dequantize(v128.load(WIDE, 16), sp, bp, 16);
          c2 = dequantize(v128.load(WIDE, 32), sp, bp, 32);
          c3 = dequantize(v128.load(WIDE, 48), sp, bp, 48);
          c4 = dequantize(v128.load(WIDE, 64), sp, bp, 64);
          c5 = dequantize(v128.load(WIDE, 80), sp, bp, 80);
          c6 = dequantize(v128.load(WIDE, 96), sp, bp, 96);
          c7 = dequantize(v128.load(WIDE, 112), sp, bp, 112);
        } else {
          c0 = dequantize(i32x4.extend_low_i16x8_s(a0), sp, bp, 0);
          c1 = dequantize(i32x4.extend_high_i16x8_s(a0), sp, bp, 16);
          c2 = dequantize(i32x4.extend_low_i16x8_s(a1), sp, bp, 32);
          c3 = dequantize(i32x4.extend_high_i16x8_s(a1), sp, bp, 48);
          c4 = dequantize(i32x4.extend_low_i16x8_s(a2), sp, bp, 64);
          c5 = dequantize(i32x4.extend_high_i16x8_s(a2), sp, bp, 80);
          c6 = dequantize(i32x4.extend_low_i16x8_s(a3), sp, bp, 96);
          c7 = dequantize(i32x4.extend_high_i16x8_s(a3), sp, bp, 112);
        }
        const vp = v + <usize>pixel * rowBytes + blockBytes;
        const ep = extra != 0 ? extra + <usize>pixel * rowBytes + blockBytes : 0;
        count = finishBlock(c0, c1, c2, c3, c4, c5, c6, c7, ep, vp, theta + blockBytes, block, outIdx, count, keep, hard);
      }
      if (keep == 0) store<i32>(outOff + (<usize>(pixel + 1) << 2), count);
    }
  }
  return count;
}

/** The 32 i16 sums a0…a3, widened, into the i32 sums at WIDE (added to them when `add`, else replacing them). */
function widen(a0: v128, a1: v128, a2: v128, a3: v128, add: bool): void {
  widenInto(WIDE, a0, add);
  widenInto(WIDE + 32, a1, add);
  widenInto(WIDE + 64, a2, add);
  widenInto(WIDE + 96, a3, add);
}

// @ts-ignore: decorator
@inline
function widenInto(at: usize, h: v128, add: bool): void {
  const zero = i32x4.splat(0);
  v128.store(at, i32x4.add(add ? v128.load(at, 0) : zero, i32x4.extend_low_i16x8_s(h)), 0);
  v128.store(at, i32x4.add(add ? v128.load(at, 16) : zero, i32x4.extend_high_i16x8_s(h)), 16);
}
