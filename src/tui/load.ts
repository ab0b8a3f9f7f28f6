/**
 * Where a replay comes from: a saved event log (JSON Lines), or a scenario simulated on the spot.
 * Both end as a header and events; a simulated run's transcript supplies the steps and notes
 * when the log does not carry them.
 */
import { closeSync } from 'node:fs';
import { fileErrorMessage, UserError } from '../io/errors.js';
import { openInput, readInput } from '../io/files.js';
import { parseEventLog, readEventLog } from '../io/logReader.js';
import type { RunLimits } from '../io/runLimits.js';
import type { LogEvent, LogHeader } from '../model/events.js';
import { ReplayIndex, type ReplayOptions } from './model/replay.js';
import { eventsFromTranscript } from './model/transcript.js';

export interface LoadedRun {
  readonly header: LogHeader;
  readonly events: readonly LogEvent[];
}

/** True when the text looks like an event log (its first line is a JSON header). */
export function looksLikeLog(text: string): boolean {
  const newline = text.indexOf('\n');
  const first = (newline >= 0 ? text.slice(0, newline) : text).trim();
  return first.startsWith('{') && first.includes('"header"');
}

/**
 * True when the file is meant as an event log rather than a scenario: it is named `.jsonl` (or
 * `.json`), or it starts like one. Such a file is read as a log, so a broken one gets the log's
 * error (line and what is wrong) rather than YAML syntax errors.
 */
export function isLogFile(file: string, text: string): boolean {
  return /\.(jsonl|ndjson|json)$/i.test(file) || looksLikeLog(text) || text.trimStart().startsWith('{');
}

/**
 * The events of a run plus steps and notes read from its transcript, when the log has none of
 * its own. Transcript events go before log events of the same time (a step starts the moment).
 */
export function withTranscript(events: readonly LogEvent[], transcript: string): LogEvent[] {
  if (events.some((e) => e.type === 'step')) return [...events];
  const extra = eventsFromTranscript(transcript);
  const out: LogEvent[] = [];
  let j = 0;
  for (const e of events) {
    while (j < extra.length && extra[j]!.t <= e.t) out.push(extra[j++]!);
    out.push(e);
  }
  while (j < extra.length) out.push(extra[j++]!);
  return out;
}

/** The first bytes of a file (enough to tell a log from a scenario), with a UserError naming it. */
function head(file: string, bytes = 4096): string {
  let fd: number | undefined;
  try {
    fd = openInput(file);
    const buf = Buffer.alloc(bytes);
    const n = readInput(fd, buf, bytes, null, file);
    return buf.toString('utf8', 0, n);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(fileErrorMessage(e, file) ?? `${file}: cannot read: ${(e as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** True when `file` is a scenario to simulate rather than a saved log (a binary file is neither: loadRun says so). */
export function isScenario(file: string): boolean {
  const start = head(file);
  return !start.includes('\0') && !isLogFile(file, start);
}

/**
 * A saved log, or a scenario run through the simulator now (with `seed` when given).
 * `warn` hears about options that do not apply and lines that were skipped.
 */
export async function loadRun(
  file: string,
  options: { seed?: number; warn?: (message: string) => void; limits?: Partial<RunLimits> } = {},
): Promise<LoadedRun> {
  const start = head(file);
  if (start.includes('\0'))
    throw new UserError(`${file}: not a text file (expected a scenario YAML file or an event log)`);
  if (isLogFile(file, start)) {
    if (options.seed !== undefined) options.warn?.('--seed applies to scenarios; a saved log replays as recorded');
    const { header, events } = readEventLog(file, options.warn ? { warn: options.warn } : {});
    return { header, events };
  }
  const { runScenarioFile } = await import('../runner/simulate.js');
  const outcome = await runScenarioFile(file, {
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  // A run that reached a limit replays up to there (its log ends with the `end` line that says why).
  if (outcome.stopped) options.warn?.(outcome.stopped.message);
  const { header, events } = parseEventLog(outcome.log, file);
  return { header, events: withTranscript(events, outcome.transcript) };
}

/** Where a follower of a growing log reads on: the byte after the last whole line, and its number. */
export interface LogPosition {
  readonly byte: number;
  readonly line: number;
}

/**
 * A log that may still be growing: the whole lines written so far, and where the next read
 * starts (a half-written last line is left for later).
 */
export function loadGrowingLog(file: string): LoadedRun & { readonly from: LogPosition } {
  if (!looksLikeLog(head(file)))
    throw new UserError(`${file}: --follow needs an event log whose first line is its header`);
  const { header, events, endByte, lastLine } = readEventLog(file, { growing: true });
  return { header, events, from: { byte: endByte, line: lastLine } };
}

export function indexRun(run: LoadedRun, options?: ReplayOptions): ReplayIndex {
  return new ReplayIndex(run.header, run.events, options);
}
