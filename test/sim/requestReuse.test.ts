/**
 * An answered request is reused by a later `send` (no object per request), but not while a
 * deadline timer still holds it: a request that waited in a queue keeps its timer after it was
 * answered, and that timer must not cut the request its object is reused for.
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import type { RequestResult } from '../../src/sim/cluster.js';
import { untilServiceReady } from './serviceReady.js';

const HOST = 'reuse.default.example.com';

async function onePod(containerConcurrency: number): Promise<SimBackend> {
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
        spec: { containerConcurrency, timeoutSeconds: 10, containers: [{ image: 'docker.io/knsim/reuse' }] },
      },
    },
  } as KubeObject;
  await b.apply([svc], 'svc.yaml');
  await untilServiceReady(b, 120_000);
  // Past the first requests' cold path: the one pod is up and probed.
  await b.sleepUntil(b.now() + 30_000);
  return b;
}

/** The cluster's pool of requests (private fields, read for the check). */
function pool(b: SimBackend) {
  const c = b.cluster as unknown as {
    pooled: ({ pooledAt: number; timerSet: boolean } | undefined)[];
    spareAt: Int32Array;
    spareCount: number;
  };
  return { pooled: c.pooled, spare: [...c.spareAt.subarray(0, c.spareCount)] };
}

/** Nothing in flight: every pooled request is spare, once, at its own index, without a timer. */
function checkPool(pooled: ({ pooledAt: number; timerSet: boolean } | undefined)[], spare: number[]): void {
  expect(new Set(spare).size).toBe(spare.length);
  expect(spare.length).toBe(pooled.filter((r) => r !== undefined).length);
  for (const at of spare) expect(pooled[at]?.pooledAt).toBe(at);
  for (const [at, req] of pooled.entries()) {
    if (req === undefined) continue;
    expect(req.pooledAt).toBe(at);
    expect(req.timerSet).toBe(false);
  }
}

describe('a reused request', () => {
  it('is not cut by the deadline timer of the request its object served before', async () => {
    const b = await onePod(1);
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
    // The requests that kept a timer left the pool; the others are spare, each once.
    const { pooled, spare } = pool(b);
    expect(spare.length).toBeGreaterThan(0);
    checkPool(pooled, spare);
    await b.close();
  });

  it('is taken from the pool once at a time: requests in flight together are distinct objects', async () => {
    const b = await onePod(0);
    const seen = new Set<object>();
    let answered = 0;
    b.cluster.onCompleted((req) => {
      seen.add(req);
    });
    // Five at once (no container limit: none waits), five times: five objects, reused.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 5; i++) b.cluster.send(HOST, 200 + i, () => answered++);
      await b.sleepUntil(b.now() + 1000);
    }
    expect(answered).toBe(25);
    expect(seen.size).toBe(5);
    const { pooled, spare } = pool(b);
    expect(spare.length).toBe(5);
    checkPool(pooled, spare);
    await b.close();
  });
});
