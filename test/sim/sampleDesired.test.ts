/**
 * A revision's per-second sample reports its Deployment's `spec.replicas`, which the cluster keeps
 * with every write to the Deployment instead of looking it up each second: at every sample it
 * must be what the store holds then, through scaling up and down to zero.
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import type { SampleEvent } from '../../src/model/events.js';
import { deploymentName } from '../../src/model/rules/naming.js';
import { T } from '../../src/sim/types.js';
import { applyDemoService, sendBursts } from './bursts.js';

describe('the desired replicas of each second’s sample', () => {
  it('are the stored Deployment’s at every sample', () => {
    const backend = new SimBackend({ seed: 9, namespace: 'default' });
    const cluster = backend.cluster;
    const seen = { samples: 0, desired: new Set<number>() };
    cluster.log.subscribe(
      (line) => {
        if (line.type !== 'sample') return;
        const s = line as SampleEvent;
        const stored = cluster.store.get<{ spec?: { replicas?: number } } & KubeObject>(
          T.deployment,
          'default',
          deploymentName(s.revision),
        );
        expect(s.desired).toBe(stored?.spec?.replicas ?? 0);
        seen.samples++;
        seen.desired.add(s.desired);
      },
      ['sample'],
    );
    applyDemoService(backend, 'desired', { containerConcurrency: 2 });
    sendBursts(cluster, 'desired.default.svc.cluster.local', [
      [5_000, 60, 2_000],
      [30_000, 150, 1_000],
      [200_000, 10, 500],
    ]);
    cluster.engine.runUntil(260_000);
    expect(seen.samples).toBeGreaterThan(200);
    // Scaled up, and to zero.
    expect(seen.desired.has(0)).toBe(true);
    expect(Math.max(...seen.desired)).toBeGreaterThan(1);
  });
});
