/**
 * The multi-step SNN simulator. Both engines record, for every image, the readout's
 *   prediction(t) = argmax_k Σ_{τ≤t} I_k(τ)       for every t = 1..T
 * so one simulation of T steps gives the accuracy at every t.
 * - event (event/): spikes drive WebAssembly kernels, work ∝ synaptic operations; chosen by
 *   `chooseEngine` where the graph lowers to it.
 * - dense (here): for each batch, T steps in chunks of `chunk` steps; every stage processes a whole
 *   chunk at once ([steps·batch, …] through each backend segment, one fused neuron loop per spiking
 *   layer), and membrane potentials carry over between chunks, so memory depends on the chunk, not
 *   on T.
 */
import { availableParallelism } from 'node:os';
import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import { checkInputShape } from '../ann/input-shape.js';
import { GraphError, type Graph } from '../ir/graph.js';
import type { NeuronState } from '../neurons/neuron.js';
import { initialState } from '../neurons/neuron.js';
import { sizeOf, type Tensor } from '../tensor/tensor.js';
import { sampleShapes } from '../ir/shapes.js';
import { directEncoder, type Encoder } from './encoders.js';
import { lowerToEvents, type EventNet } from './event/event-net.js';
import type { EventPrecision } from './event/event-runner.js';
import { simulateEvents } from './event/simulate-events.js';
import { buildPlan, findStaticValues, type Plan, type SpikeStage } from './plan.js';

/** Sees every chunk as it is simulated; for analysis (per-image rates, rasters, membrane traces). */
export interface Probe {
  /**
   * After a spiking layer processed a chunk: `spikes` is [steps × batch × units] (counts per step),
   * `v` the membrane potentials [batch × units] after the chunk's last step (with chunk = 1: every step).
   * Both buffers are reused by the next chunk: copy what you keep.
   */
  onSpikes?(layer: string, spikes: Float32Array, v: Float32Array, chunk: ChunkInfo): void;
  /** After the readout current of a chunk was accumulated: `current` is [steps × batch × classes] (or [batch × classes] when static). */
  onReadout?(current: Float32Array, isStatic: boolean, chunk: ChunkInfo): void;
}

export interface ChunkInfo {
  /** First step of the chunk (0-based). */
  readonly t0: number;
  readonly steps: number;
  readonly batch: number;
  /** Index of the batch's first image in the data set order. */
  readonly firstImage: number;
  readonly units: number;
}

export interface SimulateOptions {
  readonly T: number;
  /**
   * Dense engine: time steps per chunk (memory ∝ chunk × batch). Default: as many as keep the largest
   * layer's values of a chunk within CHUNK_BYTES, 1 to 8 (on cnn4 one step: faster than 8 and with a
   * third of the memory, docs/design.md).
   */
  readonly chunk?: number;
  readonly batchSize?: number;
  readonly limit?: number;
  readonly encoder?: Encoder;
  /** Also keep every unit's spike count (for firing-rate histograms). */
  readonly unitCounts?: boolean;
  readonly probes?: readonly Probe[];
  /** Batches simulated concurrently (default 2: overlaps the neuron updates with ONNX Runtime). */
  readonly inFlight?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * 'event': spikes drive event kernels (WebAssembly, work ∝ synaptic operations; event/); 'dense':
   * every step runs the backend's dense segments; 'auto' (default): event where the graph lowers to
   * it, no probe is attached and the backend declares f32 or int8 spike arithmetic (ort), dense
   * otherwise. With an int8 backend the event engine runs s8 weights (per-channel scales).
   */
  readonly engine?: SimulationEngine | 'auto';
  /** Worker threads of the event engine (default: one per core, at most one per 16 images; 1: in this thread). */
  readonly threads?: number;
}

export type SimulationEngine = 'event' | 'dense';

export interface LayerActivity {
  readonly node: string;
  readonly units: number;
  readonly spikes: number;
  /** spikes / (units · images · T) */
  readonly rate: number;
  /** Spike count of every unit summed over images and steps, when requested. */
  readonly unitCounts: Float64Array | null;
}

export interface SimulationResult {
  readonly T: number;
  readonly images: number;
  readonly encoder: string;
  /** Input spikes (events) over all images and steps for a spiking encoder; null for direct (analog) input. */
  readonly inputEvents: number | null;
  /** correctAt[t−1]: images classified correctly after t steps. */
  readonly correctAt: Int32Array;
  readonly accuracyAt: Float64Array;
  readonly layers: readonly LayerActivity[];
  readonly seconds: number;
  readonly engine: SimulationEngine;
  /** Why the dense engine ran when the event engine was possible in principle (null otherwise). */
  readonly engineNote: string | null;
  /**
   * int8 event engine: sums (of 32 channels at one unit and step) in which a channel's i16 sum hit
   * its limit and was clipped there; 0 otherwise. Non-zero values cost accuracy.
   */
  readonly saturatedSums: number;
}

interface Value {
  readonly data: Float32Array;
  readonly isStatic: boolean;
  /** Binary spikes whose amplitude θ (per unit) is not yet applied. */
  readonly binary: boolean;
}

interface LayerTally {
  spikes: number;
  unitCounts: Float64Array | null;
}

export async function simulate(backend: Backend, graph: Graph, data: Dataset, options: SimulateOptions): Promise<SimulationResult> {
  checkInputShape(graph, data);
  if (!Number.isInteger(options.T) || options.T < 1) throw new RangeError(`T must be a positive integer, got ${options.T}`);
  const encoder = options.encoder ?? directEncoder;
  const choice = chooseEngine(backend, graph, encoder, options);
  if ('net' in choice) return simulateWithEvents(backend, graph, choice, data, encoder, options);
  const plan = await buildPlan(backend, graph, encoder.constant);
  const T = options.T;
  const chunk = Math.max(1, Math.min(options.chunk ?? defaultChunk(plan, options.batchSize ?? 50), T));
  const total = Math.min(options.limit ?? data.size, data.size);
  const correctAt = new Int32Array(T);
  const spikeStages = plan.stages.filter((s): s is SpikeStage => s.kind === 'spike');
  const tallies = new Map<string, LayerTally>(
    spikeStages.map((s) => [
      s.node.name,
      { spikes: 0, unitCounts: options.unitCounts ? new Float64Array(sizeOf(plan.shapes.get(s.node.output)!)) : null },
    ]),
  );
  const started = performance.now();
  let images = 0;
  const inputEvents = { count: 0 };
  const batches = data.batches({ batchSize: options.batchSize ?? 50, limit: total })[Symbol.iterator]();
  let batchIndex = 0;
  // Two batches in flight: while ONNX Runtime computes one batch's layer (off the JS thread), the
  // other batch's neurons update on the JS thread.
  const worker = async () => {
    for (let next = batches.next(); !next.done; next = batches.next()) {
      const batch = next.value;
      const index = batchIndex++;
      const firstImage = batch.start;
      await simulateBatch(plan, batch.x, batch.labels, {
        T,
        chunk,
        encoder,
        batchIndex: index,
        firstImage,
        correctAt,
        tallies,
        probes: options.probes ?? [],
        inputEvents,
      });
      images += batch.labels.length;
      options.onProgress?.(images, total);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.inFlight ?? 2) }, worker));
  } finally {
    await plan.dispose();
  }
  const layers = spikeStages.map((s) => {
    const units = sizeOf(plan.shapes.get(s.node.output)!);
    const tally = tallies.get(s.node.name)!;
    return {
      node: s.node.name,
      units,
      spikes: tally.spikes,
      rate: images === 0 ? 0 : tally.spikes / (units * images * T),
      unitCounts: tally.unitCounts,
    };
  });
  const accuracyAt = Float64Array.from(correctAt, (c) => (images === 0 ? 0 : c / images));
  return {
    T,
    images,
    encoder: encoder.name,
    inputEvents: encoder.constant ? null : inputEvents.count,
    correctAt,
    accuracyAt,
    layers,
    seconds: (performance.now() - started) / 1000,
    engine: 'dense',
    engineNote: choice.note,
    saturatedSums: 0,
  };
}

/** Bytes the largest value of one chunk may take by default (see SimulateOptions.chunk). */
const CHUNK_BYTES = 8 << 20;

function defaultChunk(plan: Plan, batch: number): number {
  let largest = 1;
  for (const [name, shape] of plan.shapes) if (!plan.staticValues.has(name)) largest = Math.max(largest, sizeOf(shape));
  return Math.max(1, Math.min(8, Math.floor(CHUNK_BYTES / (4 * batch * largest))));
}

function chooseEngine(
  backend: Backend,
  graph: Graph,
  encoder: Encoder,
  options: SimulateOptions,
): { net: EventNet; precision: EventPrecision } | { note: string | null } {
  const engine = options.engine ?? 'auto';
  if (engine !== 'auto' && engine !== 'event' && engine !== 'dense')
    throw new RangeError(`engine must be auto, event or dense, got '${String(engine)}'`);
  if (engine === 'dense') return { note: null };
  const precision = backend.spikePrecision;
  const refusal =
    (options.probes?.length ?? 0) > 0
      ? 'probes read per-step tensors of the dense engine'
      : precision !== undefined && precision !== 'f32' && precision !== 'int8'
        ? `the backend computes spike-fed layers in ${precision} (the event engine has f32 and int8)`
        : engine === 'auto' && precision === undefined
          ? `the ${backend.name} backend is simulated densely unless the event engine is asked for`
          : null;
  const input = encoder.constant ? 'static' : encoder.bernoulli ? 'spikes' : null;
  const lowering = refusal
    ? { reason: refusal }
    : input === null
      ? { reason: `the ${encoder.name} encoder has no event form` }
      : lowerToEvents(graph, sampleShapes(graph), findStaticValues(graph, encoder.constant), input);
  if ('net' in lowering) return { net: lowering.net, precision: precision === 'int8' ? 'int8' : 'f32' };
  if (engine === 'event') throw new GraphError(`the event engine cannot run this simulation: ${lowering.reason}`);
  return { note: lowering.reason };
}

async function simulateWithEvents(
  backend: Backend,
  graph: Graph,
  { net, precision }: { net: EventNet; precision: EventPrecision },
  data: Dataset,
  encoder: Encoder,
  options: SimulateOptions,
): Promise<SimulationResult> {
  const T = options.T;
  const total = Math.min(options.limit ?? data.size, data.size);
  const started = performance.now();
  const run = await simulateEvents(backend, graph, net, data, encoder, {
    T,
    total,
    batchSize: options.batchSize ?? 50,
    // By default a worker per core, but no more than one per 16 images (starting one costs ~50 ms).
    threads: options.threads ?? Math.max(1, Math.min(availableParallelism(), Math.ceil(total / 16))),
    precision,
    unitCounts: options.unitCounts ?? false,
    onProgress: options.onProgress,
  });
  // With spiking input, layers[0] is the input: its spikes are the input events, not a layer's.
  const first = net.input === 'spikes' ? 1 : 0;
  const layers = net.layers.slice(first).map((l, k) => {
    const i = k + first;
    const units = sizeOf(l.shape);
    return {
      node: l.name,
      units,
      spikes: run.spikes[i],
      rate: run.images === 0 ? 0 : run.spikes[i] / (units * run.images * T),
      unitCounts: run.unitCounts?.[i] ?? null,
    };
  });
  return {
    T,
    images: run.images,
    encoder: encoder.name,
    inputEvents: first === 1 ? run.spikes[0] : null,
    correctAt: run.correctAt,
    accuracyAt: Float64Array.from(run.correctAt, (c) => (run.images === 0 ? 0 : c / run.images)),
    layers,
    seconds: (performance.now() - started) / 1000,
    engine: 'event',
    engineNote: null,
    saturatedSums: run.saturated,
  };
}

interface BatchContext {
  readonly T: number;
  readonly chunk: number;
  readonly encoder: Encoder;
  readonly batchIndex: number;
  readonly firstImage: number;
  readonly correctAt: Int32Array;
  readonly tallies: Map<string, LayerTally>;
  readonly probes: readonly Probe[];
  readonly inputEvents: { count: number };
}

async function simulateBatch(plan: Plan, images: Tensor, labels: Int32Array, ctx: BatchContext): Promise<void> {
  const batch = labels.length;
  const inputShape = plan.shapes.get(plan.graph.input.name)!;
  const x: Tensor = { shape: [batch, ...inputShape], data: images.data };
  const staticValues = await runStaticPart(plan, x);
  const states = new Map<string, NeuronState>();
  // One spike buffer per layer for the whole batch, reused by every chunk (no allocation in the time loop).
  const spikeBuffers = new Map<string, Float32Array>();
  for (const s of plan.stages) {
    if (s.kind !== 'spike') continue;
    states.set(s.node.name, initialState(s.initialPotential, batch));
    spikeBuffers.set(s.node.name, new Float32Array(ctx.chunk * batch * s.initialPotential.length));
  }
  const stream = ctx.encoder.start(x, ctx.batchIndex);
  const classes = sizeOf(plan.shapes.get(plan.graph.output)!);
  const cumulative = new Float64Array(batch * classes);
  for (let t0 = 0; t0 < ctx.T; t0 += ctx.chunk) {
    const steps = Math.min(ctx.chunk, ctx.T - t0);
    const values = new Map(staticValues);
    if (!ctx.encoder.constant) {
      const encoded = stream.next(steps);
      for (let i = 0; i < encoded.length; i++) ctx.inputEvents.count += encoded[i];
      values.set(plan.graph.input.name, { data: encoded, isStatic: false, binary: false });
    }
    for (const stage of plan.stages) {
      if (stage.kind === 'spike') {
        const state = states.get(stage.node.name)!;
        const buffer = spikeBuffers.get(stage.node.name)!.subarray(0, steps * state.v.length);
        const spikes = runSpikeStage(plan, stage, values, state, buffer, steps, ctx.tallies.get(stage.node.name)!);
        values.set(stage.node.output, spikes);
        const info = { t0, steps, batch, firstImage: ctx.firstImage, units: stage.params.threshold.length };
        for (const probe of ctx.probes) probe.onSpikes?.(stage.node.name, spikes.data, state.v, info);
      } else if (stage.kind === 'segment') {
        const input = stage.takesBinarySpikes ? values.get(stage.input)!.data : materialize(plan, stage.input, values.get(stage.input)!);
        const rows = (input.length / sizeOf(plan.shapes.get(stage.input)!)) | 0;
        const out = await stage.compiled.run({ shape: [rows, ...plan.shapes.get(stage.input)!], data: input });
        values.set(stage.output, { data: out.get(stage.output)!.data, isStatic: false, binary: false });
      } else {
        values.set(stage.node.output, runMerge(plan, stage.kind, stage.node.inputs, stage.node.output, values, steps * batch));
      }
    }
    const out = values.get(plan.graph.output)!;
    const current = materialize(plan, plan.graph.output, out);
    accumulateReadout(current, out.isStatic, cumulative, labels, steps, t0, ctx.correctAt);
    for (const probe of ctx.probes)
      probe.onReadout?.(current, out.isStatic, { t0, steps, batch, firstImage: ctx.firstImage, units: classes });
  }
}

async function runStaticPart(plan: Plan, x: Tensor): Promise<Map<string, Value>> {
  const values = new Map<string, Value>();
  if (plan.staticValues.has(plan.graph.input.name)) values.set(plan.graph.input.name, { data: x.data, isStatic: true, binary: false });
  if (!plan.staticPart) return values;
  const outputs = await plan.staticPart.compiled.run(x);
  for (const name of plan.staticPart.outputs) values.set(name, { data: outputs.get(name)!.data, isStatic: true, binary: false });
  return values;
}

function runSpikeStage(
  plan: Plan,
  stage: SpikeStage,
  values: Map<string, Value>,
  state: NeuronState,
  spikes: Float32Array,
  steps: number,
  tally: LayerTally,
): Value {
  const input = values.get(stage.node.inputs[0])!;
  const current = materialize(plan, stage.node.inputs[0], input);
  tally.spikes += stage.neuron.step(stage.params, state, { current, constantCurrent: input.isStatic, spikes, steps });
  if (tally.unitCounts) {
    const units = tally.unitCounts.length;
    for (let row = 0; row < spikes.length; row += units) {
      for (let j = 0; j < units; j++) tally.unitCounts[j] += spikes[row + j];
    }
  }
  return { data: spikes, isStatic: false, binary: true };
}

/** θ·s for binary spikes; the data itself otherwise. */
function materialize(plan: Plan, name: string, value: Value): Float32Array {
  if (!value.binary) return value.data;
  const amplitude = plan.spikeAmplitude.get(name)!;
  const units = amplitude.length;
  const out = new Float32Array(value.data.length);
  for (let row = 0; row < out.length; row += units) {
    for (let j = 0; j < units; j++) out[row + j] = value.data[row + j] * amplitude[j];
  }
  return out;
}

/** Add or channel Concat of [rows, …] values; a static operand is broadcast over the chunk's steps. */
function runMerge(
  plan: Plan,
  kind: 'add' | 'concat',
  inputs: readonly string[],
  output: string,
  values: Map<string, Value>,
  rows: number,
): Value {
  const operands = inputs.map((name) => ({
    data: materialize(plan, name, values.get(name)!),
    isStatic: values.get(name)!.isStatic,
    units: sizeOf(plan.shapes.get(name)!),
  }));
  const outUnits = sizeOf(plan.shapes.get(output)!);
  const out = new Float32Array(rows * outUnits);
  if (kind === 'add') {
    for (const op of operands) {
      const period = op.isStatic ? op.data.length : out.length;
      for (let row = 0; row < out.length; row += period) {
        for (let j = 0; j < period; j++) out[row + j] += op.data[j];
      }
    }
  } else {
    let offset = 0;
    for (const op of operands) {
      const sampleRows = op.isStatic ? op.data.length / op.units : rows;
      for (let r = 0; r < rows; r++)
        out.set(op.data.subarray((r % sampleRows) * op.units, ((r % sampleRows) + 1) * op.units), r * outUnits + offset);
      offset += op.units;
    }
  }
  return { data: out, isStatic: false, binary: false };
}

function accumulateReadout(
  out: Float32Array,
  isStatic: boolean,
  cumulative: Float64Array,
  labels: Int32Array,
  steps: number,
  t0: number,
  correctAt: Int32Array,
): void {
  const batch = labels.length;
  const classes = cumulative.length / batch;
  for (let t = 0; t < steps; t++) {
    const base = isStatic ? 0 : t * batch * classes;
    for (let b = 0; b < batch; b++) {
      let best = 0;
      let bestValue = -Infinity;
      for (let k = 0; k < classes; k++) {
        const i = b * classes + k;
        cumulative[i] += out[base + i];
        if (cumulative[i] > bestValue) {
          bestValue = cumulative[i];
          best = k;
        }
      }
      if (best === labels[b]) correctAt[t0 + t]++;
    }
  }
}
