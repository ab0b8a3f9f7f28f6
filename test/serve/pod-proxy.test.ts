/**
 * The pod proxy of knsim serve: the simulated autoscaler pod's metrics and a revision pod's
 * queue-proxy stats at the paths a cluster serves them, and a cluster's answers where nothing
 * listens; through raw requests and, when installed, `kubectl get --raw`.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../../src/io/prometheus.js';
import type { Pod } from '../../src/model/api/types.js';
import { AUTOSCALER_POD } from '../../src/serve/podProxy.js';
import { ARTICLE_YAML, api, eventually, HAS_KUBECTL, type Harness, ingress, kubectl, startHarness } from './helpers.js';

let h: Harness;
let pod = '';
const autoscaler = `/api/v1/namespaces/knative-serving/pods/${AUTOSCALER_POD}`;

beforeAll(async () => {
  h = await startHarness({ speed: 5 });
  const created = await api(h, 'POST', '/apis/serving.knative.dev/v1/namespaces/default/services', ARTICLE_YAML, {
    'content-type': 'application/yaml',
  });
  expect(created.status).toBe(201);
  pod = await eventually(async () => {
    const ready = h.server.cluster.store
      .list<Pod>('pods', 'default')
      .find((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return ready?.metadata.name;
  }, 60_000);
  expect((await ingress(h.server.ingressPort, 'knservice.default.svc.cluster.local')).status).toBe(200);
}, 90_000);

afterAll(() => h?.stop());

describe('the pod proxy', () => {
  it("lists Knative's autoscaler pod in knative-serving, Running and Ready", async () => {
    const list = await api(h, 'GET', '/api/v1/namespaces/knative-serving/pods?labelSelector=app%3Dautoscaler');
    expect(list.json().items.map((p: Pod) => [p.metadata.name, p.status?.phase])).toEqual([
      [AUTOSCALER_POD, 'Running'],
    ]);
  });

  it("serves the autoscaler's per-revision metrics on :9090/metrics", async () => {
    const text = await eventually(async () => {
      const r = await api(h, 'GET', `${autoscaler}:9090/proxy/metrics`);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      return r.body.includes('kn_revision_pods_desired') ? r.body : undefined;
    }, 30_000);
    const samples = parsePrometheusText(text, 'autoscaler').samples;
    const desired = samples.find((s) => s.name === 'kn_revision_pods_desired');
    expect(desired?.labels).toMatchObject({ k8s_namespace_name: 'default', kn_revision_name: 'knservice-00001' });
    expect(samples.find((s) => s.name === 'kn_revision_concurrency_target')?.value).toBe(70);
  });

  it("serves a revision pod's queue-proxy stats on :9090/metrics, with its uptime", async () => {
    const r = await api(h, 'GET', `/api/v1/namespaces/default/pods/${pod}:9090/proxy/metrics`);
    expect(r.status).toBe(200);
    const samples = parsePrometheusText(r.body, 'queue-proxy').samples;
    expect(samples.map((s) => s.name)).toEqual([
      'queue_requests_per_second',
      'queue_proxied_operations_per_second',
      'queue_average_concurrent_requests',
      'queue_average_proxied_concurrent_requests',
      'process_uptime',
    ]);
    expect(samples[0]?.labels).toMatchObject({ destination_pod: pod, destination_revision: 'knservice-00001' });
    expect(samples.at(-1)?.value).toBeGreaterThan(0);
  });

  it('answers as a cluster does where nothing listens, for another path, a missing pod and other methods', async () => {
    const refused = await api(h, 'GET', `/api/v1/namespaces/default/pods/${pod}:8080/proxy/metrics`);
    expect(refused.status).toBe(503);
    expect(refused.json()).toMatchObject({ reason: 'ServiceUnavailable' });
    expect(refused.json().message).toMatch(
      /^error trying to reach service: dial tcp [\d.]+:8080: connect: connection refused$/,
    );
    const other = await api(h, 'GET', `${autoscaler}:9090/proxy/debug`);
    expect([other.status, other.body]).toEqual([404, '404 page not found\n']);
    const missing = await api(h, 'GET', '/api/v1/namespaces/knative-serving/pods/nope:9090/proxy/metrics');
    expect(missing.status).toBe(404);
    expect((await api(h, 'POST', `${autoscaler}:9090/proxy/metrics`, 'x')).status).toBe(405);
    expect((await api(h, 'GET', `${autoscaler}:99999/proxy/metrics`)).status).toBe(400);
  });

  it.skipIf(!HAS_KUBECTL)('kubectl get --raw reads the same metrics', async () => {
    const r = await kubectl(h.kubeconfig, join(h.dir, 'kube-cache'), [
      'get',
      '--raw',
      `${autoscaler}:9090/proxy/metrics`,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kn_revision_panic_mode{');
  });
});
