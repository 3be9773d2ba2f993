/**
 * Child process of the memory benchmark: simulates cnn4 for T steps on an engine and prints the
 * resident set size before the simulation, its highest value during it (sampled every 5 ms and
 * after every batch) and the process's peak (which also holds the loading of the data set).
 */
import '../src/node/install.js'; // the Node host (src/host/platform.ts), before any core module runs
import { calibrate } from '../src/ann/calibrate.js';
import { createOrtBackend } from '../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../src/convert/index.js';
import { openDataset } from '../src/node/data/open-dataset.js';
import { simulate, type SimulationEngine } from '../src/simulate/simulator.js';
import { cnn4 } from './models.js';

const T = Number(process.argv[2]);
const engine = process.argv[3] as SimulationEngine;
const backend = createOrtBackend({ threads: 1 });
const data = openDataset('mnist', { split: 'test' });
const ann = cnn4();
const snn = convertToSnn(ann, await calibrate(backend, ann, data, { limit: 50 }), defaultConversionOptions);
const before = process.memoryUsage().rss;
let during = before;
const sample = () => {
  during = Math.max(during, process.memoryUsage().rss);
};
const timer = setInterval(sample, 5);
await simulate(backend, snn.graph, data, { T, limit: 100, batchSize: 50, engine, threads: 2, onProgress: sample });
clearInterval(timer);
sample();
console.log(JSON.stringify({ T, engine, beforeKiB: before >> 10, duringKiB: during >> 10, maxRssKiB: process.resourceUsage().maxRSS }));
