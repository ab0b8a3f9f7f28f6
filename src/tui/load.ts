/**
 * Where a replay comes from: a saved event log (JSON Lines), or a scenario simulated on the spot.
 * Both end as a header and events; a simulated run's transcript supplies the steps and notes
 * when the log does not carry them.
 */
import { readFileSync } from 'node:fs';
import { fileErrorMessage, readUserFile, UserError } from '../cli/errors.js';
import { runScenarioFile } from '../cli/run.js';
import type { LogEvent, LogHeader } from '../model/events.js';
import { parseLog } from '../sim/log.js';
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

/** A log that cannot be read is the user's input problem: one line naming file and line. */
function parseUserLog(text: string, file: string): LoadedRun {
  try {
    return parseLog(text, file);
  } catch (e) {
    throw new UserError(e instanceof Error ? e.message : String(e));
  }
}

/**
 * A saved log, or a scenario run through the simulator now (with `seed` when given).
 * `warn` hears about options that do not apply.
 */
export async function loadRun(
  file: string,
  options: { seed?: number; warn?: (message: string) => void } = {},
): Promise<LoadedRun> {
  const text = readUserFile(file);
  if (isLogFile(file, text)) {
    if (options.seed !== undefined) options.warn?.('--seed applies to scenarios; a saved log replays as recorded');
    return parseUserLog(text, file);
  }
  const outcome = await runScenarioFile(file, options.seed !== undefined ? { seed: options.seed } : {});
  const { header, events } = parseLog(outcome.log, file);
  return { header, events: withTranscript(events, outcome.transcript) };
}

/**
 * A log that may still be growing: the whole lines written so far, and the byte offset where
 * the next read starts (a half-written last line is left for later).
 */
export function loadGrowingLog(file: string): LoadedRun & { readonly offset: number } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UserError(fileErrorMessage(e, file) ?? `${file}: ${(e as Error).message}`);
  }
  const end = bytes.lastIndexOf(0x0a) + 1;
  const text = bytes.subarray(0, end).toString('utf8');
  if (!looksLikeLog(text)) throw new UserError(`${file}: --follow needs an event log whose first line is its header`);
  return { ...parseUserLog(text, file), offset: end };
}

export function indexRun(run: LoadedRun, options?: ReplayOptions): ReplayIndex {
  return new ReplayIndex(run.header, run.events, options);
}
