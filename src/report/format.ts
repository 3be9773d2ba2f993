/** Number and table formatting shared by the report writers. */
import type { LayerError, LayerErrorAtT } from '../analysis/layer-error.js';
import type { Report } from './schema.js';

export function textTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(cells[0]), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function pct(x: number, digits = 2): string {
  return `${(100 * x).toFixed(digits)}%`;
}

/** 1234567 → "1.23M". */
export function compactNumber(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return a >= 10 || a === 0 ? String(Math.round(n)) : n.toFixed(2);
}

/** Small errors and rates: 4 significant digits, no exponent for everyday magnitudes. */
export function num(x: number | null, digits = 4): string {
  if (x === null || !Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e5)
    return x
      .toPrecision(digits)
      .replace(/(\.\d*?)0+$/, '$1')
      .replace(/\.$/, '');
  return x.toExponential(digits - 1);
}

/** Joules → "1.234 µJ" / "56.7 nJ". */
export function joules(j: number): string {
  const a = Math.abs(j);
  if (a >= 1e-3) return `${(j * 1e3).toPrecision(4)} mJ`;
  if (a >= 1e-6) return `${(j * 1e6).toPrecision(4)} µJ`;
  if (a >= 1e-9) return `${(j * 1e9).toPrecision(4)} nJ`;
  return `${(j * 1e12).toPrecision(4)} pJ`;
}

/** 1, 2, 4, …, T (and T itself when it is not a power of two). */
export function powersOfTwo(T: number): number[] {
  const out: number[] = [];
  for (let t = 1; t < T; t *= 2) out.push(t);
  out.push(T);
  return out;
}

export function shiftDescription(shift: string, tShift: number): string {
  if (shift === 'bias') return `bias shift δ = θ/(2·T_shift), T_shift = ${tShift}`;
  if (shift === 'v0') return 'initial potential v(0) = θ/2';
  return 'no shift (floor)';
}

/** "mnist (bundled, test)" as it is; "cifar10 (test)" where the name does not say the split. */
export function dataName(r: Report): string {
  const { name, split } = r.data;
  return split && !name.includes(split) ? `${name} (${split})` : name;
}

/** The cells every error table shares: layer, mean a, clipped, clipping, flooring, local rest, local, accum. rest, accumulated, relative. */
export function errorCells(l: LayerError, at: LayerErrorAtT): string[] {
  return [
    l.node,
    num(l.meanActivation),
    pct(l.clippedFraction, 1),
    num(at.local.clipping),
    num(at.local.flooring),
    num(at.local.rest),
    num(at.local.total),
    num(at.accumulated.rest),
    num(at.accumulated.total),
    at.accumulated.relative === null ? '–' : pct(at.accumulated.relative, 1),
  ];
}
