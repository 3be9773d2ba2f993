/**
 * QCFS exports (test/helpers/pytorch-qcfs.ts: the Div and the Mul(1/λ) forms) import as ONE QuantClip
 * per activation with its λ and L, compute what ONNX Runtime computes on the original file, and a
 * Floor outside such a chain is refused, naming it.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { encodeModel, floatInitializer, node, valueInfo } from '../../src/onnx/builder.js';
import { importOnnx } from '../../src/onnx/import.js';
import { readOnnxFile } from '../../src/node/onnx-file.js';
import { listOnnxNodes } from '../../src/onnx/list-nodes.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { tensor } from '../../src/tensor/tensor.js';
import { qcfsCnn, type QcfsForm } from '../helpers/pytorch-qcfs.js';

for (const form of ['div', 'mul'] as QcfsForm[]) {
  test(`QCFS export, ${form} form: one QuantClip per chain with λ and L; equal to ONNX Runtime on the file`, async () => {
    const m = qcfsCnn(form, 4, [0.8, 1.3]);
    const graph = importOnnx(m.bytes, form);
    const q = graph.nodes.filter((n) => n.op === 'QuantClip');
    assert.deepEqual(
      q.map((n) => n.op === 'QuantClip' && [Math.fround(n.max), n.levels]),
      [
        [Math.fround(0.8), 4],
        [Math.fround(1.3), 4],
      ],
    );
    assert.deepEqual(
      graph.nodes.map((n) => n.op),
      ['Conv2d', 'QuantClip', 'AvgPool', 'Conv2d', 'QuantClip', 'GlobalAvgPool', 'Flatten', 'Dense'],
    );
    assert.ok(
      listOnnxNodes(m.bytes).every((n) => n.supported),
      'inspect lists the chain as supported',
    );

    const r = mulberry32(3);
    const input = tensor(
      [4, 1, 8, 8],
      Array.from({ length: 256 }, () => r()),
    );
    const session = await ort.InferenceSession.create(m.bytes);
    const want = (await session.run({ input: new ort.Tensor('float32', input.data, [4, 1, 8, 8]) })).output.data as Float32Array;
    const compiled = await referenceBackend.compile(graph);
    const got = (await compiled.run(input)).get(graph.output)!.data;
    await compiled.dispose();
    // The Div form is the IR's own arithmetic; Mul(1/λ) may move a value across a level boundary only
    // in the last bit of x/λ, which these inputs do not hit.
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-5, `[${i}]: ${got[i]} vs ${want[i]}`);
  });
}

function floorModel(extra: 'alone' | 'lambda-mismatch'): Uint8Array {
  const init = (name: string, v: number) => floatInitializer(name, tensor([], [v]));
  const nodes =
    extra === 'alone'
      ? [node('Floor', ['x'], ['y'], {}, 'my_floor')]
      : [
          node('Div', ['x', 'lam'], ['a'], {}, 'div'),
          node('Mul', ['a', 'L'], ['b'], {}, 'mul'),
          node('Add', ['b', 'half'], ['c'], {}, 'add'),
          node('Floor', ['c'], ['d'], {}, 'the_floor'),
          node('Div', ['d', 'L'], ['e'], {}, 'div2'),
          node('Clip', ['e', 'zero', 'one'], ['f'], {}, 'clip'),
          node('Mul', ['f', 'lam2'], ['y'], {}, 'mul2'),
        ];
  return encodeModel({
    nodes,
    initializers: [init('lam', 2), init('lam2', 3), init('L', 4), init('half', 0.5), init('zero', 0), init('one', 1)],
    inputs: [valueInfo('x', [null, 4])],
    outputs: [valueInfo('y', [null, 4])],
    opset: 13,
  });
}

test('a Floor outside a QCFS chain, or a chain whose two λ differ, is refused naming the Floor', () => {
  assert.throws(
    () => importOnnx(floorModel('alone'), 'f.onnx'),
    /f\.onnx: node 'my_floor': Floor is supported only inside a QCFS activation .*Add\(·, 0\.5\) before it is missing/,
  );
  assert.throws(
    () => importOnnx(floorModel('lambda-mismatch'), 'g.onnx'),
    /node 'the_floor': .*λ differs between the start \(2\) and the end \(3\)/,
  );
});

const shared = '/work/wt/shared-models/fmnist-qcfs-cnn.onnx';
test(
  'a real PyTorch QCFS export imports with one QuantClip per activation',
  { skip: !existsSync(shared) && `${shared} absent` },
  async () => {
    const graph = await readOnnxFile(shared);
    const q = graph.nodes.filter((n) => n.op === 'QuantClip');
    assert.ok(q.length > 0);
    assert.ok(q.every((n) => n.op === 'QuantClip' && n.max > 0 && Number.isInteger(n.levels)));
  },
);
