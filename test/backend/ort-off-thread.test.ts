/**
 * The ORT backend with its sessions in a worker thread (`offThread: true`): the conformance suite runs
 * on it in ort.test.ts; here the worker's life cycle, its errors, the integer path, concurrent runs,
 * the simulator on it, and a process that exits without disposing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { calibrate } from '../../src/ann/calibrate.js';
import { BackendError } from '../../src/backend/backend.js';
import { OrtWorkerHost } from '../../src/backend/ort/off-thread.js';
import { createOrtBackend, type OrtCompiledGraph } from '../../src/backend/ort/ort-backend.js';
import { ortSessionOptions } from '../../src/backend/ort/session.js';
import type { SpikePrecision } from '../../src/backend/backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import type { Graph } from '../../src/ir/graph.js';
import { installPlatform } from '../../src/host/platform.js';
import { nodePlatform } from '../../src/node/platform.js';
import { graphToOnnx } from '../../src/onnx/export-graph.js';
import { poissonEncoder, simulate } from '../../src/simulate/index.js';
import { sizeOf, tensor, type Tensor } from '../../src/tensor/tensor.js';
import { smallCnn } from '../helpers/nets.js';
import { mulberry32, randomTensor, seedOf } from '../helpers/random.js';
import { syntheticImages } from '../helpers/synthetic-data.js';

const dense: Graph = {
  input: { name: 'x', shape: [null, 3] },
  output: 'd',
  nodes: [
    { op: 'Dense', name: 'd', inputs: ['x'], output: 'd', weight: tensor([2, 3], [1, 0, -1, 0.5, 0.5, 0.5]), bias: tensor([2], [10, 20]) },
  ],
};

function spikes(random: () => number, shape: readonly number[]): Tensor {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = random() < 0.3 ? 1 : 0;
  return tensor(shape, data);
}

test('the worker starts with the first session and ends with the last', async () => {
  const host = new OrtWorkerHost();
  assert.equal(host.running, false);
  const bytes = graphToOnnx(dense);
  const [a, b] = await Promise.all([host.open(bytes, ortSessionOptions(1)), host.open(bytes, ortSessionOptions(1))]);
  assert.equal(host.running, true);
  const out = await a.run('x', tensor([2, 3], [1, 2, 3, 4, 5, 6]), ['d'], null);
  assert.deepEqual(out.get('d'), tensor([2, 2], [8, 23, 8, 27.5]));
  await a.release();
  assert.equal(host.running, true);
  await b.release();
  assert.equal(host.running, false);
  await b.release(); // twice is harmless
  await assert.rejects(b.run('x', tensor([1, 3]), ['d'], null), BackendError);
  // A new session starts a new worker.
  const c = await host.open(bytes, ortSessionOptions(1));
  assert.equal(host.running, true);
  assert.deepEqual((await c.run('x', tensor([1, 3], [1, 2, 3]), ['d'], null)).get('d'), tensor([1, 2], [8, 23]));
  await c.release();
  assert.equal(host.running, false);
});

test("errors inside the worker come back as BackendErrors with ONNX Runtime's message", async () => {
  const host = new OrtWorkerHost();
  await assert.rejects(
    host.open(new Uint8Array([1, 2, 3, 4]), ortSessionOptions(1)),
    (e: Error) => e instanceof BackendError && /refused the graph: .+/.test(e.message),
  );
  assert.equal(host.running, false, 'a refused graph leaves no worker behind');
  const session = await host.open(graphToOnnx(dense), ortSessionOptions(1));
  await assert.rejects(
    session.run('nope', tensor([1, 3]), ['d'], null),
    (e: Error) => e instanceof BackendError && /run failed: .*'x' is missing/.test(e.message),
  );
  await assert.rejects(
    session.run('x', tensor([1, 3]), ['missing'], null),
    (e: Error) => e instanceof BackendError && /run failed: .+/.test(e.message),
  );
  // The session still works after failed runs.
  assert.deepEqual((await session.run('x', tensor([1, 3], [1, 2, 3]), ['d'], null)).get('d'), tensor([1, 2], [8, 23]));
  await session.release();
  assert.equal(host.running, false);
});

test('off-thread runs give exactly the on-thread values (f32, int8, int8x2, sub-batched) and leave the input intact', async () => {
  const r = mulberry32(seedOf('off-thread int8'));
  const graph: Graph = {
    input: { name: 'x', shape: [null, 3, 6, 6] },
    output: 'a',
    nodes: [
      {
        op: 'Conv2d',
        name: 'c',
        inputs: ['x'],
        output: 'c',
        weight: randomTensor(r, [4, 3, 3, 3]),
        bias: randomTensor(r, [4]),
        strides: [1, 1],
        pads: [1, 1, 1, 1],
        dilations: [1, 1],
        groups: 1,
      },
      { op: 'Relu', name: 'a', inputs: ['c'], output: 'a' },
    ],
  };
  const x = spikes(r, [11, 3, 6, 6]);
  const before = x.data.slice();
  for (const precision of ['f32', 'int8', 'int8x2'] as SpikePrecision[]) {
    for (const subBatchBytes of [undefined, 0, 1]) {
      const on = (await createOrtBackend({ subBatchBytes }).compile(graph, { spikeCountInput: true, precision })) as OrtCompiledGraph;
      const off = (await createOrtBackend({ subBatchBytes, offThread: true }).compile(graph, {
        spikeCountInput: true,
        precision,
      })) as OrtCompiledGraph;
      assert.equal(off.precision, on.precision);
      assert.equal(off.rowsPerRun, on.rowsPerRun);
      const want = (await on.run(x)).get('a')!;
      const [got, again] = await Promise.all([off.run(x), off.run(x)]);
      assert.deepEqual(got.get('a'), want, `${precision}, subBatchBytes ${subBatchBytes}`);
      assert.deepEqual(again.get('a'), want);
      assert.deepEqual(x.data, before, 'the input is neither mutated nor detached');
      await Promise.all([on.dispose(), off.dispose()]);
    }
  }
});

test("offThread 'auto' moves the sessions off the JS thread when it has a core of its own; bad values are refused", async () => {
  for (const threads of [1, availableParallelism()]) {
    const compiled = (await createOrtBackend({ threads, offThread: 'auto' }).compile(dense)) as OrtCompiledGraph;
    assert.equal(compiled.offThread, threads < availableParallelism());
    assert.deepEqual((await compiled.run(tensor([1, 3], [1, 2, 3]))).get('d'), tensor([1, 2], [8, 23]));
    await compiled.dispose();
  }
  for (const offThread of [true, false]) {
    const compiled = (await createOrtBackend({ offThread }).compile(dense)) as OrtCompiledGraph;
    assert.equal(compiled.offThread, offThread);
    await compiled.dispose();
  }
  assert.throws(() => createOrtBackend({ offThread: 'yes' as 'auto' }), BackendError);
});

test("in a browser host (no 'ort' worker) offThread 'auto' stays on the thread and true is refused", async () => {
  installPlatform({ ...nodePlatform, name: 'browser' });
  try {
    const compiled = (await createOrtBackend({ threads: 1, offThread: 'auto' }).compile(dense)) as OrtCompiledGraph;
    assert.equal(compiled.offThread, false);
    await compiled.dispose();
    assert.throws(
      () => createOrtBackend({ offThread: true }),
      (e: Error) => e instanceof BackendError && /not available in a browser/.test(e.message),
    );
  } finally {
    installPlatform(nodePlatform);
  }
});

test('many runs in flight on several graphs of one backend return their own results', async () => {
  const r = mulberry32(seedOf('off-thread concurrent'));
  const backend = createOrtBackend({ offThread: true });
  const graphs = [dense, { ...dense, nodes: [{ ...dense.nodes[0], bias: tensor([2], [-1, 1]) }] } as Graph];
  const compiled = await Promise.all(graphs.map((g) => backend.compile(g)));
  const onThread = await Promise.all(graphs.map((g) => createOrtBackend().compile(g)));
  const inputs = Array.from({ length: 20 }, (_, i) => randomTensor(r, [1 + (i % 4), 3]));
  const got = await Promise.all(inputs.map((x, i) => compiled[i % 2].run(x)));
  for (let i = 0; i < inputs.length; i++) assert.deepEqual(got[i].get('d'), (await onThread[i % 2].run(inputs[i])).get('d'));
  // A dispose posted while runs are in flight waits for them (the worker takes requests in order).
  const pending = compiled.map((c, i) => c.run(inputs[i]));
  await Promise.all([...compiled, ...onThread].map((c) => c.dispose()));
  for (const [i, p] of pending.entries()) assert.deepEqual((await p).get('d'), got[i].get('d'));
});

test('the simulator gives the same result off the JS thread (two batches in flight)', async () => {
  const ann = smallCnn(21);
  const data = syntheticImages(30, [1, 8, 8]);
  const on = createOrtBackend({ threads: 1 });
  const off = createOrtBackend({ threads: 1, offThread: true });
  const snn = convertToSnn(ann, await calibrate(on, ann, data), defaultConversionOptions).graph;
  for (const encoder of [undefined, poissonEncoder(3)]) {
    const options = { T: 12, chunk: 5, batchSize: 7, unitCounts: true, encoder };
    const [a, b] = [await simulate(on, snn, data, options), await simulate(off, snn, data, options)];
    assert.deepEqual([...b.correctAt], [...a.correctAt]);
    assert.deepEqual(
      b.layers.map((l) => [l.spikes, [...l.unitCounts!]]),
      a.layers.map((l) => [l.spikes, [...l.unitCounts!]]),
    );
    assert.equal(b.inputEvents, a.inputEvents);
  }
});

test('a process with undisposed off-thread sessions exits promptly', () => {
  const install = fileURLToPath(new URL('../../src/node/install.ts', import.meta.url));
  const backend = fileURLToPath(new URL('../../src/backend/ort/ort-backend.ts', import.meta.url));
  const script = `
    import ${JSON.stringify(install)};
    import { createOrtBackend } from ${JSON.stringify(backend)};
    const g = { input: { name: 'x', shape: [null, 2] }, output: 'r', nodes: [{ op: 'Relu', name: 'r', inputs: ['x'], output: 'r' }] };
    const compiled = await createOrtBackend({ offThread: true }).compile(g);
    const out = await compiled.run({ shape: [1, 2], data: new Float32Array([-1, 2]) });
    console.log(Array.from(out.get('r').data).join(','));
  `;
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), '0,2');
  assert.ok(performance.now() - started < 20_000);
});
