import type { Command } from 'commander';
import {
  calibrate,
  calibrateSnn,
  conversionSettings,
  convertToSnn,
  defaultConversionOptions,
  loadAnn,
  neuronKinds,
  openDataset,
  saveSnn,
  settingsLine,
  strategies,
  summarizeConversion,
  thresholdRows,
  type Backend,
  type CalibrationMode,
  type ConversionOptions,
  type Dataset,
  type SnnModel,
} from '../../index.js';
import { levelCount, makeBackend, oneOf, percentileValue, positiveInt, threadCount, timeSteps, type BackendFlags } from '../options.js';
import { progressBar } from '../progress.js';
import { textTable } from '../../report/format.js';
import { checkDataFits, chooseCalibrationData, datasetSpec, describeCalibration, recordCalibrationData } from '../calibration-data.js';

interface Flags extends BackendFlags {
  strategy: string;
  calib?: string;
  calibSplit: 'train' | 'test' | 'all';
  calibLimit?: number;
  shift: ConversionOptions['shift'];
  tShift: number;
  reset: ConversionOptions['reset'];
  readout: ConversionOptions['readout'];
  percentile: number;
  thresholdScope: ConversionOptions['thresholdScope'];
  burst: number;
  neuron: string;
  targetT?: number;
  calibration: CalibrationMode;
  calibrationImages: number;
  output: string;
  force?: boolean;
  json?: boolean;
}

/** The conversion flags, shared by `convert`, `report` and the demo. */
export function addConversionOptions(command: Command): Command {
  return command
    .option(
      '--strategy <name>',
      `${Object.keys(strategies).join(' | ')}`,
      oneOf(...Object.keys(strategies)),
      defaultConversionOptions.strategy,
    )
    .option(
      '--shift <mode>',
      'v0 (v(0) = θ/2) | bias (b += θ/(2·T_shift)) | none',
      oneOf('v0', 'bias', 'none'),
      defaultConversionOptions.shift,
    )
    .option('--t-shift <n>', 'T_shift for --shift bias', timeSteps, defaultConversionOptions.tShift)
    .option('--reset <mode>', 'soft (subtract θ) | hard (to zero)', oneOf('soft', 'hard'), defaultConversionOptions.reset)
    .option('--readout <mode>', 'accumulate (non-spiking output) | spikes', oneOf('accumulate', 'spikes'), defaultConversionOptions.readout)
    .option('--percentile <p>', 'p for --strategy percentile', percentileValue, defaultConversionOptions.percentile)
    .option('--threshold-scope <scope>', 'layer | channel', oneOf('layer', 'channel'), defaultConversionOptions.thresholdScope)
    .option(
      '--burst <γ>',
      'most spikes per neuron per step (1 = IF; >1 = burst neurons)',
      levelCount,
      defaultConversionOptions.maxSpikesPerStep,
    )
    .option(
      '--neuron <name>',
      Object.values(neuronKinds)
        .map((k) => `${k.name} (${k.description})`)
        .join(' | '),
      oneOf(...Object.keys(neuronKinds)),
      defaultConversionOptions.neuron,
    )
    .option('--target-T <n>', 'the T that --strategy calibrated aims at (its θ search and corrections)', timeSteps);
}

/** The flags of --strategy calibrated's corrections (convert, report). */
export function addCalibrationOptions(command: Command): Command {
  return command
    .option(
      '--calibration <mode>',
      'with --strategy calibrated: light (per-channel bias) | advanced (per-neuron v(0))',
      oneOf('light', 'advanced'),
      'advanced',
    )
    .option('--calibration-images <n>', 'images for --strategy calibrated’s corrections (one simulation per layer)', positiveInt, 1000);
}

/**
 * --strategy calibrated's corrections (calibrateSnn on `data` with --calibration and
 * --calibration-images, at the conversion's target T); a model of another strategy passes through.
 */
export function calibrationStep(
  backend: Backend,
  data: Dataset,
  flags: { readonly calibration: CalibrationMode; readonly calibrationImages: number },
  onProgress?: (label: string, done: number, total: number) => void,
): (snn: SnnModel) => Promise<SnnModel> {
  return async (snn) => {
    const T = snn.conversion.options.targetT;
    if (snn.conversion.options.strategy !== 'calibrated' || T === undefined) return snn;
    const label = `${flags.calibration} calibration (T = ${T})`;
    return calibrateSnn(backend, snn, data, {
      T,
      mode: flags.calibration,
      limit: flags.calibrationImages,
      onProgress: (d, t) => onProgress?.(label, d, t),
    });
  };
}

export function conversionOptionsFrom(
  flags: Omit<Flags, 'output' | 'calib' | 'calibSplit' | 'backend' | 'threads' | 'calibration' | 'calibrationImages'>,
): ConversionOptions {
  return {
    strategy: flags.strategy,
    shift: flags.shift,
    tShift: flags.tShift,
    reset: flags.reset,
    readout: flags.readout,
    percentile: flags.percentile,
    thresholdScope: flags.thresholdScope,
    maxSpikesPerStep: flags.burst,
    neuron: flags.neuron,
    ...(flags.targetT === undefined ? {} : { targetT: flags.targetT }),
  };
}

export function registerConvert(program: Command): void {
  addCalibrationOptions(
    addConversionOptions(
      program
        .command('convert')
        .description('convert an ONNX ANN into a spiking network (.snn) with threshold balancing on calibration data')
        .argument('<model>', 'ONNX file'),
    ),
  )
    .option(
      '--calib <spec>',
      "calibration data (as --data elsewhere); default: the data named in the model's recipe (<name>.recipe.json, from ann2snn train), else required",
    )
    .option('--calib-split <split>', 'train | test | all', oneOf('train', 'test', 'all'), 'train')
    .option('--calib-limit <n>', 'calibration images', positiveInt, 5000)
    .option('--backend <name>', 'ort | reference', oneOf('ort', 'reference'), 'ort')
    .option('--threads <n>', 'ONNX Runtime threads', threadCount, 2)
    .requiredOption('-o, --output <file>', 'the .snn file to write')
    .option('--force', 'overwrite the output file')
    .option('--json', 'machine-readable output')
    .action(async (model: string, flags: Flags) => {
      const ann = await loadAnn(model);
      const choice = chooseCalibrationData(model, flags.calib, '--calib');
      const data = openDataset(choice.spec, { split: flags.calibSplit });
      checkDataFits(ann, data, '--calib');
      const backend = makeBackend(flags);
      const bar = progressBar('calibrate', flags.json);
      const stats = await calibrate(backend, ann, data, { limit: flags.calibLimit, onProgress: bar.update });
      bar.stop();
      const thresholdsFrom = describeCalibration(data, stats.images, choice);
      let snn = recordCalibrationData(convertToSnn(ann, stats, conversionOptionsFrom(flags)), thresholdsFrom);
      const corrections = progressBar(flags.calibration, flags.json);
      snn = await calibrationStep(backend, data, flags, (_label, d, t) => corrections.update(d, t))(snn);
      corrections.stop();
      await saveSnn(
        flags.output,
        snn,
        {
          source: model,
          calibration: `${data.name} (${flags.calibSplit}, ${stats.images} images)`,
          calibrationData: datasetSpec(choice.spec),
        },
        flags.force,
      );
      if (flags.json) {
        const calibrationData = {
          spec: choice.spec,
          name: data.name,
          split: flags.calibSplit,
          images: stats.images,
          chosenBy: choice.chosenBy,
        };
        console.log(JSON.stringify({ model, output: flags.output, calibrationData, conversion: snn.conversion }, null, 2));
        return;
      }
      const summary = summarizeConversion(snn.conversion);
      console.log(`${model} → ${flags.output}: ${settingsLine(conversionSettings(summary))}`);
      const thresholds = thresholdRows(summary);
      console.log(textTable(thresholds.headers, thresholds.rows));
      const calibration = snn.conversion.calibration;
      if (calibration) {
        console.log(
          `${calibration.mode} calibration at T = ${calibration.T} on ${calibration.images} images: mean |SNN rate − ANN activation|, before → after`,
        );
        const arrow = (e: { before: number; after: number }) => `${e.before.toPrecision(3)} → ${e.after.toPrecision(3)}`;
        const rows = calibration.layers.map((l) => [
          l.node,
          l.theta[0].toPrecision(4),
          arrow(l.channelError),
          arrow(l.unitError),
          l.kept ? 'kept' : 'undone',
        ]);
        console.log(textTable(['layer', 'θ', 'per channel', 'per neuron', 'correction'], rows));
      }
    });
}
