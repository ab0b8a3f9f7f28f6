/**
 * Dry run on every verb, in the query and in the DeleteOptions body: a client that asked for a
 * dry run never loses or changes an object. Through @kubernetes/client-node and raw requests
 * always, and through the real kubectl when it is installed.
 */
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, HAS_KUBECTL, type Harness, type KubectlResult, kubectl, startHarness } from './helpers.js';

let h: Harness;
let custom: k8s.CustomObjectsApi;
let core: k8s.CoreV1Api;

const KSVC = { group: 'serving.knative.dev', version: 'v1', plural: 'services' } as const;
const BASE = '/apis/serving.knative.dev/v1/namespaces/default/services';

function service(name: string, image = 'docker.io/knsim/demo') {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name },
    spec: { template: { spec: { containers: [{ image }] } } },
  };
}

/** The stored object, or undefined. */
async function stored(name: string) {
  const r = await api(h, 'GET', `${BASE}/${name}`);
  return r.status === 200 ? r.json() : undefined;
}

const imageOf = (o: { spec: { template: { spec: { containers: { image: string }[] } } } }) =>
  o.spec.template.spec.containers[0]?.image;

beforeAll(async () => {
  h = await startHarness();
  const kc = new k8s.KubeConfig();
  kc.loadFromString(h.server.kubeconfig());
  custom = kc.makeApiClient(k8s.CustomObjectsApi);
  core = kc.makeApiClient(k8s.CoreV1Api);
  for (const name of ['keep', 'keep2', 'keep3']) {
    expect((await api(h, 'POST', BASE, service(name))).status).toBe(201);
  }
});

afterAll(async () => {
  await h?.stop();
});

describe('dry run through the API (client-node and raw requests)', () => {
  it('create: the answer has what the server would fill in, nothing is stored', async () => {
    const made = (await custom.createNamespacedCustomObject({
      ...KSVC,
      namespace: 'default',
      body: service('ghost'),
      dryRun: 'All',
    })) as { metadata: { uid?: string; creationTimestamp?: string; name: string } };
    expect(made.metadata.name).toBe('ghost');
    expect(made.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.metadata.creationTimestamp).toBeTruthy();
    expect(await stored('ghost')).toBeUndefined();
  });

  it('update (PUT) and patch (merge, JSON, apply): the answer shows the change, the object keeps its image', async () => {
    // The simulated controllers write the Service's status meanwhile, so a PUT of what was read
    // can meet a newer resourceVersion: read again and retry on 409, as client-go's
    // RetryOnConflict does (a busy machine made this fail once in CI).
    let before = await stored('keep');
    let put = await api(h, 'PUT', `${BASE}/keep?dryRun=All`, {
      ...before,
      spec: service('keep', 'docker.io/knsim/put').spec,
    });
    for (let attempt = 0; put.status === 409 && attempt < 20; attempt++) {
      expect(put.json().reason).toBe('Conflict');
      before = await stored('keep');
      put = await api(h, 'PUT', `${BASE}/keep?dryRun=All`, {
        ...before,
        spec: service('keep', 'docker.io/knsim/put').spec,
      });
    }
    expect(put.status).toBe(200);
    expect(imageOf(put.json())).toBe('docker.io/knsim/put');
    expect(put.json().metadata.generation).toBe(before.metadata.generation + 1);

    const merge = await api(
      h,
      'PATCH',
      `${BASE}/keep?dryRun=All`,
      { spec: service('keep', 'docker.io/knsim/merge').spec },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(merge.status).toBe(200);
    expect(imageOf(merge.json())).toBe('docker.io/knsim/merge');

    const jsonPatch = await api(
      h,
      'PATCH',
      `${BASE}/keep?dryRun=All`,
      [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'docker.io/knsim/jsonpatch' }],
      { 'content-type': 'application/json-patch+json' },
    );
    expect(jsonPatch.status).toBe(200);

    const applied = await api(
      h,
      'PATCH',
      `${BASE}/keep?dryRun=All&fieldManager=tester&force=true`,
      JSON.stringify(service('keep', 'docker.io/knsim/apply')),
      { 'content-type': 'application/apply-patch+yaml' },
    );
    expect(applied.status).toBe(200);
    expect(imageOf(applied.json())).toBe('docker.io/knsim/apply');

    const after = await stored('keep');
    expect(imageOf(after)).toBe('docker.io/knsim/demo');
    // Not the resourceVersion: Knative's simulated controllers keep writing the status meanwhile.
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect((after.metadata.managedFields ?? []).map((m: { manager?: string }) => m.manager)).not.toContain('tester');
  });

  it('server-side apply of a new object with dryRun creates nothing', async () => {
    const r = await api(
      h,
      'PATCH',
      `${BASE}/applied-ghost?dryRun=All&fieldManager=tester`,
      JSON.stringify(service('applied-ghost')),
      { 'content-type': 'application/apply-patch+yaml' },
    );
    expect(r.status).toBe(201);
    expect(await stored('applied-ghost')).toBeUndefined();
  });

  it('delete: dryRun in the query, in the DeleteOptions body (as kubectl sends it), or both keeps the object', async () => {
    const viaQuery = await api(h, 'DELETE', `${BASE}/keep?dryRun=All`);
    expect(viaQuery.status).toBe(200);
    const viaBody = await api(h, 'DELETE', `${BASE}/keep`, {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background',
      dryRun: ['All'],
    });
    expect(viaBody.status).toBe(200);
    await custom.deleteNamespacedCustomObject({
      ...KSVC,
      namespace: 'default',
      name: 'keep',
      dryRun: 'All',
      body: { dryRun: ['All'] },
    });
    expect(await stored('keep')).toBeDefined();
  });

  it('deletecollection: dryRun in the query or the body deletes nothing', async () => {
    expect((await api(h, 'DELETE', `${BASE}?dryRun=All`)).status).toBe(200);
    const r = await api(h, 'DELETE', BASE, { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] });
    expect(r.status).toBe(200);
    expect(r.json().items.map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual([
      'keep',
      'keep2',
      'keep3',
    ]);
    for (const name of ['keep', 'keep2', 'keep3']) expect(await stored(name)).toBeDefined();
  });

  it('an unknown dryRun value is refused (422) and nothing happens', async () => {
    const q = await api(h, 'DELETE', `${BASE}/keep?dryRun=all`);
    expect(q.status).toBe(422);
    expect(q.json().message).toBe(
      'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"all"}: supported values: "All"',
    );
    const b = await api(h, 'DELETE', `${BASE}/keep`, { dryRun: ['Yes'] });
    expect(b.status).toBe(422);
    const c = await api(h, 'POST', `${BASE}?dryRun=true`, service('typo'));
    expect(c.status).toBe(422);
    expect(c.json().message).toContain('CreateOptions.meta.k8s.io "" is invalid: dryRun');
    expect(await stored('keep')).toBeDefined();
    expect(await stored('typo')).toBeUndefined();
  });

  it('preconditions: a delete for another uid or resourceVersion is a 409 and deletes nothing', async () => {
    const uid = await api(h, 'DELETE', `${BASE}/keep2`, { preconditions: { uid: 'not-the-uid' } });
    expect(uid.status).toBe(409);
    expect(uid.json().message).toMatch(
      /^Operation cannot be fulfilled on Service.serving.knative.dev "keep2": the UID in the precondition \(not-the-uid\) does not match the UID in record \([0-9a-f-]{36}\). The object might have been deleted and then recreated$/,
    );
    const rv = await api(h, 'DELETE', `${BASE}/keep2`, { preconditions: { resourceVersion: '1' } });
    expect(rv.status).toBe(409);
    expect(await stored('keep2')).toBeDefined();
  });

  it('a namespace deleted with dryRun keeps itself and its objects', async () => {
    await core.createNamespace({ body: { metadata: { name: 'dry' } } });
    await core.createNamespacedConfigMap({ namespace: 'dry', body: { metadata: { name: 'c' }, data: { a: 'b' } } });
    await core.deleteNamespace({ name: 'dry', dryRun: 'All' });
    expect((await api(h, 'DELETE', '/api/v1/namespaces/dry', { dryRun: ['All'] })).status).toBe(200);
    expect((await core.readNamespace({ name: 'dry' })).metadata?.name).toBe('dry');
    expect((await core.readNamespacedConfigMap({ namespace: 'dry', name: 'c' })).data).toEqual({ a: 'b' });
  });

  it('the status subresource with dryRun keeps the status', async () => {
    // The simulation runs on while the test does: wait until the Service has settled (Ready), or
    // its own reconcile may change the status between the two reads (seen on a loaded machine).
    const before = await eventually(async () => {
      const o = await stored('keep3');
      const ready = o?.status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
      return ready?.status === 'True' ? o : undefined;
    }, 30_000);
    const r = await api(
      h,
      'PATCH',
      `${BASE}/keep3/status?dryRun=All`,
      { status: { observedGeneration: 99 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(r.status).toBe(200);
    expect(r.json().status.observedGeneration).toBe(99);
    expect((await stored('keep3')).status).toEqual(before.status);
  });
});

describe.skipIf(!HAS_KUBECTL)('dry run through the real kubectl', () => {
  let cache: string;
  const k = (...args: string[]): Promise<KubectlResult> => kubectl(h.kubeconfig, cache, args);
  const file = async (name: string, text: string) => {
    const { writeFileSync } = await import('node:fs');
    const path = join(h.dir, name);
    writeFileSync(path, text);
    return path;
  };
  const yaml = (name: string, image: string) =>
    `apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - image: ${image}\n`;

  beforeAll(() => {
    cache = join(h.dir, 'kubectl-cache');
  });

  it('kubectl delete --dry-run=server deletes nothing (dryRun travels in the DeleteOptions body)', async () => {
    expect((await k('apply', '-f', await file('kd.yaml', yaml('kd', 'docker.io/knsim/demo')))).code).toBe(0);
    const r = await k('delete', 'ksvc', 'kd', '--dry-run=server');
    expect(r).toMatchObject({ code: 0, stdout: 'service.serving.knative.dev "kd" deleted (server dry run)\n' });
    expect(await stored('kd')).toBeDefined();
    const all = await k('delete', 'ksvc', '--all', '--dry-run=server');
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('"kd" deleted (server dry run)');
    expect(await stored('kd')).toBeDefined();
    expect((await k('delete', '-f', join(h.dir, 'kd.yaml'), '--dry-run=server')).code).toBe(0);
    expect(await stored('kd')).toBeDefined();
  });

  it('kubectl create, apply, apply --server-side, patch, replace, label with --dry-run=server change nothing', async () => {
    const created = await k(
      'create',
      '-f',
      await file('kc.yaml', yaml('kc', 'docker.io/knsim/demo')),
      '--dry-run=server',
    );
    expect(created).toMatchObject({ code: 0, stdout: 'service.serving.knative.dev/kc created (server dry run)\n' });
    expect(await stored('kc')).toBeUndefined();

    // Its own Service (the tests hold in any order).
    expect((await k('apply', '-f', await file('kr.yaml', yaml('kr', 'docker.io/knsim/demo')))).code).toBe(0);
    const changed = await file('kr2.yaml', yaml('kr', 'docker.io/knsim/changed'));
    const applied = await k('apply', '-f', changed, '--dry-run=server');
    expect(applied).toMatchObject({ code: 0, stdout: 'service.serving.knative.dev/kr configured (server dry run)\n' });
    const ssa = await k('apply', '--server-side', '--force-conflicts', '-f', changed, '--dry-run=server');
    expect(ssa).toMatchObject({
      code: 0,
      stdout: 'service.serving.knative.dev/kr serverside-applied (server dry run)\n',
    });
    const patched = await k(
      'patch',
      'ksvc',
      'kr',
      '--type',
      'merge',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"image":"docker.io/knsim/patched"}]}}}}',
      '--dry-run=server',
    );
    // kubectl 1.32's patch does not add "(server dry run)" to its message; the object is what counts.
    expect(patched).toMatchObject({ code: 0 });
    expect(patched.stdout).toMatch(/^service\.serving\.knative\.dev\/kr patched/);
    const replaced = await k('replace', '-f', changed, '--dry-run=server');
    expect(replaced.code).toBe(0);
    expect((await k('label', 'ksvc', 'kr', 'team=x', '--dry-run=server')).code).toBe(0);

    const after = await stored('kr');
    expect(imageOf(after)).toBe('docker.io/knsim/demo');
    expect(after.metadata.labels?.team).toBeUndefined();
  });

  it('kubectl delete namespace --dry-run=server keeps the namespace', async () => {
    expect((await k('create', 'namespace', 'kdry')).code).toBe(0);
    const r = await k('delete', 'namespace', 'kdry', '--dry-run=server');
    expect(r).toMatchObject({ code: 0, stdout: 'namespace "kdry" deleted (server dry run)\n' });
    expect((await k('get', 'namespace', 'kdry', '-o', 'name')).stdout).toBe('namespace/kdry\n');
  });
});
