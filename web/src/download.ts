/** Saves bytes the worker made as a file: a Blob URL behind a temporary link. */
export function saveBytes(bytes: Uint8Array, fileName: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The click has queued the download; the URL may go once it has started.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
