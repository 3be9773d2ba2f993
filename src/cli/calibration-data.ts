/**
 * Which images calibrate a model, and which evaluate it, when the user names none. Thresholds are
 * only as good as their calibration data, and an ONNX file does not say what its model was trained
 * on (a Fashion-MNIST model has MNIST's shape), so nothing is guessed:
 *   1. the flag, when given (--calib; for `report`, --data stands for both);
 *   2. the data named by the recipe `ann2snn train` writes beside its model (`<name>.recipe.json`;
 *      the bundled demo model has one, naming 'mnist');
 *   3. otherwise the command refuses (DataError naming the model and the flag).
 * A converted model records its calibration data (`calibrationData` in the .snn metadata); simulate
 * and report evaluate it on that data by default.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkInputShape, DataError, type Dataset, type Graph, type SnnFileMeta, type SnnModel } from '../index.js';
import { recipePath } from '../train/index.js';

export interface DataChoice {
  /** A data set spec as openDataset takes it. */
  readonly spec: string;
  /** How it was chosen, for the outputs: "--calib", "the recipe models/x.recipe.json", … */
  readonly chosenBy: string;
}

/** The training data named by the model's recipe, or null when there is no readable recipe naming one. */
export function recipeData(model: string): DataChoice | null {
  const path = recipePath(model);
  if (!existsSync(path)) return null;
  try {
    const recipe: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof recipe !== 'object' || recipe === null) return null;
    const { format, data } = recipe as { format?: unknown; data?: unknown };
    if (format !== 'ann2snn-train-recipe' || typeof data !== 'string' || data.length === 0) return null;
    return { spec: data, chosenBy: `the recipe ${path}` };
  } catch {
    return null; // an unreadable recipe names nothing: the user is asked for the flag
  }
}

/** Calibration data for an ONNX model: the flag, else its recipe's data, else a DataError. */
export function chooseCalibrationData(model: string, given: string | undefined, flag: string): DataChoice {
  if (given !== undefined) return { spec: given, chosenBy: flag };
  const fromRecipe = recipeData(model);
  if (fromRecipe) return fromRecipe;
  throw new DataError(
    `${model}: which data calibrates its thresholds? Nothing records what it was trained on (no ${recipePath(model)}); name it with ${flag} mnist | fashion-mnist | <IDX or CIFAR-10 directory>`,
  );
}

/**
 * Evaluation data for a converted model: the flag, else the data its file records, else the bundled
 * MNIST digits (a file from elsewhere records none; the outputs say that this was a default).
 */
export function chooseEvaluationData(given: string | undefined, recorded: unknown, flag: string): DataChoice {
  if (given !== undefined) return { spec: given, chosenBy: flag };
  if (typeof recorded === 'string' && recorded.length > 0) return { spec: recorded, chosenBy: 'the data the model was calibrated on' };
  return { spec: 'mnist', chosenBy: `default: nothing records the model's data; choose with ${flag}` };
}

/** A data set named for the record: the bundled names as they are, a directory as an absolute path (exports run elsewhere). */
export function datasetSpec(spec: string): string {
  return spec === 'mnist' || spec === 'fashion-mnist' ? spec : resolve(spec);
}

/** "mnist (bundled, train), 5000 images (chosen by --calib)": where thresholds came from (data set names carry their split). */
export function describeCalibration(data: Dataset, images: number, choice: DataChoice): string {
  return `${data.name}, ${images} images (chosen by ${choice.chosenBy})`;
}

/** The model with `description` recorded as the images its thresholds came from (ConversionInfo.calibrationData). */
export function recordCalibrationData(snn: SnnModel, description: string): SnnModel {
  return { ...snn, conversion: { ...snn.conversion, calibrationData: description } };
}

/** A .snn written before conversions recorded their calibration data: its metadata's `calibration` says it. */
export function withRecordedCalibration(snn: SnnModel, meta: SnnFileMeta): SnnModel {
  if (snn.conversion.calibrationData !== undefined || typeof meta.calibration !== 'string') return snn;
  return recordCalibrationData(snn, meta.calibration);
}

/** checkInputShape, with what to do about a mismatch: the GraphError names both shapes and the flag. */
export function checkDataFits(graph: Graph, data: Dataset, flag: string): void {
  try {
    checkInputShape(graph, data);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    error.message += `; choose data of the model's shape with ${flag} (mnist and fashion-mnist: [N, 1, 28, 28]; CIFAR-10: [N, 3, 32, 32]; or an IDX directory)`;
    throw error;
  }
}
