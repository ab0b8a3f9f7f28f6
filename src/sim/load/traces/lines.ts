import { closeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { openInput, readInput } from '../../../io/files.js';

/**
 * The longest line a trace may have: an Azure 2019 invocations row (1,444 columns) is about
 * 10 KB. A longer one (a 10 MB line, /dev/zero) is refused rather than read into memory.
 */
export const MAX_TRACE_LINE_CHARS = 1024 * 1024;

/**
 * Synchronous, lazy line readers (sources are pulled synchronously by the simulator, so the file
 * is read in 64 KiB chunks with `readSync`; memory stays flat whatever the file size).
 * Line numbers are 1-based; `\r\n` and `\n` both end lines.
 */
export interface LineReader {
  /** Name used in error messages (the path as the scenario wrote it). */
  readonly file: string;
  /** 1-based number of the line last returned. */
  readonly lineNo: number;
  /** The next line without its terminator, or `undefined` at end of input. */
  nextLine(): string | undefined;
  close(): void;
}

export class StringLineReader implements LineReader {
  lineNo = 0;
  private pos = 0;
  constructor(
    private readonly text: string,
    readonly file = '<string>',
  ) {}
  nextLine(): string | undefined {
    const text = this.text;
    if (this.pos >= text.length) return undefined;
    let end = text.indexOf('\n', this.pos);
    if (end < 0) end = text.length;
    let line = text.slice(this.pos, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    this.pos = end + 1;
    this.lineNo++;
    return line;
  }
  close(): void {}
}

export class FileLineReader implements LineReader {
  lineNo = 0;
  private fd: number | undefined;
  private readonly buf: Buffer;
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private pos = 0;
  private eof = false;

  constructor(
    path: string,
    readonly file = path,
    chunkBytes = 64 * 1024,
  ) {
    this.fd = openInput(path);
    this.buf = Buffer.allocUnsafe(chunkBytes);
  }

  nextLine(): string | undefined {
    for (;;) {
      const nl = this.pending.indexOf('\n', this.pos);
      if (nl >= 0) {
        let line = this.pending.slice(this.pos, nl);
        this.pos = nl + 1;
        if (line.endsWith('\r')) line = line.slice(0, -1);
        this.lineNo++;
        return line;
      }
      if (this.pending.length - this.pos > MAX_TRACE_LINE_CHARS) {
        this.close();
        throw new TraceError(this.file, this.lineNo + 1, 'refused: a line longer than 1 MiB (is this a trace file?)');
      }
      if (this.eof) {
        if (this.pos >= this.pending.length) return undefined;
        let line = this.pending.slice(this.pos);
        this.pos = this.pending.length;
        if (line.endsWith('\r')) line = line.slice(0, -1);
        this.lineNo++;
        return line;
      }
      this.fill();
    }
  }

  private fill(): void {
    if (this.fd === undefined) {
      this.eof = true;
      return;
    }
    let n: number;
    try {
      n = readInput(this.fd, this.buf, this.buf.length, null, this.file);
    } catch (e) {
      this.close();
      const code = (e as NodeJS.ErrnoException).code ?? '';
      throw new TraceError(this.file, 0, `cannot read: ${OPEN_PROBLEMS[code] ?? (e as Error).message}`);
    }
    const rest = this.pending.slice(this.pos);
    this.pos = 0;
    if (n === 0) {
      this.pending = rest + this.decoder.end();
      this.eof = true;
      this.close();
    } else {
      this.pending = rest + this.decoder.write(this.buf.subarray(0, n));
    }
  }

  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

/** Error in a trace file, naming the file and line: `traces/x.csv:7: expected 1444 columns, got 12`. */
export class TraceError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
    this.name = 'TraceError';
  }
}

/** Where trace text comes from: a path (read lazily), or in-memory text with a display name. */
export type TraceInput = { path: string; file?: string } | { text: string; file: string };

export function openLines(input: TraceInput): LineReader {
  if ('text' in input) return new StringLineReader(input.text, input.file);
  try {
    return new FileLineReader(input.path, input.file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const why = OPEN_PROBLEMS[code] ?? (e as Error).message;
    // The scenario names the file relative to its own directory: say where it was looked for.
    const where = input.file !== undefined && input.file !== input.path ? ` ${input.path}` : '';
    throw new TraceError(input.file ?? input.path, 0, `cannot open${where}: ${why}`);
  }
}

const OPEN_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
};

/**
 * Parses a CSV number field: decimal or exponent notation; NaN for empty or non-numeric text
 * (`Number('')` would be 0; `0x10`, `Infinity` and the like are rejected too).
 */
export function parseNumberField(s: string): number {
  const v = Number(s);
  if (Number.isNaN(v) || s.length === 0) return Number.NaN;
  if (!Number.isFinite(v) || s.trim() === '' || /[xXobOB]|Infinity/.test(s)) return Number.NaN;
  return v;
}
