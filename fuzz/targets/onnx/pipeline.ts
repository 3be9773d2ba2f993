/**
 * What a user does with an ONNX file, through the library: import it (readOnnxFile), inspect it
 * (simplifyGraph, nodeCosts), run the ANN on one input on the reference backend, calibrate on two
 * images, convert (deng-gu, the default options), encode and decode the SNN as a .snn file (it must
 * come back unchanged) and simulate 4 steps of it (event engine where it lowers, in this thread).
 *
 * Once a model imported, its graph is valid: a later refusal is acceptable only as a conversion,
 * neuron, graph or data error (a graph the converter or the event engine does not take); it is
 * given the file's name as the CLI prints it (the library's later stages take a Graph, not a file).
 * A kernel's ShapeError or BackendError on a graph that imported means import let through a graph
 * the kernels cannot run: that is rethrown as an internal error, a failure.
 */
import { calibrate } from '../../../src/ann/calibrate.js';
import { loadAnn } from '../../../src/node/ann-file.js';
import { totalMacs } from '../../../src/analysis/macs.js';
import { referenceBackend } from '../../../src/backend/reference/reference-backend.js';
import { convertToSnn } from '../../../src/convert/convert.js';
import { defaultConversionOptions } from '../../../src/convert/strategy.js';
import { InMemoryDataset } from '../../../src/data/in-memory-dataset.js';
import type { Graph } from '../../../src/ir/graph.js';
import { sampleShapes } from '../../../src/ir/shapes.js';
import { decodeSnn, encodeSnn } from '../../../src/model/snn-codec.js';
import { simulate } from '../../../src/simulate/simulator.js';
import { InternalError } from '../../../src/tensor/internal-error.js';
import { mulberry32 } from '../../../src/tensor/random.js';
import { sizeOf, tensor } from '../../../src/tensor/tensor.js';
import { firstDifference } from './first-difference.js';

/**
 * Past this many MACs per image, or values this large, a model is only imported and inspected:
 * running it would take seconds and hundreds of megabytes, not a fuzz case's milliseconds.
 */
const MAX_MACS = 20_000_000;
const MAX_RUN_ELEMENTS = 2 ** 22;

/** Classes a user error may have after a successful import. */
const laterRefusals = new Set(['ConversionError', 'NeuronError', 'GraphError', 'DataError']);

export async function runModelFile(path: string): Promise<void> {
  const ann = await loadAnn(path);
  try {
    await afterImport(ann, path);
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    if (!laterRefusals.has(err.name)) {
      throw new Error(`internal: '${path}' imported, then ${err.name}: ${err.message}`, { cause: err });
    }
    const named = new Error(`${path}: ${err.message}`, { cause: err });
    named.name = err.name;
    throw named;
  }
}

async function afterImport(ann: Graph, path: string): Promise<void> {
  const largest = Math.max(...[...sampleShapes(ann).values()].map(sizeOf));
  if (totalMacs(ann) > MAX_MACS || largest > MAX_RUN_ELEMENTS) return;
  const sample = ann.input.shape.slice(1) as number[];
  const random = mulberry32(7);
  const compiled = await referenceBackend.compile(ann);
  try {
    await compiled.run(
      tensor(
        [1, ...sample],
        Float32Array.from({ length: sizeOf(sample) }, () => random()),
      ),
    );
  } finally {
    await compiled.dispose();
  }
  const imageShape = sample.length === 3 ? sample : sample.length === 1 ? [1, 1, sample[0]] : null;
  if (imageShape === null) return;
  const data = new InMemoryDataset({
    name: 'fuzz',
    images: Uint8Array.from({ length: 2 * sizeOf(imageShape) }, () => Math.floor(random() * 256)),
    labels: Uint8Array.of(0, 1),
    sampleShape: imageShape as [number, number, number],
    numClasses: 10,
  });
  const stats = await calibrate(referenceBackend, ann, data, { limit: 2 });
  const converted = convertToSnn(ann, stats, defaultConversionOptions);
  // What `convert` writes and `simulate` reads: the model must come back from its .snn bytes unchanged.
  const snn = decodeSnn(encodeSnn(converted), path).model;
  const changed = firstDifference(converted, snn);
  if (changed !== null) throw new InternalError(`the .snn round trip changed the model: ${changed}`);
  await simulate(referenceBackend, snn.graph, data, { T: 4, batchSize: 2, threads: 1, inFlight: 1 });
}
