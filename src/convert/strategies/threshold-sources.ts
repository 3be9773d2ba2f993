import type { ActivationStats, LayerStats } from '../../ann/calibrate.js';
import type { Node } from '../../ir/graph.js';
import type { ConversionOptions } from '../../model/snn-model.js';
import { ConversionError, type ThresholdChoice } from '../strategy.js';

/**
 * The ceiling θ of a threshold ReLU clip(z, 0, θ) or λ of a QCFS activation (a quantized clip with
 * the same ceiling), or null for Relu / unbounded Clip.
 */
export function ceilingOf(site: Node): number | null {
  return (site.op === 'Clip' || site.op === 'QuantClip') && Number.isFinite(site.max) ? site.max : null;
}

export function requireStats(site: Node, stats: ActivationStats | null, strategy: string): LayerStats {
  const layer = stats?.layers.get(site.name);
  if (!layer) throw new ConversionError(`strategy '${strategy}' needs calibration data for activation '${site.name}' (pass --calib)`);
  return layer;
}

/** A layer that never fired in calibration still needs a usable θ: 1 keeps it silent for small inputs. */
function positiveOr1(x: number): number {
  return x > 0 ? x : 1;
}

/** θ = max activation, layer-wise or per channel. */
export function maxThreshold(site: Node, stats: ActivationStats | null, options: ConversionOptions): ThresholdChoice {
  const layer = requireStats(site, stats, options.strategy);
  const values = layer.histogram.count.toLocaleString('en-US');
  if (options.thresholdScope === 'channel') {
    return { theta: layer.channelMax.map(positiveOr1), source: `per-channel max activation (${values} positive values)` };
  }
  return { theta: Float32Array.of(positiveOr1(layer.max)), source: `max activation (${values} positive values)` };
}
