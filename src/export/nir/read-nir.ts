/**
 * readNir(bytes) → an SnnModel the simulator runs: the IR graph of nir-to-ir.ts (every Spike θ = 1,
 * v(0) = 0, γ = 1), its ANN (the same graph with each Spike replaced by Clip(0, 1): the rate a
 * θ = 1 neuron approximates) and the conversion info. From a file ann2snn wrote, the reset mode and
 * the conversion (strategy, T_shift, calibration size, θ as converted) come from its metadata;
 * otherwise the reset is NIR's equation (reset to v_reset = 0: 'hard') unless `reset` says otherwise.
 * A v(0) = θ/2 shift does not survive NIR, so a model converted with it reads back with shift 'none'.
 */
import { defaultConversionOptions } from '../../convert/strategy.js';
import type { ConversionInfo, ConversionOptions, ResetMode, SnnModel } from '../../model/snn-model.js';
import { validateGraph } from '../../ir/shapes.js';
import { sampleShapes } from '../../ir/shapes.js';
import { GraphError, type Graph, type Node } from '../../ir/graph.js';
import { ShapeError, sizeOf } from '../../tensor/tensor.js';
import { decodeNir } from './hdf5-codec.js';
import { NirReadError, type NirGraph } from './nir-graph.js';
import { nirToIr } from './nir-to-ir.js';

export interface NirReadOptions {
  /** How the read IF neurons reset (default: the file's metadata, else 'hard' as in NIR's IF equation). */
  readonly reset?: ResetMode;
  /** HDF5 bytes → NIR graph (default decodeNir; Node callers reading strangers' files pass decodeNirGuarded). */
  readonly decode?: (bytes: Uint8Array, source: string) => Promise<NirGraph>;
}

/** Every refusal names the file: `source` (a path, or 'NIR file') prefixes what the graph checks say. */
export async function readNir(bytes: Uint8Array, source = 'NIR file', options: NirReadOptions = {}): Promise<SnnModel> {
  const nir = await (options.decode ?? decodeNir)(bytes, source);
  try {
    return nirToSnn(nir, options);
  } catch (e) {
    if (e instanceof NirReadError || e instanceof GraphError || e instanceof ShapeError) throw new NirReadError(`${source}: ${e.message}`);
    throw e;
  }
}

export function nirToSnn(nir: NirGraph, options: NirReadOptions = {}): SnnModel {
  const written = writtenConversion(nir);
  const metaReset = nir.metadata.reset === 'soft' || nir.metadata.reset === 'hard' ? nir.metadata.reset : undefined;
  const reset = options.reset ?? metaReset ?? 'hard';
  const graph = nirToIr(nir, reset);
  validateGraph(graph);
  const shapes = sampleShapes(graph);
  const spikes = graph.nodes.filter((n) => n.op === 'Spike');
  const readout = graph.nodes.find((n) => n.output === graph.output)?.op === 'Spike' ? 'spikes' : 'accumulate';
  const base = written?.options ?? defaultConversionOptions;
  const conversionOptions: ConversionOptions = {
    ...base,
    strategy: written ? base.strategy : 'nir',
    shift: base.shift === 'v0' || !written ? 'none' : base.shift,
    reset,
    readout,
    thresholdScope: 'layer',
    maxSpikesPerStep: 1,
    neuron: 'if',
  };
  const conversion: ConversionInfo = {
    options: conversionOptions,
    layers: spikes.map((s) => ({
      node: s.name,
      theta: [1],
      source: written
        ? `NIR IF (θ as converted: ${originalTheta(written, s.name)}, folded into the weights)`
        : 'NIR IF (r/v_threshold folded into the weights)',
      units: sizeOf(shapes.get(s.output)!),
    })),
    calibrationImages: written?.calibrationImages ?? 0,
  };
  return { graph, ann: annOf(graph), conversion };
}

/** Spike → Clip(0, 1). */
function annOf(graph: Graph): Graph {
  return {
    ...graph,
    nodes: graph.nodes.map((n): Node =>
      n.op === 'Spike' ? { op: 'Clip', name: n.name, inputs: n.inputs, output: n.output, min: 0, max: 1 } : n,
    ),
  };
}

/** The ConversionInfo ann2snn recorded in the metadata, when it is there and well formed. */
function writtenConversion(nir: NirGraph): ConversionInfo | null {
  const text = nir.metadata.conversion;
  if (nir.metadata.generator !== 'ann2snn' || typeof text !== 'string') return null;
  try {
    const parsed = JSON.parse(text) as Partial<ConversionInfo>;
    const o = parsed.options;
    const ok =
      o !== undefined &&
      typeof o.strategy === 'string' &&
      ['v0', 'bias', 'none'].includes(o.shift) &&
      Number.isFinite(o.tShift) &&
      Array.isArray(parsed.layers) &&
      Number.isInteger(parsed.calibrationImages);
    return ok
      ? { options: { ...defaultConversionOptions, ...o }, layers: parsed.layers!, calibrationImages: parsed.calibrationImages! }
      : null;
  } catch {
    return null;
  }
}

function originalTheta(info: ConversionInfo, node: string): string {
  const layer = info.layers.find((l) => l.node === node);
  if (!layer || !Array.isArray(layer.theta)) return 'unknown';
  const t = layer.theta.map((v) => Number(v).toPrecision(4));
  return t.length <= 4 ? t.join(', ') : `${t.slice(0, 3).join(', ')}, … (${t.length} channels)`;
}
