/**
 * The Endpoints and EndpointSlices of a revision's private Service list its pods with an IP,
 * ready or not. The controller reuses each stored pod's entries (frozen, shared by the store
 * between writes) until the pod changes: once the pods have been quiet for a batch, the objects
 * must still list exactly the store's pods as they are now. The lists are frozen as written, so
 * the store keeps them without a copy.
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject, Pod } from '../../src/model/api/types.js';
import { ENDPOINT_SLICES, ENDPOINTS } from '../../src/sim/controllers/kservices.js';
import { T } from '../../src/sim/types.js';
import { sendBursts } from './bursts.js';

const NAMESPACE = 'default';
const HOST = 'mirror.default.svc.cluster.local';
const PRIVATE = 'mirror-00001-private';

interface Subset {
  addresses?: { ip: string; targetRef: { name: string } }[];
  notReadyAddresses?: { ip: string; targetRef: { name: string } }[];
}
interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean };
  targetRef?: { name: string };
}

describe('a revision’s private Endpoints and EndpointSlice', () => {
  it('list the store’s pods, ready and not, whenever the pods have been quiet for a batch', () => {
    const backend = new SimBackend({ seed: 5, namespace: NAMESPACE });
    const cluster = backend.cluster;
    cluster.setConfigMap('config-autoscaler', { 'stable-window': '6s', 'scale-to-zero-grace-period': '6s' });
    const service = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'mirror', namespace: NAMESPACE },
      spec: { template: { spec: { containerConcurrency: 1, containers: [{ image: 'docker.io/knsim/demo' }] } } },
    } as KubeObject;
    backend.apply([service], 'mirror.yaml').catch((e: unknown) => {
      throw e;
    });
    sendBursts(cluster, HOST, [
      [10_000, 25, 3_000],
      [30_000, 40, 1_500],
      [33_000, 10, 9_000],
      [90_000, 8, 2_000],
    ]);
    let lastPodChange = 0;
    cluster.store.watch((e) => {
      if (e.object.kind === 'Pod') lastPodChange = cluster.now();
    });
    const seen = { checks: 0, ready: 0, notReady: 0 };
    for (let t = 100; t <= 160_000; t += 100) {
      cluster.engine.runUntil(t);
      if (cluster.now() - lastPodChange < 1_000) continue;
      const pods = cluster.store
        .list<Pod>(T.pod, NAMESPACE)
        .filter((p) => !p.metadata.deletionTimestamp && p.status?.podIP);
      const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      const ready = pods.filter(isReady).map((p) => `${p.metadata.name} ${p.status?.podIP}`);
      const notReady = pods.filter((p) => !isReady(p)).map((p) => `${p.metadata.name} ${p.status?.podIP}`);
      const endpoints = cluster.store.get<KubeObject & { subsets?: Subset[] }>(ENDPOINTS, NAMESPACE, PRIVATE);
      if (!endpoints) continue;
      const subset = endpoints.subsets?.[0] ?? {};
      const listed = (a: Subset['addresses']) => (a ?? []).map((x) => `${x.targetRef.name} ${x.ip}`);
      expect({ t, ready: listed(subset.addresses), notReady: listed(subset.notReadyAddresses) }).toEqual({
        t,
        ready,
        notReady,
      });
      const slice = cluster.store
        .list<KubeObject & { endpoints?: SliceEndpoint[] }>(ENDPOINT_SLICES, NAMESPACE)
        .find((s) => s.metadata.name.startsWith(`${PRIVATE}-`));
      expect({
        t,
        entries: (slice?.endpoints ?? []).map((e) => `${e.targetRef?.name} ${e.addresses[0]} ${e.conditions.ready}`),
      }).toEqual({ t, entries: [...ready.map((r) => `${r} true`), ...notReady.map((r) => `${r} false`)] });
      // The lists as written, frozen: the store keeps a frozen part as it is (no copy of every
      // pod's entry on each write), so the stored lists are the controller's own.
      for (const list of [subset.addresses, subset.notReadyAddresses, slice?.endpoints]) {
        if (list) expect({ t, frozen: Object.isFrozen(list) }).toEqual({ t, frozen: true });
      }
      seen.checks++;
      seen.ready = Math.max(seen.ready, ready.length);
      seen.notReady = Math.max(seen.notReady, notReady.length);
    }
    expect(seen.checks).toBeGreaterThan(100);
    expect(seen.ready).toBeGreaterThan(3);
  });
});
