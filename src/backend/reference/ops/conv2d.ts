/**
 * y[n,o,i,j] = b[o] + Σ_{c,p,q} W[o,c,p,q] · x[n, g·C/G + c, i·s0 + p·d0 − pad_top, j·s1 + q·d1 − pad_left],
 * where g = ⌊o / (O/G)⌋ and out-of-range x reads as 0 (ONNX Conv, NCHW).
 *
 * Computed per image and group as a matrix product (clear, and ~2 GFLOP/s in plain TypeScript):
 *   col[k, t] = the input under tap k = (c, p, q) for output pixel t = (i, j)   ("im2col", zeros for padding)
 *   y[o, t]   = b[o] + Σ_k W[o, k] · col[k, t]
 * The inner loops run along t (long, contiguous), four output channels per pass over `col`, with
 * float64 accumulators.
 */
import { ShapeError, tensor, type Tensor } from '../../../tensor/tensor.js';
import { windowOut } from '../../../ir/shapes.js';
import { nchw } from './window.js';

export interface Conv2dParams {
  readonly strides: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly dilations: readonly [number, number];
  readonly groups: number;
}

/** Output positions i in [first, last] whose input index i·stride + tap − pad lies in [0, size). */
function validRange(tap: number, stride: number, pad: number, size: number, outSize: number): [number, number] {
  const offset = tap - pad;
  return [Math.max(0, Math.ceil(-offset / stride)), Math.min(outSize - 1, Math.floor((size - 1 - offset) / stride))];
}

export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null, params: Conv2dParams): Tensor {
  const [batch, channels, height, width] = nchw(x.shape, 'conv2d');
  const [outChannels, groupChannels, kh, kw] = nchw(weight.shape, 'conv2d weight');
  const { strides, pads, dilations, groups } = params;
  const [sh, sw] = strides;
  const [dh, dw] = dilations;
  const [padTop, padLeft] = pads;
  if (groupChannels * groups !== channels || outChannels % groups !== 0) {
    throw new ShapeError(`conv2d: ${channels} input channels do not fit weight [${weight.shape.join(', ')}] with ${groups} groups`);
  }
  if (bias && bias.data.length !== outChannels)
    throw new ShapeError(`conv2d: bias has ${bias.data.length} values, expected ${outChannels}`);
  const outH = windowOut(height, kh, sh, pads[0], pads[2], dh, false);
  const outW = windowOut(width, kw, sw, pads[1], pads[3], dw, false);
  const pixels = outH * outW;
  const taps = groupChannels * kh * kw; // K: the length of one output channel's dot product
  const outPerGroup = outChannels / groups;
  const xs = x.data;
  const ws = weight.data;
  const y = new Float32Array(batch * outChannels * pixels);
  const col = new Float32Array(taps * pixels);
  const acc = new Float64Array(4 * pixels);

  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      // im2col for this image and group.
      col.fill(0);
      for (let c = 0; c < groupChannels; c++) {
        const xPlane = (n * channels + g * groupChannels + c) * height * width;
        for (let p = 0; p < kh; p++) {
          const [i0, i1] = validRange(p * dh, sh, padTop, height, outH);
          for (let q = 0; q < kw; q++) {
            const [j0, j1] = validRange(q * dw, sw, padLeft, width, outW);
            const colRow = ((c * kh + p) * kw + q) * pixels;
            for (let i = i0; i <= i1; i++) {
              const xRow = xPlane + (i * sh + p * dh - padTop) * width + q * dw - padLeft;
              const t = colRow + i * outW;
              for (let j = j0; j <= j1; j++) col[t + j] = xs[xRow + j * sw];
            }
          }
        }
      }
      // y[o, :] = b[o] + W[o, :] · col, four output channels at a time.
      const firstOut = g * outPerGroup;
      for (let o = firstOut; o < firstOut + outPerGroup; o += 4) {
        const block = Math.min(4, firstOut + outPerGroup - o);
        for (let b = 0; b < 4; b++) acc.fill(b < block && bias ? bias.data[o + b] : 0, b * pixels, (b + 1) * pixels);
        for (let k = 0; k < taps; k++) {
          const src = k * pixels;
          const w0 = ws[o * taps + k];
          const w1 = block > 1 ? ws[(o + 1) * taps + k] : 0;
          const w2 = block > 2 ? ws[(o + 2) * taps + k] : 0;
          const w3 = block > 3 ? ws[(o + 3) * taps + k] : 0;
          for (let t = 0; t < pixels; t++) {
            const v = col[src + t];
            acc[t] += w0 * v;
            acc[pixels + t] += w1 * v;
            acc[2 * pixels + t] += w2 * v;
            acc[3 * pixels + t] += w3 * v;
          }
        }
        for (let b = 0; b < block; b++) y.set(acc.subarray(b * pixels, (b + 1) * pixels), (n * outChannels + o + b) * pixels);
      }
    }
  }
  return tensor([batch, outChannels, outH, outW], y);
}
