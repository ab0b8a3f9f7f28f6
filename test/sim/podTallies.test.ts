/**
 * The Deployment controller keeps its pods' counts by phase as their machines announce phases
 * (instead of going through every pod on every pod's change): its status must still say what
 * the pods in the store say, at every moment, through scale up, panic, scale down and to zero.
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import { REPLICA_SETS } from '../../src/sim/controllers/replicaset.js';
import { T } from '../../src/sim/types.js';
import { sendBursts } from './bursts.js';

const NAMESPACE = 'default';
const HOST = 'tally.default.svc.cluster.local';

interface Conditioned {
  metadata: { deletionTimestamp?: string; ownerReferences?: { name: string }[] };
  status?: { conditions?: { type: string; status: string }[]; readyReplicas?: number; replicas?: number };
}

function run(containerConcurrency: number, seed: number) {
  const backend = new SimBackend({ seed, namespace: NAMESPACE });
  const cluster = backend.cluster;
  cluster.setConfigMap('config-autoscaler', { 'stable-window': '6s', 'scale-to-zero-grace-period': '6s' });
  const service = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'tally', namespace: NAMESPACE },
    spec: { template: { spec: { containerConcurrency, containers: [{ image: 'docker.io/knsim/demo' }] } } },
  } as KubeObject;
  backend.apply([service], 'tally.yaml').catch((e: unknown) => {
    throw e;
  });
  // Bursts of different sizes: the revision scales up, panics, scales down, to zero and back.
  sendBursts(cluster, HOST, [
    [10_000, 30, 3_000],
    [14_000, 5, 500],
    [40_000, 60, 1_500],
    [41_000, 20, 8_000],
    [120_000, 12, 2_000],
  ]);
  const seen = { ready: 0, terminating: 0, checks: 0 };
  for (let t = 250; t <= 200_000; t += 250) {
    cluster.engine.runUntil(t);
    for (const dep of cluster.store.list<KubeObject & Conditioned>(T.deployment, NAMESPACE)) {
      const rs = cluster.store
        .list<KubeObject & Conditioned>(REPLICA_SETS, NAMESPACE)
        .filter((r) => r.metadata.ownerReferences?.some((o) => o.name === dep.metadata.name));
      const rsNames = new Set(rs.map((r) => r.metadata.name));
      const pods = cluster.store
        .list<KubeObject & Conditioned>(T.pod, NAMESPACE)
        .filter((p) => p.metadata.ownerReferences?.some((o) => rsNames.has(o.name)));
      const alive = pods.filter((p) => !p.metadata.deletionTimestamp);
      const ready = alive.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      seen.ready = Math.max(seen.ready, ready.length);
      seen.terminating = Math.max(seen.terminating, pods.length - alive.length);
      if (pods.length === 0 && dep.status?.replicas === undefined) continue;
      expect({ t, replicas: dep.status?.replicas, readyReplicas: dep.status?.readyReplicas }).toEqual({
        t,
        replicas: alive.length,
        readyReplicas: ready.length,
      });
      for (const r of rs) expect({ t, replicas: r.status?.replicas }).toEqual({ t, replicas: alive.length });
      seen.checks++;
    }
  }
  return seen;
}

describe('Deployment status from the pods tallied by phase', () => {
  it.each([
    [1, 7],
    [10, 3],
  ])('matches the pods in the store at every step (containerConcurrency %i, seed %i)', (cc, seed) => {
    const seen = run(cc, seed);
    // The run went through what the tallies count: several ready pods, and pods terminating.
    expect(seen.ready).toBeGreaterThan(3);
    expect(seen.terminating).toBeGreaterThan(0);
    expect(seen.checks).toBeGreaterThan(100);
  });
});
