/**
 * Atomic output files (Node). Contract: when a write returns, the target holds the complete new
 * content, flushed to disk (fsync of the file, then of its directory); when it throws, or the process
 * is interrupted (SIGINT/SIGTERM under the CLI's handler, src/cli/interrupt.ts), the target is
 * exactly what it was before and no temporary file remains. An existing target is replaced only when
 * asked (`overwrite`, the CLI's --force); otherwise OutputExistsError, even if the file appears while
 * the output is being written.
 *
 * How: the content goes to `.<name>.<pid>-<n>.tmp` beside the target (same directory, so the same
 * file system and an atomic rename), is fsynced, and is renamed onto the target (or hard-linked when
 * overwriting is not allowed, which fails atomically if the target exists). Temporary files in flight
 * are registered (temp-files.ts) so an interrupt handler can remove them.
 *
 * SIGKILL (or a power cut) cannot be caught, so its temporary file stays behind; the pid in the name
 * lets the next write to the same target recognise it: before writing, every `.<name>.<pid>-<n>.tmp`
 * whose process no longer runs (or which is this process's pid but not one of its writes) is removed.
 */
import { unlinkSync } from 'node:fs';
import { link, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isTrackedTemporary, markRenaming, trackTemporary, untrackTemporary } from './temp-files.js';

export class OutputExistsError extends Error {
  override readonly name = 'OutputExistsError';
}

/** The output cannot be written where it was asked for (no such directory, not writable, …). */
export class OutputPathError extends Error {
  override readonly name = 'OutputPathError';
}

/** Bytes per write call: an interrupt is handled between two chunks, so within one chunk's time. */
const CHUNK = 1 << 20;

let sequence = 0;

/** Writes `data` to `path` atomically (see the module comment). */
export async function writeFileAtomic(path: string, data: Uint8Array | string, overwrite = false): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  await writeAtomic(
    path,
    async (temporary) => {
      const handle = await open(temporary, 'w');
      try {
        for (let at = 0; at < bytes.length; at += CHUNK) {
          const chunk = bytes.subarray(at, Math.min(bytes.length, at + CHUNK));
          let written = 0;
          while (written < chunk.length) written += (await handle.write(chunk, written)).bytesWritten;
        }
      } finally {
        await handle.close();
      }
    },
    overwrite,
  );
}

/**
 * The general form: `produce(temporary)` writes the whole content to the path it is given (by any
 * means: a stream, a library that writes files itself); this function does the rest (see the module
 * comment). `produce` must not keep writing after it resolves or rejects.
 */
export async function writeAtomic(path: string, produce: (temporary: string) => Promise<void>, overwrite = false): Promise<void> {
  if (!overwrite && (await exists(path))) throw existsError(path);
  const directory = dirname(path);
  const info = await stat(directory).catch(() => null);
  if (!info?.isDirectory()) throw new OutputPathError(`cannot write '${path}': the directory '${directory}' does not exist`);
  await removeStaleTemporaries(path);
  const temporary = join(directory, `.${basename(path)}.${process.pid}-${++sequence}.tmp`);
  trackTemporary(temporary, path);
  try {
    await produce(temporary);
    await syncPath(temporary, 'r+');
    markRenaming(temporary);
    if (overwrite || !(await linkedInto(temporary, path))) await rename(temporary, path);
    untrackTemporary(temporary, true);
  } catch (e) {
    untrackTemporary(temporary, false);
    await unlink(temporary).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EISDIR' || code === 'EROFS' || code === 'ENOSPC')
      throw new OutputPathError(`cannot write '${path}': ${(e as Error).message}`);
    throw e;
  }
  // The rename is durable once the directory entry is on disk; not every platform can fsync one.
  await syncPath(directory, 'r').catch(() => undefined);
}

/**
 * Hard-links the finished temporary file to `path`, which fails atomically (OutputExistsError) if
 * `path` exists, then removes the temporary name. False where the file system has no hard links:
 * the caller renames instead (after the existence check at the start).
 */
async function linkedInto(temporary: string, path: string): Promise<boolean> {
  try {
    await link(temporary, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw existsError(path);
    if (['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS'].includes((e as NodeJS.ErrnoException).code ?? '')) return false;
    throw e;
  }
  // Synchronously after the link resolves: an interrupt cannot fall between the two.
  untrackTemporary(temporary, true);
  unlinkSync(temporary);
  return true;
}

/** Removes temporary files of `path` left by processes that no longer run (SIGKILL, power cut). */
async function removeStaleTemporaries(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d+)-\d+\.tmp$/.exec(name.slice(prefix.length));
    if (!match) continue;
    const pid = Number(match[1]);
    const temporary = join(dirname(path), name);
    const stale = pid === process.pid ? !isTrackedTemporary(temporary) : !isRunning(pid);
    if (stale) await unlink(temporary).catch(() => undefined);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function syncPath(path: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function existsError(path: string): OutputExistsError {
  return new OutputExistsError(`'${path}' already exists; pass --force to overwrite it`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
