import { expVariate, normalVariate, Z99 } from './rng.js';
import type { Sampler } from './types.js';

/**
 * Service-time distributions, all in **milliseconds**. `makeServiceTime(spec)` turns a spec into a
 * `Sampler` (`(random) => ms`); every sampler returns a finite number >= 0.
 */
export type ServiceTimeSpec =
  | { constant: number }
  | { exponential: { mean: number } }
  | { lognormal: { mu: number; sigma: number } | { median: number; p99: number } }
  | { uniform: { min: number; max: number } }
  | { empirical: PercentilePoints };

/**
 * Percentile points of an empirical distribution: keys `p0` … `p100` (decimals allowed: `p99.9`),
 * values in ms, non-decreasing with the percentile.
 */
export type PercentilePoints = Readonly<Record<string, number>>;

export class ServiceTimeError extends Error {
  /** The key of the spec at fault (`p99`, `max`, `p50`), for the parser to point at. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.name = 'ServiceTimeError';
    this.field = field;
  }
}

export function constant(ms: number): Sampler {
  checkNonNegative('constant', ms);
  return () => ms;
}

export function exponential(mean: number): Sampler {
  checkNonNegative('exponential mean', mean);
  return (random) => expVariate(random, mean);
}

/** Lognormal with the parameters of the underlying normal (`ln(ms) ~ N(mu, sigma²)`). */
export function lognormal(mu: number, sigma: number): Sampler {
  if (!Number.isFinite(mu)) throw new ServiceTimeError(`lognormal mu must be finite, got ${mu}`);
  if (!(sigma >= 0) || !Number.isFinite(sigma)) {
    throw new ServiceTimeError(`lognormal sigma must be >= 0, got ${sigma}`);
  }
  return (random) => Math.exp(mu + sigma * normalVariate(random));
}

/** Lognormal fitted to a median and a 99th percentile: mu = ln(median), sigma = ln(p99/median)/z99. */
export function lognormalFromPercentiles(median: number, p99: number): Sampler {
  if (!(median > 0)) throw new ServiceTimeError(`lognormal median must be > 0, got ${median}`, 'median');
  if (!(p99 >= median)) {
    throw new ServiceTimeError(`lognormal p99 (${p99} ms) must be >= median (${median} ms)`, 'p99');
  }
  return lognormal(Math.log(median), Math.log(p99 / median) / Z99);
}

export function uniform(min: number, max: number): Sampler {
  checkNonNegative('uniform min', min, 'min');
  if (!(max >= min) || !Number.isFinite(max)) {
    throw new ServiceTimeError(`uniform max (${max} ms) must be >= min (${min} ms)`, 'max');
  }
  const width = max - min;
  return (random) => min + width * random();
}

/**
 * Piecewise-linear inverse CDF through the given percentile points (what DSLab calls *Piecewise*
 * for the Azure 2019 duration percentiles). Missing ends are filled in:
 * - no `p0`: the first segment is extended down to p0 with the same slope, floored at 0 ms;
 * - no `p100`: the last segment is extended up to p100 with the same slope.
 * With a single point the distribution is that constant.
 */
export function empirical(points: PercentilePoints): Sampler {
  const { ps, vs } = normalisePercentiles(points);
  const n = ps.length;
  if (n === 1) return constant(vs[0] as number);
  const start = segmentStarts(ps);
  return (random) => {
    const u = random();
    // The segment is the first i >= 1 with ps[i] >= u (or the last); the scan starts where it
    // starts for the lowest u of u's bucket, as every earlier point is below u too.
    let i = start[(u * SEGMENT_BUCKETS) | 0] as number;
    while (i < n - 1 && (ps[i] as number) < u) i++;
    const p0 = ps[i - 1] as number;
    const p1 = ps[i] as number;
    const v0 = vs[i - 1] as number;
    const v1 = vs[i] as number;
    return p1 === p0 ? v1 : v0 + ((v1 - v0) * (u - p0)) / (p1 - p0);
  };
}

/** Buckets of u in [0, 1) for `segmentStarts` (a power of two: u × it and its floor are exact). */
export const SEGMENT_BUCKETS = 1024;

/**
 * For each bucket b of u (u × SEGMENT_BUCKETS in [b, b + 1)), where `empirical`'s scan for the
 * segment of u may start: the segment of u = b / SEGMENT_BUCKETS. The scan from there ends where
 * the scan from 1 does (ps is sorted), in one or two steps instead of up to ps.length.
 * (One more entry, for u = 1, which random() never returns.)
 */
export function segmentStarts(ps: Float64Array): Uint16Array {
  const n = ps.length;
  const start = new Uint16Array(SEGMENT_BUCKETS + 1);
  let i = 1;
  for (let b = 0; b <= SEGMENT_BUCKETS; b++) {
    const u = b / SEGMENT_BUCKETS;
    while (i < n - 1 && (ps[i] as number) < u) i++;
    start[b] = i;
  }
  return start;
}

/** Sorted percentile fractions (0..1) and values, with p0 and p100 filled in (see `empirical`). */
export function normalisePercentiles(points: PercentilePoints): { ps: Float64Array; vs: Float64Array } {
  const pairs: [number, number][] = [];
  const keyOf = new Map<number, string>();
  for (const [key, value] of Object.entries(points)) {
    const m = /^p(\d+(?:\.\d+)?)$/.exec(key);
    if (m === null) throw new ServiceTimeError(`empirical: bad key ${JSON.stringify(key)} (expected p0 … p100)`);
    const p = Number(m[1]);
    if (p > 100) throw new ServiceTimeError(`empirical: ${key} is above p100`);
    if (!Number.isFinite(value) || value < 0) {
      throw new ServiceTimeError(`empirical: ${key} must be a number >= 0, got ${value}`);
    }
    pairs.push([p / 100, value]);
    keyOf.set(p / 100, key);
  }
  if (pairs.length === 0) throw new ServiceTimeError('empirical: needs at least one percentile point');
  pairs.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < pairs.length; i++) {
    const [pa, va] = pairs[i - 1] as [number, number];
    const [pb, vb] = pairs[i] as [number, number];
    if (vb < va) {
      const kb = keyOf.get(pb) ?? `p${pb * 100}`;
      const ka = keyOf.get(pa) ?? `p${pa * 100}`;
      throw new ServiceTimeError(`empirical: values must not decrease, but ${kb} (${vb} ms) < ${ka} (${va} ms)`, kb);
    }
  }
  if (pairs.length > 1) {
    const [pf, vf] = pairs[0] as [number, number];
    if (pf > 0) {
      const [ps2, vs2] = pairs[1] as [number, number];
      pairs.unshift([0, Math.max(0, vf - ((vs2 - vf) / (ps2 - pf)) * pf)]);
    }
    const [pl, vl] = pairs[pairs.length - 1] as [number, number];
    if (pl < 1) {
      const [pp, vp] = pairs[pairs.length - 2] as [number, number];
      pairs.push([1, vl + ((vl - vp) / (pl - pp)) * (1 - pl)]);
    }
  }
  return { ps: Float64Array.from(pairs, (x) => x[0]), vs: Float64Array.from(pairs, (x) => x[1]) };
}

/** Spec → sampler. */
export function makeServiceTime(spec: ServiceTimeSpec): Sampler {
  if ('constant' in spec) return constant(spec.constant);
  if ('exponential' in spec) return exponential(spec.exponential.mean);
  if ('uniform' in spec) return uniform(spec.uniform.min, spec.uniform.max);
  if ('empirical' in spec) return empirical(spec.empirical);
  const l = spec.lognormal;
  if ('median' in l) return lognormalFromPercentiles(l.median, l.p99);
  return lognormal(l.mu, l.sigma);
}

/** The default when a phase gives no `service`: a constant 100 ms (predictable, easy to reason about). */
export const DEFAULT_SERVICE_TIME: ServiceTimeSpec = { constant: 100 };

function checkNonNegative(what: string, x: number, field?: string): void {
  if (!Number.isFinite(x) || x < 0) throw new ServiceTimeError(`${what} must be a number >= 0, got ${x}`, field);
}
