/**
 * The exporter seam: one table, format → { extension, description, notes, write }, like the report
 * writers. `exportSnn(model, format, options)` returns the file's bytes (no file system: the same code
 * runs in a browser); `formatForPath` reads the format from a file name. Every writer refuses what its
 * format cannot express with an `ExportError` naming the node, before any byte exists.
 */
import type { SnnModel } from '../model/snn-model.js';
import { ExportError } from './export-error.js';
import { nirNotes } from './nir/notes.js';
import { writeNir } from './nir/write-nir.js';
import { onnxNotes } from './onnx/notes.js';
import { writeOnnxLoop, writeOnnxStep } from './onnx/write-onnx.js';

export interface ExportOptions {
  /** Time steps of formats that fix them in the file (`onnx`); default `defaultSteps(model)`. */
  readonly T?: number;
  /** SHA-256 (hex) of the file the model was read from, recorded by formats that keep provenance (nir). */
  readonly sourceSha256?: string;
}

/** What a reader of the exported file runs exactly, and what it does not get. */
export interface ExportNotes {
  readonly exact: readonly string[];
  readonly lost: readonly string[];
}

export interface Exporter {
  /** File name ending that selects this format (the longest matching one wins). */
  readonly extension: string;
  readonly description: string;
  notes(model: SnnModel, options: ExportOptions): ExportNotes;
  /** Async: some writers load their encoder on first use (nir: h5wasm's WebAssembly). */
  write(model: SnnModel, options: ExportOptions): Promise<Uint8Array>;
}

export const exporters = {
  onnx: {
    extension: '.onnx',
    description: 'the whole simulation of T steps as one ONNX graph (a Loop over the step), opset 17',
    notes: (model, options) => onnxNotes(model, 'onnx', defaultSteps(model, options)),
    write: async (model, options) => writeOnnxLoop(model, defaultSteps(model, options)),
  },
  'onnx-step': {
    extension: '.step.onnx',
    description: 'one time step as a stateful ONNX graph (states in, states_next out, step index t), opset 17',
    notes: (model, options) => onnxNotes(model, 'onnx-step', defaultSteps(model, options)),
    write: async (model) => writeOnnxStep(model),
  },
  nir: {
    extension: '.nir',
    description: 'NIR graph (HDF5): Conv2d/Affine/SumPool2d/Flatten/IF nodes, θ folded so every IF has v_threshold = 1',
    notes: (model) => nirNotes(model),
    write: async (model, options) => (await writeNir(model, { sourceSha256: options.sourceSha256 })).bytes,
  },
} as const satisfies Readonly<Record<string, Exporter>>;

export type ExportFormat = keyof typeof exporters;

export const exportFormats = Object.keys(exporters) as ExportFormat[];

export function exporterFor(format: string): Exporter {
  if (!Object.hasOwn(exporters, format)) throw new ExportError(`unknown export format '${format}': use one of ${exportFormats.join(', ')}`);
  return exporters[format as ExportFormat];
}

/** The file's bytes in `format`; throws ExportError (naming the node) for what the format cannot express. */
export function exportSnn(model: SnnModel, format: string, options: ExportOptions = {}): Promise<Uint8Array> {
  return exporterFor(format).write(model, options);
}

/** The format a file name asks for: the exporter whose extension is the longest ending of `path`. */
export function formatForPath(path: string): ExportFormat {
  const lower = path.toLowerCase();
  const matches = exportFormats.filter((f) => lower.endsWith(exporters[f].extension));
  if (matches.length === 0) {
    const known = exportFormats.map((f) => `${exporters[f].extension} (${f})`).join(', ');
    throw new ExportError(`cannot tell the export format of '${path}': name it ${known}, or pass --format`);
  }
  return matches.reduce((a, b) => (exporters[b].extension.length > exporters[a].extension.length ? b : a));
}

/** T of formats that fix it: as given, else the model's T_shift (32 unless converted with another). */
export function defaultSteps(model: SnnModel, options: ExportOptions): number {
  return options.T ?? model.conversion.options.tShift;
}
