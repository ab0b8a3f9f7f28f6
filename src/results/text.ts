/**
 * Results as people read them: the transcript's summary (per service, per revision when a
 * service has several, and the run's total when there are several services), within 80
 * columns; and the per-second CSV.
 */
import type { LogLine, SampleEvent } from '../model/events.js';
import { LABEL_CONFIGURATION, LABEL_SERVICE } from '../model/rules/labels.js';
import type {
  ColdStartPhases,
  Figures,
  LatencySummary,
  RevisionResults,
  RunResults,
  ServiceResults,
} from './results.js';

/** The summary's width: the runner indents it by 2 in an 80-column transcript. */
const WIDTH = 78;

export function ms(v: number | null): string {
  if (v === null || Number.isNaN(v)) return '-';
  if (v < 1) return `${v.toFixed(2)} ms`;
  if (v < 999.5) return `${v.toFixed(v < 9.95 ? 1 : 0)} ms`;
  if (v < 59_950) return `${(v / 1000).toFixed(v < 9_995 ? 2 : 1)} s`;
  return seconds(Math.round(v / 1000)); // not 1m60s for 119.6 s
}

/** Whole seconds: 45 s, 7m29s, 23h59m. */
export function seconds(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

/**
 * A span of simulated time in the units of `seconds`: `0 s`, `0.25 s`, `12.5 s`, `2m20s`, `1h5m`
 * (latencies keep their own style: ms under a second, then seconds with two decimals).
 */
export function duration(v: number): string {
  const s = v / 1000;
  if (s < 10) return `${Number(s.toFixed(3))} s`;
  const tenths = Math.round(s * 10) / 10;
  if (tenths < 60) return `${Number(tenths.toFixed(1))} s`;
  return seconds(Math.round(s));
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Lays out `head` followed by `parts` on lines of at most `width` columns, breaking only between
 * parts (each part keeps its separator); continuation lines are indented by `hang` spaces.
 */
export function wrap(
  head: string,
  parts: readonly string[],
  width = WIDTH,
  hang = head.length - head.trimStart().length + 2,
): string[] {
  const lines: string[] = [];
  let line = head;
  for (const part of parts) {
    if (line.trim() !== '' && line.length + part.length > width) {
      lines.push(line.trimEnd());
      line = ' '.repeat(hang) + part.trimStart();
    } else line += part;
  }
  lines.push(line.trimEnd());
  return lines;
}

/** `a, b; c` as wrap parts (the separators stay with the part before them). */
function parts(...groups: (string | undefined)[][]): string[] {
  const out: string[] = [];
  const gs = groups.map((g) => g.filter((p): p is string => p !== undefined && p !== '')).filter((g) => g.length > 0);
  gs.forEach((g, gi) => {
    g.forEach((p, i) => {
      const last = i === g.length - 1;
      out.push(`${p}${last ? (gi === gs.length - 1 ? '' : '; ') : ', '}`);
    });
  });
  return out;
}

function latencyParts(l: LatencySummary): string[] {
  return [`p50 ${ms(l.p50)}`, `p95 ${ms(l.p95)}`, `p99 ${ms(l.p99)}`, `max ${ms(l.max)}`];
}

/** `requests 24: 20 answered, 4 errors (2 × 503, 1 no answer)`. */
function requestsLine(f: Figures, indent: string): string[] {
  if (f.requests === 0) return [`${indent}requests 0`];
  const kinds = [
    f.status503 > 0 ? `${f.status503} × 503` : undefined,
    f.status504 > 0 ? `${f.status504} × 504` : undefined,
    f.status5xx > 0 ? `${f.status5xx} × other 5xx` : undefined,
    f.status4xx > 0 ? `${f.status4xx} × 4xx` : undefined,
    f.noAnswer > 0 ? `${f.noAnswer} without an answer` : undefined,
  ].filter((k): k is string => k !== undefined);
  const errors = f.errors === 0 ? ['no errors'] : [`${plural(f.errors, 'error')} (${kinds.join(', ')})`];
  return wrap(`${indent}requests ${f.requests}: `, parts([`${f.answered} answered`, ...errors]));
}

function latencyLines(f: Figures, indent: string): string[] {
  if (f.latency.count === 0) return [];
  const warm = f.coldRequests > 0 && f.warmLatency.count > 0 ? [`warm p50 ${ms(f.warmLatency.p50)}`] : [];
  return wrap(`${indent}latency `, parts(latencyParts(f.latency), warm));
}

const PHASE_WORDS: Record<keyof ColdStartPhases, string> = {
  scaleUp: 'request to new pod',
  schedule: 'scheduling',
  pull: 'image pull',
  create: 'pull and create',
  readiness: 'start to Ready',
  activator: 'activator probe',
  toAnswer: 'Ready to answer',
};

function coldLines(f: Figures, indent: string): string[] {
  const [p50, ...rest] = latencyParts(f.coldLatency);
  const cold = f.coldRequests > 0 ? [`cold requests ${f.coldRequests}: ${p50}`, ...rest] : ['cold requests 0'];
  const lines = wrap(`${indent}`, parts([`cold starts ${f.coldStarts}`], cold));
  if (f.coldStarts > 0) {
    const phases = (Object.keys(PHASE_WORDS) as (keyof ColdStartPhases)[])
      .filter((p) => f.coldStartPhases[p] !== null)
      .map((p) => {
        // With the pull told apart, what is left of ContainerCreating is the containers' start.
        const words = p === 'create' && f.coldStartPhases.pull !== null ? 'container start' : PHASE_WORDS[p];
        return `${words} ${ms(f.coldStartPhases[p])}`;
      });
    if (phases.length > 0) lines.push(...wrap(`${indent}cold-start phases (p50): `, parts(phases)));
  }
  return lines;
}

function podsLine(f: Figures, indent: string, sumOf?: string): string[] {
  return wrap(
    `${indent}pods max ${f.maxPods}${sumOf ? ` (${sumOf} together)` : ''}, `,
    parts([`mean ${num(f.meanPods)}`, `${num(f.podSeconds)} pod-seconds`]),
  );
}

/** How the pods ended: at zero (and how long after the last request), draining, or still up. */
function endWords(f: Figures, minScale?: number | null, idleFrom?: string): string {
  if (f.atEnd === 'draining') return `draining at the end: ${plural(f.terminatingAtEnd, 'pod')} terminating`;
  if (f.atEnd === 'up') {
    const why = minScale !== null && minScale !== undefined && minScale > 0 ? ` (min-scale ${minScale})` : '';
    return `${plural(f.podsAtEnd, 'pod')} up at the end${why}`;
  }
  if (f.timeToZeroMs !== null)
    return `time to zero after ${idleFrom === 'first ready pod' ? 'its first Ready pod' : 'the last request'} ${duration(f.timeToZeroMs)}`;
  if (f.maxPods === 0 && f.podSeconds === 0) return 'no pods';
  return f.requests === 0 ? 'at zero at the end (no requests)' : 'at zero at the end';
}

function panicLine(f: Figures, indent: string, of?: number): string {
  return `${indent}panic ${seconds(f.panicSeconds)}, activator in the path ${seconds(f.activatorInPathSeconds)}${of !== undefined ? ` of ${duration(of)}` : ''}`;
}

function figureLines(f: Figures, indent: string, end: string, of?: number, sumOf?: string): string[] {
  return [
    ...requestsLine(f, indent),
    ...latencyLines(f, indent),
    ...coldLines(f, indent),
    ...podsLine(f, indent, sumOf),
    ...wrap(indent, [end]),
    panicLine(f, indent, of),
  ];
}

function revisionEnd(r: RevisionResults): string {
  const z = r.scaleToZero.at(-1);
  if (r.atEnd === 'zero' && z && r.timeToZeroMs !== null) return endWords(r, r.minScale, z.idleFrom);
  return endWords(r, r.minScale);
}

/** One revision of a service with several: its figures in a few short lines. */
function revisionLines(r: RevisionResults, indent: string): string[] {
  const lines = [`${indent}revision ${r.revision}:`];
  const inner = `${indent}  `;
  if (r.requests > 0) {
    lines.push(...requestsLine(r, inner), ...latencyLines(r, inner));
  }
  if (r.coldStarts > 0 || r.coldRequests > 0) lines.push(...coldLines(r, inner));
  lines.push(...wrap(inner, parts([`pods max ${r.maxPods}`, `${num(r.podSeconds)} pod-seconds`], [revisionEnd(r)])));
  return lines;
}

function serviceLines(s: ServiceResults, of: number | undefined): string[] {
  const single = s.revisions.length === 1 ? s.revisions[0] : undefined;
  const head = single
    ? `service ${s.service} (revision ${single.revision}):`
    : `service ${s.service} (${s.revisions.length} revisions):`;
  const indent = '  ';
  if (single) return [head, ...figureLines(single, indent, revisionEnd(single), of)];
  const lines = [head, ...figureLines(s, indent, endWords(s), of, 'its revisions')];
  for (const r of s.revisions) lines.push(...revisionLines(r, indent));
  return lines;
}

/** The results in plain lines, for the transcript's summary: each service, then the run's total. */
export function formatResults(r: RunResults): string {
  const lines: string[] = [];
  if (r.services.length === 0 && r.requests === 0)
    return `no service, no requests, no pods in ${duration(r.durationMs)}\n`;
  const whole = r.services.length !== 1 || r.unrouted > 0;
  for (const s of r.services) lines.push(...serviceLines(s, whole ? undefined : r.durationMs));
  if (whole) {
    const n = r.services.length;
    lines.push(n === 0 ? 'the whole run (no service):' : `the whole run (${plural(n, 'service')}):`);
    const f = r;
    lines.push(...figureLines(f, '  ', endWords(f), r.durationMs, n > 1 ? 'all services' : undefined));
    if (r.unrouted > 0) lines.push(`  ${plural(r.unrouted, 'request')} matched no route (404 from the ingress)`);
  }
  return `${lines.join('\n')}\n`;
}

/** Columns of the per-second CSV (`knsim run --csv`), one row per revision per second. */
export const CSV_COLUMNS = [
  't',
  'service',
  'revision',
  'desired',
  'ready',
  'pending',
  'terminating',
  'rps',
  'concurrency',
  'activator_queue',
  'queue_proxy_queue',
  'in_flight',
  'panic',
  'activator_in_path',
] as const;

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\n`;
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One CSV row of a sample (t in seconds); `service` is the revision's Service (or Configuration). */
export function csvRow(s: SampleEvent, service = s.revision.replace(/-\d{5,}$/, '')): string {
  return `${s.t / 1000},${csvCell(service)},${csvCell(s.revision)},${s.desired},${s.ready},${s.pending},${s.terminating},${s.rps},${s.concurrency},${s.activatorQueue},${s.queueProxyQueue},${s.inFlight},${s.panic ? 1 : 0},${s.activatorInPath ? 1 : 0}\n`;
}

/**
 * A log observer that writes the CSV rows of the samples it sees, naming each revision's service
 * from the Revision objects in the log (Knative's `<config>-00001` naming when there is none).
 */
export function csvWriter(write: (text: string) => void): (line: LogLine) => void {
  const services = new Map<string, string>();
  return (line) => {
    if (line.type === 'object' && line.kind === 'Revision') {
      const labels = line.object.metadata.labels ?? {};
      const service = labels[LABEL_SERVICE] ?? labels[LABEL_CONFIGURATION];
      if (service) services.set(line.name, service);
    } else if (line.type === 'sample') write(csvRow(line, services.get(line.revision)));
  };
}
