/** Reads a whole input file (Node); a missing path or a directory becomes `fail(message)` naming the path. */
import { readFile } from 'node:fs/promises';

export async function readInput(path: string, fail: (message: string) => Error): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw fail(`cannot read '${path}': ${why}`);
  }
}
