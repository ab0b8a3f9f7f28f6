import seedrandom from 'seedrandom';
import type { Random } from '../../src/model/random.js';
import type { Sampler } from '../../src/sim/load/types.js';

export function rng(seed = 'test'): Random {
  return seedrandom(seed);
}

export function sample(s: Sampler, n: number, seed = 'sample'): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = s(r);
  return out;
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  return s / xs.length;
}

export function variance(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += ((xs[i] as number) - m) ** 2;
  return s / (xs.length - 1);
}

/** q-quantile (0..1) with linear interpolation. */
export function quantile(xs: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(xs).sort();
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/** Counts of `times` in consecutive bins of `binMs` from `startMs` to `endMs`. */
export function binCounts(times: ArrayLike<number>, startMs: number, endMs: number, binMs: number): number[] {
  const n = Math.ceil((endMs - startMs) / binMs);
  const bins = new Array<number>(n).fill(0);
  for (let i = 0; i < times.length; i++) {
    const b = Math.floor(((times[i] as number) - startMs) / binMs);
    if (b >= 0 && b < n) bins[b] = (bins[b] as number) + 1;
  }
  return bins;
}
