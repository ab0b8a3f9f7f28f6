/**
 * Where a replay comes from: a saved event log (JSON Lines), or a scenario simulated on the spot.
 * Both end as a header and events; a simulated run's transcript supplies the steps and notes
 * when the log does not carry them.
 */
import { readFileSync } from 'node:fs';
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

/** A saved log, or a scenario run through the simulator now (with `seed` when given). */
export async function loadRun(file: string, options: { seed?: number } = {}): Promise<LoadedRun> {
  const text = readFileSync(file, 'utf8');
  if (looksLikeLog(text)) return parseLog(text, file);
  const outcome = await runScenarioFile(file, options.seed !== undefined ? { seed: options.seed } : {});
  const { header, events } = parseLog(outcome.log, file);
  return { header, events: withTranscript(events, outcome.transcript) };
}

export function indexRun(run: LoadedRun, options?: ReplayOptions): ReplayIndex {
  return new ReplayIndex(run.header, run.events, options);
}
