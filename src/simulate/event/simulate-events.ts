/**
 * The event engine's simulation loop: per batch, the static part (the first layer's current) on the
 * backend — or, with a Bernoulli encoder, the images themselves, from which the kernels draw the
 * same spikes as the dense engine's encoder — then every image's T steps on the event pool, which
 * scores each image at every t exactly as the dense engine does: prediction(t) = argmax_k Σ_{τ≤t} I_k(τ).
 * With early exit an image leaves the batch at the step its prediction is decided.
 * Two batches in flight: the backend computes one batch's currents while the pool simulates the other.
 */
import type { Backend } from '../../backend/backend.js';
import type { Dataset } from '../../data/dataset.js';
import type { Graph } from '../../ir/graph.js';
import { platform } from '../../host/platform.js';
import { nodesNeededFor } from '../../ir/graph.js';
import { sizeOf } from '../../tensor/tensor.js';
import type { Encoder } from '../encoders.js';
import { forEachBatchInFlight } from '../in-flight.js';
import type { EngineRun, SimulateOptions } from '../simulation.js';
import { addTotals, emptyTotals, type BatchRequest } from './event-batch.js';
import type { EventNet } from './event-net.js';
import { createEventPool } from './event-pool.js';
import type { EventPrecision } from './event-runner.js';
import type { ExitRule } from '../exit/exit-rule.js';
import { emptyTrace } from '../exit/readout-trace.js';

export async function simulateEvents(
  backend: Backend,
  graph: Graph,
  net: EventNet,
  data: Dataset,
  encoder: Encoder,
  precision: EventPrecision,
  options: SimulateOptions,
  exit: ExitRule | null = null,
): Promise<EngineRun> {
  const { T } = options;
  const total = Math.min(options.limit ?? data.size, data.size);
  const unitCounts = options.unitCounts ?? false;
  const started = performance.now();
  // By default a worker per core, but no more than one per 16 images (starting one costs ~50 ms).
  const threads = options.threads ?? Math.max(1, Math.min(platform().cores, Math.ceil(total / 16)));
  const pool = createEventPool(net, threads, precision); // workers boot while the backend compiles
  // With static input, the backend computes layer 0's input current from the images.
  const layer0Current =
    net.input === 'static'
      ? await backend.compile({ input: graph.input, output: net.layer0Input, nodes: nodesNeededFor(graph, [net.layer0Input]) })
      : null;
  const totals = emptyTotals(net, T, unitCounts);
  const columns = net.layers.length + (net.input === 'spikes' ? 0 : 1);
  const trace = options.trace ? emptyTrace(total, T, net.classes, columns) : null;
  let images = 0;
  try {
    images = await forEachBatchInFlight(
      data,
      { batchSize: options.batchSize ?? 50, total, lanes: options.inFlight ?? 2, onProgress: options.onProgress },
      async ({ x, labels, start }) => {
        const input = { shape: [labels.length, ...graph.input.shape.slice(1).map(Number)], data: x.data };
        let layer0Inputs = input.data;
        let stream: BatchRequest['stream'] = null;
        if (layer0Current) {
          layer0Inputs = (await layer0Current.run(input)).get(net.layer0Input)!.data;
        } else {
          encoder.start(input, start); // checks the input as the dense engine does
          const streamSeed = encoder.bernoulli!.streamSeed;
          stream = { seeds: Uint32Array.from(labels, (_, b) => streamSeed(start + b)) };
        }
        const result = await pool.run({ layer0Inputs, images: labels.length, labels, T, unitCounts, stream, exit, trace: trace !== null });
        addTotals(totals, result);
        if (trace && result.trace) {
          trace.labels.set(labels, start);
          trace.readout.set(result.trace.readout, start * T * net.classes);
          trace.spikes.set(result.trace.spikes, start * T * columns);
        }
      },
    );
  } finally {
    await Promise.all([layer0Current?.dispose(), pool.close()]);
  }
  // With spiking input, layers[0] is the input: its spikes are the input events, not a layer's.
  const first = net.input === 'spikes' ? 1 : 0;
  return {
    images,
    correctAt: totals.correctAt,
    layers: net.layers.slice(first).map((l, k) => ({
      node: l.name,
      units: sizeOf(l.shape),
      spikes: totals.spikes[k + first],
      unitCounts: totals.unitCounts?.[k + first] ?? null,
    })),
    inputEvents: first === 1 ? totals.spikes[0] : null,
    steps: totals.steps,
    trace: trace && { ...trace, images },
    seconds: (performance.now() - started) / 1000,
  };
}
