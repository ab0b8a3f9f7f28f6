/**
 * `kubectl rollout restart deployment/<revision>-deployment`: the API server takes the patch of
 * the pod template's `kubectl.kubernetes.io/restartedAt` annotation, and Knative's revision
 * reconciler (checkAndUpdateDeployment) writes the template it makes back, so no pod restarts.
 * Raw requests always, the real kubectl when it is installed.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, HAS_KUBECTL, type Harness, kubectl, startHarness } from './helpers.js';

let h: Harness;
const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const DEPLOYMENT = `${DEPLOYMENTS}/steady-00001-deployment`;
const STRATEGIC = { 'content-type': 'application/strategic-merge-patch+json' };

async function podNames(): Promise<string[]> {
  const list = (
    await api(h, 'GET', '/api/v1/namespaces/default/pods?labelSelector=serving.knative.dev/service%3Dsteady')
  ).json();
  return (list.items as { metadata: { name: string } }[]).map((p) => p.metadata.name).sort();
}

/** The Deployment once its template has no restartedAt annotation, after `generation`. */
async function restored(after: number): Promise<{ metadata: { generation: number } }> {
  return eventually(async () => {
    const d = (await api(h, 'GET', DEPLOYMENT)).json();
    const annotations = d.spec.template.metadata?.annotations ?? {};
    return d.metadata.generation > after && annotations['kubectl.kubernetes.io/restartedAt'] === undefined
      ? d
      : undefined;
  }, 10_000);
}

beforeAll(async () => {
  h = await startHarness();
  const made = await api(h, 'POST', '/apis/serving.knative.dev/v1/namespaces/default/services', {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'steady' },
    spec: {
      template: {
        metadata: { annotations: { 'autoscaling.knative.dev/min-scale': '1' } },
        spec: { containers: [{ image: 'docker.io/knsim/demo' }] },
      },
    },
  });
  expect(made.status, made.body).toBe(201);
  await eventually(async () => ((await podNames()).length === 1 ? true : undefined), 20_000);
});

afterAll(async () => {
  await h?.stop();
});

describe('a patch of a revision Deployment', () => {
  it('is taken, then Knative puts the template back; no pod restarts', async () => {
    const pods = await podNames();
    const before = (await api(h, 'GET', DEPLOYMENT)).json();
    const at = '2026-01-01T00:00:00Z';
    const res = await api(
      h,
      'PATCH',
      DEPLOYMENT,
      { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } },
      STRATEGIC,
    );
    expect(res.status, res.body).toBe(200);
    expect(res.json().spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBe(at);
    const after = await restored(before.metadata.generation);
    // The patch and Knative's update: two spec changes.
    expect(after.metadata.generation).toBe(before.metadata.generation + 2);
    expect((await api(h, 'GET', DEPLOYMENT)).json().spec.template).toEqual(before.spec.template);
    expect(await podNames()).toEqual(pods);
  });

  it('may not change the selector, and Deployments are still neither created nor deleted by clients', async () => {
    const res = await api(
      h,
      'PATCH',
      DEPLOYMENT,
      [{ op: 'replace', path: '/spec/selector', value: { matchLabels: { app: 'other' } } }],
      { 'content-type': 'application/json-patch+json' },
    );
    expect(res.status).toBe(422);
    expect(res.json().message).toBe(
      'Deployment.apps "steady-00001-deployment" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    );
    expect((await api(h, 'DELETE', DEPLOYMENT)).status).toBe(405);
    const copy = (await api(h, 'GET', DEPLOYMENT)).json();
    copy.metadata = { name: 'copy' };
    expect((await api(h, 'POST', DEPLOYMENTS, copy)).status).toBe(405);
  });
});

describe.skipIf(!HAS_KUBECTL)('kubectl rollout restart', () => {
  it('answers restarted; the template comes back and the pods stay', async () => {
    const cache = mkdtempSync(join(h.dir, 'cache-'));
    const pods = await podNames();
    const before = (await api(h, 'GET', DEPLOYMENT)).json();
    const r = await kubectl(h.kubeconfig, cache, ['rollout', 'restart', 'deployment/steady-00001-deployment']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('deployment.apps/steady-00001-deployment restarted\n');
    await restored(before.metadata.generation);
    expect(await podNames()).toEqual(pods);
  });
});
