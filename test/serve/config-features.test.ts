/**
 * knsim serve: config-features exists from the start, as on a cluster, and a client's change to
 * it changes what the webhook lets in at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Harness, startHarness } from './helpers.js';

const SERVICE = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'pinned', namespace: 'default' },
  spec: {
    template: {
      spec: {
        nodeSelector: { 'kubernetes.io/arch': 'amd64' },
        containers: [{ image: 'ghcr.io/knative/helloworld-go' }],
      },
    },
  },
};

describe('knsim serve and config-features', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ tls: 'off' });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('refuses a nodeSelector until a client enables kubernetes.podspec-nodeselector', async () => {
    const path = '/api/v1/namespaces/knative-serving/configmaps/config-features';
    expect((await api(h, 'GET', path)).status).toBe(200);
    const services = '/apis/serving.knative.dev/v1/namespaces/default/services';
    const refused = await api(h, 'POST', services, SERVICE);
    expect(refused.status).toBe(400);
    expect(refused.json().message).toBe(
      'admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: must not set the field(s): spec.template.spec.nodeSelector',
    );
    const patch = await api(
      h,
      'PATCH',
      path,
      { data: { 'kubernetes.podspec-nodeselector': 'Enabled' } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patch.status).toBe(200);
    expect((await api(h, 'POST', services, SERVICE)).status).toBe(201);
  });
});
