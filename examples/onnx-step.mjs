// A bare ONNX Runtime client of an `ann2snn export --format onnx-step` file: zeros and a counter.
// Usage: node examples/onnx-step.mjs model.step.onnx [T]   (classifies one all-0.5 image)
// The README's JavaScript loop is `runSteps` below; test/export/onnx/example.test.ts runs it.
import * as ort from 'onnxruntime-node';

/** Runs T steps on images [N, C, H, W]; returns the accumulated readout [N, classes] (Float64Array). */
export async function runSteps(session, images, T) {
  const feeds = { input: images };
  const states = session.inputMetadata.slice(2); // membrane potentials…, then the readout accumulator
  for (const s of states) {
    const shape = s.shape.map((d) => (typeof d === 'number' ? d : images.dims[0]));
    const size = shape.reduce((a, b) => a * b, 1);
    feeds[s.name] = new ort.Tensor(s.type, s.type === 'float64' ? new Float64Array(size) : new Float32Array(size), shape);
  }
  for (let t = 0; t < T; t++) {
    feeds.t = new ort.Tensor('int64', BigInt64Array.of(BigInt(t)), []);
    const out = await session.run(feeds);
    for (const s of states) feeds[s.name] = out[`${s.name}_next`];
  }
  return feeds.readout.data;
}

if (process.argv[1]?.endsWith('onnx-step.mjs')) {
  const [path, T = '32'] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(path);
  const dims = session.inputMetadata[0].shape.map((d) => (typeof d === 'number' ? d : 1));
  const images = new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.5), dims);
  const readout = await runSteps(session, images, Number(T));
  console.log(JSON.stringify({ T: Number(T), readout: Array.from(readout) }));
}
