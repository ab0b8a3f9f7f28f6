/**
 * A store watcher may say which types it takes (src/sim/store.ts `watch`'s `kinds`): it must get
 * exactly the events of those types that a watcher of everything gets, in the same order, with
 * the same objects and resourceVersions, and a write nobody takes must still move the
 * resourceVersion. The cluster takes every type but Kubernetes Events (`clusterWatches`): handing
 * it the Events as well must change nothing in a run (log, objects).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import { clusterWatches } from '../../src/sim/cluster.js';
import { ObjectStore, type StoreEvent } from '../../src/sim/store.js';
import { applyDemoService, sendBursts } from './bursts.js';

function store() {
  let uid = 0;
  return new ObjectStore({ timestamp: () => '2026-01-01T00:00:00Z', uid: () => `uid-${++uid}` });
}

const TYPES = ['configmaps', 'events', 'pods'] as const;
const KINDS: Record<(typeof TYPES)[number], [string, string]> = {
  configmaps: ['v1', 'ConfigMap'],
  events: ['v1', 'Event'],
  pods: ['v1', 'Pod'],
};

const step = fc.record({
  op: fc.constantFrom('put', 'status', 'deleting', 'remove', 'watch', 'unwatch'),
  type: fc.constantFrom(...TYPES),
  name: fc.constantFrom('a', 'b'),
  value: fc.constantFrom('x', 'y'),
  takes: fc.constantFrom(['events'], ['configmaps', 'pods'], [] as string[], ['pods']),
});

const seenAs = (e: StoreEvent) => `${e.op} ${e.object.kind}/${e.object.metadata.name}@${e.resourceVersion}`;

describe('store watchers by type', () => {
  it('get what a watcher of everything gets, of their types only; resourceVersions move alike (seed printed on failure)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 50 }), (steps) => {
        // The same writes to two stores: `reference` with a watcher of everything, `s` with
        // watchers by type only (so that some writes are taken by no one).
        const reference = store();
        const s = store();
        const all: StoreEvent[] = [];
        reference.watch((e) => all.push(e));
        // Watchers by type, each with what it saw while it watched and where `all` stood then.
        const watchers: { takes: Set<string>; from: number; to?: number; seen: StoreEvent[]; stop: () => void }[] = [];
        for (const st of steps) {
          if (st.op === 'watch') {
            const w = { takes: new Set(st.takes), from: all.length, seen: [] as StoreEvent[], stop: () => {} };
            w.stop = s.watch(
              (e) => w.seen.push(e),
              (type) => w.takes.has(type),
            );
            watchers.push(w);
            continue;
          }
          if (st.op === 'unwatch') {
            const w = watchers.find((x) => x.to === undefined);
            if (w) {
              w.stop();
              w.to = all.length;
            }
            continue;
          }
          for (const one of [reference, s]) {
            const [apiVersion, kind] = KINDS[st.type];
            const existing = one.get(st.type, 'default', st.name);
            if (st.op === 'put') {
              const obj = {
                apiVersion,
                kind,
                metadata: { name: st.name, namespace: 'default' },
                spec: { v: st.value },
              };
              if (existing) one.update(obj as KubeObject);
              else one.create(obj as KubeObject);
            } else if (st.op === 'status') {
              if (existing) one.updateStatus(st.type, 'default', st.name, { v: st.value });
            } else if (st.op === 'deleting') one.markDeleting(st.type, 'default', st.name);
            else one.remove(st.type, 'default', st.name);
          }
        }
        // Every write moved the resourceVersion by one, watched or not.
        expect(all.map((e) => e.resourceVersion)).toEqual(all.map((_, i) => i + 1));
        expect(s.resourceVersion()).toBe(all.length);
        for (const w of watchers) {
          const expected = all.slice(w.from, w.to).filter((e) => w.takes.has(`${e.object.kind.toLowerCase()}s`));
          expect(w.seen.map(seenAs)).toEqual(expected.map(seenAs));
          expect(w.seen.map((e) => e.object)).toEqual(expected.map((e) => e.object));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('still move the resourceVersion when no watcher takes a write', () => {
    const s = store();
    const seen: string[] = [];
    s.watch(
      (e) => seen.push(seenAs(e)),
      (type) => type !== 'events',
    );
    s.create({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' } });
    s.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } });
    s.remove('events', 'default', 'e');
    expect(seen).toEqual(['added ConfigMap/c@2']);
    expect(s.resourceVersion()).toBe(3);
  });
});

describe('the cluster’s store watch', () => {
  it('takes every type but Kubernetes Events', () => {
    expect(clusterWatches('events')).toBe(false);
    for (const type of ['pods', 'services', 'services.serving.knative.dev', 'endpoints', 'deployments.apps']) {
      expect(clusterWatches(type)).toBe(true);
    }
  });

  it('would do nothing with the Events: a run handing them to it logs and stores the same', () => {
    const run = (handEvents: boolean) => {
      const backend = new SimBackend({ seed: 11, namespace: 'default' });
      const cluster = backend.cluster;
      cluster.setConfigMap('config-autoscaler', { 'stable-window': '6s', 'scale-to-zero-grace-period': '6s' });
      let events = 0;
      cluster.store.watch(
        (e) => {
          events++;
          if (handEvents) (cluster as unknown as { onStoreEvent(e: StoreEvent): void }).onStoreEvent(e);
        },
        (type) => type === 'events',
      );
      applyDemoService(backend, 'hello', { containerConcurrency: 1 });
      sendBursts(cluster, 'hello.default.svc.cluster.local', [
        [10_000, 20, 3_000],
        [30_000, 30, 1_500],
        [200_000, 5, 2_000],
      ]);
      cluster.engine.runUntil(400_000);
      const objects = [
        'events',
        'pods',
        'services.serving.knative.dev',
        'revisions.serving.knative.dev',
        'endpoints',
      ].map((t) => cluster.store.list(t));
      return { lines: JSON.stringify(cluster.log.lines), objects, rv: cluster.store.resourceVersion(), events };
    };
    const without = run(false);
    const handed = run(true);
    expect(without.events).toBeGreaterThan(10);
    expect(handed.rv).toBe(without.rv);
    expect(handed.lines).toBe(without.lines);
    expect(handed.objects).toEqual(without.objects);
  });
});
