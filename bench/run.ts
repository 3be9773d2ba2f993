/**
 * `npm run bench`: every figure is a ratio or a rate measured in this one run, on this machine.
 *   npm run bench            all sections
 *   npm run bench -- ann snn  only the named sections (ann, snn, exit, memory, int8, train, onnx-export,
 *                            pools, web; int8-accuracy runs only when named)
 */
import '../src/node/install.js'; // the Node host (src/host/platform.ts), before any core module runs
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { createOrtBackend } from '../src/backend/ort/ort-backend.js';
import { openDataset } from '../src/node/data/open-dataset.js';
import { cnn4, resnet20, vggSmall } from './models.js';
import { benchAnn } from './ann.js';
import { benchSnn } from './snn.js';
import { benchInt8Accuracy } from './int8-accuracy.js';
import { loadAnn } from '../src/node/ann-file.js';
import { fashionMnistOrNull, randomColourImages } from './data.js';
import { benchExit, exitBenchLine, exitBenchModels } from './exit.js';

const wanted = new Set(process.argv.slice(2));
const want = (name: string) => wanted.size === 0 || wanted.has(name);
const threads = Number(process.env.BENCH_THREADS ?? 2);
const results: Record<string, unknown> = {};

console.log(`ann2snn benchmarks — ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, Node ${process.version}, ${threads} ORT thread(s)`);
const mnist = openDataset('mnist', { split: 'test' });

if (want('ann')) {
  const r = await benchAnn(cnn4(), mnist, threads, 1000);
  results.ann = r;
  console.log(
    `\n[ann] cnn4 on bundled MNIST: ort ${r.ortImagesPerSecond.toFixed(0)} images/s, reference ${r.referenceImagesPerSecond.toFixed(1)} images/s`,
  );
  console.log(`[ann] our ort path / bare onnxruntime session: ${r.ortOverBareOrt.toFixed(3)} (target ≤ 1.10)`);
}

if (want('snn')) {
  const backend = createOrtBackend({ threads });
  const fashion = fashionMnistOrNull();
  const trained = fashion
    ? [['cnn4 trained (Fashion-MNIST)', await loadAnn('models/fmnist-cnn4-clip.onnx'), fashion, 500, 100] as const]
    : [];
  if (!fashion)
    console.log('\n[snn] skipped the trained Fashion-MNIST cnn4: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)');
  for (const [name, graph, data, eventImages, denseImages] of [
    ['cnn4', cnn4(), mnist, 500, 200],
    ['vgg-small', vggSmall(), randomColourImages(100), 100, 50],
    ['resnet20', resnet20(), randomColourImages(100), 100, 20],
    ...trained,
  ] as const) {
    const plans = [
      { engine: 'event', precision: 'f32', images: eventImages },
      { engine: 'event', precision: 'int8', images: eventImages },
      { engine: 'dense', precision: 'f32', images: denseImages },
    ] as const;
    const rows = await benchSnn(backend, threads, graph, data, plans, [32, 128]);
    results[`snn-${name}`] = rows;
    for (const r of rows) {
      console.log(
        `[snn] ${name} ${r.precision} ${r.engine} T=${r.T}: ${r.imagesPerSecond.toFixed(1)} images/s, ${r.imageStepsPerSecond.toFixed(0)} image-steps/s, ` +
          `SNN/(T·ANN) = ${r.snnOverTAnn.toFixed(3)} (target ≤ 0.9; ${r.images} images, mean rate ${r.meanRate.toFixed(3)})`,
      );
    }
  }
}

if (want('exit')) {
  const fashion = fashionMnistOrNull();
  if (!fashion) console.log('\n[exit] the trained Fashion-MNIST models are skipped: Fashion-MNIST is not installed');
  console.log('');
  const rows = await benchExit(createOrtBackend({ threads }), threads, exitBenchModels(fashion), [32, 128]);
  results.exit = rows;
  for (const r of rows) console.log(exitBenchLine(r));
}

if (want('memory')) {
  for (const engine of ['event', 'dense']) {
    const rss = [32, 512].map((T) =>
      JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', 'bench/rss-child.ts', String(T), engine], { encoding: 'utf8' }).trim()),
    );
    const ratio = rss[1].duringKiB / rss[0].duringKiB;
    results[`memory-${engine}`] = { rss, ratio };
    const mib = (kib: number) => (kib / 1024).toFixed(0);
    console.log(
      `\n[memory] cnn4 ${engine} engine, RSS during the simulation (before it): T=32 ${mib(rss[0].duringKiB)} (${mib(rss[0].beforeKiB)}) MiB, ` +
        `T=512 ${mib(rss[1].duringKiB)} (${mib(rss[1].beforeKiB)}) MiB, ratio ${ratio.toFixed(3)} (target ≤ 1.10); process peak ${mib(rss[0].maxRssKiB)} / ${mib(rss[1].maxRssKiB)} MiB`,
    );
  }
}

for (const [section, file, fn] of [
  ['int8', './int8.js', 'benchInt8'],
  ['train', './train.js', 'benchTrain'],
  ['onnx-export', './onnx-export.js', 'benchOnnxExport'],
  ['pools', './pools.js', 'benchPools'],
  ['web', './web.js', 'benchWebSection'],
] as const) {
  if (!want(section)) continue;
  if (!existsSync(new URL(file.replace('.js', '.ts'), import.meta.url))) {
    console.log(`\n[${section}] skipped: bench/${file.replace('./', '').replace('.js', '.ts')} not present`);
    continue;
  }
  const mod = (await import(file)) as Record<string, () => Promise<Record<string, number | string>>>;
  const r = await mod[fn]();
  results[section] = r;
  console.log(
    `\n[${section}] ${Object.entries(r)
      .map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toPrecision(4) : v}`)
      .join(', ')}`,
  );
}

// Heavy (2,000 images at T = 128 per trained model): only when named, `npm run bench -- int8-accuracy`.
if (wanted.has('int8-accuracy')) results['int8-accuracy'] = await benchInt8Accuracy([], threads);

if (process.env.BENCH_JSON) console.log(JSON.stringify(results, null, 2));
