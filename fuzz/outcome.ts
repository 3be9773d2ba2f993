/**
 * What one fuzz case came to, and how a settled case is classified: a result, a typed user error
 * naming the file (both pass), or a failure (an untyped error, a user error that does not name the
 * file, a hang, memory beyond the budget, a crashed worker).
 */
import { isUserError } from '../src/cli/user-errors.js';

export type FailureKind = 'untyped' | 'unnamed' | 'hang' | 'memory' | 'crash';

export type Outcome =
  | { readonly kind: 'passed' }
  | { readonly kind: 'user-error'; readonly errorClass: string; readonly message: string }
  | {
      readonly kind: 'failure';
      readonly failure: FailureKind;
      readonly errorClass: string;
      readonly message: string;
      readonly stack?: string;
    };

/** Classifies how `run` settled: `error` undefined when it resolved; `expected` is the text a user error must contain. */
export function classify(error: unknown, expected: string): Outcome {
  if (error === undefined) return { kind: 'passed' };
  const message = error instanceof Error ? error.message : String(error);
  const errorClass = error instanceof Error ? error.name : typeof error;
  const stack = error instanceof Error ? error.stack : undefined;
  if (!isUserError(error)) return { kind: 'failure', failure: 'untyped', errorClass, message, stack };
  if (!message.includes(expected)) return { kind: 'failure', failure: 'unnamed', errorClass, message, stack };
  return { kind: 'user-error', errorClass, message };
}

/** The one-word label of an outcome for the counts: passed, user-error, or the failure kind. */
export function outcomeLabel(outcome: Outcome): string {
  return outcome.kind === 'failure' ? `FAILURE:${outcome.failure}` : outcome.kind;
}
