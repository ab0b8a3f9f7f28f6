/**
 * Windowed averages of a metric in 1-second buckets (reference §2 items 5–6): a mutable ring,
 * `record` O(1) amortised and allocation-free. (test/kpa/oracle.ts computes the same averages
 * independently, from the full list of records, for the property tests.)
 *
 * Rules, for a window of W ms with n = ceil(W / 1 s) buckets:
 * - A record lands in the bucket of its truncated second; records in the same second add up.
 * - Writing past the last write zeroes the skipped buckets. If a whole window passed without a
 *   write, everything resets, including the first-write time.
 * - A record a full window (or more) older than the latest write is ignored; an older record
 *   still inside the window is added to its bucket (and may move first-write back).
 * - Linear average: the sum of the valid buckets divided by the buckets since the first write
 *   (capped at n). If `now` is past the last write but within a window, the buckets that fell
 *   out of the window are dropped and the divisor becomes
 *   min(buckets since first write, n − seconds since the last write). After a window without
 *   writes the average is 0. Results are rounded to 6 decimals.
 * - Weighted-exponential average: Σ value × c × (1 − c)^age over the buckets, newest first,
 *   where c = max(1 − (1 − 0.9999)^(1/n), 0.2); empty seconds after the last write still consume
 *   weight. Not rounded.
 */

import { BUCKET_MS, bucketCount, roundToDigits, smoothingCoefficient } from './buckets.js';
import type { AggregationAlgorithm } from './spec.js';

function bucketOf(tMs: number): number {
  return Math.floor(tMs / BUCKET_MS);
}

/** The buckets of a window at rest (see `rest`): none, read as zeros. */
const NO_BUCKETS = new Float64Array(0);

/** A mutable ring of 1 s buckets holding one window of a metric. */
export class MetricWindow {
  private window: number;
  readonly algorithm: AggregationAlgorithm;
  private buckets: Float64Array;
  private n: number;
  private coeff: number;
  /** Bucket index (seconds) of the first write since the last reset, or null before any write. */
  private firstWrite: number | null = null;
  /** Bucket index (seconds) of the latest write, or null before any write. */
  private lastWrite: number | null = null;

  constructor(windowMs: number, algorithm: AggregationAlgorithm = 'linear') {
    if (!(windowMs > 0)) throw new RangeError(`window must be positive, was ${windowMs} ms`);
    this.window = windowMs;
    this.algorithm = algorithm;
    this.n = bucketCount(windowMs);
    this.buckets = new Float64Array(this.n);
    this.coeff = smoothingCoefficient(this.n);
  }

  /** The window length. */
  get windowMs(): number {
    return this.window;
  }

  /**
   * Changes the window length (e.g. the `window` annotation changed). If something was written
   * within the old window as of `nowMs`, the newest min(old, new) buckets are kept and the first
   * write is taken to be a full old window before the last write; otherwise the window starts
   * empty. The weighted-exponential coefficient follows the new bucket count.
   */
  resize(windowMs: number, nowMs: number): void {
    if (windowMs === this.window) return;
    if (!(windowMs > 0)) throw new RangeError(`window must be positive, was ${windowMs} ms`);
    const n = bucketCount(windowMs);
    const buckets = new Float64Array(n);
    const last = this.lastWrite;
    if (last !== null && (bucketOf(nowMs) - last) * BUCKET_MS <= this.window) {
      for (let i = 0; i < Math.min(n, this.n); i++) {
        const t = last - i;
        buckets[((t % n) + n) % n] = this.buckets[this.slot(t)] ?? 0;
      }
      this.firstWrite = last - (this.n - 1);
    } else {
      this.firstWrite = null;
    }
    this.window = windowMs;
    this.n = n;
    this.buckets = buckets;
    this.coeff = smoothingCoefficient(n);
  }

  private slot(bucket: number): number {
    return ((bucket % this.n) + this.n) % this.n;
  }

  /** Adds `value` to the bucket of second floor(tMs / 1000). */
  record(tMs: number, value: number): void {
    const b = bucketOf(tMs);
    const last = this.lastWrite;
    if (last === null) {
      this.firstWrite = b;
      this.lastWrite = b;
      this.zero();
    } else if (b !== last) {
      // Too old: a full window or more before the latest write.
      if (!(b * BUCKET_MS + this.window > last * BUCKET_MS)) return;
      if (this.firstWrite === null || this.firstWrite > b) this.firstWrite = b;
      if (b > last) {
        if ((b - last) * BUCKET_MS >= this.window) {
          // A whole window without writes: start over.
          this.zero();
          this.firstWrite = b;
        } else {
          for (let i = last + 1; i <= b; i++) this.buckets[this.slot(i)] = 0;
        }
        this.lastWrite = b;
      }
    }
    const s = this.slot(b);
    this.buckets[s] = (this.buckets[s] ?? 0) + value;
  }

  /** Every bucket to 0 (made again if the window was at rest). */
  private zero(): void {
    if (this.buckets.length === this.n) this.buckets.fill(0);
    else this.buckets = new Float64Array(this.n);
  }

  /**
   * Lets go of the buckets when nothing was recorded within the last window as of `nowMs` (an
   * idle revision's windows: 66 doubles and two buffers it keeps for nothing). From then on
   * no bucket is read before it is zeroed: time only moves on, so the next record is a whole
   * window after the last write and starts over, every average until then is 0 without a
   * read, and a resize starts the window empty. The times of the first and last write stay:
   * the window answers as before, whether at rest or not.
   */
  rest(nowMs: number): void {
    if (this.lastWrite !== null && this.isEmpty(nowMs)) this.buckets = NO_BUCKETS;
  }

  /** True when nothing was recorded within the last window (the collector's "no data"). */
  isEmpty(nowMs: number): boolean {
    return this.lastWrite === null || (bucketOf(nowMs) - this.lastWrite) * BUCKET_MS > this.window;
  }

  /** The window average at `nowMs` with this window's algorithm. */
  average(nowMs: number): number {
    return this.algorithm === 'linear' ? this.linearAverage(nowMs) : this.weightedAverage(nowMs);
  }

  private linearAverage(nowMs: number): number {
    const last = this.lastWrite;
    if (last === null) return 0;
    // After a resize without recent data the first write is unknown: use the whole window.
    const first = this.firstWrite ?? last - this.n + 1;
    const now = bucketOf(nowMs);
    const gap = now - last;
    if (gap * BUCKET_MS >= this.window && gap > 0) return 0;
    const oldest = gap <= 0 ? last - this.n + 1 : now - this.n + 1;
    let sum = 0;
    for (let k = oldest; k <= last; k++) sum += this.buckets[this.slot(k)] ?? 0;
    const divisor = Math.min(last - first + 1, gap <= 0 ? this.n : this.n - gap);
    return roundToDigits(sum / divisor);
  }

  private weightedAverage(nowMs: number): number {
    const last = this.lastWrite;
    if (last === null || this.isEmpty(nowMs)) return 0;
    const now = bucketOf(nowMs);
    let weight = this.coeff;
    let count = this.n;
    if (now > last) {
      weight *= (1 - this.coeff) ** (now - last);
      count -= now - last;
    }
    let sum = 0;
    for (let i = 0; i < count; i++) {
      sum += (this.buckets[this.slot(last - i)] ?? 0) * weight;
      weight *= 1 - this.coeff;
    }
    return sum;
  }
}
