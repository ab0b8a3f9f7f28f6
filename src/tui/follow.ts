/**
 * Following an event log that is still being written (`knsim live --log run.jsonl` in another
 * terminal): the bytes appended since the last read, cut into whole lines, parsed into events.
 */
import { closeSync, fstatSync, openSync, readSync, unwatchFile, watchFile } from 'node:fs';
import type { LogEvent, LogLine } from '../model/events.js';
import type { ReplayIndex } from './model/replay.js';

/** Whole lines from chunks of text; a line without its newline yet waits for the next chunk. */
export class LineSplitter {
  private carry = '';

  push(chunk: string): string[] {
    const text = this.carry + chunk;
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.carry = text;
      return [];
    }
    this.carry = text.slice(end + 1);
    return text
      .slice(0, end)
      .split('\n')
      .filter((l) => l.trim() !== '');
  }
}

/** Events from whole log lines (the header, if repeated, is skipped); a bad line throws naming it. */
export function eventsFromLines(lines: readonly string[], where: string): LogEvent[] {
  const out: LogEvent[] = [];
  for (const line of lines) {
    let value: LogLine;
    try {
      value = JSON.parse(line) as LogLine;
    } catch {
      throw new Error(`${where}: not a JSON object: ${line.slice(0, 80)}`);
    }
    if (value.type === 'header') continue;
    if (typeof value.t !== 'number') throw new Error(`${where}: field "t" must be a number`);
    out.push(value);
  }
  return out;
}

/**
 * Calls `onEvents` with the events appended to `file` after byte `offset`, polling every
 * `intervalMs`. Returns a function that stops following.
 */
export function followLog(
  file: string,
  offset: number,
  onEvents: (events: LogEvent[]) => void,
  onError: (error: Error) => void,
  intervalMs = 250,
): () => void {
  const splitter = new LineSplitter();
  const decoder = new TextDecoder();
  let position = offset;
  const read = (): void => {
    let fd: number | undefined;
    try {
      fd = openSync(file, 'r');
      const size = fstatSync(fd).size;
      if (size <= position) return;
      const buffer = Buffer.alloc(size - position);
      const n = readSync(fd, buffer, 0, buffer.length, position);
      position += n;
      const lines = splitter.push(decoder.decode(buffer.subarray(0, n), { stream: true }));
      const events = eventsFromLines(lines, file);
      if (events.length > 0) onEvents(events);
    } catch (e) {
      onError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };
  watchFile(file, { interval: intervalMs }, read);
  read();
  return () => unwatchFile(file, read);
}

/**
 * The App's `subscribe` for a followed log: new events go into the index, then the screen hears
 * how long the log was before.
 */
export function followIntoIndex(index: ReplayIndex, file: string, offset: number, intervalMs?: number) {
  return (onGrew: (previousLength: number) => void, onError: (error: Error) => void): (() => void) =>
    followLog(
      file,
      offset,
      (events) => {
        const previousLength = index.length;
        try {
          index.append(events);
        } catch (e) {
          onError(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        onGrew(previousLength);
      },
      onError,
      intervalMs,
    );
}
