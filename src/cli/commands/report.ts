import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Option, type Command } from 'commander';
import {
  applicableStrategies,
  buildReport,
  calibrate,
  convertToSnn,
  defaultEnergy,
  directEncoder,
  loadAnn,
  neuronKind,
  neuronKinds,
  openDataset,
  OutputExistsError,
  poissonEncoder,
  ReportError,
  reportJson,
  reportText,
  strategyVariants,
  writeReport,
  writerFor,
  type ActivationStats,
  type Backend,
  type CalibrationMode,
  type Dataset,
  type Encoder,
  type ReportStage,
  type ResetMode,
  type SnnEvaluation,
  type SnnModel,
  type SpikePrecision,
} from '../../index.js';
import {
  batchSize,
  chunkSteps,
  commaList,
  makeBackend,
  nonNegativeInt,
  oneOf,
  positiveInt,
  positiveNumber,
  seedValue,
  threadCount,
  timeSteps,
  type BackendFlags,
} from '../options.js';
import { loadModelFile } from '../load-model.js';
import { renderSvg, reportCharts } from '../../report/charts.js';
import type { Report } from '../../report/schema.js';
import { writeFileAtomic } from '../../node/write-atomic.js';
import { progressBar, type Progress } from '../progress.js';
import { addCalibrationOptions, addConversionOptions, calibrationStep, conversionOptionsFrom } from './convert.js';
import {
  checkDataFits,
  chooseCalibrationData,
  chooseEvaluationData,
  describeCalibration,
  recordCalibrationData,
  withRecordedCalibration,
} from '../calibration-data.js';

interface Flags extends BackendFlags {
  data?: string;
  split: 'train' | 'test' | 'all';
  limit?: number;
  calib?: string;
  calibSplit: 'train' | 'test' | 'all';
  calibLimit: number;
  strategies?: string[];
  resets: string[];
  compare: boolean;
  T: number;
  chunk?: number;
  batch: number;
  errorImages: number;
  errorT?: string[];
  rasterImage: number;
  encoder: 'direct' | 'poisson';
  seed: number;
  eAc: number;
  eMac: number;
  output?: string;
  exitChart?: string;
  force?: boolean;
  json?: boolean;
  // conversion flags (addConversionOptions)
  strategy: string;
  shift: 'v0' | 'bias' | 'none';
  tShift: number;
  reset: 'soft' | 'hard';
  readout: 'accumulate' | 'spikes';
  percentile: number;
  thresholdScope: 'layer' | 'channel';
  burst: number;
  neuron: string;
  targetT?: number;
  neurons?: string[];
  // --strategy calibrated's corrections (addCalibrationOptions)
  calibration: CalibrationMode;
  calibrationImages: number;
}

const conversionFlags = ['strategy', 'shift', 'tShift', 'reset', 'readout', 'percentile', 'thresholdScope', 'burst', 'neuron', 'targetT'];

export function registerReport(program: Command): void {
  const command = addCalibrationOptions(
    addConversionOptions(
      program
        .command('report')
        .description(
          'analyse a conversion: accuracy against T for several strategies and reset modes, layer-wise error by cause, firing rates, synops, energy, a spike raster; as a table, JSON or a self-contained HTML file',
        )
        .argument('<model>', 'ONNX file (converted here with the conversion flags) or a .snn file'),
    ),
  )
    .option(
      '--data <spec>',
      "'mnist' (bundled), 'fashion-mnist', an IDX directory or a CIFAR-10 binary directory; default: an ONNX model's recipe data (<name>.recipe.json), a .snn's calibration data",
    )
    .option('--split <split>', 'train | test | all', oneOf('train', 'test', 'all'), 'test')
    .option('--limit <n>', 'evaluate on the first n images', positiveInt)
    .option('--calib <spec>', 'calibration data (default: --data, else as --data)')
    .option('--calib-split <split>', 'train | test | all', oneOf('train', 'test', 'all'), 'train')
    .option('--calib-limit <n>', 'calibration images', positiveInt, 5000)
    .addOption(
      new Option(
        '--strategies <list>',
        "conversions to compare: name, name:shift (bare 'deng-gu' = bias and v0) or calibrated@T (its target T; bare: --target-T); default: every one that applies (deng-gu, max-norm, percentile; qcfs on a QCFS net; calibrated with --target-T)",
      ).argParser(commaList),
    )
    .addOption(new Option('--resets <list>', 'reset modes to compare').argParser(commaList).default(['soft', 'hard'], 'soft,hard'))
    .addOption(new Option('--neurons <list>', "neuron kinds to compare, or 'all' (default: --neuron)").argParser(commaList))
    .option('--no-compare', 'skip the strategy comparison')
    .option('--T <n>', 'time steps', timeSteps, 64)
    .option(
      '--chunk <n>',
      'dense engine: time steps per chunk (memory ∝ chunk; default: what keeps a chunk of a layer within 8 MiB, 1–8)',
      chunkSteps,
    )
    .option('--batch <n>', 'images per batch', batchSize, 50)
    .option('--error-images <n>', 'images for the layer-wise error (0 = skip)', nonNegativeInt, 100)
    .option('--error-T <list>', 'T values for the layer-wise error (default T/8,T/4,T/2,T)', commaList)
    .option('--raster-image <i>', 'image (index in the split) for the spike raster and membrane trace', nonNegativeInt, 0)
    .option('--encoder <name>', 'direct (analog current) | poisson (Bernoulli spikes)', oneOf('direct', 'poisson'), 'direct')
    .option('--seed <n>', 'seed of the poisson encoder', seedValue, 0)
    .option('--e-ac <pJ>', 'energy per accumulate, pJ', positiveNumber, defaultEnergy.eAc * 1e12)
    .option('--e-mac <pJ>', 'energy per multiply-accumulate, pJ', positiveNumber, defaultEnergy.eMac * 1e12)
    .option('--backend <name>', 'ort | reference', oneOf('ort', 'reference'), 'ort')
    .option('--threads <n>', 'ONNX Runtime threads', threadCount, 2)
    .option('-o, --output <file>', 'write the report: .html (self-contained, plots), .json (schema ann2snn-report/1) or .txt')
    .option('--exit-chart <file.svg>', 'also write the early-exit plot (accuracy against mean steps and synops per image) as an SVG file')
    .option('--force', 'overwrite the output files')
    .option('--json', 'print the report as JSON instead of tables');
  command.action(async (model: string, flags: Flags) => {
    if (flags.output) await checkReportTarget(flags.output, flags.force);
    if (flags.exitChart) await checkSvgTarget(flags.exitChart, flags.force);
    const resets = flags.resets.map((r) => {
      if (r !== 'soft' && r !== 'hard') throw new ReportError(`--resets: expected soft and/or hard, got '${r}'`);
      return r as ResetMode;
    });
    const errorT = flags.errorT?.map((t) => {
      const n = Number(t);
      if (!Number.isInteger(n) || n < 1 || n > flags.T) throw new ReportError(`--error-T: expected integers in 1..${flags.T}, got '${t}'`);
      return n;
    });
    const isSnn = ['.snn', '.nir'].includes(extname(model).toLowerCase());
    const explicit = conversionFlags.filter((f) => command.getOptionValueSource(f) === 'cli');
    if (isSnn && explicit.length > 0) {
      throw new ReportError(
        `${model} is already converted: the conversion flags (${explicit.map(flagName).join(', ')}) apply to an ONNX model`,
      );
    }
    const base = conversionOptionsFrom(flags);
    const neurons = flags.neurons?.includes('all') ? Object.keys(neuronKinds) : (flags.neurons ?? [base.neuron]);
    for (const name of neurons) neuronKind(name); // an unknown name fails before any work
    // Given strategies are checked before any work; the default list depends on the model.
    const given = flags.compare && flags.strategies ? strategyVariants(flags.strategies, resets, base, neurons) : null;
    const backend = makeBackend(flags);
    const file = isSnn ? await loadModelFile(model) : null;
    const loaded = file && withRecordedCalibration(file.model, file.meta);
    const ann = loaded ? loaded.ann : await loadAnn(model);
    // An ONNX model calibrates on --calib, --data or its recipe's data; a converted one names its own.
    const calibFlag = flags.calib !== undefined ? '--calib' : '--data';
    const calibChoice = loaded
      ? chooseEvaluationData(flags.calib ?? flags.data, file?.meta.calibrationData, calibFlag)
      : chooseCalibrationData(model, flags.calib ?? flags.data, calibFlag);
    const dataChoice =
      flags.data !== undefined || loaded ? chooseEvaluationData(flags.data, file?.meta.calibrationData, '--data') : calibChoice;
    const data = openDataset(dataChoice.spec, { split: flags.split });
    checkDataFits(ann, data, '--data');
    if (flags.rasterImage >= data.size)
      throw new ReportError(`--raster-image ${flags.rasterImage}: ${data.name} has ${data.size} images (0..${data.size - 1})`);
    const calibData = openDataset(calibChoice.spec, { split: flags.calibSplit });
    checkDataFits(ann, calibData, '--calib');
    const progress = stagedProgress(flags.json === true);
    let stats: ActivationStats | null = null;
    if (flags.compare || !loaded) {
      stats = await calibrate(backend, ann, calibData, {
        limit: flags.calibLimit,
        onProgress: (d, t) => progress.update('calibrate', d, t),
      });
    }
    const variants = flags.compare ? (given ?? strategyVariants(applicableStrategies(ann, base), resets, base, neurons)) : null;
    const refine = calibrationStep(backend, calibData, flags, (label, d, t) => progress.update(label, d, t));
    const thresholdsFrom = stats && describeCalibration(calibData, stats.images, calibChoice);
    const snn = loaded ?? recordCalibrationData(await refine(convertToSnn(ann, stats, base)), thresholdsFrom!);
    const report = await buildReport(backend, snn, data, {
      T: flags.T,
      source: model,
      split: flags.split,
      limit: flags.limit,
      batchSize: flags.batch,
      chunk: flags.chunk,
      encoder: encoderFrom(flags),
      energy: { eAc: flags.eAc * 1e-12, eMac: flags.eMac * 1e-12 },
      layerError: flags.errorImages === 0 ? false : { images: flags.errorImages, T: errorT },
      comparison: variants && stats ? { stats, variants, refine } : undefined,
      raster: { image: flags.rasterImage },
      onProgress: (stage, done, total, detail) => progress.update(detail ? `${stage}: ${detail}` : stage, done, total),
    });
    progress.stop();
    if (flags.output) await writeReport(flags.output, report, flags.force);
    if (flags.exitChart) await writeExitChart(flags.exitChart, report, flags.force);
    if (flags.json) console.log(reportJson(report).trimEnd());
    else {
      console.log(reportText(report));
      if (flags.output) console.log(`\nwrote ${flags.output}`);
    }
  });
}

async function checkSvgTarget(path: string, force = false): Promise<void> {
  if (extname(path).toLowerCase() !== '.svg') throw new ReportError(`--exit-chart writes SVG: '${path}' does not end in .svg`);
  if (force) return;
  if (
    await stat(path).then(
      () => true,
      () => false,
    )
  )
    throw new OutputExistsError(`'${path}' already exists; pass --force to overwrite it`);
}

async function writeExitChart(path: string, report: Report, force = false): Promise<void> {
  const chart = reportCharts(report).find((c) => c.id === 'exit-latency');
  if (!chart) throw new ReportError(`no early-exit plot to write to '${path}': ${report.exitNote ?? 'no exit curve'}`);
  await writeFileAtomic(path, await renderSvg(chart.spec), force);
}

function flagName(camel: string): string {
  return `--${camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function encoderFrom(flags: { encoder: 'direct' | 'poisson'; seed: number }): Encoder {
  return flags.encoder === 'poisson' ? poissonEncoder(flags.seed) : directEncoder;
}

/** Fails before any work when the report could not be written: unknown format, or an existing file without --force. */
export async function checkReportTarget(path: string, force = false): Promise<void> {
  writerFor(path);
  if (force) return;
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (exists) throw new OutputExistsError(`'${path}' already exists; pass --force to overwrite it`);
}

/** One progress bar per stage ('calibrate', 'ann', 'snn', 'layer error', 'strategies: …', 'raster'). */
function stagedProgress(quiet: boolean): { update(stage: string, done: number, total: number): void; stop(): void } {
  let label = '';
  let bar: Progress | null = null;
  return {
    update(stage, done, total) {
      if (stage !== label) {
        bar?.stop();
        label = stage;
        bar = progressBar(stage, quiet);
      }
      bar!.update(done, total);
    },
    stop: () => bar?.stop(),
  };
}

/** `simulate --report`: the report of an evaluation just made (no strategy comparison: a .snn has no statistics). */
export async function writeSimulationReport(
  backend: Backend,
  model: SnnModel,
  data: Dataset,
  evaluation: SnnEvaluation,
  encoder: Encoder,
  source: string,
  flags: {
    report: string;
    force?: boolean;
    split: string;
    limit?: number;
    batch: number;
    chunk?: number;
    precision?: SpikePrecision;
    json?: boolean;
  },
): Promise<void> {
  const progress = stagedProgress(flags.json === true);
  const report = await buildReport(backend, model, data, {
    T: evaluation.snn.T,
    source,
    split: flags.split,
    limit: flags.limit,
    batchSize: flags.batch,
    chunk: flags.chunk,
    encoder,
    precision: flags.precision,
    evaluation,
    onProgress: (stage: ReportStage, done, total) => progress.update(stage, done, total),
  });
  progress.stop();
  await writeReport(flags.report, report, flags.force);
  if (!flags.json) process.stderr.write(`wrote ${flags.report}\n`);
}
