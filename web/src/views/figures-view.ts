/** The report's figures (SVG from the worker), each in its slot: `#figure-<id>` if the page has one, else `#figures-other`. */
import type { Figure } from '../protocol.js';
import { byId, el } from './dom.js';

export function showFigures(figures: readonly Figure[]): void {
  for (const f of figures) {
    const figure = el('figure', { 'data-plot': f.id }, [el('figcaption', {}, [el('b', {}, [f.title]), ' ', f.caption])]);
    // The SVG is the report renderer's output: vega escapes the text it draws (node names come from the model file).
    figure.insertAdjacentHTML('afterbegin', f.svg);
    const slot = document.getElementById(`figure-${f.id}`);
    if (slot) slot.replaceChildren(figure);
    else {
      byId('figures-other').querySelector(`figure[data-plot="${f.id}"]`)?.remove();
      byId('figures-other').append(figure);
    }
  }
}

export function clearFigures(): void {
  for (const slot of document.querySelectorAll('[id^="figure-"]')) slot.replaceChildren();
  byId('figures-other').replaceChildren();
}
