import type { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import type { SimCluster } from '../../src/sim/cluster.js';

/** Sends `count` requests of `serviceMs` each to `host` at each burst's time (simulated ms). */
export function sendBursts(
  cluster: SimCluster,
  host: string,
  bursts: readonly (readonly [atMs: number, count: number, serviceMs: number])[],
): void {
  for (const [atMs, count, serviceMs] of bursts) {
    cluster.engine.at(atMs, () => {
      for (let i = 0; i < count; i++) cluster.send(host, serviceMs, () => {});
    });
  }
}

/**
 * Applies a Service `name` in `default` running the demo image, with `template` merged into its
 * revision template's spec; a refused apply fails the test (the rejection is rethrown).
 */
export function applyDemoService(backend: SimBackend, name: string, template: Record<string, unknown> = {}): void {
  backend
    .apply(
      [
        {
          apiVersion: 'serving.knative.dev/v1',
          kind: 'Service',
          metadata: { name, namespace: 'default' },
          spec: { template: { spec: { ...template, containers: [{ image: 'docker.io/knsim/demo' }] } } },
        } as KubeObject,
      ],
      `${name}.yaml`,
    )
    .catch((e: unknown) => {
      throw e;
    });
}
