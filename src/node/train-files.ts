/**
 * Training on Node: trainModel is the core's trainWith with the file steps read from and written to
 * disk (datasets through openDataset, checkpoints and outputs written atomically).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../train/checkpoint.js';
import { TrainError } from '../train/network.js';
import { recipePath, trainWith, type TrainFiles, type TrainHooks, type TrainOptions, type TrainResult } from '../train/train.js';
import { openDataset } from './data/open-dataset.js';
import { readOnnxFile } from './onnx-file.js';
import { OutputExistsError, writeFileAtomic } from './write-atomic.js';

export async function saveCheckpoint(path: string, ...args: Parameters<typeof encodeCheckpoint>): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(...args), true);
}

export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new TrainError(`cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  return decodeCheckpoint(bytes, path);
}

/**
 * Without --force, none of the files a run writes may exist (the model, its recipe, and the
 * checkpoint, unless it is the one being resumed).
 */
function refuseExistingOutputs(options: TrainOptions): void {
  if (options.force || options.output === undefined) return;
  const checkpoint = options.checkpoint ?? `${options.output}.ckpt`;
  const resumed = options.resume !== undefined && resolve(options.resume) === resolve(checkpoint);
  for (const path of [options.output, recipePath(options.output), ...(resumed ? [] : [checkpoint])]) {
    if (existsSync(path)) throw new OutputExistsError(`'${path}' already exists; pass --force to overwrite it`);
  }
}

export const nodeTrainFiles: TrainFiles = {
  refuseExistingOutputs,
  loadCheckpoint,
  openDataset: (spec, split) => openDataset(spec, { split }),
  readOnnx: async (path) => ({ graph: await readOnnxFile(path), fileName: basename(path) }),
  saveCheckpoint,
  writeFile: writeFileAtomic,
};

/** Trains (see TrainOptions), reading and writing the run's files on disk. */
export function trainModel(options: TrainOptions = {}, hooks: TrainHooks = {}): Promise<TrainResult> {
  return trainWith(nodeTrainFiles, options, hooks);
}
