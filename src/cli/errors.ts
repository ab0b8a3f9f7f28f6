/**
 * Turning failures into one clear message for the user. Errors that describe bad input
 * (scenario, trace, config, flags) carry their own file:line text; anything else is a bug, and
 * says so with the stack trace only when KNSIM_DEBUG is set.
 */
const USER_ERRORS = new Set([
  'ScenarioError',
  'TraceError',
  'LoadSpecError',
  'ConfigError',
  'DurationError',
  'BackendError',
  'UserError',
  'ExpectationError',
  'KubectlParseError',
  'CurlParseError',
]);

/** An error meant for the user, printed without a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `knsim: ${String(e)}`;
  const name = e.constructor?.name ?? e.name;
  if (USER_ERRORS.has(name) || USER_ERRORS.has(e.name) || (e as NodeJS.ErrnoException).code === 'ENOENT') {
    return `knsim: ${e.message}`;
  }
  if (process.env.KNSIM_DEBUG) return `knsim: internal error: ${e.stack ?? e.message}`;
  return `knsim: internal error: ${e.message} (set KNSIM_DEBUG=1 for the stack trace)`;
}
