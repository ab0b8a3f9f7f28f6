/**
 * Reading an event log line by line for `knsim verify`: one JSON.parse per line, streamed (a
 * day's log can be gigabytes), every problem naming the file and the line. Kept to this one
 * function so the project's typed log reader can replace it.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export class VerifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyError';
  }
}

/** One parsed line of a log. */
export interface LogRow {
  /** 1-based line number. */
  readonly line: number;
  readonly value: Record<string, unknown>;
}

/** Parses one line (blank lines give undefined); throws {@link VerifyError} naming `file:line`. */
export function parseLogRow(text: string, line: number, file: string): LogRow | undefined {
  const row = text.trim();
  if (row === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(row);
  } catch (e) {
    throw new VerifyError(`${file}:${line}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VerifyError(`${file}:${line}: expected a JSON object (an event), got ${JSON.stringify(value)}`);
  }
  if (!('type' in value) || typeof value.type !== 'string') {
    throw new VerifyError(`${file}:${line}: the event has no "type" field`);
  }
  return { line, value: { ...value } };
}

/** The rows of a log file, in order. */
export async function* readLogFile(file: string): AsyncGenerator<LogRow> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  try {
    for await (const text of lines) {
      n++;
      const row = parseLogRow(text, n, file);
      if (row) yield row;
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/** The rows of a log held in memory. */
export function* readLogText(text: string, file: string): Generator<LogRow> {
  let start = 0;
  let n = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    n++;
    const row = parseLogRow(text.slice(start, stop), n, file);
    if (row) yield row;
    start = stop + 1;
  }
}
