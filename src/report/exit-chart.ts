/**
 * The early-exit chart: accuracy at T against the mean steps per image and against the synops per
 * image, for fixed T' (every image simulated T' steps), certified exit, and the confidence rule over
 * its grid (one line per patience, through its margins), so the user picks an operating point.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Report } from './schema.js';

export function exitChartSpec(r: Report, config: object): TopLevelSpec {
  const rows = r.exit!.points.flatMap((p) => {
    const series = p.rule === 'fixed' ? "fixed T'" : p.rule === 'certified' ? 'certified exit' : `confidence, patience ${p.patience}`;
    const base = { series, patience: p.patience, accuracy: 100 * p.accuracy, margin: p.margin, steps: p.steps, meanSteps: p.meanSteps };
    return [
      { ...base, measure: 'mean steps per image', cost: p.meanSteps },
      { ...base, measure: 'synops per image', cost: p.synopsPerImage },
    ];
  });
  // The y range: from just below the worst point shown (the fixed T' from T/8 on, every exit rule) to the best.
  const shown = r.exit!.points.filter((p) => p.rule !== 'fixed' || (p.steps ?? 0) >= r.T / 8).map((p) => 100 * p.accuracy);
  const low = Math.max(0, Math.floor(2 * Math.min(...shown) - 1) / 2);
  const high = Math.min(100, Math.ceil(2 * Math.max(...shown) + 1) / 2);
  const y = { field: 'accuracy', type: 'quantitative' as const, title: 'accuracy at T (%)', scale: { domain: [low, high], clamp: true } };
  const x = { field: 'cost', type: 'quantitative' as const, title: 'per image (log scale)', scale: { type: 'log' as const } };
  const tooltip = [
    { field: 'series', type: 'nominal' as const },
    { field: 'margin', type: 'quantitative' as const, title: 'margin' },
    { field: 'accuracy', type: 'quantitative' as const, format: '.2f' },
    { field: 'cost', type: 'quantitative' as const, format: '.3s' },
  ];
  return {
    config,
    data: { values: rows },
    facet: { column: { field: 'measure', type: 'nominal', title: null, sort: ['mean steps per image', 'synops per image'] } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 300,
      height: 260,
      layer: [
        {
          transform: [{ filter: 'datum.series === "fixed T\'"' }],
          mark: { type: 'line', color: '#888', strokeWidth: 1.5 },
          encoding: { x, y, order: { field: 'steps', type: 'quantitative' }, tooltip },
        },
        {
          transform: [{ filter: 'indexof(datum.series, "confidence") === 0' }],
          mark: { type: 'line', point: true, strokeWidth: 1.2 },
          encoding: {
            x,
            y,
            order: { field: 'margin', type: 'quantitative' },
            color: { field: 'patience', type: 'ordinal', title: 'patience', scale: { scheme: 'viridis' } },
            tooltip,
          },
        },
        {
          transform: [{ filter: 'datum.series === "certified exit"' }],
          mark: { type: 'point', shape: 'diamond', size: 110, filled: true, color: '#000' },
          encoding: { x, y, tooltip },
        },
      ],
    },
  };
}
