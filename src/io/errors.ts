/**
 * Errors that describe bad input (a scenario, a trace, a log, a flag, a file the user named), as
 * opposed to bugs. Every layer throws these; the command line prints them as one line, no stack.
 */

/** Names of the error classes that describe bad input (exported for worker threads, which pass names). */
export const USER_ERRORS: ReadonlySet<string> = new Set([
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
  'LogError',
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

/** Why a file could not be used, in words, for the errno codes a user's path can cause. */
const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EEXIST: 'it already exists',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
};

const FILE_ACTIONS: Record<string, string> = {
  open: 'cannot open',
  read: 'cannot read',
  write: 'cannot write',
  stat: 'cannot read',
  lstat: 'cannot read',
  scandir: 'cannot list',
  mkdir: 'cannot create the directory',
};

/**
 * One line for a file-system error on a user's path (`out/run.jsonl: cannot open: no such file or
 * directory`), or undefined when `e` is not one. `path` names the file when the error does not
 * (a failed read has no path).
 */
export function fileErrorMessage(e: unknown, path?: string): string | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const problem = err?.code !== undefined ? FILE_PROBLEMS[err.code] : undefined;
  if (problem === undefined) return undefined;
  const action = (err?.syscall !== undefined && FILE_ACTIONS[err.syscall]) || 'cannot use it';
  const file = path ?? err?.path;
  return file !== undefined ? `${file}: ${action}: ${problem}` : `${action}: ${problem}`;
}

/**
 * A file-system error on the file a flag names, as a UserError naming both:
 * `--log out/run.jsonl: cannot open: no such file or directory`.
 */
export function flagFileError(e: unknown, flag: string, file: string): UserError {
  return new UserError(`${flag} ${fileErrorMessage(e, file) ?? `${file}: ${(e as Error)?.message ?? String(e)}`}`);
}

/** Whether an error describes bad input (printed plainly, exit 2) rather than a bug. */
export function isUserError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  return USER_ERRORS.has(e.constructor?.name ?? e.name) || USER_ERRORS.has(e.name) || fileErrorMessage(e) !== undefined;
}
