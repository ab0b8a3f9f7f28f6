/**
 * A Route a Service owns is admitted as any Route is (Knative's Route webhook gives no target a
 * default configuration, whoever owns the Route): its targets name their configuration, so a
 * label, an annotation or a replace of the Route as read is accepted, and a target naming neither
 * a revision nor a configuration is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, type Harness, startHarness } from './helpers.js';

let h: Harness;
const ROUTES = '/apis/serving.knative.dev/v1/namespaces/default/routes';
const MERGE = { 'content-type': 'application/merge-patch+json' };

describe("a Service's own Route through the API", () => {
  beforeAll(async () => {
    h = await startHarness();
    const res = await api(h, 'POST', '/apis/serving.knative.dev/v1/namespaces/default/services', {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'owned' },
      spec: { template: { spec: { containers: [{ image: 'ghcr.io/knative/helloworld-go:latest' }] } } },
    });
    expect(res.status, res.body).toBe(201);
    await eventually(async () => ((await api(h, 'GET', `${ROUTES}/owned`)).status === 200 ? true : undefined), 10_000);
  });
  afterAll(async () => {
    await h.stop();
  });

  it('takes a label and an annotation (a merge patch)', async () => {
    const res = await api(
      h,
      'PATCH',
      `${ROUTES}/owned`,
      { metadata: { labels: { team: 'a' }, annotations: { note: 'x' } } },
      MERGE,
    );
    expect(res.status, res.body).toBe(200);
    const route = res.json();
    expect(route.metadata.labels.team).toBe('a');
    expect(route.spec.traffic[0].configurationName).toBe('owned');
  });

  it('takes a replace of itself as read', async () => {
    // The Route's reconciler writes its status as the simulation runs on: a write between the read
    // and the replace is a 409 Conflict (the API's contract), which a client meets by reading again.
    const res = await eventually(async () => {
      const read = (await api(h, 'GET', `${ROUTES}/owned`)).json();
      read.metadata.annotations = { ...read.metadata.annotations, note: 'replaced' };
      const put = await api(h, 'PUT', `${ROUTES}/owned`, read);
      return put.status === 409 ? undefined : put;
    }, 10_000);
    expect(res.status, res.body).toBe(200);
    expect(res.json().metadata.annotations.note).toBe('replaced');
  });

  it('refuses a target that names neither a revision nor a configuration', async () => {
    const patch = { spec: { traffic: [{ latestRevision: true, percent: 100 }] } };
    const res = await api(h, 'PATCH', `${ROUTES}/owned?dryRun=All`, patch, MERGE);
    expect(res.status).toBe(400);
    expect(res.body).toContain('expected exactly one, got neither');
  });
});
