/**
 * Turning failures into one clear message for the user. Errors that describe bad input
 * (scenario, trace, config, flags) carry their own file:line text; anything else is a bug, and
 * says so with the stack trace only when KNSIM_DEBUG is set.
 */
import { openSync, readFileSync } from 'node:fs';

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

/** `readFileSync(file, 'utf8')`, with a UserError naming the file when it cannot be read. */
export function readUserFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(fileErrorMessage(e, file) ?? `${file}: cannot read: ${(e as Error).message}`);
  }
}

/**
 * A file-system error on the file a flag names, as a UserError naming both:
 * `--log out/run.jsonl: cannot open: no such file or directory`.
 */
export function flagFileError(e: unknown, flag: string, file: string): UserError {
  return new UserError(`${flag} ${fileErrorMessage(e, file) ?? `${file}: ${(e as Error)?.message ?? String(e)}`}`);
}

/** `openSync(file, 'w', mode)` for the output file of a flag, with a UserError naming the flag and the file. */
export function openOutputFile(file: string, flag: string, mode?: number): number {
  try {
    return openSync(file, 'w', mode);
  } catch (e) {
    throw flagFileError(e, flag, file);
  }
}

/** Whether an error describes bad input (printed plainly, exit 2) rather than a bug. */
export function isUserError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  return USER_ERRORS.has(e.constructor?.name ?? e.name) || USER_ERRORS.has(e.name) || fileErrorMessage(e) !== undefined;
}

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
