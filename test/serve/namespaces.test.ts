/**
 * Deleting a namespace as a cluster does: the Namespace is Terminating while its content goes,
 * new content is refused (403, the NamespaceLifecycle plugin's words), and once its pods are gone
 * the Namespace goes with the Events that were about them. Raw requests always, and the real
 * kubectl when it is installed.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, HAS_KUBECTL, type Harness, kubectl, startHarness } from './helpers.js';

let h: Harness;

/** A namespace with a Service whose one pod (min-scale 1) is running. */
async function populated(ns: string): Promise<void> {
  expect(
    (await api(h, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }))
      .status,
  ).toBe(201);
  const made = await api(h, 'POST', `/apis/serving.knative.dev/v1/namespaces/${ns}/services`, {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'app' },
    spec: {
      template: {
        metadata: { annotations: { 'autoscaling.knative.dev/min-scale': '1' } },
        spec: { containers: [{ image: 'docker.io/knsim/demo' }] },
      },
    },
  });
  expect(made.status, made.body).toBe(201);
  await eventually(async () => {
    const pods = (await api(h, 'GET', `/api/v1/namespaces/${ns}/pods`)).json();
    return pods.items.some((p: { status?: { phase?: string } }) => p.status?.phase === 'Running') ? true : undefined;
  }, 20_000);
}

const eventCount = async (ns: string) => (await api(h, 'GET', `/api/v1/namespaces/${ns}/events`)).json().items.length;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

describe('deleting a namespace', () => {
  it('is Terminating while its pods go, refuses new content, then goes with its Events', async () => {
    await populated('doomed');
    expect(await eventCount('doomed')).toBeGreaterThan(0);
    const res = await api(h, 'DELETE', '/api/v1/namespaces/doomed');
    expect(res.status, res.body).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'Namespace', status: { phase: 'Terminating' } });
    expect(res.json().metadata.deletionTimestamp).toBeTruthy();
    const late = await api(h, 'POST', '/api/v1/namespaces/doomed/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'late' },
    });
    expect(late.status).toBe(403);
    expect(late.json()).toMatchObject({
      reason: 'Forbidden',
      message:
        'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated',
      details: { name: 'late', kind: 'configmaps' },
    });
    await eventually(
      async () => ((await api(h, 'GET', '/api/v1/namespaces/doomed')).status === 404 ? true : undefined),
      20_000,
    );
    expect(await eventCount('doomed')).toBe(0);
    expect((await api(h, 'GET', '/api/v1/namespaces/doomed/pods')).json().items).toEqual([]);
  });

  it('an empty namespace goes at once', async () => {
    expect(
      (await api(h, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bare' } }))
        .status,
    ).toBe(201);
    expect((await api(h, 'DELETE', '/api/v1/namespaces/bare')).status).toBe(200);
    expect((await api(h, 'GET', '/api/v1/namespaces/bare')).status).toBe(404);
  });
});

describe.skipIf(!HAS_KUBECTL)('kubectl delete namespace', () => {
  it('waits until it is gone; its events go with it', async () => {
    await populated('doomed2');
    const cache = mkdtempSync(join(h.dir, 'cache-'));
    const r = await kubectl(h.kubeconfig, cache, ['delete', 'namespace', 'doomed2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('namespace "doomed2" deleted\n');
    const events = await kubectl(h.kubeconfig, cache, ['get', 'events', '-n', 'doomed2']);
    expect(events.code, events.stderr).toBe(0);
    expect(events.stderr).toBe('No resources found in doomed2 namespace.\n');
  });
});
