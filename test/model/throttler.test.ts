/**
 * Several activators' rules (src/model/throttler.ts, src/model/subset.ts, src/model/rules/sks.ts
 * `activatorSubset`), with cases transcribed from Knative's tests:
 * - knative/serving pkg/activator/net/throttler_test.go (@ 00535eca) TestThrottlerUpdateCapacity,
 *   the rows with several activators, and TestThrottlerCalculateCapacity;
 * - knative.dev/pkg hash/hash_test.go (@ 09db9d29) TestChooseSubset and TestCollisionHandling;
 * and fast-check properties where a rule is general (the slices, the subset).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activatorSubset } from '../../src/model/rules/sks.js';
import { chooseSubset, fnv1a64, subsetPoints } from '../../src/model/subset.js';
import {
  activatorIndex,
  activatorIps,
  assignSlice,
  REVISION_MAX_CONCURRENCY,
  throttlerCapacity,
} from '../../src/model/throttler.js';

/**
 * Upstream's rows as `updateCapacity` runs them: with pod trackers, the capacity is CC × the
 * activator's slice (`assignSlice` of the pods by index); without, the backends split (ClusterIP).
 * CC 0 is the infinite breaker, whose capacity reads 0 (no backend) or 1 (open).
 */
function updateCapacity(row: { backends: number; activators: number; index: number; cc: number; pods: number }) {
  const assigned = row.pods === 0 ? 0 : row.cc > 0 ? assignSlice(row.pods, row.index, row.activators).length : row.pods;
  // updateCapacity passes the backend count on; with pod trackers the rows give it as -1 or 5.
  const capacity = throttlerCapacity({
    containerConcurrency: row.cc,
    backends: row.backends,
    assignedPods: assigned,
    activators: row.activators,
  });
  return row.cc === 0 ? (capacity > 0 ? 1 : 0) : capacity;
}

describe('throttler_test.go TestThrottlerUpdateCapacity (the rows with several activators)', () => {
  const rows: {
    name: string;
    backends: number;
    activators: number;
    index: number;
    cc: number;
    pods: number;
    want: number;
  }[] = [
    {
      name: 'numActivators: 5, capacity: 10, cc: 10',
      backends: 10,
      activators: 5,
      index: 0,
      cc: 10,
      pods: 0,
      want: 20,
    },
    {
      name: 'numActivators: 200, capacity: 10, cc: 10',
      backends: 10,
      activators: 200,
      index: 0,
      cc: 10,
      pods: 0,
      want: 1,
    },
    {
      name: 'numActivators: 200, capacity: 0, cc: 10',
      backends: 0,
      activators: 200,
      index: 0,
      cc: 10,
      pods: 0,
      want: 0,
    },
    {
      name: 'newInfiniteBreaker, numActivators: 200, capacity: 0, cc: 0',
      backends: 0,
      activators: 200,
      index: 0,
      cc: 0,
      pods: 0,
      want: 0,
    },
    {
      name: 'newInfiniteBreaker, numActivators: 200, capacity: 1, cc: 0',
      backends: 1,
      activators: 200,
      index: 0,
      cc: 0,
      pods: 0,
      want: 1,
    },
    {
      name: '2 activators. numActivators: 2, capacity: -1, cc: 10, pods: 2',
      backends: -1,
      activators: 2,
      index: 0,
      cc: 10,
      pods: 2,
      want: 10,
    },
    {
      name: 'numActivators: 2, index: 0, pods: 3, cc: 1. Capacity is expected to 20 (2 * 10)',
      backends: -1,
      activators: 2,
      index: 0,
      cc: 10,
      pods: 3,
      want: 20,
    },
    {
      name: 'numActivators: 2, index: 1, pods: 3, cc: 1. Capacity is expected to 10 (1 * 10)',
      backends: -1,
      activators: 2,
      index: 1,
      cc: 10,
      pods: 3,
      want: 10,
    },
    {
      name: 'numActivators: 2, index: 0, pods: 5, cc: 1. Capacity is expected to 3 (2 + 1)',
      backends: 5,
      activators: 2,
      index: 0,
      cc: 1,
      pods: 5,
      want: 3,
    },
    {
      name: 'numActivators: 2, index: 1, pods: 5, cc: 1. Capacity is expected to 2',
      backends: 5,
      activators: 2,
      index: 1,
      cc: 1,
      pods: 5,
      want: 2,
    },
    {
      name: 'Infinite capacity with podIP trackers.',
      backends: 1,
      activators: 2,
      index: 1,
      cc: 0,
      pods: 3,
      want: 1,
    },
  ];
  for (const r of rows) it(r.name, () => expect(updateCapacity(r)).toBe(r.want));

  it('TestThrottlerCalculateCapacity "over revisionMaxConcurrency": clamped to revisionMaxConcurrency', () => {
    expect(
      throttlerCapacity({
        containerConcurrency: 0,
        backends: 1,
        assignedPods: REVISION_MAX_CONCURRENCY + 5,
        activators: 1,
      }),
    ).toBe(REVISION_MAX_CONCURRENCY);
  });
});

describe('assignSlice', () => {
  it('one activator, one pod or an activator not yet in the endpoints (-1): every pod', () => {
    expect(assignSlice(4, 0, 1)).toEqual([0, 1, 2, 3]);
    expect(assignSlice(1, 1, 3)).toEqual([0]);
    expect(assignSlice(4, -1, 3)).toEqual([0, 1, 2, 3]);
  });

  it('fewer pods than activators: one each, in turn (3 pods, 5 activators: activator 3 gets pod 0)', () => {
    expect([0, 1, 2, 3, 4].map((i) => assignSlice(3, i, 5))).toEqual([[0], [1], [2], [0], [1]]);
  });

  it('more pods than activators: the slices partition the pods, the first activators one more', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 0, max: 40 }), (activators, extra) => {
        const pods = activators + extra;
        const slices = Array.from({ length: activators }, (_, i) => assignSlice(pods, i, activators));
        expect(slices.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: pods }, (_, i) => i));
        const sizes = slices.map((s) => s.length);
        const base = Math.floor(pods / activators);
        expect(sizes).toEqual(sizes.map((_, i) => base + (i < pods % activators ? 1 : 0)));
      }),
    );
  });
});

describe('hash_test.go TestChooseSubset', () => {
  const from = ['sun', 'moon', 'mars', 'mercury'];
  it('return all', () => expect(chooseSubset(from, 4, 'a target!')).toEqual(['mars', 'mercury', 'moon', 'sun']));
  it('subset 1', () => expect(chooseSubset(from, 2, 'a target!')).toEqual(['mercury', 'moon']));
  it('subset 2', () => expect(chooseSubset(from, 2, 'something else entirely')).toEqual(['mars', 'mercury']));
  it('select 3', () => expect(chooseSubset(from, 3, 'something else entirely')).toEqual(['mars', 'mercury', 'sun']));

  it('TestCollisionHandling: two names on one point both get one', () => {
    const key1 = 'b08006d4-81f9-42ee-808b-ea18a39cbd83';
    const key2 = 'c9dc8df4-8c8d-4077-8750-6d2c2113a23b';
    const target = 'e68a64e1-19d8-4855-9ffa-04f49223a059';
    expect(fnv1a64(key1 + target) % 2048n).toBe(fnv1a64(key2 + target) % 2048n);
    expect(new Set(subsetPoints([key1, key2], target)).size).toBe(2);
  });

  it('FNV-1a 64 of "a" is af63dc4c8601ec8c (Go hash/fnv New64a)', () => {
    expect(fnv1a64('a').toString(16)).toBe('af63dc4c8601ec8c');
  });

  it('n distinct names of the set, the same on every call', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 14 }),
        fc.string(),
        (names, n, target) => {
          const got = chooseSubset(names, n, target);
          expect(got).toHaveLength(Math.min(n, names.length));
          expect(new Set(got).size).toBe(got.length);
          for (const g of got) expect(names).toContain(g);
          expect(chooseSubset(names, n, target)).toEqual(got);
        },
      ),
    );
  });
});

describe("the SKS's activator subset (subsetEndpoints)", () => {
  it('all of them when numActivators is 0 or not less than their number, else chooseSubset by revision name', () => {
    const ips = activatorIps(5);
    expect(activatorSubset(ips, 0, 'hello-00001')).toEqual(ips);
    expect(activatorSubset(ips.slice(0, 3), 3, 'hello-00001')).toEqual(ips.slice(0, 3));
    expect(activatorSubset(ips, 3, 'hello-00001')).toEqual(chooseSubset(ips, 3, 'hello-00001'));
    expect(activatorSubset(ips, 3, 'hello-00001')).toHaveLength(3);
  });

  it("an activator's index is its place among the subset's IPs sorted as strings (inferIndex)", () => {
    const ips = activatorIps(12);
    expect(activatorIndex(ips, '10.244.250.10')).toBe(1);
    expect(activatorIndex(ips, '10.244.250.2')).toBe(4);
    expect(activatorIndex(ips.slice(0, 2), '10.244.250.3')).toBe(-1);
  });
});
