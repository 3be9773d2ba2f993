/**
 * `table#accuracy`: one row per t = 1 … T, the ANN beside each strategy, every cell as `npm start`
 * prints it (pct: percent, two decimals). A cell is `td[data-strategy][data-t]`; while the
 * simulation runs its value covers the images done so far (class "partial").
 */
import { pct } from '../../../src/report/format.js';
import { STRATEGIES, type StrategyName } from '../protocol.js';
import { byId, el } from './dom.js';

const COLUMNS = ['ann', ...STRATEGIES] as const;

/** An empty table for T steps. */
export function resetAccuracyTable(T: number): void {
  const table = byId<HTMLTableElement>('accuracy');
  const rows = Array.from({ length: T }, (_, i) =>
    el('tr', {}, [
      el('th', { scope: 'row' }, [String(i + 1)]),
      ...COLUMNS.map((c) => el('td', { 'data-strategy': c, 'data-t': String(i + 1) })),
    ]),
  );
  table.replaceChildren(
    el('thead', {}, [el('tr', {}, [el('th', {}, ['t']), ...COLUMNS.map((c) => el('th', {}, [c === 'ann' ? 'ANN' : c]))])]),
    el('tbody', {}, rows),
  );
}

export function showAnnAccuracy(accuracy: number): void {
  for (const cell of byId('accuracy').querySelectorAll<HTMLElement>('td[data-strategy="ann"]')) cell.textContent = pct(accuracy);
}

export function showStrategyAccuracy(strategy: StrategyName, accuracyAt: readonly number[], final: boolean): void {
  const cells = byId('accuracy').querySelectorAll<HTMLElement>(`td[data-strategy="${strategy}"]`);
  cells.forEach((cell, i) => {
    cell.textContent = pct(accuracyAt[i]);
    cell.classList.toggle('partial', !final);
  });
}
