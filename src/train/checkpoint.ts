/**
 * Training checkpoints: enough to resume a run exactly (same bits with a fixed thread count).
 *
 * File format (little-endian):
 *   bytes 0–7     magic "A2SCKPT1"
 *   bytes 8–11    u32 H: length of the JSON header in bytes
 *   bytes 12…     the header, UTF-8 JSON (CheckpointHeader), then zero padding to a multiple of 4
 *   then          the float32 blobs, back to back, at the offsets the header gives (in floats,
 *                 counted from the start of the blob area)
 *
 * The header holds the model spec, the activation, the run configuration, the number of completed
 * epochs, the optimizer step count, the RNG state and a table of tensors (parameters, BatchNorm
 * running statistics, optimizer slots). Every random stream is derived from (seed, epoch, batch),
 * so the RNG state is the seed and the next epoch. The file on disk (written to a temporary file
 * and renamed) is the host's: src/node/train-files.ts.
 */
import type { ModelSpec, ActivationSpec } from './spec.js';
import type { OptimizerState } from './optim.js';
import type { ParamStore } from './params.js';
import { TrainError } from './network.js';

const MAGIC = 'A2SCKPT1';

export interface CheckpointTensor {
  readonly name: string;
  readonly kind: 'param' | 'slot';
  readonly length: number;
  /** In floats from the start of the blob area. */
  readonly offset: number;
}

export interface CheckpointHeader {
  readonly format: 'ann2snn-train-checkpoint';
  readonly version: 1;
  readonly spec: ModelSpec;
  readonly act: ActivationSpec;
  /** The run configuration (the recipe fields known before training ends). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Completed epochs: training resumes at this epoch index. */
  readonly epoch: number;
  readonly optimizerStep: number;
  readonly rng: { readonly seed: number; readonly nextEpoch: number };
  /** Per completed epoch: test accuracy and seconds of training. */
  readonly history: readonly { readonly epoch: number; readonly testAccuracy: number; readonly seconds: number }[];
  readonly tensors: readonly CheckpointTensor[];
}

export interface Checkpoint {
  readonly header: CheckpointHeader;
  readonly params: ParamStore;
  readonly optimizer: OptimizerState;
}

export function encodeCheckpoint(
  header: Omit<CheckpointHeader, 'tensors' | 'format' | 'version' | 'optimizerStep'>,
  params: ParamStore,
  optimizer: OptimizerState,
): Uint8Array {
  const tensors: CheckpointTensor[] = [];
  const blobs: Float32Array[] = [];
  let offset = 0;
  const add = (name: string, kind: 'param' | 'slot', data: Float32Array): void => {
    tensors.push({ name, kind, length: data.length, offset });
    blobs.push(data);
    offset += data.length;
  };
  for (const [name, data] of params) add(name, 'param', data);
  for (const [name, data] of optimizer.slots) add(name, 'slot', data);
  const full: CheckpointHeader = {
    format: 'ann2snn-train-checkpoint',
    version: 1,
    ...header,
    optimizerStep: optimizer.step,
    tensors,
  };
  const json = new TextEncoder().encode(JSON.stringify(full));
  const headerEnd = 12 + json.length;
  const blobStart = Math.ceil(headerEnd / 4) * 4;
  const bytes = new Uint8Array(blobStart + offset * 4);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(8, json.length, true);
  bytes.set(json, 12);
  const floats = new Float32Array(bytes.buffer, blobStart, offset);
  for (const [i, t] of tensors.entries()) floats.set(blobs[i], t.offset);
  return bytes;
}

export function decodeCheckpoint(bytes: Uint8Array, source = '<bytes>'): Checkpoint {
  const fail = (why: string): TrainError => new TrainError(`${source}: not a training checkpoint (${why})`);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw fail('bad magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(8, true);
  if (12 + length > bytes.length) throw fail('truncated header');
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as CheckpointHeader;
  } catch (e) {
    throw fail(`header is not JSON: ${(e as Error).message}`);
  }
  if (header.format !== 'ann2snn-train-checkpoint' || header.version !== 1)
    throw fail(`unknown format ${header.format} v${header.version}`);
  const blobStart = Math.ceil((12 + length) / 4) * 4;
  const total = header.tensors.reduce((a, t) => Math.max(a, t.offset + t.length), 0);
  if (blobStart + total * 4 > bytes.length) throw fail(`truncated: needs ${blobStart + total * 4} bytes, has ${bytes.length}`);
  // Copy into a fresh, aligned buffer: the bytes may sit at any offset of a larger (pooled) buffer,
  // and Buffer.slice would not copy.
  const blob = new Uint8Array(total * 4);
  blob.set(bytes.subarray(blobStart, blobStart + total * 4));
  const floats = new Float32Array(blob.buffer);
  const params: ParamStore = new Map();
  const slots = new Map<string, Float32Array>();
  for (const t of header.tensors) {
    const data = floats.slice(t.offset, t.offset + t.length);
    (t.kind === 'param' ? params : slots).set(t.name, data);
  }
  return { header, params, optimizer: { step: header.optimizerStep, slots } };
}
