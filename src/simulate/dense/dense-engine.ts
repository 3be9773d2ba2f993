/**
 * The dense engine: for each batch, T steps in chunks of `chunk` steps; every stage processes a whole
 * chunk at once ([steps·batch, …] through each backend segment, one fused neuron loop per spiking
 * layer), and membrane potentials carry over between chunks, so memory depends on the chunk, not
 * on T. Two batches in flight: while ONNX Runtime computes one batch's layer (off the JS thread),
 * the other batch's neurons update on the JS thread.
 */
import type { Backend, SpikePrecision } from '../../backend/backend.js';
import type { Dataset } from '../../data/dataset.js';
import type { Graph } from '../../ir/graph.js';
import type { NeuronState } from '../../neurons/neuron.js';
import { sizeOf, type Tensor } from '../../tensor/tensor.js';
import type { Encoder } from '../encoders.js';
import { forEachBatchInFlight } from '../in-flight.js';
import type { EngineRun, Probe, SimulateOptions } from '../simulation.js';
import { buildDensePlan, type DensePlan, type PoolStage, type SpikeStage } from './dense-plan.js';
import { stepSpikeMaxPool } from './spike-max-pool.js';
import { accumulateReadout, materialize, runMerge, type Value } from './dense-values.js';

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
): Promise<EngineRun> {
  const plan = await buildDensePlan(backend, graph, encoder.constant, precision);
  const T = options.T;
  const batchSize = options.batchSize ?? 50;
  const chunk = Math.max(1, Math.min(options.chunk ?? defaultChunk(plan, batchSize), T));
  const total = Math.min(options.limit ?? data.size, data.size);
  const correctAt = new Int32Array(T);
  // Spiking layers and spiking max pools: the stages that emit spikes, in graph order.
  const spikeStages = plan.stages.filter((s): s is SpikeStage | PoolStage => s.kind === 'spike' || s.kind === 'spike-pool');
  const tallies = new Map<string, LayerTally>(
    spikeStages.map((s) => [
      s.node.name,
      { spikes: 0, unitCounts: options.unitCounts ? new Float64Array(sizeOf(plan.shapes.get(s.node.output)!)) : null },
    ]),
  );
  const inputEvents = { count: 0 };
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
    saturatedSums: 0,
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
  readonly tallies: Map<string, LayerTally>;
  readonly probes: readonly Probe[];
  readonly inputEvents: { count: number };
}

async function simulateBatch(plan: DensePlan, images: Tensor, labels: Int32Array, ctx: BatchContext): Promise<void> {
  const batch = labels.length;
  const inputShape = plan.shapes.get(plan.graph.input.name)!;
  const x: Tensor = { shape: [batch, ...inputShape], data: images.data };
  const staticValues = await runStaticPart(plan, x);
  const states = new Map<string, NeuronState>();
  // One spike buffer per layer for the whole batch, reused by every chunk (no allocation in the time loop).
  const spikeBuffers = new Map<string, Float32Array>();
  // A spiking max pool's accumulators, per image and input unit (spike-max-pool.ts).
  const accumulators = new Map<string, Float32Array>();
  for (const s of plan.stages) {
    if (s.kind === 'spike-pool') {
      accumulators.set(s.node.name, new Float32Array(batch * sizeOf(s.geometry.input)));
      spikeBuffers.set(s.node.name, new Float32Array(ctx.chunk * batch * sizeOf(plan.shapes.get(s.node.output)!)));
    }
    if (s.kind !== 'spike') continue;
    states.set(s.node.name, s.neuron.initialState(s.initialPotential, batch));
    spikeBuffers.set(s.node.name, new Float32Array(ctx.chunk * batch * s.initialPotential.length));
  }
  const stream = ctx.encoder.start(x, ctx.firstImage);
  const classes = sizeOf(plan.shapes.get(plan.graph.output)!);
  const cumulative = new Float64Array(batch * classes);
  for (let t0 = 0; t0 < ctx.T; t0 += ctx.chunk) {
    const steps = Math.min(ctx.chunk, ctx.T - t0);
    const values = new Map(staticValues);
    if (!ctx.encoder.constant) {
      const encoded = stream.next(steps);
      for (let i = 0; i < encoded.length; i++) ctx.inputEvents.count += encoded[i];
      values.set(plan.graph.input.name, { data: encoded, isStatic: false, spikeCounts: false });
    }
    for (const stage of plan.stages) {
      if (stage.kind === 'spike') {
        const state = states.get(stage.node.name)!;
        const buffer = spikeBuffers.get(stage.node.name)!.subarray(0, steps * state.v.length);
        const spikes = runSpikeStage(plan, stage, values, state, buffer, steps, ctx.tallies.get(stage.node.name)!);
        values.set(stage.node.output, spikes);
        const info = { t0, steps, batch, firstImage: ctx.firstImage, units: stage.params.threshold.length };
        for (const probe of ctx.probes) probe.onSpikes?.(stage.node.name, spikes.data, state.v, info);
      } else if (stage.kind === 'spike-pool') {
        const buffer = spikeBuffers.get(stage.node.name)!;
        const out = buffer.subarray(0, (steps * buffer.length) / ctx.chunk);
        const input = values.get(stage.node.inputs[0])!;
        const tally = ctx.tallies.get(stage.node.name)!;
        const state = accumulators.get(stage.node.name)!;
        tally.spikes += stepSpikeMaxPool(stage.geometry, input.data, state, out, steps, batch);
        countUnits(tally, out);
        values.set(stage.node.output, { data: out, isStatic: false, spikeCounts: true });
        const info = { t0, steps, batch, firstImage: ctx.firstImage, units: out.length / (steps * batch) };
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
    accumulateReadout(current, out.isStatic, cumulative, labels, steps, t0, ctx.correctAt);
    for (const probe of ctx.probes)
      probe.onReadout?.(current, out.isStatic, { t0, steps, batch, firstImage: ctx.firstImage, units: classes });
  }
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
