/**
 * Ctrl-C during a long `ann2snn simulate` (the bundled demo model, T = 65,536): the CLI stops within
 * a couple of seconds with one line and exit status 130 — on the event engine's workers and on the
 * reference backend, which computes on the JS thread (the batch loops yield to let the signal in);
 * Ctrl-C during `ann2snn train` keeps the last complete checkpoint and says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants as fs, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAnn } from '../../src/node/ann-file.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { saveSnn } from '../../src/node/snn-file.js';
import { writeIdx } from '../data/files.js';

const dir = mkdtempSync(join(tmpdir(), 'ann2snn-interrupt-'));
const snn = join(dir, 'demo.snn');
// 200 synthetic test images: the bundled MNIST takes seconds of one synchronous decode to load.
const data = join(dir, 'data');
mkdirSync(data);
writeIdx(data, 'train', 10, 28, 28, false);
writeIdx(data, 't10k', 200, 28, 28, false);
await saveSnn(snn, convertToSnn(await loadAnn('models/demo-mnist.onnx'), null, { ...defaultConversionOptions, strategy: 'deng-gu' }));

/**
 * The model reaches the CLI through a named pipe: writing it returns once the CLI has opened it, so
 * the CLI is then inside `simulate` (its interrupt handler installed long before), however slowly a
 * loaded machine started it.
 */
function modelPipe(): string | null {
  const fifo = join(dir, `model-${Math.random().toString(36).slice(2)}.snn`);
  return spawnSync('mkfifo', [fifo]).status === 0 ? fifo : null;
}

for (const flags of [[], ['--engine', 'dense', '--backend', 'reference']]) {
  test(`Ctrl-C during simulate ${flags.join(' ') || '(defaults)'}: one line, exit 130, within seconds`, async (t) => {
    const fifo = modelPipe();
    if (fifo === null) return t.skip('no mkfifo on this system');
    const args = ['--import', 'tsx', 'src/cli/main.ts', 'simulate', fifo, '--T', '65536', '--data', data, ...flags];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? 128 + constants.signals[signal!])));
    let delivered = false;
    const early = exit.then((status) => {
      if (delivered) return;
      closeSync(openSync(fifo, fs.O_RDONLY | fs.O_NONBLOCK)); // releases our writer
      throw new Error(`the CLI exited (${status}) before reading the model:\n${err}`);
    });
    await Promise.race([writeFile(fifo, readFileSync(snn)).then(() => (delivered = true)), early]);
    await sleep(1500); // into the work: loading, the ANN's accuracy, the simulation
    const sent = performance.now();
    child.kill('SIGINT');
    const status = await exit;
    const seconds = (performance.now() - sent) / 1000;
    assert.equal(status, 130, err);
    assert.equal(err, 'ann2snn: interrupted (SIGINT); nothing was written\n');
    assert.equal(out, '');
    assert.ok(seconds < 4, `stopped ${seconds.toFixed(1)} s after Ctrl-C`);
    t.diagnostic(`stopped ${seconds.toFixed(2)} s after Ctrl-C`);
  });
}

test('Ctrl-C during train: the last complete checkpoint is kept and named, nothing else is written', async () => {
  const out = join(dir, 'trained.onnx');
  const checkpoint = `${out}.ckpt`;
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'train', '--preset', 'demo', '--data', data, '--epochs', '1000'];
  const child = spawn(process.execPath, [...args, '--batch', '5', '--threads', '1', '-o', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? 128 + constants.signals[signal!])));
  let running = true;
  void exit.then(() => (running = false));
  while (running && !existsSync(checkpoint)) await sleep(50);
  child.kill('SIGINT');
  const status = await exit;
  assert.equal(status, 130, err);
  assert.match(err, /epoch 1: train loss/);
  assert.equal(err.split('\n').at(-2), `ann2snn: interrupted (SIGINT); kept ${checkpoint} (complete); nothing else was written`);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith('trained') || f.startsWith('.trained')),
    ['trained.onnx.ckpt'],
  );
});
