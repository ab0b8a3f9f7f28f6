/**
 * The load a run actually sent, read back from its event log: the arrival time of every request
 * except those the scenario's `curl` steps sent (a step event names each; its request is the
 * first to arrive after the step started). `knsim predict --arrivals` replays these times in the
 * simulator as an Azure 2021 trace, so closed-loop (`hey`) load that ran at the live cluster's
 * pace is compared at that same pace.
 */
import type { LogEvent } from '../model/events.js';

/** Arrival times (ms of run time) of the requests that came from the scenario's load. */
export function recordedArrivals(events: readonly LogEvent[]): number[] {
  const arrived = events.filter(
    (e): e is Extract<LogEvent, { type: 'request' }> => e.type === 'request' && e.phase === 'arrived',
  );
  const curlIds = new Set<number>();
  for (const e of events) {
    if (e.type !== 'step' || !/^curl\s/.test(e.command)) continue;
    const from = e.startedAt ?? e.t;
    let best: Extract<LogEvent, { type: 'request' }> | undefined;
    for (const a of arrived) {
      if (a.t < from || a.t > e.t || curlIds.has(a.id)) continue;
      if (!best || a.t < best.t || (a.t === best.t && a.id < best.id)) best = a;
    }
    if (best) curlIds.add(best.id);
  }
  return arrived
    .filter((a) => !curlIds.has(a.id))
    .map((a) => a.t)
    .sort((x, y) => x - y);
}

/**
 * Arrival times as an Azure Functions 2021 trace (`app,func,end_timestamp,duration`, seconds):
 * zero durations, so each row's start is its end and the scenario's service time applies.
 */
export function arrivalsTrace(times: readonly number[]): string {
  const rows = ['app,func,end_timestamp,duration'];
  for (const t of times) rows.push(`knsim,recorded,${(t / 1000).toFixed(3)},0`);
  return `${rows.join('\n')}\n`;
}

/** The `load:` phase that replays a trace written by `arrivalsTrace` from run time 0. */
export function replayPhase(traceFile: string): Record<string, unknown> {
  return {
    name: 'recorded arrivals',
    at: 0,
    trace: { format: 'azure2021', file: traceFile, origin: 0, useTraceDurations: false },
  };
}
