/**
 * The worker thread of nir-decode-guarded.ts: decodes NIR files' HDF5 bytes (export/nir/hdf5-codec.ts), one
 * request `{ id, bytes, source }` at a time, replying `{ id, graph }` or `{ id, error: { name, message } }`.
 */
import { parentPort } from 'node:worker_threads';
import { decodeNir } from '../../export/nir/hdf5-codec.js';

const port = parentPort!;
port.on('message', async ({ id, bytes, source }: { id: number; bytes: Uint8Array; source: string }) => {
  try {
    port.postMessage({ id, graph: await decodeNir(bytes, source) });
  } catch (e) {
    port.postMessage({ id, error: { name: (e as Error).name, message: (e as Error).message } });
  }
});
