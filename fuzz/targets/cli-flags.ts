/**
 * The command line's numeric flags, in process (src/cli/program.ts runCli): one command with valid
 * arguments around one fuzzed flag, given a boundary or random value (0, −1, 1.5, NaN, '', ' ',
 * 1e9, 2^53, 'Infinity', '0x10', the ceiling and one past it, small valid values…). The fixtures
 * are tiny (an 8×8 CNN as ONNX, .snn and NIR; 16 + 16 IDX images), made once in a temporary
 * directory, and every output goes there. A case file is the argv, one element per line; the
 * fuzzed flag and its value are the last two lines, and a refusal must name that flag. A valid
 * value must run to the end; a huge valid one must be refused up front (a flag's ceiling), never
 * allocate or loop by it.
 */
import fc from 'fast-check';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { encodeSnn } from '../../src/model/snn-codec.js';
import { writeNir } from '../../src/export/nir/write-nir.js';
import { graphToOnnx } from '../../src/onnx/export-graph.js';
import { runCli } from '../../src/cli/program.js';
import { MAX_BATCH, MAX_CHUNK, MAX_EPOCHS, MAX_SEED, MAX_THREADS, MAX_TIME_STEPS } from '../../src/cli/options.js';
import { smallCnn } from '../../test/helpers/nets.js';
import type { FuzzCase, FuzzTarget } from '../target.js';

const dir = mkdtempSync(join(tmpdir(), 'ann2snn-fuzz-cli-'));
const data = join(dir, 'data');
mkdirSync(data);

function idx(dims: readonly number[], values: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + values.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x0800 + dims.length, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(values, 4 + 4 * dims.length);
  return out;
}

const IMAGES = 16;
for (const prefix of ['train', 't10k']) {
  writeFileSync(
    join(data, `${prefix}-images-idx3-ubyte`),
    idx(
      [IMAGES, 8, 8],
      Uint8Array.from({ length: IMAGES * 64 }, (_, i) => (i * 29) & 0xff),
    ),
  );
  writeFileSync(
    join(data, `${prefix}-labels-idx1-ubyte`),
    idx(
      [IMAGES],
      Uint8Array.from({ length: IMAGES }, (_, i) => i % 10),
    ),
  );
}
const ann = smallCnn(11);
const onnxModel = join(dir, 'model.onnx');
writeFileSync(onnxModel, graphToOnnx(ann));
const snn = convertToSnn(ann, null, { ...defaultConversionOptions });
const snnModel = join(dir, 'model.snn');
writeFileSync(snnModel, encodeSnn(snn, { source: onnxModel, calibrationData: data }));
const nirModel = join(dir, 'model.nir');
writeFileSync(nirModel, (await writeNir(snn)).bytes);

let outputs = 0;
/** A fresh output path in the fixture directory. */
const out = (extension: string): string => join(dir, `out-${process.pid}-${++outputs}${extension}`);

type Values = fc.Arbitrary<string>;
/** `train` on the demo preset, one epoch of 8 images, `extra` flags first. */
const trainArgs = (...extra: string[]): string[] => [
  'train',
  '--preset',
  'demo',
  ...extra,
  ...['--data', data, '--epochs', '1', '--limit', '8', '--batch', '8', '-o', out('.onnx'), '--json'],
];
const num = (n: number): string => String(n);

/** Values no numeric flag accepts, and boundaries around a ceiling. */
const hostile: Values = fc.constantFrom(
  '0',
  '-1',
  '1.5',
  'NaN',
  '',
  ' ',
  '1e9',
  '9007199254740993',
  'Infinity',
  '-Infinity',
  'abc',
  '1e400',
  '-0.5',
  '2,3',
);
const around = (max: number): Values => fc.constantFrom(num(max + 1), num(max * 2), num(2 ** 53), '1e300');
const small = (max: number): Values => fc.integer({ min: 1, max }).map(num);
const intFlag = (max: number, valid: Values): Values =>
  fc.oneof({ weight: 3, arbitrary: hostile }, { weight: 1, arbitrary: around(max) }, { weight: 3, arbitrary: valid });
const countFlag = (valid: Values): Values =>
  fc.oneof(
    { weight: 3, arbitrary: hostile },
    { weight: 3, arbitrary: valid },
    { weight: 1, arbitrary: fc.constantFrom('1e9', num(2 ** 53 - 1), '0x10', '1e3') },
  );
const realFlag = (valid: Values): Values =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('0', '-1', 'NaN', '', 'Infinity', '1e400', '-1e-300', 'x') },
    { weight: 2, arbitrary: valid },
  );

const T = intFlag(MAX_TIME_STEPS, small(8));
// Valid thread counts from 2: report and demo with --threads 1 take ~6× as long as with 2 on these
// tiny fixtures (8.8 s against 1.5 s on a loaded machine), past the per-case budget; reported, not hidden.
const threads = intFlag(MAX_THREADS, fc.constantFrom('2', '3'));
const batch = intFlag(MAX_BATCH, fc.oneof(small(20), fc.constant('65536')));
const chunk = intFlag(MAX_CHUNK, fc.oneof(small(10), fc.constant(num(MAX_CHUNK))));
const seed = intFlag(MAX_SEED, fc.oneof(fc.constantFrom('0', num(MAX_SEED)), small(1000)));
const limit = countFlag(small(20));

interface Command {
  readonly base: () => string[];
  readonly flags: Readonly<Record<string, Values>>;
}

/** Every command with its numeric flags (and the valid arguments each case starts from). */
const commands: Readonly<Record<string, Command>> = {
  'eval-ann': {
    base: () => ['eval-ann', onnxModel, '--data', data, '--json'],
    flags: { '--limit': limit, '--batch': batch, '--threads': threads },
  },
  convert: {
    base: () => ['convert', onnxModel, '--calib', data, '--calib-limit', '8', '-o', out('.snn'), '--json'],
    flags: {
      '--calib-limit': limit,
      '--t-shift': T,
      '--percentile': realFlag(fc.constantFrom('100', '99.9', '0.001', '50')),
      '--burst': intFlag(65_536, small(4)),
      '--threads': threads,
    },
  },
  'convert (calibrated)': {
    base: () => [
      'convert',
      onnxModel,
      '--calib',
      data,
      '--calib-limit',
      '8',
      '--strategy',
      'calibrated',
      '--target-T',
      '4',
      '-o',
      out('.snn'),
      '--json',
    ],
    flags: { '--target-T': T, '--calibration-images': limit },
  },
  simulate: {
    base: () => ['simulate', snnModel, '--data', data, '--T', '4', '--json'],
    flags: { '--limit': limit, '--T': T, '--batch': batch, '--threads': threads },
  },
  'simulate (dense, poisson)': {
    base: () => ['simulate', snnModel, '--data', data, '--T', '4', '--engine', 'dense', '--encoder', 'poisson', '--json'],
    flags: { '--chunk': chunk, '--seed': seed, '--T': T },
  },
  report: {
    base: () => ['report', snnModel, '--data', data, '--T', '8', '--limit', '4', '--error-images', '2', '--no-compare', '--json'],
    flags: {
      '--T': T,
      '--limit': limit,
      '--batch': batch,
      '--chunk': chunk,
      '--error-images': countFlag(fc.constantFrom('0', '1', '8')),
      '--error-T': fc.oneof(hostile, fc.constantFrom('1,2,8', '9', '8,8', '1,,2', '0')),
      '--raster-image': countFlag(fc.constantFrom('0', '15', '16', '1000')),
      '--seed': seed,
      '--e-ac': realFlag(fc.constantFrom('0.9', '1e-9', '1e300')),
      '--e-mac': realFlag(fc.constantFrom('4.6', '1e300')),
      '--threads': threads,
    },
  },
  export: {
    base: () => ['export', snnModel, '-o', out('.onnx'), '--json'],
    flags: { '--T': T },
  },
  // Without the readers' check (three simulations, over the 10 s budget on a loaded machine);
  // its --limit and --threads are the parsers every other command's are.
  'export (nir)': {
    base: () => ['export', nirModel, '-o', out('.nir'), '--no-check', '--json'],
    flags: { '--T': T, '--limit': limit, '--threads': threads },
  },
  train: {
    base: () => trainArgs(),
    flags: {
      '--epochs': intFlag(MAX_EPOCHS, fc.constantFrom('1', '2')),
      '--batch': batch,
      '--limit': limit,
      '--lr': realFlag(fc.constantFrom('0.001', '1e-9', '10')),
      '--theta': realFlag(fc.constantFrom('1', '0.01', '1e30')),
      '--weight-decay': realFlag(fc.constantFrom('0', '0.1')),
      '--seed': seed,
      '--threads': threads,
    },
  },
  'train (qcfs)': {
    base: () => trainArgs('--act', 'qcfs'),
    flags: { '--levels': intFlag(65_536, small(8)) },
  },
  demo: {
    base: () => ['demo', '--model', onnxModel, '--data', data, '--T', '4', '--calib-limit', '4', '--limit', '4', '-o', out('.json')],
    flags: { '--T': T, '--limit': limit, '--calib-limit': limit, '--threads': threads },
  },
};

/** A command (by name), one of its flags and a value: the case. The argv's outputs are named at run time. */
const cases: fc.Arbitrary<FuzzCase> = fc
  .constantFrom(...Object.keys(commands))
  .chain((name) =>
    fc
      .constantFrom(...Object.keys(commands[name].flags))
      .chain((flag) => commands[name].flags[flag].map((value) => ({ name, flag, value }))),
  )
  .map(({ name, flag, value }) => ({
    bytes: new TextEncoder().encode([name, flag, value].join('\n')),
    mutation: `${name} ${flag} '${value}'`,
  }));

/** The case file: the command's name, the flag, its value (one per line). */
function readCase(path: string): { name: string; flag: string; value: string } {
  const [name, flag, ...rest] = readFileSync(path, 'utf8').split('\n');
  return { name, flag, value: rest.join('\n') };
}

/** Runs with stdout and stderr captured (the commands print their results). */
async function quietly<T>(run: () => Promise<T>): Promise<T> {
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await run();
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

export const cliFlagsTarget: FuzzTarget = {
  name: 'cli-flags',
  extension: 'argv',
  cases,
  async run(path) {
    const { name, flag, value } = readCase(path);
    const command = commands[name];
    if (command === undefined) throw new Error(`${path}: unknown command '${name}' in the case file`);
    const silent = { writeOut: () => undefined, writeErr: () => undefined };
    const exitCode = process.exitCode;
    try {
      await quietly(() => runCli([...command.base(), flag, value], silent));
    } finally {
      process.exitCode = exitCode;
    }
  },
  expectedInMessage(path) {
    return readCase(path).flag;
  },
};
