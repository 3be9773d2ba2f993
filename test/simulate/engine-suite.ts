/**
 * One conformance suite for every simulation engine: each case of engine-cases.ts runs on the oracle
 * (simulateOracle: the method's equations, nothing else) and on the engine under test through the
 * public `simulate`, and the two must agree spike for spike — every unit's spike count in every layer,
 * the number of correct images at every t, the input events — up to the engine's stated tolerance.
 * A case the engine cannot run must be refused with its reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import { GraphError } from '../../src/ir/graph.js';
import { simulate, simulateOracle, type OracleResult, type SimulationEngine, type SimulationResult } from '../../src/simulate/index.js';
import { engineCases } from './engine-cases.js';

/**
 * How far an engine may be from the oracle. Float summation order is the only licence: a membrane
 * that lands within rounding of θ may fire one step earlier or later, so a unit's count may be off by
 * one spike (never more) in at most `unitsOff` of a layer's units (at least one unit when > 0), and
 * the correct images at any t by at most `images`.
 */
export interface Tolerance {
  readonly unitsOff: number;
  readonly images: number;
}

export const exact: Tolerance = { unitsOff: 0, images: 0 };

export interface EngineUnderTest {
  readonly name: string;
  readonly backend: Backend;
  readonly engine: SimulationEngine;
  readonly tolerance: Tolerance;
  /** Event engine: worker threads (1: in this thread). */
  readonly threads?: number;
}

export function runEngineSuite(under: EngineUnderTest): void {
  for (const c of engineCases) {
    const runs = c.engines.includes(under.engine);
    test(`${under.name} ${runs ? 'matches the oracle spike for spike' : 'refuses'}: ${c.name}`, async () => {
      const { snn, data } = await c.build();
      const options = { T: c.T, encoder: c.encoder, batchSize: c.batchSize };
      const run = simulate(under.backend, snn, data, {
        ...options,
        chunk: c.chunk,
        threads: under.threads,
        unitCounts: true,
        engine: under.engine,
      });
      if (!runs) {
        await assert.rejects(run, (e: Error) => e instanceof GraphError && c.refusal!.test(e.message));
        return;
      }
      const oracle = simulateOracle(snn, data, options);
      assert.ok(
        oracle.layers.every((l) => l.spikes > 0),
        'every layer spikes (else the case tests little)',
      );
      if (c.takesBack)
        assert.ok(
          oracle.layers.some((l) => l.spikes > l.unitCounts.reduce((s, n) => s + n, 0)),
          'some signed spike is taken back (else the case tests little)',
        );
      const result = await run;
      assert.equal(result.engine, under.engine);
      assertMatchesOracle(result, oracle, under.tolerance);
    });
  }
}

export function assertMatchesOracle(result: SimulationResult, oracle: OracleResult, tolerance: Tolerance): void {
  assert.equal(result.T, oracle.T);
  assert.equal(result.images, oracle.images);
  assert.equal(result.inputEvents, oracle.inputEvents, 'the same input spikes');
  assert.deepEqual(
    result.layers.map((l) => [l.node, l.units]),
    oracle.layers.map((l) => [l.node, l.units]),
  );
  result.layers.forEach((layer, l) => {
    const want = oracle.layers[l].unitCounts;
    const got = layer.unitCounts!;
    let off = 0;
    for (let u = 0; u < want.length; u++) {
      if (got[u] === want[u]) continue;
      off++;
      assert.ok(
        tolerance.unitsOff > 0 && Math.abs(got[u] - want[u]) <= 1,
        `${layer.node} unit ${u}: ${got[u]} spikes, the oracle ${want[u]}`,
      );
    }
    const allowed = tolerance.unitsOff === 0 ? 0 : Math.max(1, Math.floor(tolerance.unitsOff * want.length));
    assert.ok(off <= allowed, `${layer.node}: ${off} of ${want.length} units differ from the oracle (${allowed} allowed)`);
    // Spikes emitted, Σ|s|: with signed neurons more than the net counts say.
    if (tolerance.unitsOff === 0) assert.equal(layer.spikes, oracle.layers[l].spikes, `${layer.node}: spikes emitted`);
  });
  oracle.correctAt.forEach((want, t) =>
    assert.ok(
      Math.abs(result.correctAt[t] - want) <= tolerance.images,
      `correct at t = ${t + 1}: ${result.correctAt[t]}, the oracle ${want}`,
    ),
  );
}
