/** @kubernetes/client-node 1.4 against knsim serve: list, watch (resume, 410), create, patch, delete, errors. */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Harness, startHarness } from './helpers.js';

let h: Harness;
let kc: k8s.KubeConfig;
let custom: k8s.CustomObjectsApi;
let core: k8s.CoreV1Api;

const KSVC = { group: 'serving.knative.dev', version: 'v1', plural: 'services' } as const;

function service(name: string, image = 'docker.io/knsim/demo') {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name },
    spec: { template: { spec: { containers: [{ image }] } } },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, checked by the assertions
async function codeOf(p: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof k8s.ApiException) return { code: e.code, body: JSON.parse(e.body as string) };
    throw e;
  }
  throw new Error('expected an ApiException');
}

interface Seen {
  type: string;
  name: string;
  rv: number;
}

function startWatch(path: string, params: Record<string, string | boolean>, seen: Seen[]) {
  const done: { err?: unknown; ended: boolean } = { ended: false };
  const controller = new k8s.Watch(kc).watch(
    path,
    params,
    (type, obj) => {
      seen.push({ type, name: obj?.metadata?.name ?? '', rv: Number(obj?.metadata?.resourceVersion ?? obj?.code) });
      if (type === 'ERROR') seen[seen.length - 1]!.rv = obj.code;
    },
    (err) => {
      done.err = err;
      done.ended = true;
    },
  );
  return { controller, done };
}

beforeAll(async () => {
  h = await startHarness({ historyCapacity: 50, bookmarkIntervalMs: 200 });
  kc = new k8s.KubeConfig();
  kc.loadFromString(h.server.kubeconfig());
  custom = kc.makeApiClient(k8s.CustomObjectsApi);
  core = kc.makeApiClient(k8s.CoreV1Api);
});

afterAll(async () => {
  await h?.stop();
});

describe('knsim serve with @kubernetes/client-node 1.4', () => {
  it('lists namespaces and the knative-serving ConfigMaps', async () => {
    const ns = await core.listNamespace();
    expect(ns.items.map((n) => n.metadata?.name)).toContain('knative-serving');
    const cms = await core.listNamespacedConfigMap({ namespace: 'knative-serving' });
    expect(cms.items.map((c) => c.metadata?.name)).toContain('config-domain');
    const one = await core.listNamespacedConfigMap({
      namespace: 'knative-serving',
      fieldSelector: 'metadata.name=config-autoscaler',
    });
    expect(one.items.map((c) => c.metadata?.name)).toEqual(['config-autoscaler']);
  });

  it('creates, gets, patches and deletes a Knative Service; the controllers react', async () => {
    const created = await custom.createNamespacedCustomObject({
      ...KSVC,
      namespace: 'default',
      body: service('hello'),
    });
    expect(created.metadata.uid).toBeTruthy();
    expect(created.spec.template.spec.containers[0].name).toBe('user-container');

    const ready = await eventually(async () => {
      const s = await custom.getNamespacedCustomObject({ ...KSVC, namespace: 'default', name: 'hello' });
      return s.status?.conditions?.find((c: { type: string; status: string }) => c.type === 'Ready')?.status === 'True'
        ? s
        : undefined;
    }, 90_000);
    expect(ready.status.latestReadyRevisionName).toBe('hello-00001');

    const patched = await custom.patchNamespacedCustomObject(
      { ...KSVC, namespace: 'default', name: 'hello', body: { metadata: { labels: { team: 'a' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(patched.metadata.labels).toEqual({ team: 'a' });
    expect(patched.metadata.generation).toBe(1);

    const jsonPatched = await custom.patchNamespacedCustomObject(
      {
        ...KSVC,
        namespace: 'default',
        name: 'hello',
        body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'docker.io/knsim/demo:v2' }],
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
    );
    expect(jsonPatched.metadata.generation).toBe(2);

    const labelled = await custom.listNamespacedCustomObject({
      ...KSVC,
      namespace: 'default',
      labelSelector: 'team=a',
    });
    expect(labelled.items.map((s: { metadata: { name: string } }) => s.metadata.name)).toEqual(['hello']);
    // Other tests' Services may exist (any order): hello is not among those without team=a.
    const others = await custom.listNamespacedCustomObject({ ...KSVC, namespace: 'default', labelSelector: 'team!=a' });
    expect(others.items.map((s: { metadata: { name: string } }) => s.metadata.name)).not.toContain('hello');

    await custom.deleteNamespacedCustomObject({ ...KSVC, namespace: 'default', name: 'hello' });
    // Background propagation: the Configuration, Route and Revisions go with the Service.
    await eventually(async () => {
      const revs = await custom.listNamespacedCustomObject({
        group: 'serving.knative.dev',
        version: 'v1',
        plural: 'revisions',
        namespace: 'default',
        labelSelector: 'serving.knative.dev/service=hello',
      });
      return revs.items.length === 0 ? true : undefined;
    }, 90_000);
  });

  it('answers errors with ApiException codes and Status bodies', async () => {
    const missing = await codeOf(custom.getNamespacedCustomObject({ ...KSVC, namespace: 'default', name: 'nope' }));
    expect(missing.code).toBe(404);
    expect(missing.body).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'services.serving.knative.dev "nope" not found',
    });

    await custom.createNamespacedCustomObject({ ...KSVC, namespace: 'default', body: service('twice') });
    const again = await codeOf(
      custom.createNamespacedCustomObject({ ...KSVC, namespace: 'default', body: service('twice') }),
    );
    expect(again.code).toBe(409);
    expect(again.body.reason).toBe('AlreadyExists');

    const stale = await custom.getNamespacedCustomObject({ ...KSVC, namespace: 'default', name: 'twice' });
    await custom.patchNamespacedCustomObject(
      { ...KSVC, namespace: 'default', name: 'twice', body: { metadata: { labels: { x: 'y' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const conflict = await codeOf(
      custom.replaceNamespacedCustomObject({ ...KSVC, namespace: 'default', name: 'twice', body: stale }),
    );
    expect(conflict.code).toBe(409);
    expect(conflict.body.reason).toBe('Conflict');

    const invalid = await codeOf(
      custom.createNamespacedCustomObject({ ...KSVC, namespace: 'default', body: service('Bad_Name') }),
    );
    expect(invalid.code).toBe(422);
    expect(invalid.body.reason).toBe('Invalid');

    const denied = await codeOf(
      custom.createNamespacedCustomObject({ ...KSVC, namespace: 'default', body: service('noimage', '') }),
    );
    expect(denied.code).toBe(400);
    expect(denied.body.message).toMatch(
      /^admission webhook "validation\.webhook\.serving\.knative\.dev" denied the request: validation failed: /,
    );

    const badConfig = await codeOf(
      core.patchNamespacedConfigMap(
        {
          namespace: 'knative-serving',
          name: 'config-autoscaler',
          body: { data: { 'stable-window': 'banana' } },
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      ),
    );
    expect(badConfig.code).toBe(400);
    expect(badConfig.body.message).toContain('config.webhook.serving.knative.dev');

    const readOnly = await codeOf(core.deleteNamespacedEndpoints({ namespace: 'default', name: 'whatever' }));
    expect(readOnly.code).toBe(405);
    // Pods can be deleted (the simulation stops them): a missing one is a 404, as on a cluster.
    const noPod = await codeOf(core.deleteNamespacedPod({ namespace: 'default', name: 'whatever' }));
    expect(noPod.code).toBe(404);

    const noNamespace = await codeOf(
      custom.createNamespacedCustomObject({ ...KSVC, namespace: 'nowhere', body: service('x') }),
    );
    expect(noNamespace.code).toBe(404);
    expect(noNamespace.body.message).toBe('namespaces "nowhere" not found');
  });

  it('changes the simulation through config maps', async () => {
    await core.patchNamespacedConfigMap(
      { namespace: 'knative-serving', name: 'config-domain', body: { data: { 'knsim.dev': '' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(h.server.cluster.config.domain).toBeDefined();
    await custom.createNamespacedCustomObject({ ...KSVC, namespace: 'default', body: service('dom') });
    const url = await eventually(async () => {
      const r = await custom.getNamespacedCustomObject({
        group: 'serving.knative.dev',
        version: 'v1',
        plural: 'routes',
        namespace: 'default',
        name: 'dom',
      });
      return r.status?.url as string | undefined;
    }, 90_000);
    expect(url).toBe('http://dom.default.knsim.dev');
  });

  it('watches, resumes from a resourceVersion after a dropped connection, and gets 410 when too old', async () => {
    const path = '/api/v1/namespaces/default/configmaps';
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const startRv = list.metadata?.resourceVersion ?? '0';

    const seen: Seen[] = [];
    const first = startWatch(path, { resourceVersion: startRv, allowWatchBookmarks: true }, seen);
    await first.controller;
    for (let i = 0; i < 3; i++) {
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: `w${i}` }, data: {} } });
    }
    await eventually(async () => (seen.filter((e) => e.type === 'ADDED').length === 3 ? true : undefined), 30_000, 20);
    await eventually(async () => (seen.some((e) => e.type === 'BOOKMARK') ? true : undefined), 30_000, 20);
    (await first.controller).abort(); // the connection drops
    const lastRv = Math.max(...seen.filter((e) => e.type !== 'BOOKMARK').map((e) => e.rv));

    // Changes while nobody watches.
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'w0' });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w3' }, data: {} } });

    const resumed: Seen[] = [];
    const second = startWatch(path, { resourceVersion: String(lastRv) }, resumed);
    await eventually(async () => (resumed.length >= 2 ? true : undefined), 30_000, 20);
    expect(resumed.map((e) => `${e.type} ${e.name}`)).toEqual(['DELETED w0', 'ADDED w3']);
    expect(resumed[0]!.rv).toBeGreaterThan(lastRv);
    (await second.controller).abort();

    // Push the oldest events out of the bounded history (50 per type), then ask for them.
    for (let i = 0; i < 60; i++) {
      await core.patchNamespacedConfigMap(
        { namespace: 'default', name: 'w1', body: { data: { n: String(i) } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
    }
    const expired: Seen[] = [];
    const third = startWatch(path, { resourceVersion: startRv }, expired);
    await eventually(async () => (third.done.ended ? true : undefined), 30_000, 20);
    expect(expired).toEqual([{ type: 'ERROR', name: '', rv: 410 }]);
  });

  it('an informer lists and watches', async () => {
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () =>
      core.listNamespacedConfigMap({ namespace: 'default' }),
    );
    const added: string[] = [];
    informer.on('add', (o) => added.push(o.metadata?.name ?? ''));
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'inf' }, data: {} } });
    await eventually(async () => (added.includes('inf') ? true : undefined), 30_000, 20);
    expect(informer.list().map((o) => o.metadata?.name)).toContain('inf');
    await informer.stop();
  });
});
