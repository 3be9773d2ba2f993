/**
 * A ModelSpec compiled into a flat list of layers in topological order, with per-sample shapes,
 * value names and the parameter table. Both ONNX graphs (training and evaluation), the optimizer,
 * the checkpoint and the IR export read this one structure.
 */
import type { ActivationSpec, LayerSpec, ModelSpec } from './spec.js';

export class TrainError extends Error {
  override readonly name = 'TrainError';
}

interface LayerBase {
  /** Unique name, e.g. 'conv3'; parameters are `<name>.weight` etc. */
  readonly name: string;
  readonly inputs: readonly string[];
  readonly output: string;
  /** Per-sample shape of inputs[0] and of the output (no batch dimension). */
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
}

export interface ConvLayer extends LayerBase {
  readonly kind: 'conv';
  readonly weight: string;
  readonly bias: string | null;
  readonly kernel: number;
  readonly stride: number;
  readonly pad: number;
}
export interface DenseLayer extends LayerBase {
  readonly kind: 'dense';
  readonly weight: string;
  readonly bias: string | null;
}
export interface BnLayer extends LayerBase {
  readonly kind: 'bn';
  readonly scale: string;
  readonly bias: string;
  readonly mean: string;
  readonly variance: string;
  readonly eps: number;
  readonly momentum: number;
}
export interface ActLayer extends LayerBase {
  readonly kind: 'act';
  readonly act: ActivationSpec;
  /** QCFS: the learned ceiling λ, a trainable [1] parameter `<name>.lambda`; null otherwise. */
  readonly lambda: string | null;
}
export interface AvgPoolLayer extends LayerBase {
  readonly kind: 'avgpool';
  readonly size: number;
}
export interface SimpleLayer extends LayerBase {
  readonly kind: 'gap' | 'flatten' | 'add';
}
export interface DropoutLayer extends LayerBase {
  readonly kind: 'dropout';
  readonly p: number;
}

export type Layer = ConvLayer | DenseLayer | BnLayer | ActLayer | AvgPoolLayer | SimpleLayer | DropoutLayer;

/** A learned tensor (trainable) or a BatchNorm running statistic (buffer, updated from batch statistics). */
export interface ParamInfo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  /** PyTorch-default initialisation: U(−bound, bound) with bound = 1/√fan_in, or a constant. */
  readonly init: { readonly kind: 'uniform'; readonly bound: number } | { readonly kind: 'const'; readonly value: number };
}

export interface Network {
  readonly spec: ModelSpec;
  readonly act: ActivationSpec;
  readonly input: string;
  readonly output: string;
  readonly layers: readonly Layer[];
  readonly params: readonly ParamInfo[];
}

export const INPUT = 'input';

export function compileNetwork(spec: ModelSpec, act: ActivationSpec): Network {
  const layers: Layer[] = [];
  const params: ParamInfo[] = [];
  const counters = new Map<string, number>();
  const nameFor = (kind: string): string => {
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    return `${kind}${n}`;
  };
  const shapes = new Map<string, readonly number[]>([[INPUT, spec.input]]);

  const emit = (ls: LayerSpec, x: string): string => {
    const inShape = shapes.get(x)!;
    const push = <L extends Layer>(layer: L): string => {
      layers.push(layer);
      shapes.set(layer.output, layer.outShape);
      return layer.output;
    };
    switch (ls.type) {
      case 'conv': {
        const name = nameFor('conv');
        if (inShape.length !== 3) throw new TrainError(`${name}: conv needs a [C, H, W] input, got [${inShape.join(', ')}]`);
        const [c, h, w] = inShape;
        const k = ls.kernel ?? 3;
        const stride = ls.stride ?? 1;
        const pad = ls.pad ?? (k - 1) >> 1;
        const ho = Math.floor((h + 2 * pad - k) / stride) + 1;
        const wo = Math.floor((w + 2 * pad - k) / stride) + 1;
        if (ho < 1 || wo < 1) throw new TrainError(`${name}: kernel ${k} does not fit input [${inShape.join(', ')}]`);
        const bound = 1 / Math.sqrt(c * k * k);
        params.push({ name: `${name}.weight`, shape: [ls.out, c, k, k], trainable: true, init: { kind: 'uniform', bound } });
        const bias = ls.bias ?? true;
        if (bias) params.push({ name: `${name}.bias`, shape: [ls.out], trainable: true, init: { kind: 'uniform', bound } });
        return push({
          kind: 'conv',
          name,
          inputs: [x],
          output: name,
          inShape,
          outShape: [ls.out, ho, wo],
          weight: `${name}.weight`,
          bias: bias ? `${name}.bias` : null,
          kernel: k,
          stride,
          pad,
        });
      }
      case 'dense': {
        const name = nameFor('dense');
        if (inShape.length !== 1)
          throw new TrainError(`${name}: dense needs a flat [F] input (add a flatten), got [${inShape.join(', ')}]`);
        const bound = 1 / Math.sqrt(inShape[0]);
        params.push({ name: `${name}.weight`, shape: [ls.out, inShape[0]], trainable: true, init: { kind: 'uniform', bound } });
        const bias = ls.bias ?? true;
        if (bias) params.push({ name: `${name}.bias`, shape: [ls.out], trainable: true, init: { kind: 'uniform', bound } });
        return push({
          kind: 'dense',
          name,
          inputs: [x],
          output: name,
          inShape,
          outShape: [ls.out],
          weight: `${name}.weight`,
          bias: bias ? `${name}.bias` : null,
        });
      }
      case 'bn': {
        const name = nameFor('bn');
        const c = inShape[0];
        params.push(
          { name: `${name}.weight`, shape: [c], trainable: true, init: { kind: 'const', value: 1 } },
          { name: `${name}.bias`, shape: [c], trainable: true, init: { kind: 'const', value: 0 } },
          { name: `${name}.running_mean`, shape: [c], trainable: false, init: { kind: 'const', value: 0 } },
          { name: `${name}.running_var`, shape: [c], trainable: false, init: { kind: 'const', value: 1 } },
        );
        return push({
          kind: 'bn',
          name,
          inputs: [x],
          output: name,
          inShape,
          outShape: inShape,
          scale: `${name}.weight`,
          bias: `${name}.bias`,
          mean: `${name}.running_mean`,
          variance: `${name}.running_var`,
          eps: ls.eps ?? 1e-5,
          momentum: ls.momentum ?? 0.1,
        });
      }
      case 'act': {
        const name = nameFor('act');
        const lambda = act.kind === 'qcfs' ? `${name}.lambda` : null;
        if (act.kind === 'qcfs')
          params.push({ name: `${name}.lambda`, shape: [1], trainable: true, init: { kind: 'const', value: act.theta } });
        return push({ kind: 'act', name, inputs: [x], output: name, inShape, outShape: inShape, act, lambda });
      }
      case 'avgpool': {
        const name = nameFor('avgpool');
        if (inShape.length !== 3) throw new TrainError(`${name}: avgpool needs a [C, H, W] input`);
        const [c, h, w] = inShape;
        const s = ls.size;
        if (h < s || w < s) throw new TrainError(`${name}: pool ${s} does not fit input [${inShape.join(', ')}]`);
        return push({
          kind: 'avgpool',
          name,
          inputs: [x],
          output: name,
          inShape,
          outShape: [c, Math.floor(h / s), Math.floor(w / s)],
          size: s,
        });
      }
      case 'gap': {
        const name = nameFor('gap');
        if (inShape.length !== 3) throw new TrainError(`${name}: global average pooling needs a [C, H, W] input`);
        return push({ kind: 'gap', name, inputs: [x], output: name, inShape, outShape: [inShape[0], 1, 1] });
      }
      case 'flatten': {
        const name = nameFor('flatten');
        return push({ kind: 'flatten', name, inputs: [x], output: name, inShape, outShape: [inShape.reduce((a, b) => a * b, 1)] });
      }
      case 'dropout': {
        const name = nameFor('dropout');
        if (!(ls.p >= 0 && ls.p < 1)) throw new TrainError(`${name}: dropout probability ${ls.p} is not in [0, 1)`);
        return push({ kind: 'dropout', name, inputs: [x], output: name, inShape, outShape: inShape, p: ls.p });
      }
      case 'residual': {
        let body = x;
        for (const l of ls.body) body = emit(l, body);
        let short = x;
        for (const l of ls.shortcut) short = emit(l, short);
        const a = shapes.get(body)!;
        const b = shapes.get(short)!;
        const name = nameFor('add');
        if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
          throw new TrainError(`${name}: residual branches have shapes [${a.join(', ')}] and [${b.join(', ')}]`);
        }
        return push({ kind: 'add', name, inputs: [body, short], output: name, inShape: a, outShape: a });
      }
    }
  };

  let x = INPUT;
  for (const ls of spec.layers) x = emit(ls, x);
  const out = shapes.get(x)!;
  if (out.length !== 1 || out[0] !== spec.classes) {
    throw new TrainError(`model '${spec.name}' ends in shape [${out.join(', ')}], expected [${spec.classes}] logits`);
  }
  return { spec, act, input: INPUT, output: x, layers, params };
}
