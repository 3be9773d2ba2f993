/**
 * Accuracy against T for several conversions of one ANN in one run: the activation statistics are
 * computed once (calibrate()) and every variant is convertToSnn(ann, stats, variant), then the
 * caller's `refine` (the corrections of --strategy calibrated, which simulate the SNN), + simulate.
 * Variants are strategies × shifts × resets × neuron kinds; a combination a kind refuses (signed
 * neurons with hard reset) is listed in `skipped` with the kind's reason instead of failing the run.
 */
import type { ActivationStats } from '../ann/calibrate.js';
import type { Backend } from '../backend/backend.js';
import { convertToSnn, requiredOptionMismatch } from '../convert/convert.js';
import { ConversionError } from '../convert/strategy.js';
import type { ConversionOptions, ResetMode, ShiftMode, SnnModel } from '../model/snn-model.js';
import { neuronKind } from '../neurons/index.js';
import { strategies } from '../convert/strategies/index.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import type { Encoder } from '../simulate/encoders.js';
import { simulate } from '../simulate/simulator.js';

export interface StrategyVariant {
  readonly label: string;
  readonly options: ConversionOptions;
  /** Why this combination is not run (the neuron kind refuses its settings), or undefined. */
  readonly skip?: string;
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
  /** Combinations not run, and why. */
  readonly skipped: readonly { readonly label: string; readonly reason: string }[];
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
  /** Applied to every converted variant before it is simulated (e.g. calibrateSnn for 'calibrated'). */
  readonly refine?: (snn: SnnModel, variant: StrategyVariant) => Promise<SnnModel>;
}

const shifts: readonly ShiftMode[] = ['none', 'bias', 'v0'];

/**
 * The strategies that apply to `ann`: deng-gu, max-norm and percentile always; qcfs where the ANN
 * has QCFS activations (QuantClip); calibrated where a target T is set.
 */
export function applicableStrategies(ann: Graph, base: ConversionOptions): string[] {
  const qcfs = ann.nodes.some((n) => n.op === 'QuantClip') ? ['qcfs'] : [];
  const calibrated = base.targetT !== undefined ? ['calibrated'] : [];
  return ['deng-gu', 'max-norm', 'percentile', ...qcfs, ...calibrated];
}

/**
 * Variants from a list of strategy specs × reset modes × neuron kinds. A spec is `name`,
 * `name:shift` or, for `calibrated`, `calibrated@T` (its target T; bare: base.targetT). A bare
 * `deng-gu` expands to its two shifts (bias with T_shift, and v0), a strategy with `requires` (qcfs)
 * uses its required shift and lists other resets as skipped, other bare names use shift none (as
 * max-norm and percentile were published).
 */
export function strategyVariants(
  specs: readonly string[],
  resets: readonly ResetMode[],
  base: ConversionOptions,
  neurons: readonly string[] = [base.neuron],
): StrategyVariant[] {
  const out: StrategyVariant[] = [];
  for (const neuron of neurons) {
    const kind = neuronKind(neuron);
    for (const reset of resets) {
      for (const spec of specs) {
        for (const options of specVariants(spec, { ...base, reset, neuron })) {
          const refused = requiredMismatch(options) ?? kind.checkSettings(options);
          out.push({ label: variantLabel(options), options, ...(refused ? { skip: refused } : {}) });
        }
      }
    }
  }
  const seen = new Set<string>();
  return out.filter((v) => !seen.has(v.label) && seen.add(v.label));
}

function specVariants(spec: string, base: ConversionOptions): ConversionOptions[] {
  const [head, shift] = spec.split(':');
  const [name, target] = head.split('@');
  if (!strategies[name]) throw new ConversionError(`unknown strategy '${name}' in '${spec}'; known: ${Object.keys(strategies).join(', ')}`);
  if (shift !== undefined && !shifts.includes(shift as ShiftMode)) {
    throw new ConversionError(`unknown shift '${shift}' in '${spec}'; known: ${shifts.join(', ')}`);
  }
  const targetT = target === undefined ? base.targetT : Number(target);
  if (target !== undefined && (name !== 'calibrated' || !Number.isInteger(targetT) || targetT! < 1)) {
    throw new ConversionError(`'${spec}': only 'calibrated@T' takes a target T, a positive integer`);
  }
  if (name === 'calibrated' && targetT === undefined) throw new ConversionError(`'${spec}' needs a target T: calibrated@T or --target-T`);
  const required = strategies[name].requires?.shift;
  const bare: ShiftMode[] =
    required !== undefined ? [required] : name === 'deng-gu' ? ['bias', 'v0'] : name === 'calibrated' ? ['v0'] : ['none'];
  const modes: ShiftMode[] = shift ? [shift as ShiftMode] : bare;
  return modes.map((mode) => ({ ...base, strategy: name, shift: mode, ...(targetT === undefined ? {} : { targetT }) }));
}

/** Why a strategy with fixed options (ConversionStrategy.requires, e.g. qcfs) refuses these, or null. */
function requiredMismatch(o: ConversionOptions): string | null {
  const m = requiredOptionMismatch(o);
  return m ? `strategy '${o.strategy}' requires ${m.key} ${m.required}` : null;
}

export function variantLabel(o: ConversionOptions): string {
  const shift = o.shift === 'bias' ? `bias T_shift=${o.tShift}` : o.shift === 'v0' ? 'v0=θ/2' : 'no shift';
  const p = o.strategy === 'percentile' ? ` p${o.percentile}` : o.strategy === 'calibrated' ? ` T*=${o.targetT}` : '';
  const neuron = o.neuron === 'if' ? '' : `, ${o.neuron} neurons`;
  return `${o.strategy}${p}, ${shift}, ${o.reset} reset${neuron}`;
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
  const skipped = variants.filter((v) => v.skip !== undefined).map((v) => ({ label: v.label, reason: v.skip! }));
  let images = 0;
  for (const [index, variant] of variants.filter((v) => v.skip === undefined).entries()) {
    options.onVariant?.(index, variant);
    const converted = convertToSnn(ann, stats, variant.options);
    const snn = options.refine ? await options.refine(converted, variant) : converted;
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
    const mode = snn.conversion.calibration?.mode;
    results.push({
      label: mode ? `${variant.label}, ${mode} calibration` : variant.label,
      options: variant.options,
      theta: snn.conversion.layers.map((l) => ({ node: l.node, min: Math.min(...l.theta), max: Math.max(...l.theta) })),
      accuracyAt: [...sim.accuracyAt],
      latency: latency < 0 ? null : latency + 1,
      spikesPerImage: sim.layers.reduce((s, l) => s + l.spikes, 0) / Math.max(sim.images, 1),
      seconds: sim.seconds,
    });
  }
  return { T: options.T, images, calibrationImages: stats.images, annAccuracy: options.annAccuracy, variants: results, skipped };
}
