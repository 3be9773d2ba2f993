/**
 * Installs the browser host (platform-web.ts) for the core: fetches the kernels and (unless told not
 * to) the bundled MNIST from the build's assets/, in parallel and once per window or worker, then
 * installPlatform. Works in a window and in a module worker alike (fetch and the global's location are
 * all it uses).
 */
import { installPlatform } from '../../src/host/platform.js';
import { assetUrl, buildRoot, fetchBytes } from './assets.js';
import { decodeMnistDigits } from './mnist-digits.js';
import { createWebPlatform } from './platform-web.js';

export interface InstallWebOptions {
  /**
   * Fetch the bundled MNIST (7.8 MB; default true). The event engine's workers pass false: they never
   * read it, and each worker would fetch it again.
   */
  readonly mnist?: boolean;
}

let installing: Promise<void> | null = null;

export async function installWebPlatform(options: InstallWebOptions = {}): Promise<void> {
  installing ??= (async () => {
    const digitsUrl = assetUrl('mnist-digits.bin');
    const [eventKernels, digits] = await Promise.all([
      fetchBytes(assetUrl('event-kernels.wasm')),
      options.mnist === false ? null : fetchBytes(digitsUrl),
    ]);
    const mnistDigits = digits === null ? null : decodeMnistDigits(digits, digitsUrl.href);
    installPlatform(createWebPlatform({ root: buildRoot(), eventKernels, mnistDigits }));
  })();
  try {
    await installing;
  } catch (e) {
    installing = null; // a later call tries again
    throw e;
  }
}
