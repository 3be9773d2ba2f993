/**
 * The engine conformance cases: small converted SNNs on synthetic images, each run on the oracle and
 * on every engine that can run it (engine-suite.ts). Between them they cover per-layer and
 * per-channel θ, v(0) / bias shift / no shift, soft and hard reset, burst neurons, the spiking readout,
 * AvgPool and GlobalAvgPool, strides, asymmetric pads, > 32 channels, residual Add, channel Concat,
 * grouped and dilated convolutions, exact max pooling (SpikeMaxPool: 2×2, 3×3 with dropped edges,
 * stacked), Poisson input, several batches and chunks, overlapping and padded average pools and zero
 * Pad nodes (pytorch-pools.ts has the PyTorch-shaped ones), signed neurons (−1 spikes), and graphs only
 * the dense engine runs (a Pad of another value, signed neurons).
 */
import { calibrate } from '../../src/ann/calibrate.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import type { ConversionOptions } from '../../src/model/snn-model.js';
import type { Dataset } from '../../src/data/dataset.js';
import type { Graph, Node } from '../../src/ir/graph.js';
import { poissonEncoder, type Encoder, type SimulationEngine } from '../../src/simulate/index.js';
import { sampleShapes } from '../../src/ir/shapes.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { sizeOf, tensor } from '../../src/tensor/tensor.js';
import { labelledByAnn } from '../helpers/labelled.js';
import { concatNet, conv3x3, eventNet, maxPool, maxPoolCnn, randomTensor, smallCnn, smallResidual } from '../helpers/nets.js';

export interface EngineCase {
  readonly name: string;
  /** The SNN and its images (built once per process). */
  readonly build: () => Promise<{ readonly snn: Graph; readonly data: Dataset }>;
  readonly T: number;
  readonly encoder?: Encoder;
  readonly batchSize?: number;
  /** The dense engine's steps per chunk (its default otherwise). */
  readonly chunk?: number;
  readonly engines: readonly SimulationEngine[];
  /** For an engine not in `engines`: what its refusal must say. */
  readonly refusal?: RegExp;
  /** Signed neurons: some spike must be taken back (the oracle's spikes emitted exceed its net counts). */
  readonly takesBack?: boolean;
}

const both: readonly SimulationEngine[] = ['dense', 'event'];

/** ANN → calibrated on 24 images it labels itself → SNN (on the reference backend, so no case depends on ONNX Runtime). */
function converted(ann: () => Graph, options: Partial<ConversionOptions> = {}): EngineCase['build'] {
  let built: ReturnType<EngineCase['build']> | null = null;
  return () =>
    (built ??= (async () => {
      const graph = ann();
      const shape = graph.input.shape.slice(1).map(Number) as [number, number, number];
      const data = await labelledByAnn(referenceBackend, graph, 24, shape);
      const stats = await calibrate(referenceBackend, graph, data);
      return { snn: convertToSnn(graph, stats, { ...defaultConversionOptions, ...options }).graph, data };
    })());
}

/** `build` with every Spike's v(0) replaced by one random value per unit in [−θ/2, θ) (as advanced calibration leaves it). */
function perUnitV0(build: EngineCase['build'], seed: number): EngineCase['build'] {
  return async () => {
    const { snn, data } = await build();
    const shapes = sampleShapes(snn);
    const r = mulberry32(seed);
    const nodes = snn.nodes.map((n): Node => {
      if (n.op !== 'Spike') return n;
      const shape = shapes.get(n.output)!;
      const theta = n.threshold.data[0];
      const v0 = Float32Array.from({ length: sizeOf(shape) }, () => theta * (1.5 * r() - 0.5));
      return { ...n, initialPotential: tensor([...shape], v0) };
    });
    return { snn: { ...snn, nodes }, data };
  };
}

/** `net` with some nodes replaced. */
function edited(net: Graph, edit: (n: Node) => Node | readonly Node[]): Graph {
  return { ...net, nodes: net.nodes.flatMap((n) => edit(n)) };
}

/** smallCnn with an overlapping average pool (3×3, stride 1, padding 1) between its spiking layers. */
function overlappingPool(): Graph {
  const r = mulberry32(6);
  return edited(smallCnn(23), (n) => {
    if (n.name === 'pool1' && n.op === 'AvgPool') return { ...n, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] };
    if (n.name === 'fc' && n.op === 'Dense') return { ...n, weight: randomTensor([10, 6 * 64], 0.3, r) };
    return n;
  });
}

/** smallCnn with a padded 2×2 pool (pads 1: 8×8 → 5×5, counting only the image in the mean). */
function paddedPool(): Graph {
  const r = mulberry32(7);
  return edited(smallCnn(24), (n) => {
    if (n.name === 'pool1' && n.op === 'AvgPool') return { ...n, pads: [1, 1, 1, 1] };
    if (n.name === 'fc' && n.op === 'Dense') return { ...n, weight: randomTensor([10, 6 * 25], 0.3, r) };
    return n;
  });
}

/** smallCnn with a Pad node (of `value`) between the pool and an unpadded conv2: the same sizes. */
function padNode(value: number): Graph {
  return edited(smallCnn(25), (n): Node | Node[] => {
    if (n.name === 'conv2' && n.op === 'Conv2d')
      return [
        { op: 'Pad', name: 'pad', inputs: ['pool1'], output: 'pad', pads: [1, 1, 1, 1], value },
        { ...n, inputs: ['pad'], pads: [0, 0, 0, 0] },
      ];
    return n;
  });
}

/** A 3×3 average pool with stride `stride` and padding 1 that counts only the image (divisors 4, 6 and 9). */
function pool3(name: string, input: string, stride: number): Node {
  const pads = [1, 1, 1, 1] as const;
  return {
    op: 'AvgPool',
    name,
    inputs: [input],
    output: name,
    kernel: [3, 3],
    strides: [stride, stride],
    pads,
    ceilMode: false,
    countIncludePad: false,
  };
}

/**
 * eventNet with an overlapping pool on the input (gathered from the Poisson spikes of layer 0) and
 * p1 a padded 3×3 stride-2 pool (the same 5×4 map: conv 5→40 reads it unchanged).
 */
function poolsOnSpikes(): Graph {
  return edited(eventNet(6), (n): Node | Node[] => {
    if (n.name === 'c1' && n.op === 'Conv2d') return [pool3('p0', 'x', 1), { ...n, inputs: ['p0'] }];
    if (n.name === 'p1') return pool3('p1', 'a1', 2);
    return n;
  });
}

/** smallResidual whose shortcut is an overlapping, padded average pool of the stem (a gathered identity map with three weights). */
function pooledShortcut(): Graph {
  return edited(smallResidual(23), (n): Node | Node[] =>
    n.name === 'add' ? [pool3('short', 'stem_act', 1), { ...n, inputs: ['b2', 'short'] }] : n,
  );
}

/** smallCnn with pool1 a 3×3 stride-3 pool in ceil mode (8 → 3: the last window holds 2 rows; divisors 9, 6 and 4). */
function ceilPool(): Graph {
  const r = mulberry32(9);
  return edited(smallCnn(28), (n) => {
    if (n.name === 'pool1' && n.op === 'AvgPool') return { ...n, kernel: [3, 3], strides: [3, 3], ceilMode: true, countIncludePad: true };
    if (n.name === 'fc' && n.op === 'Dense') return { ...n, weight: randomTensor([10, 6 * 9], 0.3, r) };
    return n;
  });
}

/** smallCnn with a zero Pad [1, 0, 0, 1] before pool1 (8×8 → 9×9 → 4×4 in floor mode: windows straddle the pad). */
function padBeforePool(): Graph {
  return edited(smallCnn(29), (n): Node | Node[] =>
    n.name === 'pool1'
      ? [
          { op: 'Pad', name: 'pad', inputs: ['act1'], output: 'pad', pads: [1, 0, 0, 1], value: 0 },
          { ...n, inputs: ['pad'] },
        ]
      : n,
  );
}

/**
 * Branches that are not spiking layers, on 6×6×1: conv 1→4 → clip → a padded 3×3 pool read by two
 * convs (4→3 each) → Concat(left, right, left): the pool and the left conv each feed two nodes → clip
 * → flatten → dense.
 */
function branches(): Graph {
  const r = mulberry32(31);
  const nodes: Node[] = [
    conv3x3(r, 'c1', 'x', 1, 4),
    { op: 'Clip', name: 'a1', inputs: ['c1'], output: 'a1', min: 0, max: 1 },
    pool3('p', 'a1', 1),
    conv3x3(r, 'left', 'p', 4, 3),
    conv3x3(r, 'right', 'p', 4, 3),
    { op: 'Concat', name: 'cat', inputs: ['left', 'right', 'left'], output: 'cat', axis: 1 },
    { op: 'Clip', name: 'a2', inputs: ['cat'], output: 'a2', min: 0, max: 1 },
    { op: 'Flatten', name: 'flat', inputs: ['a2'], output: 'flat', axis: 1 },
    { op: 'Dense', name: 'fc', inputs: ['flat'], output: 'fc', weight: randomTensor([4, 9 * 36], 0.3, r), bias: null },
  ];
  return { input: { name: 'x', shape: [null, 1, 6, 6] }, output: 'fc', nodes };
}

/** concatNet with a dilated left branch and a grouped (2 groups) right branch of 4 channels. */
function groupedDilated(): Graph {
  const r = mulberry32(5);
  return edited(concatNet(23), (n) => {
    if (n.name === 'left' && n.op === 'Conv2d') return { ...n, dilations: [2, 2], pads: [2, 2, 2, 2] };
    if (n.name === 'right' && n.op === 'Conv2d')
      return { ...n, weight: randomTensor([4, 2, 3, 3], 0.5, r), bias: randomTensor([4], 0.1, r, 0.05), groups: 2 };
    if (n.name === 'fc' && n.op === 'Dense') return { ...n, weight: randomTensor([3, 7 * 36], 0.3, r) };
    return n;
  });
}

/** maxPoolCnn(k = 2) with a second MaxPool 3×3 stacked on pool2 (a pool of a pool's spikes: 3×3 → 1×1). */
function stackedMaxPools(): Graph {
  const r = mulberry32(8);
  return edited(maxPoolCnn(27), (n): Node | Node[] => {
    if (n.name === 'pool2') return [n, maxPool('pool3', 'pool2', 3)];
    if (n.name === 'flatten' && n.op === 'Flatten') return { ...n, inputs: ['pool3'] };
    if (n.name === 'fc' && n.op === 'Dense') return { ...n, weight: randomTensor([10, 6], 0.5, r) };
    return n;
  });
}

/** eventNet with its AvgPool a MaxPool, and a MaxPool 2×2 over the 40-channel layer (3×2 → 1×1) before the GAP. */
function eventNetMaxPools(): Graph {
  return edited(eventNet(9), (n): Node | Node[] => {
    if (n.name === 'p1') return { ...maxPool('p1', 'a1', 2) };
    if (n.name === 'a2') return [n, maxPool('p2', 'a2', 2)];
    if (n.name === 'gap') return { ...n, inputs: ['p2'] };
    return n;
  });
}

const eventNet3 = () => eventNet(3);
const notLowered = (node: string) => new RegExp(`event engine cannot run this simulation.*'${node}'`);
const noSignedEvents = /event engine cannot run this simulation.*neuron 'signed' has no event-engine form/;

export const engineCases: readonly EngineCase[] = [
  { name: 'deng-gu, v0, soft reset, per-layer θ', build: converted(eventNet3), T: 16, engines: both },
  { name: 'per-unit v(0), spiking readout', build: perUnitV0(converted(eventNet3, { readout: 'spikes' }), 5), T: 16, engines: both },
  {
    name: 'per-unit v(0) through AvgPool → Flatten → Dense, hard reset',
    build: perUnitV0(
      converted(() => smallCnn(27), { reset: 'hard' }),
      6,
    ),
    T: 12,
    engines: both,
  },
  { name: 'deng-gu, spiking readout', build: converted(eventNet3, { readout: 'spikes' }), T: 16, engines: both },
  {
    name: 'max-norm, burst neurons γ = 3, soft reset',
    build: converted(eventNet3, { strategy: 'max-norm', shift: 'none', maxSpikesPerStep: 3 }),
    T: 16,
    engines: both,
  },
  {
    name: 'max-norm, burst neurons γ = 2, hard reset',
    build: converted(eventNet3, { strategy: 'max-norm', shift: 'none', maxSpikesPerStep: 2, reset: 'hard' }),
    T: 16,
    engines: both,
  },
  {
    name: 'max-norm, bias shift, hard reset',
    build: converted(eventNet3, { strategy: 'max-norm', shift: 'bias', tShift: 8, reset: 'hard' }),
    T: 16,
    engines: both,
  },
  {
    name: 'max-norm, no shift, per-channel θ',
    build: converted(eventNet3, { strategy: 'max-norm', shift: 'none', thresholdScope: 'channel' }),
    T: 16,
    engines: both,
  },
  {
    name: 'AvgPool → Flatten → Dense, 4 batches of 7, chunks of 3',
    build: converted(() => smallCnn(21)),
    T: 12,
    batchSize: 7,
    chunk: 3,
    engines: both,
  },
  {
    name: 'per-channel θ through Flatten → Dense, relu',
    build: converted(() => smallCnn(26, 'relu'), { strategy: 'max-norm', thresholdScope: 'channel' }),
    T: 12,
    engines: both,
  },
  { name: 'residual Add, GlobalAvgPool', build: converted(() => smallResidual(23)), T: 16, engines: both },
  {
    name: 'residual Add, percentile θ, hard reset, spiking readout',
    build: converted(() => smallResidual(16), { strategy: 'percentile', shift: 'none', reset: 'hard', readout: 'spikes' }),
    T: 16,
    engines: both,
  },
  { name: 'channel Concat', build: converted(() => concatNet(23)), T: 16, engines: both },
  {
    name: 'a pooled map read by two convs, a conv read twice (branches off spiking layers)',
    build: converted(branches),
    T: 16,
    engines: both,
  },
  { name: 'grouped and dilated convolutions', build: converted(groupedDilated), T: 16, engines: both },
  {
    name: 'Poisson input, 3 batches of 10, chunks of 5',
    build: converted(() => eventNet(6)),
    T: 12,
    encoder: poissonEncoder(11),
    batchSize: 10,
    chunk: 5,
    engines: both,
  },
  { name: 'MaxPool 2×2 → exact spiking max pool, twice', build: converted(() => maxPoolCnn(21)), T: 16, engines: both },
  {
    name: 'MaxPool 3×3 stride 3 (edges dropped), relu, per-channel θ, 3 batches of 8, chunks of 5',
    build: converted(() => maxPoolCnn(22, 3, 'relu'), { strategy: 'max-norm', thresholdScope: 'channel' }),
    T: 12,
    batchSize: 8,
    chunk: 5,
    engines: both,
  },
  {
    name: 'MaxPool, burst neurons γ = 2, bias shift',
    build: converted(() => maxPoolCnn(23), { strategy: 'max-norm', maxSpikesPerStep: 2, shift: 'bias', tShift: 8 }),
    T: 12,
    engines: both,
  },
  {
    name: 'MaxPools over 5 and 40 channels (two channel blocks), then GlobalAvgPool',
    build: converted(eventNetMaxPools),
    T: 16,
    engines: both,
  },
  { name: 'stacked MaxPools (a pool of pooled spikes)', build: converted(stackedMaxPools), T: 16, engines: both },
  {
    name: 'MaxPool, Poisson input, chunks of 4',
    build: converted(() => maxPoolCnn(24)),
    T: 12,
    encoder: poissonEncoder(5),
    chunk: 4,
    engines: both,
  },
  { name: 'overlapping AvgPool 3×3 stride 1 pad 1 (gathered)', build: converted(overlappingPool), T: 12, engines: both },
  { name: 'padded AvgPool, countIncludePad false (gathered: three weights)', build: converted(paddedPool), T: 12, engines: both },
  { name: 'zero Pad node before a conv (its padding)', build: converted(() => padNode(0)), T: 12, engines: both },
  { name: 'zero Pad node before an AvgPool (gathered)', build: converted(padBeforePool), T: 12, engines: both },
  { name: 'AvgPool 3×3 stride 3 in ceil mode, countIncludePad true', build: converted(ceilPool), T: 12, engines: both },
  { name: 'residual shortcut through a padded overlapping AvgPool', build: converted(pooledShortcut), T: 16, engines: both },
  {
    name: 'padded and overlapping AvgPools on Poisson spikes, burst neurons γ = 2, 3 batches of 8',
    build: converted(poolsOnSpikes, { strategy: 'max-norm', shift: 'none', maxSpikesPerStep: 2 }),
    T: 12,
    encoder: poissonEncoder(7),
    batchSize: 8,
    engines: both,
  },
  {
    name: 'Pad node of 0.25: θ cannot fold (dense only)',
    build: converted(() => padNode(0.25)),
    T: 12,
    engines: ['dense'],
    refusal: notLowered('pad'),
  },
  {
    name: 'signed neurons, residual Add, GlobalAvgPool (dense only)',
    build: converted(() => smallResidual(23), { neuron: 'signed' }),
    T: 16,
    engines: ['dense'],
    refusal: noSignedEvents,
    takesBack: true,
  },
  {
    name: 'signed neurons, max-norm, no shift, per-channel θ, spiking readout, 4 batches of 7, chunks of 3 (dense only)',
    build: converted(eventNet3, { neuron: 'signed', strategy: 'max-norm', shift: 'none', thresholdScope: 'channel', readout: 'spikes' }),
    T: 16,
    batchSize: 7,
    chunk: 3,
    engines: ['dense'],
    refusal: noSignedEvents,
    takesBack: true,
  },
  {
    name: 'signed neurons, Poisson input, bias shift (dense only)',
    build: converted(() => eventNet(6), { neuron: 'signed', shift: 'bias', tShift: 8 }),
    T: 12,
    encoder: poissonEncoder(11),
    batchSize: 10,
    chunk: 5,
    engines: ['dense'],
    refusal: noSignedEvents,
    takesBack: true,
  },
];
