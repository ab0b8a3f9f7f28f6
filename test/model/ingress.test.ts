/**
 * The ingress's round robin (src/model/dataplane.ts `ingressRoundRobin`, `ingressRoundRobinStart`):
 * Envoy's ROUND_ROBIN with equal weights, the policy of the clusters Kourier makes for a revision.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingressRoundRobin, ingressRoundRobinStart } from '../../src/model/dataplane.js';

const draw = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('ingressRoundRobin', () => {
  it('from any start, takes the pods in turn: every pick is the one after the last', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), draw, fc.integer({ min: 1, max: 200 }), (n, d, k) => {
        const start = ingressRoundRobinStart(n, () => d);
        let last = -1;
        for (let i = 0; i < k; i++) {
          const pick = ingressRoundRobin(n, start + i);
          expect(pick).toBeGreaterThanOrEqual(0);
          expect(pick).toBeLessThan(n);
          if (last >= 0) expect(pick).toBe((last + 1) % n);
          else expect(pick).toBe(start);
          last = pick;
        }
      }),
    );
  });

  it('gives every pod the same share, within one, over any run of picks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), draw, fc.integer({ min: 0, max: 500 }), (n, d, k) => {
        const counts = new Array<number>(n).fill(0);
        const start = ingressRoundRobinStart(n, () => d);
        for (let i = 0; i < k; i++) counts[ingressRoundRobin(n, start + i)]!++;
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(k);
      }),
    );
  });

  it('starts at any pod with equal chance: the draw in [i/n, (i+1)/n) starts at pod i', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), draw, (n, d) => {
        const start = ingressRoundRobinStart(n, () => d);
        expect(start).toBeGreaterThanOrEqual(0);
        expect(start).toBeLessThan(n);
        expect(start / n).toBeLessThanOrEqual(d);
        expect((start + 1) / n).toBeGreaterThan(d);
      }),
    );
  });

  it('draws once for a start of several pods, and never for a pick nor for one pod', () => {
    expect(ingressRoundRobinStart(1, () => expect.unreachable('a draw for one pod'))).toBe(0);
    let draws = 0;
    const start = ingressRoundRobinStart(5, () => {
      draws++;
      return 0.99;
    });
    expect(draws).toBe(1);
    expect(start).toBe(4);
    expect([0, 1, 2, 3, 4, 5].map((i) => ingressRoundRobin(5, start + i))).toEqual([4, 0, 1, 2, 3, 4]);
  });
});
