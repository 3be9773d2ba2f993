/**
 * What the user starts a run with: the ONNX file (`input#onnx-file` or dropped on `#drop-zone`),
 * optionally an IDX images and labels pair (`input#idx-images`, `input#idx-labels`, .gz or plain),
 * and the image (`input#image-index`) whose spikes are drawn.
 */
import type { NamedBytes, PageMessage } from '../protocol.js';
import { byId } from './dom.js';

export const T = 64;

async function named(file: File): Promise<NamedBytes> {
  return { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
}

function chosen(id: string): File | null {
  return byId<HTMLInputElement>(id).files?.[0] ?? null;
}

export function rasterImage(): number {
  const value = Number(byId<HTMLInputElement>('image-index').value);
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

/** A run of the bundled demo model on the bundled MNIST. */
export function demoRequest(): PageMessage {
  return { type: 'run', model: null, data: null, T, rasterImage: rasterImage() };
}

/** A run of `model` (else the file chosen in #onnx-file) with the IDX pair when both files are chosen. */
export async function userRequest(model?: File): Promise<PageMessage | null> {
  const file = model ?? chosen('onnx-file');
  if (file === null) return null;
  const images = chosen('idx-images');
  const labels = chosen('idx-labels');
  const data = images && labels ? { images: await named(images), labels: await named(labels) } : null;
  return { type: 'run', model: await named(file), data, T, rasterImage: rasterImage() };
}

/** Calls `onFile` with a file dropped on the drop zone (which highlights while one is dragged over it). */
export function watchDropZone(onFile: (file: File) => void): void {
  const zone = byId('drop-zone');
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file) onFile(file);
  });
}
