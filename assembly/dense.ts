// Spiking dense (fully connected) steps fused with the neurons (f32 and s8 weights): every entry's
// weight row is added whole into an accumulator row, so each row of W' is read once, front to back.
import { FLUSH_ROWS, dequantize } from './common';
import { addInto, burst, fire, fireBurstBlock } from './fire';

/**
 * `convStep` for a single output pixel whose kernel covers the whole input (Dense): every entry's
 * row is added whole into an accumulator in `acc` (coutPad floats, L1-resident) instead of one
 * 32-channel block at a time, so each row of W' is read once, front to back.
 */
export function denseStep(
  entries: usize,
  inOff: usize,
  inH: i32,
  inW: i32,
  cin: i32,
  w: usize,
  bias: usize,
  coutPad: i32,
  acc: usize,
  theta: usize,
  v: usize,
  extra: usize,
  outIdx: usize,
  outOff: usize,
  keep: i32,
  hard: i32,
): i32 {
  const rowBytes = <usize>coutPad << 2;
  const kernelRowBytes = <usize>inW * <usize>cin * rowBytes;
  memory.copy(acc, bias, rowBytes);
  for (let iy: i32 = 0; iy < inH; iy++) {
    const begin = load<i32>(inOff + (<usize>(iy * inW) << 2));
    const end = load<i32>(inOff + (<usize>((iy + 1) * inW) << 2));
    const base = w + <usize>iy * kernelRowBytes;
    for (let k = begin; k < end; k++) {
      const row = base + <usize>load<i32>(entries + (<usize>k << 2));
      for (let j: usize = 0; j < rowBytes; j += 64) {
        v128.store(acc + j, f32x4.add(v128.load(acc + j, 0), v128.load(row + j, 0)), 0);
        v128.store(acc + j, f32x4.add(v128.load(acc + j, 16), v128.load(row + j, 16)), 16);
        v128.store(acc + j, f32x4.add(v128.load(acc + j, 32), v128.load(row + j, 32)), 32);
        v128.store(acc + j, f32x4.add(v128.load(acc + j, 48), v128.load(row + j, 48)), 48);
      }
    }
  }
  if (extra != 0) {
    for (let j: usize = 0; j < rowBytes; j += 16) v128.store(acc + j, f32x4.add(v128.load(acc + j), v128.load(extra + j)));
  }
  if (keep != 0) {
    memory.copy(v, acc, rowBytes);
    return 0;
  }
  let count: i32 = 0;
  if (burst != 1) {
    for (let c: usize = 0; c < rowBytes; c += 16) addInto(v + c, v128.load(acc + c));
    count = fireBurstBlock(v, theta, coutPad, 0, outIdx, 0, hard);
  } else {
    for (let c: i32 = 0; c < coutPad; c += 4) {
      const offset = <usize>c << 2;
      count = fire(v + offset, theta + offset, v128.load(acc + offset), 0, c, outIdx, count, hard);
    }
  }
  store<i32>(outOff, 0);
  store<i32>(outOff, count, 4);
  return count;
}

/**
 * `denseStep` with s8 weights: rows are summed into an i16 accumulator row in `acc16`, flushed
 * into the i32 row `acc32` every FLUSH_ROWS entries (exact, see common.ts), then
 * I[c] = b[c] + scale[c]·Σ.
 */
export function denseStepI8(
  entries: usize,
  inOff: usize,
  inH: i32,
  inW: i32,
  cin: i32,
  w: usize,
  bias: usize,
  scale: usize,
  coutPad: i32,
  acc16: usize,
  acc32: usize,
  theta: usize,
  v: usize,
  extra: usize,
  outIdx: usize,
  outOff: usize,
  keep: i32,
  hard: i32,
): i32 {
  const cp = <usize>coutPad;
  memory.fill(acc16, 0, cp << 1);
  memory.fill(acc32, 0, cp << 2);
  const kernelRowBytes = <usize>inW * <usize>cin * cp;
  let pending: i32 = 0;
  for (let iy: i32 = 0; iy < inH; iy++) {
    const begin = load<i32>(inOff + (<usize>(iy * inW) << 2));
    const end = load<i32>(inOff + (<usize>((iy + 1) * inW) << 2));
    const base = w + <usize>iy * kernelRowBytes;
    for (let k = begin; k < end; k++) {
      const row = base + <usize>load<i32>(entries + (<usize>k << 2));
      for (let j: usize = 0; j < cp; j += 16) {
        const a = acc16 + (j << 1);
        v128.store(a, i16x8.add(v128.load(a, 0), v128.load8x8_s(row + j, 0)), 0);
        v128.store(a, i16x8.add(v128.load(a, 16), v128.load8x8_s(row + j, 8)), 16);
      }
      if (++pending == FLUSH_ROWS) {
        flush16(acc16, acc32, cp);
        pending = 0;
      }
    }
  }
  flush16(acc16, acc32, cp);
  if (keep != 0) {
    for (let c: usize = 0; c < cp; c += 4) {
      const offset = c << 2;
      let current = dequantize(v128.load(acc32 + offset), scale, bias, offset);
      if (extra != 0) current = f32x4.add(current, v128.load(extra + offset));
      v128.store(v + offset, current);
    }
    return 0;
  }
  let count: i32 = 0;
  for (let c: i32 = 0; c < coutPad; c += 4) {
    const offset = <usize>c << 2;
    let current = dequantize(v128.load(acc32 + offset), scale, bias, offset);
    if (extra != 0) current = f32x4.add(current, v128.load(extra + offset));
    if (burst != 1) addInto(v + offset, current);
    else count = fire(v + offset, theta + offset, current, 0, c, outIdx, count, hard);
  }
  if (burst != 1) count = fireBurstBlock(v, theta, coutPad, 0, outIdx, 0, hard);
  store<i32>(outOff, 0);
  store<i32>(outOff, count, 4);
  return count;
}

/** acc32 += acc16 (widened); acc16 ← 0. */
function flush16(acc16: usize, acc32: usize, cp: usize): void {
  for (let c: usize = 0; c < cp; c += 8) {
    const h = v128.load(acc16 + (c << 1));
    const p = acc32 + (c << 2);
    v128.store(p, i32x4.add(v128.load(p, 0), i32x4.extend_low_i16x8_s(h)), 0);
    v128.store(p, i32x4.add(v128.load(p, 16), i32x4.extend_high_i16x8_s(h)), 16);
    v128.store(acc16 + (c << 1), i16x8.splat(0));
  }
}
