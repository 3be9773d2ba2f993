/** Child process of the memory benchmark: simulates cnn4 for T steps on an engine and prints its peak RSS (KiB). */
import { calibrate } from '../src/ann/calibrate.js';
import { createOrtBackend } from '../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../src/convert/index.js';
import { openDataset } from '../src/data/index.js';
import { simulate, type SimulationEngine } from '../src/simulate/simulator.js';
import { cnn4 } from './models.js';

const T = Number(process.argv[2]);
const engine = process.argv[3] as SimulationEngine;
const backend = createOrtBackend({ threads: 1 });
const data = openDataset('mnist', { split: 'test' });
const ann = cnn4();
const snn = convertToSnn(ann, await calibrate(backend, ann, data, { limit: 50 }), defaultConversionOptions);
await simulate(backend, snn.graph, data, { T, limit: 50, batchSize: 50, engine, threads: 2 });
console.log(JSON.stringify({ T, engine, maxRssKiB: process.resourceUsage().maxRSS }));
