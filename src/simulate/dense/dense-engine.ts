/**
 * The dense engine: for each batch, T steps in chunks of `chunk` steps; every stage processes a whole
 * chunk at once ([steps·batch, …] through each backend segment, one fused neuron loop per spiking
 * layer), and membrane potentials carry over between chunks, so memory depends on the chunk, not
 * on T. Two batches in flight: while ONNX Runtime computes one batch's layer (off the JS thread),
 * the other batch's neurons update on the JS thread. With early exit, decided images leave the batch
 * at the end of their chunk: every per-image row (membranes, pool accumulators, static currents,
 * readout sums) is compacted, so later chunks compute only the images still running.
 */
import type { Backend, SpikePrecision } from '../../backend/backend.js';
import type { Dataset } from '../../data/dataset.js';
import type { Graph } from '../../ir/graph.js';
import type { NeuronState } from '../../neurons/neuron.js';
import { sizeOf, type Tensor } from '../../tensor/tensor.js';
import { yieldSometimes } from '../../host/yield.js';
import type { Encoder } from '../encoders.js';
import { forEachBatchInFlight } from '../in-flight.js';
import type { EngineRun, Probe, SimulateOptions } from '../simulation.js';
import { buildDensePlan, type DensePlan, type PoolStage, type SpikeStage } from './dense-plan.js';
import { stepSpikeMaxPool } from './spike-max-pool.js';
import { materialize, runMerge, type Value } from './dense-values.js';
import type { ExitRule } from '../exit/exit-rule.js';
import { BatchExit, compactRows, compactState, traceSpikes } from './batch-exit.js';
import { emptyTrace, type ReadoutTrace } from '../exit/readout-trace.js';

interface LayerTally {
  spikes: number;
  unitCounts: Float64Array | null;
}

/** Bytes the largest value of one chunk may take by default (see SimulateOptions.chunk). */
const CHUNK_BYTES = 8 << 20;

export async function simulateDense(
  backend: Backend,
  graph: Graph,
  data: Dataset,
  encoder: Encoder,
  precision: SpikePrecision,
  options: SimulateOptions,
  exit: ExitRule | null = null,
): Promise<EngineRun> {
  const plan = await buildDensePlan(backend, graph, encoder.constant, precision);
  const T = options.T;
  const batchSize = options.batchSize ?? 50;
  // With early exit, one step per chunk by default: an image stops at the end of its chunk.
  const chunk = Math.max(1, Math.min(options.chunk ?? (exit ? 1 : defaultChunk(plan, batchSize)), T));
  const total = Math.min(options.limit ?? data.size, data.size);
  const correctAt = new Int32Array(T);
  const steps = new Int32Array(T + 1);
  // Spiking layers and spiking max pools: the stages that emit spikes, in graph order.
  const spikeStages = plan.stages.filter((s): s is SpikeStage | PoolStage => s.kind === 'spike' || s.kind === 'spike-pool');
  const tallies = new Map<string, LayerTally>(
    spikeStages.map((s) => [
      s.node.name,
      { spikes: 0, unitCounts: options.unitCounts ? new Float64Array(sizeOf(plan.shapes.get(s.node.output)!)) : null },
    ]),
  );
  const inputEvents = { count: 0 };
  const trace = options.trace ? emptyTrace(total, T, sizeOf(plan.shapes.get(graph.output)!), spikeStages.length + 1) : null;
  const columns = new Map(spikeStages.map((s, i) => [s.node.name, i + 1]));
  const started = performance.now();
  let images = 0;
  try {
    images = await forEachBatchInFlight(data, { batchSize, total, lanes: options.inFlight ?? 2, onProgress: options.onProgress }, (batch) =>
      simulateBatch(plan, batch.x, batch.labels, {
        T,
        chunk,
        encoder,
        firstImage: batch.start,
        correctAt,
        steps,
        exit,
        trace,
        columns,
        tallies,
        probes: options.probes ?? [],
        inputEvents,
      }),
    );
  } finally {
    await plan.dispose();
  }
  return {
    images,
    correctAt,
    layers: spikeStages.map((s) => {
      const tally = tallies.get(s.node.name)!;
      return { node: s.node.name, units: sizeOf(plan.shapes.get(s.node.output)!), spikes: tally.spikes, unitCounts: tally.unitCounts };
    }),
    inputEvents: encoder.constant ? null : inputEvents.count,
    steps,
    trace: trace && { ...trace, images },
    seconds: (performance.now() - started) / 1000,
  };
}

function defaultChunk(plan: DensePlan, batch: number): number {
  let largest = 1;
  for (const [name, shape] of plan.shapes) if (!plan.staticValues.has(name)) largest = Math.max(largest, sizeOf(shape));
  return Math.max(1, Math.min(8, Math.floor(CHUNK_BYTES / (4 * batch * largest))));
}

interface BatchContext {
  readonly T: number;
  readonly chunk: number;
  readonly encoder: Encoder;
  readonly firstImage: number;
  readonly correctAt: Int32Array;
  /** steps[s]: images that used s steps. */
  readonly steps: Int32Array;
  readonly exit: ExitRule | null;
  readonly trace: ReadoutTrace | null;
  /** The trace column of each spiking stage. */
  readonly columns: ReadonlyMap<string, number>;
  readonly tallies: Map<string, LayerTally>;
  readonly probes: readonly Probe[];
  readonly inputEvents: { count: number };
}

async function simulateBatch(plan: DensePlan, images: Tensor, allLabels: Int32Array, ctx: BatchContext): Promise<void> {
  const fullBatch = allLabels.length;
  const inputShape = plan.shapes.get(plan.graph.input.name)!;
  const x: Tensor = { shape: [fullBatch, ...inputShape], data: images.data };
  let staticValues = await runStaticPart(plan, x);
  let states = new Map<string, NeuronState>();
  // One spike buffer per layer for the whole batch, reused by every chunk (no allocation in the time loop).
  const spikeBuffers = new Map<string, Float32Array>();
  // A spiking max pool's accumulators, per image and input unit (spike-max-pool.ts).
  let accumulators = new Map<string, Float32Array>();
  for (const s of plan.stages) {
    if (s.kind === 'spike-pool') {
      accumulators.set(s.node.name, new Float32Array(fullBatch * sizeOf(s.geometry.input)));
      spikeBuffers.set(s.node.name, new Float32Array(ctx.chunk * fullBatch * sizeOf(plan.shapes.get(s.node.output)!)));
    }
    if (s.kind !== 'spike') continue;
    states.set(s.node.name, s.neuron.initialState(s.initialPotential, fullBatch));
    spikeBuffers.set(s.node.name, new Float32Array(ctx.chunk * fullBatch * s.initialPotential.length));
  }
  const stream = ctx.encoder.start(x, ctx.firstImage);
  const classes = sizeOf(plan.shapes.get(plan.graph.output)!);
  let cumulative = new Float64Array(fullBatch * classes);
  let labels = allLabels.slice();
  ctx.trace?.labels.set(allLabels, ctx.firstImage);
  const exit = new BatchExit(ctx.exit, fullBatch);
  for (let t0 = 0; t0 < ctx.T && exit.active > 0; t0 += ctx.chunk) {
    await yieldSometimes(); // an interrupt is handled within a chunk's time
    const steps = Math.min(ctx.chunk, ctx.T - t0);
    const batch = exit.active;
    const values = new Map(staticValues);
    if (!ctx.encoder.constant) {
      // The stream draws for the whole batch (so every image sees its own spikes); the running rows are kept.
      const encoded = runningRows(stream.next(steps), steps, fullBatch, exit);
      for (let i = 0; i < encoded.length; i++) ctx.inputEvents.count += encoded[i];
      if (ctx.trace) traceSpikes(ctx.trace, 0, encoded, steps, t0, ctx.firstImage, exit);
      values.set(plan.graph.input.name, { data: encoded, isStatic: false, spikeCounts: false });
    }
    for (const stage of plan.stages) {
      if (stage.kind === 'spike') {
        const state = states.get(stage.node.name)!;
        const buffer = spikeBuffers.get(stage.node.name)!.subarray(0, steps * state.v.length);
        const spikes = runSpikeStage(plan, stage, values, state, buffer, steps, ctx.tallies.get(stage.node.name)!);
        values.set(stage.node.output, spikes);
        if (ctx.trace) traceSpikes(ctx.trace, ctx.columns.get(stage.node.name)!, spikes.data, steps, t0, ctx.firstImage, exit);
        const info = { t0, steps, batch, firstImage: ctx.firstImage, units: stage.params.threshold.length };
        for (const probe of ctx.probes) probe.onSpikes?.(stage.node.name, spikes.data, state.v, info);
      } else if (stage.kind === 'spike-pool') {
        const units = sizeOf(plan.shapes.get(stage.node.output)!);
        const out = spikeBuffers.get(stage.node.name)!.subarray(0, steps * batch * units);
        const input = values.get(stage.node.inputs[0])!;
        const tally = ctx.tallies.get(stage.node.name)!;
        const state = accumulators.get(stage.node.name)!;
        tally.spikes += stepSpikeMaxPool(stage.geometry, input.data, state, out, steps, batch);
        countUnits(tally, out);
        if (ctx.trace) traceSpikes(ctx.trace, ctx.columns.get(stage.node.name)!, out, steps, t0, ctx.firstImage, exit);
        values.set(stage.node.output, { data: out, isStatic: false, spikeCounts: true });
        const info = { t0, steps, batch, firstImage: ctx.firstImage, units };
        for (const probe of ctx.probes) probe.onSpikes?.(stage.node.name, out, state, info);
      } else if (stage.kind === 'segment') {
        const input = stage.takesSpikeCounts ? values.get(stage.input)!.data : materialize(plan, stage.input, values.get(stage.input)!);
        const rows = (input.length / sizeOf(plan.shapes.get(stage.input)!)) | 0;
        const out = await stage.compiled.run({ shape: [rows, ...plan.shapes.get(stage.input)!], data: input });
        values.set(stage.output, { data: out.get(stage.output)!.data, isStatic: false, spikeCounts: false });
      } else {
        values.set(stage.node.output, runMerge(plan, stage.kind, stage.node.inputs, stage.node.output, values, steps * batch));
      }
    }
    const out = values.get(plan.graph.output)!;
    const current = materialize(plan, plan.graph.output, out);
    const traceReadout = ctx.trace && { readout: ctx.trace.readout, T: ctx.T, firstImage: ctx.firstImage };
    exit.accumulate(current, out.isStatic, cumulative, labels, steps, t0, ctx.correctAt, traceReadout);
    for (const probe of ctx.probes)
      probe.onReadout?.(current, out.isStatic, { t0, steps, batch, firstImage: ctx.firstImage, units: classes });
    const keep = exit.finishChunk(t0 + steps, ctx.T, labels, ctx.correctAt, ctx.steps);
    if (keep) {
      staticValues = new Map([...staticValues].map(([name, v]) => [name, { ...v, data: compactRows(v.data.slice(), batch, keep) }]));
      states = new Map([...states].map(([name, state]) => [name, compactState(state, batch, keep)]));
      accumulators = new Map([...accumulators].map(([name, a]) => [name, compactRows(a, batch, keep)]));
      cumulative = compactRows(cumulative, batch, keep);
      labels = compactRows(labels, batch, keep);
    }
  }
  ctx.steps[ctx.T] += exit.active;
}

/** The running rows of a chunk's input [steps × fullBatch × units] (the array itself while all run). */
function runningRows(encoded: Float32Array, steps: number, fullBatch: number, exit: BatchExit): Float32Array {
  if (exit.active === fullBatch) return encoded;
  const units = encoded.length / (steps * fullBatch);
  const out = new Float32Array(steps * exit.active * units);
  for (let t = 0; t < steps; t++)
    for (let b = 0; b < exit.active; b++) {
      const from = (t * fullBatch + exit.rows[b]) * units;
      out.set(encoded.subarray(from, from + units), (t * exit.active + b) * units);
    }
  return out;
}

async function runStaticPart(plan: DensePlan, x: Tensor): Promise<Map<string, Value>> {
  const values = new Map<string, Value>();
  if (plan.staticValues.has(plan.graph.input.name)) values.set(plan.graph.input.name, { data: x.data, isStatic: true, spikeCounts: false });
  if (!plan.staticPart) return values;
  const outputs = await plan.staticPart.compiled.run(x);
  for (const name of plan.staticPart.outputs) values.set(name, { data: outputs.get(name)!.data, isStatic: true, spikeCounts: false });
  return values;
}

function runSpikeStage(
  plan: DensePlan,
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
  countUnits(tally, spikes);
  return { data: spikes, isStatic: false, spikeCounts: true };
}

/** Adds a chunk's spikes [steps × batch × units] to every unit's count, when counts are kept. */
function countUnits(tally: LayerTally, spikes: Float32Array): void {
  if (!tally.unitCounts) return;
  const units = tally.unitCounts.length;
  for (let row = 0; row < spikes.length; row += units) {
    for (let j = 0; j < units; j++) tally.unitCounts[j] += spikes[row + j];
  }
}
