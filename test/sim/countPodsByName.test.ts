/**
 * `DeploymentController.countPods` finds a Deployment's runtime by namespace then name (a cache
 * over its runtimes keyed by the joined name). Against a from-scratch count: for two services
 * scaled differently, at every second, the counts of each Deployment are its own runtime's (looked
 * up by the joined key) and add up to its pods in the store; a Deployment not there yet counts
 * zero, and is found once it is made.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { Pod } from '../../src/model/api/types.js';
import type { PodCounts } from '../../src/sim/controllers/deployment.js';
import { T } from '../../src/sim/types.js';
import { applyDemoService, sendBursts } from './bursts.js';

interface Runtime {
  pods: Map<string, unknown>;
  tally: Record<string, number>;
}
interface Counting {
  countPods(namespace: string, deployment: string, into: PodCounts): PodCounts;
  deployments: Map<string, Runtime>;
}

describe('countPods by namespace and name', () => {
  it('counts each Deployment’s own pods, from its first one on (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), (na, nb) => {
        const backend = new SimBackend({ seed: na * 13 + nb, namespace: 'default' });
        const cluster = backend.cluster;
        const dc = (cluster as unknown as { deployments: Counting }).deployments;
        const deps = ['a-00001-deployment', 'b-00001-deployment'];
        const zero = { ready: 0, pending: 0, terminating: 0 };
        // Asked before either exists: nothing, and nothing kept that hides it later.
        for (const d of deps) expect(dc.countPods('default', d, { ...zero })).toEqual(zero);
        applyDemoService(backend, 'a');
        applyDemoService(backend, 'b');
        sendBursts(cluster, 'a.default.svc.cluster.local', [[3_000, na, 4_000]]);
        sendBursts(cluster, 'b.default.svc.cluster.local', [[5_000, nb, 4_000]]);
        let seen = 0;
        for (let t = 500; t <= 30_000; t += 500) {
          cluster.engine.runUntil(t);
          const pods = cluster.store.list<Pod>(T.pod, 'default');
          for (const d of deps) {
            // The same strings as the sampler's, and fresh ones of the same text.
            const got = dc.countPods('default', d, { ...zero });
            expect(dc.countPods(['def', 'ault'].join(''), `${d}`, { ...zero })).toEqual(got);
            const rt = dc.deployments.get(`default/${d}`);
            if (!rt) {
              expect(got).toEqual(zero);
              continue;
            }
            const ready = rt.tally.Ready!;
            const terminating = rt.tally.Terminating!;
            expect(got).toEqual({ ready, terminating, pending: rt.pods.size - ready - terminating });
            const revision = d.replace(/-deployment$/, '');
            const stored = pods.filter((p) => p.metadata.labels?.['serving.knative.dev/revision'] === revision);
            expect(got.ready + got.pending + got.terminating).toBe(stored.length);
            seen += got.ready;
          }
        }
        expect(seen).toBeGreaterThan(0);
      }),
      { numRuns: 12 },
    );
  });
});
