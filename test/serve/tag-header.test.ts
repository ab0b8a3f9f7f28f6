/**
 * knsim serve's ingress and tag-header-based-routing: `curl -H 'Knative-Serving-Tag: candidate'`
 * at the Service's own host reaches the tagged revision once a client enables the flag in
 * config-features; before, the header changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, type Harness, ingress, startHarness } from './helpers.js';

let h: Harness;
const KSVCS = '/apis/serving.knative.dev/v1/namespaces/default/services';
const MERGE = { 'content-type': 'application/merge-patch+json' };

async function ready(generation: number): Promise<void> {
  await eventually(async () => {
    const s = (await api(h, 'GET', `${KSVCS}/tagged`)).json();
    const ok = s.status?.conditions?.some(
      (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
    );
    return ok && s.status?.observedGeneration === generation ? true : undefined;
  }, 90_000);
}

async function revisions(headers: Record<string, string>): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < 12; i++) {
    const r = await ingress(h.server.ingressPort, 'tagged.default.example.com', '/', headers);
    expect(r.status).toBe(200);
    seen.add(String(r.headers['x-knsim-revision']));
  }
  return [...seen].sort();
}

beforeAll(async () => {
  h = await startHarness({ speed: 50, tls: 'off' });
  await api(
    h,
    'PATCH',
    '/api/v1/namespaces/knative-serving/configmaps/config-domain',
    {
      data: { 'example.com': '' },
    },
    MERGE,
  );
  await api(h, 'POST', KSVCS, {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'tagged' },
    spec: { template: { spec: { containers: [{ image: 'docker.io/knsim/demo' }] } } },
  });
  await ready(1);
  await api(
    h,
    'PATCH',
    `${KSVCS}/tagged`,
    {
      spec: {
        template: { spec: { containers: [{ image: 'docker.io/knsim/demo:v2' }] } },
        traffic: [
          { revisionName: 'tagged-00001', percent: 100 },
          { latestRevision: true, percent: 0, tag: 'candidate' },
        ],
      },
    },
    MERGE,
  );
  await ready(2);
});

afterAll(async () => {
  await h?.stop();
});

describe('the ingress and the Knative-Serving-Tag header', () => {
  it('ignores the header until tag-header-based-routing is Enabled, then follows it', async () => {
    const tag = { 'Knative-Serving-Tag': 'candidate' };
    expect(await revisions(tag)).toEqual(['tagged-00001']);
    const patch = await api(
      h,
      'PATCH',
      '/api/v1/namespaces/knative-serving/configmaps/config-features',
      { data: { 'tag-header-based-routing': 'Enabled' } },
      MERGE,
    );
    expect(patch.status).toBe(200);
    expect(await revisions(tag)).toEqual(['tagged-00002']);
    expect(await revisions({})).toEqual(['tagged-00001']);
    expect(await revisions({ 'Knative-Serving-Tag': 'nope' })).toEqual(['tagged-00001']);
  });
});
