/** Flag parsers that reject bad values with a message naming the flag and the accepted forms. */
import { InvalidArgumentError } from 'commander';
import { createOrtBackend } from '../backend/ort/ort-backend.js';
import { referenceBackend } from '../backend/reference/reference-backend.js';
import type { Backend, SpikePrecision } from '../backend/backend.js';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, got '${value}'`);
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got '${value}'`);
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number ≥ 0, got '${value}'`);
  return n;
}

export function percentileValue(value: string): number {
  const n = Number(value);
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
