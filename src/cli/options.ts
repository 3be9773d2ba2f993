/**
 * Flag parsers that reject bad values with a message naming the flag and the accepted forms
 * (commander prefixes "option '--T <n>' argument '…' is invalid."). Every count is a safe integer
 * and every size that the run allocates or loops by has a ceiling, so that a valid but huge value
 * (--T 1e9, --threads 1e6) is refused before any work instead of allocating or running by it;
 * counts of images need none (they are clipped to the data set).
 */
import { InvalidArgumentError } from 'commander';
import { createOrtBackend } from '../backend/ort/ort-backend.js';
import { referenceBackend } from '../backend/reference/reference-backend.js';
import type { Backend, SpikePrecision } from '../backend/backend.js';

/** Time steps (--T, --target-T, --t-shift, --error-T): memory and time grow with T. */
export const MAX_TIME_STEPS = 65_536;
/** Threads and workers (--threads). */
export const MAX_THREADS = 256;
/** Images per batch (--batch): buffers grow with the batch. */
export const MAX_BATCH = 65_536;
/** Dense engine time steps per chunk (--chunk): memory grows with it. */
export const MAX_CHUNK = 1024;
/** Training epochs (--epochs). */
export const MAX_EPOCHS = 100_000;
/** Seeds are 32-bit (mulberry32). */
export const MAX_SEED = 2 ** 32 - 1;
/** Burst γ (--burst) and QCFS levels (--levels). */
export const MAX_LEVELS = 65_536;

function integer(value: string): number {
  // Number('') is 0 and Number(' ') too: an empty value is not a number.
  return value.trim() === '' ? Number.NaN : Number(value);
}

/** A parser for integers in [min, max]; `what` says what the ceiling protects. */
export function intIn(min: number, max: number, what = ''): (value: string) => number {
  const kind = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer ≥ ${min}`;
  return (value) => {
    const n = integer(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected ${kind} ≤ ${max}${what === '' ? '' : ` (${what})`}, got '${value}'`);
    }
    return n;
  };
}

export function positiveInt(value: string): number {
  const n = integer(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = integer(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, got '${value}'`);
  return n;
}

export const timeSteps = intIn(1, MAX_TIME_STEPS, 'time steps');
export const threadCount = intIn(1, MAX_THREADS, 'threads');
export const batchSize = intIn(1, MAX_BATCH, 'images per batch');
export const chunkSteps = intIn(1, MAX_CHUNK, 'steps per chunk');
export const epochCount = intIn(1, MAX_EPOCHS, 'epochs');
export const seedValue = intIn(0, MAX_SEED, 'a 32-bit seed');
export const levelCount = intIn(1, MAX_LEVELS);

export function positiveNumber(value: string): number {
  const n = integer(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got '${value}'`);
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number ≥ 0, got '${value}'`);
  return n;
}

export function percentileValue(value: string): number {
  const n = integer(value);
  if (!Number.isFinite(n) || n <= 0 || n > 100) throw new InvalidArgumentError(`expected a percentile in (0, 100], got '${value}'`);
  return n;
}

export function oneOf<T extends string>(...allowed: T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}, got '${value}'`);
    return value as T;
  };
}

export function commaList(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list');
  return items;
}

export interface BackendFlags {
  readonly backend: 'ort' | 'reference';
  readonly threads: number;
  /** Spike-fed layers on integer kernels (ort only; passed to the simulation, not the backend); the rest stays f32. */
  readonly precision?: SpikePrecision;
}

export function makeBackend(flags: BackendFlags): Backend {
  if (flags.backend === 'reference') {
    if (flags.precision && flags.precision !== 'f32') throw new InvalidArgumentError(`--precision ${flags.precision} needs --backend ort`);
    return referenceBackend;
  }
  return createOrtBackend({ threads: flags.threads, offThread: 'auto' });
}
