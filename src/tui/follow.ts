/**
 * Following an event log that is still being written (`knsim live --log run.jsonl` in another
 * terminal): the whole lines appended since the last read, checked by the one log reader.
 */
import { statSync } from 'node:fs';
import { readEventLog } from '../io/logReader.js';
import type { LogEvent } from '../model/events.js';
import type { LogPosition } from './load.js';
import type { ReplayIndex } from './model/replay.js';

/**
 * Calls `onEvents` with the events appended to `file` after `from` (the end of the last whole
 * line read), polling every `intervalMs`. A bad line is reported once through `onError`, naming
 * it, and following stops there. Returns a function that stops following.
 */
export function followLog(
  file: string,
  from: LogPosition,
  onEvents: (events: LogEvent[]) => void,
  onError: (error: Error) => void,
  intervalMs = 250,
): () => void {
  let position = from;
  let failed = false;
  const read = (): void => {
    if (failed) return;
    try {
      const { events, endByte, lastLine } = readEventLog(file, { growing: true, from: position });
      position = { byte: endByte, line: lastLine };
      if (events.length > 0) onEvents(events);
    } catch (e) {
      failed = true;
      onError(e instanceof Error ? e : new Error(String(e)));
    }
  };
  // A timer that reads whenever the file has grown, rather than fs.watchFile: watchFile takes
  // its first stat a moment after it starts, so lines written in that moment were never noticed.
  const poll = (): void => {
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return; // gone for a moment (rotated, replaced): try again on the next tick
    }
    if (size > position.byte) read();
  };
  read();
  const timer = setInterval(poll, intervalMs);
  return () => clearInterval(timer);
}

/**
 * The App's `subscribe` for a followed log: new events go into the index, then the screen hears
 * how long the log was before.
 */
export function followIntoIndex(index: ReplayIndex, file: string, from: LogPosition, intervalMs?: number) {
  return (onGrew: (previousLength: number) => void, onError: (error: Error) => void): (() => void) =>
    followLog(
      file,
      from,
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
