/**
 * What a run's event log says, as plain numbers, the same for simulated and live runs: the run's
 * results folded by the one results collector (src/results/results.ts: requests, errors, cold starts,
 * pods, scale to zero, per revision), plus what a comparison needs beside them: pods over time,
 * the latencies themselves (for the noise estimates), the service times the scenario drew, and
 * time in panic.
 */
import type { LogEvent, LogHeader } from '../model/events.js';
import { type RunResults, resultsOfLog, resultsToJSON, type ScaleToZero } from '../results/results.js';
import { type DecisionTimeline, decisionTimeline } from './decisions.js';

export type { ScaleToZero };

export interface ParsedLog {
  header: LogHeader;
  events: LogEvent[];
}

/** One revision's moments, for the per-revision rows. */
export interface RevisionSummary {
  revision: string;
  firstReadyAt: number | null;
  maxPods: number;
  scaleToZero: ScaleToZero[];
  /** Pods at the end, and whether they were all terminating. */
  atEnd: RunResults['atEnd'];
  /** When the pods left at the end started draining (all terminating), if they are. */
  drainingAt: number | null;
  coldStarts: number;
}

export interface RunSummary {
  backend: 'sim' | 'live';
  scenario: string;
  durationMs: number;
  results: RunResults;
  /** Pods that exist (any phase but Gone) at each whole second 0, 1, 2, … */
  podsPerSecond: number[];
  /** Ready pods at each whole second. */
  readyPerSecond: number[];
  maxPods: number;
  revisions: RevisionSummary[];
  /** Sorted latencies (ms) of answered requests that were not cold, and of cold ones. */
  warmLatencies: number[];
  coldLatencies: number[];
  /** Sorted service times (ms) the scenario drew for the requests (`serviceMs` of arrivals). */
  serviceTimes: number[];
  /** Requests whose arrival was logged (the share that carries a drawn service time is of these). */
  arrivals: number;
  /** Seconds with the autoscaler in panic mode (from panic events, else samples). */
  panicSeconds: number;
  /** First time any revision had a Ready pod. */
  firstReadyAt: number | null;
  /** The autoscaler's decisions per revision (the model's; a live log's cluster's beside them). */
  decisions: DecisionTimeline;
}

export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

const ascending = (a: number, b: number) => a - b;

export function summarize(log: ParsedLog): RunSummary {
  const { header, events } = log;
  const results = resultsOfLog(events, header.namespace);
  const durationMs = events.reduce((m, e) => Math.max(m, e.t), 0);
  const phase = new Map<string, string>();
  const changes: { t: number; alive: number; ready: number }[] = [];
  const firstReady = new Map<string, number>();
  const drainingSince = new Map<string, number | null>();
  const revisionPods = new Map<string, Map<string, string>>();
  const warm: number[] = [];
  const cold: number[] = [];
  const serviceTimes: number[] = [];
  let arrivals = 0;
  const panicking = new Map<string, number>();
  let panicMs = 0;
  let sawPanicEvents = false;
  const panicSampleSeconds = new Set<number>();

  for (const e of events) {
    switch (e.type) {
      case 'pod': {
        if (e.phase === 'Gone') phase.delete(e.pod);
        else phase.set(e.pod, e.phase);
        const pods = revisionPods.get(e.revision) ?? new Map<string, string>();
        revisionPods.set(e.revision, pods);
        if (e.phase === 'Gone') pods.delete(e.pod);
        else pods.set(e.pod, e.phase);
        const all = [...pods.values()];
        const draining = all.length > 0 && all.every((p) => p === 'Terminating');
        if (!draining) drainingSince.set(e.revision, null);
        else if (drainingSince.get(e.revision) == null) drainingSince.set(e.revision, e.t);
        if (e.phase === 'Ready' && !firstReady.has(e.revision)) firstReady.set(e.revision, e.t);
        let alive = 0;
        let ready = 0;
        for (const p of phase.values()) {
          alive++;
          if (p === 'Ready') ready++;
        }
        changes.push({ t: e.t, alive, ready });
        break;
      }
      case 'request':
        if (e.phase === 'arrived') {
          arrivals++;
          if (e.serviceMs !== undefined) serviceTimes.push(e.serviceMs);
        }
        if (e.phase !== 'done' || e.status === undefined || e.status < 200 || e.status >= 400) break;
        if (e.latencyMs !== undefined) (e.cold ? cold : warm).push(e.latencyMs);
        break;
      case 'panic':
        sawPanicEvents = true;
        if (e.panicking && !panicking.has(e.revision)) panicking.set(e.revision, e.t);
        if (!e.panicking && panicking.has(e.revision)) {
          panicMs += e.t - panicking.get(e.revision)!;
          panicking.delete(e.revision);
        }
        break;
      case 'sample':
        if (e.panic) panicSampleSeconds.add(Math.round(e.t / 1000));
        break;
    }
  }
  for (const since of panicking.values()) panicMs += durationMs - since;

  // Per-second series: the state at each whole second.
  const seconds = Math.floor(durationMs / 1000) + 1;
  const podsPerSecond: number[] = [];
  const readyPerSecond: number[] = [];
  let i = 0;
  let current = { alive: 0, ready: 0 };
  for (let s = 0; s < seconds; s++) {
    while (i < changes.length && changes[i]!.t <= s * 1000) current = changes[i++]!;
    podsPerSecond.push(current.alive);
    readyPerSecond.push(current.ready);
  }
  const revisions: RevisionSummary[] = results.services.flatMap((s) =>
    s.revisions.map((r) => ({
      revision: r.revision,
      firstReadyAt: firstReady.get(r.revision) ?? null,
      // From pod events (samples may be missing from a hand-made or cut log).
      maxPods: Math.max(r.maxPods, maxAlive(events, r.revision)),
      scaleToZero: r.scaleToZero,
      atEnd: r.atEnd,
      drainingAt: r.atEnd === 'draining' ? (drainingSince.get(r.revision) ?? null) : null,
      coldStarts: r.coldStarts,
    })),
  );
  const firstReadyAt = [...firstReady.values()].reduce<number | null>((m, t) => (m === null || t < m ? t : m), null);
  return {
    decisions: decisionTimeline(events),
    backend: header.backend,
    scenario: header.scenario,
    durationMs,
    results,
    podsPerSecond,
    readyPerSecond,
    maxPods: Math.max(
      results.maxPods,
      changes.reduce((m, c) => Math.max(m, c.alive), 0),
    ),
    revisions,
    warmLatencies: warm.sort(ascending),
    coldLatencies: cold.sort(ascending),
    serviceTimes: serviceTimes.sort(ascending),
    arrivals,
    panicSeconds: sawPanicEvents ? Math.round(panicMs / 1000) : panicSampleSeconds.size,
    firstReadyAt,
  };
}

function maxAlive(events: readonly LogEvent[], revision: string): number {
  const alive = new Set<string>();
  let max = 0;
  for (const e of events) {
    if (e.type !== 'pod' || e.revision !== revision) continue;
    if (e.phase === 'Gone') alive.delete(e.pod);
    else alive.add(e.pod);
    if (alive.size > max) max = alive.size;
  }
  return max;
}

/** A summary for `--json`: the results (NaN as null) and series, without the raw latency lists. */
export function summaryJSON(s: RunSummary): unknown {
  const { warmLatencies: _w, coldLatencies: _c, serviceTimes: _s, decisions, ...rest } = s;
  const summary = JSON.parse(resultsToJSON(rest as unknown as RunResults, 0)) as Record<string, unknown>;
  summary.decisions = Object.fromEntries(decisions);
  return summary;
}
