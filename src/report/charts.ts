/**
 * The report's plots as Vega-Lite specs, rendered to SVG in Node (vega's headless renderer: no
 * canvas, no browser, no network), so the HTML needs no script at view time.
 */
import type { TopLevelSpec } from 'vega-lite';
import { variantLabel } from '../analysis/compare-strategies.js';
import type { Report } from './schema.js';
import { exitChartSpec } from './exit-chart.js';

export interface Chart {
  /** Stable key: accuracy, error-causes, error-vs-T, flooring-by-shift, rate-histograms, raster, membrane, exit-latency. */
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

const config = {
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' as const },
};

const causeColors = { clipping: '#d95f02', flooring: '#1b9e77', rest: '#7570b3', total: '#888888' };

export function reportCharts(r: Report): Chart[] {
  const charts = [accuracyChart(r)];
  if (r.layerError && r.layerError.layers.length > 0) charts.push(errorCausesChart(r), errorVsTChart(r), flooringChart(r));
  if (r.activity.layers.some((l) => l.histogram)) charts.push(rateHistogramChart(r));
  if (r.raster && r.raster.layers.length > 0) charts.push(rasterChart(r));
  if (r.raster?.membrane) charts.push(membraneChart(r));
  if (r.exit) charts.push(exitChart(r));
  return charts;
}

function exitChart(r: Report): Chart {
  const certified = r.exit!.points.find((p) => p.rule === 'certified');
  return {
    id: 'exit-latency',
    title: 'Accuracy against latency: early exit',
    caption:
      `Accuracy at T = ${r.T} against the mean steps per image (left) and the synaptic operations per image (right, log scales). ` +
      `Grey: every image simulated for a fixed T' ≤ T. Black diamond: certified exit (the same accuracy as T steps` +
      (certified ? `, ${certified.meanSteps.toFixed(1)} steps on average` : '') +
      `). Coloured: the confidence rule (stop when the leading class has led for \`patience\` steps by \`margin\` per-step bounds), one line per patience through margins 0 … ${Math.max(...r.exit!.points.map((p) => p.margin ?? 0))}.`,
    spec: exitChartSpec(r, config),
  };
}

function accuracyChart(r: Report): Chart {
  const lines: { t: number; accuracy: number; conversion: string; reset: string }[] = [];
  const add = (conversion: string, reset: string, acc: readonly number[]) =>
    acc.forEach((a, i) => lines.push({ t: i + 1, accuracy: 100 * a, conversion, reset: `${reset} reset` }));
  const variants = r.comparison?.variants ?? [];
  const own = r.conversion.options;
  if (!variants.some((v) => v.label === variantLabel(own))) add(`this model: ${conversionLabel(own)}`, own.reset, r.snn.accuracyAt);
  for (const v of variants) add(conversionLabel(v.options), v.options.reset, v.accuracyAt);
  const ann = 100 * r.ann.accuracy;
  return {
    id: 'accuracy',
    title: 'Accuracy against time steps',
    caption:
      `Top-1 accuracy of the SNN after t steps (readout: accumulated output current), one line per conversion (colour: thresholds and shift; ` +
      `solid: soft reset, dashed: hard reset); the black dashed line is the ANN (${ann.toFixed(2)}%). This model: ${variantLabel(own)}.`,
    spec: {
      config,
      width: 620,
      height: 300,
      layer: [
        {
          data: { values: lines },
          mark: { type: 'line', strokeWidth: 1.8, interpolate: 'linear' },
          encoding: {
            x: { field: 't', type: 'quantitative', title: 'time steps t', scale: { domain: [1, r.T], nice: false } },
            y: { field: 'accuracy', type: 'quantitative', title: 'accuracy (%)', scale: { domain: [0, 100] } },
            color: { field: 'conversion', type: 'nominal', title: 'thresholds, shift', legend: { labelLimit: 360 } },
            strokeDash: {
              field: 'reset',
              type: 'nominal',
              title: 'reset',
              sort: ['soft reset', 'hard reset'],
              legend: { symbolType: 'stroke' },
            },
          },
        },
        {
          data: { values: [{ ann }] },
          mark: { type: 'rule', strokeDash: [6, 4], color: '#222' },
          encoding: { y: { field: 'ann', type: 'quantitative' } },
        },
        {
          data: { values: [{ ann, t: r.T, label: `ANN ${ann.toFixed(2)}%` }] },
          mark: { type: 'text', align: 'right', dy: 10, color: '#222' },
          encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'ann', type: 'quantitative' }, text: { field: 'label' } },
        },
      ],
    },
  };
}

/** "deng-gu, v0=θ/2" (the reset is drawn as the line's dash). */
function conversionLabel(o: Report['conversion']['options']): string {
  return variantLabel(o).replace(/, (soft|hard) reset$/, '');
}

function errorCausesChart(r: Report): Chart {
  const e = r.layerError!;
  const T = e.T[e.T.length - 1];
  const rows = e.layers.flatMap((l) => {
    const at = l.atT[l.atT.length - 1];
    return (['local', 'accumulated'] as const).flatMap((where) =>
      (['clipping', 'flooring', 'rest', 'total'] as const).map((cause) => ({ layer: l.node, where, cause, error: at[where][cause] })),
    );
  });
  const layers = e.layers.map((l) => l.node);
  return {
    id: 'error-causes',
    title: `Layer-wise conversion error at T = ${T}, by cause`,
    caption:
      `Mean |a − θN/T| per layer over ${e.images} images, split into clipping (a above θ), flooring (the ideal quantizer of the layer's shift mode: ${e.shift}) ` +
      'and the rest (unevenness of the input in time, reset error; negative where it cancels flooring). Local: the layer driven by the ANN’s exact input; accumulated: inside the SNN.',
    spec: {
      config,
      data: { values: rows },
      facet: { column: { field: 'where', type: 'nominal', title: null, sort: ['local', 'accumulated'] } },
      spec: {
        width: Math.max(220, 56 * layers.length),
        height: 240,
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'layer', type: 'nominal', sort: layers, title: 'spiking layer', axis: { labelAngle: -35 } },
          xOffset: { field: 'cause', type: 'nominal', sort: Object.keys(causeColors) },
          y: { field: 'error', type: 'quantitative', title: 'mean absolute error' },
          color: {
            field: 'cause',
            type: 'nominal',
            title: 'cause',
            scale: { domain: Object.keys(causeColors), range: Object.values(causeColors) },
          },
        },
      },
    },
  };
}

function errorVsTChart(r: Report): Chart {
  const e = r.layerError!;
  const rows = e.layers.flatMap((l) =>
    l.atT.flatMap((at) => [
      { layer: l.node, where: 'local', T: at.T, error: at.local.total },
      { layer: l.node, where: 'accumulated', T: at.T, error: at.accumulated.total },
    ]),
  );
  return {
    id: 'error-vs-T',
    title: 'Layer-wise error against T',
    caption: 'Total mean absolute error of each layer at each measured T: solid = accumulated inside the SNN, dashed = local (ANN input).',
    spec: {
      config,
      width: 520,
      height: 260,
      data: { values: rows },
      encoding: {
        x: { field: 'T', type: 'quantitative', title: 'T (time steps)', scale: { type: 'log', base: 2 }, axis: { values: [...e.T] } },
        y: { field: 'error', type: 'quantitative', title: 'mean absolute error' },
        color: { field: 'layer', type: 'nominal', sort: e.layers.map((l) => l.node), title: 'layer' },
      },
      // points in their own layer: a line with point: true draws its dash legend without strokes
      layer: [
        {
          mark: { type: 'line' },
          encoding: {
            strokeDash: {
              field: 'where',
              type: 'nominal',
              title: null,
              sort: ['accumulated', 'local'],
              legend: { symbolStrokeColor: '#333' },
            },
          },
        },
        { mark: { type: 'point', filled: true, size: 25 } },
      ],
    },
  };
}

function flooringChart(r: Report): Chart {
  const e = r.layerError!;
  const modes = ['none (floor)', `bias (T_shift ${e.tShift})`, 'v0 = θ/2'];
  const rows = e.layers.flatMap((l) =>
    l.atT.flatMap((at) => [
      { layer: l.node, T: at.T, mode: modes[0], error: at.flooringByShift.none },
      { layer: l.node, T: at.T, mode: modes[1], error: at.flooringByShift.bias },
      { layer: l.node, T: at.T, mode: modes[2], error: at.flooringByShift.v0 },
    ]),
  );
  return {
    id: 'flooring-by-shift',
    title: 'Flooring error by shift mode',
    caption:
      'Mean |clip(a, 0, θ) − q_T(z)| of the ideal quantizer under each shift: a floor without shift, the bias shift tuned for T_shift, and the ' +
      `T-independent initial potential θ/2 (this model uses: ${e.shift}).`,
    spec: {
      config,
      data: { values: rows },
      columns: Math.min(4, e.layers.length),
      facet: { field: 'layer', type: 'nominal', sort: e.layers.map((l) => l.node), title: null },
      spec: {
        width: 170,
        height: 130,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'T', type: 'quantitative', title: 'T', scale: { type: 'log', base: 2 }, axis: { values: [...e.T] } },
          y: { field: 'error', type: 'quantitative', title: 'flooring error' },
          color: { field: 'mode', type: 'nominal', title: 'shift', sort: modes, legend: { orient: 'bottom' } },
        },
      },
    },
  };
}

function rateHistogramChart(r: Report): Chart {
  const layers = r.activity.layers.filter((l) => l.histogram);
  const rows = layers.flatMap((l) =>
    l.histogram!.counts.map((n, k) => ({
      layer: l.node,
      lo: k * l.histogram!.binWidth,
      hi: (k + 1) * l.histogram!.binWidth,
      fraction: n / Math.max(l.units, 1),
    })),
  );
  return {
    id: 'rate-histograms',
    title: 'Firing-rate distribution per layer',
    caption: `Fraction of each layer's units by firing rate (spikes per step, over ${r.activity.images} images × T = ${r.T}).`,
    spec: {
      config,
      data: { values: rows },
      columns: Math.min(4, layers.length),
      facet: { field: 'layer', type: 'nominal', sort: layers.map((l) => l.node), title: null },
      spec: {
        width: 170,
        height: 120,
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: {
          x: {
            field: 'lo',
            type: 'quantitative',
            bin: 'binned',
            title: 'firing rate (spikes/step)',
            scale: { domain: [0, layers[0].histogram!.binWidth * layers[0].histogram!.counts.length] },
          },
          x2: { field: 'hi' },
          y: { field: 'fraction', type: 'quantitative', title: 'fraction of units', axis: { format: '.0%' } },
        },
      },
    },
  };
}

function rasterChart(r: Report): Chart {
  const raster = r.raster!;
  const label = (node: string, unit: number) => `${node} #${unit}`;
  const neurons = raster.layers.flatMap((l) => l.neurons.map((n) => label(l.node, n.unit)));
  const rows = raster.layers.flatMap((l) =>
    l.neurons.flatMap((n) => n.spikeTimes.map((t) => ({ neuron: label(l.node, n.unit), layer: l.node, t }))),
  );
  return {
    id: 'raster',
    title: `Spike raster of image ${raster.image} (label ${raster.label})`,
    caption: `Spike times of ${neurons.length} neurons (up to ${Math.max(...raster.layers.map((l) => l.neurons.length))} per layer, chosen to span the layer's rates) over T = ${raster.T} steps.`,
    spec: {
      config,
      width: 620,
      height: Math.max(80, 13 * neurons.length),
      data: { values: rows },
      mark: { type: 'tick', thickness: 1.6 },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'time step t', scale: { domain: [0, raster.T + 1], nice: false } },
        y: { field: 'neuron', type: 'nominal', title: 'neuron (layer #unit)', scale: { domain: neurons }, axis: { labelFontSize: 10 } },
        color: { field: 'layer', type: 'nominal', sort: raster.layers.map((l) => l.node), title: 'layer' },
      },
    },
  };
}

function membraneChart(r: Report): Chart {
  const m = r.raster!.membrane!;
  const trace = m.v.map((v, t) => ({ t, v }));
  const spikes = m.spikeTimes.map((t) => ({ t, theta: m.theta }));
  return {
    id: 'membrane',
    title: `Membrane potential of ${m.node} #${m.unit} (image ${r.raster!.image})`,
    caption: `v(t) after each step (${m.reset} reset) from v(0) = ${m.v[0].toPrecision(3)}; the dashed line is the threshold θ = ${m.theta.toPrecision(4)}, triangles mark spikes (${m.spikeTimes.length} in ${r.raster!.T} steps).`,
    spec: {
      config,
      width: 620,
      height: 220,
      layer: [
        {
          data: { values: trace },
          mark: { type: 'line', color: '#4c78a8', strokeWidth: 1.5 },
          encoding: {
            x: { field: 't', type: 'quantitative', title: 'time step t', scale: { domain: [0, r.raster!.T], nice: false } },
            y: { field: 'v', type: 'quantitative', title: 'membrane potential v' },
          },
        },
        {
          data: { values: [{ theta: m.theta }] },
          mark: { type: 'rule', color: '#d62728', strokeDash: [5, 3] },
          encoding: { y: { field: 'theta', type: 'quantitative' } },
        },
        {
          data: { values: [{ theta: m.theta, t: 0, label: 'θ' }] },
          mark: { type: 'text', align: 'left', dx: 3, dy: -7, color: '#d62728', fontWeight: 'bold' },
          encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'theta', type: 'quantitative' }, text: { field: 'label' } },
        },
        {
          data: { values: spikes },
          mark: { type: 'point', shape: 'triangle-up', filled: true, color: '#d62728', size: 40 },
          encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'theta', type: 'quantitative' } },
        },
      ],
    },
  };
}

let svgCount = 0;

/** Renders a Vega-Lite spec to a standalone SVG string; its ids get a unique prefix so several SVGs can share a page. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // loaded on first use: every CLI command imports the report module, few draw plots
  const [{ parse, View, Warn }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  view.logLevel(Warn);
  try {
    const svg = await view.toSVG();
    const prefix = `p${++svgCount}-`;
    return svg
      .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}${id}"`)
      .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}${id})`)
      .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}${id}"`);
  } finally {
    view.finalize();
  }
}
