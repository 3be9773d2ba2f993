import type { Command } from 'commander';
import { directEncoder, evaluateSnn, openDataset, poissonEncoder, simulate } from '../../index.js';
import { loadModelFile } from '../load-model.js';
import {
  batchSize,
  chunkSteps,
  makeBackend,
  nonNegativeNumber,
  oneOf,
  positiveInt,
  seedValue,
  threadCount,
  timeSteps,
  type BackendFlags,
} from '../options.js';
import { DEFAULT_MARGIN, DEFAULT_PATIENCE, type ExitKind } from '../../simulate/exit/exit-rule.js';
import { progressBar } from '../progress.js';
import { pct } from '../../report/format.js';
import { evaluationJson, printEvaluation } from '../print-evaluation.js';
import { checkReportTarget, writeSimulationReport } from './report.js';
import { checkDataFits, chooseEvaluationData, withRecordedCalibration } from '../calibration-data.js';

interface Flags extends BackendFlags {
  data?: string;
  split: 'train' | 'test' | 'all';
  limit?: number;
  T: number;
  chunk?: number;
  batch: number;
  encoder: 'direct' | 'poisson';
  seed: number;
  json?: boolean;
  report?: string;
  force?: boolean;
  engine: 'auto' | 'event' | 'dense';
  exit: ExitKind;
  patience: number;
  margin: number;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('simulate a converted SNN for T steps: accuracy at every t beside the ANN, spikes, synops, energy')
    .argument(
      '<model>',
      '.snn file from `ann2snn convert`, or a .nir file (from v = 0, with the reset its metadata records; reset to zero if none)',
    )
    .option(
      '--data <spec>',
      "'mnist' (bundled), 'fashion-mnist', an IDX directory or a CIFAR-10 binary directory; default: the data the model was calibrated on (mnist if it records none)",
    )
    .option('--split <split>', 'train | test | all', oneOf('train', 'test', 'all'), 'test')
    .option('--limit <n>', 'use the first n images', positiveInt)
    .option('--T <n>', 'time steps', timeSteps, 64)
    .option(
      '--chunk <n>',
      'dense engine: time steps per chunk (memory ∝ chunk; default: what keeps a chunk of a layer within 8 MiB, 1–8)',
      chunkSteps,
    )
    .option('--batch <n>', 'images per batch', batchSize, 50)
    .option('--encoder <name>', 'direct (analog current) | poisson (Bernoulli spikes)', oneOf('direct', 'poisson'), 'direct')
    .option('--seed <n>', 'seed of the poisson encoder', seedValue, 0)
    .option(
      '--precision <p>',
      'f32 | int8 (u8 spikes × s8 weights) | int8x2 (two int8 halves, near-exact); int8 also runs f32 to report the difference',
      oneOf('f32', 'int8', 'int8x2'),
      'f32',
    )
    .option('--backend <name>', 'ort | reference', oneOf('ort', 'reference'), 'ort')
    .option('--threads <n>', "threads: ONNX Runtime intra-op threads, and the event engine's workers", threadCount, 2)
    .option(
      '--engine <name>',
      'event (spikes drive WebAssembly kernels: work ∝ synaptic operations) | dense (every step through the backend) | auto (event where the model allows it, else dense)',
      oneOf('auto', 'event', 'dense'),
      'auto',
    )
    .option(
      '--exit <rule>',
      'none | certified (stop an image once no later step can change its prediction: the same accuracy at every t) | confidence (stop when the leader has led for --patience steps by --margin per-step bounds: approximate)',
      oneOf('none', 'certified', 'confidence'),
      'none',
    )
    .option('--patience <p>', 'confidence exit: steps the leading class must have led', positiveInt, DEFAULT_PATIENCE)
    .option(
      '--margin <m>',
      "confidence exit: the lead over each class, in units of the readout's per-step bound",
      nonNegativeNumber,
      DEFAULT_MARGIN,
    )
    .option('--json', 'machine-readable output (accuracy at every t)')
    .option('--report <file>', 'also write a report (.html with plots, .json or .txt): layer-wise error, firing rates, raster')
    .option('--force', 'overwrite the report file')
    .action(async (file: string, flags: Flags) => {
      if (flags.report) await checkReportTarget(flags.report, flags.force);
      const loaded = await loadModelFile(file);
      const { meta } = loaded;
      const model = withRecordedCalibration(loaded.model, meta);
      const dataChoice = chooseEvaluationData(flags.data, meta.calibrationData, '--data');
      const data = openDataset(dataChoice.spec, { split: flags.split });
      checkDataFits(model.graph, data, '--data');
      const encoder = flags.encoder === 'poisson' ? poissonEncoder(flags.seed) : directEncoder;
      const annBar = progressBar('ANN', flags.json);
      const snnBar = progressBar(`SNN T=${flags.T}`, flags.json);
      const backend = makeBackend(flags);
      const result = await evaluateSnn(backend, model, data, {
        T: flags.T,
        chunk: flags.chunk,
        batchSize: flags.batch,
        limit: flags.limit,
        encoder,
        engine: flags.engine,
        precision: flags.precision,
        threads: flags.threads,
        exit: { rule: flags.exit, patience: flags.patience, margin: flags.margin },
        unitCounts: flags.report !== undefined,
        // The report's accuracy-latency curve replays exit rules on the full simulation's trace.
        trace: flags.report !== undefined && flags.exit === 'none',
        onAnnProgress: annBar.update,
        onProgress: (d, t) => {
          annBar.stop();
          snnBar.update(d, t);
        },
      });
      snnBar.stop();
      const f32 =
        flags.precision === 'f32'
          ? null
          : await simulate(backend, model.graph, data, {
              T: flags.T,
              chunk: flags.chunk,
              batchSize: flags.batch,
              limit: flags.limit,
              encoder,
              engine: flags.engine,
              threads: flags.threads,
              exit: { rule: flags.exit, patience: flags.patience, margin: flags.margin },
            });
      const precision = f32 && {
        precision: flags.precision,
        f32AccuracyAtT: f32.accuracyAt[flags.T - 1],
        deltaAtT: result.snn.accuracyAt[flags.T - 1] - f32.accuracyAt[flags.T - 1],
        speedup: f32.seconds / result.snn.seconds,
      };
      if (flags.report) await writeSimulationReport(backend, model, data, result, encoder, file, { ...flags, report: flags.report });
      if (flags.json) {
        console.log(
          JSON.stringify(
            {
              model: file,
              source: meta.source,
              data: data.name,
              dataChosenBy: dataChoice.chosenBy,
              split: flags.split,
              thresholdsFrom: model.conversion.calibrationData ?? null,
              conversion: model.conversion,
              precision: precision ?? { precision: 'f32' },
              ...evaluationJson(result),
            },
            null,
            2,
          ),
        );
        return;
      }
      const o = model.conversion.options;
      console.log(
        `${file} (${o.strategy}, shift ${o.shift}${o.shift === 'bias' ? ` T_shift=${o.tShift}` : ''}, ${o.reset} reset) on ${data.name} ${flags.split} (chosen by ${dataChoice.chosenBy}):`,
      );
      console.log(`thresholds from: ${model.conversion.calibrationData ?? 'not recorded in the model'}`);
      printEvaluation(result);
      if (precision) {
        const d = precision.deltaAtT * 100;
        console.log(
          `${precision.precision}: accuracy at T=${flags.T} ${d >= 0 ? '+' : ''}${d.toFixed(2)} points against f32 (${pct(precision.f32AccuracyAtT)}), ${precision.speedup.toFixed(2)}× the f32 simulation speed`,
        );
      }
    });
}
