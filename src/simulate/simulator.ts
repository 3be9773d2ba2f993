/**
 * The multi-step SNN simulator: chooses an engine and shapes its run into the common result.
 * - event (event/): spikes drive WebAssembly kernels, work ∝ synaptic operations;
 * - dense (dense/): every step through the backend's dense segments, a time chunk at a time.
 * `engine: 'auto'` takes the event engine where the graph lowers to it, no probe is attached and the
 * precision is one it has (f32, int8); the dense engine otherwise, and says why (engineNote).
 */
import { SPIKE_PRECISIONS, type Backend, type SpikePrecision } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import { checkInputShape } from '../ann/input-shape.js';
import { GraphError, type Graph } from '../ir/graph.js';
import { sampleShapes } from '../ir/shapes.js';
import { simulateDense } from './dense/dense-engine.js';
import { directEncoder, type Encoder } from './encoders.js';
import { lowerToEvents, type EventNet } from './event/event-net.js';
import type { EventPrecision } from './event/event-runner.js';
import { simulateEvents } from './event/simulate-events.js';
import type { EngineRun, SimulateOptions, SimulationEngine, SimulationResult } from './simulation.js';
import { findStaticValues } from './static-values.js';
import { SimulationError } from './simulation-error.js';

export type * from './simulation.js';

export async function simulate(backend: Backend, graph: Graph, data: Dataset, options: SimulateOptions): Promise<SimulationResult> {
  checkInputShape(graph, data);
  if (!Number.isInteger(options.T) || options.T < 1) throw new SimulationError(`T must be a positive integer, got ${options.T}`);
  if (options.inFlight !== undefined && (!Number.isInteger(options.inFlight) || options.inFlight < 1))
    throw new SimulationError(`inFlight must be a positive integer, got ${options.inFlight}`);
  const precision = options.precision ?? 'f32';
  if (!SPIKE_PRECISIONS.includes(precision))
    throw new SimulationError(`precision must be one of ${SPIKE_PRECISIONS.join(', ')}, got '${String(precision)}'`);
  const encoder = options.encoder ?? directEncoder;
  const choice = chooseEngine(graph, encoder, precision, options);
  const run =
    'net' in choice
      ? await simulateEvents(backend, graph, choice.net, data, encoder, choice.precision, options)
      : await simulateDense(backend, graph, data, encoder, precision, options);
  return result(run, 'net' in choice ? 'event' : 'dense', 'net' in choice ? null : choice.note, encoder, options.T);
}

function chooseEngine(
  graph: Graph,
  encoder: Encoder,
  precision: SpikePrecision,
  options: SimulateOptions,
): { net: EventNet; precision: EventPrecision } | { note: string | null } {
  const engine = options.engine ?? 'auto';
  if (engine !== 'auto' && engine !== 'event' && engine !== 'dense')
    throw new SimulationError(`engine must be auto, event or dense, got '${String(engine)}'`);
  if (engine === 'dense') return { note: null };
  const refusal =
    (options.probes?.length ?? 0) > 0
      ? 'probes read per-step tensors of the dense engine'
      : precision !== 'f32' && precision !== 'int8'
        ? `spike-fed layers in ${precision} run on the dense engine (the event engine has f32 and int8)`
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

function result(run: EngineRun, engine: SimulationEngine, engineNote: string | null, encoder: Encoder, T: number): SimulationResult {
  const { images } = run;
  return {
    T,
    images,
    encoder: encoder.name,
    inputEvents: run.inputEvents,
    correctAt: run.correctAt,
    accuracyAt: Float64Array.from(run.correctAt, (c) => (images === 0 ? 0 : c / images)),
    layers: run.layers.map((l) => ({ ...l, rate: images === 0 ? 0 : l.spikes / (l.units * images * T) })),
    seconds: run.seconds,
    engine,
    engineNote,
    saturatedSums: run.saturatedSums,
  };
}
