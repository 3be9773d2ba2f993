/**
 * writeNir(model) → NIR bytes (HDF5). The SNN is checked (check-exportable.ts: refusals name the
 * node), normalized to θ = 1 (normalize-snn.ts) and emitted (emit-nir.ts); what NIR cannot say goes
 * to `warnings`/`notes` and into the graph's `metadata` group:
 *   generator, reset, v_init, shift, T_shift, readout, readout_note, source_sha256, time_step,
 *   conversion (the ConversionInfo as JSON, θ per layer as converted), warnings.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { nirWarnings, readoutNote, resetNote, TIME_STEP_NOTE, vInit } from './notes.js';
import type { SnnModel } from '../../model/snn-model.js';
import type { Graph } from '../../ir/graph.js';
import { checkNirExportable } from './check-exportable.js';
import { emitNir } from './emit-nir.js';
import { encodeNir } from './hdf5-codec.js';
import { NIR_VERSION, type NirGraph, type NirMetadataValue } from './nir-graph.js';
import { normalizeForNir } from './normalize-snn.js';

export interface NirWriteOptions {
  /** SHA-256 (hex) of the file the model came from; default: a digest of the SNN graph itself. */
  readonly sourceSha256?: string;
}

export interface NirLowering {
  readonly graph: NirGraph;
  /** What a reader of the file loses against the SNN as converted (v(0) = θ/2). */
  readonly warnings: readonly string[];
  /** What a reader must know (reset, readout, time step). */
  readonly notes: readonly string[];
}

export interface NirFile extends Omit<NirLowering, 'graph'> {
  readonly bytes: Uint8Array;
}

export async function writeNir(model: SnnModel, options: NirWriteOptions = {}): Promise<NirFile> {
  const { graph, warnings, notes } = snnToNir(model, options);
  return { bytes: await encodeNir(graph, NIR_VERSION), warnings, notes };
}

/** The NIR graph of an SNN, without HDF5 (pure; throws NirExportError before anything is written). */
export function snnToNir(model: SnnModel, options: NirWriteOptions = {}): NirLowering {
  checkNirExportable(model);
  const { graph, sumPools } = normalizeForNir(model);
  const { nodes, edges } = emitNir(graph, sumPools);
  const o = model.conversion.options;
  const warnings = nirWarnings(o, model.conversion.calibration);
  const notes = [resetNote(o), readoutNote(o.readout), TIME_STEP_NOTE];
  const metadata: Record<string, NirMetadataValue> = {
    generator: 'ann2snn',
    reset: o.reset,
    v_init: vInit(o, model.conversion.calibration),
    shift: o.shift,
    T_shift: o.tShift,
    readout: o.readout,
    readout_note: readoutNote(o.readout),
    source_sha256: options.sourceSha256 ?? graphDigest(model.graph),
    time_step: notes[2],
    conversion: JSON.stringify(model.conversion),
    warnings: warnings.join('\n'),
  };
  return { graph: { nodes, edges, metadata }, warnings, notes };
}

/** SHA-256 over the graph's structure (tensors as shapes) and then every tensor's float32 bytes. */
function graphDigest(graph: Graph): string {
  const hash = sha256.create();
  const tensors: Float32Array[] = [];
  const structure = JSON.stringify(graph, (_key, value: unknown) => {
    if (value instanceof Float32Array) {
      tensors.push(value);
      return value.length;
    }
    return value;
  });
  hash.update(utf8ToBytes(structure));
  for (const t of tensors) hash.update(new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
  return bytesToHex(hash.digest());
}
