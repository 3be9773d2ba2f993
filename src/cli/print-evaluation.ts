/** The terminal view of one SNN evaluation: accuracy at t = 1, 2, 4, …, T beside the ANN, activity and cost. */
import type { ExitSummary, SnnEvaluation } from '../index.js';
import { compactNumber, pct, powersOfTwo, textTable } from '../report/format.js';

export function printEvaluation(e: SnnEvaluation): void {
  const steps = powersOfTwo(e.snn.T);
  console.log(textTable(['T', ...steps.map(String)], [['SNN', ...steps.map((t) => pct(e.snn.accuracyAt[t - 1]))]]));
  console.log(
    `ANN accuracy ${pct(e.ann.accuracy)} on ${e.ann.images} images; SNN within 1 point of the ANN from t = ${e.latency ?? `never (≤ ${e.snn.T})`}`,
  );
  console.log(
    textTable(
      ['spiking layer', 'rate', 'spikes/img', 'fan-out', 'synops/img'],
      e.cost.layers.map((l) => [
        l.node,
        l.rate.toFixed(4),
        compactNumber(l.spikesPerImage),
        l.fanOut.toFixed(1),
        compactNumber(l.synopsPerImage),
      ]),
    ),
  );
  const c = e.cost;
  console.log(
    `per image over T=${c.T}: ${compactNumber(c.spikesPerImage)} spikes, ${compactNumber(c.synopsPerImage)} synops (AC) + ${compactNumber(c.analogMacsPerImage)} analog-input MACs (once: the input is constant); ` +
      `energy ${(c.snnEnergyPerImage * 1e6).toFixed(3)} µJ vs ANN ${(c.annEnergyPerImage * 1e6).toFixed(3)} µJ (${compactNumber(c.annMacsPerImage)} MACs; E_AC ${c.energy.eAc * 1e12} pJ, E_MAC ${c.energy.eMac * 1e12} pJ)`,
  );
  const x = e.snn.exit;
  if (x.rule !== 'none')
    console.log(
      `${x.rule} exit${x.rule === 'confidence' ? ` (patience ${x.patience}, margin ${x.margin})` : ''}: ${x.meanSteps.toFixed(1)} steps per image on average ` +
        `(p50 ${x.p50}, p90 ${x.p90}, p99 ${x.p99}) of T = ${e.snn.T}, ${(x.reduction * 100).toFixed(1)}% fewer steps; spikes, synops and energy above are of the steps simulated`,
    );
  console.log(
    `simulation: ${e.snn.images} images × ${e.snn.T} steps in ${e.snn.seconds.toFixed(2)} s (${(e.snn.images / e.snn.seconds).toFixed(1)} images/s, ${compactNumber((e.snn.images * e.snn.T) / e.snn.seconds)} image-steps/s); encoder ${e.snn.encoder}; ${engineLine(e)}`,
  );
}

function engineLine(e: SnnEvaluation): string {
  return e.snn.engine === 'event'
    ? 'event engine'
    : `dense engine${e.snn.engineNote ? ` (event engine not used: ${e.snn.engineNote})` : ''}`;
}

/** JSON-safe view (typed arrays as plain arrays). */
export function evaluationJson(e: SnnEvaluation): object {
  return {
    ann: e.ann,
    snn: {
      T: e.snn.T,
      images: e.snn.images,
      encoder: e.snn.encoder,
      seconds: e.snn.seconds,
      engine: e.snn.engine,
      engineNote: e.snn.engineNote,
      accuracyAt: [...e.snn.accuracyAt],
      layers: e.snn.layers.map((l) => ({ node: l.node, units: l.units, spikes: l.spikes, rate: l.rate })),
      exit: exitJson(e.snn.exit),
    },
    cost: e.cost,
    latency: e.latency,
  };
}

/** The steps each image used; the histogram as [steps, images] pairs of the steps used by some image. */
export function exitJson(x: ExitSummary): object {
  const { histogram, ...rest } = x;
  return { ...rest, histogram: [...histogram].flatMap((n, s) => (n > 0 ? [[s, n]] : [])) };
}
