/**
 * `ann2snn demo` (what `npm start` runs): the bundled threshold-ReLU CNN on the bundled MNIST digits,
 * converted with deng-gu (v(0) = θ/2) and with the max-norm baseline, simulated up to T = 64; prints
 * accuracy at T = 1, 2, 4, …, 64 beside the ANN, spikes and synaptic operations, and writes the full
 * results to a JSON file it names (never replacing an existing one; -o names it, --force replaces it).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import {
  calibrate,
  convertToSnn,
  defaultConversionOptions,
  evaluateSnn,
  loadAnn,
  openDataset,
  writeFileAtomic,
  type SnnEvaluation,
} from '../../index.js';
import { compactNumber, pct, powersOfTwo, textTable } from '../../report/format.js';
import { makeBackend, oneOf, positiveInt, threadCount, timeSteps, type BackendFlags } from '../options.js';
import { progressBar } from '../progress.js';
import { evaluationJson } from '../print-evaluation.js';
import { checkDataFits, chooseCalibrationData, describeCalibration } from '../calibration-data.js';

export const demoModelPath = fileURLToPath(new URL('../../../models/demo-mnist.onnx', import.meta.url));

interface Flags extends BackendFlags {
  model: string;
  data?: string;
  T: number;
  limit?: number;
  calibLimit: number;
  output?: string;
  force?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the main job: convert the bundled MNIST model with deng-gu and max-norm, and compare them at T = 1…64')
    .option('--model <file>', 'ONNX model', demoModelPath)
    .option(
      '--data <spec>',
      "data set (train split calibrates, test split evaluates); default: the data named in the model's recipe (<name>.recipe.json), else required",
    )
    .option('--T <n>', 'time steps', timeSteps, 64)
    .option('--limit <n>', 'test images (default: the whole test split)', positiveInt)
    .option('--calib-limit <n>', 'calibration images', positiveInt, 2000)
    .option('--backend <name>', 'ort | reference', oneOf('ort', 'reference'), 'ort')
    .option('--threads <n>', 'ONNX Runtime threads', threadCount, 2)
    .option('-o, --output <file>', 'results file (default: ann2snn-demo-results.json, or -2, -3 … if it exists)')
    .option('--force', 'overwrite the -o file')
    .action(async (flags: Flags) => {
      const started = performance.now();
      const backend = makeBackend(flags);
      const ann = await loadAnn(flags.model);
      const choice = chooseCalibrationData(flags.model, flags.data, '--data');
      const train = openDataset(choice.spec, { split: 'train' });
      const test = openDataset(choice.spec, { split: 'test' });
      checkDataFits(ann, train, '--data');
      const bar = progressBar('calibrate');
      const stats = await calibrate(backend, ann, train, { limit: flags.calibLimit, onProgress: bar.update });
      bar.stop();
      const thresholdsFrom = describeCalibration(train, stats.images, choice);
      const runs: { label: string; evaluation: SnnEvaluation }[] = [];
      for (const [label, options] of [
        ['deng-gu (v0 = θ/2)', { ...defaultConversionOptions, strategy: 'deng-gu', shift: 'v0' }],
        ['max-norm', { ...defaultConversionOptions, strategy: 'max-norm', shift: 'none' }],
      ] as const) {
        const snn = convertToSnn(ann, stats, options);
        const simBar = progressBar(label.split(' ')[0]);
        runs.push({
          label,
          evaluation: await evaluateSnn(backend, snn, test, { T: flags.T, limit: flags.limit, onProgress: simBar.update }),
        });
        simBar.stop();
      }
      const output = flags.output ?? freshName('ann2snn-demo-results', '.json');
      const results = {
        model: flags.model,
        data: test.name,
        calibration: `${train.name} (train, ${stats.images} images)`,
        thresholdsFrom,
        runs: runs.map((r) => ({ label: r.label, ...evaluationJson(r.evaluation) })),
        seconds: (performance.now() - started) / 1000,
      };
      await writeFileAtomic(output, JSON.stringify(results, null, 2) + '\n', flags.force);
      printDemo(flags, runs, test.name, thresholdsFrom, output, results.seconds);
    });
}

function printDemo(
  flags: Flags,
  runs: readonly { label: string; evaluation: SnnEvaluation }[],
  testData: string,
  thresholdsFrom: string,
  output: string,
  seconds: number,
): void {
  const first = runs[0].evaluation;
  console.log(
    `${flags.model}\n${first.ann.images} test images of ${testData}; thresholds from ${thresholdsFrom}; soft reset; non-spiking readout\n`,
  );
  const rows = powersOfTwo(flags.T).map((t) => [
    String(t),
    pct(first.ann.accuracy),
    ...runs.map((r) => pct(r.evaluation.snn.accuracyAt[t - 1])),
  ]);
  console.log(textTable(['T', 'ANN', ...runs.map((r) => r.label)], rows));
  console.log('');
  for (const r of runs) {
    const c = r.evaluation.cost;
    console.log(
      `${r.label}: ${compactNumber(c.spikesPerImage)} spikes and ${compactNumber(c.synopsPerImage)} synaptic operations per image over T=${c.T} ` +
        `(ANN: ${compactNumber(c.annMacsPerImage)} MACs); within 1 point of the ANN from t = ${r.evaluation.latency ?? 'never'}`,
    );
  }
  console.log(`\nfull results: ${output} (${seconds.toFixed(1)} s)`);
}

function freshName(stem: string, extension: string): string {
  for (let i = 1; ; i++) {
    const name = i === 1 ? `${stem}${extension}` : `${stem}-${i}${extension}`;
    if (!existsSync(name)) return name;
  }
}
