/**
 * Object and Event uids take their hex digits from a byte table (src/sim/cluster.ts `hexWord`)
 * instead of V8's radix conversion: every draw must give the conversion's eight digits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexWord } from '../../src/sim/cluster.js';

const plain = (x: number) =>
  Math.floor(x * 2 ** 32)
    .toString(16)
    .padStart(8, '0');

describe('a uid’s hex digits', () => {
  it('are the radix conversion’s for any draw (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (x) => {
        expect(hexWord(() => x)).toBe(plain(x));
      }),
      { numRuns: 20_000 },
    );
    for (const x of [0, 2 ** -32, 0.5, 0.5 - 2 ** -33, 1 - 2 ** -32, 1 - 2 ** -53, 2 ** -24, 2 ** -8]) {
      expect(hexWord(() => x)).toBe(plain(x));
    }
  });
});
