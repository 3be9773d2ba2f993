/**
 * The run's inputs as the core takes them: the ONNX model (the bundled demo model or the user's
 * file) and the calibration and test data (the bundled MNIST splits, or the user's IDX pair for
 * both). Errors are the core's typed errors, naming the file as the CLI names a path.
 */
import { bundledMnist, idxDataset, idxPair, parseIdxImages, parseIdxLabels, type InMemoryDataset } from '../../../src/core.js';
import { assetUrl, fetchBytes } from '../../host/assets.js';
import type { NamedBytes } from '../protocol.js';

export const DEMO_MODEL = 'demo-mnist.onnx';

export interface RunData {
  readonly train: InMemoryDataset;
  readonly test: InMemoryDataset;
  /** Why these images: ends the "thresholds from" line as `describeCalibration` does. */
  readonly chosenBy: string;
  /** The data as `openDataset` names it ('mnist'), recorded in the .snn so the CLI evaluates on it; null for the user's IDX files. */
  readonly spec: string | null;
}

/** The model's bytes and the name errors give it. */
export async function modelBytes(given: NamedBytes | null): Promise<NamedBytes> {
  return given ?? { name: DEMO_MODEL, bytes: await fetchBytes(assetUrl(DEMO_MODEL)) };
}

/**
 * Bundled MNIST (train calibrates, test evaluates) unless the user gave an IDX pair: then its images
 * serve both (the first calibration images calibrate, all of them evaluate).
 */
export function runData(given: { readonly images: NamedBytes; readonly labels: NamedBytes } | null, demoModel: boolean): RunData {
  if (given === null) {
    return {
      train: bundledMnist('train'),
      test: bundledMnist('test'),
      chosenBy: demoModel ? `the recipe ${DEMO_MODEL.replace(/\.onnx$/, '.recipe.json')}` : 'default: no IDX files given',
      spec: 'mnist',
    };
  }
  const data = userIdxDataset(given.images, given.labels);
  return { train: data, test: data, chosenBy: 'the IDX files given', spec: null };
}

/** An IDX images file and its labels file (raw or gzip) as one data set, as `openDataset` reads a directory's pair. */
function userIdxDataset(imagesFile: NamedBytes, labelsFile: NamedBytes): InMemoryDataset {
  const { images, labels } = idxPair(
    parseIdxImages(imagesFile.bytes, imagesFile.name),
    parseIdxLabels(labelsFile.bytes, labelsFile.name),
    imagesFile.name,
    labelsFile.name,
  );
  return idxDataset(imagesFile.name, images, labels);
}
