/** `convert --neuron <name>`: the neuron table's names in the help, a signed SNN in the .snn file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSnn } from '../../src/model/snn-codec.js';
import { residualModel } from '../helpers/pytorch-like.js';
import { cli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ann2snn-cli-neuron-'));
const residual = join(dir, 'residual.onnx');
writeFileSync(residual, residualModel(5).bytes);

test('convert --neuron signed writes signed neurons; the help lists the table; an unknown name is refused', () => {
  const help = cli('convert', '--help');
  assert.equal(help.code, 0, help.err);
  assert.match(help.out, /--neuron <name>[\s\S]*if \(integrate-and-fire[\s\S]*signed \(signed IF/);
  const snn = join(dir, 'signed.snn');
  const c = cli('convert', residual, '--calib', 'mnist', '--calib-limit', '20', '--neuron', 'signed', '-o', snn);
  assert.equal(c.code, 0, c.err);
  const { model } = decodeSnn(readFileSync(snn), snn);
  const spikes = model.graph.nodes.filter((n) => n.op === 'Spike');
  assert.ok(spikes.length > 0 && spikes.every((n) => n.neuron === 'signed'));
  assert.equal(model.conversion.options.neuron, 'signed');
  const sim = cli('simulate', snn, '--limit', '20', '--T', '4');
  assert.equal(sim.code, 0, sim.err);
  assert.match(sim.out, /dense engine \(event engine not used: .*neuron 'signed' has no event-engine form/);
  const bad = cli('convert', residual, '--neuron', 'lif', '-o', join(dir, 'lif.snn'));
  assert.equal(bad.code, 2, 'a usage error');
  assert.match(bad.err, /--neuron <name>' argument 'lif' is invalid\. expected one of if, signed/);
  const hard = cli(
    'convert',
    residual,
    '--calib',
    'mnist',
    '--calib-limit',
    '20',
    '--neuron',
    'signed',
    '--reset',
    'hard',
    '-o',
    join(dir, 'hard.snn'),
  );
  assert.equal(hard.code, 1);
  assert.match(hard.err, /neuron 'signed': reset 'hard'/);
});
