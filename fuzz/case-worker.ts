/**
 * The worker thread that runs fuzz cases one after another (started by supervisor.ts). It receives
 * `{ id, target, path }`, runs the target on the case file and replies `{ id, outcome }`; the
 * supervisor enforces the time and memory budgets from outside.
 */
import '../src/node/install.js'; // the Node host (src/host/platform.ts), before any core module runs
import { parentPort, workerData } from 'node:worker_threads';
import { classify, type Outcome } from './outcome.js';
import type { FuzzTarget } from './target.js';

export interface CaseRequest {
  readonly id: number;
  readonly target: string;
  readonly path: string;
}

export interface CaseReply {
  readonly id: number;
  readonly outcome: Outcome;
}

const port = parentPort;
if (port === null) throw new Error('case-worker.ts runs as a worker thread of supervisor.ts');
/** The table of targets: fuzz/targets/index.ts, or the module the supervisor names (tests use their own). */
const { targets } = (await import((workerData as { table: string }).table)) as { targets: readonly FuzzTarget[] };

port.on('message', async (request: CaseRequest) => {
  const target = targets.find((t) => t.name === request.target);
  let error: unknown;
  if (target === undefined) error = new Error(`no fuzz target '${request.target}'`);
  else {
    try {
      await target.run(request.path);
    } catch (err) {
      error = err ?? new Error('rejected with nothing');
    }
  }
  const expected = target?.expectedInMessage?.(request.path) ?? request.path;
  const reply: CaseReply = { id: request.id, outcome: classify(error, expected) };
  port.postMessage(reply);
});
port.postMessage({ ready: true });
