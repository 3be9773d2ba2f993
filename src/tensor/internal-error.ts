/**
 * A broken invariant of ann2snn itself ("cannot happen"), never a user's mistake: the CLI prints its
 * stack and asks for a report (it is deliberately not in src/cli/user-errors.ts).
 */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}
