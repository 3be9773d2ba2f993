// AssemblyScript source of the event-driven simulation kernels (compiled to build/event-kernels.wasm
// by `npm run build:wasm`, which `npm ci` runs through `prepare`). Raw linear memory, no runtime:
// the host lays out every buffer and passes byte offsets.
//
// Spikes of one image and one step are a CSR list per pixel of a channels-last map:
//   channels firing at pixel p = idx[off[p]] … idx[off[p+1] − 1]        (i32 each)
// Before synapses read them, the channels become entries: byte offsets of their weight rows relative
// to the row of their image column, e = (x·cin + c)·rowBytes (`entryLists`, `poolLists`). The row of
// W'[ky, kx, c] for output column ox is then base(ky, ox) + e with base(ky, ox) = W' + (ky·kw + pad −
// ox·s)·cin·rowBytes, for every kx at once: the kw pixels of one kernel row are adjacent in the CSR,
// so each kernel row is one contiguous run of entries.
// Weights are [kh][kw][cin][coutPad] (cout padded to a multiple of 32), θ is padded with +∞ so the
// padding units never fire.

const BLOCK: i32 = 32;

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

/** Sums that reached the i16 limits in the int8 kernels (read by the host; reset by it). */
const SATURATED: usize = 32;

/**
 * `convStep` with s8 weights (W' quantized per output channel: W' ≈ scale[c]·Wq[…, c]; rows of
 * coutPad bytes): each block of 32 channels sums in four i16x8 accumulators (saturating; a sum that
 * reaches the limits is counted at SATURATED), then I[c] = b[c] + scale[c]·Σ. Entries are in bytes
 * of these rows.
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
  const top = i16x8.splat(32767);
  const bottom = i16x8.splat(-32768);
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
        for (let ky: i32 = 0; ky < kh; ky++) {
          const iy = oy * strideY - padY + ky;
          if (iy < 0 || iy >= inH || ixLo >= ixHi) continue;
          const begin = load<i32>(inOff + (<usize>(iy * inW + ixLo) << 2));
          const end = load<i32>(inOff + (<usize>(iy * inW + ixHi) << 2));
          const base = w + <usize>((ky * kw - x0) * tapBytes) + <usize>block;
          for (let k = begin; k < end; k++) {
            const row = base + <usize>load<i32>(entries + (<usize>k << 2));
            a0 = i16x8.add_sat_s(a0, v128.load8x8_s(row, 0));
            a1 = i16x8.add_sat_s(a1, v128.load8x8_s(row, 8));
            a2 = i16x8.add_sat_s(a2, v128.load8x8_s(row, 16));
            a3 = i16x8.add_sat_s(a3, v128.load8x8_s(row, 24));
          }
        }
        const limits = v128.or(v128.or(v128.or(i16x8.eq(a0, top), i16x8.eq(a1, top)), v128.or(i16x8.eq(a2, top), i16x8.eq(a3, top))), v128.or(v128.or(i16x8.eq(a0, bottom), i16x8.eq(a1, bottom)), v128.or(i16x8.eq(a2, bottom), i16x8.eq(a3, bottom))));
        if (v128.any_true(limits)) store<i32>(SATURATED, load<i32>(SATURATED) + 1);
        const blockBytes = <usize>block << 2;
        const sp = scale + blockBytes;
        const bp = bias + blockBytes;
        const c0 = dequantize(i32x4.extend_low_i16x8_s(a0), sp, bp, 0);
        const c1 = dequantize(i32x4.extend_high_i16x8_s(a0), sp, bp, 16);
        const c2 = dequantize(i32x4.extend_low_i16x8_s(a1), sp, bp, 32);
        const c3 = dequantize(i32x4.extend_high_i16x8_s(a1), sp, bp, 48);
        const c4 = dequantize(i32x4.extend_low_i16x8_s(a2), sp, bp, 64);
        const c5 = dequantize(i32x4.extend_high_i16x8_s(a2), sp, bp, 80);
        const c6 = dequantize(i32x4.extend_low_i16x8_s(a3), sp, bp, 96);
        const c7 = dequantize(i32x4.extend_high_i16x8_s(a3), sp, bp, 112);
        const vp = v + <usize>pixel * rowBytes + blockBytes;
        const ep = extra != 0 ? extra + <usize>pixel * rowBytes + blockBytes : 0;
        count = finishBlock(c0, c1, c2, c3, c4, c5, c6, c7, ep, vp, theta + blockBytes, block, outIdx, count, keep, hard);
      }
      if (keep == 0) store<i32>(outOff + (<usize>(pixel + 1) << 2), count);
    }
  }
  return count;
}

/**
 * `denseStep` with s8 weights: rows are summed into an i16 accumulator row in `acc16`, flushed
 * into the i32 row `acc32` every 256 entries (256·127 < 2¹⁵: exact, no saturation), then
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
      if (++pending == 256) {
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

/** b + scale·Σ for four channels (Σ as i32x4). */
// @ts-ignore: decorator
@inline
function dequantize(sum: v128, scale: usize, bias: usize, offset: usize): v128 {
  return f32x4.add(v128.load(bias + offset), f32x4.mul(v128.load(scale + offset), f32x4.convert_i32x4_s(sum)));
}

/**
 * The end of a block of 32 channels of `convStep*`: its currents c0…c7 (plus the currents at `ep`
 * when ep ≠ 0) are kept at vp (`keep` ≠ 0), or drive the neurons there (θ at tp). Returns the count.
 */
// @ts-ignore: decorator
@inline
function finishBlock(
  c0: v128,
  c1: v128,
  c2: v128,
  c3: v128,
  c4: v128,
  c5: v128,
  c6: v128,
  c7: v128,
  ep: usize,
  vp: usize,
  tp: usize,
  block: i32,
  outIdx: usize,
  count: i32,
  keep: i32,
  hard: i32,
): i32 {
  if (ep != 0) {
    c0 = f32x4.add(c0, v128.load(ep, 0));
    c1 = f32x4.add(c1, v128.load(ep, 16));
    c2 = f32x4.add(c2, v128.load(ep, 32));
    c3 = f32x4.add(c3, v128.load(ep, 48));
    c4 = f32x4.add(c4, v128.load(ep, 64));
    c5 = f32x4.add(c5, v128.load(ep, 80));
    c6 = f32x4.add(c6, v128.load(ep, 96));
    c7 = f32x4.add(c7, v128.load(ep, 112));
  }
  if (keep != 0) {
    v128.store(vp, c0, 0);
    v128.store(vp, c1, 16);
    v128.store(vp, c2, 32);
    v128.store(vp, c3, 48);
    v128.store(vp, c4, 64);
    v128.store(vp, c5, 80);
    v128.store(vp, c6, 96);
    v128.store(vp, c7, 112);
    return count;
  }
  if (burst != 1) {
    // Burst neurons: v + I goes through memory, so that the common path keeps its registers.
    addInto(vp, c0);
    addInto(vp + 16, c1);
    addInto(vp + 32, c2);
    addInto(vp + 48, c3);
    addInto(vp + 64, c4);
    addInto(vp + 80, c5);
    addInto(vp + 96, c6);
    addInto(vp + 112, c7);
    return fireBurstBlock(vp, tp, BLOCK, block, outIdx, count, hard);
  }
  count = fire(vp, tp, c0, 0, block, outIdx, count, hard);
  count = fire(vp, tp, c1, 16, block + 4, outIdx, count, hard);
  count = fire(vp, tp, c2, 32, block + 8, outIdx, count, hard);
  count = fire(vp, tp, c3, 48, block + 12, outIdx, count, hard);
  count = fire(vp, tp, c4, 64, block + 16, outIdx, count, hard);
  count = fire(vp, tp, c5, 80, block + 20, outIdx, count, hard);
  count = fire(vp, tp, c6, 96, block + 24, outIdx, count, hard);
  return fire(vp, tp, c7, 112, block + 28, outIdx, count, hard);
}

/**
 * One step of integrate-and-fire driven by a current that is the same at every step (the static
 * first layer under direct input), `pixels` × coutPad units, with the reset of `convStep`.
 */
export function constantStep(
  current: usize,
  pixels: i32,
  coutPad: i32,
  theta: usize,
  v: usize,
  outIdx: usize,
  outOff: usize,
  hard: i32,
): i32 {
  let count: i32 = 0;
  const rowBytes = <usize>coutPad << 2;
  store<i32>(outOff, 0);
  for (let pixel: i32 = 0; pixel < pixels; pixel++) {
    const base = <usize>pixel * rowBytes;
    if (burst != 1) {
      for (let c: usize = 0; c < rowBytes; c += 16) addInto(v + base + c, v128.load(current + base + c));
      count = fireBurstBlock(v + base, theta, coutPad, 0, outIdx, count, hard);
    } else {
      for (let c: i32 = 0; c < coutPad; c += 4) {
        const offset = base + (<usize>c << 2);
        count = fire(v + offset, theta + (<usize>c << 2), v128.load(current + offset), 0, c, outIdx, count, hard);
      }
    }
    store<i32>(outOff + (<usize>(pixel + 1) << 2), count);
  }
  return count;
}

/** Entries of a spike list for synapses with `cin` input channels and rows of `rowBytes`: e = (x·cin + c)·rowBytes. */
export function entryLists(inIdx: usize, inOff: usize, inH: i32, inW: i32, cin: i32, rowBytes: i32, entries: usize): void {
  for (let p: i32 = 0; p < inH * inW; p++) {
    const column = (p % inW) * cin;
    const end = load<i32>(inOff + (<usize>(p + 1) << 2));
    for (let k = load<i32>(inOff + (<usize>p << 2)); k < end; k++) {
      const at = <usize>k << 2;
      store<i32>(entries + at, (column + load<i32>(inIdx + at)) * rowBytes);
    }
  }
}

/**
 * Sum pooling of spike lists over py × px windows (kernel = stride), written as entries of the
 * pooled grid: the list of a pooled pixel is its window's lists concatenated, so a channel that
 * fired k times in the window appears k times, and gathering W/(py·px) once per entry is exactly
 * average pooling followed by the layer.
 */
export function poolLists(
  inIdx: usize,
  inOff: usize,
  inW: i32,
  py: i32,
  px: i32,
  outH: i32,
  outW: i32,
  cin: i32,
  rowBytes: i32,
  entries: usize,
  outOff: usize,
): void {
  let count: i32 = 0;
  store<i32>(outOff, 0);
  for (let oy: i32 = 0; oy < outH; oy++) {
    for (let ox: i32 = 0; ox < outW; ox++) {
      const column = ox * cin;
      for (let dy: i32 = 0; dy < py; dy++) {
        const rowStart = <usize>((oy * py + dy) * inW + ox * px) << 2;
        const end = load<i32>(inOff + rowStart + (<usize>px << 2));
        for (let k = load<i32>(inOff + rowStart); k < end; k++) {
          store<i32>(entries + (<usize>count << 2), (column + load<i32>(inIdx + (<usize>k << 2))) * rowBytes);
          count++;
        }
      }
      store<i32>(outOff + (<usize>(oy * outW + ox + 1) << 2), count);
    }
  }
}

/** Where `init` writes the 16 compaction patterns of `fire` (i32x4 each, 256 bytes). */
const COMPACT: usize = 64;

/** Writes the kernels' constant tables into their reserved memory; call once per instance. */
export function init(): void {
  for (let bits: i32 = 0; bits < 16; bits++) {
    let n: i32 = 0;
    for (let lane: i32 = 0; lane < 4; lane++) {
      if ((bits >> lane) & 1) {
        store<i32>(COMPACT + (<usize>bits << 4) + (<usize>n << 2), lane);
        n++;
      }
    }
  }
}

/**
 * Four units: v ← v + I; s = [v ≥ θ]; reset; appends the firing channels (first = channel of lane 0)
 * without a branch: the lane numbers of the mask, packed to the front, are stored whole and the count
 * advances by the number of spikes (so the list may be written up to 3 entries past its end).
 */
// @ts-ignore: decorator
@inline
function fire(vp: usize, tp: usize, current: v128, offset: usize, first: i32, outIdx: usize, count: i32, hard: i32): i32 {
  const th = v128.load(tp + offset);
  let u = f32x4.add(v128.load(vp + offset), current);
  const mask = f32x4.ge(u, th);
  u = hard != 0 ? v128.andnot(u, mask) : f32x4.sub(u, v128.and(mask, th));
  v128.store(vp + offset, u);
  const bits = i32x4.bitmask(mask);
  v128.store(outIdx + (<usize>count << 2), i32x4.add(v128.load(COMPACT + (<usize>bits << 4)), i32x4.splat(first)));
  return count + popcnt(bits);
}

/**
 * γ, the most spikes a neuron emits per step, of the layer being fired (set by the host; 1 = IF).
 * A burst neuron (γ > 1) emits n = min(⌊v/θ⌋, γ) spikes when v ≥ θ, listed n times, and loses n·θ.
 */
export let burst: i32 = 1;

/**
 * Fires `channels` burst neurons (from channel `first`) whose potentials at vp already hold v + I:
 * n = [v ≥ θ]·min(⌊v/θ⌋, γ); v ← v − n·θ (soft) or 0 if n > 0 (hard); each channel listed n times.
 */
function fireBurstBlock(vp: usize, tp: usize, channels: i32, first: i32, outIdx: usize, count: i32, hard: i32): i32 {
  for (let c: i32 = 0; c < channels; c += 4) {
    const offset = <usize>c << 2;
    const th = v128.load(tp + offset);
    let u = v128.load(vp + offset);
    const mask = f32x4.ge(u, th);
    const n = v128.and(f32x4.min(f32x4.floor(f32x4.div(u, th)), f32x4.splat(<f32>burst)), mask);
    u = hard != 0 ? v128.andnot(u, mask) : f32x4.sub(u, f32x4.mul(n, th));
    v128.store(vp + offset, u);
    count = emit(outIdx, count, first + c, <i32>f32x4.extract_lane(n, 0));
    count = emit(outIdx, count, first + c + 1, <i32>f32x4.extract_lane(n, 1));
    count = emit(outIdx, count, first + c + 2, <i32>f32x4.extract_lane(n, 2));
    count = emit(outIdx, count, first + c + 3, <i32>f32x4.extract_lane(n, 3));
  }
  return count;
}

/** v ← v + I for four units. */
// @ts-ignore: decorator
@inline
function addInto(vp: usize, current: v128): void {
  v128.store(vp, f32x4.add(v128.load(vp), current));
}

/** Appends `channel` n times. */
// @ts-ignore: decorator
@inline
function emit(outIdx: usize, count: i32, channel: i32, n: i32): i32 {
  for (let k: i32 = 0; k < n; k++) store<i32>(outIdx + (<usize>(count + k) << 2), channel);
  return count + n;
}

/**
 * One step of a Bernoulli (Poisson) input: unit (pixel p, channel c) of image x (channels-last,
 * values in [0, 1]) spikes when u_n < x, u_n the n-th float of mulberry32(seed) with
 * n = base + c·pixels + p (its graph-order index in the encoder's stream; see simulate/encoders.ts).
 */
export function bernoulliStep(x: usize, pixels: i32, channels: i32, cp: i32, seed: u32, base: u32, outIdx: usize, outOff: usize): i32 {
  let count: i32 = 0;
  store<i32>(outOff, 0);
  for (let p: i32 = 0; p < pixels; p++) {
    for (let c: i32 = 0; c < channels; c++) {
      const n = base + <u32>(c * pixels + p);
      let t: u32 = seed + (n + 1) * 0x6d2b79f5;
      t = (t ^ (t >>> 15)) * (t | 1);
      t ^= t + (t ^ (t >>> 7)) * (t | 61);
      t ^= t >>> 14;
      if (<f64>t / 4294967296.0 < <f64>load<f32>(x + (<usize>(p * cp + c) << 2))) {
        store<i32>(outIdx + (<usize>count << 2), c);
        count++;
      }
    }
    store<i32>(outOff + (<usize>(p + 1) << 2), count);
  }
  return count;
}
