/** Shared helpers for the training tests: small synthetic datasets and finite-difference checks. */
import { InMemoryDataset } from '../../src/data/in-memory-dataset.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';
import { TrainEngine } from '../../src/train/engine.js';
import { compileNetwork, type Network } from '../../src/train/network.js';
import { initParams, type ParamStore } from '../../src/train/params.js';
import { Rng } from '../../src/train/rng.js';
import type { ActivationSpec, ModelSpec } from '../../src/train/spec.js';
import type { ConvGradStrategy } from '../../src/train/tape.js';

export function randomBatch(shape: readonly number[], seed: number, scale = 1): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    shape,
    Float32Array.from({ length: n }, () => rng.uniform(-scale, scale)),
  );
}

export function randomLabels(n: number, classes: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, () => rng.int(classes));
}

/**
 * A learnable synthetic image set: class k has a bright k-th horizontal stripe (of `classes`
 * stripes) on noise, as u8 pixels.
 */
export function stripesDataset(
  size: number,
  seed: number,
  shape: readonly [number, number, number] = [1, 8, 8],
  classes = 4,
): InMemoryDataset {
  const [c, h, w] = shape;
  const rng = new Rng(seed);
  const images = new Uint8Array(size * c * h * w);
  const labels = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const k = rng.int(classes);
    labels[i] = k;
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        const band = Math.floor((y * classes) / h) === k;
        for (let x = 0; x < w; x++) {
          images[((i * c + ch) * h + y) * w + x] = Math.min(255, Math.floor(rng.next() * 100) + (band ? 120 : 0));
        }
      }
    }
  }
  return new InMemoryDataset({ name: `stripes-${seed}`, images, labels, sampleShape: [c, h, w], numClasses: classes });
}

export interface GradCheck {
  readonly param: string;
  readonly analytic: number;
  readonly numeric: number;
}

/**
 * For each trainable parameter tensor: a unit direction v on that tensor alone, the analytic
 * directional derivative g·v and the central difference (L(p + εv) − L(p − εv)) / 2ε, all from the
 * ONNX Runtime training graph (masks fixed).
 */
export async function directionalChecks(
  spec: ModelSpec,
  act: ActivationSpec,
  x: Tensor,
  labels: Int32Array,
  options: {
    eps?: number;
    seed?: number;
    masks?: Map<string, Float32Array>;
    prepare?: (net: Network, p: ParamStore) => void;
    convGrad?: ConvGradStrategy;
  } = {},
): Promise<GradCheck[]> {
  const net = compileNetwork(spec, act);
  const params = initParams(net, options.seed ?? 1);
  options.prepare?.(net, params);
  const engine = await TrainEngine.create(net, { threads: 1, convGrad: options.convGrad });
  try {
    const base = await engine.step(x, labels, params, options.masks);
    const eps = options.eps ?? 3e-3;
    const out: GradCheck[] = [];
    for (const p of net.params) {
      if (!p.trainable) continue;
      const data = params.get(p.name)!;
      const g = base.grads.get(p.name)!;
      // v = sign(g)/√n, a unit vector (ties broken at random): the largest signal g·v for a given
      // step length, with every entry of the tensor contributing.
      const rng = new Rng(p.name.length * 7919 + 17);
      const unit = 1 / Math.sqrt(data.length);
      const v = Float32Array.from({ length: data.length }, (_, i) => unit * (g[i] > 0 ? 1 : g[i] < 0 ? -1 : rng.next() < 0.5 ? -1 : 1));
      let analytic = 0;
      for (let i = 0; i < data.length; i++) analytic += g[i] * v[i];
      const original = data.slice();
      for (let i = 0; i < data.length; i++) data[i] = original[i] + eps * v[i];
      const plus = (await engine.step(x, labels, params, options.masks)).loss;
      for (let i = 0; i < data.length; i++) data[i] = original[i] - eps * v[i];
      const minus = (await engine.step(x, labels, params, options.masks)).loss;
      data.set(original);
      out.push({ param: p.name, analytic, numeric: (plus - minus) / (2 * eps) });
    }
    return out;
  } finally {
    await engine.dispose();
  }
}

/** The tiny conv net the training tests share (BN, avg pool, dropout), with `hidden` units in its first dense layer. */
export function tinySpec(hidden = 16): ModelSpec {
  return {
    name: 'tiny',
    input: [1, 8, 8],
    classes: 4,
    layers: [
      { type: 'conv', out: 4 },
      { type: 'bn' },
      { type: 'act' },
      { type: 'avgpool', size: 2 },
      { type: 'flatten' },
      { type: 'dense', out: hidden },
      { type: 'act' },
      { type: 'dropout', p: 0.2 },
      { type: 'dense', out: 4 },
    ],
  };
}
