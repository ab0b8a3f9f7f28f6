/**
 * The Revision reconciler's first pod of a revision (src/sim/controllers/revision.ts
 * `firstPodOf`) comes from the pods' revision index, not from a list of the namespace: it must
 * be the pod the plain version found, the namespace's first pod (by name) with the revision's
 * uid, whatever pods of other revisions, other namespaces, earlier revisions of the same name
 * and unlabelled pods come and go. Revision pods carry both labels, as `podLabelsOf` makes them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject, Pod } from '../../src/model/api/types.js';
import { LABEL_REVISION, LABEL_REVISION_UID } from '../../src/model/rules/labels.js';
import { firstPodOf } from '../../src/sim/controllers/revision.js';
import { addControllerIndexes } from '../../src/sim/indexes.js';
import { ObjectStore } from '../../src/sim/store.js';
import { T } from '../../src/sim/types.js';

const NAMESPACES = ['default', 'prod'];
const REVISIONS = ['a-00001', 'a-00002', 'b-00001'];

/** The plain version: every pod of the namespace, the first with the uid. */
const plainFirst = (store: ObjectStore, namespace: string, uid: string): Pod | undefined =>
  store.list<Pod>(T.pod, namespace).find((p) => p.metadata.labels?.[LABEL_REVISION_UID] === uid);

const op = fc.oneof(
  fc.record({
    kind: fc.constant('create' as const),
    ns: fc.integer({ min: 0, max: 1 }),
    rev: fc.integer({ min: -1, max: 2 }),
    name: fc.integer({ min: 0, max: 30 }),
  }),
  fc.record({
    kind: fc.constant('remove' as const),
    ns: fc.integer({ min: 0, max: 1 }),
    name: fc.integer({ min: 0, max: 30 }),
  }),
  fc.record({
    kind: fc.constant('status' as const),
    ns: fc.integer({ min: 0, max: 1 }),
    name: fc.integer({ min: 0, max: 30 }),
  }),
  // The revision is deleted and made again under its name: a new uid, old pods may linger.
  fc.record({
    kind: fc.constant('recreate' as const),
    ns: fc.integer({ min: 0, max: 1 }),
    rev: fc.integer({ min: 0, max: 2 }),
  }),
);

describe('the first pod of a revision', () => {
  it('is the one a list of the namespace finds', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.boolean(), (ops, indexFirst) => {
        let uids = 0;
        const store = new ObjectStore({ timestamp: () => '2026-01-01T00:00:00Z', uid: () => `uid-${++uids}` });
        if (indexFirst) addControllerIndexes(store, []);
        // Each namespace's revisions' current uid, and every uid each has had.
        const current = new Map<string, string>();
        const every = new Map<string, Set<string>>();
        const uidOf = (ns: string, rev: string) => {
          const key = `${ns}/${rev}`;
          let u = current.get(key);
          if (!u) {
            u = `rev-${key}-0`;
            current.set(key, u);
            every.set(key, new Set([u]));
          }
          return u;
        };
        let made = 0;
        for (const o of ops) {
          const ns = NAMESPACES[o.ns]!;
          if (o.kind === 'create') {
            const name = `pod-${o.name}-${made++}`;
            const labels: Record<string, string> = { app: 'x' };
            if (o.rev >= 0) {
              const rev = REVISIONS[o.rev]!;
              labels[LABEL_REVISION] = rev;
              labels[LABEL_REVISION_UID] = uidOf(ns, rev);
            }
            store.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels } } as KubeObject);
          } else if (o.kind === 'recreate') {
            const key = `${ns}/${REVISIONS[o.rev]}`;
            uidOf(ns, REVISIONS[o.rev]!);
            const u = `rev-${key}-${every.get(key)!.size}`;
            current.set(key, u);
            every.get(key)!.add(u);
          } else {
            const pods = store.list<Pod>(T.pod, ns);
            const pod = pods[o.name % Math.max(1, pods.length)];
            if (!pod) continue;
            if (o.kind === 'remove') store.remove(T.pod, ns, pod.metadata.name);
            else
              store.updateStatus(T.pod, ns, pod.metadata.name, {
                conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: `${made}` }],
              });
          }
        }
        if (!indexFirst) addControllerIndexes(store, []);
        for (const ns of NAMESPACES)
          for (const rev of REVISIONS)
            for (const uid of [...(every.get(`${ns}/${rev}`) ?? []), 'none'])
              expect(firstPodOf(store, ns, rev, uid)).toBe(plainFirst(store, ns, uid));
      }),
      { numRuns: 300 },
    );
  });
});
