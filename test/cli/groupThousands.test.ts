/** The limit flags' help writes counts as `toLocaleString('en-US')` would, without loading ICU. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupThousands } from '../../src/cli/limitFlags.js';

describe('groupThousands', () => {
  it('writes whole numbers as en-US does', () => {
    for (const x of [0, 7, 999, 1_000, 10_000, 100_000, 1_000_000, 50_000_000, 2 ** 53 - 1]) {
      expect(groupThousands(x)).toBe(x.toLocaleString('en-US'));
    }
    fc.assert(fc.property(fc.maxSafeNat(), (x) => groupThousands(x) === x.toLocaleString('en-US')));
  });
});
