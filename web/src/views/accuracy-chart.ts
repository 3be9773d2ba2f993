/**
 * The live accuracy-vs-t chart: one line per strategy (accuracy over the test images simulated so
 * far) and the ANN as a dashed level, drawn as plain SVG so that it can be redrawn after every slice.
 * x: t = 1 … T on a log₂ scale (the interesting part is the first steps), y: 0 … 100 %.
 */
import { STRATEGIES, type StrategyName } from '../protocol.js';
import { byId } from './dom.js';

const W = 560;
const H = 300;
const M = { left: 48, right: 150, top: 12, bottom: 36 };
const COLORS: Readonly<Record<StrategyName, string>> = { 'deng-gu': '#1b9e77', 'max-norm': '#d95f02' };
const SVG_NS = 'http://www.w3.org/2000/svg';

export interface ChartState {
  readonly T: number;
  ann: number | null;
  readonly curves: Map<StrategyName, { accuracyAt: readonly number[]; images: number; total: number }>;
}

export function emptyChart(T: number): ChartState {
  return { T, ann: null, curves: new Map() };
}

export function drawAccuracyChart(state: ChartState): void {
  const x = (t: number) => M.left + ((W - M.left - M.right) * Math.log2(t)) / Math.max(1, Math.log2(state.T));
  const y = (a: number) => H - M.bottom - (H - M.top - M.bottom) * a;
  const parts: string[] = [];
  for (let p = 0; p <= 100; p += 20) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(p / 100)}" y2="${y(p / 100)}" class="grid"/>`);
    parts.push(`<text x="${M.left - 6}" y="${y(p / 100) + 4}" text-anchor="end">${p}%</text>`);
  }
  for (let t = 1; t <= state.T; t *= 2) parts.push(`<text x="${x(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${t}</text>`);
  parts.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 4}" text-anchor="middle">time steps t</text>`);
  // The legend sits in the right margin, one row per line: the ANN, then the strategies.
  const legend = (row: number, text: string, color: string, dashed: boolean) => {
    const ly = M.top + 10 + 18 * row;
    parts.push(
      `<line x1="${W - M.right + 8}" x2="${W - M.right + 26}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="5 4"' : ''}/>`,
    );
    parts.push(`<text x="${W - M.right + 30}" y="${ly + 4}">${text}</text>`);
  };
  if (state.ann !== null) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(state.ann)}" y2="${y(state.ann)}" class="ann"/>`);
    legend(0, 'ANN', '#444', true);
  }
  STRATEGIES.forEach((s, k) => {
    const curve = state.curves.get(s);
    if (!curve) return;
    const points = curve.accuracyAt.map((a, i) => `${x(i + 1).toFixed(1)},${y(a).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${COLORS[s]}" stroke-width="2"/>`);
    legend(k + 1, curve.images < curve.total ? `${s} (${curve.images}/${curve.total})` : s, COLORS[s], false);
  });
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'accuracy against time steps t');
  svg.innerHTML = parts.join('');
  byId('accuracy-chart').replaceChildren(svg);
}
