/**
 * The demo worker (a module worker): installs the web host, then runs what the page asks: one demo
 * run, then rasters and downloads of its result. A failure is posted as the error's message: for the
 * project's typed errors that is what the CLI prints after "ann2snn: error: "; a built-in exception
 * (a bug) is marked as internal, as the CLI marks it. The worker stays usable for the next run.
 */
import { installWebPlatform } from '../host/install-web.js';
import type { PageMessage, WorkerMessage } from './protocol.js';
import { runDemo, type DemoSession } from './worker/run-demo.js';
import { download, rasterFor } from './worker/session-requests.js';

const scope = self as unknown as {
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<PageMessage>) => void) | null;
};

const post = (message: WorkerMessage): void =>
  scope.postMessage(message, message.type === 'download' ? [message.bytes.buffer as ArrayBuffer] : []);

const ready = installWebPlatform();
let session: DemoSession | null = null;
// One request at a time, in order: a raster asked for during a download waits for it.
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (event) => {
  queue = queue.then(() => handle(event.data)).catch((error: unknown) => post(errorMessage(error)));
};

async function handle(message: PageMessage): Promise<void> {
  await ready;
  const started = performance.now();
  if (message.type === 'run') {
    session = null;
    session = await runDemo(message, post);
    post({ type: 'done', seconds: (performance.now() - started) / 1000 });
    return;
  }
  if (session === null) throw new Error(`no finished run to answer '${message.type}'`);
  post(message.type === 'raster' ? await rasterFor(session, message.image) : await download(session, message.kind));
}

/** Exceptions that mean a bug, not a bad input (src/tensor/internal-error.ts's InternalError included). */
const BUG_NAMES = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError', 'InternalError']);

function errorMessage(error: unknown): WorkerMessage {
  const e = error instanceof Error ? error : new Error(String(error));
  if (!BUG_NAMES.has(e.name)) return { type: 'error', name: e.name, message: e.message };
  return { type: 'error', name: e.name, message: `internal error (please report): ${e.stack ?? e.message}` };
}
