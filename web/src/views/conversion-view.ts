/** The conversion of each strategy: its settings, and θ per spiking layer with where it came from. */
import type { WorkerMessage } from '../protocol.js';
import { byId, el, textTable } from './dom.js';

export function showConversion(m: Extract<WorkerMessage, { type: 'conversion' }>): void {
  byId('conversion').append(
    el('section', { 'data-strategy': m.strategy }, [
      el('h3', {}, [m.strategy]),
      el('p', { class: 'note' }, [m.settings]),
      textTable(m.headers, m.rows),
    ]),
  );
}
