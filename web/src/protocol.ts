/**
 * The messages between the page and the demo worker: plain structured-cloneable data, one shape
 * per message. The worker runs the pipeline (what `ann2snn demo` does) and reports each stage as it
 * ends; the page only draws. A run ends with exactly one `done` or `error`.
 */

/** A file the user gave (or a bundled asset), as bytes with its name for error messages. */
export interface NamedBytes {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** The two conversions of the demo, in the order they run. */
export const STRATEGIES = ['deng-gu', 'max-norm'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export type DownloadKind = 'snn' | 'report' | 'nir' | 'onnx';

export type PageMessage =
  /** Starts a run: `model` null = the bundled demo model; `data` null = the bundled MNIST. */
  | {
      readonly type: 'run';
      readonly model: NamedBytes | null;
      readonly data: { readonly images: NamedBytes; readonly labels: NamedBytes } | null;
      readonly T: number;
      readonly rasterImage: number;
    }
  /** The raster and membrane trace of another image (after a run). */
  | { readonly type: 'raster'; readonly image: number }
  /** A file of the deng-gu model (after a run). */
  | { readonly type: 'download'; readonly kind: DownloadKind };

export interface LayerRow {
  readonly node: string;
  readonly op: string;
  readonly outputShape: string;
  readonly parameters: number;
  readonly macs: number;
}

export interface Figure {
  /** The report chart's id: raster, membrane, error-causes, rate-histograms, … */
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly svg: string;
}

export interface StrategySummary {
  readonly strategy: StrategyName;
  readonly label: string;
  readonly latency: number | null;
  readonly spikesPerImage: number;
  readonly synopsPerImage: number;
  readonly analogMacsPerImage: number;
  readonly annMacsPerImage: number;
  readonly snnEnergyPerImage: number;
  readonly annEnergyPerImage: number;
  readonly seconds: number;
  readonly engine: string;
  readonly layers: readonly {
    readonly node: string;
    readonly rate: number;
    readonly spikesPerImage: number;
    readonly synopsPerImage: number;
  }[];
}

export type WorkerMessage =
  | { readonly type: 'stage'; readonly stage: string; readonly done: number; readonly total: number }
  | {
      readonly type: 'model';
      readonly source: string;
      readonly input: string;
      readonly layers: readonly LayerRow[];
      readonly simplifiedNodes: number;
    }
  | { readonly type: 'data'; readonly test: string; readonly images: number; readonly calibration: string }
  | {
      readonly type: 'conversion';
      readonly strategy: StrategyName;
      readonly settings: string;
      readonly headers: readonly string[];
      readonly rows: readonly (readonly string[])[];
    }
  | { readonly type: 'ann'; readonly accuracy: number; readonly images: number }
  /** Accuracy at t = 1 … T over the first `images` test images (final when images = total). */
  | {
      readonly type: 'accuracy';
      readonly strategy: StrategyName;
      readonly images: number;
      readonly total: number;
      readonly accuracyAt: readonly number[];
    }
  | { readonly type: 'summary'; readonly summary: StrategySummary }
  | { readonly type: 'figures'; readonly figures: readonly Figure[] }
  | { readonly type: 'download'; readonly kind: DownloadKind; readonly fileName: string; readonly mime: string; readonly bytes: Uint8Array }
  | { readonly type: 'done'; readonly seconds: number }
  /** `message` is the typed error's message, as the CLI prints it after "ann2snn: error: ". */
  | { readonly type: 'error'; readonly name: string; readonly message: string };
