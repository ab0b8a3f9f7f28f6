/**
 * A Service deleted and made again under the same name, seconds later (as `kubectl delete` then
 * `kubectl apply` does against `knsim serve`): its new Deployment gets a ReplicaSet of its own,
 * and nothing of the old one's is written again.
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import { untilServiceReady } from './serviceReady.js';

const KSVC = 'services.serving.knative.dev';

const service = (): KubeObject =>
  ({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'hello', namespace: 'default' },
    spec: { template: { spec: { containers: [{ image: 'ghcr.io/knative/helloworld-go:latest' }] } } },
  }) as KubeObject;

const ownerUid = (o: KubeObject) => (o.metadata.ownerReferences ?? [])[0]?.uid;

describe('a Service made again under its old name', () => {
  for (const gapMs of [0, 500, 2_000, 45_000]) {
    it(`${gapMs} ms after its deletion, its Deployment gets a ReplicaSet of its own`, async () => {
      const b = new SimBackend({ seed: 3, namespace: 'default' });
      await b.start({ scenario: 'recreate', seed: 3, namespace: 'default' });
      await b.apply([service()], 'svc.yaml');
      expect(await untilServiceReady(b, 60_000)).toBe(true);
      await b.delete(KSVC, 'default', 'hello');
      await b.sleepUntil(b.now() + gapMs);
      await b.apply([service()], 'svc.yaml');
      expect(await untilServiceReady(b, b.now() + 120_000)).toBe(true);
      await b.sleepUntil(b.now() + 30_000);

      const deployments = b.snapshot('deployments.apps', 'default');
      expect(deployments).toHaveLength(1);
      const replicaSets = b.snapshot('replicasets.apps', 'default');
      expect(replicaSets).toHaveLength(1);
      expect(ownerUid(replicaSets[0]!)).toBe(deployments[0]!.metadata.uid);
      const pods = b.snapshot('pods', 'default');
      expect(pods.length).toBeGreaterThan(0);
      for (const pod of pods) expect(ownerUid(pod)).toBe(replicaSets[0]!.metadata.uid);
      expect((replicaSets[0]!.status as { replicas?: number }).replicas).toBe(pods.length);
    });
  }
});
