/** IDX files on disk (Node): read whole, then parsed and checked by the core (src/data/idx.ts). */
import { readFileSync } from 'node:fs';
import { DataError } from '../../data/dataset.js';
import { idxPair, parseIdxImages, parseIdxLabels, type IdxImages } from '../../data/idx.js';

function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new DataError(`${file}: cannot read (${(e as Error).message})`);
  }
}

export function readIdxImages(file: string): IdxImages {
  return parseIdxImages(readBytes(file), file);
}

export function readIdxLabels(file: string): Uint8Array {
  return parseIdxLabels(readBytes(file), file);
}

/** An images file and its labels file; their counts must agree. */
export function readIdxPair(imagesFile: string, labelsFile: string): { images: IdxImages; labels: Uint8Array } {
  return idxPair(readIdxImages(imagesFile), readIdxLabels(labelsFile), imagesFile, labelsFile);
}
