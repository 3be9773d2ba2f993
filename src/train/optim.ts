/**
 * Optimizers on Float32Arrays, with PyTorch's update rules (torch.optim.SGD / Adam, L2 weight
 * decay added to the gradient), and learning-rate schedules.
 *
 *   SGD:  g ← g + λp;  b ← μb + g (b₁ = g);  p ← p − η (nesterov ? g + μb : b)
 *   Adam: g ← g + λp;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
 *         p ← p − η · (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)
 */

export type OptimizerName = 'sgd' | 'adam';
export type ScheduleName = 'step' | 'cosine' | 'constant';

export interface OptimizerConfig {
  readonly name: OptimizerName;
  readonly weightDecay: number;
  /** SGD momentum (default 0.9). */
  readonly momentum?: number;
  readonly nesterov?: boolean;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
}

/** Optimizer state: named slot arrays per parameter plus the step count; plain data for checkpoints. */
export interface OptimizerState {
  step: number;
  /** `<param>/<slot>` → values (slots: 'momentum' for SGD, 'm' and 'v' for Adam). */
  readonly slots: Map<string, Float32Array>;
}

export function newOptimizerState(): OptimizerState {
  return { step: 0, slots: new Map() };
}

function slot(state: OptimizerState, param: string, name: string, size: number): { data: Float32Array; fresh: boolean } {
  const key = `${param}/${name}`;
  let data = state.slots.get(key);
  const fresh = data === undefined;
  if (data === undefined) {
    data = new Float32Array(size);
    state.slots.set(key, data);
  }
  return { data, fresh };
}

/** One optimizer step over every (param, grad) pair at learning rate `lr`. */
export function optimizerStep(
  config: OptimizerConfig,
  state: OptimizerState,
  params: ReadonlyMap<string, Float32Array>,
  grads: ReadonlyMap<string, Float32Array>,
  lr: number,
): void {
  state.step += 1;
  const t = state.step;
  const wd = config.weightDecay;
  for (const [name, g] of grads) {
    const p = params.get(name)!;
    const n = p.length;
    if (config.name === 'sgd') {
      const mu = config.momentum ?? 0.9;
      const nesterov = config.nesterov ?? false;
      if (mu === 0) {
        for (let i = 0; i < n; i++) p[i] -= lr * (g[i] + wd * p[i]);
        continue;
      }
      const { data: b, fresh } = slot(state, name, 'momentum', n);
      for (let i = 0; i < n; i++) {
        const gi = g[i] + wd * p[i];
        const bi = fresh ? gi : mu * b[i] + gi;
        b[i] = bi;
        p[i] -= lr * (nesterov ? gi + mu * bi : bi);
      }
    } else {
      const b1 = config.beta1 ?? 0.9;
      const b2 = config.beta2 ?? 0.999;
      const eps = config.eps ?? 1e-8;
      const m = slot(state, name, 'm', n).data;
      const v = slot(state, name, 'v', n).data;
      const c1 = 1 - b1 ** t;
      const sqrtC2 = Math.sqrt(1 - b2 ** t);
      const stepSize = lr / c1;
      for (let i = 0; i < n; i++) {
        const gi = g[i] + wd * p[i];
        const mi = b1 * m[i] + (1 - b1) * gi;
        const vi = b2 * v[i] + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= (stepSize * mi) / (Math.sqrt(vi) / sqrtC2 + eps);
      }
    }
  }
}

/**
 * Learning rate at (epoch, batch) of a run of `epochs` × `batches`:
 *  - constant: η
 *  - step: η · 0.1 at 50% and again at 75% of the epochs (PyTorch MultiStepLR, per epoch)
 *  - cosine: η · (1 + cos(π s/S))/2 with s the global step (per batch), annealed to 0 at the end
 */
export function learningRate(schedule: ScheduleName, lr: number, epoch: number, batch: number, epochs: number, batches: number): number {
  switch (schedule) {
    case 'constant':
      return lr;
    case 'step': {
      const milestones = [...new Set([Math.floor(epochs * 0.5), Math.floor(epochs * 0.75)])].filter((m) => m > 0);
      return lr * 0.1 ** milestones.filter((m) => epoch >= m).length;
    }
    case 'cosine': {
      const s = epoch * batches + batch;
      const total = Math.max(1, epochs * batches);
      return (lr * (1 + Math.cos((Math.PI * s) / total))) / 2;
    }
  }
}
