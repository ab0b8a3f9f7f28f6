/**
 * The kubelet's pod status is made fresh for each phase write and handed over to the store, which
 * keeps it as it is (neither copied nor frozen). That holds only while no part of one write's
 * status is kept or reused: every status the store holds must share no object with any other
 * pod's or phase's status, and no stored pod may change after it was written.
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { Pod } from '../../src/model/api/types.js';
import { T } from '../../src/sim/types.js';
import { applyDemoService, sendBursts } from './bursts.js';

/** Every object and array reachable from `v`. */
function reachable(v: unknown, into = new Set<object>()): Set<object> {
  if (typeof v !== 'object' || v === null || into.has(v)) return into;
  into.add(v);
  for (const x of Object.values(v)) reachable(x, into);
  return into;
}

describe('the pod status handed over to the store', () => {
  it('is a fresh object tree per write, never changed after it is stored', () => {
    const backend = new SimBackend({ seed: 7, namespace: 'default' });
    const cluster = backend.cluster;
    applyDemoService(backend, 'fresh');
    sendBursts(cluster, 'fresh.default.svc.cluster.local', [
      [5_000, 12, 2_000],
      [9_000, 6, 500],
      [200_000, 3, 500],
    ]);
    /** Each pod version written, with its JSON then. */
    const written: [Pod, string][] = [];
    cluster.store.watch((e) => {
      if (e.object.kind === 'Pod' && e.op !== 'deleted' && e.object.status !== undefined) {
        written.push([e.object as Pod, JSON.stringify(e.object)]);
      }
    });
    cluster.engine.runUntil(400_000);
    const phases = new Set(written.map(([p]) => p.status?.phase));
    expect(phases).toEqual(new Set(['Pending', 'Running']));
    expect(written.length).toBeGreaterThan(6);
    /** Which write's status each object belongs to. */
    const owner = new Map<object, unknown>();
    for (const [pod, json] of written) {
      expect(JSON.stringify(pod)).toBe(json);
      for (const o of reachable(pod.status)) {
        const first = owner.get(o);
        // An object two statuses hold is one a status write kept or reused.
        if (first !== undefined) expect(first).toBe(pod.status);
        owner.set(o, pod.status);
      }
    }
    // Scaled to zero by then: the pods written are gone from the store.
    expect(cluster.store.list<Pod>(T.pod, 'default')).toEqual([]);
  });
});
