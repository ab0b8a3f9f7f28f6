/** The API's wire protocol: bad requests, Status objects, Tables, discovery, status subresource, server-side apply. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Harness, startHarness } from './helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

const KSVCS = '/apis/serving.knative.dev/v1/namespaces/default/services';
const TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

function ksvc(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name },
    spec: { template: { spec: { containers: [{ image: 'docker.io/knsim/demo', ...extra }] } } },
  };
}

/** The Knative Service 'media' that several tests use, made by whichever runs first (any order holds). */
async function media(): Promise<void> {
  const r = await api(h, 'POST', KSVCS, ksvc('media'));
  expect([201, 409]).toContain(r.status);
}

/** A namespace of the test's own, so what it lists is what it made. */
async function namespace(name: string): Promise<string> {
  const r = await api(h, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  expect(r.status).toBe(201);
  return `/api/v1/namespaces/${name}/configmaps`;
}

describe('discovery', () => {
  it('serves /version, /api, /apis and resource lists with short names and categories', async () => {
    expect((await api(h, 'GET', '/version')).json().gitVersion).toMatch(/^v1\.32/);
    expect((await api(h, 'GET', '/healthz')).body).toBe('ok');
    const apiDoc = (await api(h, 'GET', '/api')).json();
    expect(apiDoc).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await api(h, 'GET', '/apis')).json();
    expect(groups.groups.map((g: { name: string }) => g.name)).toEqual([
      'apps',
      'authentication.k8s.io',
      'authorization.k8s.io',
      'autoscaling',
      'batch',
      'discovery.k8s.io',
      'networking.k8s.io',
      'autoscaling.internal.knative.dev',
      'networking.internal.knative.dev',
      'serving.knative.dev',
    ]);
    const serving = (await api(h, 'GET', '/apis/serving.knative.dev/v1')).json();
    const services = serving.resources.find((r: { name: string }) => r.name === 'services');
    expect(services).toMatchObject({
      kind: 'Service',
      namespaced: true,
      shortNames: ['kservice', 'ksvc'],
      categories: ['all', 'knative', 'serving'],
    });
    expect(serving.resources.map((r: { name: string }) => r.name)).toContain('services/status');
    const core = (await api(h, 'GET', '/api/v1')).json();
    const shortNames = core.resources.flatMap((r: { shortNames?: string[] }) => r.shortNames ?? []);
    expect(shortNames).toEqual(expect.arrayContaining(['po', 'cm', 'ns']));
    const pa = (await api(h, 'GET', '/apis/autoscaling.internal.knative.dev/v1alpha1')).json();
    expect(pa.resources.find((r: { name: string }) => r.name === 'podautoscalers')).toMatchObject({
      shortNames: ['kpa', 'pa'],
    });
  });

  it('needs the bearer token over https', async () => {
    if (!h.server.certificate) return;
    const r = await api(h, 'GET', '/api/v1/namespaces', undefined, { authorization: 'Bearer wrong' });
    expect(r.status).toBe(401);
    expect(r.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });
});

describe('bad requests never crash the server', () => {
  it('malformed JSON → 400 BadRequest', async () => {
    const r = await api(h, 'POST', KSVCS, '{"apiVersion": "serving.knative.dev/v1", kind');
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    expect(r.json().message).toMatch(/^couldn't get version\/kind; json parse error: /);
    const arr = await api(h, 'POST', KSVCS, '[1,2]');
    expect(arr.status).toBe(400);
    const yamlBad = await api(h, 'POST', KSVCS, 'a: [', { 'content-type': 'application/yaml' });
    expect(yamlBad.status).toBe(400);
  });

  it('unknown resource, unknown group, wrong version → 404', async () => {
    for (const path of [
      '/apis/serving.knative.dev/v1/namespaces/default/widgets',
      '/apis/example.com/v1/namespaces/default/widgets',
      '/apis/serving.knative.dev/v2/namespaces/default/services',
      '/api/v2/pods',
      '/nonsense',
    ]) {
      const r = await api(h, 'GET', path);
      expect(r.status, path).toBe(404);
      expect(r.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
    }
  });

  it('mismatched apiVersion or kind → 400', async () => {
    const r = await api(h, 'POST', KSVCS, { ...ksvc('x'), apiVersion: 'serving.knative.dev/v1beta1' });
    expect(r.status).toBe(400);
    const k = await api(h, 'POST', KSVCS, { ...ksvc('x'), kind: 'Route' });
    expect(k.status).toBe(400);
    const ns = await api(h, 'POST', KSVCS, { ...ksvc('x'), metadata: { name: 'x', namespace: 'other' } });
    expect(ns.status).toBe(400);
  });

  it('an invalid Knative spec → the webhook denial kubectl shows', async () => {
    const r = await api(h, 'POST', KSVCS, ksvc('bad', { ports: [{ containerPort: 8012 }] }));
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({
      reason: 'BadRequest',
      message:
        'admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: invalid value: 8012 is a reserved port: spec.template.spec.containers[0].ports.containerPort\n8012 is a reserved port, please use a different value',
    });
  });

  it('unsupported media types → 415; unsupported methods → 405; read-only types → 405', async () => {
    await media();
    const r = await api(h, 'PATCH', `${KSVCS}/media`, '{}', { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    expect(r.json().reason).toBe('UnsupportedMediaType');
    const cbor = await api(h, 'POST', KSVCS, 'x', { 'content-type': 'application/cbor' });
    expect(cbor.status).toBe(415);
    const p = await api(h, 'POST', KSVCS, 'x', { 'content-type': 'application/vnd.kubernetes.protobuf' });
    expect(p.status).toBe(400);
    const m = await api(h, 'POST', `${KSVCS}/media`, ksvc('media'));
    expect(m.status).toBe(405);
    const d = await api(h, 'DELETE', '/apis/apps/v1/namespaces/default/deployments/x');
    expect(d.status).toBe(405);
    const allNs = await api(h, 'POST', '/apis/serving.knative.dev/v1/services', ksvc('nowhere'));
    expect(allNs.status).toBe(405);
    expect((await api(h, 'GET', '/apis/serving.knative.dev/v1/services')).json().items.length).toBeGreaterThan(0);
  });

  it('bad selectors → 400; deleting default → 403', async () => {
    expect((await api(h, 'GET', `${KSVCS}?labelSelector=${encodeURIComponent('a in (')}`)).status).toBe(400);
    expect((await api(h, 'GET', `${KSVCS}?fieldSelector=spec.foo%3Dbar`)).status).toBe(400);
    const r = await api(h, 'DELETE', '/api/v1/namespaces/default');
    expect(r.status).toBe(403);
    expect(r.json().message).toBe('namespaces "default" is forbidden: this namespace may not be deleted');
  });

  it('a body over 3 MiB → 413', async () => {
    const big = JSON.stringify({ ...ksvc('big'), padding: 'x'.repeat(4 * 1024 * 1024) });
    const r = await api(h, 'POST', KSVCS, big);
    expect(r.status).toBe(413);
  });

  it('still answers after all that', async () => {
    expect((await api(h, 'GET', '/api/v1/namespaces/default')).status).toBe(200);
  });
});

describe('tables', () => {
  it('answers as=Table with Name first and the printer columns; pods have the wide columns at priority 1', async () => {
    await media();
    const r = await api(h, 'GET', KSVCS, undefined, { accept: TABLE_ACCEPT });
    const t = r.json();
    expect(t).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(t.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'URL',
      'LatestCreated',
      'LatestReady',
      'Ready',
      'Reason',
    ]);
    expect(t.columnDefinitions[0].format).toBe('name');
    const row = t.rows.find((x: { object: { metadata: { name: string } } }) => x.object.metadata.name === 'media');
    expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'media' } });
    const pods = (await api(h, 'GET', '/api/v1/namespaces/default/pods', undefined, { accept: TABLE_ACCEPT })).json();
    expect(pods.columnDefinitions.map((c: { name: string; priority: number }) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0',
      'Ready:0',
      'Status:0',
      'Restarts:0',
      'Age:0',
      'IP:1',
      'Node:1',
      'Nominated Node:1',
      'Readiness Gates:1',
    ]);
  });
});

describe('writes', () => {
  it('accepts YAML bodies, server-side apply, the status subresource and deletecollection', async () => {
    const cms = '/api/v1/namespaces/default/configmaps';
    const y = await api(h, 'POST', cms, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  a: "1"\n', {
      'content-type': 'application/yaml',
    });
    expect(y.status).toBe(201);
    expect(y.json().data).toEqual({ a: '1' });

    const applyBody = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  b: "2"\n';
    const ssa = await api(h, 'PATCH', `${cms}/ssa?fieldManager=me`, applyBody, {
      'content-type': 'application/apply-patch+yaml',
    });
    expect(ssa.status).toBe(201);
    expect(ssa.json().metadata.managedFields[0]).toMatchObject({ manager: 'me', operation: 'Apply' });
    const ssa2 = await api(h, 'PATCH', `${cms}/ssa?fieldManager=me`, applyBody.replace('"2"', '"3"'), {
      'content-type': 'application/apply-patch+yaml',
    });
    expect(ssa2.status).toBe(200);
    expect(ssa2.json().data).toEqual({ b: '3' });
    const noManager = await api(h, 'PATCH', `${cms}/ssa`, applyBody, {
      'content-type': 'application/apply-patch+yaml',
    });
    expect(noManager.status).toBe(422); // PatchOptions validation: Invalid, as the API server answers

    await media();
    const status = await api(
      h,
      'PATCH',
      `${KSVCS}/media/status`,
      { status: { observedGeneration: 99 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(status.status).toBe(200);
    expect(status.json().status.observedGeneration).toBe(99);
    const spec = await api(h, 'GET', `${KSVCS}/media/status`);
    expect(spec.json().metadata.generation).toBe(1);

    const dry = await api(h, 'POST', `${cms}?dryRun=All`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'dry' },
    });
    expect(dry.status).toBe(201);
    expect((await api(h, 'GET', `${cms}/dry`)).status).toBe(404);

    const gen = await api(h, 'POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
    expect(gen.json().metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);

    const deleted = await api(h, 'DELETE', `${cms}?labelSelector=`);
    expect(deleted.status).toBe(200);
    expect((await api(h, 'GET', cms)).json().items).toEqual([]);
  });
});

describe('lists, patches and watches as the real API server', () => {
  it('pages with limit and continue', async () => {
    const cms = await namespace('paging');
    for (const n of ['p1', 'p2', 'p3']) {
      await api(h, 'POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n } });
    }
    const first = (await api(h, 'GET', `${cms}?limit=2`)).json();
    expect(first.items.map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual(['p1', 'p2']);
    expect(first.metadata.remainingItemCount).toBe(1);
    const second = (await api(h, 'GET', `${cms}?limit=2&continue=${first.metadata.continue}`)).json();
    expect(second.items.map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual(['p3']);
    expect(second.metadata.continue).toBeUndefined();
    expect((await api(h, 'GET', `${cms}?continue=%%%`)).status).toBe(400);
  });

  it('ConfigMaps have no generation; strategic merge patch works for them and is 415 for Knative types', async () => {
    const cms = await namespace('smp');
    expect((await api(h, 'POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p1' } })).status).toBe(
      201,
    );
    await media();
    const cm = (await api(h, 'GET', `${cms}/p1`)).json();
    expect(cm.metadata.generation).toBeUndefined();
    const smp = await api(
      h,
      'PATCH',
      `${cms}/p1`,
      { data: { a: 'b' }, $retainKeys: ['data'] },
      {
        'content-type': 'application/strategic-merge-patch+json',
      },
    );
    expect(smp.status).toBe(200);
    expect(smp.json().data).toEqual({ a: 'b' });
    const crd = await api(
      h,
      'PATCH',
      `${KSVCS}/media`,
      { metadata: { labels: { a: 'b' } } },
      {
        'content-type': 'application/strategic-merge-patch+json',
      },
    );
    expect(crd.status).toBe(415);
    expect(crd.json().message).toBe(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    );
  });

  it('a malformed path is a 400', async () => {
    expect((await api(h, 'GET', '/api/v1/namespaces/%zz/pods')).status).toBe(400);
  });

  it('sendInitialEvents ends the initial state with an annotated bookmark', async () => {
    const cms = await namespace('initial');
    for (const n of ['p1', 'p2', 'p3']) {
      await api(h, 'POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n } });
    }
    const lines: string[] = [];
    const url = `${cms}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1`;
    const r = await api(h, 'GET', url);
    for (const l of r.body.split('\n')) if (l) lines.push(l);
    const events = lines.map((l) => JSON.parse(l));
    const names = events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name);
    expect(names).toEqual(['p1', 'p2', 'p3']);
    const end = events.findIndex((e) => e.type === 'BOOKMARK');
    expect(end).toBe(names.length);
    expect(events[end].object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });
});
