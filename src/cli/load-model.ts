/**
 * A converted SNN from a file: a NIR graph (HDF5, recognised by its signature whatever the file is
 * called; read back with its metadata) or the native `.snn`. The bytes come along so that exports
 * can record where they came from.
 */
import { readInput } from '../node/read-input.js';
import { decodeNirGuarded } from '../node/nir-decode-guarded.js';
import { decodeSnn, readNir, SnnFileError, type SnnFileMeta, type SnnModel } from '../index.js';

export interface LoadedModel {
  readonly model: SnnModel;
  readonly meta: SnnFileMeta;
  readonly bytes: Uint8Array;
}

/** The first 8 bytes of every HDF5 file (a superblock at offset 0, as h5wasm and h5py write it). */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export async function loadModelFile(path: string): Promise<LoadedModel> {
  const bytes = await readInput(path, (message) => new SnnFileError(message));
  if (HDF5_SIGNATURE.every((b, i) => bytes[i] === b)) {
    // In a worker under a watchdog: a corrupt file can send the HDF5 library into a loop.
    return { model: await readNir(bytes, path, { decode: decodeNirGuarded }), meta: { source: path }, bytes };
  }
  return { ...decodeSnn(bytes, path), bytes };
}
