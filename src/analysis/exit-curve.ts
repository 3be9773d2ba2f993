/**
 * Accuracy against latency: from one full simulation's readout trace (simulate/exit/readout-trace.ts),
 * the operating points of
 *   fixed T'        every image simulated for T' ≤ T steps (accuracy at T', synops of T' steps);
 *   certified exit  the same accuracy at T as the full simulation, fewer steps;
 *   confidence      each (patience p, margin m) of a grid: accuracy at T, mean steps, synops.
 * Each point is a replay of its rule on the trace: what simulating with the rule records, exactly.
 */
import type { Graph } from '../ir/graph.js';
import type { SimulationResult } from '../simulate/simulation.js';
import { EarlyExitError, exitRule, type ExitKind } from '../simulate/exit/exit-rule.js';
import { replayExit, type Replay } from '../simulate/exit/readout-trace.js';
import { summarizeSteps } from '../simulate/exit/steps-summary.js';
import { snnCost, type EnergyConstants } from './cost.js';

export interface ExitPoint {
  readonly rule: ExitKind | 'fixed';
  /** fixed: the steps T'; null otherwise. */
  readonly steps: number | null;
  readonly patience: number | null;
  readonly margin: number | null;
  /** Accuracy at the end (T' for fixed, T otherwise). */
  readonly accuracy: number;
  readonly meanSteps: number;
  readonly p90Steps: number;
  readonly synopsPerImage: number;
  readonly energyPerImage: number;
}

export const DEFAULT_PATIENCE_GRID: readonly number[] = [1, 2, 4, 8, 16];
export const DEFAULT_MARGIN_GRID: readonly number[] = [0, 0.25, 0.5, 1, 2];

export interface ExitCurveOptions {
  readonly patience?: readonly number[];
  readonly margin?: readonly number[];
  readonly energy?: EnergyConstants;
}

/** The curve of `sim` (a full simulation of `snn` with `trace: true`); `ann` for the cost's MACs. */
export function exitCurve(snn: Graph, ann: Graph, sim: SimulationResult, options: ExitCurveOptions = {}): ExitPoint[] {
  const trace = sim.trace;
  if (!trace) throw new EarlyExitError('the accuracy-latency curve needs a simulation run with trace: true');
  const { T, images } = sim;
  const cost = (spikes: Float64Array) =>
    snnCost(
      snn,
      ann,
      {
        ...sim,
        inputEvents: sim.inputEvents === null ? null : spikes[0],
        layers: sim.layers.map((l, i) => ({ ...l, spikes: spikes[i + 1] })),
      },
      options.energy,
    );
  const point = (rule: ExitPoint['rule'], replay: Replay, settings: { patience: number; margin: number } | null): ExitPoint => {
    const steps = summarizeSteps(replay.steps, T, rule === 'fixed' ? 'none' : rule, settings);
    const c = cost(replay.spikes);
    return {
      rule,
      steps: null,
      patience: steps.patience,
      margin: steps.margin,
      accuracy: images === 0 ? 0 : replay.correctAt[T - 1] / images,
      meanSteps: steps.meanSteps,
      p90Steps: steps.p90,
      synopsPerImage: c.synopsPerImage,
      energyPerImage: c.snnEnergyPerImage,
    };
  };
  const points: ExitPoint[] = fixedPoints(sim, cost);
  points.push(point('certified', replayExit(trace, exitRule(snn, { rule: 'certified' }, T, 'f32')), null));
  for (const patience of options.patience ?? DEFAULT_PATIENCE_GRID)
    for (const margin of options.margin ?? DEFAULT_MARGIN_GRID) {
      const rule = exitRule(snn, { rule: 'confidence', patience, margin }, T, 'f32');
      points.push(point('confidence', replayExit(trace, rule), { patience, margin }));
    }
  return points;
}

/** Every image for T' steps, T' = 1 … T: the accuracy at T' and the spikes of the first T' steps. */
function fixedPoints(sim: SimulationResult, cost: (spikes: Float64Array) => ReturnType<typeof snnCost>): ExitPoint[] {
  const trace = sim.trace!;
  const { T, images } = sim;
  const spikes = new Float64Array(trace.columns);
  const points: ExitPoint[] = [];
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < images; i++) for (let c = 0; c < trace.columns; c++) spikes[c] += trace.spikes[(i * T + t) * trace.columns + c];
    const c = cost(spikes);
    points.push({
      rule: 'fixed',
      steps: t + 1,
      patience: null,
      margin: null,
      accuracy: sim.accuracyAt[t],
      meanSteps: t + 1,
      p90Steps: t + 1,
      synopsPerImage: c.synopsPerImage,
      energyPerImage: c.snnEnergyPerImage,
    });
  }
  return points;
}
