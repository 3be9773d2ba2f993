/** The model's layers as `ann2snn inspect` lists them: node, op, output shape, parameters, MACs. */
import { compactNumber } from '../../../src/report/format.js';
import type { WorkerMessage } from '../protocol.js';
import { byId, el, fill, textTable } from './dom.js';

export function showModel(m: Extract<WorkerMessage, { type: 'model' }>): void {
  const parameters = m.layers.reduce((s, l) => s + l.parameters, 0);
  const macs = m.layers.reduce((s, l) => s + l.macs, 0);
  fill(
    'model',
    el('p', {}, [
      `${m.source}: input ${m.input}, ${m.layers.length} nodes (${m.simplifiedNodes} after folding); `,
      `${parameters.toLocaleString('en-US')} parameters, ${macs.toLocaleString('en-US')} MACs per image`,
    ]),
    textTable(
      ['node', 'op', 'output', 'params', 'MACs'],
      m.layers.map((l) => [l.node, l.op, l.outputShape, compactNumber(l.parameters), compactNumber(l.macs)]),
    ),
  );
}

export function showData(m: Extract<WorkerMessage, { type: 'data' }>): void {
  byId<HTMLInputElement>('image-index').max = String(m.images - 1);
  fill('data', `${m.images} test images of ${m.test}; thresholds from ${m.calibration}; soft reset; non-spiking readout`);
}
