/**
 * The reference reader of the format: ONNX's own checker (`onnx.checker.check_model(…, full_check=True)`,
 * which also runs shape inference) accepts every exported file — both formats, every conversion
 * option, a residual net with Concat, nets with exact max pooling. Needs Python's `onnx` (Debian: apt-get install python3-onnx);
 * skipped, saying so, without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calibrate } from '../../../src/ann/calibrate.js';
import { referenceBackend } from '../../../src/backend/reference/reference-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../../src/convert/index.js';
import { writeOnnxLoop, writeOnnxStep } from '../../../src/export/onnx/write-onnx.js';
import type { ConversionOptions } from '../../../src/model/snn-model.js';
import { maxPoolCnn, smallCnn } from '../../helpers/nets.js';
import { syntheticImages } from '../../helpers/synthetic-data.js';
import { residualConcatNet } from './nets.js';

/** A Python that imports onnx: Debian's first (a pyenv shim may not see Debian's packages). */
const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0);
const skip = python ? false : "Python's onnx is not installed (apt-get install python3-onnx)";

const CHECK = `
import sys, onnx
for f in sys.argv[1:]:
    onnx.checker.check_model(onnx.load(f), full_check=True)
    print("ok", f)
`;

test('onnx.checker (full check) accepts every exported step and Loop graph, max pools included', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ann2snn-onnx-check-'));
  const options: Partial<ConversionOptions>[] = [
    {},
    { shift: 'bias', tShift: 8 },
    { reset: 'hard' },
    { thresholdScope: 'channel', maxSpikesPerStep: 2 },
    { readout: 'spikes' },
  ];
  const cnn = smallCnn(3);
  const cnnStats = await calibrate(referenceBackend, cnn, syntheticImages(8, [1, 8, 8]));
  const residual = residualConcatNet(4);
  const residualStats = await calibrate(referenceBackend, residual, syntheticImages(8, [3, 12, 12]));
  const models = [
    ...options.map((o) => convertToSnn(cnn, cnnStats, { ...defaultConversionOptions, ...o })),
    convertToSnn(residual, residualStats, { ...defaultConversionOptions, thresholdScope: 'channel' }),
    // Exact max pooling: 2×2, and 3×3 with the dropped edge padded back.
    convertToSnn(maxPoolCnn(3), null, defaultConversionOptions),
    convertToSnn(maxPoolCnn(3, 3), null, defaultConversionOptions),
  ];
  const files = models.flatMap((model, i) => {
    const step = join(dir, `m${i}.step.onnx`);
    const loop = join(dir, `m${i}.onnx`);
    writeFileSync(step, writeOnnxStep(model));
    writeFileSync(loop, writeOnnxLoop(model, 8));
    return [step, loop];
  });
  const r = spawnSync(python!, ['-c', CHECK, ...files], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, files.length);
});
