/**
 * An answered request is reused by a later `send` (no object per request), but not while a
 * deadline timer still holds it: a request that waited in a queue keeps its timer after it was
 * answered, and that timer must not cut the request its object is reused for.
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import type { RequestResult } from '../../src/sim/cluster.js';

const HOST = 'reuse.default.example.com';

async function onePod(): Promise<SimBackend> {
  const b = new SimBackend({ seed: 3, namespace: 'default' });
  await b.start({ scenario: 'reuse', seed: 3, namespace: 'default' });
  await b.configure({ 'config-domain': { 'example.com': '' } });
  const svc = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'reuse', namespace: 'default' },
    spec: {
      template: {
        metadata: {
          annotations: { 'autoscaling.knative.dev/min-scale': '1', 'autoscaling.knative.dev/max-scale': '1' },
        },
        spec: { containerConcurrency: 1, timeoutSeconds: 10, containers: [{ image: 'docker.io/knsim/reuse' }] },
      },
    },
  } as KubeObject;
  await b.apply([svc], 'svc.yaml');
  await b.waitUntil(() => {
    const ksvc = b.snapshot('services.serving.knative.dev', 'default')[0];
    const ready = (ksvc?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.find(
      (c) => c.type === 'Ready',
    );
    return ready?.status === 'True';
  }, 120_000);
  // Past the first requests' cold path: the one pod is up and probed.
  await b.sleepUntil(b.now() + 30_000);
  return b;
}

describe('a reused request', () => {
  it('is not cut by the deadline timer of the request its object served before', async () => {
    const b = await onePod();
    const results: { name: string; status: number; at: number }[] = [];
    const send = (name: string, serviceMs: number) =>
      b.cluster.send(HOST, serviceMs, (r: RequestResult) => results.push({ name, status: r.status, at: b.now() }));
    // One pod, containerConcurrency 1: w works, a and b wait (each with a deadline timer 10 s on)
    // and are answered after 2 and 3 s, their timers still pending.
    const t0 = b.now();
    send('w', 1000);
    send('a', 1000);
    send('b', 1000);
    await b.sleepUntil(t0 + 3500);
    expect(results.map((r) => `${r.name} ${r.status}`)).toEqual(['w 200', 'a 200', 'b 200']);
    // p1 keeps the pod busy for 8 s; p2 waits behind it with a deadline of its own (t0 + 13.5 s),
    // past the timers of a and b (about t0 + 10 s): it is answered, not cut at their time.
    send('p1', 8000);
    send('p2', 100);
    await b.sleepUntil(t0 + 30_000);
    const p2 = results.find((r) => r.name === 'p2');
    expect(p2?.status).toBe(200);
    expect(p2!.at).toBeGreaterThan(t0 + 11_000);
    expect(results.find((r) => r.name === 'p1')?.status).toBe(200);
    await b.close();
  });
});
