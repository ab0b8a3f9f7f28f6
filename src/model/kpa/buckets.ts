/**
 * The arithmetic of Knative's metric buckets (reference §2 items 5–6): 1 s buckets, the
 * weighted-exponential decay coefficient, and Go's rounding of averages to 6 decimals.
 */

/** Width of one metric bucket. */
export const BUCKET_MS = 1_000;

/** Weight that the buckets of a full window must carry at least (weighted-exponential). */
const WEIGHT_PRECISION = 0.9999;
/** Smallest decay coefficient, so huge windows do not become a plain average. */
const MIN_SMOOTHING_COEFF = 0.2;
const DECIMALS = 6;

/** Number of 1 s buckets a window of `windowMs` spans (rounded up). */
export function bucketCount(windowMs: number): number {
  return Math.ceil(windowMs / BUCKET_MS);
}

/** Decay coefficient of the weighted-exponential average for a window of `buckets` buckets. */
export function smoothingCoefficient(buckets: number): number {
  return Math.max(1 - (1 - WEIGHT_PRECISION) ** (1 / buckets), MIN_SMOOTHING_COEFF);
}

/** Rounds to `digits` decimals, halves away from zero (Go `math.Round(x·10ⁿ)/10ⁿ`). */
export function roundToDigits(x: number, digits: number = DECIMALS): number {
  const p = 10 ** digits;
  const y = x * p;
  const r = Math.sign(y) * Math.round(Math.abs(y));
  return (r === 0 ? 0 : r) / p;
}
