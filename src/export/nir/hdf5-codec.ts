/**
 * NIR graphs ↔ HDF5 bytes, in the layout of the `nir` package (nir/serialization.py):
 *   /version                      string (variable-length UTF-8 scalar)
 *   /node/type = "NIRGraph"       /node/edges: (N, 2) strings      /node/metadata/<key> (optional)
 *   /node/nodes/<name>/type       string; one dataset per field (NIR_FIELDS), float32 tensors,
 *                                 int64 integers
 * Bytes only (h5wasm's in-memory Emscripten file system), so the same code runs in a browser.
 * h5wasm (4 MB of JavaScript and WebAssembly, ~1 s to load) is imported on first use only.
 * Reading checks every dataset's class and refuses sizes beyond MAX_DATASET_BYTES (and beyond what
 * the file could hold compressed) before h5wasm allocates them.
 */
import type { Dataset, File as H5File, Group } from 'h5wasm';
import { sizeOf, tensor, type Tensor } from '../../tensor/tensor.js';
import {
  NIR_FIELDS,
  NIR_OPTIONAL_FIELDS,
  NirReadError,
  type IntPair,
  type NirGraph,
  type NirMetadataValue,
  type NirNode,
  type NirNodeType,
} from './nir-graph.js';

/** Largest dataset a file may declare (256 MiB), and at most 64× the file (gzip reaches ~1000×; weights ~1.1×). */
const MAX_DATASET_BYTES = 256 << 20;
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;

let fileCounter = 0;

interface MemoryFs {
  writeFile(path: string, data: Uint8Array): void;
  readFile(path: string): Uint8Array;
  unlink(path: string): void;
}

type H5 = (typeof import('h5wasm'))['default'];

let loading: Promise<{ h5: H5; fs: MemoryFs }> | null = null;

/** h5wasm and its in-memory file system; HDF5 errors throw (instead of printing to stderr). */
function h5wasm(): Promise<{ h5: H5; fs: MemoryFs }> {
  loading ??= import('h5wasm').then(async ({ default: h5 }) => {
    const module = await h5.ready;
    module.activate_throwing_error_handler();
    return { h5, fs: module.FS as unknown as MemoryFs };
  });
  return loading;
}

/** The innermost cause of an HDF5 error stack ("… in H5F__super_read(): file signature not found"). */
function hdf5Cause(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const causes = [...text.matchAll(/in \w+\(\): ([^\n]+)/g)].map((m) => m[1]);
  return causes.at(-1) ?? text.split('\n')[0];
}

export async function encodeNir(graph: NirGraph, version: string): Promise<Uint8Array> {
  return (await nirEncoder())(graph, version);
}

/** The encoder once h5wasm is loaded, synchronous (for callers that cannot await each file, e.g. a fuzzer's generators). */
export async function nirEncoder(): Promise<(graph: NirGraph, version: string) => Uint8Array> {
  const { h5, fs } = await h5wasm();
  return (graph, version) => encodeWith(h5, fs, graph, version);
}

function encodeWith(h5: H5, fs: MemoryFs, graph: NirGraph, version: string): Uint8Array {
  const path = `/ann2snn-nir-${++fileCounter}.h5`;
  // Objects in formats HDF5 1.8–1.10 read (h5wasm's HDF5 2.0 could otherwise pick newer ones).
  const file = new h5.File(path, 'w', { libver: ['earliest', 'v110'] });
  try {
    writeString(file, 'version', version);
    const root = file.create_group('node');
    writeString(root, 'type', 'NIRGraph');
    root.create_dataset({ name: 'edges', data: graph.edges.flat() as string[], shape: [graph.edges.length, 2] });
    const nodes = root.create_group('nodes');
    for (const [name, node] of graph.nodes) writeNode(nodes.create_group(name), node);
    if (Object.keys(graph.metadata).length > 0) {
      const meta = root.create_group('metadata');
      for (const [key, value] of Object.entries(graph.metadata)) {
        if (typeof value === 'string') writeString(meta, key, value);
        else if (Number.isInteger(value)) writeInts(meta, key, [value], []);
        else meta.create_dataset({ name: key, data: new Float64Array([value]), shape: [] });
      }
    }
    file.flush();
  } finally {
    file.close();
  }
  try {
    return fs.readFile(path).slice();
  } finally {
    fs.unlink(path);
  }
}

function writeString(group: Group, name: string, value: string): void {
  group.create_dataset({ name, data: value });
}

function writeInts(group: Group, name: string, values: readonly number[], shape: number[]): void {
  group.create_dataset({ name, data: BigInt64Array.from(values, (v) => BigInt(v)), shape, dtype: '<q' });
}

function writeFloats(group: Group, name: string, t: Tensor): void {
  group.create_dataset({ name, data: t.data, shape: [...t.shape], dtype: '<f' });
}

function writeNode(group: Group, node: NirNode): void {
  writeString(group, 'type', node.type);
  switch (node.type) {
    case 'Input':
    case 'Output':
      return writeInts(group, 'shape', node.shape, [node.shape.length]);
    case 'Conv2d':
      writeFloats(group, 'weight', node.weight);
      writeFloats(group, 'bias', node.bias);
      writeInts(group, 'stride', node.stride, [2]);
      writeInts(group, 'padding', node.padding, [2]);
      writeInts(group, 'dilation', node.dilation, [2]);
      writeInts(group, 'groups', [node.groups], []);
      return writeInts(group, 'input_shape', node.inputShape, [2]);
    case 'Affine':
      writeFloats(group, 'weight', node.weight);
      return writeFloats(group, 'bias', node.bias);
    case 'Linear':
      return writeFloats(group, 'weight', node.weight);
    case 'SumPool2d':
    case 'AvgPool2d':
      writeInts(group, 'kernel_size', node.kernelSize, [2]);
      writeInts(group, 'stride', node.stride, [2]);
      return writeInts(group, 'padding', node.padding, [2]);
    case 'Flatten':
      writeInts(group, 'start_dim', [node.startDim], []);
      writeInts(group, 'end_dim', [node.endDim], []);
      return writeInts(group, 'input_type', node.inputType, [node.inputType.length]);
    case 'IF':
      writeFloats(group, 'r', node.r);
      writeFloats(group, 'v_threshold', node.vThreshold);
      if (node.vReset) writeFloats(group, 'v_reset', node.vReset);
      return;
  }
}

export async function decodeNir(bytes: Uint8Array, source: string): Promise<NirGraph> {
  const { h5, fs } = await h5wasm();
  const path = `/ann2snn-nir-${++fileCounter}.h5`;
  fs.writeFile(path, bytes);
  let file: H5File | null = null;
  try {
    file = new h5.File(path, 'r');
    if (file.file_id < 0n) throw new Error('unable to open');
  } catch (e) {
    fs.unlink(path);
    throw new NirReadError(`${source}: not an HDF5 file (${hdf5Cause(e)})`);
  }
  try {
    return readGraph(new Reader(h5, file, source, Math.min(MAX_DATASET_BYTES, Math.max(1 << 20, 64 * bytes.length))));
  } catch (e) {
    if (e instanceof NirReadError) throw e;
    throw new NirReadError(`${source}: unreadable HDF5 content (${hdf5Cause(e)})`);
  } finally {
    file.close();
    fs.unlink(path);
  }
}

function readGraph(r: Reader): NirGraph {
  r.string(r.root, 'version', undefined);
  const root = r.group(r.root, 'node', undefined, '/node');
  const type = r.string(root, 'type', undefined);
  if (type !== 'NIRGraph') throw new NirReadError(`${r.source}: /node/type is '${type}', expected 'NIRGraph'`);
  const edgeData = r.dataset(root, 'edges', undefined, H5T_STRING);
  const edgeShape = edgeData.shape ?? [];
  const flat = edgeData.value as string[] | string;
  const list = typeof flat === 'string' ? [flat] : flat;
  if (!(edgeShape.length === 2 && edgeShape[1] === 2) && !(edgeShape.length === 1 && edgeShape[0] === 0)) {
    throw new NirReadError(`${r.source}: /node/edges has shape [${edgeShape.join(', ')}], expected (N, 2)`);
  }
  const edges: (readonly [string, string])[] = [];
  for (let i = 0; i + 1 < list.length; i += 2) edges.push([list[i], list[i + 1]]);
  const nodesGroup = r.group(root, 'nodes', undefined, '/node/nodes');
  const nodes = new Map<string, NirNode>();
  for (const name of nodesGroup.keys()) nodes.set(name, readNode(r, r.group(nodesGroup, name, name, `/node/nodes/${name}`), name));
  const metadata: Record<string, NirMetadataValue> = {};
  const meta = root.keys().includes('metadata') ? r.group(root, 'metadata', undefined, '/node/metadata') : null;
  for (const key of meta?.keys() ?? []) {
    const entity = meta!.get(key);
    if (!r.isDataset(entity) || (entity.shape ?? []).length !== 0) continue;
    const value = r.checked(entity, key, undefined).value;
    if (typeof value === 'string' || typeof value === 'number') metadata[key] = value;
    else if (typeof value === 'bigint') metadata[key] = Number(value);
  }
  for (const key of root.keys()) {
    if (!['type', 'edges', 'nodes', 'metadata'].includes(key)) throw new NirReadError(`${r.source}: /node has an unknown entry '${key}'`);
  }
  return { nodes, edges, metadata };
}

const KNOWN_TYPES = Object.keys(NIR_FIELDS) as NirNodeType[];

function readNode(r: Reader, g: Group, name: string): NirNode {
  const type = r.string(g, 'type', name);
  if (!KNOWN_TYPES.includes(type as NirNodeType)) r.fail(name, `type '${type}' is not supported (supported: ${KNOWN_TYPES.join(', ')})`);
  const t = type as NirNodeType;
  const required = NIR_FIELDS[t].filter((f) => !(NIR_OPTIONAL_FIELDS[t] ?? []).includes(f));
  const allowed = new Set([...NIR_FIELDS[t], ...(NIR_OPTIONAL_FIELDS[t] ?? []), 'type', 'metadata']);
  const keys = g.keys();
  for (const k of keys) if (!allowed.has(k)) r.fail(name, `${t} has an unknown field '${k}'`);
  for (const k of required) if (!keys.includes(k)) r.fail(name, `${t} lacks its field '${k}'`);
  const has = (k: string): boolean => keys.includes(k);
  switch (t) {
    case 'Input':
    case 'Output':
      return { type: t, shape: r.ints(g, 'shape', name) };
    case 'Conv2d':
      return {
        type: t,
        weight: r.floats(g, 'weight', name),
        bias: r.floats(g, 'bias', name),
        stride: r.pair(g, 'stride', name),
        padding: r.padding(g, name),
        dilation: r.pair(g, 'dilation', name),
        groups: r.int(g, 'groups', name),
        inputShape: has('input_shape') ? r.pair(g, 'input_shape', name) : [0, 0],
      };
    case 'Affine':
      return { type: t, weight: r.floats(g, 'weight', name), bias: r.floats(g, 'bias', name) };
    case 'Linear':
      return { type: t, weight: r.floats(g, 'weight', name) };
    case 'SumPool2d':
    case 'AvgPool2d':
      return {
        type: t,
        kernelSize: r.pair(g, 'kernel_size', name),
        stride: r.pair(g, 'stride', name),
        padding: r.pair(g, 'padding', name),
      };
    case 'Flatten':
      return {
        type: t,
        startDim: r.int(g, 'start_dim', name),
        endDim: r.int(g, 'end_dim', name),
        inputType: has('input_type') ? r.ints(g, 'input_type', name) : [],
      };
    case 'IF':
      return {
        type: t,
        r: r.floats(g, 'r', name),
        vThreshold: r.floats(g, 'v_threshold', name),
        vReset: has('v_reset') ? r.floats(g, 'v_reset', name) : null,
      };
  }
}

/** Typed, size-checked access to one file's datasets; errors name the file and the NIR node. */
class Reader {
  readonly root: Group;
  constructor(
    private readonly h5: H5,
    file: H5File,
    readonly source: string,
    private readonly maxBytes: number,
  ) {
    this.root = file;
  }

  isDataset(entity: unknown): entity is Dataset {
    return entity instanceof this.h5.Dataset;
  }

  /** A NirReadError naming the file (and the node, when there is one). */
  fail(node: string | undefined, message: string): never {
    throw new NirReadError(node === undefined ? `${this.source}: ${message}` : `${message} (${this.source})`, node);
  }

  group(parent: Group, key: string, node: string | undefined, path: string): Group {
    const entity = parent.keys().includes(key) ? parent.get(key) : null;
    if (!(entity instanceof this.h5.Group)) this.fail(node, `${path} is missing or not a group`);
    return entity;
  }

  checked(d: Dataset, key: string, node: string | undefined): Dataset {
    const m = d.metadata;
    const elements = m.total_size;
    if (!Number.isSafeInteger(elements) || elements < 0 || elements * Math.max(m.size, 1) > this.maxBytes) {
      this.fail(
        node,
        `dataset '${key}' declares ${elements} elements of ${m.size} bytes, more than this file can hold (limit ${this.maxBytes} bytes)`,
      );
    }
    return d;
  }

  dataset(g: Group, key: string, node: string | undefined, typeClass: number): Dataset {
    const entity = g.keys().includes(key) ? g.get(key) : null;
    if (!this.isDataset(entity)) this.fail(node, `'${key}' is missing or not a dataset`);
    const m = entity.metadata;
    const ok = typeClass === H5T_STRING ? m.type === H5T_STRING : m.type === H5T_INTEGER || m.type === H5T_FLOAT;
    if (!ok)
      this.fail(node, `dataset '${key}' has HDF5 type class ${m.type}, expected ${typeClass === H5T_STRING ? 'a string' : 'numbers'}`);
    return this.checked(entity, key, node);
  }

  string(g: Group, key: string, node: string | undefined): string {
    const value = this.dataset(g, key, node, H5T_STRING).value;
    if (typeof value !== 'string') this.fail(node, `dataset '${key}' is not a scalar string`);
    return value;
  }

  private numbers(g: Group, key: string, node: string | undefined): { values: number[]; shape: number[] } {
    const d = this.dataset(g, key, node, H5T_INTEGER);
    const shape = d.shape ?? [];
    const value = d.value;
    const values =
      typeof value === 'number' || typeof value === 'bigint'
        ? [Number(value)]
        : ArrayBuffer.isView(value)
          ? Array.from(value as ArrayLike<number | bigint>, Number)
          : this.fail(node, `dataset '${key}' holds no numbers`);
    if (values.length !== sizeOf(shape)) this.fail(node, `dataset '${key}' has ${values.length} values for shape [${shape.join(', ')}]`);
    return { values, shape };
  }

  floats(g: Group, key: string, node: string): Tensor {
    const { values, shape } = this.numbers(g, key, node);
    if (values.some((v) => !Number.isFinite(v))) this.fail(node, `dataset '${key}' holds non-finite values`);
    return tensor(shape, Float32Array.from(values));
  }

  ints(g: Group, key: string, node: string): number[] {
    const { values } = this.numbers(g, key, node);
    if (values.some((v) => !Number.isSafeInteger(v))) this.fail(node, `dataset '${key}' must hold integers`);
    return values;
  }

  int(g: Group, key: string, node: string): number {
    const values = this.ints(g, key, node);
    if (values.length !== 1) this.fail(node, `dataset '${key}' must be one integer, got ${values.length}`);
    return values[0];
  }

  /** An int or an (H, W) pair. */
  pair(g: Group, key: string, node: string): IntPair {
    const values = this.ints(g, key, node);
    if (values.length === 1) return [values[0], values[0]];
    if (values.length !== 2) this.fail(node, `dataset '${key}' must be one or two integers, got ${values.length}`);
    return [values[0], values[1]];
  }

  /** Conv2d padding: numbers, or the strings 'valid' (0) / 'same' (NaN: resolved with the kernel). */
  padding(g: Group, node: string): IntPair {
    const d = g.keys().includes('padding') ? g.get('padding') : null;
    if (this.isDataset(d) && d.metadata.type === H5T_STRING) {
      const text = this.string(g, 'padding', node);
      if (text === 'valid') return [0, 0];
      if (text === 'same') return [Number.NaN, Number.NaN];
      this.fail(node, `padding '${text}' must be 'same', 'valid' or integers`);
    }
    return this.pair(g, 'padding', node);
  }
}
