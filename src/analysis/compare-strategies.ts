/**
 * Accuracy against T for several conversions of one ANN in one run: the activation statistics are
 * computed once (calibrate()) and every variant is convertToSnn(ann, stats, variant) + simulate.
 */
import type { ActivationStats } from '../ann/calibrate.js';
import type { Backend } from '../backend/backend.js';
import { convertToSnn } from '../convert/convert.js';
import { ConversionError } from '../convert/strategy.js';
import type { ConversionOptions, ResetMode, ShiftMode } from '../model/snn-model.js';
import { strategies } from '../convert/strategies/index.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import type { Encoder } from '../simulate/encoders.js';
import { simulate } from '../simulate/simulator.js';

export interface StrategyVariant {
  readonly label: string;
  readonly options: ConversionOptions;
}

export interface VariantResult {
  readonly label: string;
  readonly options: ConversionOptions;
  readonly theta: readonly { readonly node: string; readonly min: number; readonly max: number }[];
  /** accuracyAt[t−1] for t = 1..T. */
  readonly accuracyAt: readonly number[];
  /** First t within 1 point of the ANN, or null. */
  readonly latency: number | null;
  readonly spikesPerImage: number;
  readonly seconds: number;
}

export interface StrategyComparison {
  readonly T: number;
  readonly images: number;
  readonly calibrationImages: number;
  readonly annAccuracy: number;
  readonly variants: readonly VariantResult[];
}

export interface CompareOptions {
  readonly T: number;
  readonly annAccuracy: number;
  readonly limit?: number;
  readonly batchSize?: number;
  readonly chunk?: number;
  readonly encoder?: Encoder;
  /** Called before each variant is simulated, and with its progress. */
  readonly onVariant?: (index: number, variant: StrategyVariant) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

const shifts: readonly ShiftMode[] = ['none', 'bias', 'v0'];

/**
 * Variants from a list of strategy specs × reset modes. A spec is `name` or `name:shift`; a bare
 * `deng-gu` expands to its two shifts (bias with T_shift, and v0), a strategy with `requires` (qcfs)
 * uses its required shift and only its required reset, other bare names use shift none (as
 * max-norm and percentile were published).
 */
export function strategyVariants(specs: readonly string[], resets: readonly ResetMode[], base: ConversionOptions): StrategyVariant[] {
  const out: StrategyVariant[] = [];
  for (const reset of resets) {
    for (const spec of specs) {
      const [name, shift] = spec.split(':');
      if (!strategies[name])
        throw new ConversionError(`unknown strategy '${name}' in '${spec}'; known: ${Object.keys(strategies).join(', ')}`);
      if (shift !== undefined && !shifts.includes(shift as ShiftMode)) {
        throw new ConversionError(`unknown shift '${shift}' in '${spec}'; known: ${shifts.join(', ')}`);
      }
      const required = strategies[name].requires;
      // A strategy whose method fixes the reset (qcfs: soft) is compared with that reset only.
      if (required?.reset !== undefined && required.reset !== reset) continue;
      const bare: ShiftMode[] = required?.shift !== undefined ? [required.shift] : name === 'deng-gu' ? ['bias', 'v0'] : ['none'];
      const modes: ShiftMode[] = shift ? [shift as ShiftMode] : bare;
      for (const mode of modes) {
        const options: ConversionOptions = { ...base, strategy: name, shift: mode, reset };
        out.push({ label: variantLabel(options), options });
      }
    }
  }
  const seen = new Set<string>();
  return out.filter((v) => !seen.has(v.label) && seen.add(v.label));
}

export function variantLabel(o: ConversionOptions): string {
  const shift = o.shift === 'bias' ? `bias T_shift=${o.tShift}` : o.shift === 'v0' ? 'v0=θ/2' : 'no shift';
  const p = o.strategy === 'percentile' ? ` p${o.percentile}` : '';
  return `${o.strategy}${p}, ${shift}, ${o.reset} reset`;
}

export async function compareStrategies(
  backend: Backend,
  ann: Graph,
  stats: ActivationStats,
  data: Dataset,
  variants: readonly StrategyVariant[],
  options: CompareOptions,
): Promise<StrategyComparison> {
  const results: VariantResult[] = [];
  let images = 0;
  for (const [index, variant] of variants.entries()) {
    options.onVariant?.(index, variant);
    const snn = convertToSnn(ann, stats, variant.options);
    const sim = await simulate(backend, snn.graph, data, {
      T: options.T,
      limit: options.limit,
      batchSize: options.batchSize,
      chunk: options.chunk,
      encoder: options.encoder,
      onProgress: options.onProgress,
    });
    images = sim.images;
    const latency = sim.accuracyAt.findIndex((a) => a >= options.annAccuracy - 0.01);
    results.push({
      label: variant.label,
      options: variant.options,
      theta: snn.conversion.layers.map((l) => ({ node: l.node, min: Math.min(...l.theta), max: Math.max(...l.theta) })),
      accuracyAt: [...sim.accuracyAt],
      latency: latency < 0 ? null : latency + 1,
      spikesPerImage: sim.layers.reduce((s, l) => s + l.spikes, 0) / Math.max(sim.images, 1),
      seconds: sim.seconds,
    });
  }
  return { T: options.T, images, calibrationImages: stats.images, annAccuracy: options.annAccuracy, variants: results };
}
