/**
 * The page's entry: starts the demo at once (the bundled model on the bundled MNIST) and a run of
 * the user's ONNX file (picked or dropped, with optional IDX data) on request; the demo worker does
 * all the work and this file routes its messages to the views. Stop terminates the worker (and the
 * event engine's workers with it); the next run starts a fresh one.
 */
import type { DownloadKind, PageMessage, WorkerMessage } from './protocol.js';
import { drawAccuracyChart, emptyChart, type ChartState } from './views/accuracy-chart.js';
import { resetAccuracyTable, showAnnAccuracy, showStrategyAccuracy } from './views/accuracy-table.js';
import { showConversion } from './views/conversion-view.js';
import { showSummary } from './views/cost-view.js';
import { byId, fill } from './views/dom.js';
import { clearFigures, showFigures } from './views/figures-view.js';
import { demoRequest, rasterImage, T, userRequest, watchDropZone } from './views/inputs-view.js';
import { showData, showModel } from './views/model-view.js';
import { setState, showError, showStage, showStatus } from './views/progress-view.js';
import { saveBytes } from './download.js';

let worker: Worker | null = null;
let running = false;
let chart: ChartState = emptyChart(T);

function freshWorker(): Worker {
  worker?.terminate();
  const w = new Worker(new URL('./demo-worker.js', location.href), { type: 'module' });
  w.onmessage = (event: MessageEvent<WorkerMessage>) => onMessage(event.data);
  w.onerror = (event) => {
    event.preventDefault();
    fail(`the demo worker failed: ${event.message}`);
  };
  return w;
}

function start(request: PageMessage): void {
  worker = freshWorker();
  running = true;
  chart = emptyChart(T);
  showError('');
  for (const id of ['model', 'data', 'conversion', 'cost']) fill(id);
  clearFigures();
  resetAccuracyTable(T);
  drawAccuracyChart(chart);
  setState('running');
  showStatus('starting');
  const transfer =
    request.type === 'run'
      ? [request.model, request.data?.images, request.data?.labels].flatMap((f) => (f ? [f.bytes.buffer as ArrayBuffer] : []))
      : [];
  worker.postMessage(request, transfer);
}

/** A failed run ends in state 'error'; a failed later request (a download, a raster) only shows its message. */
function fail(message: string): void {
  showError(message);
  if (running) {
    running = false;
    setState('error');
    showStatus('failed');
  }
}

function onMessage(m: WorkerMessage): void {
  switch (m.type) {
    case 'stage':
      return showStage(m.stage, m.done, m.total);
    case 'model':
      return showModel(m);
    case 'data':
      return showData(m);
    case 'conversion':
      return showConversion(m);
    case 'ann':
      chart.ann = m.accuracy;
      drawAccuracyChart(chart);
      return showAnnAccuracy(m.accuracy);
    case 'accuracy':
      chart.curves.set(m.strategy, m);
      drawAccuracyChart(chart);
      return showStrategyAccuracy(m.strategy, m.accuracyAt, m.images === m.total);
    case 'summary':
      return showSummary(m.summary);
    case 'figures':
      return showFigures(m.figures);
    case 'download':
      return saveBytes(m.bytes, m.fileName, m.mime);
    case 'done':
      running = false;
      setState('done');
      return showStatus(`done in ${m.seconds.toFixed(1)} s`);
    case 'error':
      return fail(m.message);
  }
}

function stop(): void {
  worker?.terminate();
  worker = null;
  running = false;
  setState('stopped');
  showStatus('stopped');
}

async function startUserRun(file?: File): Promise<void> {
  const request = await userRequest(file);
  if (request) start(request);
}

byId('run-demo').addEventListener('click', () => start(demoRequest()));
byId('run-files').addEventListener('click', () => void startUserRun());
byId('onnx-file').addEventListener('change', () => void startUserRun());
watchDropZone((file) => void startUserRun(file));
byId('stop').addEventListener('click', stop);
byId('image-index').addEventListener('change', () => {
  if (document.body.dataset.state === 'done') worker?.postMessage({ type: 'raster', image: rasterImage() } satisfies PageMessage);
});
for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-download]')) {
  button.addEventListener('click', () => {
    showError('');
    worker?.postMessage({ type: 'download', kind: button.dataset.download as DownloadKind } satisfies PageMessage);
  });
}

start(demoRequest());
