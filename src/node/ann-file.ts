import type { Graph } from '../ir/graph.js';
import { simplifyGraph } from '../ir/passes/index.js';
import { readOnnxFile } from './onnx-file.js';

/** Reads an ONNX model and simplifies it for evaluation and conversion (Dropout/Identity gone, Pad and BatchNorm folded). */
export async function loadAnn(path: string): Promise<Graph> {
  return simplifyGraph(await readOnnxFile(path));
}
