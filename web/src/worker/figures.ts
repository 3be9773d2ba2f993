/**
 * The report's charts the page shows, rendered to SVG in the worker (the report's own Vega-Lite
 * specs and renderer): the layer-wise error, firing-rate histograms, the spike raster and the
 * membrane trace. The accuracy chart is left out: the page draws its own, live, for both strategies.
 */
import { renderSvg, reportCharts, type Report } from '../../../src/core.js';
import type { Figure } from '../protocol.js';

export async function renderFigures(report: Report, ids?: readonly string[]): Promise<Figure[]> {
  const charts = reportCharts(report).filter((c) => c.id !== 'accuracy' && (ids === undefined || ids.includes(c.id)));
  const figures: Figure[] = [];
  for (const c of charts) figures.push({ id: c.id, title: c.title, caption: c.caption, svg: await renderSvg(c.spec) });
  return figures;
}
