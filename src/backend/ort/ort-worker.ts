/**
 * The worker of the off-thread host (off-thread.ts), served by the host's 'ort' worker entry
 * (src/node/workers/ort-worker.ts): it holds ONNX Runtime sessions and answers one request at a
 * time, in order (a release never overtakes the runs posted before it). Requests open a session
 * (ONNX bytes + session options), run one (a staging input, transferred there and back; split into
 * row slices by row-split.ts's `runSlices` when asked) or release one. Failures come back as ONNX
 * Runtime's message; the host wraps them in BackendErrors.
 */
import type * as ort from 'onnxruntime-common';
import { platform, type WorkerMain } from '../../host/platform.js';
import { runSlices, type RowSplit } from './row-split.js';
import { InternalError } from '../../tensor/internal-error.js';
import { BackendError } from '../backend.js';

/** What the host asks (each message also carries `req`, the number its reply repeats). */
export type WorkerRequest =
  | { readonly op: 'open'; readonly session: number; readonly bytes: Uint8Array; readonly options: ort.InferenceSession.SessionOptions }
  | {
      readonly op: 'run';
      readonly session: number;
      readonly input: Float32Array;
      readonly shape: readonly number[];
      readonly inputName: string;
      readonly outputs: readonly string[];
      readonly split: RowSplit | null;
    }
  | { readonly op: 'release'; readonly session: number };

export interface WorkerReply {
  readonly req: number;
  readonly error?: string;
  /** The staging input, back for reuse. */
  readonly input?: Float32Array;
  readonly outputs?: readonly { readonly dims: readonly number[]; readonly data: Float32Array }[];
}

type Reply = Omit<WorkerReply, 'req'>;
type Sessions = Map<number, ort.InferenceSession>;

/** A Float32Array that owns its whole buffer (so the buffer can be transferred). */
function own(a: Float32Array): Float32Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

function float32(name: string, t: ort.Tensor): Float32Array {
  if (t.type !== 'float32') throw new BackendError(`ort backend: output '${name}' has type ${t.type}, expected float32`);
  return own(t.data as Float32Array);
}

async function run(sessions: Sessions, m: Extract<WorkerRequest, { op: 'run' }>): Promise<Reply> {
  const session = sessions.get(m.session);
  if (session === undefined) throw new InternalError(`ort worker: no session ${m.session}`);
  const { input, shape, inputName, outputs, split } = m;
  const rows = shape[0];
  if (split === null || rows <= split.rowsPerRun) {
    const OrtTensor = platform().ort.Tensor;
    const results = await session.run({ [inputName]: new OrtTensor('float32', input, shape) });
    return { input, outputs: outputs.map((name) => ({ dims: results[name].dims, data: float32(name, results[name]) })) };
  }
  const buffers = await runSlices(session, inputName, input, shape, outputs, split);
  return { input, outputs: outputs.map((name, i) => ({ dims: [rows, ...split.outputSamples[i]], data: buffers[i] })) };
}

async function handle(sessions: Sessions, m: WorkerRequest): Promise<Reply> {
  switch (m.op) {
    case 'open':
      sessions.set(m.session, await platform().ort.InferenceSession.create(m.bytes, m.options));
      return {};
    case 'release': {
      const session = sessions.get(m.session);
      sessions.delete(m.session);
      if (session !== undefined) await session.release();
      return {};
    }
    case 'run':
      return run(sessions, m);
  }
}

/** The worker's body (its start value is unused): requests in, replies out, one at a time. */
export const serveOrtWorker: WorkerMain = (scope) => {
  const sessions: Sessions = new Map();
  let queue = Promise.resolve();
  scope.onMessage((message) => {
    const m = message as WorkerRequest & { readonly req: number };
    queue = queue.then(async () => {
      try {
        const reply = await handle(sessions, m);
        const transfer = new Set<ArrayBuffer>();
        if (reply.input) transfer.add(reply.input.buffer as ArrayBuffer);
        for (const o of reply.outputs ?? []) transfer.add(o.data.buffer as ArrayBuffer);
        scope.postMessage({ req: m.req, ...reply }, [...transfer]);
      } catch (error) {
        scope.postMessage({ req: m.req, error: error instanceof Error ? error.message : String(error) });
      }
    });
  });
};
