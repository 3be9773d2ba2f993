#!/usr/bin/env node
/**
 * `npm run build:web [-- --out <dir>]` (default build/web): the static web build that `ann2snn serve`
 * serves and that works offline.
 *
 *   page.js, demo-worker.js   the page (web/src/) and its worker
 *   event-worker.js           the event engine's Web Worker (web/host/event-worker.ts)
 *   bench.js, bench.html      the browser half of `npm run bench -- web`
 *   index.html, style.css     copied from web/
 *   assets/                   event-kernels.wasm (build/, from npm run build:wasm), demo-mnist.onnx and
 *                             demo-mnist.recipe.json (models/), mnist-digits.bin (the bundled MNIST,
 *                             format in web/host/mnist-digits.ts)
 *   ort/                      onnxruntime-web's WebAssembly and its loader (ort.env.wasm.wasmPaths)
 *
 * esbuild bundles each entry for the browser (ES modules, minified, with source maps), nothing
 * stubbed: the bundles import only the host-free core (src/core.ts) and web/. The build is written to
 * a temporary folder beside <dir> and renamed into place, so <dir> is never half written.
 */
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { tsImport } from 'tsx/esm/api';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (path) => join(root, path);

const ENTRIES = {
  page: 'web/src/page.ts',
  'demo-worker': 'web/src/demo-worker.ts',
  'event-worker': 'web/host/event-worker.ts',
  bench: 'web/bench/bench.ts',
};
const COPIED = ['web/index.html', 'web/style.css', 'web/bench.html'];
const MODEL_ASSETS = ['models/demo-mnist.onnx', 'models/demo-mnist.recipe.json'];
/** onnxruntime-web's wasm backend: the threaded SIMD build and the loader that ort.wasm.min.mjs imports. */
const ORT_FILES = ['onnxruntime-web/ort-wasm-simd-threaded.wasm', 'onnxruntime-web/ort-wasm-simd-threaded.mjs'];

/** Builds the web bundle into `outDir` (replacing it whole); returns the absolute path. */
export async function buildWeb(outDir = at('build/web')) {
  const out = resolve(outDir);
  const kernels = at('build/event-kernels.wasm');
  if (!existsSync(kernels)) throw new Error(`${kernels} is missing: run npm run build:wasm first`);
  for (const file of [...Object.values(ENTRIES), ...COPIED, ...MODEL_ASSETS]) {
    if (!existsSync(at(file))) throw new Error(`${file} is missing: the web build needs it`);
  }
  await mkdir(dirname(out), { recursive: true });
  const temp = `${out}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  try {
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, at(file)])),
      outdir: temp,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      // Shared code and what the core imports on first use (h5wasm for NIR, vega for charts) go into
      // chunks/: the page's worker loads them when a download or chart needs them, not at start.
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      target: 'es2022',
      minify: true,
      sourcemap: true,
      // onnxruntime-web without its WebAssembly inlined: it loads ort/ (wasmPaths) at run time.
      conditions: ['onnxruntime-web-use-extern-wasm'],
      logLevel: 'warning',
    });
    for (const file of COPIED) await copyFile(at(file), join(temp, basename(file)));
    await mkdir(join(temp, 'assets'));
    await copyFile(kernels, join(temp, 'assets', 'event-kernels.wasm'));
    for (const file of MODEL_ASSETS) await copyFile(at(file), join(temp, 'assets', basename(file)));
    await writeFile(join(temp, 'assets', 'mnist-digits.bin'), await mnistDigitsFile());
    await mkdir(join(temp, 'ort'));
    const require = createRequire(import.meta.url);
    for (const spec of ORT_FILES) await copyFile(require.resolve(spec), join(temp, 'ort', basename(spec)));
    // Swap in the finished build: the old one moves aside first (rename cannot replace a folder).
    const old = `${out}.old-${process.pid}`;
    if (existsSync(out)) await rename(out, old);
    await rename(temp, out);
    await rm(old, { recursive: true, force: true });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return out;
}

/** The Node host's bundled MNIST classes in the build's format (web/host/mnist-digits.ts). */
async function mnistDigitsFile() {
  const { nodePlatform } = await tsImport('../src/node/platform.ts', import.meta.url);
  const { encodeMnistDigits } = await tsImport('../web/host/mnist-digits.ts', import.meta.url);
  return encodeMnistDigits(nodePlatform.bundledMnistDigits());
}

function parseOut(argv) {
  const i = argv.indexOf('--out');
  if (i === -1) return at('build/web');
  if (argv[i + 1] === undefined || argv[i + 1].startsWith('--')) throw new Error('--out needs a folder');
  return argv[i + 1];
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const started = performance.now();
    const out = await buildWeb(parseOut(process.argv.slice(2)));
    console.log(`web build: ${out} (${((performance.now() - started) / 1000).toFixed(1)} s); serve it with: npx ann2snn serve`);
  } catch (e) {
    console.error(`build:web: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
