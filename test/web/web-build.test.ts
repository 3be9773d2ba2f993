/**
 * `npm run build:web` (scripts/build-web.mjs) and the browser host in a real browser:
 * - the build has every bundle, page file and asset, onnxruntime-web's WebAssembly, and the bundled
 *   MNIST in its binary file (equal to the Node host's classes); it replaces the old build whole;
 * - in Chromium (playwright-core; skipped visibly without /usr/bin/chromium), served by the
 *   `ann2snn serve` server, the event engine in Web Workers (bench.html) gives the accuracies Node
 *   gives at every t for the same .snn and images, cross-origin isolated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWeb } from '../../scripts/build-web.mjs';
import { convertToSnn, createOrtBackend, defaultConversionOptions, encodeSnn, loadAnn, openDataset, simulate } from '../../src/index.js';
import { nodePlatform } from '../../src/node/platform.js';
import { startStaticServer } from '../../src/node/static-server.js';
import { decodeMnistDigits } from '../../web/host/mnist-digits.js';

const CHROMIUM = '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'ann2snn-web-build-'));
const out = join(dir, 'web');
mkdirSync(out);
writeFileSync(join(out, 'stale.txt'), 'from an older build');
const built = await buildWeb(out);
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('build:web: bundles, pages, assets and ORT wasm; the old build is replaced whole, no temporary left', () => {
  assert.equal(built, out);
  for (const file of [
    'page.js',
    'page.js.map',
    'demo-worker.js',
    'event-worker.js',
    'bench.js',
    'index.html',
    'style.css',
    'bench.html',
    'assets/event-kernels.wasm',
    'assets/demo-mnist.onnx',
    'assets/demo-mnist.recipe.json',
    'assets/mnist-digits.bin',
    'ort/ort-wasm-simd-threaded.wasm',
    'ort/ort-wasm-simd-threaded.mjs',
  ]) {
    assert.ok(existsSync(join(out, file)), file);
  }
  assert.ok(!existsSync(join(out, 'stale.txt')));
  assert.deepEqual(readdirSync(dir), ['web']);
  assert.deepEqual(readFileSync(join(out, 'assets/event-kernels.wasm')), readFileSync('build/event-kernels.wasm'));
});

test('build:web: mnist-digits.bin holds the Node host bundled MNIST classes', () => {
  const classes = decodeMnistDigits(readFileSync(join(out, 'assets/mnist-digits.bin')), 'mnist-digits.bin');
  const expected = nodePlatform.bundledMnistDigits();
  assert.equal(classes.length, 10);
  classes.forEach((c, digit) => assert.ok(Buffer.from(c).equals(Buffer.from(expected[digit])), `class ${digit}`));
});

test('browser: the event engine in Web Workers gives the accuracies Node gives at every t', async (t) => {
  if (!existsSync(CHROMIUM)) return t.skip(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  const backend = createOrtBackend({ threads: 1 });
  const snn = convertToSnn(await loadAnn('models/demo-mnist.onnx'), null, { ...defaultConversionOptions, strategy: 'deng-gu' });
  writeFileSync(join(out, 'test.snn'), encodeSnn(snn));
  const options = { T: 8, threads: 2, limit: 40, engine: 'event' } as const;
  const node = await simulate(backend, snn.graph, openDataset('mnist', { split: 'test' }), options);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  const server = await startStaticServer(out, { port: 0, host: '127.0.0.1' });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}bench.html?snn=test.snn&T=${options.T}&threads=${options.threads}&limit=${options.limit}`);
    const web = (await page.evaluate('window.benchResult')) as { images: number; accuracyAt: number[]; crossOriginIsolated: boolean };
    assert.equal(web.images, options.limit);
    assert.deepEqual(web.accuracyAt, Array.from(node.accuracyAt));
    assert.equal(web.crossOriginIsolated, true);
  } finally {
    await server.close();
    await browser.close();
  }
});
