/** Every node of an ONNX file with whether the importer supports it, without importing (for `inspect`). */
import { importers } from './op-table.js';
import { onnx } from './proto.js';

export interface OnnxNodeInfo {
  readonly name: string;
  readonly opType: string;
  readonly supported: boolean;
}

export function listOnnxNodes(bytes: Uint8Array): OnnxNodeInfo[] {
  const model = onnx.ModelProto.decode(bytes);
  return (model.graph?.node ?? []).map((n, i) => {
    const domain = n.domain ?? '';
    const opType = n.opType ?? '?';
    const supported = (domain === '' || domain === 'ai.onnx') && Object.hasOwn(importers, opType);
    return { name: n.name || `${opType}_${i}`, opType: domain && domain !== 'ai.onnx' ? `${domain}.${opType}` : opType, supported };
  });
}
