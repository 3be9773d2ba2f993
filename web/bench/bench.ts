/**
 * The browser half of `npm run bench -- web` (bench/web.ts): simulates a converted model (a .snn the
 * bench wrote into the build) on the bundled MNIST test split with the event engine in Web Workers,
 * and exposes the run as `window.benchResult` (a promise the driver awaits).
 *
 *   bench.html?snn=<url of the .snn>&T=64&threads=2[&limit=<images>]
 */
import { bundledMnist, createOrtBackend, decodeSnn, simulate } from '../../src/core.js';
import { fetchBytes } from '../host/assets.js';
import { installWebPlatform } from '../host/install-web.js';

export interface BrowserBenchResult {
  readonly images: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
  /** accuracyAt[t−1], t = 1 … T. */
  readonly accuracyAt: readonly number[];
  readonly threads: number;
  readonly cores: number;
  readonly crossOriginIsolated: boolean;
}

declare global {
  interface Window {
    benchResult?: Promise<BrowserBenchResult>;
  }
}

function positiveParam(params: URLSearchParams, name: string, fallback?: number): number {
  const raw = params.get(name);
  const value = raw === null ? fallback : Number(raw);
  if (value === undefined || !Number.isSafeInteger(value) || value < 1)
    throw new Error(`bench.html: ?${name}= must be a positive integer, got ${raw}`);
  return value;
}

async function runBench(): Promise<BrowserBenchResult> {
  const params = new URLSearchParams(location.search);
  const snnUrl = params.get('snn');
  if (snnUrl === null) throw new Error('bench.html: ?snn=<url of a .snn file> is required');
  const T = positiveParam(params, 'T', 64);
  const threads = positiveParam(params, 'threads', 2);
  const limit = params.has('limit') ? positiveParam(params, 'limit') : undefined;
  await installWebPlatform();
  const { model } = decodeSnn(await fetchBytes(new URL(snnUrl, location.href)), snnUrl);
  const test = bundledMnist('test');
  const backend = createOrtBackend({ threads: 1 });
  const result = await simulate(backend, model.graph, test, { T, threads, limit, engine: 'event' });
  return {
    images: result.images,
    seconds: result.seconds,
    imagesPerSecond: result.images / result.seconds,
    accuracyAt: Array.from(result.accuracyAt),
    threads,
    cores: navigator.hardwareConcurrency,
    crossOriginIsolated: globalThis.crossOriginIsolated,
  };
}

const shown = document.getElementById('result');
window.benchResult = runBench();
window.benchResult.then(
  (r) => {
    if (shown) shown.textContent = JSON.stringify({ ...r, accuracyAt: `${r.accuracyAt.length} values` }, null, 2);
  },
  (e: unknown) => {
    if (shown) shown.textContent = `failed: ${e instanceof Error ? e.message : String(e)}`;
  },
);
