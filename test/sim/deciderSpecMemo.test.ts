/**
 * The KPA re-resolves its decider spec on each reconcile only when the stored Revision or the
 * cluster config is a new object (the spec is a function of the two): after every reconcile the
 * spec it holds must be the one resolved from scratch, through ConfigMap changes and the
 * reachability label the Route writes.
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { Revision } from '../../src/model/api/types.js';
import { resolveDeciderSpec } from '../../src/model/kpa/spec.js';
import { reachabilityOf } from '../../src/model/rules/routing.js';
import { RevisionAutoscaler } from '../../src/sim/controllers/autoscaler.js';
import { T } from '../../src/sim/types.js';
import { applyDemoService, sendBursts } from './bursts.js';

describe('the decider spec kept between reconciles', () => {
  it('equals the spec resolved from scratch after every reconcile', () => {
    const backend = new SimBackend({ seed: 5, namespace: 'default' });
    const cluster = backend.cluster;
    const checked = { reconciles: 0, annotated: 0, windows: new Set<number>(), targets: new Set<number>() };
    const refresh = RevisionAutoscaler.prototype.refreshSpec;
    const spy = function (this: RevisionAutoscaler) {
      refresh.call(this);
      const self = this as unknown as { namespace: string; revision: string };
      const rev = cluster.store.get<Revision>(T.revision, self.namespace, self.revision);
      const fresh = resolveDeciderSpec({
        config: cluster.config.autoscaler,
        annotations: rev?.metadata.annotations ?? {},
        containerConcurrency: rev?.spec.containerConcurrency ?? 0,
        reachability: rev ? reachabilityOf(rev) : '',
        deployment: cluster.config.deployment,
      });
      expect(this.spec).toEqual(fresh);
      checked.reconciles++;
      checked.windows.add(this.spec.stableWindowMs);
      checked.targets.add(this.spec.targetValue);
    };
    RevisionAutoscaler.prototype.refreshSpec = spy;
    try {
      applyDemoService(backend, 'memo');
      sendBursts(cluster, 'memo.default.svc.cluster.local', [
        [5_000, 40, 2_000],
        [30_000, 80, 1_000],
        [70_000, 20, 3_000],
      ]);
      cluster.engine.at(20_000, () => cluster.setConfigMap('config-autoscaler', { 'stable-window': '12s' }));
      cluster.engine.at(60_000, () =>
        cluster.setConfigMap('config-autoscaler', { 'stable-window': '6s', 'scale-to-zero-grace-period': '6s' }),
      );
      // An annotation written on the Revision (a metadata write, which a status write is not)
      // reaches the spec too: the spec is resolved again from the new annotations object.
      cluster.engine.at(100_000, () => {
        for (const rev of cluster.store.list<Revision>(T.revision)) {
          const annotations = { ...rev.metadata.annotations, 'autoscaling.knative.dev/target': '7' };
          cluster.store.update({ ...rev, metadata: { ...rev.metadata, annotations } });
          checked.annotated++;
        }
      });
      cluster.engine.runUntil(150_000);
    } finally {
      RevisionAutoscaler.prototype.refreshSpec = refresh;
    }
    expect(checked.reconciles).toBeGreaterThan(10);
    // The config changes reached the spec: three stable windows seen.
    expect(checked.windows.size).toBe(3);
    // The annotation reached it as well.
    expect(checked.annotated).toBeGreaterThan(0);
    expect(checked.targets.size).toBe(2);
  });
});
