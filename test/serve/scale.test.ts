/**
 * The scale subresource of a revision's Deployment (`kubectl scale deployment`): the write goes
 * through as on a cluster, and Knative's PodAutoscaler sets the revision's scale back at its next
 * reconcile. Raw requests always, and the real kubectl when it is installed.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, HAS_KUBECTL, type Harness, kubectl, startHarness } from './helpers.js';

let h: Harness;
const DEPLOYMENT = '/apis/apps/v1/namespaces/default/deployments/held-00001-deployment';
const MERGE = { 'content-type': 'application/merge-patch+json' };

const replicas = async () => (await api(h, 'GET', DEPLOYMENT)).json().spec.replicas as number;

/** The ScalingReplicaSet events' messages of the Deployment. */
async function scalings(): Promise<string[]> {
  const list = (await api(h, 'GET', '/api/v1/namespaces/default/events')).json();
  return list.items
    .filter((e: { reason: string; involvedObject: { name: string } }) => e.reason === 'ScalingReplicaSet')
    .map((e: { message: string }) => e.message);
}

beforeAll(async () => {
  h = await startHarness();
  const made = await api(h, 'POST', '/apis/serving.knative.dev/v1/namespaces/default/services', {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'held' },
    spec: {
      template: {
        // One pod at all times: what the PodAutoscaler puts back is known.
        metadata: { annotations: { 'autoscaling.knative.dev/min-scale': '1' } },
        spec: { containers: [{ image: 'docker.io/knsim/demo' }] },
      },
    },
  });
  expect(made.status, made.body).toBe(201);
  await eventually(async () => ((await api(h, 'GET', DEPLOYMENT)).status === 200 ? true : undefined), 20_000);
  await eventually(async () => ((await replicas()) === 1 ? true : undefined), 20_000);
});

afterAll(async () => {
  await h?.stop();
});

describe('deployments/scale', () => {
  it('is in discovery as autoscaling/v1 Scale, and GET mirrors the Deployment', async () => {
    const list = (await api(h, 'GET', '/apis/apps/v1')).json();
    expect(list.resources).toContainEqual({
      name: 'deployments/scale',
      singularName: '',
      namespaced: true,
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    });
    const deployment = (await api(h, 'GET', DEPLOYMENT)).json();
    const scale = (await api(h, 'GET', `${DEPLOYMENT}/scale`)).json();
    expect(scale).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'held-00001-deployment', namespace: 'default', uid: deployment.metadata.uid },
      spec: { replicas: 1 },
    });
    expect(scale.status.selector).toMatch(/^serving\.knative\.dev\/revisionUID=/);
  });

  it('a patch goes through, then the PodAutoscaler takes the scale back', async () => {
    const res = await api(h, 'PATCH', `${DEPLOYMENT}/scale`, { spec: { replicas: 3 } }, MERGE);
    expect(res.status, res.body).toBe(200);
    expect(res.json().spec.replicas).toBe(3);
    await eventually(
      async () => ((await scalings()).some((m) => m.endsWith('from 1 to 3')) ? true : undefined),
      10_000,
    );
    await eventually(async () => ((await replicas()) === 1 ? true : undefined), 10_000);
  });

  it('a dry run, a negative count and a stale resourceVersion change nothing', async () => {
    const dry = await api(h, 'PATCH', `${DEPLOYMENT}/scale?dryRun=All`, { spec: { replicas: 5 } }, MERGE);
    expect(dry.status, dry.body).toBe(200);
    expect(dry.json().spec.replicas).toBe(5);
    const negative = await api(h, 'PATCH', `${DEPLOYMENT}/scale`, { spec: { replicas: -1 } }, MERGE);
    expect(negative.status).toBe(422);
    expect(negative.json().message).toBe(
      'Scale.autoscaling "held-00001-deployment" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
    const stale = await api(h, 'PUT', `${DEPLOYMENT}/scale`, {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'held-00001-deployment', namespace: 'default', resourceVersion: '1' },
      spec: { replicas: 4 },
    });
    expect(stale.status).toBe(409);
    expect((await scalings()).some((m) => m.endsWith('to 5') || m.endsWith('to 4'))).toBe(false);
  });
});

describe.skipIf(!HAS_KUBECTL)('kubectl scale', () => {
  it('scales a revision Deployment and refuses a Knative Service (no scale subresource)', async () => {
    const cache = mkdtempSync(join(h.dir, 'cache-'));
    const r = await kubectl(h.kubeconfig, cache, ['scale', 'deployment', 'held-00001-deployment', '--replicas=2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('deployment.apps/held-00001-deployment scaled\n');
    await eventually(
      async () => ((await scalings()).some((m) => m.endsWith('from 1 to 2')) ? true : undefined),
      10_000,
    );
    await eventually(async () => ((await replicas()) === 1 ? true : undefined), 10_000);
    // The API server's Scale printer: Name, Desired, Available, Age.
    const table = await kubectl(h.kubeconfig, cache, [
      'get',
      'deployment',
      'held-00001-deployment',
      '--subresource=scale',
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+DESIRED\s+AVAILABLE\s+AGE\nheld-00001-deployment\s+1\s+\d+\s+\d+[smhd]/);
    const ksvc = await kubectl(h.kubeconfig, cache, ['scale', 'ksvc', 'held', '--replicas=2']);
    expect(ksvc.code).toBe(1);
    expect(ksvc.stderr).toBe('Error from server (NotFound): the server could not find the requested resource\n');
  });
});
