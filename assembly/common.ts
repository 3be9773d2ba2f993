// What the kernels share: the reserved memory below the host's RESERVED (512 bytes: the SATURATED
// counter, the COMPACT table of `fire`), the channel block width of the conv kernels, and the int8
// kernels' dequantization.

/** Output channels per block of the conv kernels: eight f32x4 accumulators. */
export const BLOCK: i32 = 32;

/** Sums that reached the i16 limits in the int8 kernels (read by the host; reset by it). */
export const SATURATED: usize = 32;

/** Where `init` writes the 16 compaction patterns of `fire` (i32x4 each, 256 bytes). */
export const COMPACT: usize = 64;

/** b + scale·Σ for four channels (Σ as i32x4). */
// @ts-ignore: decorator
@inline
export function dequantize(sum: v128, scale: usize, bias: usize, offset: usize): v128 {
  return f32x4.add(v128.load(bias + offset), f32x4.mul(v128.load(scale + offset), f32x4.convert_i32x4_s(sum)));
}
