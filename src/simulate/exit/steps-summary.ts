/** The steps each image used, summarized: mean, percentiles and the saving against T for all. */
import type { ExitKind } from './exit-rule.js';

export interface ExitSummary {
  readonly rule: ExitKind;
  /** The confidence rule's settings; null for the others. */
  readonly patience: number | null;
  readonly margin: number | null;
  /** histogram[s]: images that used s steps (s = 1 … T; [0] is 0). */
  readonly histogram: Int32Array;
  /** Σ over images of the steps simulated. */
  readonly steps: number;
  readonly meanSteps: number;
  /** Percentiles of the steps per image: the least s with at least p% of the images at ≤ s steps. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  /** 1 − steps / (images · T). */
  readonly reduction: number;
}

export function summarizeSteps(
  histogram: Int32Array,
  T: number,
  rule: ExitKind,
  settings: { readonly patience: number; readonly margin: number } | null,
): ExitSummary {
  let images = 0;
  let steps = 0;
  histogram.forEach((n, s) => {
    images += n;
    steps += n * s;
  });
  const percentile = (p: number): number => {
    let seen = 0;
    for (let s = 1; s < histogram.length; s++) {
      seen += histogram[s];
      if (seen >= (p / 100) * images && seen > 0) return s;
    }
    return 0;
  };
  return {
    rule,
    patience: rule === 'confidence' && settings ? settings.patience : null,
    margin: rule === 'confidence' && settings ? settings.margin : null,
    histogram,
    steps,
    meanSteps: images === 0 ? 0 : steps / images,
    p50: percentile(50),
    p90: percentile(90),
    p99: percentile(99),
    reduction: images === 0 ? 0 : 1 - steps / (images * T),
  };
}
