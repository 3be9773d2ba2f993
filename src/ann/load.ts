import type { Graph } from '../ir/graph.js';
import { simplifyGraph } from '../ir/passes/index.js';
import { importOnnx } from '../onnx/import.js';

/**
 * Imports an ONNX model's bytes and simplifies it for evaluation and conversion (Dropout/Identity
 * gone, Pad and BatchNorm folded). `name` names the model in errors (the file path under Node).
 */
export function loadAnnFromBytes(bytes: Uint8Array, name: string): Graph {
  return simplifyGraph(importOnnx(bytes, name));
}
