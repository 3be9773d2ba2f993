/** `progress#progress` and its label: the stage running and how far it is; `document.body.dataset.state` says running, done, stopped or error. */
import { byId } from './dom.js';

export type PageState = 'idle' | 'running' | 'done' | 'stopped' | 'error';

export function setState(state: PageState): void {
  document.body.dataset.state = state;
  byId<HTMLButtonElement>('stop').disabled = state !== 'running';
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-download]')) button.disabled = state !== 'done';
}

export function showStage(stage: string, done: number, total: number): void {
  const bar = byId<HTMLProgressElement>('progress');
  bar.max = Math.max(total, 1);
  bar.value = done;
  byId('stage').textContent = `${stage}: ${done} / ${total}`;
}

export function showStatus(text: string): void {
  byId('stage').textContent = text;
}

/** The error line (role=alert): the typed error's message as the CLI prints it; empty hides it. */
export function showError(message: string): void {
  const box = byId('error');
  box.textContent = message;
  box.hidden = message === '';
}
