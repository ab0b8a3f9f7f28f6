import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/results/results.js';

const E = LatencyHistogram.RELATIVE_ERROR;

/** The exact sample quantile the histogram approximates: the value of rank ceil(q·n). */
function exact(sorted: number[], q: number): number {
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

describe('LatencyHistogram', () => {
  it('states an error of 1/128', () => {
    expect(E).toBe(1 / 128);
  });

  it('returns every quantile within its stated error of the sorted array (values ≥ 0.001 ms)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.001, max: 1e9, noNaN: true, noDefaultInfinity: true }), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, q) => {
          const h = new LatencyHistogram();
          for (const v of values) h.add(v);
          const sorted = values.slice().sort((a, b) => a - b);
          const want = exact(sorted, q);
          const got = h.quantile(q);
          expect(got).toBeGreaterThanOrEqual(want);
          expect(got).toBeLessThanOrEqual(want * (1 + E));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('merged, answers as one histogram of all the values (its counts span only the powers of two in use)', () => {
    const values = fc.array(fc.double({ min: 0, max: 1e12, noNaN: true, noDefaultInfinity: true }), { maxLength: 80 });
    fc.assert(
      fc.property(values, values, values, fc.double({ min: 0, max: 1, noNaN: true }), (a, b, c, q) => {
        const whole = new LatencyHistogram();
        const parts = [a, b, c].map((vs) => {
          const h = new LatencyHistogram();
          for (const v of vs) {
            h.add(v);
            whole.add(v);
          }
          return h;
        });
        const merged = new LatencyHistogram();
        for (const p of parts) merged.merge(p);
        expect(merged.count).toBe(whole.count);
        expect(merged.quantile(q)).toBe(whole.quantile(q));
        for (const rank of [1, 2, Math.ceil(whole.count / 2), whole.count]) {
          expect(merged.atRank(rank)).toBe(whole.atRank(rank));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is exact at the extremes and keeps count, mean and max', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 200 }), (values) => {
        const h = new LatencyHistogram();
        for (const v of values) h.add(v);
        expect(h.count).toBe(values.length);
        expect(h.max).toBe(Math.max(...values));
        expect(h.quantile(1)).toBe(Math.max(...values));
        expect(h.quantile(0)).toBeGreaterThanOrEqual(Math.min(...values));
        expect(h.mean()).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
      }),
    );
  });

  it('maps bucket edges consistently: a value is below its bucket’s upper edge and above the previous one', () => {
    fc.assert(
      fc.property(fc.double({ min: 2 ** -10, max: 2 ** 40, noNaN: true }), (v) => {
        const b = LatencyHistogram.bucketOf(v);
        expect(v).toBeLessThan(LatencyHistogram.upperEdge(b));
        if (b > 0) expect(v).toBeGreaterThanOrEqual(LatencyHistogram.upperEdge(b - 1));
      }),
    );
  });

  it('is empty until something is added (NaN quantiles), and counts negative values as 0', () => {
    const h = new LatencyHistogram();
    expect(h.quantile(0.5)).toBeNaN();
    h.add(-5);
    expect(h.quantile(0.5)).toBe(0);
    expect(h.max).toBe(0);
  });
});
