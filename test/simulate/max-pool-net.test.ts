/**
 * End to end: Conv → ReLU → MaxPool(2) → Conv → ReLU → MaxPool(2) → Dense, calibrated and converted
 * (the MaxPools become exact spiking max pools), approaches its ANN with T on both engines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate } from '../../src/ann/calibrate.js';
import { createOrtBackend } from '../../src/backend/ort/ort-backend.js';
import { convertToSnn, defaultConversionOptions } from '../../src/convert/index.js';
import { spikeSource } from '../../src/ir/spike-source.js';
import { simulate } from '../../src/simulate/index.js';
import { labelledByAnn } from '../helpers/labelled.js';
import { maxPoolCnn } from '../helpers/nets.js';

const ort = createOrtBackend({ threads: 1 });

test('a ReLU CNN with two MaxPool(2) converts; its SNN agrees with the ANN on most inputs at T = 64; its pooled rates approach the ANN max pool', async () => {
  const ann = maxPoolCnn(31, 2, 'relu');
  const images = 100;
  const data = await labelledByAnn(ort, ann, images, [1, 12, 12]); // the ANN's own labels: ANN accuracy 100 %
  const model = convertToSnn(ann, await calibrate(ort, ann, data), { ...defaultConversionOptions, strategy: 'deng-gu' });
  assert.deepEqual(
    model.graph.nodes.filter((n) => n.op === 'SpikeMaxPool').map((n) => n.name),
    ['pool1', 'pool2'],
  );
  const event = await simulate(ort, model.graph, data, { T: 64, unitCounts: true, threads: 1 });
  const dense = await simulate(ort, model.graph, data, { T: 64, unitCounts: true, engine: 'dense' });
  assert.equal(event.engine, 'event', event.engineNote ?? '');
  assert.deepEqual([...event.correctAt], [...dense.correctAt], 'both engines agree');
  const at = (t: number) => event.accuracyAt[t - 1];
  console.log(`# SNN agreement with the ANN at T = 4, 16, 64: ${[4, 16, 64].map((t) => at(t).toFixed(2)).join(', ')}`);
  assert.ok(at(64) >= 0.9, `agreement at T = 64: ${at(64)}`);
  assert.ok(at(64) >= at(4), `agreement at T = 64 (${at(64)}) below T = 4 (${at(4)})`);

  // The rate of each pooled unit is θ·(max of its window's counts)/T: compare with the ANN's MaxPool output.
  const annPools = await ort.compile(ann, { outputs: ['pool1', 'pool2'] });
  const errorAt = async (T: number) => {
    const result = T === 64 ? dense : await simulate(ort, model.graph, data, { T, unitCounts: true, engine: 'dense' });
    const errors: number[] = [];
    for (const name of ['pool1', 'pool2']) {
      const layer = result.layers.find((l) => l.node === name)!;
      const theta = spikeSource(model.graph, name)!.threshold.data[0];
      const want = new Float64Array(layer.units);
      for (const batch of data.batches({ batchSize: images })) {
        const out = (await annPools.run(batch.x)).get(name)!.data;
        for (let i = 0; i < out.length; i++) want[i % layer.units] += out[i] / images;
      }
      let error = 0;
      for (let u = 0; u < layer.units; u++) error += Math.abs((theta * layer.unitCounts![u]) / (images * T) - want[u]);
      errors.push(error / layer.units);
    }
    return errors;
  };
  const [early, late] = [await errorAt(4), await errorAt(64)];
  await annPools.dispose();
  console.log(
    `# mean |θ·rate − ANN max pool| of pool1, pool2 at T = 4: ${early.map((e) => e.toFixed(4))}; T = 64: ${late.map((e) => e.toFixed(4))}`,
  );
  early.forEach((e, l) => assert.ok(late[l] < e, `pool ${l + 1}: error at T = 64 (${late[l]}) not below T = 4 (${e})`));
});
