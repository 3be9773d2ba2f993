// The neurons: integrate-and-fire (and burst IF, γ = `burst`) of four units at a time, the end of a
// 32-channel block of the conv kernels, and the step of a layer driven by a constant current. Each
// appends the firing channels to a spike list (see event-kernels.ts for the list format).
import { BLOCK, COMPACT } from './common';

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
 * γ, the most spikes a neuron emits per step, of the layer being fired (set by the host; 1 = IF).
 * A burst neuron (γ > 1) emits n = min(⌊v/θ⌋, γ) spikes when v ≥ θ, listed n times, and loses n·θ.
 */
export let burst: i32 = 1;

/**
 * Four units: v ← v + I; s = [v ≥ θ]; reset; appends the firing channels (first = channel of lane 0)
 * without a branch: the lane numbers of the mask, packed to the front, are stored whole and the count
 * advances by the number of spikes (so the list may be written up to 3 entries past its end).
 */
// @ts-ignore: decorator
@inline
export function fire(vp: usize, tp: usize, current: v128, offset: usize, first: i32, outIdx: usize, count: i32, hard: i32): i32 {
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
 * Fires `channels` burst neurons (from channel `first`) whose potentials at vp already hold v + I:
 * n = [v ≥ θ]·min(⌊v/θ⌋, γ); v ← v − n·θ (soft) or 0 if n > 0 (hard); each channel listed n times.
 */
export function fireBurstBlock(vp: usize, tp: usize, channels: i32, first: i32, outIdx: usize, count: i32, hard: i32): i32 {
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
export function addInto(vp: usize, current: v128): void {
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
 * The end of a block of 32 channels of `convStep*`: its currents c0…c7 (plus the currents at `ep`
 * when ep ≠ 0) are kept at vp (`keep` ≠ 0), or drive the neurons there (θ at tp). Returns the count.
 */
// @ts-ignore: decorator
@inline
export function finishBlock(
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
