/** Every node of an ONNX file with whether the importer supports it, without importing (for `inspect`). */
import type { onnx as O } from 'onnx-proto';
import { fuseQuantClip } from './fuse-quant-clip.js';
import { importers } from './op-table.js';
import { onnx } from './proto.js';

export interface OnnxNodeInfo {
  readonly name: string;
  readonly opType: string;
  readonly supported: boolean;
}

export function listOnnxNodes(bytes: Uint8Array): OnnxNodeInfo[] {
  const model = onnx.ModelProto.decode(bytes);
  const nodes = model.graph?.node ?? [];
  const fused = fusedNodes(nodes, model.graph?.initializer ?? [], model.graph?.output?.[0]?.name ?? '');
  return nodes.map((n, i) => {
    const domain = n.domain ?? '';
    const opType = n.opType ?? '?';
    const supported = fused.has(n) || ((domain === '' || domain === 'ai.onnx') && Object.hasOwn(importers, opType));
    return { name: n.name || `${opType}_${i}`, opType: domain && domain !== 'ai.onnx' ? `${domain}.${opType}` : opType, supported };
  });
}

/** The nodes of QCFS chains that the importer fuses into one activation (none when a chain does not fit). */
function fusedNodes(nodes: readonly O.INodeProto[], initializers: readonly O.ITensorProto[], output: string): Set<O.INodeProto> {
  try {
    const kept = new Set(fuseQuantClip(nodes, initializers, output, (n) => n.name ?? '', '<bytes>'));
    return new Set(nodes.filter((n) => !kept.has(n)));
  } catch {
    return new Set();
  }
}
