import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';

export class OutputExistsError extends Error {
  override readonly name = 'OutputExistsError';
}

/** The output cannot be written where it was asked for (no such directory, not writable, …). */
export class OutputPathError extends Error {
  override readonly name = 'OutputPathError';
}

/**
 * Writes to a temporary file beside `path`, then renames it into place, so a failure never leaves
 * a half-written output. Refuses to replace an existing file unless `overwrite`.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string, overwrite = false): Promise<void> {
  if (!overwrite && (await exists(path))) throw new OutputExistsError(`'${path}' already exists; pass --force to overwrite it`);
  const directory = dirname(path);
  const info = await stat(directory).catch(() => null);
  if (!info?.isDirectory()) throw new OutputPathError(`cannot write '${path}': the directory '${directory}' does not exist`);
  const temporary = join(directory, `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (e) {
    await unlink(temporary).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EISDIR' || code === 'EROFS')
      throw new OutputPathError(`cannot write '${path}': ${(e as Error).message}`);
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
