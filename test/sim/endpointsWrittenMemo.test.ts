/**
 * The revision's Services-and-Endpoints reconciler skips a reconcile whose inputs (the SKS, the
 * two Services, the pods' entries) are the objects its last one read while what it wrote is
 * still stored. Right after each of its reconciles, a reconciler made from scratch (no memory,
 * no store events seen) reconciling the same revision must find nothing to write.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import { LABEL_REVISION } from '../../src/model/rules/labels.js';
import type { SimContext } from '../../src/sim/context.js';
import { CORE_SERVICES, ENDPOINT_SLICES, ENDPOINTS, KubernetesServices } from '../../src/sim/controllers/kservices.js';
import { addControllerIndexes } from '../../src/sim/indexes.js';
import { defaultSimSettings } from '../../src/sim/settings.js';
import { ObjectStore, typeOf } from '../../src/sim/store.js';
import { T } from '../../src/sim/types.js';
import { applyDemoService, sendBursts } from './bursts.js';

describe('the Endpoints a reconcile leaves unwritten', () => {
  it.each([
    [1, 3],
    [10, 8],
  ])('are what a reconciler from scratch writes (containerConcurrency %i, seed %i)', (cc, seed) => {
    const backend = new SimBackend({ seed, namespace: 'default' });
    const cluster = backend.cluster;
    cluster.setConfigMap('config-autoscaler', { 'stable-window': '6s', 'scale-to-zero-grace-period': '6s' });
    const seen = { reconciles: 0, skipped: 0 };
    const reconcile = KubernetesServices.prototype.reconcile;
    KubernetesServices.prototype.reconcile = function (this: KubernetesServices, ns: string, revision: string) {
      const ctx = (this as unknown as { ctx: SimContext }).ctx;
      const before = ctx.store.resourceVersion();
      reconcile.call(this, ns, revision);
      if (ctx.store.resourceVersion() === before) seen.skipped++;
      const after = ctx.store.resourceVersion();
      reconcile.call(new KubernetesServices(ctx, () => {}), ns, revision);
      expect({ revision, at: ctx.now(), resourceVersion: ctx.store.resourceVersion() }).toEqual({
        revision,
        at: ctx.now(),
        resourceVersion: after,
      });
      seen.reconciles++;
    };
    try {
      applyDemoService(backend, 'memo', { containerConcurrency: cc });
      sendBursts(cluster, 'memo.default.svc.cluster.local', [
        [10_000, 30, 3_000],
        [14_000, 5, 500],
        [40_000, 60, 1_500],
        [41_000, 20, 8_000],
        [120_000, 12, 2_000],
      ]);
      cluster.engine.runUntil(200_000);
    } finally {
      KubernetesServices.prototype.reconcile = reconcile;
    }
    expect(seen.reconciles).toBeGreaterThan(10);
  });
});

/** What can change between two reconciles of one revision. */
const change = fc.oneof(
  fc.record({ op: fc.constant('mode' as const), proxy: fc.boolean() }),
  fc.record({ op: fc.constant('activators' as const), n: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ op: fc.constant('sksLabel' as const), value: fc.constantFrom('a', 'b') }),
  fc.record({ op: fc.constant('serviceLabel' as const), value: fc.constantFrom('a', 'b'), publicOne: fc.boolean() }),
  fc.record({ op: fc.constant('pod' as const), pod: fc.integer({ min: 0, max: 5 }), ready: fc.boolean() }),
  fc.record({ op: fc.constant('podDeleting' as const), pod: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ op: fc.constant('podGone' as const), pod: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ op: fc.constant('endpointsGone' as const), which: fc.integer({ min: 0, max: 3 }) }),
  fc.constant({ op: 'nothing' as const }),
);

describe('a revision’s Endpoints after any change', () => {
  it('are what a reconciler from scratch would write', () => {
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 40 }), (changes) => {
        let n = 0;
        const store = new ObjectStore({ timestamp: () => '2026-12-07T00:00:00Z', uid: () => `uid-${++n}` });
        addControllerIndexes(store, []);
        const ctx = { store, settings: defaultSimSettings() } as unknown as SimContext;
        const services = new KubernetesServices(ctx, () => {});
        // As the cluster does: the reconciler sees every store event (it keeps the revisions'
        // pod addresses from them); the one from scratch below sees none and reads the store.
        store.watch((e) => services.observe(e, typeOf(e.object)));
        const ns = 'default';
        const rev = 'r-00001';
        store.create({
          apiVersion: 'networking.internal.knative.dev/v1alpha1',
          kind: 'ServerlessService',
          metadata: { name: rev, namespace: ns, labels: { app: 'x' } },
          spec: { mode: 'Proxy', numActivators: 2 },
        } as KubeObject);
        const podName = (i: number) => `${rev}-deployment-${i}`;
        const writePod = (i: number, ready: boolean) => {
          const existing = store.get(T.pod, ns, podName(i));
          const status = {
            podIP: `10.0.0.${i + 1}`,
            conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
          };
          if (!existing) {
            store.create({
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { name: podName(i), namespace: ns, labels: { [LABEL_REVISION]: rev } },
              spec: { containers: [] },
              status,
            } as unknown as KubeObject);
          } else store.updateStatus(T.pod, ns, podName(i), status);
        };
        const sksNow = () => store.get(T.sks, ns, rev)!;
        services.reconcile(ns, rev);
        for (const c of changes) {
          if (c.op === 'mode') {
            const s = sksNow() as KubeObject & { spec: Record<string, unknown> };
            store.update({ ...s, spec: { ...s.spec, mode: c.proxy ? 'Proxy' : 'Serve' } } as KubeObject);
          } else if (c.op === 'activators') {
            const s = sksNow() as KubeObject & { spec: Record<string, unknown> };
            store.update({ ...s, spec: { ...s.spec, numActivators: c.n } } as KubeObject);
          } else if (c.op === 'sksLabel') {
            const s = sksNow();
            store.update({ ...s, metadata: { ...s.metadata, labels: { app: c.value } } });
          } else if (c.op === 'serviceLabel') {
            const name = c.publicOne ? rev : `${rev}-private`;
            const svc = store.get(CORE_SERVICES, ns, name);
            if (svc) store.update({ ...svc, metadata: { ...svc.metadata, labels: { extra: c.value } } });
          } else if (c.op === 'pod') writePod(c.pod, c.ready);
          else if (c.op === 'podDeleting') store.markDeleting(T.pod, ns, podName(c.pod));
          else if (c.op === 'podGone') store.remove(T.pod, ns, podName(c.pod));
          else if (c.op === 'endpointsGone') {
            const types = [ENDPOINTS, ENDPOINTS, ENDPOINT_SLICES, ENDPOINT_SLICES];
            const names = [`${rev}-private`, rev];
            const type = types[c.which]!;
            const name =
              type === ENDPOINTS
                ? names[c.which]!
                : store.list(ENDPOINT_SLICES, ns).find((o) => o.metadata.name.startsWith(`${names[c.which - 2]!}-`))
                    ?.metadata.name;
            if (name) store.remove(type, ns, name);
          }
          services.reconcile(ns, rev);
          const after = store.resourceVersion();
          new KubernetesServices(ctx, () => {}).reconcile(ns, rev);
          expect({ change: c, resourceVersion: store.resourceVersion() }).toEqual({
            change: c,
            resourceVersion: after,
          });
        }
      }),
      { numRuns: 200 },
    );
  });
});
