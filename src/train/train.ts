/**
 * The training loop: `trainWith(files, options)` trains a preset (or an imported model) with the
 * threshold ReLU on ONNX Runtime and returns the model as an IR Graph plus a recipe; `files` are the
 * host's file steps (TrainFiles; Node's trainModel is src/node/train-files.ts).
 *
 * Per batch: one session run computes loss, logits, every gradient and the BatchNorm batch
 * statistics; TypeScript then applies the optimizer and updates the running statistics. Every
 * random stream derives from (seed, stream, epoch, batch): shuffling, augmentation and dropout.
 */
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { graphToOnnx } from '../onnx/export-graph.js';
import type { Tensor } from '../tensor/tensor.js';
import { augmentBatch } from './augment.js';
import type { Checkpoint, encodeCheckpoint } from './checkpoint.js';
import { TrainEngine, updateRunningStats } from './engine.js';
import { networkToGraph } from './export.js';
import { modelFromGraph } from './from-graph.js';
import { compileNetwork, TrainError, type Network } from './network.js';
import { learningRate, newOptimizerState, optimizerStep, type OptimizerName, type OptimizerState, type ScheduleName } from './optim.js';
import { initParams, type ParamStore } from './params.js';
import { Rng, deriveSeed } from './rng.js';
import { isPresetName, preset, presetNames, type ActivationSpec, type ModelSpec, type PresetName } from './spec.js';
import type { ConvGradStrategy } from './tape.js';

export type ActivationName = ActivationSpec['kind'];

/**
 * Options, one field per flag of `ann2snn train` (the flag in each comment), then a few that only
 * the API offers. Every flag field is optional; the default is in the comment.
 */
export interface TrainOptions {
  /** --preset: cnn4 | vgg-small | resnet20 | demo (default cnn4). */
  readonly preset?: PresetName;
  /** --act: clip | relu | clip-shift | qcfs (default clip). */
  readonly act?: ActivationName;
  /** --theta: θ of clip and clip-shift, the initial λ of qcfs (default 1). */
  readonly theta?: number;
  /** --levels: L of qcfs, the quantization levels above 0 (default 4, Bu et al.'s CIFAR-10 choice). */
  readonly levels?: number;
  /** --t-shift: T of clip-shift, the shift is θ/(2T) (default 32). */
  readonly tShift?: number;
  /** --epochs (default 5). */
  readonly epochs?: number;
  /** --batch (default 128). */
  readonly batch?: number;
  /** --lr (default 1e-3 for adam, 0.1 for sgd). */
  readonly lr?: number;
  /** --optimizer: sgd | adam (default adam). SGD uses momentum 0.9. */
  readonly optimizer?: OptimizerName;
  /** --schedule: step | cosine | constant (default cosine, per batch, to 0). */
  readonly schedule?: ScheduleName;
  /** --weight-decay: L2 added to the gradient (default 0 for adam, 5e-4 for sgd). */
  readonly weightDecay?: number;
  /** --seed (default 0). */
  readonly seed?: number;
  /** --data: 'mnist', 'fashion-mnist' or a directory (see openDataset; default mnist). */
  readonly data?: string;
  /** --threads: ONNX Runtime intra-op threads (default 2). */
  readonly threads?: number;
  /** --resume: a checkpoint to continue from (its configuration wins, except epochs/threads/output). */
  readonly resume?: string;
  /** --init-from: fine-tune from an ONNX model (a chain of Conv/Dense/BN/Clip/Relu/pools/Flatten). */
  readonly initFrom?: string;
  /** -o: write the trained model here (ONNX), and the recipe beside it (`<name>.recipe.json`). */
  readonly output?: string;
  /** --force: overwrite an existing output. */
  readonly force?: boolean;

  /** API only: train on this dataset instead of opening `data`. */
  readonly trainSet?: Dataset;
  /** API only: evaluate on this dataset (default: the test split of `data`). */
  readonly testSet?: Dataset;
  /** --limit: use the first `limit` training images of each epoch's shuffle (default all). */
  readonly limit?: number;
  /** API only: evaluate on the first `testLimit` test images. */
  readonly testLimit?: number;
  /** API only: save a checkpoint here after every epoch (default `<output>.ckpt` when -o is given). */
  readonly checkpoint?: string;
  /** API only: random crop (pad 4) + flip; default on for 3×32×32 inputs. */
  readonly augment?: boolean;
  /** API only: a custom architecture instead of a preset. */
  readonly spec?: ModelSpec;
  /** API only: conv weight-gradient formulation (default 'patches'). */
  readonly convGrad?: ConvGradStrategy;
}

export interface TrainProgress {
  /** 0-based epoch and batch. */
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  /** Running means over the epoch so far. */
  readonly loss: number;
  readonly accuracy: number;
}

export interface EpochSummary {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  /** Training time of the epoch (evaluation excluded). */
  readonly seconds: number;
}

export interface TrainHooks {
  onProgress?(p: TrainProgress): void;
  onEpoch?(e: EpochSummary): void;
}

/** The resolved configuration of a run (every default filled in). */
export interface TrainConfig {
  readonly preset: string;
  readonly act: ActivationName;
  readonly theta: number | null;
  readonly tShift: number | null;
  readonly levels: number | null;
  readonly optimizer: OptimizerName;
  readonly lr: number;
  readonly schedule: ScheduleName;
  readonly weightDecay: number;
  readonly momentum: number | null;
  readonly epochs: number;
  readonly batch: number;
  readonly seed: number;
  readonly data: string;
  readonly limit: number | null;
  readonly augment: boolean;
  readonly initFrom: string | null;
}

export interface Recipe extends TrainConfig {
  readonly format: 'ann2snn-train-recipe';
  readonly version: 1;
  /** Input normalization the model was trained with (the dataset's). */
  readonly normalization: unknown;
  readonly input: readonly number[];
  readonly classes: number;
  readonly parameters: number;
  readonly testAccuracy: number;
  readonly trainAccuracy: number;
  readonly secondsPerEpoch: number;
  readonly threads: number;
  /** For clip-shift: δ = θ/(2T), folded into the biases of the exported graph. */
  readonly shiftFolded: number | null;
  /** For qcfs: the learned λ of every activation layer, by layer name. */
  readonly lambdas: Readonly<Record<string, number>> | null;
  readonly history: readonly { readonly epoch: number; readonly testAccuracy: number; readonly seconds: number }[];
}

export interface TrainResult {
  readonly graph: Graph;
  readonly recipe: Recipe;
  readonly testAccuracy: number;
  /** The trained parameters by name (BatchNorm running statistics included). */
  readonly params: ReadonlyMap<string, Float32Array>;
}

export function activationFrom(act: ActivationName, theta: number, tShift: number, levels = 4): ActivationSpec {
  if (act === 'relu') return { kind: 'relu' };
  if (!(theta > 0)) throw new TrainError(`--theta must be positive, got ${theta}`);
  if (act === 'clip') return { kind: 'clip', theta };
  if (act === 'qcfs') {
    if (!(Number.isInteger(levels) && levels >= 1)) throw new TrainError(`--levels must be a positive integer, got ${levels}`);
    return { kind: 'qcfs', theta, levels };
  }
  if (act === 'clip-shift') {
    if (!(tShift > 0)) throw new TrainError(`--t-shift must be positive, got ${tShift}`);
    return { kind: 'clip-shift', theta, tShift };
  }
  throw new TrainError(`unknown activation '${String(act)}': expected clip, relu, clip-shift or qcfs`);
}

function resolveConfig(o: TrainOptions): TrainConfig {
  const optimizer = o.optimizer ?? 'adam';
  if (optimizer !== 'adam' && optimizer !== 'sgd') throw new TrainError(`unknown optimizer '${String(optimizer)}': expected sgd or adam`);
  const schedule = o.schedule ?? 'cosine';
  if (!['step', 'cosine', 'constant'].includes(schedule))
    throw new TrainError(`unknown schedule '${schedule}': expected step, cosine or constant`);
  const presetName = o.spec?.name ?? o.preset ?? 'cnn4';
  if (o.spec === undefined && o.initFrom === undefined && !isPresetName(presetName)) {
    throw new TrainError(`unknown preset '${presetName}': expected one of ${presetNames.join(', ')}`);
  }
  const act = o.act ?? 'clip';
  const spec = activationFrom(act, o.theta ?? 1, o.tShift ?? 32, o.levels ?? 4);
  const epochs = o.epochs ?? 5;
  const batch = o.batch ?? 128;
  if (!(Number.isInteger(epochs) && epochs >= 0)) throw new TrainError(`--epochs must be a non-negative integer, got ${epochs}`);
  if (!(Number.isInteger(batch) && batch >= 1)) throw new TrainError(`--batch must be a positive integer, got ${batch}`);
  const lr = o.lr ?? (optimizer === 'adam' ? 1e-3 : 0.1);
  if (!(lr > 0)) throw new TrainError(`--lr must be positive, got ${lr}`);
  return {
    preset: presetName,
    act,
    theta: spec.kind === 'relu' ? null : spec.theta,
    tShift: spec.kind === 'clip-shift' ? spec.tShift : null,
    levels: spec.kind === 'qcfs' ? spec.levels : null,
    optimizer,
    lr,
    schedule,
    weightDecay: o.weightDecay ?? (optimizer === 'adam' ? 0 : 5e-4),
    momentum: optimizer === 'sgd' ? 0.9 : null,
    epochs,
    batch,
    seed: (o.seed ?? 0) >>> 0,
    data: o.data ?? (o.trainSet ? o.trainSet.name : 'mnist'),
    limit: o.limit ?? null,
    augment: o.augment ?? false,
    initFrom: o.initFrom ?? null,
  };
}

const actOf = (c: TrainConfig): ActivationSpec => activationFrom(c.act, c.theta ?? 1, c.tShift ?? 32, c.levels ?? 4);

function argmaxCorrect(logits: Float32Array, labels: Int32Array, classes: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (logits[i * classes + k] > logits[i * classes + best]) best = k;
    if (best === labels[i]) correct++;
  }
  return correct;
}

/** Test accuracy in evaluation mode (running BatchNorm statistics, no dropout). */
export async function evaluateAccuracy(engine: TrainEngine, data: Dataset, params: ParamStore, limit?: number): Promise<number> {
  let correct = 0;
  let total = 0;
  for (const b of data.batches({ batchSize: 500, limit })) {
    const logits = await engine.logits(b.x, params);
    correct += argmaxCorrect(logits, b.labels, engine.net.spec.classes);
    total += b.labels.length;
  }
  return total === 0 ? 0 : correct / total;
}

function dropoutMasks(net: Network, n: number, seed: number): Map<string, Float32Array> {
  const masks = new Map<string, Float32Array>();
  for (const layer of net.layers) {
    if (layer.kind !== 'dropout' || layer.p === 0) continue;
    const rng = new Rng(deriveSeed(seed, layer.name));
    const size = n * layer.inShape.reduce((a, b) => a * b, 1);
    const keep = 1 / (1 - layer.p);
    const mask = new Float32Array(size);
    for (let i = 0; i < size; i++) mask[i] = rng.next() >= layer.p ? keep : 0;
    masks.set(layer.name, mask);
  }
  return masks;
}

/** Where the recipe of a model written to `output` goes: x.onnx → x.recipe.json (convert reads it back for the model's data). */
export function recipePath(output: string): string {
  return `${output.replace(/\.onnx$/i, '')}.recipe.json`;
}

/**
 * The file steps of a run, in the order trainModel takes them; the Node host's are
 * src/node/train-files.ts (whose trainModel passes them). Datasets given as trainSet/testSet, no
 * resume, no init-from and no output need none of them but the dataset opener.
 */
export interface TrainFiles {
  /** Before any work: without --force, none of the files the run writes may exist (OutputExistsError). */
  refuseExistingOutputs(options: TrainOptions): void;
  loadCheckpoint(path: string): Promise<Checkpoint>;
  /** The split of a dataset spec (--data). */
  openDataset(spec: string, split: 'train' | 'test'): Dataset;
  /** The model to fine-tune from (--init-from), and its file name (the run's preset label). */
  readOnnx(path: string): Promise<{ readonly graph: Graph; readonly fileName: string }>;
  saveCheckpoint(path: string, ...args: Parameters<typeof encodeCheckpoint>): Promise<void>;
  /** Writes atomically; refuses to replace an existing file unless `overwrite`. */
  writeFile(path: string, data: Uint8Array | string, overwrite: boolean): Promise<void>;
}

/** Trains with the host's file steps (`files`); under Node, trainModel (src/node/train-files.ts) passes them. */
export async function trainWith(files: TrainFiles, options: TrainOptions = {}, hooks: TrainHooks = {}): Promise<TrainResult> {
  const threads = options.threads ?? 2;
  if (!(Number.isInteger(threads) && threads >= 1)) throw new TrainError(`--threads must be a positive integer, got ${threads}`);
  files.refuseExistingOutputs(options);

  // Configuration, architecture and starting point: a checkpoint, an imported model, or a preset.
  const resumed = options.resume !== undefined ? await files.loadCheckpoint(options.resume) : undefined;
  let config: TrainConfig;
  let spec: ModelSpec;
  let params: ParamStore | undefined;
  let optimizer: OptimizerState = newOptimizerState();
  let startEpoch = 0;
  const history: { epoch: number; testAccuracy: number; seconds: number }[] = [];
  if (resumed) {
    const saved = resumed.header.config as unknown as TrainConfig;
    config = { ...saved, epochs: options.epochs ?? saved.epochs };
    spec = resumed.header.spec;
    params = resumed.params;
    optimizer = resumed.optimizer;
    startEpoch = resumed.header.epoch;
    history.push(...resumed.header.history);
  } else {
    config = resolveConfig(options);
    spec = options.spec ?? (isPresetName(config.preset) ? preset(config.preset) : preset('cnn4'));
  }

  const trainSet = options.trainSet ?? files.openDataset(config.data, 'train');
  const testSet = options.testSet ?? (options.trainSet ? undefined : files.openDataset(config.data, 'test'));
  const [c, h, w] = trainSet.sampleShape;
  if (!resumed) {
    if (config.initFrom !== null) {
      const model = await files.readOnnx(config.initFrom);
      const imported = modelFromGraph(model.graph, config.initFrom, actOf(config));
      spec = imported.spec;
      params = imported.params;
      config = { ...config, preset: options.preset ?? `init-from:${model.fileName}` };
    } else if (options.spec === undefined) {
      spec = preset(config.preset as PresetName, [c, h, w], trainSet.numClasses);
    }
    if (options.augment === undefined && c === 3 && h === 32 && w === 32) config = { ...config, augment: true };
  }
  if (spec.input.some((d, i) => d !== trainSet.sampleShape[i])) {
    throw new TrainError(
      `model '${spec.name}' takes [${spec.input.join(', ')}] inputs; dataset '${trainSet.name}' has [${trainSet.sampleShape.join(', ')}]`,
    );
  }
  if (spec.classes < trainSet.numClasses) {
    throw new TrainError(`model '${spec.name}' has ${spec.classes} outputs; dataset '${trainSet.name}' has ${trainSet.numClasses} classes`);
  }

  const net = compileNetwork(spec, actOf(config));
  const initial = initParams(net, config.seed);
  if (params) {
    for (const p of net.params) {
      const given = params.get(p.name);
      if (given !== undefined && given.length !== initial.get(p.name)!.length) {
        throw new TrainError(`parameter ${p.name} has ${given.length} values, the model needs ${initial.get(p.name)!.length}`);
      }
    }
    for (const [k, v] of params) if (initial.has(k)) initial.set(k, v);
  }
  params = initial;
  const optimizerConfig = { name: config.optimizer, weightDecay: config.weightDecay, momentum: config.momentum ?? undefined };
  const checkpointPath = options.checkpoint ?? (options.output !== undefined ? `${options.output}.ckpt` : undefined);

  const engine = await TrainEngine.create(net, { threads, convGrad: options.convGrad });
  const trainCount = Math.min(trainSet.size, config.limit ?? Infinity);
  const batches = Math.ceil(trainCount / config.batch);
  let trainAccuracy = 0;
  let testAccuracy = history.at(-1)?.testAccuracy ?? 0;
  try {
    for (let epoch = startEpoch; epoch < config.epochs; epoch++) {
      const t0 = performance.now();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let b = 0;
      for (const batch of trainSet.batches({
        batchSize: config.batch,
        shuffleSeed: deriveSeed(config.seed, 'shuffle', epoch),
        limit: config.limit ?? undefined,
      })) {
        const n = batch.labels.length;
        const x: Tensor = config.augment ? augmentBatch(batch.x, deriveSeed(config.seed, 'augment', epoch, b)) : batch.x;
        const masks = dropoutMasks(net, n, deriveSeed(config.seed, 'dropout', epoch, b));
        const r = await engine.step(x, batch.labels, params, masks);
        if (!Number.isFinite(r.loss)) {
          throw new TrainError(`the loss became ${r.loss} at epoch ${epoch + 1}, batch ${b + 1}: lower --lr (now ${config.lr})`);
        }
        const lr = learningRate(config.schedule, config.lr, epoch, b, config.epochs, batches);
        optimizerStep(optimizerConfig, optimizer, params, r.grads, lr);
        for (const layer of net.layers) {
          if (layer.kind !== 'bn') continue;
          const stats = r.batchStats.get(layer.name)!;
          const per = layer.inShape.length === 3 ? layer.inShape[1] * layer.inShape[2] : 1;
          updateRunningStats(layer, params, stats.mean, stats.variance, n * per);
        }
        lossSum += r.loss * n;
        correct += argmaxCorrect(r.logits, batch.labels, net.spec.classes);
        seen += n;
        hooks.onProgress?.({ epoch, batch: b, batches, loss: lossSum / seen, accuracy: correct / seen });
        b++;
      }
      const seconds = (performance.now() - t0) / 1000;
      trainAccuracy = seen === 0 ? 0 : correct / seen;
      testAccuracy = testSet ? await evaluateAccuracy(engine, testSet, params, options.testLimit) : Number.NaN;
      history.push({ epoch: epoch + 1, testAccuracy, seconds });
      hooks.onEpoch?.({ epoch, trainLoss: seen === 0 ? 0 : lossSum / seen, trainAccuracy, testAccuracy, seconds });
      if (checkpointPath !== undefined) {
        await files.saveCheckpoint(
          checkpointPath,
          { spec, act: net.act, config: { ...config }, epoch: epoch + 1, rng: { seed: config.seed, nextEpoch: epoch + 1 }, history },
          params,
          optimizer,
        );
      }
    }
    if (history.length === 0 && testSet) testAccuracy = await evaluateAccuracy(engine, testSet, params, options.testLimit);
  } finally {
    await engine.dispose();
  }

  const graph = networkToGraph(net, params);
  const act = net.act;
  const recipe: Recipe = {
    format: 'ann2snn-train-recipe',
    version: 1,
    ...config,
    normalization: (trainSet as { normalization?: unknown }).normalization ?? null,
    input: [...spec.input],
    classes: spec.classes,
    parameters: net.params.filter((p) => p.trainable).reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0),
    testAccuracy,
    trainAccuracy,
    secondsPerEpoch: history.length === 0 ? 0 : history.reduce((a, e) => a + e.seconds, 0) / history.length,
    threads,
    shiftFolded: act.kind === 'clip-shift' ? act.theta / (2 * act.tShift) : null,
    lambdas:
      act.kind === 'qcfs'
        ? Object.fromEntries(net.layers.flatMap((l) => (l.kind === 'act' && l.lambda !== null ? [[l.name, params.get(l.lambda)![0]]] : [])))
        : null,
    history,
  };
  if (options.output !== undefined) {
    await files.writeFile(options.output, graphToOnnx(graph), options.force === true);
    await files.writeFile(recipePath(options.output), `${JSON.stringify(recipe, null, 2)}\n`, options.force === true);
  }
  return { graph, recipe, testAccuracy, params };
}
