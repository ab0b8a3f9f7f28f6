/**
 * What a run's event log says about scaling, as plain numbers: pods over time, when the pods went
 * to zero and how long after the last request, cold-start latency, the most pods, time in panic,
 * 503/504 counts. Pure functions of a parsed log, the same for simulated and live runs.
 */
import type { LogEvent, LogHeader } from '../model/events.js';

export interface ParsedLog {
  header: LogHeader;
  events: LogEvent[];
}

export interface ScaleToZero {
  /** When the last pod was gone (ms of run time). */
  zeroAt: number;
  /** When every remaining pod was Terminating (the scale-down took effect). */
  drainingAt: number;
  /** What the idle period is measured from: the last answered request, else the first Ready pod. */
  idleSince: number;
  idleFrom: 'last request' | 'first ready pod';
  /** zeroAt − idleSince. */
  afterMs: number;
}

export interface RunSummary {
  backend: 'sim' | 'live';
  scenario: string;
  durationMs: number;
  /** Pods that exist (any phase but Gone) at each whole second 0, 1, 2, … */
  podsPerSecond: number[];
  /** Ready pods at each whole second. */
  readyPerSecond: number[];
  maxPods: number;
  scaleToZero: ScaleToZero[];
  requests: number;
  ok: number;
  status503: number;
  status504: number;
  otherErrors: number;
  coldStarts: number[];
  coldStart: { count: number; p50: number | null; max: number | null };
  /** Seconds with the autoscaler in panic mode (from panic events, else samples). */
  panicSeconds: number;
  /** First time the revision had a Ready pod, if it did. */
  firstReadyAt: number | null;
}

export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(log: ParsedLog): RunSummary {
  const { header, events } = log;
  const durationMs = events.reduce((m, e) => Math.max(m, e.t), 0);
  // Pod timeline.
  const phase = new Map<string, string>();
  const changes: { t: number; alive: number; ready: number; terminatingAll: boolean }[] = [];
  let firstReadyAt: number | null = null;
  const counts = () => {
    let alive = 0;
    let ready = 0;
    let terminating = 0;
    for (const p of phase.values()) {
      alive++;
      if (p === 'Ready') ready++;
      if (p === 'Terminating') terminating++;
    }
    return { alive, ready, terminatingAll: alive > 0 && terminating === alive };
  };
  // Requests.
  let requests = 0;
  let ok = 0;
  let status503 = 0;
  let status504 = 0;
  let otherErrors = 0;
  const coldStarts: number[] = [];
  const answers: number[] = [];
  // Panic.
  const panicking = new Map<string, number>();
  let panicMs = 0;
  let sawPanicEvents = false;
  const panicSampleSeconds = new Set<number>();

  for (const e of events) {
    switch (e.type) {
      case 'pod': {
        if (e.phase === 'Gone') phase.delete(e.pod);
        else phase.set(e.pod, e.phase);
        if (e.phase === 'Ready' && firstReadyAt === null) firstReadyAt = e.t;
        changes.push({ t: e.t, ...counts() });
        break;
      }
      case 'request':
        if (e.phase !== 'done') break;
        requests++;
        if (e.status === 503) status503++;
        else if (e.status === 504) status504++;
        else if (e.status !== undefined && e.status >= 200 && e.status < 400) ok++;
        else otherErrors++;
        if (e.status !== undefined && e.status > 0) answers.push(e.t);
        if (e.cold && e.latencyMs !== undefined && e.status !== undefined && e.status >= 200 && e.status < 400) {
          coldStarts.push(e.latencyMs);
        }
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
  const maxPods = changes.reduce((m, c) => Math.max(m, c.alive), 0);

  // Scale to zero: each time the count of pods falls to 0.
  const scaleToZero: ScaleToZero[] = [];
  let drainingAt: number | null = null;
  let previousAlive = 0;
  for (const c of changes) {
    if (c.terminatingAll && drainingAt === null) drainingAt = c.t;
    if (!c.terminatingAll && c.alive > 0) drainingAt = null;
    if (c.alive === 0 && previousAlive > 0) {
      const lastAnswer = answers.filter((t) => t <= c.t).at(-1);
      const idleFrom = lastAnswer !== undefined ? 'last request' : 'first ready pod';
      const idleSince = lastAnswer ?? firstReadyAt ?? 0;
      scaleToZero.push({ zeroAt: c.t, drainingAt: drainingAt ?? c.t, idleSince, idleFrom, afterMs: c.t - idleSince });
      drainingAt = null;
    }
    previousAlive = c.alive;
  }
  const sortedCold = [...coldStarts].sort((a, b) => a - b);
  return {
    backend: header.backend,
    scenario: header.scenario,
    durationMs,
    podsPerSecond,
    readyPerSecond,
    maxPods,
    scaleToZero,
    requests,
    ok,
    status503,
    status504,
    otherErrors,
    coldStarts,
    coldStart: { count: coldStarts.length, p50: quantile(sortedCold, 0.5), max: sortedCold.at(-1) ?? null },
    panicSeconds: sawPanicEvents ? Math.round(panicMs / 1000) : panicSampleSeconds.size,
    firstReadyAt,
  };
}
