/**
 * The types a decoded .snn header must have before anything else reads it: every node's fields by
 * op (names are strings, strides positive integers, pads non-negative integers, tensors tensors…),
 * the graph's input and output, and the conversion info. The shape checks (validateGraph) and the
 * engines trust these types; a header that lies about them is refused here with the node and field
 * named, instead of failing somewhere later as a TypeError. `fail` prefixes the file.
 */
import type { Graph, Node } from '../ir/graph.js';
import { MAX_WINDOW_FIELD } from '../ir/shapes.js';
import { sizeOf, type Tensor } from '../tensor/tensor.js';
import type { ConversionInfo } from './snn-model.js';

type Fail = (message: string) => never;
type Check = (value: unknown) => boolean;

/** Largest value (activation) one sample may have in a graph read from a file: 2^26 elements (256 MiB of f32). */
export const MAX_VALUE_ELEMENTS = 2 ** 26;
/** Largest integer field (a stride, a pad, a kernel side, γ, L) a file may hold: the IR's window ceiling. */
const MAX_INT_FIELD = MAX_WINDOW_FIELD;

const isString: Check = (v) => typeof v === 'string';
const isNumber: Check = (v) => typeof v === 'number' && !Number.isNaN(v);
const isFinite: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isBool: Check = (v) => typeof v === 'boolean';
const intIn =
  (min: number): Check =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= MAX_INT_FIELD;
const isAxis: Check = (v) => Number.isInteger(v) && Math.abs(v as number) <= 8;
const tuple =
  (n: number, item: Check): Check =>
  (v) =>
    Array.isArray(v) && v.length === n && v.every(item);
const isTensor: Check = (v) =>
  typeof v === 'object' && v !== null && (v as Tensor).data instanceof Float32Array && Array.isArray((v as Tensor).shape);
const isTensorOrNull: Check = (v) => v === null || isTensor(v);
const oneOf =
  (...allowed: string[]): Check =>
  (v) =>
    typeof v === 'string' && allowed.includes(v);

const pair = tuple(2, intIn(1));
const pads = tuple(4, intIn(0));

/** Fields (besides name, inputs, output) of every op, with what each must be. */
const NODE_FIELDS: Readonly<Record<Node['op'], Readonly<Record<string, readonly [Check, string]>>>> = {
  Conv2d: {
    weight: [isTensor, 'a tensor'],
    bias: [isTensorOrNull, 'a tensor or null'],
    strides: [pair, 'two positive integers'],
    pads: [pads, 'four non-negative integers'],
    dilations: [pair, 'two positive integers'],
    groups: [intIn(1), 'a positive integer'],
  },
  Dense: { weight: [isTensor, 'a tensor'], bias: [isTensorOrNull, 'a tensor or null'] },
  BatchNorm: {
    scale: [isTensor, 'a tensor'],
    bias: [isTensor, 'a tensor'],
    mean: [isTensor, 'a tensor'],
    variance: [isTensor, 'a tensor'],
    epsilon: [isFinite, 'a finite number'],
  },
  AvgPool: {
    kernel: [pair, 'two positive integers'],
    strides: [pair, 'two positive integers'],
    pads: [pads, 'four non-negative integers'],
    ceilMode: [isBool, 'a boolean'],
    countIncludePad: [isBool, 'a boolean'],
  },
  MaxPool: {
    kernel: [pair, 'two positive integers'],
    strides: [pair, 'two positive integers'],
    pads: [pads, 'four non-negative integers'],
    ceilMode: [isBool, 'a boolean'],
  },
  GlobalAvgPool: {},
  Flatten: { axis: [isAxis, 'an axis'] },
  Reshape: { shape: [(v) => Array.isArray(v) && v.length <= 8 && v.every((d) => Number.isInteger(d) && d >= -1), 'dimensions'] },
  Add: {},
  Concat: { axis: [isAxis, 'an axis'] },
  Relu: {},
  Clip: { min: [isNumber, 'a number'], max: [isNumber, 'a number'] },
  QuantClip: { max: [(v) => isFinite(v) && (v as number) > 0, 'a positive number'], levels: [intIn(1), 'a positive integer'] },
  Identity: {},
  Dropout: {},
  Softmax: { axis: [isAxis, 'an axis'] },
  Pad: { pads: [pads, 'four non-negative integers'], value: [isNumber, 'a number'] },
  Spike: {
    neuron: [isString, 'a string'],
    reset: [oneOf('soft', 'hard'), "'soft' or 'hard'"],
    threshold: [isTensor, 'a tensor'],
    initialPotential: [isTensor, 'a tensor'],
    maxSpikesPerStep: [intIn(1), 'a positive integer'],
  },
  SpikeMaxPool: { kernel: [pair, 'two positive integers'] },
};

/** `value` (the revived header field `field`) as a Graph whose every node has its fields' types. */
export function checkGraphTypes(value: unknown, field: string, fail: Fail): Graph {
  const g = value as Record<string, unknown>;
  const input = g.input as Record<string, unknown> | undefined;
  const inputShapeOk =
    Array.isArray(input?.shape) &&
    input.shape.length >= 1 &&
    input.shape.length <= 8 &&
    // Any positive size, as the importer takes it: the shape inference that follows bounds the elements per sample.
    input.shape.every((d, i) => (i === 0 && d === null) || (Number.isSafeInteger(d) && (d as number) >= 1));
  if (!isRecord(input) || !isString(input.name) || !inputShapeOk) {
    fail(`'${field}.input' is not { name: string, shape: [null or a positive integer, positive integers…] }`);
  }
  if (!isString(g.output)) fail(`'${field}.output' is not a string`);
  if (!Array.isArray(g.nodes)) return fail(`'${field}.nodes' is not an array`);
  g.nodes.forEach((node: unknown, i) => {
    if (!isRecord(node)) return fail(`'${field}.nodes[${i}]' is not an object`);
    const name = isString(node.name) ? (node.name as string) : fail(`'${field}.nodes[${i}]' has no string 'name'`);
    const where = `${field} node '${name}'`;
    if (typeof node.op !== 'string' || !Object.hasOwn(NODE_FIELDS, node.op)) return fail(`${where}: unknown op '${String(node.op)}'`);
    if (!Array.isArray(node.inputs) || !node.inputs.every(isString)) fail(`${where}: 'inputs' is not a list of strings`);
    if (!isString(node.output)) fail(`${where}: 'output' is not a string`);
    for (const [key, [check, what]] of Object.entries(NODE_FIELDS[node.op as Node['op']])) {
      if (!check(node[key])) fail(`${where}: '${key}' is not ${what}`);
    }
  });
  return value as Graph;
}

/**
 * After the shape checks: every value of one sample within MAX_VALUE_ELEMENTS (a huge pad or a
 * small stride cannot make the engines allocate what the file claims), and every Spike node's θ
 * and v(0) of a length the engines index (θ: 1 or C; v(0): 1, C or the whole sample).
 */
export function checkGraphSizes(graph: Graph, shapes: ReadonlyMap<string, readonly number[]>, field: string, fail: Fail): void {
  for (const [name, shape] of shapes) {
    const n = sizeOf(shape);
    if (!Number.isSafeInteger(n) || n > MAX_VALUE_ELEMENTS) {
      fail(`${field} value '${name}' has ${n} elements per sample (shape [${shape}]), more than ${MAX_VALUE_ELEMENTS}`);
    }
  }
  for (const node of graph.nodes) {
    if (node.op !== 'Spike') continue;
    const shape = shapes.get(node.output)!; // one sample's: channels first
    const channels = shape.length > 0 ? shape[0] : 1;
    const units = sizeOf(shape);
    const theta = node.threshold.data;
    const v0 = node.initialPotential.data.length;
    if (theta.length !== 1 && theta.length !== channels) {
      fail(`${field} node '${node.name}': threshold has ${theta.length} values, expected 1 or ${channels} (channels)`);
    }
    if (!theta.every((t) => Number.isFinite(t) && t > 0)) fail(`${field} node '${node.name}': threshold values must be finite and > 0`);
    if (v0 !== 1 && v0 !== channels && v0 !== units) {
      fail(`${field} node '${node.name}': initialPotential has ${v0} values, expected 1, ${channels} (channels) or ${units} (units)`);
    }
  }
}

/** The conversion info's types: options (strategy, shift, reset, readout…), layers, calibration size. */
export function checkConversionTypes(value: unknown, fail: Fail): ConversionInfo {
  const c = value as Record<string, unknown>;
  const o = c.options;
  if (!isRecord(o)) return fail(`'conversion.options' is not an object`);
  const options: Record<string, readonly [Check, string]> = {
    strategy: [isString, 'a string'],
    shift: [oneOf('v0', 'bias', 'none'), "'v0', 'bias' or 'none'"],
    tShift: [intIn(1), 'a positive integer'],
    reset: [oneOf('soft', 'hard'), "'soft' or 'hard'"],
    readout: [oneOf('accumulate', 'spikes'), "'accumulate' or 'spikes'"],
    percentile: [isFinite, 'a number'],
    thresholdScope: [oneOf('layer', 'channel'), "'layer' or 'channel'"],
    maxSpikesPerStep: [intIn(1), 'a positive integer'],
  };
  for (const [key, [check, what]] of Object.entries(options)) if (!check(o[key])) fail(`'conversion.options.${key}' is not ${what}`);
  if (o.neuron !== undefined && !isString(o.neuron)) fail(`'conversion.options.neuron' is not a string`);
  if (o.targetT !== undefined && !intIn(1)(o.targetT)) fail(`'conversion.options.targetT' is not a positive integer`);
  const layersOk =
    Array.isArray(c.layers) &&
    c.layers.every(
      (l: unknown) =>
        isRecord(l) && isString(l.node) && isString(l.source) && Array.isArray(l.theta) && l.theta.every(isNumber) && isFinite(l.units),
    );
  if (!layersOk) fail(`'conversion.layers' is not a list of { node, theta: numbers, source, units }`);
  if (!isFinite(c.calibrationImages)) fail(`'conversion.calibrationImages' is not a number`);
  if (c.calibration !== undefined && !isRecord(c.calibration)) fail(`'conversion.calibration' is not an object`);
  return value as ConversionInfo;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
