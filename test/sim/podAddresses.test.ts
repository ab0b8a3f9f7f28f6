/**
 * A revision's pods as its Endpoints list them, kept from the pods' store events
 * (src/sim/controllers/podAddresses.ts) instead of read from the store on each reconcile: after
 * any creates, status writes (an IP, readiness), deletions begun, removals and relabels in two
 * namespaces (a pod event finds its lists by namespace, then name), with the
 * list first asked for at any point, it must equal the plain version: the store's index of the
 * revision's pods, those with an IP and not being deleted, each pod's entries made from it as
 * stored now. And its version must move whenever the list changed (a reconcile that sees the same
 * version writes nothing), its ready version whenever the ready entries did (the very entries, in
 * order: the public Endpoints and slice list only those).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/model/api/types.js';
import { LABEL_REVISION } from '../../src/model/rules/labels.js';
import { PodAddresses, type PodEndpoints, podEndpoints } from '../../src/sim/controllers/podAddresses.js';
import { addControllerIndexes } from '../../src/sim/indexes.js';
import { ObjectStore } from '../../src/sim/store.js';
import { PODS_BY_REVISION, T } from '../../src/sim/types.js';

/** Two namespaces: a pod's events are looked up by namespace, then name. */
const namespaces = fc.constantFrom('default', 'other');
const names = fc.constantFrom(...Array.from({ length: 16 }, (_, i) => `r-${(i * 7) % 16}`), 'R', 'r', 'r-1-a', 'r-10');
const revisions = fc.constantFrom('r1', 'r2');
const op = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant('create' as const), ns: namespaces, name: names, rev: revisions }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('status' as const),
      ns: namespaces,
      name: names,
      ip: fc.option(fc.integer({ min: 1, max: 250 }), { nil: undefined }),
      ready: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), ns: namespaces, name: names }) },
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
  { weight: 3, arbitrary: fc.record({ op: fc.constant('ask' as const), ns: namespaces, rev: revisions }) },
);

/** What a pod's entries say (each a new frozen object per stored version: compared by content). */
const shown = (e: PodEndpoints) => JSON.stringify([e.ready, e.address, e.slice]);

describe('a revision’s pod addresses, kept from pod events', () => {
  it('equal the store’s listed pods in the index’s order, and move their version on each change (property)', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 150 }), (steps) => {
        let uid = 0;
        const store = new ObjectStore({ timestamp: () => 't', uid: () => `u${++uid}` });
        addControllerIndexes(store, []);
        const addresses = new PodAddresses();
        store.watch((e) => {
          if (e.object.kind === 'Pod') addresses.observe(e);
        });
        const plain = (ns: string, rev: string) =>
          store
            .byIndex<Pod>(T.pod, PODS_BY_REVISION, `${ns}/${rev}`)
            .filter((p) => !p.metadata.deletionTimestamp && p.status?.podIP)
            .map((p) => shown(podEndpoints(p, ns)));
        const asked = new Map<
          string,
          { version: number; list: string[]; readyVersion: number; readyEntries: PodEndpoints[] }
        >();
        const check = (ns: string, rev: string) => {
          const key = `${ns}/${rev}`;
          const list = addresses.of(ns, key, () => store.byIndex<Pod>(T.pod, PODS_BY_REVISION, key));
          const entries = list.entries();
          const got = entries.map(shown);
          expect(got).toEqual(plain(ns, rev));
          // The ready entries by identity: the public Endpoints are written again only when they moved.
          const ready = entries.filter((e) => e.ready);
          const last = asked.get(key);
          if (last && last.version === list.version) expect(got).toEqual(last.list);
          if (last && last.readyVersion === list.readyVersion) {
            expect(ready.length).toBe(last.readyEntries.length);
            for (let i = 0; i < ready.length; i++) expect(ready[i]).toBe(last.readyEntries[i]);
          }
          asked.set(key, {
            version: list.version,
            list: got,
            readyVersion: list.readyVersion,
            readyEntries: ready,
          });
        };
        for (const step of steps) {
          const ns = step.ns;
          if (step.op === 'ask') {
            check(ns, step.rev);
            continue;
          }
          const existing = store.get<Pod>(T.pod, ns, step.name);
          if (step.op === 'create') {
            if (existing) continue;
            store.create({
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { name: step.name, namespace: ns, labels: { [LABEL_REVISION]: step.rev } },
              spec: { containers: [] },
              status: { phase: 'Pending' },
            } as Pod);
          } else if (!existing) {
          } else if (step.op === 'status') {
            store.updateStatus(T.pod, ns, step.name, {
              phase: 'Running',
              ...(step.ip === undefined ? {} : { podIP: `10.0.0.${step.ip}` }),
              conditions: [{ type: 'Ready', status: step.ready ? 'True' : 'False' }],
            });
          } else if (step.op === 'delete') {
            store.markDeleting(T.pod, ns, step.name, 30);
          } else if (step.op === 'remove') {
            store.remove(T.pod, ns, step.name);
          } else {
            const labels: Record<string, string> = step.rev ? { [LABEL_REVISION]: step.rev } : {};
            store.update({ ...existing, metadata: { ...existing.metadata, labels } });
          }
        }
        for (const ns of ['default', 'other']) {
          check(ns, 'r1');
          check(ns, 'r2');
        }
      }),
      { numRuns: 400 },
    );
  });
});
