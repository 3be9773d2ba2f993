import { stat } from 'node:fs/promises';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Command } from 'commander';
import {
  defaultSteps,
  exporterFor,
  exportFormats,
  ExportError,
  exporters,
  formatForPath,
  nirReaderVariants,
  openDataset,
  OutputExistsError,
  readNir,
  simulate,
  writeFileAtomic,
  type Dataset,
  type SnnModel,
} from '../../index.js';
import { pct, textTable } from '../../report/format.js';
import { loadModelFile } from '../load-model.js';
import { makeBackend, oneOf, positiveInt, threadCount, timeSteps } from '../options.js';
import { progressBar } from '../progress.js';

interface Flags {
  format?: string;
  output: string;
  T?: number;
  data?: string;
  split: 'train' | 'test' | 'all';
  limit: number;
  check: boolean;
  threads: number;
  force?: boolean;
  json?: boolean;
}

interface ReaderAccuracy {
  readonly reader: string;
  readonly description: string;
  readonly accuracyAtT: number;
  readonly images: number;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'export a converted SNN for other runtimes: prints what the file runs exactly, what it loses and (nir) the accuracy its readers reach',
    )
    .argument('<model>', '.snn file from `ann2snn convert` (or a .nir file)')
    .option('--format <name>', `${exportFormats.join(' | ')} (default: from the output's extension)`, oneOf(...exportFormats))
    .requiredOption('-o, --output <file>', 'the file to write')
    .option(
      '--T <n>',
      'time steps: of formats that fix them (onnx) and of the nir readers’ check (default: the model’s T_shift)',
      timeSteps,
    )
    .option('--data <spec>', 'nir: data to simulate the readers on (default: the calibration data named in the model)')
    .option('--split <split>', 'train | test | all', oneOf('train', 'test', 'all'), 'test')
    .option('--limit <n>', 'nir: images of the readers’ check', positiveInt, 1000)
    .option('--no-check', 'nir: skip simulating the file as its readers run it')
    .option('--threads <n>', 'threads of the readers’ check', threadCount, 2)
    .option('--force', 'overwrite the output file')
    .option('--json', 'machine-readable output')
    .action(async (file: string, flags: Flags) => {
      const format = flags.format ?? formatForPath(flags.output);
      checkExtension(flags.output, format);
      const exporter = exporterFor(format);
      // Everything that can be refused is refused before anything is written (writeFileAtomic checks
      // the output again at the end).
      if (!flags.force && (await stat(flags.output).catch(() => null)))
        throw new OutputExistsError(`'${flags.output}' already exists; pass --force to overwrite it`);
      const { model, meta, bytes: source } = await loadModelFile(file);
      const dataSpec = flags.data ?? (typeof meta.calibrationData === 'string' ? meta.calibrationData : undefined);
      const data = format === 'nir' && flags.check && dataSpec ? openDataset(dataSpec, { split: flags.split }) : null;
      const options = { T: flags.T, sourceSha256: bytesToHex(sha256(source)) };
      const bytes = await exporter.write(model, options);
      await writeFileAtomic(flags.output, bytes, flags.force);
      const notes = exporter.notes(model, options);
      const T = format === 'onnx' || format === 'nir' ? defaultSteps(model, options) : null;
      const readers = data ? await readerAccuracies(model, bytes, data, T!, flags) : null;
      if (flags.json) {
        const summary = { model: file, output: flags.output, format, T, bytes: bytes.length, ...notes, data: readers && dataSpec, readers };
        console.log(JSON.stringify(summary, null, 2));
        return;
      }
      console.log(
        `${file} → ${flags.output}: ${format}, ${exporter.description}${format === 'onnx' ? `, T = ${T}` : ''} (${(bytes.length / 1024).toFixed(1)} KiB)`,
      );
      console.log('exact:');
      for (const line of notes.exact) console.log(`  - ${line}`);
      console.log('not in the file:');
      for (const line of notes.lost) console.log(`  - ${line}`);
      if (readers) {
        console.log(`accuracy at T = ${T} on ${dataSpec} (${flags.split}, ${readers[0].images} images), as each reader runs the file:`);
        console.log(
          textTable(
            ['simulated as', 'accuracy'],
            readers.map((r) => [r.description, pct(r.accuracyAtT)]),
          ),
        );
      } else if (format === 'nir' && flags.check) {
        console.log(
          'readers’ accuracy not checked: the model names no calibration data; pass --data to simulate the file as its readers run it',
        );
      }
    });
}

/** Accuracy at T of the SNN as converted, and of the written NIR file read back as each kind of reader runs it. */
async function readerAccuracies(model: SnnModel, nir: Uint8Array, data: Dataset, T: number, flags: Flags): Promise<ReaderAccuracy[]> {
  const backend = makeBackend({ backend: 'ort', threads: flags.threads });
  const runs = [
    {
      reader: 'ann2snn',
      description: `ann2snn (as converted: ${model.conversion.options.reset} reset, shift ${model.conversion.options.shift})`,
      model,
    },
    ...nirReaderVariants(await readNir(nir, flags.output)).map((v) => ({
      reader: v.name,
      description: `NIR, ${v.description}`,
      model: v.model,
    })),
  ];
  const out: ReaderAccuracy[] = [];
  for (const run of runs) {
    const bar = progressBar(`${run.reader} T=${T}`, flags.json);
    const result = await simulate(backend, run.model.graph, data, {
      T,
      limit: flags.limit,
      threads: flags.threads,
      onProgress: bar.update,
    });
    bar.stop();
    out.push({ reader: run.reader, description: run.description, accuracyAtT: result.accuracyAt[T - 1], images: result.images });
  }
  return out;
}

/** An output named for another format (e.g. `--format nir -o y.onnx`) is refused: readers go by the name. */
function checkExtension(output: string, format: string): void {
  const named = exportFormats.find((f) => f === safeFormatForPath(output));
  if (named !== undefined && named !== format)
    throw new ExportError(
      `'${output}' is named as ${named} (${exporters[named].extension}) but --format is ${format}: name it ${exporterFor(format).extension}`,
    );
}

function safeFormatForPath(path: string): string | null {
  try {
    return formatForPath(path);
  } catch {
    return null;
  }
}
