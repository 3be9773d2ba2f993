import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { createOrtSession } from '../../src/backend/ort/session.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import { GraphError, type Graph, type Node } from '../../src/ir/graph.js';
import { graphToOnnx } from '../../src/onnx/export-graph.js';
import { onnx } from '../../src/onnx/proto.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';
import { assertClose } from '../backend/conformance.js';
import { mulberry32, randomTensor } from '../helpers/random.js';

const random = mulberry32(42);

/** conv → bn → clip → avgpool → pad → maxpool → flatten → dense → softmax, plus a residual-free branch. */
function smallNet(): Graph {
  const nodes: Node[] = [
    {
      op: 'Conv2d',
      name: 'conv',
      inputs: ['x'],
      output: 'conv_out',
      weight: randomTensor(random, [3, 2, 3, 3]),
      bias: randomTensor(random, [3]),
      strides: [1, 1],
      pads: [1, 1, 1, 1],
      dilations: [1, 1],
      groups: 1,
    },
    {
      op: 'BatchNorm',
      name: 'bn',
      inputs: ['conv_out'],
      output: 'bn_out',
      scale: randomTensor(random, [3], 0.5, 1.5),
      bias: randomTensor(random, [3]),
      mean: randomTensor(random, [3]),
      variance: randomTensor(random, [3], 0.5, 1.5),
      epsilon: 1,
    },
    { op: 'Clip', name: 'clip', inputs: ['bn_out'], output: 'clip_out', min: 0, max: 0.75 },
    {
      op: 'AvgPool',
      name: 'avg',
      inputs: ['clip_out'],
      output: 'avg_out',
      kernel: [2, 2],
      strides: [2, 2],
      pads: [0, 0, 1, 1],
      ceilMode: true,
      countIncludePad: true,
    },
    { op: 'Pad', name: 'pad', inputs: ['avg_out'], output: 'pad_out', pads: [1, 0, 0, 1], value: -1 },
    {
      op: 'MaxPool',
      name: 'max',
      inputs: ['pad_out'],
      output: 'max_out',
      kernel: [2, 2],
      strides: [1, 1],
      pads: [0, 0, 0, 0],
      ceilMode: false,
    },
    { op: 'Flatten', name: 'flat', inputs: ['max_out'], output: 'flat_out', axis: 1 },
    { op: 'Dense', name: 'fc', inputs: ['flat_out'], output: 'fc_out', weight: randomTensor(random, [4, 3 * 3 * 3]), bias: null },
    { op: 'Softmax', name: 'softmax', inputs: ['fc_out'], output: 'probs', axis: -1 },
  ];
  return { input: { name: 'x', shape: [null, 2, 5, 5] }, output: 'probs', nodes };
}

function decode(bytes: Uint8Array) {
  return onnx.ModelProto.decode(bytes);
}

function dims(info: {
  type?: { tensorType?: { shape?: { dim?: { dimValue?: unknown; dimParam?: string | null }[] | null } | null } | null } | null;
}) {
  const shape = info.type?.tensorType?.shape;
  return shape ? (shape.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue))) : null;
}

async function runBytes(bytes: Uint8Array, input: Tensor): Promise<ort.InferenceSession.ReturnType> {
  const session = await createOrtSession(bytes);
  try {
    return await session.run({ x: new ort.Tensor('float32', input.data, input.shape) });
  } finally {
    await session.release();
  }
}

test('graphToOnnx writes the standard ops, a symbolic batch and opset 17', () => {
  const model = decode(graphToOnnx(smallNet()));
  assert.equal(Number(model.opsetImport[0].version), 17);
  const graph = model.graph!;
  assert.deepEqual(
    graph.node!.map((n) => n.opType),
    ['Conv', 'BatchNormalization', 'Clip', 'AveragePool', 'Pad', 'MaxPool', 'Flatten', 'Gemm', 'Softmax'],
  );
  assert.deepEqual(
    graph.node!.map((n) => n.name),
    graph.node!.map((_, i) => smallNet().nodes[i].name),
  );
  assert.deepEqual(dims(graph.input![0]), ['N', 2, 5, 5]);
  assert.deepEqual(dims(graph.output![0]), ['N', 4]);
  const attr = (op: string, name: string) => graph.node!.find((n) => n.opType === op)!.attribute!.find((a) => a.name === name)!;
  assert.equal(Number(attr('Gemm', 'transB').i), 1);
  assert.equal(attr('BatchNormalization', 'epsilon').f, 1); // a FLOAT attribute even for an integer ε
  assert.equal(Number(attr('AveragePool', 'count_include_pad').i), 1);
  assert.equal(Number(attr('AveragePool', 'ceil_mode').i), 1);
  assert.equal(new TextDecoder().decode(attr('Pad', 'mode').s!), 'constant');
  const padInputs = graph.node!.find((n) => n.opType === 'Pad')!.input!;
  const pads = graph.initializer!.find((t) => t.name === padInputs[1])!;
  assert.deepEqual([...new BigInt64Array(new Uint8Array(pads.rawData!).buffer)].map(Number), [0, 0, 1, 0, 0, 0, 0, 1]);
  const names = graph.initializer!.map((t) => t.name);
  assert.equal(new Set(names).size, names.length);
  assert.ok(names.includes('conv.weight') && names.includes('conv.bias') && names.includes('fc.weight'));
  assert.ok(!graph.node!.find((n) => n.opType === 'Gemm')!.input!.includes('fc.bias'), 'no bias input without a bias');
});

test('the written model loads in ONNX Runtime and matches the reference backend', async () => {
  const graph = smallNet();
  const outputs = ['conv_out', 'avg_out', 'probs'];
  const input = randomTensor(random, [3, 2, 5, 5]);
  const bytes = graphToOnnx(graph, { outputs });
  const session = await createOrtSession(bytes);
  assert.deepEqual(session.inputNames, ['x']);
  assert.deepEqual(session.outputNames, outputs);
  await session.release();
  const got = await runBytes(bytes, input);
  const want = await (await referenceBackend.compile(graph, { outputs })).run(input);
  for (const name of outputs) assertClose(tensor(got[name].dims, got[name].data as Float32Array), want.get(name)!, name);
});

test('requesting an intermediate output writes only the nodes it needs, with its shape', () => {
  const model = decode(graphToOnnx(smallNet(), { outputs: ['clip_out'] }));
  assert.deepEqual(
    model.graph!.node!.map((n) => n.opType),
    ['Conv', 'BatchNormalization', 'Clip'],
  );
  assert.deepEqual(
    model.graph!.output!.map((o) => o.name),
    ['clip_out'],
  );
  assert.deepEqual(dims(model.graph!.output![0]), ['N', 3, 5, 5]);
});

test('an output whose non-batch dimensions depend on the batch is written without a shape', async () => {
  const graph: Graph = {
    input: { name: 'x', shape: [null, 3, 2] },
    output: 'f',
    nodes: [{ op: 'Flatten', name: 'flat0', inputs: ['x'], output: 'f', axis: 0 }],
  };
  const model = decode(graphToOnnx(graph));
  assert.equal(dims(model.graph!.output![0]), null);
  const got = await runBytes(graphToOnnx(graph), tensor([2, 3, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
  assert.deepEqual(got.f.dims, [1, 12]);
});

test('initializer names never clash with value names', async () => {
  const graph: Graph = {
    input: { name: 'x', shape: [null, 1, 2, 2] },
    output: 'y',
    nodes: [
      { op: 'Relu', name: 'r', inputs: ['x'], output: 'conv.weight' },
      {
        op: 'Conv2d',
        name: 'conv',
        inputs: ['conv.weight'],
        output: 'y',
        weight: tensor([1, 1, 1, 1], [2]),
        bias: null,
        strides: [1, 1],
        pads: [0, 0, 0, 0],
        dilations: [1, 1],
        groups: 1,
      },
    ],
  };
  const bytes = graphToOnnx(graph);
  const names = decode(bytes).graph!.initializer!.map((t) => t.name);
  assert.deepEqual(names, ['conv.weight_1']);
  const got = await runBytes(bytes, tensor([1, 1, 2, 2], [-1, 1, 2, -3]));
  assert.deepEqual([...(got.y.data as Float32Array)], [0, 2, 4, 0]);
});

test('opset 13 is the lowest accepted and still runs', async () => {
  const graph = smallNet();
  assert.throws(() => graphToOnnx(graph, { opset: 12 }), GraphError);
  const got = await runBytes(graphToOnnx(graph, { opset: 13 }), randomTensor(random, [1, 2, 5, 5]));
  assert.deepEqual(got.probs.dims, [1, 4]);
});

test('errors name the node or value at fault', () => {
  const graph = smallNet();
  const spiking: Graph = {
    ...graph,
    nodes: [
      ...graph.nodes,
      {
        op: 'Spike',
        name: 'spike7',
        inputs: ['probs'],
        output: 's',
        neuron: 'if',
        reset: 'soft',
        threshold: tensor([1], [1]),
        initialPotential: tensor([1], [0]),
        maxSpikesPerStep: 1,
      },
    ],
  };
  assert.throws(
    () => graphToOnnx(spiking),
    (e: Error) => e instanceof GraphError && e.nodeName === 'spike7',
  );
  assert.throws(
    () => graphToOnnx(graph, { outputs: ['missing'] }),
    (e: Error) => e instanceof GraphError && e.message.includes("'missing'"),
  );
  assert.throws(
    () => graphToOnnx(graph, { outputs: ['x'] }),
    (e: Error) => e instanceof GraphError && e.message.includes("'x'"),
  );
});

function poolGraph(node: Partial<Node> & { op: 'AvgPool' | 'MaxPool' }, shape: readonly number[]): Graph {
  const base = { name: 'pool', inputs: ['x'], output: 'y', strides: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: true };
  return { input: { name: 'x', shape: [null, ...shape] }, output: 'y', nodes: [{ ...base, ...node } as Node] };
}

test('pools whose pads reach the kernel read an explicit Pad, or are refused naming the node', () => {
  const avg = decode(graphToOnnx(poolGraph({ op: 'AvgPool', kernel: [3, 2], strides: [2, 2], pads: [1, 1, 2, 3] }, [1, 6, 5])));
  assert.deepEqual(
    avg.graph!.node!.map((n) => [n.opType, n.name]),
    [
      ['Pad', 'pool.pad'],
      ['AveragePool', 'pool'],
    ],
  );
  const refused = (node: Partial<Node> & { op: 'AvgPool' | 'MaxPool' }, shape: readonly number[], why: string) =>
    assert.throws(
      () => graphToOnnx(poolGraph(node, shape)),
      (e: Error) => e instanceof GraphError && e.nodeName === 'pool' && e.message.includes(why),
    );
  refused({ op: 'AvgPool', kernel: [2, 2], pads: [2, 0, 0, 0], countIncludePad: false }, [1, 4, 4], 'count_include_pad = 0');
  refused({ op: 'MaxPool', kernel: [2, 2], pads: [0, 2, 0, 0] }, [1, 4, 4], 'padding alone');
  refused({ op: 'MaxPool', kernel: [2, 3], strides: [3, 3], pads: [0, 1, 1, 3], ceilMode: true }, [1, 6, 6], 'ceil mode');
});

test('a zero Pad before a pool is written as −0, so ONNX Runtime cannot fuse it into the pool', () => {
  const graph: Graph = {
    input: { name: 'x', shape: [null, 1, 3, 3] },
    output: 'y',
    nodes: [
      { op: 'Pad', name: 'pad', inputs: ['x'], output: 'p', pads: [1, 1, 1, 1], value: 0 },
      { op: 'MaxPool', name: 'mp', inputs: ['p'], output: 'y', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceilMode: false },
    ],
  };
  const model = decode(graphToOnnx(graph));
  const value = model.graph!.initializer!.find((t) => t.name === model.graph!.node![0].input![2])!;
  assert.ok(Object.is(new Float32Array(new Uint8Array(value.rawData!).buffer)[0], -0));
});
