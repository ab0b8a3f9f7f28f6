/**
 * Every request on the per-request path has one hidden class: a request made new
 * (`blankRequest`) and one that went through the data plane and was answered (then reused) share
 * V8's map, so the data plane's and the results' property loads stay monomorphic.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import { blankRequest, type CompletedRequest } from '../../src/sim/cluster.js';
import { untilServiceReady } from './serviceReady.js';

setFlagsFromString('--allow-natives-syntax');
// Parsed after the flag is set: V8's own test of two objects' maps.
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const HOST = 'shape.default.example.com';

async function cluster(): Promise<SimBackend> {
  const b = new SimBackend({ seed: 7, namespace: 'default' });
  await b.start({ scenario: 'shape', seed: 7, namespace: 'default' });
  await b.configure({ 'config-domain': { 'example.com': '' } });
  const svc = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'shape', namespace: 'default' },
    spec: { template: { spec: { containerConcurrency: 2, containers: [{ image: 'docker.io/knsim/shape' }] } } },
  } as KubeObject;
  await b.apply([svc], 'svc.yaml');
  await untilServiceReady(b, 60_000);
  return b;
}

describe('a request has one hidden class', () => {
  it('made new, answered, queued, timed out and reused alike', async () => {
    const b = await cluster();
    const seen: CompletedRequest[] = [];
    b.cluster.onCompleted((req) => {
      seen.push(req);
    });
    // Bursts with fractional service times (doubles in every time field), some with a client
    // timeout and some queued behind a busy pod (they get a deadline timer and are not reused).
    for (let burst = 0; burst < 20; burst++) {
      for (let i = 0; i < 8; i++) {
        b.cluster.send(HOST, 10.25 + i * 3.5 + burst, i % 2 === 0 ? () => {} : undefined, -1, i === 7 ? 20 : 0);
      }
      await b.sleepUntil(b.now() + 500);
    }
    await b.sleepUntil(b.now() + 60_000);
    expect(seen.length).toBe(160);
    const statuses = new Set(seen.map((r) => r.status));
    expect(statuses.has(200)).toBe(true);
    expect(statuses.has(0)).toBe(true);
    const fresh = blankRequest();
    for (const req of seen) expect(haveSameMap(req, fresh)).toBe(true);
    await b.close();
  });
});
