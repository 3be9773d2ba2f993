/**
 * A converted SNN from a file, by its extension: `.nir` (NIR graph, read back with its metadata) or
 * the native `.snn`. The file's bytes come along so that exports can record where they came from.
 */
import { readFile } from 'node:fs/promises';
import { decodeSnn, SnnFileError, type SnnFileMeta } from '../model/snn-codec.js';
import type { SnnModel } from '../model/snn-model.js';
import { readNir } from '../export/nir/read-nir.js';

export interface LoadedModel {
  readonly model: SnnModel;
  readonly meta: SnnFileMeta;
  readonly bytes: Uint8Array;
}

export async function loadModelFile(path: string): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SnnFileError(
      `cannot read '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`,
    );
  }
  if (path.toLowerCase().endsWith('.nir')) return { model: await readNir(bytes, path), meta: { source: path }, bytes };
  return { ...decodeSnn(bytes, path), bytes };
}
