/**
 * A pod's containers in the order the kubelet lists their statuses (`byName`, put in order one
 * by one), against the plain way it replaced: a copy sorted with `<` on the names. The same
 * containers in the same order, names repeated or missing included (each container is told
 * apart by its place in the input).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Container } from '../../src/model/api/types.js';
import { byName } from '../../src/sim/controllers/deployment.js';

describe('byName', () => {
  it('orders a pod’s containers as the plain sort did (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.option(fc.constantFrom('user-container', 'queue-proxy', 'side-1', 'a', 'B', ''), { nil: undefined }),
          {
            maxLength: 7,
          },
        ),
        (names) => {
          const containers = names.map((name, i) =>
            name === undefined ? { image: `i${i}` } : { name, image: `i${i}` },
          ) as Container[];
          const plain = [...containers].sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : 1));
          const got = byName(containers);
          expect(got.map((c) => c.image)).toEqual(plain.map((c) => c.image));
          expect(got).not.toBe(containers);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
