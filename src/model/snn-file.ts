/**
 * The .snn file on disk (Node): saveSnn writes encodeSnn's bytes atomically (temporary file, then
 * rename), loadSnn reads a file and decodes it. The format and its checks live in snn-codec.ts.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../host/write-atomic.js';
import { decodeSnn, encodeSnn, SnnFileError, type SnnFileMeta } from './snn-codec.js';
import type { SnnModel } from './snn-model.js';

/** Refuses to replace an existing file unless `overwrite` (OutputExistsError). */
export async function saveSnn(path: string, model: SnnModel, meta: SnnFileMeta = {}, overwrite = false): Promise<void> {
  await writeFileAtomic(path, encodeSnn(model, meta), overwrite);
}

export async function loadSnn(path: string): Promise<{ model: SnnModel; meta: SnnFileMeta }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new SnnFileError(
      `cannot read '${path}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  return decodeSnn(bytes, path);
}
