/**
 * Reading a user's text file with a bound on its size: a scenario, a manifest or a log named on
 * the command line may be anything, `/dev/zero` or a multi-gigabyte file included, and reading
 * it must neither hang nor exhaust memory.
 */
import { closeSync, fstatSync } from 'node:fs';
import { openInput, readInput } from '../io/files.js';

/** Scenario and manifest files: real ones are a few kilobytes. */
export const MAX_SCENARIO_FILE_BYTES = 16 * 1024 * 1024;

/** A file over the bound (or a device that never ends); `code` is like an errno code. */
export class FileTooLargeError extends Error {
  readonly code = 'EFBIG';
  constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {
    super(`it is larger than ${formatBytes(maxBytes)} (not a file knsim reads)`);
    this.name = 'FileTooLargeError';
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/**
 * The file's text (UTF-8), reading at most `maxBytes`: a larger file, or a device that keeps
 * giving bytes (`/dev/zero`), is refused with a FileTooLargeError. File-system errors are thrown
 * as they come (ENOENT, EISDIR, …), for the caller to word.
 */
export function readTextFile(path: string, maxBytes = MAX_SCENARIO_FILE_BYTES): string {
  const fd = openInput(path);
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) {
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), {
        code: 'EISDIR',
        syscall: 'read',
        path,
      });
    }
    if (st.isFile() && st.size > maxBytes) throw new FileTooLargeError(path, maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const n = readInput(fd, chunk, chunk.length, null, path);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new FileTooLargeError(path, maxBytes);
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
