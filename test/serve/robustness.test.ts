/**
 * Malformed objects of every writable type never reach the simulation: each gets a 4xx Status,
 * the simulation raises nothing, and a good Service still becomes Ready afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, type Harness, startHarness } from './helpers.js';

let h: Harness;
const simErrors: unknown[] = [];

beforeAll(async () => {
  h = await startHarness({ speed: 50, onError: (e) => simErrors.push(e) });
});

afterAll(async () => {
  await h?.stop();
});

const TYPES: [string, string, string][] = [
  ['/apis/serving.knative.dev/v1/namespaces/default/services', 'serving.knative.dev/v1', 'Service'],
  ['/apis/serving.knative.dev/v1/namespaces/default/configurations', 'serving.knative.dev/v1', 'Configuration'],
  ['/apis/serving.knative.dev/v1/namespaces/default/routes', 'serving.knative.dev/v1', 'Route'],
  ['/apis/serving.knative.dev/v1/namespaces/default/revisions', 'serving.knative.dev/v1', 'Revision'],
  [
    '/apis/autoscaling.internal.knative.dev/v1alpha1/namespaces/default/podautoscalers',
    'autoscaling.internal.knative.dev/v1alpha1',
    'PodAutoscaler',
  ],
  [
    '/apis/networking.internal.knative.dev/v1alpha1/namespaces/default/serverlessservices',
    'networking.internal.knative.dev/v1alpha1',
    'ServerlessService',
  ],
  ['/api/v1/namespaces/knative-serving/configmaps', 'v1', 'ConfigMap'],
  ['/api/v1/namespaces', 'v1', 'Namespace'],
];

const SPECS: unknown[] = [
  null,
  5,
  'x',
  [],
  {},
  { template: 5 },
  { template: { spec: 'x' } },
  { template: { spec: { containers: 'x' } } },
  { template: { spec: { containers: [5] } } },
  { template: { spec: { containers: [{ image: 5 }] } } },
  { traffic: 'x' },
  { traffic: [{ percent: 'x' }] },
  { traffic: [{ revisionName: 'nope', percent: 100 }] },
  { containerConcurrency: 'x' },
  { scaleTargetRef: 5 },
];

const METAS: Record<string, unknown>[] = [
  {},
  { labels: 5 },
  { labels: { a: 5 } },
  { annotations: { 'autoscaling.knative.dev/min-scale': 'x' } },
  { ownerReferences: 5 },
  { ownerReferences: [{ kind: 'Service' }] },
];

describe('malformed objects', () => {
  it('are refused with a 4xx and never disturb the simulation', async () => {
    let n = 0;
    const serverErrors: string[] = [];
    for (const [path, apiVersion, kind] of TYPES) {
      for (const spec of SPECS) {
        for (const meta of METAS) {
          const name = `f${++n}`;
          const body = { apiVersion, kind, metadata: { ...meta, name }, spec, data: spec };
          const created = await api(h, 'POST', path, body);
          if (created.status >= 500) serverErrors.push(`POST ${kind} ${JSON.stringify(body)}: ${created.body}`);
          const patched = await api(
            h,
            'PATCH',
            `${path}/${name}`,
            { spec, metadata: meta },
            { 'content-type': 'application/merge-patch+json' },
          );
          if (patched.status >= 500) serverErrors.push(`PATCH ${kind} ${JSON.stringify(body)}: ${patched.body}`);
        }
      }
    }
    expect(serverErrors).toEqual([]);

    await api(
      h,
      'PATCH',
      '/api/v1/namespaces/knative-serving/configmaps/config-domain',
      { data: { 'example.com': '' } },
      { 'content-type': 'application/merge-patch+json' },
    );
    const good = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'good' },
      spec: { template: { spec: { containers: [{ image: 'docker.io/knsim/demo' }] } } },
    };
    expect((await api(h, 'POST', TYPES[0]![0], good)).status).toBe(201);
    await eventually(async () => {
      const s = (await api(h, 'GET', `${TYPES[0]![0]}/good`)).json();
      return s.status?.conditions?.some(
        (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
      )
        ? true
        : undefined;
    }, 90_000);
    expect(simErrors).toEqual([]);
  });

  it('revisions and other controller-made objects keep their spec', async () => {
    const revs = (await api(h, 'GET', '/apis/serving.knative.dev/v1/namespaces/default/revisions')).json();
    const rev = revs.items.find((r: { metadata: { name: string } }) => r.metadata.name === 'good-00001');
    const path = `/apis/serving.knative.dev/v1/namespaces/default/revisions/${rev.metadata.name}`;
    const label = await api(
      h,
      'PATCH',
      path,
      { metadata: { labels: { mine: 'yes' } } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(label.status).toBe(200);
    const spec = await api(
      h,
      'PATCH',
      path,
      { spec: { containerConcurrency: 7 } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(spec.status).toBe(400);
    expect(spec.json().message).toMatch(/Immutable fields changed/);
    const create = await api(h, 'POST', '/apis/serving.knative.dev/v1/namespaces/default/revisions', {
      ...rev,
      metadata: { name: 'handmade' },
    });
    expect(create.status).toBe(405);
  });
});
