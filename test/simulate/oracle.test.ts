import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryDataset } from '../../src/data/in-memory-dataset.js';
import type { Graph, SpikeNode } from '../../src/ir/graph.js';
import { simulateOracle } from '../../src/simulate/index.js';
import { tensor } from '../../src/tensor/tensor.js';

/** x = [1, 1] (two white pixels) → Dense: I = [0.3, 0.6] → Spike → Dense identity: y = θ·s. */
function net(spike: Pick<SpikeNode, 'reset' | 'threshold' | 'initialPotential' | 'maxSpikesPerStep'>): Graph {
  return {
    input: { name: 'x', shape: [null, 2, 1, 1] },
    output: 'y',
    nodes: [
      { op: 'Flatten', name: 'flat', inputs: ['x'], output: 'flat', axis: 1 },
      { op: 'Dense', name: 'in', inputs: ['flat'], output: 'in', weight: tensor([2, 2], [0.3, 0, 0, 0.6]), bias: null },
      { op: 'Spike', name: 's', inputs: ['in'], output: 's', neuron: 'if', ...spike },
      { op: 'Dense', name: 'y', inputs: ['s'], output: 'y', weight: tensor([2, 2], [1, 0, 0, 1]), bias: null },
    ],
  };
}

const image = new InMemoryDataset({
  name: 'white',
  images: Uint8Array.of(255, 255),
  labels: Uint8Array.of(1),
  sampleShape: [2, 1, 1],
  numClasses: 2,
});

test('oracle: IF neurons with per-channel θ, v(0) and soft reset, traced by hand; readout ties go to the lowest class', () => {
  // unit 0 (θ = 1, v0 = 0.5): v = 0.8, 1.1 → fire → 0.1, 0.4, 0.7: one spike.
  // unit 1 (θ = 0.5, v0 = 0): v = 0.6 → fire → 0.1, 0.7 → 0.2, 0.8 → 0.3, 0.9 → 0.4: four spikes.
  // Σ y(t) = [0, 0.5], [1, 1] (tie: class 0), [1, 1.5], [1, 2]: class 1 is right at t = 1, 3, 4.
  const result = simulateOracle(
    net({ reset: 'soft', threshold: tensor([2], [1, 0.5]), initialPotential: tensor([2], [0.5, 0]), maxSpikesPerStep: 1 }),
    image,
    { T: 4 },
  );
  assert.deepEqual([...result.layers[0].unitCounts], [1, 4]);
  assert.deepEqual([...result.correctAt], [1, 0, 1, 1]);
  assert.deepEqual([...result.accuracyAt], [1, 0, 1, 1]);
  assert.deepEqual([result.images, result.inputEvents, result.layers[0].spikes, result.layers[0].units], [1, null, 5, 2]);
});

test('oracle: burst neurons (γ = 3) with one θ and hard reset', () => {
  // θ = 0.25: unit 0 holds 0.3 → 1 spike a step; unit 1 holds 0.6 → ⌊2.4⌋ = 2 spikes a step; both reset to 0.
  const result = simulateOracle(
    net({ reset: 'hard', threshold: tensor([1], [0.25]), initialPotential: tensor([1], [0]), maxSpikesPerStep: 3 }),
    image,
    { T: 4 },
  );
  assert.deepEqual([...result.layers[0].unitCounts], [4, 8]);
  assert.deepEqual([...result.correctAt], [1, 1, 1, 1]);
});
