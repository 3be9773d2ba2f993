/**
 * The build's bundled MNIST (assets/mnist-digits.bin): the Node host's `bundledMnistDigits()` — ten
 * classes of 28×28 u8 images in file order — in one small binary file, written by
 * scripts/build-web.mjs and read by the web host.
 *
 *   bytes 0 … 7     the ASCII magic 'A2SMNST1'
 *   bytes 8 … 47    ten u32 little-endian image counts n_0 … n_9
 *   then            class 0's n_0·784 bytes, class 1's n_1·784 bytes, …, class 9's (row-major pixels)
 *
 * The file is exactly 48 + 784·Σ n_c bytes long.
 */

export const MNIST_DIGITS_MAGIC = 'A2SMNST1';
const PIXELS = 28 * 28;
const HEADER_BYTES = 8 + 10 * 4;

/** Writes the ten classes (each a multiple of 784 bytes) in the format above. */
export function encodeMnistDigits(classes: readonly Uint8Array[]): Uint8Array {
  if (classes.length !== 10) throw new Error(`mnist-digits: expected 10 classes, got ${classes.length}`);
  const bytes = new Uint8Array(HEADER_BYTES + classes.reduce((n, c) => n + c.length, 0));
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MNIST_DIGITS_MAGIC), 0);
  let at = HEADER_BYTES;
  classes.forEach((c, digit) => {
    if (c.length % PIXELS !== 0) throw new Error(`mnist-digits: class ${digit} has ${c.length} bytes, not a multiple of ${PIXELS}`);
    view.setUint32(8 + 4 * digit, c.length / PIXELS, true);
    bytes.set(c, at);
    at += c.length;
  });
  return bytes;
}

/** Reads the format above; `source` names the file in errors. The classes are views of `bytes`. */
export function decodeMnistDigits(bytes: Uint8Array, source: string): readonly Uint8Array[] {
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (bytes.length < HEADER_BYTES || magic !== MNIST_DIGITS_MAGIC) {
    throw new Error(`${source}: not a bundled-MNIST file (expected the magic '${MNIST_DIGITS_MAGIC}' and a ${HEADER_BYTES}-byte header)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const counts = Array.from({ length: 10 }, (_, digit) => view.getUint32(8 + 4 * digit, true));
  const expected = HEADER_BYTES + PIXELS * counts.reduce((a, b) => a + b, 0);
  if (bytes.length !== expected) {
    throw new Error(`${source}: header announces ${counts.join('+')} images (${expected} bytes), file has ${bytes.length} bytes`);
  }
  let at = HEADER_BYTES;
  return counts.map((n) => {
    const c = bytes.subarray(at, at + n * PIXELS);
    at += n * PIXELS;
    return c;
  });
}
