/**
 * Training speed: cnn4 (conv 32-32-pool-64-64-pool, dense 256-10, threshold ReLU) at batch 128 on
 * synthetic 28×28 images, full steps (forward, loss, gradients on ONNX Runtime, Adam and BatchNorm
 * bookkeeping in TypeScript). Reports the median seconds per batch, the projected seconds per
 * 60,000-image epoch and its ratio to the target (2 × PyTorch's 144 s: ≤ 1 meets it), and the
 * alternative weight-gradient formulation measured in the same run, interleaved.
 *
 *   npx tsx bench/train.ts            BENCH_THREADS (default 2), TRAIN_BATCHES (default 30)
 */
import { pathToFileURL } from 'node:url';
import { tensor } from '../src/tensor/tensor.js';
import { TrainEngine } from '../src/train/engine.js';
import { compileNetwork } from '../src/train/network.js';
import { newOptimizerState, optimizerStep } from '../src/train/optim.js';
import { initParams } from '../src/train/params.js';
import { Rng } from '../src/train/rng.js';
import { preset } from '../src/train/spec.js';
import type { ConvGradStrategy } from '../src/train/tape.js';
import { median } from './stats.js';

/** PyTorch 1.13, 2 threads, batch 128 on this project's machines (docs ENGINES.md): ≈ 2.4 min per epoch. */
const PYTORCH_SECONDS_PER_EPOCH = 144;
const TARGET_SECONDS_PER_EPOCH = 2 * PYTORCH_SECONDS_PER_EPOCH;
const BATCH = 128;
const EPOCH_BATCHES = Math.ceil(60_000 / BATCH);

export interface TrainBenchOptions {
  readonly threads?: number;
  /** Timed batches of the default engine (after 2 warm-up batches). */
  readonly batches?: number;
  /** Timed batches of the alternative formulation (0 to skip it). */
  readonly alternativeBatches?: number;
}

export async function benchTrain(options: TrainBenchOptions = {}): Promise<Record<string, number | string>> {
  const threads = options.threads ?? Number(process.env.BENCH_THREADS ?? 2);
  const batches = options.batches ?? Number(process.env.TRAIN_BATCHES ?? 30);
  const alternativeBatches = options.alternativeBatches ?? 8;
  const net = compileNetwork(preset('cnn4'), { kind: 'clip', theta: 1 });
  const rng = new Rng(1);
  const x = tensor(
    [BATCH, 1, 28, 28],
    Float32Array.from({ length: BATCH * 784 }, () => rng.next()),
  );
  const labels = Int32Array.from({ length: BATCH }, () => rng.int(10));

  const engines = new Map<ConvGradStrategy, TrainEngine>();
  for (const convGrad of ['patches', 'transpose-conv'] as const)
    engines.set(convGrad, await TrainEngine.create(net, { threads, convGrad }));
  const times = new Map<ConvGradStrategy, number[]>([
    ['patches', []],
    ['transpose-conv', []],
  ]);
  const params = initParams(net, 0);
  const state = newOptimizerState();
  const step = async (convGrad: ConvGradStrategy): Promise<number> => {
    const t0 = performance.now();
    const r = await engines.get(convGrad)!.step(x, labels, params);
    optimizerStep({ name: 'adam', weightDecay: 0 }, state, params, r.grads, 1e-4);
    return (performance.now() - t0) / 1000;
  };
  try {
    for (const convGrad of engines.keys()) for (let i = 0; i < 2; i++) await step(convGrad);
    // Interleave the alternative with the default so that both see the same machine load.
    for (let i = 0; i < batches; i++) {
      times.get('patches')!.push(await step('patches'));
      if (i < alternativeBatches) times.get('transpose-conv')!.push(await step('transpose-conv'));
    }
  } finally {
    for (const e of engines.values()) await e.dispose();
  }

  const perBatch = median(times.get('patches')!);
  const perEpoch = perBatch * EPOCH_BATCHES;
  const result: Record<string, number | string> = {
    model: 'cnn4, clip θ=1, batch 128, Adam',
    threads,
    timedBatches: batches,
    secondsPerBatch: perBatch,
    minSecondsPerBatch: Math.min(...times.get('patches')!),
    secondsPer60kEpoch: perEpoch,
    targetSecondsPerEpoch: TARGET_SECONDS_PER_EPOCH,
    epochOverTarget: perEpoch / TARGET_SECONDS_PER_EPOCH,
    epochOverPytorch2Threads: perEpoch / PYTORCH_SECONDS_PER_EPOCH,
  };
  if (alternativeBatches > 0) {
    const paired = times.get('patches')!.slice(0, alternativeBatches);
    result.transposeConvOverPatches = median(times.get('transpose-conv')!) / median(paired);
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await benchTrain();
  console.log(
    `[train] cnn4 batch 128, ${r.threads} thread(s): ${(r.secondsPerBatch as number).toFixed(3)} s/batch (min ${(r.minSecondsPerBatch as number).toFixed(3)})`,
  );
  console.log(
    `[train] projected ${(r.secondsPer60kEpoch as number).toFixed(0)} s per 60k epoch; / target ${TARGET_SECONDS_PER_EPOCH} s = ${(r.epochOverTarget as number).toFixed(2)} (≤ 1 meets it); / PyTorch 2 threads = ${(r.epochOverPytorch2Threads as number).toFixed(2)}`,
  );
  if (r.transposeConvOverPatches !== undefined) {
    console.log(`[train] weight gradient as Conv(xᵀ, dyᵀ) / patches + MatMul: ${(r.transposeConvOverPatches as number).toFixed(2)}`);
  }
}
