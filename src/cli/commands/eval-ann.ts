import type { Command } from 'commander';
import { evaluateAnn, loadAnn, openDataset } from '../../index.js';
import { batchSize, makeBackend, oneOf, positiveInt, threadCount, type BackendFlags } from '../options.js';
import { progressBar } from '../progress.js';
import { pct } from '../../report/format.js';
import { checkDataFits, chooseEvaluationData, recipeData } from '../calibration-data.js';

interface Flags extends BackendFlags {
  data?: string;
  split: 'train' | 'test' | 'all';
  limit?: number;
  batch: number;
  json?: boolean;
}

export function registerEvalAnn(program: Command): void {
  program
    .command('eval-ann')
    .description('top-1 accuracy of the ANN on a data set')
    .argument('<model>', 'ONNX file')
    .option(
      '--data <spec>',
      "'mnist' (bundled), 'fashion-mnist', an IDX directory or a CIFAR-10 binary directory; default: the data named in the model's recipe (<name>.recipe.json), else mnist",
    )
    .option('--split <split>', 'train | test | all', oneOf('train', 'test', 'all'), 'test')
    .option('--limit <n>', 'use the first n images', positiveInt)
    .option('--batch <n>', 'images per batch', batchSize, 100)
    .option('--backend <name>', 'ort | reference', oneOf('ort', 'reference'), 'ort')
    .option('--threads <n>', 'ONNX Runtime threads', threadCount, 2)
    .option('--json', 'machine-readable output')
    .action(async (model: string, flags: Flags) => {
      const graph = await loadAnn(model);
      const recipe = recipeData(model);
      const choice = recipe && flags.data === undefined ? recipe : chooseEvaluationData(flags.data, undefined, '--data');
      const data = openDataset(choice.spec, { split: flags.split });
      checkDataFits(graph, data, '--data');
      const bar = progressBar('eval-ann', flags.json);
      const result = await evaluateAnn(makeBackend(flags), graph, data, {
        limit: flags.limit,
        batchSize: flags.batch,
        onProgress: bar.update,
      });
      bar.stop();
      const { predictions: _predictions, ...summary } = result;
      if (flags.json)
        console.log(
          JSON.stringify(
            { model, data: data.name, dataChosenBy: choice.chosenBy, split: flags.split, backend: flags.backend, ...summary },
            null,
            2,
          ),
        );
      else
        console.log(
          `${model} on ${data.name} (${flags.split}, ${result.images} images, ${flags.backend}; data chosen by ${choice.chosenBy}): accuracy ${pct(result.accuracy)}, ${result.imagesPerSecond.toFixed(0)} images/s`,
        );
    });
}
