/**
 * ONNX export read back (src/export/onnx): the `onnx` (a Loop over T steps) and `onnx-step`
 * exports of a converted model, mutated and imported again with the project's ONNX importer. The
 * exports hold ops an ANN importer does not take (Loop, Equal, ConstantOfShape…), so as written
 * they are refused with an OnnxError naming them; the structured mutations rewrite op types to
 * ones the importer knows (so the graph checks behind that refusal are reached), change tensor
 * dims (0, −1, 2^40), data types and raw_data lengths, and drop inputs, outputs and initializers;
 * byte mutations come on top. Every case must end in a typed refusal naming the file, or a graph.
 */
import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { writeOnnxLoop, writeOnnxStep } from '../../src/export/onnx/write-onnx.js';
import { importOnnx } from '../../src/onnx/import.js';
import { onnx } from '../../src/onnx/proto.js';
import { importers } from '../../src/onnx/op-table.js';
import { validateGraph } from '../../src/ir/shapes.js';
import { smallCnn } from '../../test/helpers/nets.js';
import type { FuzzCase, FuzzTarget } from '../target.js';
import { byteMutation, mutate } from './byte-mutations.js';

const model = convertToSnn(smallCnn(9), null, { ...defaultConversionOptions });
const bases = [writeOnnxLoop(model, 4), writeOnnxStep(model)];

const KNOWN_OPS = Object.keys(importers);
const HOSTILE_DIMS = [0, -1, 1, 3, 2 ** 31, 2 ** 40];

type Edit =
  | { readonly kind: 'op'; readonly node: number; readonly op: number }
  | { readonly kind: 'all-ops'; readonly op: number }
  | { readonly kind: 'dims'; readonly tensor: number; readonly dim: number; readonly value: number }
  | { readonly kind: 'data-type'; readonly tensor: number; readonly value: number }
  | { readonly kind: 'raw-data'; readonly tensor: number; readonly keep: number }
  | { readonly kind: 'single-io' }
  | { readonly kind: 'drop'; readonly what: 'input' | 'output' | 'initializer' | 'node'; readonly index: number };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('op' as const), node: fc.nat(), op: fc.nat() }),
  fc.record({ kind: fc.constant('all-ops' as const), op: fc.nat() }),
  fc.record({ kind: fc.constant('all-ops' as const), op: fc.nat() }),
  fc.constant({ kind: 'single-io' as const }),
  fc.constant({ kind: 'single-io' as const }),
  fc.record({ kind: fc.constant('dims' as const), tensor: fc.nat(), dim: fc.nat(), value: fc.constantFrom(...HOSTILE_DIMS) }),
  fc.record({ kind: fc.constant('data-type' as const), tensor: fc.nat(), value: fc.constantFrom(0, 2, 6, 7, 10, 11, 16, 99) }),
  fc.record({ kind: fc.constant('raw-data' as const), tensor: fc.nat(), keep: fc.nat() }),
  fc.record({
    kind: fc.constant('drop' as const),
    what: fc.constantFrom('input' as const, 'output' as const, 'initializer' as const, 'node' as const),
    index: fc.nat(),
  }),
);

function applyEdits(bytes: Uint8Array, edits: readonly Edit[]): { bytes: Uint8Array; described: string[] } {
  const m = onnx.ModelProto.decode(bytes);
  const g = m.graph!;
  const described: string[] = [];
  const nodes = g.node ?? [];
  const inits = g.initializer ?? [];
  for (const e of edits) {
    switch (e.kind) {
      case 'op': {
        if (nodes.length === 0) break;
        const n = nodes[e.node % nodes.length];
        n.opType = KNOWN_OPS[e.op % KNOWN_OPS.length];
        n.domain = '';
        described.push(`node '${n.name}' op = ${n.opType}`);
        break;
      }
      case 'all-ops':
        nodes.forEach((n, i) => {
          if (Object.hasOwn(importers, n.opType ?? '')) return;
          n.opType = KNOWN_OPS[(e.op + i) % KNOWN_OPS.length];
          n.domain = '';
        });
        described.push(`every op the importer lacks rewritten, from ${KNOWN_OPS[e.op % KNOWN_OPS.length]} on`);
        break;
      case 'dims': {
        if (inits.length === 0) break;
        const t = inits[e.tensor % inits.length];
        const dims = t.dims ?? [];
        if (dims.length === 0) t.dims = [e.value];
        else dims[e.dim % dims.length] = e.value;
        described.push(`'${t.name}' dims = [${(t.dims ?? []).join(', ')}]`);
        break;
      }
      case 'data-type': {
        if (inits.length === 0) break;
        const t = inits[e.tensor % inits.length];
        t.dataType = e.value;
        described.push(`'${t.name}' data_type = ${e.value}`);
        break;
      }
      case 'raw-data': {
        if (inits.length === 0) break;
        const t = inits[e.tensor % inits.length];
        const raw = t.rawData ?? new Uint8Array(0);
        t.rawData = raw.subarray(0, e.keep % (raw.length + 1));
        described.push(`'${t.name}' raw_data cut to ${t.rawData.length} bytes`);
        break;
      }
      case 'single-io':
        g.input = (g.input ?? []).slice(0, 1);
        g.output = (g.output ?? []).slice(0, 1);
        described.push('one graph input and one output kept');
        break;
      case 'drop': {
        const list = e.what === 'input' ? g.input : e.what === 'output' ? g.output : e.what === 'initializer' ? g.initializer : g.node;
        if (!list || list.length === 0) break;
        list.splice(e.index % list.length, 1);
        described.push(`a graph ${e.what} dropped`);
        break;
      }
    }
  }
  return { bytes: onnx.ModelProto.encode(m).finish(), described };
}

const cases: fc.Arbitrary<FuzzCase> = fc
  .record({
    base: fc.nat({ max: bases.length - 1 }),
    edits: fc.array(editArb, { maxLength: 4 }),
    bytes: fc.oneof(
      { weight: 3, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.array(byteMutation, { minLength: 1, maxLength: 2 }) },
    ),
  })
  .map(({ base, edits, bytes }) => {
    const structured = applyEdits(bases[base], edits);
    const m = mutate(structured.bytes, bytes);
    return { bytes: m.bytes, mutation: [base === 0 ? 'onnx (Loop)' : 'onnx-step', ...structured.described, ...m.described].join('; ') };
  });

export const onnxExportTarget: FuzzTarget = {
  name: 'onnx-export',
  extension: 'onnx',
  cases,
  async run(path) {
    const graph = importOnnx(await readFile(path), path);
    validateGraph(graph);
  },
};
