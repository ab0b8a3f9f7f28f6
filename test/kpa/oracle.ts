/**
 * The window average written independently of src/model/kpa/window.ts (a sparse map over the
 * full list of records instead of a ring), as the oracle of the window's property tests.
 */
import {
  type AggregationAlgorithm,
  BUCKET_MS,
  bucketCount,
  roundToDigits,
  smoothingCoefficient,
} from '../../src/model/kpa/index.js';

/** One metric sample: time in ms and value. */
export interface MetricRecord {
  readonly tMs: number;
  readonly value: number;
}

function bucketOf(tMs: number): number {
  return Math.floor(tMs / BUCKET_MS);
}

/**
 * The window average at `nowMs` of `records` (in the order they were recorded), computed
 * without a ring. Same semantics as {@link MetricWindow}.
 */
export function averageWindow(
  records: readonly MetricRecord[],
  windowMs: number,
  nowMs: number,
  algorithm: AggregationAlgorithm = 'linear',
): number {
  const n = bucketCount(windowMs);
  const sums = new Map<number, number>();
  let first: number | null = null;
  let last: number | null = null;
  for (const { tMs, value } of records) {
    const b = bucketOf(tMs);
    if (last === null || first === null) {
      first = b;
      last = b;
    } else if (b !== last) {
      if (b * BUCKET_MS + windowMs <= last * BUCKET_MS) continue;
      first = Math.min(first, b);
      if (b > last) {
        if ((b - last) * BUCKET_MS >= windowMs) {
          sums.clear();
          first = b;
        }
        last = b;
        // Seconds that slid out of the window are forgotten.
        for (const k of sums.keys()) if (k <= last - n) sums.delete(k);
      }
    }
    sums.set(b, (sums.get(b) ?? 0) + value);
  }
  if (last === null || first === null) return 0;
  const now = bucketOf(nowMs);
  const gap = now - last;
  const at = (k: number): number => sums.get(k) ?? 0;

  if (algorithm === 'weighted-exponential') {
    if (gap * BUCKET_MS > windowMs) return 0;
    const c = smoothingCoefficient(n);
    const empty = Math.max(gap, 0);
    let weight = c * (1 - c) ** empty;
    let sum = 0;
    for (let age = 0; age < n - empty; age++) {
      sum += at(last - age) * weight;
      weight *= 1 - c;
    }
    return sum;
  }

  if (gap > 0 && gap * BUCKET_MS >= windowMs) return 0;
  const from = gap > 0 ? now - n + 1 : last - n + 1;
  let sum = 0;
  for (let k = from; k <= last; k++) sum += at(k);
  const history = last - first + 1;
  return roundToDigits(sum / Math.min(history, gap > 0 ? n - gap : n));
}
