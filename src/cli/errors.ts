/**
 * Turning failures into one clear message for the user. Errors that describe bad input
 * (src/io/errors.ts) carry their own file:line text; anything else is a bug, and says so with the
 * stack trace only when KNSIM_DEBUG is set.
 */
import { fileErrorMessage, USER_ERRORS } from '../io/errors.js';

/** Exit code of a bug (sysexits EX_SOFTWARE), distinct from usage errors (2) and failed expectations (1). */
export const EXIT_INTERNAL_ERROR = 70;

export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `knsim: ${String(e)}`;
  const name = e.constructor?.name ?? e.name;
  if (USER_ERRORS.has(name) || USER_ERRORS.has(e.name)) return `knsim: ${e.message}`;
  const fileProblem = fileErrorMessage(e);
  if (fileProblem !== undefined) return `knsim: ${fileProblem}`;
  if (process.env.KNSIM_DEBUG) return `knsim: internal error: ${e.stack ?? e.message}`;
  return `knsim: internal error: ${e.message} (set KNSIM_DEBUG=1 for the stack trace)`;
}
