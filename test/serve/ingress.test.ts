/** The ingress: Host routing, traffic splits, tag hosts, proxy-form URLs, unknown hosts, cold starts. */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, type Harness, ingress, startHarness } from './helpers.js';

let h: Harness;
const KSVCS = '/apis/serving.knative.dev/v1/namespaces/default/services';

async function ready(name: string, generation: number): Promise<void> {
  await eventually(async () => {
    const s = (await api(h, 'GET', `${KSVCS}/${name}`)).json();
    const ok = s.status?.conditions?.some(
      (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
    );
    return ok && s.status?.observedGeneration === generation ? true : undefined;
  }, 90_000);
}

beforeAll(async () => {
  h = await startHarness({ speed: 50 });
  await api(
    h,
    'PATCH',
    '/api/v1/namespaces/knative-serving/configmaps/config-domain',
    { data: { 'example.com': '' } },
    { 'content-type': 'application/merge-patch+json' },
  );
  await api(h, 'POST', KSVCS, {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { template: { spec: { containers: [{ image: 'docker.io/knsim/demo' }] } } },
  });
  await ready('web', 1);
});

afterAll(async () => {
  await h?.stop();
});

describe('the ingress', () => {
  it('routes by Host (port ignored) and by proxy-form URL; unknown hosts get 404', async () => {
    const r = await ingress(h.server.ingressPort, `web.default.example.com:${h.server.ingressPort}`);
    expect(r).toMatchObject({ status: 200, body: 'Hello Knative!\n' });
    expect(r.headers['x-knsim-revision']).toBe('web-00001');
    const proxied = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: h.server.ingressPort, path: 'http://web.default.example.com/' },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(proxied).toBe(200);
    const unknown = await ingress(h.server.ingressPort, 'nobody.default.example.com');
    expect(unknown).toMatchObject({ status: 404, body: '' });
  });

  it('splits traffic between revisions and serves tag hosts', async () => {
    // Its own Service (the tests hold in any order).
    await api(h, 'POST', KSVCS, {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'split' },
      spec: { template: { spec: { containers: [{ image: 'docker.io/knsim/demo' }] } } },
    });
    await ready('split', 1);
    const patched = await api(
      h,
      'PATCH',
      `${KSVCS}/split`,
      {
        spec: {
          template: { metadata: { name: 'split-v2' }, spec: { containers: [{ image: 'docker.io/knsim/demo:v2' }] } },
          traffic: [
            { revisionName: 'split-00001', percent: 50, tag: 'current' },
            { revisionName: 'split-v2', percent: 50, tag: 'candidate' },
          ],
        },
      },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patched.status).toBe(200);
    await ready('split', 2);
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const r = await ingress(h.server.ingressPort, 'split.default.example.com');
      expect(r.status).toBe(200);
      seen.add(String(r.headers['x-knsim-revision']));
    }
    expect([...seen].sort()).toEqual(['split-00001', 'split-v2']);
    const candidate = await ingress(h.server.ingressPort, 'candidate-split.default.example.com');
    expect(candidate.headers['x-knsim-revision']).toBe('split-v2');
    const current = await ingress(h.server.ingressPort, 'current-split.default.example.com');
    expect(current.headers['x-knsim-revision']).toBe('split-00001');
  });

  it('holds a request to a revision scaled to zero until a pod is up, in scaled real time', async () => {
    // Idle: every revision scales to zero (~90 s simulated, ~2 s at 50x).
    await eventually(async () => {
      const pods = (await api(h, 'GET', '/api/v1/namespaces/default/pods')).json();
      return pods.items.length === 0 ? true : undefined;
    }, 90_000);
    const started = performance.now();
    const r = await ingress(h.server.ingressPort, 'web.default.example.com');
    const wallMs = performance.now() - started;
    expect(r.status).toBe(200);
    expect(r.headers['x-knsim-cold']).toBe('true');
    const simulatedMs = Number(r.headers['x-knsim-latency-ms']);
    expect(simulatedMs).toBeGreaterThan(1000);
    // The wait was real: at 50x, a cold start of simulatedMs takes about simulatedMs / 50 of wall time.
    expect(wallMs).toBeGreaterThan(simulatedMs / 50 / 2);
  });
});
