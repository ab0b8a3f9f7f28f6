/**
 * How much two runs may differ by chance alone, row by row, so that `compare` calls a difference
 * only where it is larger than that (docs/live.md, "When is a difference real?"). One run on each
 * side cannot measure its own noise by repetition, so each kind of figure has its own estimate:
 *
 * - a latency quantile of n requests: the distribution-free 95 % confidence interval of the
 *   quantile from order statistics (ranks n·q ± 1.96·√(n·q·(1−q))); the runs differ when their
 *   two intervals do not overlap (a conservative test). Too few requests give an open interval,
 *   and no verdict.
 * - a share of requests (errors, 503, 504, no answer): the two-proportion z-test; they differ
 *   when |z| > 1.96.
 * - a count of independent events (cold starts, pods, requests): Poisson noise; they differ when
 *   |a − b| > 1.96·√(a + b).
 * - a single observed moment or span (first pod Ready, scale to zero, time in panic): no spread
 *   can be measured, so a fixed tolerance: the larger of the figure's resolution (the 2 s
 *   autoscaler tick for what the autoscaler times, 1 s for samples and watch events) and 10 %.
 */

export const Z95 = 1.96;

export type NoiseMethod = 'quantile' | 'proportion' | 'poisson' | 'tolerance';

export interface Noise {
  method: NoiseMethod;
  /** True when the difference is beyond the noise, false when within, null when it cannot be told. */
  differs: boolean | null;
  /** The estimate in words: the intervals, z, or the tolerance. */
  detail: string;
}

/** The 95 % interval of the q-quantile of sorted values: null ends when too few values. */
export function quantileInterval(sorted: readonly number[], q: number): { lo: number | null; hi: number | null } {
  const n = sorted.length;
  if (n === 0) return { lo: null, hi: null };
  const half = Z95 * Math.sqrt(n * q * (1 - q));
  const lo = Math.floor(n * q - half);
  const hi = Math.ceil(n * q + half) + 1;
  return { lo: lo >= 1 ? sorted[lo - 1]! : null, hi: hi <= n ? sorted[hi - 1]! : null };
}

export function quantileNoise(
  a: readonly number[],
  b: readonly number[],
  q: number,
  format: (v: number) => string,
): Noise {
  const ia = quantileInterval(a, q);
  const ib = quantileInterval(b, q);
  const words = (i: { lo: number | null; hi: number | null }, n: number) =>
    i.lo === null || i.hi === null ? `open (${n} requests)` : `${format(i.lo)}–${format(i.hi)}`;
  const detail = `95% intervals ${words(ia, a.length)} and ${words(ib, b.length)}`;
  if (a.length === 0 || b.length === 0) return { method: 'quantile', differs: null, detail };
  // Disjoint when one interval's top is below the other's bottom (an open end never is).
  const below = (x: typeof ia, y: typeof ib) => x.hi !== null && y.lo !== null && x.hi < y.lo;
  const disjoint = below(ia, ib) || below(ib, ia);
  const open = ia.lo === null || ia.hi === null || ib.lo === null || ib.hi === null;
  return {
    method: 'quantile',
    differs: disjoint ? true : open ? null : false,
    detail: disjoint ? `${detail} do not overlap` : detail,
  };
}

/** Shares x/n of two runs. */
export function proportionNoise(xa: number, na: number, xb: number, nb: number): Noise {
  const pct = (x: number, n: number) => `${Number(((100 * x) / n).toFixed(1))}%`;
  if (na === 0 || nb === 0) return { method: 'proportion', differs: null, detail: 'no requests on one side' };
  const pooled = (xa + xb) / (na + nb);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb));
  const diff = xb / nb - xa / na;
  const z = se === 0 ? 0 : diff / se;
  return {
    method: 'proportion',
    differs: Math.abs(z) > Z95,
    detail: `${pct(xa, na)} and ${pct(xb, nb)} of the requests (z = ${z.toFixed(1)}, noise within ±${Z95})`,
  };
}

export function poissonNoise(a: number, b: number): Noise {
  const bound = Z95 * Math.sqrt(a + b);
  return {
    method: 'poisson',
    differs: Math.abs(b - a) > bound,
    detail: `counting noise ±${Number(bound.toFixed(1))} (1.96·√(${a} + ${b}))`,
  };
}

/** A single observation on each side: `resolutionMs` is what the figure cannot resolve below. */
export function toleranceNoise(
  a: number | null,
  b: number | null,
  resolutionMs: number,
  format: (v: number) => string,
): Noise {
  if (a === null || b === null) return { method: 'tolerance', differs: null, detail: 'missing on one side' };
  const tolerance = Math.max(resolutionMs, 0.1 * Math.max(Math.abs(a), Math.abs(b)));
  return {
    method: 'tolerance',
    differs: Math.abs(b - a) > tolerance,
    detail: `tolerance ±${format(tolerance)} for one observation`,
  };
}
