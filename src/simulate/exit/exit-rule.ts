/**
 * Early exit: when an image's prediction is decided, stop simulating it and record its prediction
 * k for every later step (docs/method.md §13). After step t of T, with k = argmax_c a_c(t) (first on
 * ties, as the engines score) and B⁺_jk = max(0, B_jk) (readout-bound.ts):
 *   certified   a_k(t) − a_j(t) − (T − t)·B⁺_jk > ε_jk(t) for every j ≠ k; then k leads strictly at
 *               every t' in (t, T], so the recorded predictions equal the full simulation's.
 *               ε_jk(t) = 2⁻⁵²·(T − t + 1)·(|a_k| + |a_j| + (T − t)·(S_j + S_k)) covers the f64 sums.
 *   confidence  certified, or: k has led at the last `patience` steps and a_k − a_j > 0 and
 *               a_k − a_j ≥ margin·B⁺_jk for every j ≠ k (a lead of `margin` worst-case steps);
 *               approximate: the user trades accuracy for steps.
 */
import type { Graph } from '../../ir/graph.js';
import { readoutBound } from './readout-bound.js';

export type ExitKind = 'none' | 'certified' | 'confidence';
export const EXIT_KINDS: readonly ExitKind[] = ['none', 'certified', 'confidence'];

/** SimulateOptions.exit. */
export interface EarlyExitOptions {
  readonly rule: ExitKind;
  /** confidence: steps the leader must have led (default DEFAULT_PATIENCE). */
  readonly patience?: number;
  /** confidence: the lead in units of the per-step bound B⁺_jk (default DEFAULT_MARGIN). */
  readonly margin?: number;
}

/** Defaults of the confidence rule, chosen on the trained Fashion-MNIST cnn4 at T = 64 (docs/method.md §13). */
export const DEFAULT_PATIENCE = 2;
export const DEFAULT_MARGIN = 1;

export class EarlyExitError extends Error {
  override readonly name = 'EarlyExitError';
}

/** A resolved rule: plain data (it travels to the event workers). */
export interface ExitRule {
  readonly kind: 'certified' | 'confidence';
  readonly T: number;
  readonly classes: number;
  /** B⁺_jk at [j·classes + k]. */
  readonly bound: Float64Array;
  /** S_c: the largest |I_c| of one step. */
  readonly step: Float64Array;
  readonly patience: number;
  readonly margin: number;
}

/**
 * The rule for `options` on `graph` (null: no exit). Certified exit needs f32 readout sums (the
 * bound is on f32 weights; int8 sums are other numbers) and a readout the bound covers; the
 * confidence rule uses the bound only as a scale.
 */
export function exitRule(graph: Graph, options: EarlyExitOptions | undefined, T: number, precision: string): ExitRule | null {
  const kind = options?.rule ?? 'none';
  if (!EXIT_KINDS.includes(kind)) throw new EarlyExitError(`exit must be one of ${EXIT_KINDS.join(', ')}, got '${String(kind)}'`);
  if (kind === 'none') return null;
  const patience = options?.patience ?? DEFAULT_PATIENCE;
  const margin = options?.margin ?? DEFAULT_MARGIN;
  if (!Number.isInteger(patience) || patience < 1) throw new EarlyExitError(`exit patience must be a positive integer, got ${patience}`);
  if (!Number.isFinite(margin) || margin < 0) throw new EarlyExitError(`exit margin must be a finite number ≥ 0, got ${margin}`);
  if (kind === 'certified' && precision !== 'f32')
    throw new EarlyExitError(`certified exit needs f32 readout sums (its bound is on the f32 weights), got precision ${precision}`);
  const b = readoutBound(graph);
  if ('reason' in b) throw new EarlyExitError(`${kind} exit needs a per-step bound of the readout: ${b.reason}`);
  const bound = Float64Array.from(b.bound, (x) => Math.max(0, x));
  return { kind, T, classes: b.classes, bound, step: b.step, patience, margin };
}

/** Each row's leader and how many steps it has led: the state the confidence rule reads. */
export class ExitWatch {
  private readonly leader: Int32Array;
  private readonly streak: Int32Array;

  constructor(
    private readonly rule: ExitRule,
    rows: number,
  ) {
    this.leader = new Int32Array(rows).fill(-1);
    this.streak = new Int32Array(rows);
  }

  /** Row `from` takes the place of row `to` (the dense engine compacts its batch). */
  move(from: number, to: number): void {
    this.leader[to] = this.leader[from];
    this.streak[to] = this.streak[from];
  }

  /**
   * After step t (1-based) of row `row`, whose cumulative readout is a[offset … offset + classes) and
   * its argmax `best`: true when the row's predictions up to T are decided (always false at t = T).
   */
  decided(row: number, t: number, a: Float64Array, offset: number, best: number): boolean {
    if (this.leader[row] === best) this.streak[row]++;
    else {
      this.leader[row] = best;
      this.streak[row] = 1;
    }
    const { T, classes, bound, step, kind } = this.rule;
    const rest = T - t;
    if (rest <= 0) return false;
    const ak = a[offset + best];
    let certified = true;
    let confident = kind === 'confidence' && this.streak[row] >= this.rule.patience;
    for (let j = 0; j < classes; j++) {
      if (j === best) continue;
      const aj = a[offset + j];
      const lead = ak - aj;
      const b = bound[j * classes + best];
      const tolerance = 2 ** -52 * (rest + 1) * (Math.abs(ak) + Math.abs(aj) + rest * (step[j] + step[best]));
      if (!(lead - rest * b > tolerance)) certified = false;
      if (!(lead > 0 && lead >= this.rule.margin * b)) confident = false;
      if (!certified && !confident) return false;
    }
    return true;
  }
}
