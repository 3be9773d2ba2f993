// What the kernels share: the reserved memory below the host's RESERVED (512 bytes: the COMPACT table
// of `fire`, the WIDE sums of the int8 conv kernel), the channel block width of the conv kernels, and
// the int8 kernels' exact summing and dequantization.

/** Output channels per block of the conv kernels: eight f32x4 accumulators. */
export const BLOCK: i32 = 32;

/**
 * s8 rows the int8 kernels add in i16 lanes before widening them to i32: 256·127 = 32,512 < 2¹⁵,
 * so a sum of at most this many rows is exact (also with wrapping adds).
 */
export const FLUSH_ROWS: i32 = 256;

/** Where `init` writes the 16 compaction patterns of `fire` (i32x4 each, 256 bytes). */
export const COMPACT: usize = 64;

/** The i32 sums of one block of 32 channels of `convStepI8` once it widened them (128 bytes). */
export const WIDE: usize = 384;

/** b + scale·Σ for four channels (Σ as i32x4). */
// @ts-ignore: decorator
@inline
export function dequantize(sum: v128, scale: usize, bias: usize, offset: usize): v128 {
  return f32x4.add(v128.load(bias + offset), f32x4.mul(v128.load(scale + offset), f32x4.convert_i32x4_s(sum)));
}
