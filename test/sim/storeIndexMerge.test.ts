/**
 * A store index keeps a key's ids in order once asked for, and the ids that come after wait in
 * the order they came, merged in at the next lookup (src/sim/store.ts `IndexEntry.added`): a
 * revision's thousands of new pods no longer cost a splice each. Every lookup must answer the
 * stored objects under the key sorted by namespace then name, through creates, removals (of ids
 * sorted or still waiting), relabels and status writes, with lookups between some of them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/api/types.js';
import { ObjectStore } from '../../src/sim/store.js';

const names = fc.constantFrom(...Array.from({ length: 24 }, (_, i) => `p-${(i * 7) % 24}`), 'P', 'p', 'p-1-a');
const namespaces = fc.constantFrom('default', 'a', 'Z');
const op = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('create' as const),
      ns: namespaces,
      name: names,
      rev: fc.constantFrom('r1', 'r2'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove' as const), ns: namespaces, name: names }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('relabel' as const),
      ns: namespaces,
      name: names,
      rev: fc.constantFrom('r1', 'r2', ''),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('status' as const), ns: namespaces, name: names }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('look' as const), rev: fc.constantFrom('r1', 'r2') }) },
);

const pod = (ns: string, name: string, rev: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, ...(rev ? { labels: { rev } } : {}) },
});

const byNamespaceThenName = (a: KubeObject, b: KubeObject) => {
  const x = `${a.metadata.namespace}\u0000${a.metadata.name}`;
  const y = `${b.metadata.namespace}\u0000${b.metadata.name}`;
  return x < y ? -1 : x > y ? 1 : 0;
};

describe('a store index’s order', () => {
  it('answers every lookup sorted, with what came since the last merged in (property)', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 200 }), (steps) => {
        let uid = 0;
        const s = new ObjectStore({ timestamp: () => 't', uid: () => `u${++uid}` });
        s.addIndex('pods', 'rev', (o) => (o.metadata.labels?.rev ? [`default/${o.metadata.labels.rev}`] : []));
        const live = new Map<string, KubeObject>();
        const check = (rev: string) => {
          const want = [...live.values()]
            .map((o) => s.get('pods', o.metadata.namespace, o.metadata.name)!)
            .filter((o) => o.metadata.labels?.rev === rev)
            .sort(byNamespaceThenName);
          const got = s.byIndex('pods', 'rev', `default/${rev}`);
          expect(got.length).toBe(want.length);
          for (let i = 0; i < want.length; i++) expect(got[i]).toBe(want[i]);
        };
        for (const step of steps) {
          if (step.op === 'look') {
            check(step.rev);
            continue;
          }
          const id = `${step.ns}/${step.name}`;
          const existing = s.get('pods', step.ns, step.name);
          if (step.op === 'create') {
            if (existing) continue;
            live.set(id, s.create(pod(step.ns, step.name, step.rev)));
          } else if (step.op === 'remove') {
            if (!existing) continue;
            s.remove('pods', step.ns, step.name);
            live.delete(id);
          } else if (step.op === 'relabel') {
            if (!existing) continue;
            s.update({
              ...pod(step.ns, step.name, step.rev),
              metadata: { ...existing.metadata, labels: step.rev ? { rev: step.rev } : {} },
            });
          } else if (existing) s.updateStatus('pods', step.ns, step.name, { phase: `p${uid}` });
        }
        check('r1');
        check('r2');
      }),
      { numRuns: 400 },
    );
  });
});
