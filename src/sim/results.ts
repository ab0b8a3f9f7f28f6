/**
 * A run's results, streamed: counters and latency histograms (flat memory however many
 * requests), and per-second pod figures folded as they come.
 */
import type { SampleEvent } from '../model/events.js';

/** Histogram with ~1% relative error on 0.01 ms .. many hours (log buckets). */
export class LatencyHistogram {
  private static readonly GROWTH = Math.log(1.01);
  private readonly counts = new Float64Array(2400);
  count = 0;
  max = 0;
  sum = 0;

  add(ms: number): void {
    const v = Math.max(0, ms);
    const i = Math.min(
      this.counts.length - 1,
      v < 0.01 ? 0 : Math.floor(Math.log(v / 0.01) / LatencyHistogram.GROWTH) + 1,
    );
    this.counts[i]!++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** The q-quantile (0..1), as the upper edge of its bucket (capped at the maximum seen). */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return i === 0 ? 0.01 : Math.min(this.max, 0.01 * Math.exp(i * LatencyHistogram.GROWTH));
    }
    return this.max;
  }

  mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }
}

export interface RunResults {
  requests: number;
  answered: number;
  status503: number;
  status504: number;
  otherErrors: number;
  latency: { p50: number; p95: number; p99: number; max: number; mean: number };
  coldLatency: { p50: number; p95: number; p99: number; max: number; count: number };
  coldStarts: number;
  /** From the last request's answer to the moment no pod was left, if that happened. */
  timeToZeroMs: number | null;
  maxPods: number;
  meanPods: number;
  /** Sum over seconds of pods that existed (ready + starting + terminating). */
  podSeconds: number;
  panicSeconds: number;
  activatorInPathSeconds: number;
  durationMs: number;
}

export class ResultsCollector {
  readonly all = new LatencyHistogram();
  readonly cold = new LatencyHistogram();
  requests = 0;
  answered = 0;
  status503 = 0;
  status504 = 0;
  otherErrors = 0;
  private lastAnswerAt: number | null = null;
  private zeroAt: number | null = null;
  private podsBySecond = new Map<number, number>();
  private panicBySecond = new Map<number, boolean>();
  private activatorBySecond = new Map<number, boolean>();
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
    this.zeroAt = null;
  }

  /** Folds one revision's per-second sample; samples of the same second are summed across revisions. */
  sample(s: SampleEvent): void {
    const second = Math.round(s.t / 1000);
    this.flushBefore(second);
    const pods = s.ready + s.pending + s.terminating;
    this.podsBySecond.set(second, (this.podsBySecond.get(second) ?? 0) + pods);
    this.panicBySecond.set(second, (this.panicBySecond.get(second) ?? false) || s.panic);
    this.activatorBySecond.set(second, (this.activatorBySecond.get(second) ?? false) || s.activatorInPath);
    this.lastT = s.t;
  }

  private flushBefore(second: number): void {
    for (const [sec, pods] of this.podsBySecond) {
      if (sec >= second) continue;
      this.seconds++;
      this.podSum += pods;
      if (pods > this.maxPods) this.maxPods = pods;
      if (this.panicBySecond.get(sec)) this.panicSeconds++;
      if (this.activatorBySecond.get(sec)) this.activatorSeconds++;
      if (pods === 0 && this.lastAnswerAt !== null && this.zeroAt === null && sec * 1000 >= this.lastAnswerAt) {
        this.zeroAt = sec * 1000;
      }
      this.podsBySecond.delete(sec);
      this.panicBySecond.delete(sec);
      this.activatorBySecond.delete(sec);
    }
  }

  results(): RunResults {
    this.flushBefore(Number.POSITIVE_INFINITY);
    const pct = (h: LatencyHistogram, q: number) => (h.count === 0 ? Number.NaN : h.quantile(q));
    return {
      requests: this.requests,
      answered: this.answered,
      status503: this.status503,
      status504: this.status504,
      otherErrors: this.otherErrors,
      latency: {
        p50: pct(this.all, 0.5),
        p95: pct(this.all, 0.95),
        p99: pct(this.all, 0.99),
        max: this.all.count === 0 ? Number.NaN : this.all.max,
        mean: this.all.mean(),
      },
      coldLatency: {
        p50: pct(this.cold, 0.5),
        p95: pct(this.cold, 0.95),
        p99: pct(this.cold, 0.99),
        max: this.cold.count === 0 ? Number.NaN : this.cold.max,
        count: this.cold.count,
      },
      coldStarts: this.cold.count,
      timeToZeroMs: this.zeroAt !== null && this.lastAnswerAt !== null ? this.zeroAt - this.lastAnswerAt : null,
      maxPods: this.maxPods,
      meanPods: this.seconds === 0 ? 0 : this.podSum / this.seconds,
      podSeconds: this.podSum,
      panicSeconds: this.panicSeconds,
      activatorInPathSeconds: this.activatorSeconds,
      durationMs: this.lastT,
    };
  }
}
