import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackendError } from '../../src/backend/backend.js';
import { createOrtBackend, type OrtCompiledGraph } from '../../src/backend/ort/ort-backend.js';
import type { SpikePrecision } from '../../src/backend/backend.js';
import { planInt8 } from '../../src/quantize/int8-plan.js';
import { referenceBackend } from '../../src/backend/reference/reference-backend.js';
import type { Conv2dNode, DenseNode, Graph, Node } from '../../src/ir/graph.js';
import { dequantizedGraph } from '../../src/quantize/dequantized-graph.js';
import { sizeOf, tensor, type Tensor } from '../../src/tensor/tensor.js';
import { mulberry32, randomTensor, seedOf } from '../helpers/random.js';

/** Random spike counts in 0..max with probability `rate` of a non-zero. */
function spikes(random: () => number, shape: readonly number[], rate = 0.3, max = 1): Tensor {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = random() < rate ? 1 + Math.floor(random() * max) : 0;
  return tensor(shape, data);
}

function conv(name: string, input: string, weight: Tensor, extra: Partial<Conv2dNode> = {}, random?: () => number): Conv2dNode {
  const o = weight.shape[0];
  return {
    op: 'Conv2d',
    name,
    inputs: [input],
    output: name,
    weight,
    bias: random ? randomTensor(random, [o], -0.5, 0.5) : null,
    strides: [1, 1],
    pads: [1, 1, 1, 1],
    dilations: [1, 1],
    groups: 1,
    ...extra,
  };
}

function dense(name: string, input: string, weight: Tensor, random: () => number): DenseNode {
  return { op: 'Dense', name, inputs: [input], output: name, weight, bias: randomTensor(random, [weight.shape[0]], -0.5, 0.5) };
}

function chain(inputShape: readonly number[], nodes: Node[]): Graph {
  return { input: { name: 'x', shape: [null, ...inputShape] }, output: nodes[nodes.length - 1].output, nodes };
}

/** Largest |a − b| relative to the largest |b|. */
function relativeError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / Math.max(scale, 1e-30);
}

/** Compiles `graph` as an int8 segment, checks it took the integer path and matches the reference on the dequantized weights. */
async function checkSegment(
  graph: Graph,
  input: Tensor,
  options: { precision?: SpikePrecision; inputMax?: number; tolerance?: number; subBatchBytes?: number } = {},
) {
  const precision = options.precision ?? 'int8';
  const backend = createOrtBackend({ subBatchBytes: options.subBatchBytes });
  const compiled = (await backend.compile(graph, { spikeCountInput: true, inputMax: options.inputMax, precision })) as OrtCompiledGraph;
  try {
    assert.equal(compiled.fallbackReason, null);
    assert.equal(compiled.precision, precision);
    const plan = planInt8(graph, { inputMax: options.inputMax });
    assert.ok(!('reason' in plan));
    const oracle = await referenceBackend.compile(
      dequantizedGraph(graph, { precision: precision === 'int8x2' ? 'int8x2' : 'int8', nodes: [plan.op.name] }),
    );
    const want = (await oracle.run(input)).get(graph.output)!;
    const got = (await compiled.run(input)).get(graph.output)!;
    assert.deepEqual(got.shape, want.shape);
    const err = relativeError(got.data, want.data);
    assert.ok(err <= (options.tolerance ?? 1e-5), `relative error ${err}`);
    return { compiled, got, want };
  } finally {
    await compiled.dispose();
  }
}

test('int8 Conv2d 3×3 pad 1 matches the reference on dequantized weights', async () => {
  const r = mulberry32(seedOf('conv3x3'));
  const graph = chain([5, 7, 6], [conv('c', 'x', randomTensor(r, [8, 5, 3, 3]), {}, r)]);
  await checkSegment(graph, spikes(r, [3, 5, 7, 6]));
});

test('int8 Conv2d: stride 2 with asymmetric pads, dilation 2, 1×1, 5×3 without pads', async () => {
  const r = mulberry32(seedOf('conv variants'));
  const cases: [string, number[], Partial<Conv2dNode>, number[]][] = [
    ['stride 2, pads [0,1,2,1]', [4, 9, 8], { strides: [2, 2], pads: [0, 1, 2, 1] }, [6, 4, 3, 3]],
    ['dilation 2', [3, 9, 9], { dilations: [2, 2], pads: [2, 2, 2, 2] }, [5, 3, 3, 3]],
    ['1×1', [7, 5, 5], { pads: [0, 0, 0, 0] }, [4, 7, 1, 1]],
    ['1×1 stride 2', [7, 5, 5], { pads: [0, 0, 0, 0], strides: [2, 2] }, [4, 7, 1, 1]],
    ['5×3 no pads', [2, 8, 7], { pads: [0, 0, 0, 0] }, [3, 2, 5, 3]],
  ];
  for (const [label, shape, extra, wshape] of cases) {
    const graph = chain(shape, [conv('c', 'x', randomTensor(r, wshape), extra, r)]);
    await assert.doesNotReject(checkSegment(graph, spikes(r, [5, ...shape])), label);
  }
});

test('int8 Dense, and prefixes: AvgPool → Conv2d, AvgPool → Flatten → Dense, GlobalAvgPool → Flatten → Dense', async () => {
  const r = mulberry32(seedOf('dense and prefixes'));
  const pool = (name: string, input: string, k: number, extra: object = {}): Node => ({
    op: 'AvgPool',
    name,
    inputs: [input],
    output: name,
    kernel: [k, k],
    strides: [k, k],
    pads: [0, 0, 0, 0],
    ceilMode: false,
    countIncludePad: false,
    ...extra,
  });
  const flatten = (name: string, input: string): Node => ({ op: 'Flatten', name, inputs: [input], output: name, axis: 1 });
  await checkSegment(chain([30], [dense('d', 'x', randomTensor(r, [12, 30]), r)]), spikes(r, [7, 30]));
  await checkSegment(chain([4, 8, 8], [pool('p', 'x', 2), conv('c', 'p', randomTensor(r, [6, 4, 3, 3]), {}, r)]), spikes(r, [3, 4, 8, 8]));
  await checkSegment(
    chain([4, 6, 6], [pool('p', 'x', 2), flatten('f', 'p'), dense('d', 'f', randomTensor(r, [5, 36]), r)]),
    spikes(r, [4, 4, 6, 6]),
  );
  const gap: Node = { op: 'GlobalAvgPool', name: 'g', inputs: ['x'], output: 'g' };
  await checkSegment(chain([3, 5, 5], [gap, flatten('f', 'g'), dense('d', 'f', randomTensor(r, [4, 3]), r)]), spikes(r, [6, 3, 5, 5]));
  // a 3×3 pool with pads counted: divisor 9 everywhere, and burst spikes up to 3 (9·3 = 27 ≤ 255)
  const pool3 = pool('p', 'x', 3, { strides: [1, 1], pads: [1, 1, 1, 1], countIncludePad: true });
  await checkSegment(chain([2, 5, 5], [pool3, conv('c', 'p', randomTensor(r, [3, 2, 3, 3]), {}, r)]), spikes(r, [3, 2, 5, 5], 0.5, 3), {
    inputMax: 3,
  });
});

test('int8 segment: the tail after the integer op runs in f32 (pool, flatten, relu), several outputs', async () => {
  const r = mulberry32(seedOf('tail'));
  const nodes: Node[] = [
    conv('c', 'x', randomTensor(r, [4, 3, 3, 3]), {}, r),
    {
      op: 'AvgPool',
      name: 'p',
      inputs: ['c'],
      output: 'p',
      kernel: [2, 2],
      strides: [2, 2],
      pads: [0, 0, 0, 0],
      ceilMode: false,
      countIncludePad: false,
    },
    { op: 'Relu', name: 'a', inputs: ['p'], output: 'a' },
    { op: 'Flatten', name: 'f', inputs: ['a'], output: 'f', axis: 1 },
  ];
  const graph = chain([3, 6, 6], nodes);
  await checkSegment(graph, spikes(r, [4, 3, 6, 6]));
  const backend = createOrtBackend();
  const compiled = await backend.compile(graph, { spikeCountInput: true, outputs: ['c', 'f'], precision: 'int8' });
  const oracle = await referenceBackend.compile(dequantizedGraph(graph, { nodes: ['c'] }), { outputs: ['c', 'f'] });
  const x = spikes(r, [2, 3, 6, 6]);
  const [got, want] = [await compiled.run(x), await oracle.run(x)];
  for (const name of ['c', 'f']) assert.ok(relativeError(got.get(name)!.data, want.get(name)!.data) <= 1e-5, name);
  await compiled.dispose();
});

test('int8x2 is near-exact against the f32 weights; int8 within its quantization error', async () => {
  const r = mulberry32(seedOf('x2'));
  const graph = chain([8, 6, 6], [conv('c', 'x', randomTensor(r, [6, 8, 3, 3]), {}, r)]);
  const x = spikes(r, [4, 8, 6, 6], 0.4);
  const exact = (await (await referenceBackend.compile(graph)).run(x)).get('c')!.data;
  const { got: x2 } = await checkSegment(graph, x, { precision: 'int8x2' });
  const { got: x1 } = await checkSegment(graph, x);
  const e2 = relativeError(x2.data, exact);
  const e1 = relativeError(x1.data, exact);
  assert.ok(e2 < 2e-4, `int8x2 error ${e2}`);
  assert.ok(e1 < 2e-2, `int8 error ${e1}`);
  assert.ok(e2 < e1 / 20, `int8x2 (${e2}) is not much closer than int8 (${e1})`);
});

test('sub-batched runs give the same values as one run', async () => {
  const r = mulberry32(seedOf('sub-batch'));
  const graph = chain(
    [3, 6, 6],
    [conv('c', 'x', randomTensor(r, [4, 3, 3, 3]), {}, r), { op: 'Relu', name: 'a', inputs: ['c'], output: 'a' }],
  );
  const x = spikes(r, [11, 3, 6, 6]);
  const whole = await createOrtBackend({ subBatchBytes: 0 }).compile(graph, { spikeCountInput: true, precision: 'int8' });
  const split = (await createOrtBackend({ subBatchBytes: 1 }).compile(graph, {
    spikeCountInput: true,
    precision: 'int8',
  })) as OrtCompiledGraph;
  const f32Split = (await createOrtBackend({ subBatchBytes: 4000 }).compile(graph)) as OrtCompiledGraph;
  const f32 = await createOrtBackend().compile(graph);
  assert.equal(split.rowsPerRun, 1);
  assert.ok(f32Split.rowsPerRun !== null && f32Split.rowsPerRun > 1 && f32Split.rowsPerRun < 11);
  assert.deepEqual((await split.run(x)).get('a'), (await whole.run(x)).get('a'));
  const [a, b] = [(await f32Split.run(x)).get('a')!, (await f32.run(x)).get('a')!];
  assert.deepEqual(a.shape, b.shape);
  assert.ok(relativeError(a.data, b.data) <= 1e-6);
  for (const c of [whole, split, f32Split, f32]) await c.dispose();
});

test('graphs without an integer path run in f32 and say why; bad options are refused', async () => {
  const r = mulberry32(seedOf('fallback'));
  const backend = createOrtBackend();
  const reasonFor = async (
    graph: Graph,
    options: { spikeCountInput?: boolean; inputMax?: number; inputMin?: number } = { spikeCountInput: true },
  ) => {
    const compiled = (await backend.compile(graph, { ...options, precision: 'int8' })) as OrtCompiledGraph;
    const x = spikes(r, [2, ...(graph.input.shape.slice(1) as number[])]);
    const want = (await (await referenceBackend.compile(graph)).run(x)).get(graph.output)!;
    assert.ok(relativeError((await compiled.run(x)).get(graph.output)!.data, want.data) <= 1e-5);
    assert.equal(compiled.precision, 'f32');
    await compiled.dispose();
    return compiled.fallbackReason ?? '';
  };
  const grouped = chain([4, 5, 5], [conv('c', 'x', randomTensor(r, [4, 2, 3, 3]), { groups: 2 }, r)]);
  assert.match(await reasonFor(grouped), /grouped convolution/);
  assert.match(await reasonFor(chain([4, 5, 5], [conv('c', 'x', randomTensor(r, [4, 4, 3, 3]), {}, r)]), {}), /not declared spike counts/);
  const uneven: Node = {
    op: 'AvgPool',
    name: 'p',
    inputs: ['x'],
    output: 'p',
    kernel: [2, 2],
    strides: [2, 2],
    pads: [1, 1, 1, 1],
    ceilMode: false,
    countIncludePad: false,
  };
  assert.match(await reasonFor(chain([2, 6, 6], [uneven, conv('c', 'p', randomTensor(r, [3, 2, 3, 3]), {}, r)])), /different divisors/);
  const relu: Node = { op: 'Relu', name: 'a', inputs: ['x'], output: 'a' };
  assert.match(
    await reasonFor(chain([2, 6, 6], [relu, conv('c', 'a', randomTensor(r, [3, 2, 3, 3]), {}, r)])),
    /Relu before the first Conv2d\/Dense/,
  );
  const gap: Node = { op: 'GlobalAvgPool', name: 'g', inputs: ['x'], output: 'g' };
  const flat: Node = { op: 'Flatten', name: 'f', inputs: ['g'], output: 'f', axis: 1 };
  const wide = chain([2, 12, 12], [gap, flat, dense('d', 'f', randomTensor(r, [3, 2]), r)]);
  assert.match(await reasonFor(wide, { spikeCountInput: true, inputMax: 2 }), /beyond u8/);
  assert.match(await reasonFor(grouped, { spikeCountInput: true, inputMin: -1 }), /negative spike counts \(down to -1: signed neurons\)/);
  await assert.rejects(backend.compile(grouped, { spikeCountInput: true, precision: 'int4' as SpikePrecision }), BackendError);
  assert.throws(() => createOrtBackend({ subBatchBytes: -1 }), BackendError);
});
