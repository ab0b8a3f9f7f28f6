/**
 * `kubectl delete pod`: the API server's graceful deletion of a pod (the grace period settled as
 * the pod registry's strategy settles it), then the simulation's own lifecycle: the pod goes
 * Terminating, its ReplicaSet makes a replacement, and the pod is gone once its queue-proxy has
 * drained. Raw requests always, the real kubectl when it is installed.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../src/model/api/types.js';
import { podGracePeriod } from '../../src/serve/podDeletion.js';
import { api, eventually, HAS_KUBECTL, type Harness, kubectl, startHarness } from './helpers.js';

let h: Harness;
const PODS = '/api/v1/namespaces/default/pods';

interface PodItem {
  metadata: { name: string; deletionTimestamp?: string; deletionGracePeriodSeconds?: number; uid: string };
  status?: { phase?: string };
}

/** The service's pods that are not being deleted. */
async function alive(): Promise<string[]> {
  const list = (await api(h, 'GET', `${PODS}?labelSelector=serving.knative.dev/service%3Dkept`)).json();
  return (list.items as PodItem[]).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
}

/** Two Running pods that are not being deleted (the min-scale), by name. */
async function twoRunning(): Promise<string[]> {
  return eventually(async () => {
    const list = (await api(h, 'GET', `${PODS}?labelSelector=serving.knative.dev/service%3Dkept`)).json();
    const running = (list.items as PodItem[]).filter(
      (p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running',
    );
    return running.length === 2 ? running.map((p) => p.metadata.name) : undefined;
  }, 20_000);
}

async function events(): Promise<{ reason: string; message: string; involvedObject: { name: string } }[]> {
  return (await api(h, 'GET', '/api/v1/namespaces/default/events')).json().items;
}

beforeAll(async () => {
  h = await startHarness();
  const made = await api(h, 'POST', '/apis/serving.knative.dev/v1/namespaces/default/services', {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'kept' },
    spec: {
      template: {
        metadata: { annotations: { 'autoscaling.knative.dev/min-scale': '2' } },
        spec: { containers: [{ image: 'docker.io/knsim/demo' }] },
      },
    },
  });
  expect(made.status, made.body).toBe(201);
  await twoRunning();
});

afterAll(async () => {
  await h?.stop();
});

describe('the grace period (pkg/registry/core/pod/strategy_test.go TestCheckGracefulDelete)', () => {
  const pod = (spec: object, phase?: string) =>
    ({ metadata: { name: 'p' }, spec, status: phase ? { phase } : {} }) as unknown as Pod;
  it.each([
    ['in pending phase with has node name', pod({ nodeName: 'something' }, 'Pending'), 30, 30],
    ['in failed phase with has node name', pod({ nodeName: 'something' }, 'Failed'), 30, 0],
    ['in failed phase (pending, no node)', pod({}, 'Pending'), 30, 0],
    ['in succeeded phase', pod({}, 'Succeeded'), 30, 0],
    ['no phase', pod({}), 30, 0],
    ['has negative grace period', pod({ nodeName: 'something', terminationGracePeriodSeconds: -1 }), undefined, 1],
    // knsim's own rows: the pod's period when none is asked for, and an explicit 0 (--force).
    ['the pod spec period', pod({ nodeName: 'knsim', terminationGracePeriodSeconds: 300 }, 'Running'), undefined, 300],
    ['force', pod({ nodeName: 'knsim', terminationGracePeriodSeconds: 300 }, 'Running'), 0, 0],
  ])('%s', (_name, p, asked, want) => {
    expect(podGracePeriod(p, asked)).toBe(want);
  });
});

describe('DELETE a pod', () => {
  it('marks it (the revision timeout as grace period), a replacement comes, then it is gone', async () => {
    const [victim] = await twoRunning();
    const res = await api(h, 'DELETE', `${PODS}/${victim}`);
    expect(res.status, res.body).toBe(200);
    const body = res.json();
    expect(body.kind).toBe('Pod');
    expect(body.metadata.deletionTimestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Knative sets terminationGracePeriodSeconds to the revision's timeoutSeconds (300).
    expect(body.metadata.deletionGracePeriodSeconds).toBe(300);
    // Terminating, and the ReplicaSet already makes another.
    const got = (await api(h, 'GET', `${PODS}/${victim}`)).json();
    expect(got.metadata.deletionTimestamp).toBeDefined();
    await eventually(async () => ((await alive()).filter((n) => n !== victim).length === 2 ? true : undefined), 20_000);
    await eventually(
      async () => ((await api(h, 'GET', `${PODS}/${victim}`)).status === 404 ? true : undefined),
      20_000,
    );
    const all = await events();
    const about = all.filter((e) => e.involvedObject.name === victim);
    expect(about.some((e) => e.reason === 'Killing')).toBe(true);
    // The ReplicaSet did not delete it: no SuccessfulDelete naming it; it created the replacement.
    expect(all.some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted pod: ${victim}`)).toBe(false);
    const [replacement] = (await alive()).filter((n) => n !== victim);
    expect(all.some((e) => e.reason === 'SuccessfulCreate' && e.message.endsWith(replacement!))).toBe(true);
  });

  it('with gracePeriodSeconds=0 the object is gone at once; a dry run changes nothing', async () => {
    const [first, second] = await twoRunning();
    const dry = await api(h, 'DELETE', `${PODS}/${first}?dryRun=All`);
    expect(dry.status, dry.body).toBe(200);
    expect(dry.json().metadata.deletionTimestamp).toBeDefined();
    expect((await api(h, 'GET', `${PODS}/${first}`)).json().metadata.deletionTimestamp).toBeUndefined();
    const res = await api(h, 'DELETE', `${PODS}/${second}`, {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 0,
    });
    expect(res.status, res.body).toBe(200);
    expect((await api(h, 'GET', `${PODS}/${second}`)).status).toBe(404);
    await twoRunning();
  });

  it('refuses a bad grace period and the control plane pod', async () => {
    const [p] = await twoRunning();
    const bad = await api(h, 'DELETE', `${PODS}/${p}?gracePeriodSeconds=soon`);
    expect(bad.status).toBe(400);
    const autoscaler = await api(h, 'DELETE', '/api/v1/namespaces/knative-serving/pods/autoscaler-6f8c9b7d5-knsim');
    expect(autoscaler.status).toBe(405);
    expect((await api(h, 'GET', '/api/v1/namespaces/knative-serving/pods/autoscaler-6f8c9b7d5-knsim')).status).toBe(
      200,
    );
  });
});

describe.skipIf(!HAS_KUBECTL)('kubectl delete pod', () => {
  it('deletes gracefully (waiting until it is gone), and with --force --grace-period=0 at once', async () => {
    const cache = mkdtempSync(join(h.dir, 'cache-'));
    const [first, second] = await twoRunning();
    const r = await kubectl(h.kubeconfig, cache, ['delete', 'pod', first!]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`pod "${first}" deleted\n`);
    // kubectl waited for the pod to be gone.
    expect((await api(h, 'GET', `${PODS}/${first}`)).status).toBe(404);
    const forced = await kubectl(h.kubeconfig, cache, ['delete', 'pod', second!, '--force', '--grace-period=0']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toBe(
      'Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n',
    );
    expect(forced.stdout).toBe(`pod "${second}" force deleted\n`);
    const pods = await twoRunning();
    expect(pods).not.toContain(first);
    expect(pods).not.toContain(second);
  });
});

describe('processes in a simulated pod', () => {
  it('exec, attach and port-forward are a clear 400, not the 404 of an unknown path', async () => {
    const [p] = await twoRunning();
    for (const sub of ['exec?command=ls&container=user-container&stdout=true', 'attach', 'portforward']) {
      const res = await api(h, 'POST', `${PODS}/${p}/${sub}`);
      expect(res.status, sub).toBe(400);
      expect(res.json().message).toMatch(/^knsim: pod ".*" is simulated: it runs no processes, so /);
    }
  });
});

describe.skipIf(!HAS_KUBECTL)('kubectl exec', () => {
  it('prints the refusal', async () => {
    const cache = mkdtempSync(join(h.dir, 'cache-'));
    const [p] = await twoRunning();
    const r = await kubectl(h.kubeconfig, cache, ['exec', p!, '-c', 'user-container', '--', 'ls']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `Error from server (BadRequest): knsim: pod "${p}" is simulated: it runs no processes, so exec has nothing to connect to (see docs/serve.md, What does not work)\n`,
    );
  });
});
