import type { Command } from 'commander';
import { trainModel } from '../../node/train-files.js';
import { presetNames, type TrainOptions } from '../../train/index.js';
import { progressBar } from '../progress.js';
import { batchSize, epochCount, levelCount, oneOf, positiveInt, positiveNumber, seedValue, threadCount, timeSteps } from '../options.js';
import { pct } from '../../report/format.js';

type Flags = Required<
  Pick<TrainOptions, 'preset' | 'act' | 'theta' | 'tShift' | 'epochs' | 'batch' | 'optimizer' | 'schedule' | 'seed' | 'data' | 'threads'>
> &
  Pick<TrainOptions, 'lr' | 'weightDecay' | 'resume' | 'initFrom' | 'output' | 'force' | 'levels' | 'limit'> & { json?: boolean };

function nonNegativeNumber(value: string): number {
  return value === '0' ? 0 : positiveNumber(value);
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train an ANN with the threshold ReLU clip(x, 0, θ) on ONNX Runtime and save it as ONNX')
    .option('--preset <name>', presetNames.join(' | '), oneOf(...presetNames), 'cnn4')
    .option(
      '--act <name>',
      'clip (threshold ReLU) | relu | clip-shift (clip(x − θ/(2T), 0, θ)) | qcfs (λ·clip(⌊xL/λ + ½⌋/L, 0, 1), λ learned)',
      oneOf('clip', 'relu', 'clip-shift', 'qcfs'),
      'clip',
    )
    .option('--theta <θ>', 'ceiling of the threshold ReLU; initial λ of qcfs', positiveNumber, 1)
    .option('--levels <L>', 'quantization levels L of --act qcfs (default 4)', levelCount)
    .option('--t-shift <T>', 'T of --act clip-shift', timeSteps, 32)
    .option('--epochs <n>', 'epochs', epochCount, 5)
    .option('--batch <n>', 'batch size', batchSize, 128)
    .option('--limit <n>', 'train on the first n images of each epoch’s shuffle (default all)', positiveInt)
    .option('--lr <x>', 'learning rate (default 1e-3 for adam, 0.1 for sgd)', positiveNumber)
    .option('--optimizer <name>', 'adam | sgd (momentum 0.9)', oneOf('adam', 'sgd'), 'adam')
    .option('--schedule <name>', 'cosine | step | constant', oneOf('cosine', 'step', 'constant'), 'cosine')
    .option('--weight-decay <x>', 'L2 weight decay (default 0 for adam, 5e-4 for sgd)', nonNegativeNumber)
    .option('--seed <n>', 'seed of initialisation, shuffling and augmentation', seedValue, 0)
    .option('--data <spec>', "'mnist' (bundled), 'fashion-mnist', an IDX or CIFAR-10 directory", 'mnist')
    .option('--threads <n>', 'ONNX Runtime threads', threadCount, 2)
    .option('--resume <checkpoint>', 'continue from a checkpoint (<output>.ckpt is written after every epoch)')
    .option('--init-from <model>', 'fine-tune from an ONNX model')
    .option('-o, --output <file>', 'write the trained model (ONNX) and <name>.recipe.json beside it')
    .option('--force', 'overwrite the output')
    .option('--json', 'print the recipe as JSON')
    .action(async (flags: Flags) => {
      const progress = progressBar('train', flags.json);
      const result = await trainModel(
        { ...flags },
        {
          onProgress: (p) =>
            progress.update(
              p.batch + 1,
              p.batches,
              `epoch ${p.epoch + 1}/${flags.epochs} loss ${p.loss.toFixed(4)} acc ${pct(p.accuracy, 1)}`,
            ),
          onEpoch: (e) =>
            progress.log(
              `epoch ${e.epoch + 1}: train loss ${e.trainLoss.toFixed(4)}, train ${pct(e.trainAccuracy)}, test ${pct(e.testAccuracy)} (${e.seconds.toFixed(1)} s)`,
            ),
        },
      );
      progress.stop();
      if (flags.json) console.log(JSON.stringify(result.recipe, null, 2));
      else console.log(`test accuracy ${pct(result.testAccuracy)}${flags.output ? `; saved ${flags.output}` : ' (not saved: no -o)'}`);
    });
}
