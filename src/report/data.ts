/**
 * What the HTML report shows, computed from an event log: per-revision time series (pods,
 * load, panic and activator strips, latency percentiles), the autoscaler's explanations at each
 * decision, the cold starts with their phases, the steps and narration, and the results. Plain
 * data (JSON-ready): the page's script only draws it.
 */
import type { LogEvent, LogHeader } from '../model/events.js';
import { type ColdStart, type RunResults, resultsOfLog } from '../results/results.js';
import { formatResults } from '../results/text.js';

/** At most this many points per series: longer runs are folded into buckets of whole seconds. */
export const MAX_POINTS = 4000;
/** Latency percentiles over time: about this many windows over the run. */
const LATENCY_WINDOWS = 200;
/** Explanations kept per revision (the ticks where something changed come first). */
const MAX_EXPLANATIONS = 5000;

export interface RevisionSeries {
  revision: string;
  service: string;
  /** Seconds of run time, one per point. */
  t: number[];
  desired: number[];
  ready: number[];
  /** Pods not yet Ready (Pending, ContainerCreating, Running 1/2). */
  starting: number[];
  terminating: number[];
  rps: number[];
  concurrency: number[];
  activatorQueue: number[];
  /** 1 while panicking / while the activator is in the path, else 0. */
  panic: number[];
  activator: number[];
  /** Latency percentiles (ms) of answered requests per window; null where none was answered. */
  latency: { t: number[]; p50: (number | null)[]; p95: (number | null)[]; p99: (number | null)[]; count: number[] };
  /** The autoscaler's ticks: time (s), desired pods, and its explanation lines. */
  explanations: { t: number; lines: string[] }[];
  /** Scale steps: time (s), from, to. */
  scales: { t: number; from: number; to: number }[];
  coldStarts: ColdStart[];
}

export interface ReportData {
  title: string;
  header: LogHeader;
  durationS: number;
  /** Seconds per point of the series (1 unless the run was folded). */
  bucketS: number;
  revisions: RevisionSeries[];
  results: RunResults;
  /** The results as the transcript's summary prints them. */
  summary: string;
  steps: { t: number; command: string; output: string; ok: boolean }[];
  narration: { t: number; text: string; revision?: string }[];
  expectations: { text: string; ok: boolean; actual: string }[];
  /** The scenario file's text, when it could be read. */
  scenario: { file: string; text: string } | null;
}

interface SampleAcc {
  desired: number;
  ready: number;
  starting: number;
  terminating: number;
  rps: number;
  concurrency: number;
  activatorQueue: number;
  panic: number;
  activator: number;
  n: number;
}

export function reportData(
  header: LogHeader,
  events: readonly LogEvent[],
  scenario: { file: string; text: string } | null,
): ReportData {
  const results = resultsOfLog(events, header.namespace);
  const durationMs = events.reduce((m, e) => Math.max(m, e.t), 0);
  const durationS = Math.ceil(durationMs / 1000);
  const bucketS = Math.max(1, Math.ceil((durationS + 1) / MAX_POINTS));
  const serviceOf = new Map(results.services.flatMap((s) => s.revisions.map((r) => [r.revision, s.service] as const)));
  const coldOf = new Map(
    results.services.flatMap((s) => s.revisions.map((r) => [r.revision, r.coldStartList] as const)),
  );

  const buckets = new Map<string, Map<number, SampleAcc>>();
  const latencies = new Map<string, number[][]>();
  const windowMs = Math.max(1000, Math.ceil(durationMs / LATENCY_WINDOWS / 1000) * 1000);
  const ticks = new Map<string, { t: number; lines: string[]; changed: boolean }[]>();
  const scales = new Map<string, { t: number; from: number; to: number }[]>();
  const steps: ReportData['steps'] = [];
  const narration: ReportData['narration'] = [];
  const expectations: ReportData['expectations'] = [];
  const list = <T>(m: Map<string, T[]>, k: string): T[] => {
    let v = m.get(k);
    if (!v) {
      v = [];
      m.set(k, v);
    }
    return v;
  };

  for (const e of events) {
    switch (e.type) {
      case 'sample': {
        let rev = buckets.get(e.revision);
        if (!rev) {
          rev = new Map();
          buckets.set(e.revision, rev);
        }
        const b = Math.floor(Math.round(e.t / 1000) / bucketS);
        let acc = rev.get(b);
        if (!acc) {
          acc = {
            desired: 0,
            ready: 0,
            starting: 0,
            terminating: 0,
            rps: 0,
            concurrency: 0,
            activatorQueue: 0,
            panic: 0,
            activator: 0,
            n: 0,
          };
          rev.set(b, acc);
        }
        // Pods: the most in the bucket; load: the mean; strips: any second of the bucket.
        acc.desired = Math.max(acc.desired, e.desired);
        acc.ready = Math.max(acc.ready, e.ready);
        acc.starting = Math.max(acc.starting, e.pending);
        acc.terminating = Math.max(acc.terminating, e.terminating);
        acc.rps += e.rps;
        acc.concurrency += e.concurrency;
        acc.activatorQueue = Math.max(acc.activatorQueue, e.activatorQueue);
        if (e.panic) acc.panic = 1;
        if (e.activatorInPath) acc.activator = 1;
        acc.n++;
        break;
      }
      case 'request': {
        if (e.phase !== 'done' || e.revision === undefined || e.latencyMs === undefined) break;
        if (e.status === undefined || e.status < 200 || e.status >= 400) break;
        const windows = list(latencies, e.revision);
        const w = Math.floor(e.t / windowMs);
        const window = windows[w] ?? [];
        windows[w] = window;
        window.push(e.latencyMs);
        break;
      }
      case 'kpa.tick': {
        if (!e.explain || e.explain.length === 0) break;
        const all = list(ticks, e.revision);
        const previous = all.at(-1);
        const changed = e.scale !== undefined || !previous || previous.lines.join('\n') !== e.explain.join('\n');
        all.push({ t: e.t / 1000, lines: e.explain, changed });
        break;
      }
      case 'scale':
        list(scales, e.revision).push({ t: e.t / 1000, from: e.from, to: e.to });
        break;
      case 'step':
        steps.push({ t: e.t / 1000, command: e.command, output: e.output, ok: e.ok });
        break;
      case 'narration':
        narration.push({ t: e.t / 1000, text: e.text, ...(e.revision ? { revision: e.revision } : {}) });
        break;
      case 'expect':
        expectations.push({ text: e.text, ok: e.ok, actual: e.actual });
        break;
    }
  }

  const names = [...new Set([...buckets.keys(), ...latencies.keys(), ...serviceOf.keys()])].sort();
  const revisions = names.map((revision): RevisionSeries => {
    const rev = buckets.get(revision) ?? new Map<number, SampleAcc>();
    const keys = [...rev.keys()].sort((a, b) => a - b);
    const series: RevisionSeries = {
      revision,
      service: serviceOf.get(revision) ?? revision.replace(/-\d{5,}$/, ''),
      t: [],
      desired: [],
      ready: [],
      starting: [],
      terminating: [],
      rps: [],
      concurrency: [],
      activatorQueue: [],
      panic: [],
      activator: [],
      latency: { t: [], p50: [], p95: [], p99: [], count: [] },
      explanations: keepExplanations(ticks.get(revision) ?? []),
      scales: scales.get(revision) ?? [],
      coldStarts: coldOf.get(revision) ?? [],
    };
    for (const k of keys) {
      const a = rev.get(k)!;
      series.t.push(k * bucketS);
      series.desired.push(a.desired);
      series.ready.push(a.ready);
      series.starting.push(a.starting);
      series.terminating.push(a.terminating);
      series.rps.push(round(a.rps / a.n));
      series.concurrency.push(round(a.concurrency / a.n));
      series.activatorQueue.push(a.activatorQueue);
      series.panic.push(a.panic);
      series.activator.push(a.activator);
    }
    const windows = latencies.get(revision) ?? [];
    for (let w = 0; w < windows.length; w++) {
      const v = windows[w];
      series.latency.t.push(((w + 0.5) * windowMs) / 1000);
      if (!v || v.length === 0) {
        series.latency.p50.push(null);
        series.latency.p95.push(null);
        series.latency.p99.push(null);
        series.latency.count.push(0);
        continue;
      }
      v.sort((a, b) => a - b);
      const q = (p: number) => round(v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))]!);
      series.latency.p50.push(q(0.5));
      series.latency.p95.push(q(0.95));
      series.latency.p99.push(q(0.99));
      series.latency.count.push(v.length);
    }
    return series;
  });

  return {
    title: `${header.scenario} (${header.backend === 'sim' ? 'simulated' : 'live'} run)`,
    header,
    durationS,
    bucketS,
    revisions,
    results,
    summary: formatResults(results),
    steps,
    narration,
    expectations,
    scenario,
  };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** The ticks where the explanation changed or a scale step was taken, evenly thinned past the cap. */
function keepExplanations(all: { t: number; lines: string[]; changed: boolean }[]): { t: number; lines: string[] }[] {
  const changed = all.filter((x) => x.changed);
  const kept =
    changed.length <= MAX_EXPLANATIONS
      ? changed
      : changed.filter((_, i) => i % Math.ceil(changed.length / MAX_EXPLANATIONS) === 0);
  return kept.map(({ t, lines }) => ({ t, lines }));
}
