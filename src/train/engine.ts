/**
 * Runs the training and evaluation graphs of a Network on the host's ONNX Runtime (`platform().ort`):
 * one session each, parameters fed as inputs on every call.
 */
import type * as ort from 'onnxruntime-common';
import { platform } from '../host/platform.js';
import { createOrtSession, type OrtSessionTuning } from '../backend/ort/session.js';
import type { Tensor } from '../tensor/tensor.js';
import type { BnLayer, Network } from './network.js';
import type { ParamStore } from './params.js';
import { batchMeanName, batchVarName, buildEvalModel, buildTrainModel, dropoutMaskName, gradName, type ConvGradStrategy } from './tape.js';
import { InternalError } from '../tensor/internal-error.js';

export interface EngineOptions {
  /** ONNX Runtime intra-op threads (default 2). */
  readonly threads?: number;
  readonly convGrad?: ConvGradStrategy;
  /** ONNX Runtime graph optimization level (default 'all'). */
  readonly optimization?: 'basic' | 'extended' | 'all';
}

export interface StepResult {
  /** Mean cross-entropy over the batch. */
  readonly loss: number;
  /** [N, K] logits, row-major. */
  readonly logits: Float32Array;
  /** Gradient of the mean loss for every trainable parameter. */
  readonly grads: Map<string, Float32Array>;
  /** Per BatchNorm layer: batch mean and biased batch variance per channel. */
  readonly batchStats: Map<string, { readonly mean: Float32Array; readonly variance: Float32Array }>;
}

/** Training departs from the backend's sessions: pool threads spin (nothing runs between its runs), ORT's warnings shown. */
const TRAINING: OrtSessionTuning = { spinning: true, warnings: true };

export class TrainEngine {
  private constructor(
    readonly net: Network,
    private readonly train: ort.InferenceSession,
    private readonly evaluate: ort.InferenceSession,
  ) {}

  static async create(net: Network, options: EngineOptions = {}): Promise<TrainEngine> {
    const threads = options.threads ?? 2;
    const tuning: OrtSessionTuning = { ...TRAINING, optimization: options.optimization };
    const train = await createOrtSession(buildTrainModel(net, options), threads, tuning);
    const evaluate = await createOrtSession(buildEvalModel(net), threads, tuning);
    return new TrainEngine(net, train, evaluate);
  }

  /**
   * Forward + backward on one batch. `masks` holds one inverted-dropout mask per dropout layer
   * with p > 0 (values 0 or 1/(1 − p), shape [N, …]).
   */
  async step(x: Tensor, labels: Int32Array, params: ParamStore, masks: ReadonlyMap<string, Float32Array> = new Map()): Promise<StepResult> {
    const OrtTensor = platform().ort.Tensor;
    const n = x.shape[0];
    const k = this.net.spec.classes;
    const target = new Float32Array(n * k);
    for (let i = 0; i < n; i++) target[i * k + labels[i]] = 1;
    const feeds: Record<string, ort.Tensor> = {
      [this.net.input]: new OrtTensor('float32', x.data, [...x.shape]),
      target: new OrtTensor('float32', target, [n, k]),
      inv_batch: new OrtTensor('float32', Float32Array.of(1 / n), []),
    };
    for (const layer of this.net.layers) {
      if (layer.kind !== 'dropout' || layer.p === 0) continue;
      const mask = masks.get(layer.name);
      if (mask === undefined) throw new InternalError(`no dropout mask for ${layer.name}`);
      feeds[dropoutMaskName(layer)] = new OrtTensor('float32', mask, [n, ...layer.inShape]);
    }
    for (const p of this.net.params) if (p.trainable) feeds[p.name] = new OrtTensor('float32', params.get(p.name)!, [...p.shape]);
    const out = await this.train.run(feeds);
    const grads = new Map<string, Float32Array>();
    for (const p of this.net.params) if (p.trainable) grads.set(p.name, out[gradName(p.name)].data as Float32Array);
    const batchStats = new Map<string, { mean: Float32Array; variance: Float32Array }>();
    for (const layer of this.net.layers) {
      if (layer.kind !== 'bn') continue;
      batchStats.set(layer.name, {
        mean: out[batchMeanName(layer)].data as Float32Array,
        variance: out[batchVarName(layer)].data as Float32Array,
      });
    }
    return { loss: (out.loss.data as Float32Array)[0], logits: out.logits.data as Float32Array, grads, batchStats };
  }

  /** Logits [N, K] in evaluation mode (running BatchNorm statistics, no dropout). */
  async logits(x: Tensor, params: ParamStore): Promise<Float32Array> {
    const OrtTensor = platform().ort.Tensor;
    const feeds: Record<string, ort.Tensor> = { [this.net.input]: new OrtTensor('float32', x.data, [...x.shape]) };
    for (const p of this.net.params) feeds[p.name] = new OrtTensor('float32', params.get(p.name)!, [...p.shape]);
    const out = await this.evaluate.run(feeds);
    return out.logits.data as Float32Array;
  }

  async dispose(): Promise<void> {
    await this.train.release();
    await this.evaluate.release();
  }
}

/**
 * running ← (1 − m)·running + m·batch, with the unbiased batch variance (PyTorch BatchNorm).
 * `count` is the number of values per channel in the batch (N·H·W).
 */
export function updateRunningStats(layer: BnLayer, params: ParamStore, mean: Float32Array, variance: Float32Array, count: number): void {
  const m = layer.momentum;
  const rm = params.get(layer.mean)!;
  const rv = params.get(layer.variance)!;
  const unbias = count > 1 ? count / (count - 1) : 1;
  for (let c = 0; c < rm.length; c++) {
    rm[c] = (1 - m) * rm[c] + m * mean[c];
    rv[c] = (1 - m) * rv[c] + m * variance[c] * unbias;
  }
}
