/** The ONNX file on disk (Node): reads it and imports its bytes with the core's importOnnx. */
import { readFile } from 'node:fs/promises';
import type { Graph } from '../ir/graph.js';
import { OnnxError } from '../onnx/errors.js';
import { importOnnx } from '../onnx/import.js';

/** Reads and imports an ONNX file; a missing or unreadable file is an OnnxError naming the path. */
export async function readOnnxFile(path: string): Promise<Graph> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new OnnxError(`cannot read the model file: ${why}`, { source: path, cause: err });
  }
  return importOnnx(bytes, path);
}
