/**
 * The one reader of event logs (JSON Lines, src/model/events.ts) for every command that reads
 * them: explain, tui, compare, predict, verify. Each line is parsed and checked against its
 * event type's schema (src/model/eventSchema.ts); a problem is a {@link LogError} naming the file
 * and the line (`run.jsonl:12: kpa.tick event without "decision" (an object)`), which the command
 * line prints as one line with exit code 2. Files are read with a bound on the line and on the
 * whole (a 10 MB line or /dev/zero is refused, saying what was refused).
 */
import { checkLogLine } from '../model/eventSchema.js';
import type { LogEvent, LogHeader, LogLine } from '../model/events.js';
import { type FileLine, fileLines, type LineBounds } from './files.js';

const MiB = 1024 * 1024;

/** The longest line a log may have: an object event with a big API object is tens of KB. */
export const MAX_LOG_LINE_BYTES = 4 * MiB;
/** The most a log file may hold (long runs keep 1 request in N: `knsim run --log-requests 1-in-100`). */
export const MAX_LOG_BYTES = 2048 * MiB;

export const LOG_BOUNDS: LineBounds = {
  maxLineBytes: MAX_LOG_LINE_BYTES,
  maxBytes: MAX_LOG_BYTES,
  lineHint: "an event log's lines are at most a few hundred KB; is this a knsim event log?",
};

/** A log line that is not what it should be, or a log that cannot be read. Exit code 2. */
export class LogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogError';
  }
}

/** One line of a log as JSON, checked: the header or an event. Throws LogError naming `where`. */
export function parseLogLine(text: string, where: string): LogLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new LogError(`${where}: not a JSON object (is this a knsim event log? write one with knsim run --log)`);
  }
  const checked = checkLogLine(value);
  if ('problem' in checked) throw new LogError(`${where}: ${checked.problem}`);
  return checked.line;
}

export interface LogLineAt {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly value: LogLine;
  /** Byte offset after this line: where a follower reads on. */
  readonly endByte: number;
}

export interface ReadLogOptions {
  /** Hears about what was skipped (a last line cut short). */
  warn?: (message: string) => void;
  /**
   * A log still being written (`--follow`): a last line without its newline is not there yet,
   * and is left for the next read without a word.
   */
  growing?: boolean;
  /** Continue after a previous read: its end byte and line count (the header was read then). */
  from?: { byte: number; line: number };
  bounds?: LineBounds;
}

/**
 * The lines of a log file in order, checked, with their line numbers: the header first (unless
 * reading on `from` an earlier read), then events. Streams: memory stays flat for a consumer that
 * folds. A last line cut short (the writer was stopped mid-line) is skipped with a warning.
 */
export function* logLines(file: string, options: ReadLogOptions = {}): Generator<LogLineAt> {
  let sawHeader = options.from !== undefined;
  let pending: FileLine | undefined;
  const lines = fileLines(file, options.bounds ?? LOG_BOUNDS, options.from?.byte ?? 0, options.from?.line ?? 0);
  for (const l of lines) {
    if (!l.complete) {
      pending = l;
      break;
    }
    if (l.text.trim() === '') continue;
    const value = parseLogLine(l.text, `${file}:${l.number}`);
    sawHeader = checkOrder(value, sawHeader, `${file}:${l.number}`, options.from !== undefined);
    yield { line: l.number, value, endByte: l.endByte };
  }
  if (pending && pending.text.trim() !== '') {
    if (options.growing) return;
    let value: LogLine | undefined;
    try {
      value = JSON.parse(pending.text) as LogLine;
    } catch {
      options.warn?.(
        `${file}:${pending.number}: the last line is cut short (the run stopped while writing it?); read the ${pending.number - 1} lines before it`,
      );
    }
    if (value !== undefined) {
      const checked = parseLogLine(pending.text, `${file}:${pending.number}`);
      sawHeader = checkOrder(checked, sawHeader, `${file}:${pending.number}`, options.from !== undefined);
      yield { line: pending.number, value: checked, endByte: pending.endByte };
    }
  }
  if (!sawHeader) throw new LogError(`${file}: empty log (no header line; write one with knsim run --log)`);
}

/** The header comes first and once (a follower, reading on, skips a header written again). */
function checkOrder(value: LogLine, sawHeader: boolean, where: string, readingOn: boolean): boolean {
  if (value.type === 'header') {
    if (sawHeader && !readingOn) throw new LogError(`${where}: a second header line`);
    return true;
  }
  if (!sawHeader) throw new LogError(`${where}: the first line must be the log header`);
  return true;
}

export interface EventLogContents {
  readonly header: LogHeader;
  readonly events: LogEvent[];
}

/**
 * A whole log file, checked: its header and events, and where its last line read ends (the byte
 * after it, and its number), for a follower to read on from.
 */
export function readEventLog(
  file: string,
  options: ReadLogOptions = {},
): EventLogContents & { endByte: number; lastLine: number } {
  let header: LogHeader | undefined;
  const events: LogEvent[] = [];
  let endByte = options.from?.byte ?? 0;
  let lastLine = options.from?.line ?? 0;
  for (const { value, line, endByte: end } of logLines(file, options)) {
    endByte = end;
    lastLine = line;
    if (value.type === 'header') header ??= value;
    else events.push(value);
  }
  // logLines has thrown for a log without a header (unless reading on from an earlier read).
  return { header: header!, events, endByte, lastLine };
}

/** The lines of a log held in memory (a run just simulated), checked like a file's; `name` stands for the file. */
export function* textLogLines(text: string, name: string): Generator<LogLineAt> {
  let sawHeader = false;
  let start = 0;
  let number = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    number++;
    const row = text.slice(start, end);
    start = end + 1;
    if (row.trim() === '') continue;
    const where = `${name}:${number}`;
    const value = parseLogLine(row, where);
    sawHeader = checkOrder(value, sawHeader, where, false);
    yield { line: number, value, endByte: Math.min(start, text.length) };
  }
  if (!sawHeader) throw new LogError(`${name}: empty log (no header line)`);
}

/** A log held in memory, checked: its header and events. */
export function parseEventLog(text: string, name: string): EventLogContents {
  let header: LogHeader | undefined;
  const events: LogEvent[] = [];
  for (const { value } of textLogLines(text, name)) {
    if (value.type === 'header') header = value;
    else events.push(value);
  }
  return { header: header!, events };
}
