/**
 * NIR export read back (src/export/nir): a converted model written with writeNir, its NIR graph
 * mutated structurally and written again as HDF5 (fields set to 0, −1, 2^31, 2^40; weights of the
 * wrong shape; r and v_threshold zero, negative or non-finite; edges dropped, reversed into
 * cycles, duplicated or pointing at unknown nodes; nodes removed or added; hostile metadata), and
 * then, for some cases, the HDF5 bytes mutated too; read back with readNir. A case is a seed for
 * 0–3 structural edits (drawn by mulberry32, written by the synchronous encoder) and its byte
 * mutations. Read as the CLI reads a NIR file: HDF5 decoded in a worker under a watchdog (a
 * corrupt global heap can make the HDF5 library loop). An accepted file must read
 * back as a model whose shapes infer; the unmutated export must read back with its every layer.
 */
import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { decodeNir, nirEncoder } from '../../src/export/nir/hdf5-codec.js';
import { NIR_VERSION, type NirGraph, type NirMetadataValue, type NirNode } from '../../src/export/nir/nir-graph.js';
import { readNir } from '../../src/export/nir/read-nir.js';
import { decodeNirGuarded } from '../../src/node/nir-decode-guarded.js';
import { writeNir } from '../../src/export/nir/write-nir.js';
import { sampleShapes } from '../../src/ir/shapes.js';
import { mulberry32 } from '../../src/tensor/random.js';
import { tensor, type Tensor } from '../../src/tensor/tensor.js';
import { smallCnn } from '../../test/helpers/nets.js';
import type { FuzzCase, FuzzTarget } from '../target.js';
import { byteMutation, mutate } from './byte-mutations.js';

const model = convertToSnn(smallCnn(5), null, { ...defaultConversionOptions, thresholdScope: 'channel' });
const base = (await writeNir(model)).bytes;
const baseGraph = await decodeNir(base, 'base');

type Rand = () => number;
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)];

const HOSTILE_INTS = [0, -1, -(2 ** 31), 2 ** 31 - 1, 2 ** 40, 3, 7] as const;
const HOSTILE_FLOATS = [0, -1, Number.NaN, Infinity, -Infinity, 1e-45, 3e38] as const;

function hostileTensor(r: Rand, like: Tensor): Tensor {
  switch (Math.floor(r() * 5)) {
    case 0:
      return tensor([0], []);
    case 1:
      return tensor([like.data.length], like.data); // flattened: the wrong rank
    case 2:
      return tensor([1, 1, 1, 1], [1]);
    case 3: {
      const data = like.data.slice();
      data[Math.floor(r() * data.length)] = pick(r, HOSTILE_FLOATS);
      return tensor(like.shape, data);
    }
    default:
      return tensor([...like.shape].reverse(), like.data);
  }
}

const pair = (r: Rand): [number, number] => [pick(r, HOSTILE_INTS), pick(r, [1, ...HOSTILE_INTS])];

/** One structural edit of the graph, with its description. */
function edit(r: Rand, g: NirGraph): { graph: NirGraph; what: string } {
  const nodes = new Map(g.nodes);
  const names = [...nodes.keys()];
  const name = pick(r, names);
  const node = nodes.get(name)!;
  let edges = [...g.edges];
  const metadata: Record<string, NirMetadataValue> = { ...g.metadata };
  let what: string;
  switch (Math.floor(r() * 8)) {
    case 0: {
      // A numeric field of the node.
      const n = { ...node } as Record<string, unknown>;
      const fields = Object.keys(n).filter((k) => k !== 'type');
      if (fields.length === 0) return { graph: g, what: `no field in ${name}` };
      const field = pick(r, fields);
      const old = n[field];
      n[field] = Array.isArray(old)
        ? old.length === 2
          ? pair(r)
          : Array.from({ length: Math.floor(r() * 5) }, () => pick(r, HOSTILE_INTS))
        : typeof old === 'number'
          ? pick(r, HOSTILE_INTS)
          : old === null
            ? tensor([1], [pick(r, HOSTILE_FLOATS)])
            : hostileTensor(r, old as Tensor);
      nodes.set(name, n as unknown as NirNode);
      what = `${name}.${field} changed`;
      break;
    }
    case 1:
      edges.splice(Math.floor(r() * edges.length), 1);
      what = 'an edge dropped';
      break;
    case 2: {
      const [from, to] = pick(r, edges);
      edges.push([to, from]);
      what = `edge ${to} → ${from} added (a cycle)`;
      break;
    }
    case 3:
      edges.push(pick(r, [[name, name] as const, [name, 'nowhere'] as const, pick(r, edges)]));
      what = 'a self-loop, a dangling or a duplicate edge';
      break;
    case 4:
      nodes.delete(name);
      what = `node ${name} removed`;
      break;
    case 5: {
      const extra = pick(r, ['input2', 'Input', 'x y', 'ünï', '_']);
      nodes.set(extra, pick(r, [{ type: 'Input', shape: [1, 8, 8] } as NirNode, { type: 'Output', shape: [10] } as NirNode]));
      edges = r() < 0.5 ? [...edges, [extra, name]] : edges;
      what = `node ${extra} added`;
      break;
    }
    case 6: {
      const key = pick(r, ['conversion', 'reset', 'generator', 'shift']);
      metadata[key] = pick(r, [
        '{',
        '{"options":{"strategy":"x","shift":"v0","tShift":1},"layers":7,"calibrationImages":1}',
        '{"options":{"strategy":"x","shift":"v0","tShift":1e999},"layers":[],"calibrationImages":0.5}',
        '{"options":{"strategy":"x","shift":"bias","tShift":3,"maxSpikesPerStep":1e9},"layers":[{"node":"act1","theta":"Infinity"}],"calibrationImages":1}',
        'sideways',
        'ann2snn',
        2 ** 40,
      ]);
      what = `metadata ${key} replaced`;
      break;
    }
    default: {
      const input = names.find((k) => nodes.get(k)!.type === 'Input')!;
      nodes.set(input, { type: 'Input', shape: pick(r, [[0, 8, 8], [-1], [2 ** 20, 2 ** 20, 1], [], [1, 8], [1, 8, 8, 1], [64]]) });
      what = 'Input shape changed';
    }
  }
  return { graph: { nodes, edges, metadata }, what };
}

const encode = await nirEncoder();

/** The export with `count` structural edits drawn from `seed` (none: the export as written). */
function variant(seed: number, count: number): { bytes: Uint8Array; what: string } {
  if (count === 0) return { bytes: base, what: 'the export as written' };
  const r = mulberry32(seed);
  let graph = baseGraph;
  const done: string[] = [];
  for (let k = 0; k < count; k++) {
    const e = edit(r, graph);
    graph = e.graph;
    done.push(e.what);
  }
  try {
    return { bytes: encode(graph, NIR_VERSION), what: `seed ${seed}: ${done.join('; ')}` };
  } catch (e) {
    // A name or value HDF5 cannot store is not a file anyone could hand us: the export as written.
    return {
      bytes: base,
      what: `seed ${seed}: ${done.join('; ')} (not writable: ${(e as Error).message.split('\n')[0]}), so the export as written`,
    };
  }
}

const cases: fc.Arbitrary<FuzzCase> = fc
  .record({
    seed: fc.nat(),
    edits: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 6, arbitrary: fc.integer({ min: 1, max: 3 }) }),
    bytes: fc.oneof(
      { weight: 3, arbitrary: fc.constant([]) },
      { weight: 2, arbitrary: fc.array(byteMutation, { minLength: 1, maxLength: 3 }) },
    ),
  })
  .map(({ seed, edits, bytes }) => {
    const v = variant(seed, edits);
    const m = mutate(v.bytes, bytes, 'HDF5 ');
    return { bytes: m.bytes, mutation: [v.what, ...m.described].join('; ') };
  });

/** Within the harness's default budget of 10 s per case, with room for the worker's restart after a loop. */
const DECODE_TIMEOUT_MS = 4000;
// Start the reader's worker now (h5wasm loads there), not in the first case's time; on a machine
// too loaded for that to finish within the watchdog's time, the first case starts it again.
await decodeNirGuarded(base, 'base').catch(() => undefined);

const spikes = model.graph.nodes.filter((n) => n.op === 'Spike').length;

export const nirExportTarget: FuzzTarget = {
  name: 'nir-export',
  extension: 'nir',
  cases,
  async run(path) {
    const bytes = await readFile(path);
    const back = await readNir(bytes, path, { decode: (b, source) => decodeNirGuarded(b, source, DECODE_TIMEOUT_MS) });
    sampleShapes(back.graph);
    sampleShapes(back.ann);
    const unchanged = bytes.length === base.length && bytes.every((b, i) => b === base[i]);
    if (unchanged && back.graph.nodes.filter((n) => n.op === 'Spike').length !== spikes) {
      throw new Error(`${path}: wrong result: the export read back without its ${spikes} spiking layers`);
    }
  },
};
