/**
 * The .snn file on disk (Node): saveSnn writes encodeSnn's bytes atomically (temporary file, then
 * rename), loadSnn reads a file and decodes it. The format and its checks live in snn-codec.ts.
 */
import { readInput } from './read-input.js';
import { writeFileAtomic } from './write-atomic.js';
import { decodeSnn, encodeSnn, SnnFileError, type SnnFileMeta } from '../model/snn-codec.js';
import type { SnnModel } from '../model/snn-model.js';

/** Refuses to replace an existing file unless `overwrite` (OutputExistsError). */
export async function saveSnn(path: string, model: SnnModel, meta: SnnFileMeta = {}, overwrite = false): Promise<void> {
  await writeFileAtomic(path, encodeSnn(model, meta), overwrite);
}

export async function loadSnn(path: string): Promise<{ model: SnnModel; meta: SnnFileMeta }> {
  return decodeSnn(await readInput(path, (message) => new SnnFileError(message)), path);
}
