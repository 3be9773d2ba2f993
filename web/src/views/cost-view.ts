/** Per strategy: firing rate, spikes and synops of every spiking layer; synops and energy per image against the ANN. */
import { compactNumber, joules, num } from '../../../src/report/format.js';
import type { StrategySummary } from '../protocol.js';
import { byId, el, textTable } from './dom.js';

export function showSummary(s: StrategySummary): void {
  const ratio = s.annEnergyPerImage > 0 ? ` (${num(s.snnEnergyPerImage / s.annEnergyPerImage, 3)}× the ANN)` : '';
  byId('cost').append(
    el('section', { 'data-strategy': s.strategy }, [
      el('h3', {}, [s.label]),
      el('p', {}, [
        `${compactNumber(s.spikesPerImage)} spikes and ${compactNumber(s.synopsPerImage)} synaptic operations per image ` +
          `(ANN: ${compactNumber(s.annMacsPerImage)} MACs); energy ${joules(s.snnEnergyPerImage)} per image${ratio} vs ANN ${joules(s.annEnergyPerImage)}; ` +
          `within 1 point of the ANN from t = ${s.latency ?? 'never'}; ${s.engine} engine, ${s.seconds.toFixed(1)} s`,
      ]),
      textTable(
        ['spiking layer', 'rate', 'spikes/img', 'synops/img'],
        s.layers.map((l) => [l.node, l.rate.toFixed(4), compactNumber(l.spikesPerImage), compactNumber(l.synopsPerImage)]),
      ),
    ]),
  );
}
