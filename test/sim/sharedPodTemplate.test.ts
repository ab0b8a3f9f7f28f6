/**
 * A revision's pod template is frozen in its Deployment and shared by the store, the ReplicaSet
 * and every pod made from it (the store copies what it is given but keeps frozen data as it is).
 * Each stored pod must still be exactly the pod made from scratch from an unshared copy of the
 * template, and a pod must not change when its siblings come and go.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { Container, Deployment, KubeObject, Pod } from '../../src/model/api/types.js';
import { defaultNodeGroup } from '../../src/model/cluster/nodes.js';
import { podSpecFromTemplate } from '../../src/model/rules/podspec.js';
import { REPLICA_SETS } from '../../src/sim/controllers/replicaset.js';
import { defaultSimSettings } from '../../src/sim/settings.js';
import { T } from '../../src/sim/types.js';
import { sendBursts } from './bursts.js';

const NAMESPACE = 'default';

const container = fc.record({
  env: fc.array(fc.record({ name: fc.constantFrom('A', 'B', 'LOG'), value: fc.string({ maxLength: 5 }) }), {
    maxLength: 3,
  }),
  port: fc.option(fc.integer({ min: 1024, max: 9000 }), { nil: undefined }),
  probe: fc.boolean(),
  cpu: fc.option(fc.constantFrom('100m', '1'), { nil: undefined }),
});

type ContainerCase = typeof container extends fc.Arbitrary<infer C> ? C : never;

function service(containers: ContainerCase[], cc: number): KubeObject {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'shared', namespace: NAMESPACE },
    spec: {
      template: {
        spec: {
          containerConcurrency: cc,
          containers: containers.map((c, i) => ({
            ...(i > 0 ? { name: `side-${i}` } : {}),
            image: `docker.io/knsim/demo${i}`,
            env: c.env,
            // With sidecars, the serving container must name its port.
            ...(i === 0 && (c.port !== undefined || containers.length > 1)
              ? { ports: [{ containerPort: c.port ?? 8080 }] }
              : {}),
            ...(c.probe && i === 0 ? { readinessProbe: { httpGet: { path: '/ready' }, periodSeconds: 2 } } : {}),
            ...(c.cpu !== undefined ? { resources: { requests: { cpu: c.cpu } } } : {}),
          })),
        },
      },
    },
  } as KubeObject;
}

/** Every frozen object and array inside `v` (the data shared between writes). */
function frozenParts(v: unknown, out = new Set<unknown>()): Set<unknown> {
  if (typeof v !== 'object' || v === null) return out;
  if (Object.isFrozen(v)) out.add(v);
  for (const k of Object.keys(v)) frozenParts((v as Record<string, unknown>)[k], out);
  return out;
}

/**
 * Throws when a part of a stored pod that can change (not frozen) is shared with another pod or
 * the Deployment: the controller hands each pod and each of its statuses over to the store, which
 * keeps them as they are.
 */
function unshared(dep: Deployment, pods: readonly Pod[]): void {
  const owners = new Map<unknown, string>();
  const claim = (v: unknown, who: string) => {
    if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
    const had = owners.get(v);
    if (had !== undefined && had !== who) throw new Error(`${who} shares a part with ${had}`);
    owners.set(v, who);
    for (const k of Object.keys(v)) claim((v as Record<string, unknown>)[k], who);
  };
  claim(dep, 'the Deployment');
  for (const pod of pods) claim(pod, pod.metadata.name);
}

describe('the pod template shared by a revision’s pods', () => {
  it('stores each pod as made from scratch from an unshared template, unchanged by its siblings', () => {
    fc.assert(
      fc.property(
        fc.array(container, { minLength: 1, maxLength: 2 }),
        fc.constantFrom(1, 2, 10),
        fc.integer({ min: 1, max: 1000 }),
        (containers, cc, seed) => {
          const backend = new SimBackend({ seed, namespace: NAMESPACE });
          const cluster = backend.cluster;
          backend.apply([service(containers, cc)], 'shared.yaml').catch((e: unknown) => {
            throw e;
          });
          sendBursts(cluster, 'shared.default.svc.cluster.local', [
            [5_000, 12, 2_000],
            [9_000, 6, 500],
          ]);
          /** Each pod as first seen complete (bound and started), as JSON, to see it is never changed in place. */
          const seen = new Map<Pod, string>();
          let pods = 0;
          for (let t = 1_000; t <= 20_000; t += 1_000) {
            cluster.engine.runUntil(t);
            const dep = cluster.store.list<Deployment>(T.deployment, NAMESPACE)[0];
            if (!dep) continue;
            const template = dep.spec.template as { spec: { containers: Container[] } };
            // The template is frozen all the way down, and the ReplicaSet's is the same data.
            expect(frozenParts(template).size).toBeGreaterThan(0);
            expect(Object.isFrozen(template) && Object.isFrozen(template.spec.containers[0]!.env)).toBe(true);
            for (const rs of cluster.store.list<KubeObject & { spec: { template: { spec: unknown } } }>(
              REPLICA_SETS,
              NAMESPACE,
            )) {
              expect(rs.spec.template.spec).toBe(template.spec);
            }
            // From scratch: the same function on a plain copy of the template (nothing shared).
            const plain = structuredClone(template.spec);
            for (const pod of cluster.store.list<Pod>(T.pod, NAMESPACE)) {
              const volume = (pod.spec as unknown as { volumes: { name: string }[] }).volumes[0]!.name;
              const { nodeName: _n, ...spec } = pod.spec as Record<string, unknown>;
              const fromScratch = podSpecFromTemplate(plain, volume) as unknown;
              expect(JSON.stringify(spec)).toBe(JSON.stringify(fromScratch));
              expect(spec).toStrictEqual(podSpecFromTemplate(structuredClone(template.spec), volume));
              pods++;
            }
            // A pod is stored as the controller made it (handed over, not copied): no part of it
            // that can change is shared with another pod or with the Deployment.
            unshared(dep, cluster.store.list<Pod>(T.pod, NAMESPACE));
            for (const [pod, json] of seen) expect(JSON.stringify(pod)).toBe(json);
            for (const pod of cluster.store.list<Pod>(T.pod, NAMESPACE)) {
              if (!seen.has(pod)) seen.set(pod, JSON.stringify(pod));
            }
          }
          expect(pods).toBeGreaterThan(0);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('stores the statuses of pods no node fits unshared', () => {
    // One node with room for a few pods: most of a burst's pods stay Pending, Unschedulable.
    const settings = defaultSimSettings();
    settings.cluster = { ...settings.cluster, groups: [{ ...defaultNodeGroup(), pods: 14 }] };
    const backend = new SimBackend({ seed: 3, namespace: NAMESPACE, settings });
    const cluster = backend.cluster;
    backend
      .apply([service([{ env: [], port: undefined, probe: false, cpu: undefined }], 1)], 'shared.yaml')
      .catch((e: unknown) => {
        throw e;
      });
    sendBursts(cluster, 'shared.default.svc.cluster.local', [[5_000, 20, 4_000]]);
    let unschedulable = 0;
    for (let t = 1_000; t <= 12_000; t += 500) {
      cluster.engine.runUntil(t);
      const dep = cluster.store.list<Deployment>(T.deployment, NAMESPACE)[0];
      if (!dep) continue;
      const pods = cluster.store.list<Pod>(T.pod, NAMESPACE);
      unshared(dep, pods);
      unschedulable = Math.max(
        unschedulable,
        pods.filter((p) => p.status?.conditions?.some((c) => c.reason === 'Unschedulable')).length,
      );
    }
    expect(unschedulable).toBeGreaterThan(1);
  });
});
