/**
 * The temporary files this process is writing (write-atomic.ts registers each one) and the outputs it
 * has completed, so that an interrupt handler can remove every temporary file synchronously and say
 * what was kept. The handler runs on the JS thread between two awaits of a writer, so each entry is
 * in one of two states: still being written (removing it loses nothing) or being renamed into place
 * (then it either is already the complete target or is removed; the target is never partial).
 * Sync calls only: the handler exits right after.
 */
import { existsSync, statSync, unlinkSync } from 'node:fs';

interface InFlight {
  readonly target: string;
  renaming: boolean;
}

const inFlight = new Map<string, InFlight>();
const completed: string[] = [];

export function trackTemporary(temporary: string, target: string): void {
  inFlight.set(temporary, { target, renaming: false });
}

/** The temporary file is about to become `target` (rename or link under way). */
export function markRenaming(temporary: string): void {
  const entry = inFlight.get(temporary);
  if (entry) entry.renaming = true;
}

/** The temporary file is gone: renamed into place (`done`) or removed after a failure. */
export function untrackTemporary(temporary: string, done: boolean): void {
  const entry = inFlight.get(temporary);
  inFlight.delete(temporary);
  if (done && entry && !completed.includes(entry.target)) completed.push(entry.target);
}

export function isTrackedTemporary(temporary: string): boolean {
  return inFlight.has(temporary);
}

/**
 * Removes every temporary file in flight (synchronously: for a signal handler that exits next) and
 * returns the outputs this process completed, including one whose rename had already happened.
 */
export function abandonTemporaries(): readonly string[] {
  const kept = [...completed];
  for (const [temporary, entry] of inFlight) {
    const landed = entry.renaming && (sameFile(temporary, entry.target) || !existsSync(temporary));
    if (landed && !kept.includes(entry.target)) kept.push(entry.target);
    try {
      unlinkSync(temporary);
    } catch {
      // Already gone (renamed, or never created).
    }
  }
  inFlight.clear();
  return kept;
}

/** True when both names are links to one file (a hard link into place has happened). */
function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.ino === y.ino && x.dev === y.dev;
  } catch {
    return false;
  }
}
