/** The terminal view of a report: plain-text tables. */
import { conversionSettings, settingsLine, thresholdRows } from './conversion-rows.js';
import { compactNumber, dataName, errorCells, joules, num, pct, powersOfTwo, textTable } from './format.js';
import type { Report } from './schema.js';

export function reportText(r: Report): string {
  const out: string[] = [];
  out.push(
    `${r.model.source} on ${dataName(r)}, ${r.data.images} images, T = ${r.T}, encoder ${r.data.encoder}`,
    `conversion: ${settingsLine(conversionSettings(r.conversion))}`,
    '',
  );
  const steps = powersOfTwo(r.T);
  const rows: (string | number)[][] = [
    ['this model', ...steps.map((t) => pct(r.snn.accuracyAt[t - 1])), r.snn.latency ?? '–', compactNumber(r.cost.spikesPerImage)],
  ];
  for (const v of r.comparison?.variants ?? [])
    rows.push([v.label, ...steps.map((t) => pct(v.accuracyAt[t - 1])), v.latency ?? '–', compactNumber(v.spikesPerImage)]);
  out.push(textTable(['SNN accuracy at t', ...steps.map(String), 'latency', `spikes/img (T=${r.T})`], rows));
  out.push(`ANN ${pct(r.ann.accuracy)} on ${r.ann.images} images; latency = first t within 1 point of the ANN`);
  for (const s of r.comparison?.skipped ?? []) out.push(`(not compared: ${s.label}: ${s.reason})`);
  out.push('');

  if (r.layerError) {
    const e = r.layerError;
    const T = e.T[e.T.length - 1];
    out.push(
      `layer-wise conversion error on ${e.images} images at T = ${T} (mean |ANN − SNN rate·θ|; local = layer fed the ANN's input, accumulated = inside the SNN)`,
    );
    out.push(
      textTable(
        ['layer', 'mean a', 'clipped', 'clipping', 'flooring', 'local rest', 'local', 'accum. rest', 'accumulated', 'relative'],
        e.layers.map((l) => errorCells(l, l.atT[l.atT.length - 1])),
      ),
    );
    out.push('flooring error by shift mode (mean |clip(a,0,θ) − q_T(z)|):');
    out.push(
      textTable(
        ['layer', 'T', 'none (floor)', `bias (T_shift ${e.tShift})`, 'v0 = θ/2 (round)'],
        e.layers.flatMap((l) =>
          l.atT.map((at) => [l.node, at.T, num(at.flooringByShift.none), num(at.flooringByShift.bias), num(at.flooringByShift.v0)]),
        ),
      ),
    );
    for (const s of e.skipped) out.push(`(${s.node}: ${s.reason})`);
    out.push('');
  }

  const costs = new Map(r.cost.layers.map((l) => [l.node, l]));
  out.push(
    textTable(
      ['spiking layer', 'units', 'rate', 'silent', 'saturated', 'spikes/img', 'synops/img'],
      r.activity.layers.map((l) => [
        l.node,
        l.units,
        num(l.rate),
        l.silentFraction === null ? '–' : pct(l.silentFraction, 1),
        l.saturatedFraction === null ? '–' : pct(l.saturatedFraction, 1),
        compactNumber(l.spikesPerImage),
        compactNumber(costs.get(l.node)?.synopsPerImage ?? 0),
      ]),
    ),
  );
  const c = r.cost;
  out.push(
    `per image: ${compactNumber(c.spikesPerImage)} spikes, ${compactNumber(c.synopsPerImage)} synops + ${compactNumber(c.analogMacsPerImage)} analog-input MACs; ` +
      `energy ${joules(c.snnEnergyPerImage)} vs ANN ${joules(c.annEnergyPerImage)} (${compactNumber(c.annMacsPerImage)} MACs; E_AC ${num(c.eAc * 1e12)} pJ, E_MAC ${num(c.eMac * 1e12)} pJ)`,
  );
  if (r.exit) out.push('', ...exitText(r));
  else if (r.exitNote) out.push('', `(early exit: ${r.exitNote})`);
  const thresholds = thresholdRows(r.conversion);
  out.push('', textTable(thresholds.headers, thresholds.rows));
  return out.join('\n');
}

/** Early exit: certified, and the confidence rule at each margin for the smallest patience and the default. */
function exitText(r: Report): string[] {
  const points = r.exit!.points;
  const full = points.find((p) => p.rule === 'fixed' && p.steps === r.T)!;
  const shown = points.filter((p) => p.rule === 'certified' || (p.rule === 'confidence' && (p.patience === 2 || p.patience === 8)));
  const rows = shown.map((p) => [
    p.rule === 'certified' ? 'certified' : `confidence p=${p.patience} m=${p.margin}`,
    pct(p.accuracy),
    ((p.accuracy - full.accuracy) * 100).toFixed(2),
    p.meanSteps.toFixed(2),
    p.p90Steps,
    pct(1 - p.meanSteps / r.T, 1),
    compactNumber(p.synopsPerImage),
  ]);
  return [
    `early exit at T = ${r.T} (full: ${pct(full.accuracy)}, ${compactNumber(full.synopsPerImage)} synops/img); every rule and fixed T' in the JSON's exit.points`,
    textTable(['rule', `accuracy at T`, 'Δ points', 'mean steps', 'p90 steps', 'fewer steps', 'synops/img'], rows),
  ];
}
