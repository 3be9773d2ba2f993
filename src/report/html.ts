/**
 * The HTML writer: one self-contained file (inline CSS, inline SVG plots, the report's JSON in a
 * non-executed <script type="application/json">), viewable offline with no script running.
 */
import { reportCharts, renderSvg } from './charts.js';
import { conversionSettings, thresholdRows } from './conversion-rows.js';
import { compactNumber, dataName, errorCells, joules, num, pct, powersOfTwo, shiftDescription } from './format.js';
import type { Report } from './schema.js';

export async function reportHtml(r: Report): Promise<string> {
  const charts = reportCharts(r);
  const figures: string[] = [];
  for (const c of charts) {
    const svg = await renderSvg(c.spec);
    figures.push(
      `<figure class="plot" id="plot-${c.id}" data-plot="${c.id}"><h3>${esc(c.title)}</h3>${svg}<figcaption>${esc(c.caption)}</figcaption></figure>`,
    );
  }
  const byId = new Map(charts.map((c, i) => [c.id, figures[i]]));
  const last = r.snn.accuracyAt[r.T - 1];
  const energyRatio = r.cost.annEnergyPerImage > 0 ? r.cost.snnEnergyPerImage / r.cost.annEnergyPerImage : null;
  const sections = [
    `<header><h1>ann2snn report</h1><p class="sub">${esc(r.model.source)} · ${esc(dataName(r))} · ${r.data.images} images · T = ${r.T} · ${esc(r.createdAt)}</p>`,
    `<p>Conversion: ${conversionSettings(r.conversion)
      .map((row) => `${esc(row.label)} <b>${esc(row.value)}</b>`)
      .join(', ')}. Input encoder: ${esc(r.data.encoder)}.</p></header>`,
    `<section class="cards">${card('ANN accuracy', pct(r.ann.accuracy))}${card(`SNN accuracy at T = ${r.T}`, pct(last))}${card('latency (within 1 point)', r.snn.latency === null ? `> ${r.T}` : `t = ${r.snn.latency}`)}${card('spikes / image', compactNumber(r.cost.spikesPerImage))}${card('synops / image', compactNumber(r.cost.synopsPerImage))}${card('energy / image', `${joules(r.cost.snnEnergyPerImage)}${energyRatio === null ? '' : ` (${num(energyRatio, 3)}× ANN)`}`)}</section>`,
    `<section><h2>Accuracy</h2>${byId.get('accuracy') ?? ''}${accuracyTable(r)}</section>`,
  ];
  if (r.layerError) {
    sections.push(
      `<section><h2>Layer-wise conversion error</h2>${errorExplanation(r)}${byId.get('error-causes') ?? ''}${errorTable(r)}${byId.get('error-vs-T') ?? ''}${byId.get('flooring-by-shift') ?? ''}</section>`,
    );
  }
  sections.push(`<section><h2>Activity and cost</h2>${byId.get('rate-histograms') ?? ''}${activityTable(r)}${costParagraph(r)}</section>`);
  if (r.exit) sections.push(`<section><h2>Early exit: accuracy against latency</h2>${byId.get('exit-latency') ?? ''}</section>`);
  if (r.raster) sections.push(`<section><h2>Spikes of one image</h2>${byId.get('raster') ?? ''}${byId.get('membrane') ?? ''}</section>`);
  sections.push(`<section><h2>Thresholds</h2>${thresholdTable(r)}</section>`);
  const json = JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ann2snn (${r.schema})">
<title>ann2snn report: ${esc(r.model.source)}</title>
<style>${css}</style>
</head>
<body>
<main>
${sections.join('\n')}
<footer>Schema ${esc(r.schema)}; the full report data is embedded below as JSON (<code>#report-data</code>).</footer>
</main>
<script type="application/json" id="report-data">${json}</script>
</body>
</html>
`;
}

function card(label: string, value: string): string {
  return `<div class="card"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div></div>`;
}

function accuracyTable(r: Report): string {
  const steps = powersOfTwo(r.T);
  const rows: string[][] = [
    ['this model', ...steps.map((t) => pct(r.snn.accuracyAt[t - 1])), String(r.snn.latency ?? '–'), compactNumber(r.cost.spikesPerImage)],
  ];
  for (const v of r.comparison?.variants ?? [])
    rows.push([v.label, ...steps.map((t) => pct(v.accuracyAt[t - 1])), String(v.latency ?? '–'), compactNumber(v.spikesPerImage)]);
  const skipped = (r.comparison?.skipped ?? []).map((s) => `${s.label}: ${s.reason}`);
  const note = r.comparison
    ? `<p class="note">Comparison: every conversion from the same activation statistics (${r.comparison.calibrationImages} calibration images), simulated on ${r.comparison.images} images.${skipped.length ? ` Not compared: ${esc(skipped.join('; '))}.` : ''}</p>`
    : '';
  return htmlTable(['conversion', ...steps.map((t) => `t = ${t}`), 'latency', `spikes/img (T = ${r.T})`], rows) + note;
}

function errorExplanation(r: Report): string {
  const e = r.layerError!;
  return `<p class="note">On ${e.images} images, for each spiking layer: a = ANN activation, z = its pre-activation, θ = threshold, N = spikes in T steps.
Total = mean |a − θN/T|; clipping = mean |a − clip(a, 0, θ)|; flooring = mean |clip(a, 0, θ) − q<sub>T</sub>(z)| with q<sub>T</sub> the ideal quantizer of this model's shift
(${esc(shiftDescription(e.shift, e.tShift))}); rest = total − clipping − flooring (unevenness and reset error). <i>Local</i> drives the layer alone with the ANN's
pre-activation as a constant current; <i>accumulated</i> is the layer inside the full SNN.</p>`;
}

function errorTable(r: Report): string {
  const e = r.layerError!;
  const rows = e.layers.flatMap((l) =>
    l.atT.map((at) => {
      const [node, ...rest] = errorCells(l, at);
      return [node, String(at.T), ...rest, num(at.flooringByShift.none), num(at.flooringByShift.bias), num(at.flooringByShift.v0)];
    }),
  );
  const skipped = e.skipped.map((s) => `<p class="note">${esc(s.node)}: ${esc(s.reason)}.</p>`).join('');
  return (
    htmlTable(
      [
        'layer',
        'T',
        'mean a',
        'a > θ',
        'clipping',
        'flooring',
        'local rest',
        'local total',
        'accum. rest',
        'accum. total',
        'accum. relative',
        'floor: none',
        `floor: bias (${e.tShift})`,
        'floor: v0',
      ],
      rows,
    ) + skipped
  );
}

function activityTable(r: Report): string {
  const costs = new Map(r.cost.layers.map((l) => [l.node, l]));
  return htmlTable(
    ['spiking layer', 'units', 'mean rate', 'silent units', 'saturated units', 'spikes / image', 'fan-out', 'synops / image'],
    r.activity.layers.map((l) => [
      l.node,
      String(l.units),
      num(l.rate),
      l.silentFraction === null ? '–' : pct(l.silentFraction, 1),
      l.saturatedFraction === null ? '–' : pct(l.saturatedFraction, 1),
      compactNumber(l.spikesPerImage),
      num(costs.get(l.node)?.fanOut ?? 0, 3),
      compactNumber(costs.get(l.node)?.synopsPerImage ?? 0),
    ]),
  );
}

function costParagraph(r: Report): string {
  const c = r.cost;
  return `<p>Per image over T = ${r.T}: ${compactNumber(c.spikesPerImage)} spikes, ${compactNumber(c.synopsPerImage)} synaptic operations (accumulates) and ${compactNumber(c.analogMacsPerImage)} multiply-accumulates of the analog input layer;
energy ${joules(c.snnEnergyPerImage)} against ${joules(c.annEnergyPerImage)} for the ANN's ${compactNumber(c.annMacsPerImage)} MACs (E<sub>AC</sub> = ${num(c.eAc * 1e12)} pJ, E<sub>MAC</sub> = ${num(c.eMac * 1e12)} pJ).</p>`;
}

function thresholdTable(r: Report): string {
  const thresholds = thresholdRows(r.conversion);
  return htmlTable(thresholds.headers, thresholds.rows);
}

function htmlTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = headers.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<div class="table"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const css = `
body { margin: 0; background: #fafafa; color: #222; font: 14px/1.45 Helvetica, Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { margin: 8px 0 2px; font-size: 24px; }
h2 { margin: 28px 0 8px; font-size: 18px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { margin: 0 0 6px; font-size: 14px; }
.sub { color: #666; margin: 0 0 8px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.card { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 8px 14px; min-width: 130px; }
.card .label { color: #666; font-size: 12px; }
.card .value { font-size: 18px; font-weight: 600; }
figure.plot { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; margin: 12px 0; padding: 12px; overflow-x: auto; }
figure.plot svg { display: block; max-width: none; }
figcaption { color: #555; font-size: 12px; margin-top: 6px; }
.table { overflow-x: auto; margin: 8px 0; }
table { border-collapse: collapse; background: #fff; font-size: 12px; }
th, td { border: 1px solid #e2e2e2; padding: 3px 8px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #f2f2f2; }
.note { color: #555; font-size: 12px; }
footer { margin-top: 32px; color: #888; font-size: 12px; }
`;
