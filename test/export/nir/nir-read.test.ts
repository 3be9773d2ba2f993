import { test } from 'node:test';
import assert from 'node:assert/strict';
import h5wasm, { Group } from 'h5wasm';
import { createOrtBackend } from '../../../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../../src/convert/index.js';
import { encodeNir } from '../../../src/export/nir/hdf5-codec.js';
import { NIR_VERSION, NirReadError, readNir, snnToNir, type NirGraph, type NirNode } from '../../../src/export/nir/index.js';
import { simulate } from '../../../src/simulate/index.js';
import { tensor } from '../../../src/tensor/tensor.js';
import { labelledByAnn } from '../../helpers/labelled.js';
import { smallCnn } from '../../helpers/nets.js';

const ort = createOrtBackend({ threads: 1 });
const model = convertToSnn(smallCnn(51), null, { ...defaultConversionOptions, shift: 'bias' });
const nir = snnToNir(model).graph;

function edited(change: (nodes: Map<string, NirNode>, edges: [string, string][]) => void): NirGraph {
  const nodes = new Map(nir.nodes);
  const edges = nir.edges.map(([a, b]): [string, string] => [a, b]);
  change(nodes, edges);
  return { nodes, edges, metadata: nir.metadata };
}

async function bytesOf(graph: NirGraph): Promise<Uint8Array> {
  return encodeNir(graph, NIR_VERSION);
}

/** The file after `change` edits it in place with h5wasm (datasets the writer would never write). */
async function rawEdit(bytes: Uint8Array, change: (nodes: Group) => void): Promise<Uint8Array> {
  const { FS } = await h5wasm.ready;
  const fs = FS as unknown as { writeFile(p: string, d: Uint8Array): void; readFile(p: string): Uint8Array };
  const path = `/nir-read-test-${Math.random().toString(36).slice(2)}.h5`;
  fs.writeFile(path, bytes);
  const file = new h5wasm.File(path, 'a');
  change(file.get('node/nodes') as Group);
  file.close();
  return fs.readFile(path).slice();
}

/** Refused with a NirReadError that matches `message` and names the file. */
async function refuses(bytes: Uint8Array, message: RegExp): Promise<void> {
  await assert.rejects(
    readNir(bytes, 'bad.nir'),
    (e: Error) => e instanceof NirReadError && message.test(e.message) && e.message.includes('bad.nir'),
  );
}

test('readNir refuses files that are not NIR graphs, naming the node at fault', async () => {
  await refuses(new TextEncoder().encode('not an hdf5 file at all'), /bad\.nir: not an HDF5 file/);
  await refuses(
    await bytesOf(edited((_, edges) => edges.push(['act2', 'ghost']))),
    /NIR node 'ghost': an edge act2 → ghost names an unknown node/,
  );
  await refuses(await bytesOf(edited((_, edges) => edges.push(['act2', 'conv1']))), /cycle/);
  await refuses(
    await bytesOf(edited((nodes) => nodes.set('act1', { type: 'LIF' } as unknown as NirNode))),
    /NIR node 'act1': type 'LIF' is not supported/,
  );
  await refuses(
    await bytesOf(edited((nodes) => nodes.set('fc', { type: 'Affine', weight: tensor([10, 95]), bias: tensor([10]) }))),
    /NIR node 'fc':.*95/,
  );
  await refuses(
    await bytesOf(
      edited((nodes) => {
        const r = new Float32Array(4 * 8 * 8).fill(1);
        r[5] = 2;
        nodes.set('act1', {
          type: 'IF',
          r: tensor([4, 8, 8], r),
          vThreshold: tensor([4, 8, 8], new Float32Array(256).fill(1)),
          vReset: null,
        });
      }),
    ),
    /NIR node 'act1': r\/v_threshold differs within channel 0/,
  );
  await refuses(
    await bytesOf(
      edited((_, edges) =>
        edges.splice(
          edges.findIndex(([a]) => a === 'fc'),
          1,
        ),
      ),
    ),
    /NIR node 'fc': no edge leads out/,
  );
  const good = await bytesOf(nir);
  await refuses(
    await rawEdit(good, (nodes) => (nodes.get('act1') as Group).create_dataset({ name: 'tau', data: new Float32Array([1]) })),
    /NIR node 'act1': IF has an unknown field 'tau'/,
  );
  // A dataset that declares a billion floats in a file of a few kilobytes: refused before it is read.
  await refuses(
    await rawEdit(good, (nodes) => {
      const big = nodes.create_group('big');
      big.create_dataset({ name: 'type', data: 'IF' });
      big.create_dataset({ name: 'v_threshold', data: new Float32Array([1]) });
      big.create_dataset({ name: 'r', data: new Float32Array(4), shape: [4], maxshape: [null], chunks: [4] }).resize([1e9]);
    }),
    /NIR node 'big': dataset 'r' declares 1000000000 elements of 4 bytes, more than this file can hold/,
  );
});

test('readNir folds r/v_threshold of foreign IF nodes into the weights (v_threshold = 2, weights × 2 runs the same)', async () => {
  const data = await labelledByAnn(ort, model.ann, 30, [1, 8, 8]);
  const twice = edited((nodes, edges) => {
    for (const [name, node] of nodes) {
      if (node.type === 'IF') {
        nodes.set(name, {
          ...node,
          vThreshold: tensor(
            node.vThreshold.shape,
            node.vThreshold.data.map(() => 2),
          ),
        });
        for (const [from] of edges.filter(([, to]) => to === name)) {
          const w = nodes.get(from)!;
          if (w.type !== 'Conv2d') throw new Error(`expected a Conv2d before ${name}`);
          nodes.set(from, {
            ...w,
            weight: tensor(
              w.weight.shape,
              w.weight.data.map((v) => v * 2),
            ),
            bias: tensor(
              w.bias.shape,
              w.bias.data.map((v) => v * 2),
            ),
          });
        }
      }
    }
  });
  const a = await readNir(await bytesOf(nir));
  const b = await readNir(await bytesOf(twice));
  const ra = await simulate(ort, a.graph, data, { T: 8, unitCounts: true });
  const rb = await simulate(ort, b.graph, data, { T: 8, unitCounts: true });
  assert.deepEqual([...rb.correctAt], [...ra.correctAt]);
  assert.deepEqual(
    rb.layers.map((l) => l.spikes),
    ra.layers.map((l) => l.spikes),
  );
});

test('readNir without ann2snn metadata: reset to zero (the NIR IF equation), strategy nir, ANN with Clip(0, 1)', async () => {
  const bare = await readNir(await bytesOf({ ...nir, metadata: {} }));
  assert.equal(bare.conversion.options.strategy, 'nir');
  assert.equal(bare.conversion.options.reset, 'hard');
  assert.equal(bare.conversion.options.readout, 'accumulate');
  assert.deepEqual(
    bare.ann.nodes.filter((n) => n.op === 'Clip').map((n) => n.name),
    ['act1', 'act2'],
  );
  const ours = await readNir(await bytesOf(nir));
  assert.equal(ours.conversion.options.reset, 'soft');
  assert.equal(ours.conversion.options.strategy, model.conversion.options.strategy);
  assert.match(ours.conversion.layers[0].source, /θ as converted: 1\.000/);
});
