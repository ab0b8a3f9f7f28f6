import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject, Revision, Route, Service } from '../../src/model/api/types.js';

const svc = (image: string, traffic?: unknown[], labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'hello', namespace: 'default', ...(labels ? { labels } : {}) },
  spec: { template: { spec: { containers: [{ image }] } }, ...(traffic ? { traffic } : {}) },
});

async function cluster() {
  const backend = new SimBackend({ seed: 3, namespace: 'default' });
  await backend.start({ scenario: 'test', seed: 3, namespace: 'default' });
  await backend.configure({ 'config-domain': { 'example.com': '' } });
  return backend;
}

const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name);

describe('revisions and traffic', () => {
  it('creates a new revision only when spec.template changes', async () => {
    const b = await cluster();
    await b.apply([svc('docker.io/x/a')], 'svc.yaml');
    await b.sleepUntil(10_000);
    expect(names(b.snapshot('revisions.serving.knative.dev', 'default'))).toEqual(['hello-00001']);

    const relabelled = await b.apply([svc('docker.io/x/a', undefined, { team: 'blue' })], 'svc.yaml');
    expect(relabelled[0]!.outcome).toBe('configured');
    await b.sleepUntil(20_000);
    expect(names(b.snapshot('revisions.serving.knative.dev', 'default'))).toEqual(['hello-00001']);

    await b.apply([svc('docker.io/x/b')], 'svc.yaml');
    await b.sleepUntil(30_000);
    expect(names(b.snapshot('revisions.serving.knative.dev', 'default'))).toEqual(['hello-00001', 'hello-00002']);
    const ksvc = b.snapshot('services.serving.knative.dev', 'default')[0] as Service;
    expect(ksvc.status?.latestReadyRevisionName).toBe('hello-00002');
    expect(ksvc.status?.traffic).toEqual([{ revisionName: 'hello-00002', latestRevision: true, percent: 100 }]);
    const old = b.snapshot('revisions.serving.knative.dev', 'default')[0] as Revision;
    expect(old.metadata.labels?.['serving.knative.dev/routingState']).toBe('reserve');
  });

  it('applying the same manifest twice is unchanged', async () => {
    const b = await cluster();
    await b.apply([svc('docker.io/x/a')], 'svc.yaml');
    const again = await b.apply([svc('docker.io/x/a')], 'svc.yaml');
    expect(again).toEqual([{ reference: 'service.serving.knative.dev/hello', outcome: 'unchanged' }]);
  });

  it('splits traffic by percent and reaches a tagged revision by its tag URL', async () => {
    const b = await cluster();
    await b.apply([svc('docker.io/x/a')], 'svc.yaml');
    await b.sleepUntil(10_000);
    await b.apply(
      [
        svc('docker.io/x/b', [
          { revisionName: 'hello-00001', percent: 80 },
          { latestRevision: true, percent: 20, tag: 'candidate' },
        ]),
      ],
      'svc.yaml',
    );
    await b.sleepUntil(20_000);
    const route = b.snapshot('routes.serving.knative.dev', 'default')[0] as Route;
    expect(route.status?.traffic).toEqual([
      { revisionName: 'hello-00001', latestRevision: false, percent: 80 },
      {
        tag: 'candidate',
        revisionName: 'hello-00002',
        latestRevision: true,
        percent: 20,
        url: 'http://candidate-hello.default.example.com',
      },
    ]);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 400; i++) {
      const r = await b.request({ url: 'http://hello.default.example.com/', method: 'GET', headers: {} });
      counts[r.revision!] = (counts[r.revision!] ?? 0) + 1;
    }
    expect(counts['hello-00001']! / 400).toBeGreaterThan(0.72);
    expect(counts['hello-00001']! / 400).toBeLessThan(0.88);
    const tagged = await b.request({ url: 'http://candidate-hello.default.example.com/', method: 'GET', headers: {} });
    expect(tagged.revision).toBe('hello-00002');
  });

  it("a host's next request follows its Route once the traffic moves (the ingress forgets the host's last answer)", async () => {
    const b = await cluster();
    const get = () => b.request({ url: 'http://hello.default.example.com/', method: 'GET', headers: {} });
    await b.apply([svc('docker.io/x/a')], 'svc.yaml');
    await b.sleepUntil(10_000);
    // Requests in a row for one host: the second is answered from the host the first resolved.
    expect((await get()).revision).toBe('hello-00001');
    expect((await get()).revision).toBe('hello-00001');
    await b.apply([svc('docker.io/x/b')], 'svc.yaml');
    await b.sleepUntil(b.cluster.now() + 20_000);
    const route = b.snapshot('routes.serving.knative.dev', 'default')[0] as Route;
    expect(route.status?.traffic).toEqual([{ revisionName: 'hello-00002', latestRevision: true, percent: 100 }]);
    expect((await get()).revision).toBe('hello-00002');
    // Back to the first revision by name: the split changes again, and so does the answer.
    await b.apply([svc('docker.io/x/b', [{ revisionName: 'hello-00001', percent: 100 }])], 'svc.yaml');
    await b.sleepUntil(b.cluster.now() + 20_000);
    expect((await get()).revision).toBe('hello-00001');
  });
});
