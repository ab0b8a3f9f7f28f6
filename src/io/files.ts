/**
 * Reading the files a user names, with bounds: a path to /dev/zero, a FIFO or a multi-gigabyte
 * file must end in a one-line refusal that says what was refused, not in a hang or an
 * out-of-memory crash. Errors name the file (and the line) and are UserErrors (exit 2).
 */
import { closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { fileErrorMessage, flagFileError, UserError } from './errors.js';

/** How long a read waits for a FIFO's writer to send something before the file is refused. */
export const FIFO_WAIT_MS = 10_000;

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Opens a file the user named for reading. A FIFO is opened without blocking: opening one that
 * no process writes to would wait for ever (a path to a named pipe given by mistake); a FIFO with
 * a writer (a shell's `<(…)`) reads as usual. Errors are thrown as they come (ENOENT, …).
 */
export function openInput(file: string): number {
  let fifo = false;
  try {
    fifo = statSync(file).isFIFO();
  } catch {
    // openSync says why.
  }
  return openSync(file, fifo ? constants.O_RDONLY | constants.O_NONBLOCK : 'r');
}

/**
 * `readSync` that waits (up to {@link FIFO_WAIT_MS}) while a FIFO has a writer but no data yet,
 * then refuses the file; a FIFO without a writer reads as empty.
 */
export function readInput(fd: number, buf: Buffer, length: number, position: number | null, file: string): number {
  let waited = 0;
  for (;;) {
    try {
      return readSync(fd, buf, 0, length, position);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      if (waited >= FIFO_WAIT_MS) {
        throw new UserError(
          `${file}: refused: nothing to read for ${FIFO_WAIT_MS / 1000} s (a FIFO whose writer sends nothing)`,
        );
      }
      Atomics.wait(pause, 0, 0, 10);
      waited += 10;
    }
  }
}

const MiB = 1024 * 1024;

/** The most a text file given to knsim (scenario, manifest) may hold: no real one comes close. */
export const MAX_TEXT_FILE_BYTES = 64 * MiB;

/** `64 MiB`, `4 MiB`, `512 KiB`: a limit in the words of the refusal. */
export function formatBytes(n: number): string {
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

function openForReading(file: string): number {
  try {
    return openInput(file);
  } catch (e) {
    throw new UserError(fileErrorMessage(e, file) ?? `${file}: cannot open: ${(e as Error).message}`);
  }
}

function readChunk(fd: number, buf: Buffer, file: string): number {
  try {
    return readInput(fd, buf, buf.length, null, file);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(fileErrorMessage(e, file) ?? `${file}: cannot read: ${(e as Error).message}`);
  }
}

/**
 * The file's text, read in chunks up to `maxBytes` (a device or a FIFO has no size to check
 * first); a longer file is refused naming the limit. A UserError names the file when it cannot
 * be read.
 */
export function readUserFile(file: string, maxBytes = MAX_TEXT_FILE_BYTES): string {
  const fd = openForReading(file);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const n = readChunk(fd, buf, file);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) {
        throw new UserError(`${file}: refused: longer than ${formatBytes(maxBytes)} (read stopped there)`);
      }
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** `openSync(file, 'w', mode)` for the output file of a flag, with a UserError naming the flag and the file. */
export function openOutputFile(file: string, flag: string, mode?: number): number {
  try {
    return openSync(file, 'w', mode);
  } catch (e) {
    throw flagFileError(e, flag, file);
  }
}

export interface LineBounds {
  /** The longest line accepted, in bytes (its newline not counted). */
  maxLineBytes: number;
  /** The most bytes read from the file in all. */
  maxBytes: number;
  /** Say, with the refusal, what a line of this file normally is ("an event log's lines are a few KB"). */
  lineHint?: string;
}

/** One line of a file: its text (without `\n` or `\r\n`), its 1-based number, and whether a newline ended it. */
export interface FileLine {
  readonly text: string;
  readonly number: number;
  readonly complete: boolean;
  /** The byte offset just after this line (and its newline): where the next read starts. */
  readonly endByte: number;
}

/**
 * The lines of a file, read lazily in 64 KiB chunks within `bounds`: a line longer than
 * `maxLineBytes` (a 10 MB line, /dev/zero) or a file longer than `maxBytes` is refused with a
 * UserError naming the file, the line and the limit. `startByte` skips what was read before (`startLine` lines: numbering goes on from there).
 */
export function* fileLines(file: string, bounds: LineBounds, startByte = 0, startLine = 0): Generator<FileLine> {
  const fd = openForReading(file);
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    let partial: Buffer[] = [];
    let partialBytes = 0;
    let number = startLine;
    let total = 0;
    let position: number | null = startByte > 0 ? startByte : null;
    let consumed = startByte;
    const refuseLine = (): never => {
      throw new UserError(
        `${file}:${number + 1}: refused: a line longer than ${formatBytes(bounds.maxLineBytes)}${bounds.lineHint ? ` (${bounds.lineHint})` : ''}`,
      );
    };
    const line = (bytes: Buffer, complete: boolean): FileLine => {
      number++;
      consumed += bytes.length + (complete ? 1 : 0);
      let end = bytes.length;
      if (complete && end > 0 && bytes[end - 1] === 0x0d) end--;
      return { text: bytes.toString('utf8', 0, end), number, complete, endByte: consumed };
    };
    for (;;) {
      let n: number;
      try {
        n = readInput(fd, buf, buf.length, position, file);
      } catch (e) {
        if (e instanceof UserError) throw e;
        throw new UserError(fileErrorMessage(e, file) ?? `${file}: cannot read: ${(e as Error).message}`);
      }
      if (position !== null) position += n;
      if (n === 0) break;
      total += n;
      if (total > bounds.maxBytes) {
        throw new UserError(
          `${file}: refused: longer than ${formatBytes(bounds.maxBytes)} (read stopped at line ${number + 1})`,
        );
      }
      let from = 0;
      for (;;) {
        const nl = buf.indexOf(0x0a, from);
        if (nl < 0 || nl >= n) break;
        const piece = buf.subarray(from, nl);
        if (partialBytes + piece.length > bounds.maxLineBytes) refuseLine();
        const bytes = partialBytes > 0 ? Buffer.concat([...partial, piece]) : piece;
        partial = [];
        partialBytes = 0;
        yield line(bytes, true);
        from = nl + 1;
      }
      if (from < n) {
        const rest = buf.subarray(from, n);
        partialBytes += rest.length;
        if (partialBytes > bounds.maxLineBytes) refuseLine();
        partial.push(Buffer.from(rest));
      }
    }
    if (partialBytes > 0) yield line(Buffer.concat(partial), false);
  } finally {
    closeSync(fd);
  }
}
