/**
 * Where the build's files are, from any of its bundles: the pages (index.html, bench.html) and the
 * entry bundles (page.js, demo-worker.js, event-worker.js, bench.js) sit at the build root, so the
 * folder of the window's or the worker's own location is the root. (Not this module's URL: the build
 * splits shared code into chunks/.)
 *
 *   <root>/assets/   event-kernels.wasm, mnist-digits.bin, demo-mnist.onnx, demo-mnist.recipe.json
 *   <root>/ort/      onnxruntime-web's WebAssembly and its loader
 */

/** The build root (ends with '/'). */
export function buildRoot(): URL {
  return new URL('./', self.location.href);
}

/** The URL of a file in the build's assets/ folder. */
export function assetUrl(name: string): URL {
  return new URL(`assets/${name}`, buildRoot());
}

/** The bytes at `url`; a failed request or a non-2xx answer is an Error naming the URL. */
export async function fetchBytes(url: URL | string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`cannot fetch ${String(url)}: ${(e as Error).message}`);
  }
  if (!response.ok) throw new Error(`cannot fetch ${String(url)}: HTTP ${response.status} ${response.statusText}`.trimEnd());
  return new Uint8Array(await response.arrayBuffer());
}
