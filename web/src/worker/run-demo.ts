/**
 * The demo pipeline in the worker, as `ann2snn demo` runs it: calibrate on 2000 calibration images,
 * convert with deng-gu (v(0) = θ/2) and max-norm (no shift), evaluate both on every test image at
 * T steps with the event engine; then the report of the deng-gu model (layer error, raster and
 * membrane trace of one image). Each stage is posted as it ends; the session it returns serves the
 * page's later requests (another raster image, downloads).
 */
import {
  buildReport,
  calibrate,
  conversionSettings,
  convertToSnn,
  createOrtBackend,
  DataError,
  defaultConversionOptions,
  evaluateAnn,
  formatShape,
  importOnnx,
  nodeCosts,
  settingsLine,
  simplifyGraph,
  summarizeConversion,
  thresholdRows,
  type Backend,
  type ConversionOptions,
  type Dataset,
  type Report,
  type SnnEvaluation,
  type SnnModel,
} from '../../../src/core.js';
import type { PageMessage, StrategyName, StrategySummary, WorkerMessage } from '../protocol.js';
import { modelBytes, runData } from './inputs.js';
import { renderFigures } from './figures.js';
import { evaluateSnnSliced } from './sliced-evaluation.js';

/** Calibration images, as `ann2snn demo`'s --calib-limit default. */
const CALIBRATION_IMAGES = 2000;

/** The demo's two conversions (src/cli/commands/demo.ts). */
const CONVERSIONS: readonly { strategy: StrategyName; label: string; options: ConversionOptions }[] = [
  { strategy: 'deng-gu', label: 'deng-gu (v0 = θ/2)', options: { ...defaultConversionOptions, strategy: 'deng-gu', shift: 'v0' } },
  { strategy: 'max-norm', label: 'max-norm', options: { ...defaultConversionOptions, strategy: 'max-norm', shift: 'none' } },
];

export interface DemoSession {
  readonly backend: Backend;
  /** The model's name ('demo-mnist.onnx' or the user's file name). */
  readonly source: string;
  /** The deng-gu model: what the downloads and the report are of. */
  readonly model: SnnModel;
  readonly test: Dataset;
  readonly thresholdsFrom: string;
  /** The calibration data as the CLI names it, or null (see RunData.spec). */
  readonly dataSpec: string | null;
  report: Report;
}

type RunRequest = Extract<PageMessage, { type: 'run' }>;

export async function runDemo(request: RunRequest, post: (message: WorkerMessage) => void): Promise<DemoSession> {
  const progress = (stage: string) => (done: number, total: number) => post({ type: 'stage', stage, done, total });
  progress('load')(0, 1);
  const file = await modelBytes(request.model);
  const graph = importOnnx(file.bytes, file.name);
  const ann = simplifyGraph(graph);
  post({
    type: 'model',
    source: file.name,
    input: `'${graph.input.name}' ${formatShape(graph.input.shape)}`,
    layers: nodeCosts(graph).map((c) => ({ ...c, outputShape: formatShape(['N', ...c.outputShape]) })),
    simplifiedNodes: ann.nodes.length,
  });
  const { train, test, chosenBy, spec } = runData(request.data, request.model === null);
  // Checked now, not after the simulations: recordRaster would refuse it only at the end.
  if (request.rasterImage >= test.size) {
    throw new DataError(`raster image ${request.rasterImage} is outside data set '${test.name}' (${test.size} images)`);
  }

  const backend = createOrtBackend({ threads: 2, offThread: 'auto' });
  const stats = await calibrate(backend, ann, train, { limit: CALIBRATION_IMAGES, onProgress: progress('calibrate') });
  const thresholdsFrom = `${train.name}, ${stats.images} images (chosen by ${chosenBy})`;
  post({ type: 'data', test: test.name, images: test.size, calibration: thresholdsFrom });

  const { predictions: _p, ...annResult } = await evaluateAnn(backend, ann, test, { onProgress: progress('ann') });
  post({ type: 'ann', accuracy: annResult.accuracy, images: annResult.images });

  const runs: { model: SnnModel; evaluation: SnnEvaluation }[] = [];
  for (const c of CONVERSIONS) {
    const converted = convertToSnn(ann, stats, c.options);
    const snn = { ...converted, conversion: { ...converted.conversion, calibrationData: thresholdsFrom } };
    const summary = summarizeConversion(snn.conversion);
    const table = thresholdRows(summary);
    post({ type: 'conversion', strategy: c.strategy, settings: settingsLine(conversionSettings(summary)), ...table });
    const evaluation = await evaluateSnnSliced(backend, snn, test, annResult, {
      T: request.T,
      onProgress: progress(c.strategy),
      onSlice: (correctAt, images, total) =>
        post({ type: 'accuracy', strategy: c.strategy, images, total, accuracyAt: Array.from(correctAt, (n) => n / images) }),
    });
    post({ type: 'summary', summary: strategySummary(c.strategy, c.label, evaluation) });
    runs.push({ model: snn, evaluation });
  }

  const [dengGu] = runs;
  const report = await buildReport(backend, dengGu.model, test, {
    T: request.T,
    source: file.name,
    split: request.data === null ? 'test' : null,
    evaluation: dengGu.evaluation,
    exitCurve: false,
    raster: { image: request.rasterImage },
    onProgress: (stage, done, total) => progress(stage)(done, total),
  });
  post({ type: 'figures', figures: await renderFigures(report) });
  return { backend, source: file.name, model: dengGu.model, test, thresholdsFrom, dataSpec: spec, report };
}

function strategySummary(strategy: StrategyName, label: string, e: SnnEvaluation): StrategySummary {
  const c = e.cost;
  return {
    strategy,
    label,
    latency: e.latency,
    spikesPerImage: c.spikesPerImage,
    synopsPerImage: c.synopsPerImage,
    analogMacsPerImage: c.analogMacsPerImage,
    annMacsPerImage: c.annMacsPerImage,
    snnEnergyPerImage: c.snnEnergyPerImage,
    annEnergyPerImage: c.annEnergyPerImage,
    seconds: e.snn.seconds,
    engine: e.snn.engine,
    layers: c.layers.map((l) => ({ node: l.node, rate: l.rate, spikesPerImage: l.spikesPerImage, synopsPerImage: l.synopsPerImage })),
  };
}
