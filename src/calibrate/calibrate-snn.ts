/**
 * Calibration without retraining (Li et al., ICML 2021; docs/method.md): after the θ search of the
 * 'calibrated' strategy, each spiking layer l in topological order is corrected on N calibration
 * images with the SNN simulated for the target T, fed by the layers before it as already corrected:
 *   e_i = mean over images of (θ·N_i/T − a_i)        (SNN rate − ANN activation, unit i of layer l)
 *   light:    b_c −= ē_c (per channel);   advanced:  v_i(0) −= T·e_i (per neuron)
 * One simulation per layer measures e of layer l before its correction and of layer l − 1 after its
 * own (a layer does not depend on later ones); one more measures the last layer after. A correction
 * that does not reduce the error it aims at (light: mean |ē_c|; advanced: mean |e_i|) on the
 * calibration set is undone, and layer l measured again without it: quantization makes both
 * corrections overshoot where a unit sees the same activation in most images (a background pixel
 * of the first layer: its count jumps by one where the mean error was a fraction of θ/T).
 */
import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph, SpikeNode } from '../ir/graph.js';
import { sampleShapes } from '../ir/shapes.js';
import type { CalibratedLayer, CalibrationMode, CalibrationRecord, SnnModel } from '../model/snn-model.js';
import { perUnit } from '../simulate/per-unit.js';
import { SnnCalibrationError } from './calibration-error.js';
import { channelMeans, correctBias, correctInitialPotential, meanAbs, unitErrors } from './corrections.js';
import { annUnitSums, snnUnitCounts } from './unit-means.js';

export interface CalibrateSnnOptions {
  /** The T the SNN will run at. */
  readonly T: number;
  readonly mode: CalibrationMode;
  /** Calibration images: the first `limit` of the data set (default 1,000). */
  readonly limit?: number;
  readonly batchSize?: number;
  /** Images processed over all passes (one ANN pass, then one simulation per layer and one more). */
  readonly onProgress?: (done: number, total: number) => void;
}

interface Measured {
  readonly channel: number;
  readonly unit: number;
}

export async function calibrateSnn(backend: Backend, model: SnnModel, data: Dataset, options: CalibrateSnnOptions): Promise<SnnModel> {
  const { T, mode } = options;
  if (!Number.isInteger(T) || T < 1) throw new SnnCalibrationError(`the target T must be a positive integer, got ${T}`);
  if (mode !== 'light' && mode !== 'advanced')
    throw new SnnCalibrationError(`calibration must be light or advanced, got '${String(mode)}'`);
  const sites = calibrationSites(model);
  if (sites.length === 0) throw new SnnCalibrationError('the SNN has no spiking layer with an ANN activation of the same name');
  const limit = Math.min(options.limit ?? 1000, data.size);
  const batchSize = options.batchSize ?? 100;
  let passes = sites.length + 2; // one more for every correction undone
  let pass = 0;
  const progress = () => {
    const p = pass++;
    return (done: number) => options.onProgress?.(p * limit + done, passes * limit);
  };

  const ann = await annUnitSums(
    backend,
    model.ann,
    data,
    sites.map((s) => s.output),
    { limit, batchSize, onProgress: progress() },
  );
  const shapes = sampleShapes(model.graph);
  const errorOf = (site: SpikeNode, counts: ReadonlyMap<string, Float64Array>): Float64Array => {
    const shape = shapes.get(site.output)!;
    return unitErrors(perUnit(site.threshold.data, shape), counts.get(site.name)!, ann.sums.get(site.output)!, T, ann.images);
  };
  const measure = (site: SpikeNode, e: Float64Array): Measured => ({
    channel: meanAbs(channelMeans(e, shapes.get(site.output)![0])),
    unit: meanAbs(e),
  });
  // What each mode aims at: a correction that does not reduce it on the calibration set is undone.
  const aim = (m: Measured) => (mode === 'light' ? m.channel : m.unit);
  const simulateLayers = (graph: Graph, names: (string | undefined)[]) =>
    snnUnitCounts(
      backend,
      graph,
      data,
      names.filter((n): n is string => n !== undefined),
      T,
      { limit, batchSize, onProgress: progress() },
    );

  let graph = model.graph;
  let uncorrected = graph;
  const before: Measured[] = [];
  const after: Measured[] = [];
  const kept: boolean[] = [];
  for (let l = 0; l <= sites.length; l++) {
    let counts = await simulateLayers(graph, [sites[l - 1]?.name, sites[l]?.name]);
    if (l > 0) {
      const previous = sites[l - 1];
      const measured = measure(previous, errorOf(currentNode(graph, previous), counts));
      kept.push(aim(measured) < aim(before[l - 1]));
      after.push(kept[l - 1] ? measured : before[l - 1]);
      if (!kept[l - 1]) {
        graph = uncorrected;
        if (l < sites.length) {
          passes++;
          counts = await simulateLayers(graph, [sites[l].name]);
        }
      }
    }
    if (l === sites.length) break;
    const spike = currentNode(graph, sites[l]);
    const e = errorOf(spike, counts);
    before.push(measure(spike, e));
    const shape = shapes.get(spike.output)!;
    uncorrected = graph;
    graph = mode === 'light' ? correctBias(graph, spike, channelMeans(e, shape[0])) : correctInitialPotential(graph, spike, shape, e, T);
  }
  const layers: CalibratedLayer[] = sites.map((s, i) => ({
    node: s.name,
    theta: [...s.threshold.data],
    kept: kept[i],
    channelError: { before: before[i].channel, after: after[i].channel },
    unitError: { before: before[i].unit, after: after[i].unit },
  }));
  const calibration: CalibrationRecord = { T, mode, images: ann.images, layers };
  return { ...model, graph, conversion: { ...model.conversion, calibration } };
}

/** The Spike nodes with an ANN activation (Relu/Clip) of the same name, in topological order (a spiking readout has none). */
function calibrationSites(model: SnnModel): SpikeNode[] {
  const activations = new Set(model.ann.nodes.filter((n) => n.op === 'Relu' || n.op === 'Clip').map((n) => `${n.name}\u0000${n.output}`));
  return model.graph.nodes.filter((n): n is SpikeNode => n.op === 'Spike' && activations.has(`${n.name}\u0000${n.output}`));
}

function currentNode(graph: Graph, site: SpikeNode): SpikeNode {
  return graph.nodes.find((n): n is SpikeNode => n.op === 'Spike' && n.name === site.name)!;
}
