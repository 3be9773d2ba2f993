import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadSnn } from '../../model/snn-file.js';
import { defaultSteps, exporterFor, exportFormats, formatForPath } from '../../export/exporters.js';
import { OutputExistsError, writeFileAtomic } from '../../host/write-atomic.js';
import { oneOf, positiveInt } from '../options.js';

interface Flags {
  format?: string;
  output: string;
  T?: number;
  force?: boolean;
  json?: boolean;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export a converted SNN for other runtimes: prints what the file runs exactly and what it loses')
    .argument('<model>', '.snn file from `ann2snn convert`')
    .option('--format <name>', `${exportFormats.join(' | ')} (default: from the output's extension)`, oneOf(...exportFormats))
    .requiredOption('-o, --output <file>', 'the file to write')
    .option('--T <n>', 'time steps of formats that fix them (onnx; default: the model’s T_shift)', positiveInt)
    .option('--force', 'overwrite the output file')
    .option('--json', 'machine-readable output')
    .action(async (file: string, flags: Flags) => {
      const format = flags.format ?? formatForPath(flags.output);
      const exporter = exporterFor(format);
      // Refused before the model is read; writeFileAtomic checks again at the end.
      if (!flags.force && (await stat(flags.output).catch(() => null)))
        throw new OutputExistsError(`'${flags.output}' already exists; pass --force to overwrite it`);
      const { model } = await loadSnn(file);
      const options = { T: flags.T };
      const bytes = exporter.write(model, options);
      await writeFileAtomic(flags.output, bytes, flags.force);
      const notes = exporter.notes(model, options);
      const T = format === 'onnx' ? defaultSteps(model, options) : null;
      if (flags.json) {
        console.log(JSON.stringify({ model: file, output: flags.output, format, T, bytes: bytes.length, ...notes }, null, 2));
        return;
      }
      console.log(
        `${file} → ${flags.output}: ${format}, ${exporter.description}${T === null ? '' : `, T = ${T}`} (${(bytes.length / 1024).toFixed(1)} KiB)`,
      );
      console.log('exact:');
      for (const line of notes.exact) console.log(`  - ${line}`);
      console.log('not in the file:');
      for (const line of notes.lost) console.log(`  - ${line}`);
    });
}
