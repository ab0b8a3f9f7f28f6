/**
 * `containerAsks` keeps what a frozen containers list asks of a node: asked again, it must be
 * what the model's rules read from the list now; a list that is not frozen is read every time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../src/model/api/frozen.js';
import type { Container } from '../../src/model/api/types.js';
import { containerRequests, cpuLimitMillis } from '../../src/model/cluster/containers.js';
import { containerAsks } from '../../src/sim/controllers/deployment.js';

const quantity = fc.constantFrom(undefined, '100m', '1', '0.5', '2Gi', '512Mi', 250, 'bad');
const resources = fc.option(
  fc.record(
    {
      requests: fc.record({ cpu: quantity, memory: quantity }, { requiredKeys: [] }),
      limits: fc.record({ cpu: quantity, memory: quantity }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);
const containers = fc.array(
  resources.map((r) => ({ name: 'c', image: 'i', ...(r ? { resources: r } : {}) }) as Container),
  { maxLength: 3 },
);

function fromScratch(list: readonly Container[]) {
  const res = (c: Container | undefined) => (c as { resources?: never } | undefined)?.resources;
  return { requests: list.map((c) => containerRequests(res(c))), userLimit: cpuLimitMillis(res(list[0])) };
}

describe('containerAsks', () => {
  it('is what the rules read from the list, asked once or again (fast-check)', () => {
    fc.assert(
      fc.property(containers, containers, (a, b) => {
        const frozen = deepFreeze(structuredClone(a));
        expect(containerAsks(frozen)).toEqual(fromScratch(frozen));
        expect(containerAsks(frozen)).toEqual(fromScratch(frozen));
        // A list that is not frozen can change between two pods: it is read again.
        const open = structuredClone(a);
        expect(containerAsks(open)).toEqual(fromScratch(open));
        open.splice(0, open.length, ...structuredClone(b));
        expect(containerAsks(open)).toEqual(fromScratch(open));
      }),
    );
  });
});
