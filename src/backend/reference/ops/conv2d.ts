/**
 * y[n,o,i,j] = b[o] + Σ_{c,p,q} W[o,c,p,q] · x[n, g·C/G + c, i·s0 + p·d0 − pad_top, j·s1 + q·d1 − pad_left],
 * where g = ⌊o / (O/G)⌋ and out-of-range x reads as 0 (ONNX Conv, NCHW).
 *
 * Loop order: for each (n, o) the output plane is accumulated in float64 one weight at a time,
 * sweeping only the output rows and columns whose input tap is inside the image (no bounds tests
 * in the inner loop).
 */
import { tensor, type Tensor } from '../../../tensor/tensor.js';
import { nchw, windowCount } from './window.js';

export interface Conv2dParams {
  readonly strides: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly dilations: readonly [number, number];
  readonly groups: number;
}

export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null, params: Conv2dParams): Tensor {
  const [batch, channels, height, width] = nchw(x.shape, 'conv2d');
  const [outChannels, groupChannels, kh, kw] = nchw(weight.shape, 'conv2d weight');
  const { strides, pads, dilations, groups } = params;
  const [sh, sw] = strides;
  const [dh, dw] = dilations;
  const [padTop, padLeft] = pads;
  if (groupChannels * groups !== channels || outChannels % groups !== 0) {
    throw new RangeError(`conv2d: ${channels} input channels do not fit weight [${weight.shape.join(', ')}] with ${groups} groups`);
  }
  const outH = windowCount(height, kh, sh, pads[0], pads[2], dh, false);
  const outW = windowCount(width, kw, sw, pads[1], pads[3], dw, false);
  const outPerGroup = outChannels / groups;
  const xs = x.data;
  const ws = weight.data;
  const y = new Float32Array(batch * outChannels * outH * outW);
  const plane = new Float64Array(outH * outW);

  // For tap offset p, the output rows i whose input row i·s − pad + p·d lies in [0, height).
  const validRange = (tap: number, stride: number, pad: number, size: number, outSize: number): [number, number] => {
    const offset = tap - pad;
    const first = Math.max(0, Math.ceil(-offset / stride));
    const last = Math.min(outSize - 1, Math.floor((size - 1 - offset) / stride));
    return [first, last];
  };

  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outChannels; o++) {
      const g = Math.floor(o / outPerGroup);
      plane.fill(bias ? bias.data[o] : 0);
      for (let c = 0; c < groupChannels; c++) {
        const xPlane = (n * channels + g * groupChannels + c) * height * width;
        const wBase = (o * groupChannels + c) * kh * kw;
        for (let p = 0; p < kh; p++) {
          const rowTap = p * dh;
          const [i0, i1] = validRange(rowTap, sh, padTop, height, outH);
          for (let q = 0; q < kw; q++) {
            const w = ws[wBase + p * kw + q];
            if (w === 0) continue;
            const colTap = q * dw;
            const [j0, j1] = validRange(colTap, sw, padLeft, width, outW);
            for (let i = i0; i <= i1; i++) {
              const xRow = xPlane + (i * sh + rowTap - padTop) * width + colTap - padLeft;
              const yRow = i * outW;
              for (let j = j0; j <= j1; j++) plane[yRow + j] += w * xs[xRow + j * sw];
            }
          }
        }
      }
      y.set(plane, (n * outChannels + o) * outH * outW);
    }
  }
  return tensor([batch, outChannels, outH, outW], y);
}
