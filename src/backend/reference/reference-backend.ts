/**
 * The reference backend: interprets the graph node by node with plain TypeScript kernels (ops/).
 * It is the living definition of every op's semantics and the oracle the other backends are tested
 * against; it is not meant to be fast.
 *
 * Adding an op = one kernel file in ops/ + one line in `kernels`.
 */
import type { Node, OpType } from '../../ir/graph.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BackendError, type Backend, type CompiledGraph, type CompileOptions } from '../backend.js';
import { checkInput, nodesToRun } from '../nodes-to-run.js';
import { avgPool } from './ops/avg-pool.js';
import { batchNorm } from './ops/batch-norm.js';
import { concat } from './ops/concat.js';
import { conv2d } from './ops/conv2d.js';
import { dense } from './ops/dense.js';
import { add, clip, relu } from './ops/elementwise.js';
import { globalAvgPool } from './ops/global-avg-pool.js';
import { maxPool } from './ops/max-pool.js';
import { pad2d } from './ops/pad.js';
import { quantClip } from './ops/quant-clip.js';
import { flatten, identity, reshape } from './ops/reshape.js';
import { softmax } from './ops/softmax.js';

/** Computes one node's output from its input values (in `node.inputs` order). */
export type Kernel<K extends OpType = OpType> = (node: Extract<Node, { op: K }>, inputs: readonly Tensor[]) => Tensor;

/** The op table: every IR op and the kernel that defines it. */
export const kernels: { readonly [K in OpType]: Kernel<K> } = {
  Conv2d: (n, [x]) => conv2d(x, n.weight, n.bias, n),
  Dense: (n, [x]) => dense(x, n.weight, n.bias),
  BatchNorm: (n, [x]) => batchNorm(x, n),
  AvgPool: (n, [x]) => avgPool(x, n),
  MaxPool: (n, [x]) => maxPool(x, n),
  GlobalAvgPool: (_n, [x]) => globalAvgPool(x),
  Flatten: (n, [x]) => flatten(x, n.axis),
  Reshape: (n, [x]) => reshape(x, n.shape),
  Add: (_n, [a, b]) => add(a, b),
  Concat: (n, xs) => concat(xs, n.axis),
  Relu: (_n, [x]) => relu(x),
  Clip: (n, [x]) => clip(x, n.min, n.max),
  QuantClip: (n, [x]) => quantClip(x, n.max, n.levels),
  Identity: (_n, [x]) => identity(x),
  Dropout: (_n, [x]) => identity(x),
  Softmax: (n, [x]) => softmax(x, n.axis),
  Pad: (n, [x]) => pad2d(x, n.pads, n.value),
  Spike: (n) => {
    throw new BackendError(`reference backend: node '${n.name}' is a Spike layer; the simulator runs it`);
  },
  SpikeMaxPool: (n) => {
    throw new BackendError(`reference backend: node '${n.name}' is a spiking max pool; the simulator runs it`);
  },
};

function runNode(node: Node, inputs: readonly Tensor[]): Tensor {
  const kernel = kernels[node.op] as (node: Node, inputs: readonly Tensor[]) => Tensor;
  try {
    return kernel(node, inputs);
  } catch (error) {
    if (error instanceof BackendError) throw error;
    throw new BackendError(`reference backend: node '${node.name}' (${node.op}): ${(error as Error).message}`, { cause: error });
  }
}

export const referenceBackend: Backend = {
  name: 'reference',
  async compile(graph, options: CompileOptions = {}): Promise<CompiledGraph> {
    const plan = nodesToRun('reference', graph, options.outputs);
    const wanted = new Set(plan.outputs);
    // After its last reader has run, an intermediate value that was not requested can be dropped.
    const lastUse = new Map<string, number>();
    plan.nodes.forEach((n, k) => n.inputs.forEach((name) => lastUse.set(name, k)));
    let disposed = false;
    return {
      outputs: plan.outputs,
      async run(input) {
        if (disposed) throw new BackendError('reference backend: run after dispose');
        checkInput('reference', graph, input);
        const values = new Map<string, Tensor>([[graph.input.name, input]]);
        plan.nodes.forEach((node, k) => {
          values.set(
            node.output,
            runNode(
              node,
              node.inputs.map((name) => values.get(name) as Tensor),
            ),
          );
          for (const name of node.inputs) if (lastUse.get(name) === k && !wanted.has(name)) values.delete(name);
        });
        return new Map(plan.outputs.map((name) => [name, values.get(name) as Tensor]));
      },
      async dispose() {
        disposed = true;
      },
    };
  },
};
