/**
 * A run's results, streamed: counters and latency histograms (flat memory however many
 * requests), and per-second pod figures folded as the samples come. Nothing is kept per request.
 *
 * Definitions (also in docs/performance.md):
 * - requests: every request that got an answer (any status, 404 included); answered: 2xx/3xx.
 * - latency: answered requests, arrival at the ingress to the response (network hop included).
 * - coldRequests: answered requests the activator held because no pod could take them yet.
 * - coldStarts: scale-from-zero events, a revision's Deployment scaled from 0 to ≥ 1 replicas
 *   (the first pods of a new revision are not a scale from zero).
 * - timeToZeroMs: from the last request's answer to the moment the last pod was gone; null
 *   when pods remain at the end (or no request was answered).
 * - pods: every pod that exists (starting, ready or terminating), summed over revisions, once
 *   a simulated second: maxPods, meanPods (over the seconds sampled) and podSeconds (the cost).
 * - panicSeconds / activatorInPathSeconds: seconds in which some revision was panicking / had
 *   the activator in its data path.
 */
import type { LogLine, SampleEvent } from '../model/events.js';

// Scratch space to read a double's bits (the histogram's bucket index without Math.log).
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * Log-linear histogram of non-negative values (HDR style): 2^SUB_BITS buckets per power of
 * two, read straight from the float's exponent and top mantissa bits. Values from 2^-10 (about
 * 0.001 ms) to 2^40 ms are resolved; smaller ones share the first bucket, larger the last.
 *
 * Stated error: a quantile is returned as the upper edge of its bucket, clamped to the
 * smallest and largest value seen, so for values ≥ 0.001 it is at least the exact sample
 * quantile (the value of rank ceil(q·n)) and at most 1/128 (0.79 %) above it.
 */
export class LatencyHistogram {
  static readonly SUB_BITS = 7;
  static readonly MIN_EXP = -10;
  static readonly MAX_EXP = 40;
  /** Relative error bound of quantile(). */
  static readonly RELATIVE_ERROR = 2 ** -LatencyHistogram.SUB_BITS;
  private readonly counts = new Float64Array(
    (LatencyHistogram.MAX_EXP - LatencyHistogram.MIN_EXP + 1) << LatencyHistogram.SUB_BITS,
  );
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;
  sum = 0;
  /** Lowest and highest buckets used (quantile scans only between them). */
  private lo = Number.POSITIVE_INFINITY;
  private hi = -1;

  /** The bucket of a value: (exponent − MIN_EXP) · 2^SUB_BITS + top mantissa bits. */
  static bucketOf(v: number): number {
    F64[0] = v;
    const hi = U32[HI]!;
    const exp = ((hi >>> 20) & 0x7ff) - 1023;
    if (exp < LatencyHistogram.MIN_EXP) return 0;
    if (exp > LatencyHistogram.MAX_EXP) return ((LatencyHistogram.MAX_EXP - LatencyHistogram.MIN_EXP + 1) << 7) - 1;
    return ((exp - LatencyHistogram.MIN_EXP) << 7) | ((hi >>> 13) & 0x7f);
  }

  /** The largest value of a bucket (its exclusive upper edge). */
  static upperEdge(bucket: number): number {
    const exp = (bucket >> 7) + LatencyHistogram.MIN_EXP;
    const sub = bucket & 0x7f;
    return 2 ** exp * (1 + (sub + 1) / 128);
  }

  add(ms: number): void {
    // biome-ignore lint/complexity/useMathMinMax: a NaN latency must count as 0, not poison the sum
    const v = ms > 0 ? ms : 0;
    const b = LatencyHistogram.bucketOf(v);
    this.counts[b]!++;
    if (b < this.lo) this.lo = b;
    if (b > this.hi) this.hi = b;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
    if (v < this.min) this.min = v;
  }

  /** The q-quantile (0..1): see the class comment for its error. NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.min(this.count, Math.max(1, Math.ceil(q * this.count)));
    let seen = 0;
    const counts = this.counts;
    for (let i = this.lo; i <= this.hi; i++) {
      seen += counts[i]!;
      if (seen >= rank) return Math.max(this.min, Math.min(this.max, LatencyHistogram.upperEdge(i)));
    }
    return this.max;
  }

  mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }

  summary(): LatencySummary {
    const empty = this.count === 0;
    return {
      count: this.count,
      mean: empty ? Number.NaN : this.mean(),
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      max: empty ? Number.NaN : this.max,
    };
  }
}

/** Latency figures in ms; NaN (null in JSON) when there was no request. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface RunResults {
  /** Simulated time the results cover (the last sample or answer). */
  durationMs: number;
  requests: number;
  answered: number;
  status503: number;
  status504: number;
  /** Other failures (404 for unknown hosts, client errors). */
  otherErrors: number;
  /** Answered requests. */
  latency: LatencySummary;
  /** Answered requests the activator held while no pod could take them. */
  coldRequests: number;
  coldLatency: LatencySummary;
  /** Scale-from-zero events (a Deployment scaled from 0 to ≥ 1 replicas). */
  coldStarts: number;
  /** From the last request's answer to the last pod gone; null if pods remain. */
  timeToZeroMs: number | null;
  maxPods: number;
  meanPods: number;
  /** Sum over sampled seconds of the pods that existed (starting + ready + terminating). */
  podSeconds: number;
  panicSeconds: number;
  activatorInPathSeconds: number;
}

export class ResultsCollector {
  readonly all = new LatencyHistogram();
  readonly cold = new LatencyHistogram();
  requests = 0;
  answered = 0;
  status503 = 0;
  status504 = 0;
  otherErrors = 0;
  coldStarts = 0;
  private lastAnswerAt: number | null = null;
  /** Pods alive now, across revisions (from pod events), and when that last became 0. */
  private livePods = new Set<string>();
  private zeroAt: number | null = null;
  private sawPods = false;
  // The second being folded (samples of one second come together, one per revision).
  private curSecond = Number.NaN;
  private curPods = 0;
  private curPanic = false;
  private curActivator = false;
  private seconds = 0;
  private podSum = 0;
  maxPods = 0;
  panicSeconds = 0;
  activatorSeconds = 0;
  private lastT = 0;

  request(status: number, latencyMs: number, cold: boolean, at: number): void {
    this.requests++;
    if (status >= 200 && status < 400) {
      this.answered++;
      this.all.add(latencyMs);
      if (cold) this.cold.add(latencyMs);
    } else if (status === 503) this.status503++;
    else if (status === 504) this.status504++;
    else this.otherErrors++;
    this.lastAnswerAt = at;
    if (at > this.lastT) this.lastT = at;
  }

  /**
   * A result by the name expectations use (`requests`, `answered`, `503`, `504`, `errors`,
   * `cold-starts`, `p50`, `p95`, `p99`, `max-pods`), read from the running counters: runs check
   * expectations every 100 ms, so nothing else is computed. Undefined for another name.
   */
  metric(name: string): number | undefined {
    switch (name) {
      case 'requests':
        return this.requests;
      case 'answered':
        return this.answered;
      case '503':
        return this.status503;
      case '504':
        return this.status504;
      case 'errors':
        return this.status503 + this.status504 + this.otherErrors;
      case 'cold-starts':
        return this.coldStarts;
      case 'p50':
        return this.all.quantile(0.5);
      case 'p95':
        return this.all.quantile(0.95);
      case 'p99':
        return this.all.quantile(0.99);
      case 'max-pods':
        return this.results().maxPods;
      default:
        return undefined;
    }
  }

  /** Folds the events results need: samples, scale steps (cold starts) and pod phases (time to zero). */
  observe(line: LogLine): void {
    switch (line.type) {
      case 'sample':
        this.sample(line);
        break;
      case 'scale':
        if (line.from === 0 && line.to > 0) this.coldStarts++;
        break;
      case 'pod':
        if (line.phase === 'Gone') {
          if (this.livePods.delete(line.pod) && this.livePods.size === 0) this.zeroAt = line.t;
        } else if (!this.livePods.has(line.pod)) {
          this.livePods.add(line.pod);
          this.sawPods = true;
          this.zeroAt = null;
        }
        break;
    }
  }

  /** Folds one revision's per-second sample; samples of the same second are summed across revisions. */
  sample(s: SampleEvent): void {
    const second = Math.round(s.t / 1000);
    if (second !== this.curSecond) {
      this.flush();
      this.curSecond = second;
    }
    this.curPods += s.ready + s.pending + s.terminating;
    if (s.panic) this.curPanic = true;
    if (s.activatorInPath) this.curActivator = true;
    if (s.t > this.lastT) this.lastT = s.t;
  }

  private flush(): void {
    if (Number.isNaN(this.curSecond)) return;
    this.seconds++;
    this.podSum += this.curPods;
    if (this.curPods > this.maxPods) this.maxPods = this.curPods;
    if (this.curPanic) this.panicSeconds++;
    if (this.curActivator) this.activatorSeconds++;
    this.resetSecond();
  }

  private resetSecond(): void {
    this.curSecond = Number.NaN;
    this.curPods = 0;
    this.curPanic = false;
    this.curActivator = false;
  }

  /** The results so far (the second being folded counts as complete; nothing is reset). */
  results(): RunResults {
    const open = !Number.isNaN(this.curSecond);
    const seconds = this.seconds + (open ? 1 : 0);
    const podSum = this.podSum + (open ? this.curPods : 0);
    const maxPods = open ? Math.max(this.maxPods, this.curPods) : this.maxPods;
    const panicSeconds = this.panicSeconds + (open && this.curPanic ? 1 : 0);
    const activatorSeconds = this.activatorSeconds + (open && this.curActivator ? 1 : 0);
    const last = this.lastAnswerAt;
    const atZero = this.livePods.size === 0;
    let timeToZeroMs: number | null = null;
    if (last !== null && atZero) {
      timeToZeroMs = this.sawPods && this.zeroAt !== null ? Math.max(0, this.zeroAt - last) : 0;
    }
    return {
      durationMs: this.lastT,
      requests: this.requests,
      answered: this.answered,
      status503: this.status503,
      status504: this.status504,
      otherErrors: this.otherErrors,
      latency: this.all.summary(),
      coldRequests: this.cold.count,
      coldLatency: this.cold.summary(),
      coldStarts: this.coldStarts,
      timeToZeroMs,
      maxPods,
      meanPods: seconds === 0 ? 0 : podSum / seconds,
      podSeconds: podSum,
      panicSeconds,
      activatorInPathSeconds: activatorSeconds,
    };
  }
}

/** The results as JSON text: NaN (no data) becomes null, ms figures rounded to 0.001. */
export function resultsToJSON(results: RunResults, indent = 2): string {
  return JSON.stringify(
    results,
    (_key, value) => {
      if (typeof value !== 'number') return value;
      if (!Number.isFinite(value)) return null;
      return Number.isInteger(value) ? value : Math.round(value * 1000) / 1000;
    },
    indent,
  );
}

function ms(v: number | null): string {
  if (v === null || Number.isNaN(v)) return '-';
  if (v < 1) return `${v.toFixed(2)} ms`;
  if (v < 999.5) return `${v.toFixed(v < 9.95 ? 1 : 0)} ms`;
  if (v < 59_950) return `${(v / 1000).toFixed(v < 9_995 ? 2 : 1)} s`;
  return seconds(Math.round(v / 1000)); // not 1m60s for 119.6 s
}

/** Whole seconds: 45 s, 7m29s, 23h59m. */
function seconds(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

/**
 * A span of simulated time in the units of `seconds`: `0 s`, `0.25 s`, `12.5 s`, `2m20s`, `1h5m`
 * (latencies keep their own style: ms under a second, then seconds with two decimals).
 */
function duration(v: number): string {
  const s = v / 1000;
  if (s < 10) return `${Number(s.toFixed(3))} s`;
  const tenths = Math.round(s * 10) / 10;
  if (tenths < 60) return `${Number(tenths.toFixed(1))} s`;
  return seconds(Math.round(s));
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** How long the pods took to reach zero after the last request's answer, or why there is no figure. */
function timeToZero(r: RunResults): string {
  if (r.timeToZeroMs !== null) return duration(r.timeToZeroMs);
  return r.requests === 0 ? 'n/a (no requests)' : 'n/a (pods still up at the end)';
}

/** The results in a few plain lines, for the transcript's summary. */
export function formatResults(r: RunResults): string {
  const lat = (l: LatencySummary) =>
    l.count === 0 ? 'none' : `p50 ${ms(l.p50)}, p95 ${ms(l.p95)}, p99 ${ms(l.p99)}, max ${ms(l.max)}`;
  const lines = [
    `requests ${r.requests}: ${r.answered} answered, ${r.status503} × 503, ${r.status504} × 504${r.otherErrors > 0 ? `, ${r.otherErrors} other errors` : ''}`,
    `latency ${lat(r.latency)}`,
    `cold requests ${r.coldRequests}${r.coldRequests > 0 ? `: ${lat(r.coldLatency)}` : ''}; cold starts (scale from zero) ${r.coldStarts}`,
    `pods max ${r.maxPods}, mean ${num(r.meanPods)}, ${num(r.podSeconds)} pod-seconds; time to zero after the last request ${timeToZero(r)}`,
    `panic ${seconds(r.panicSeconds)}, activator in the path ${seconds(r.activatorInPathSeconds)} of ${duration(r.durationMs)}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Columns of the per-second CSV (`knsim run --csv`), one row per revision per second. */
export const CSV_COLUMNS = [
  't',
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

/** One CSV row of a sample (t in seconds). */
export function csvRow(s: SampleEvent): string {
  const rev = /[",\n]/.test(s.revision) ? `"${s.revision.replace(/"/g, '""')}"` : s.revision;
  return `${s.t / 1000},${rev},${s.desired},${s.ready},${s.pending},${s.terminating},${s.rps},${s.concurrency},${s.activatorQueue},${s.queueProxyQueue},${s.inFlight},${s.panic ? 1 : 0},${s.activatorInPath ? 1 : 0}\n`;
}
