/**
 * Deletion's propagation policy: `Orphan` (kubectl delete --cascade=orphan) keeps the dependents
 * and only takes the owner's reference off them, as Kubernetes' garbage collector does; Background
 * and Foreground take them along. A client never loses an object it asked to keep.
 */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, HAS_KUBECTL, type Harness, ingress, kubectl, startHarness } from './helpers.js';

let h: Harness;
const SERVING = '/apis/serving.knative.dev/v1/namespaces/default';

function service(name: string) {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name },
    spec: { template: { spec: { containers: [{ image: 'docker.io/knsim/demo' }] } } },
  };
}

async function status(path: string): Promise<number> {
  return (await api(h, 'GET', path)).status;
}

/**
 * Waits until the object is gone: the garbage collector acts an informer's latency after the
 * DELETE, and an Orphan or Foreground deletion holds the owner until it has (as on a cluster).
 */
async function gone(path: string): Promise<void> {
  await eventually(async () => ((await status(path)) === 404 ? true : undefined), 10_000);
}

/** Creates a Service and waits until its Configuration, Route and first Revision exist. */
async function readyService(name: string): Promise<{ uid: string }> {
  const made = await api(h, 'POST', `${SERVING}/services`, service(name));
  expect(made.status, made.body).toBe(201);
  await eventually(async () => {
    const svc = (await api(h, 'GET', `${SERVING}/services/${name}`)).json();
    const ready = svc.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
    return ready?.status === 'True' ? true : undefined;
  }, 20_000);
  return { uid: made.json().metadata.uid };
}

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

describe('delete with a propagation policy', () => {
  it('Orphan keeps the Configuration and the Route, without the owner reference, still serving', async () => {
    const { uid } = await readyService('orphaned');
    const res = await api(h, 'DELETE', `${SERVING}/services/orphaned`, { propagationPolicy: 'Orphan' });
    expect(res.status, res.body).toBe(200);
    // Marked, with the collector's finalizer, until the dependents are orphaned.
    expect(res.json().metadata.finalizers).toEqual(['orphan']);
    expect(res.json().metadata.deletionTimestamp).toBeDefined();
    await gone(`${SERVING}/services/orphaned`);
    for (const kind of ['configurations', 'routes']) {
      const got = await api(h, 'GET', `${SERVING}/${kind}/orphaned`);
      expect(got.status, `${kind}: ${got.body}`).toBe(200);
      const refs: { uid: string }[] = got.json().metadata.ownerReferences ?? [];
      expect(refs.some((r) => r.uid === uid)).toBe(false);
    }
    // The Revision still belongs to the Configuration (only the Service's references went).
    const rev = (await api(h, 'GET', `${SERVING}/revisions/orphaned-00001`)).json();
    expect(rev.metadata.ownerReferences[0].kind).toBe('Configuration');
    // Knative's controllers run the orphans on their own: the Route still answers.
    const answer = await ingress(h.server.ingressPort, 'orphaned.default.svc.cluster.local');
    expect(answer.status).toBe(200);
    // …and they stay, a while later.
    await new Promise((r) => setTimeout(r, 300));
    expect(await status(`${SERVING}/configurations/orphaned`)).toBe(200);
    expect(await status(`${SERVING}/routes/orphaned`)).toBe(200);
  });

  it('the older orphanDependents: true does the same; with a policy too it is a 422', async () => {
    await readyService('orphaned2');
    const both = await api(h, 'DELETE', `${SERVING}/services/orphaned2`, {
      orphanDependents: true,
      propagationPolicy: 'Background',
    });
    expect(both.status).toBe(422);
    expect(both.json().message).toBe(
      'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Background": orphanDependents and deletionPropagation cannot be both set',
    );
    expect(await status(`${SERVING}/services/orphaned2`)).toBe(200);
    const res = await api(h, 'DELETE', `${SERVING}/services/orphaned2?orphanDependents=true`);
    expect(res.status, res.body).toBe(200);
    await gone(`${SERVING}/services/orphaned2`);
    expect(await status(`${SERVING}/configurations/orphaned2`)).toBe(200);
  });

  it('Background (the default) takes the dependents along', async () => {
    await readyService('cascaded');
    const res = await api(h, 'DELETE', `${SERVING}/services/cascaded`, { propagationPolicy: 'Background' });
    expect(res.status, res.body).toBe(200);
    // The Service goes at once (a Status); its dependents after it, the Route once finalized.
    expect(res.json().kind).toBe('Status');
    await gone(`${SERVING}/configurations/cascaded`);
    await gone(`${SERVING}/routes/cascaded`);
  });

  it('deletecollection with Orphan keeps the dependents of every object it deletes', async () => {
    await readyService('many');
    const res = await api(h, 'DELETE', `${SERVING}/services?labelSelector=`, { propagationPolicy: 'Orphan' });
    expect(res.status, res.body).toBe(200);
    await gone(`${SERVING}/services/many`);
    expect(await status(`${SERVING}/configurations/many`)).toBe(200);
    expect(await status(`${SERVING}/routes/many`)).toBe(200);
  });
});

describe.skipIf(!HAS_KUBECTL)('kubectl delete --cascade', () => {
  it('--cascade=orphan leaves the Configuration and the Route', async () => {
    await readyService('kept');
    const cache = mkdtempSync(join(h.dir, 'cache-'));
    const r = await kubectl(h.kubeconfig, cache, ['delete', 'ksvc', 'kept', '--cascade=orphan']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('service.serving.knative.dev "kept" deleted\n');
    // kubectl waited (--wait is on by default) until the Service was gone.
    expect(await status(`${SERVING}/services/kept`)).toBe(404);
    const left = await kubectl(h.kubeconfig, cache, ['get', 'configuration,route', 'kept', '-o', 'name']);
    expect(left.code, left.stderr).toBe(0);
    expect(left.stdout).toBe('configuration.serving.knative.dev/kept\nroute.serving.knative.dev/kept\n');
  });
});
