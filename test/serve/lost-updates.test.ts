/**
 * The API server's guards against lost updates: a PUT of a custom resource (Knative's types)
 * needs a resourceVersion (apiextensions-apiserver allows no unconditional update; ConfigMaps do),
 * a uid in a PUT is a precondition (the object may have been deleted and made again since it was
 * read), a patch cannot change the uid, and delete preconditions answer in BeforeDelete's words.
 * Raw requests always, and the real kubectl when it is installed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, HAS_KUBECTL, type Harness, kubectl, startHarness } from './helpers.js';

let h: Harness;
const KSVC = '/apis/serving.knative.dev/v1/namespaces/default/services';
const CM = '/api/v1/namespaces/default/configmaps';
const MERGE = { 'content-type': 'application/merge-patch+json' };

function service(name: string, image = 'docker.io/knsim/demo') {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name },
    spec: { template: { spec: { containers: [{ image }] } } },
  };
}

const imageOf = (o: { spec: { template: { spec: { containers: { image: string }[] } } } }) =>
  o.spec.template.spec.containers[0]?.image;

beforeAll(async () => {
  h = await startHarness();
  for (const name of ['blind', 'other', 'patched'])
    expect((await api(h, 'POST', KSVC, service(name))).status).toBe(201);
  expect(
    (await api(h, 'POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain' }, data: { a: '1' } }))
      .status,
  ).toBe(201);
});

afterAll(async () => {
  await h?.stop();
});

describe('PUT', () => {
  it('of a Knative Service without a resourceVersion is a 422 and changes nothing', async () => {
    const res = await api(h, 'PUT', `${KSVC}/blind`, service('blind', 'docker.io/knsim/other'));
    expect(res.status).toBe(422);
    expect(res.json()).toMatchObject({
      reason: 'Invalid',
      message:
        'services.serving.knative.dev "blind" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
      details: {
        name: 'blind',
        group: 'serving.knative.dev',
        kind: 'services',
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: 'Invalid value: 0x0: must be specified for an update',
            field: 'metadata.resourceVersion',
          },
        ],
      },
    });
    expect(imageOf((await api(h, 'GET', `${KSVC}/blind`)).json())).toBe('docker.io/knsim/demo');
  });

  it('of a ConfigMap without a resourceVersion is an unconditional update, as on a cluster', async () => {
    const res = await api(h, 'PUT', `${CM}/plain`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'plain' },
      data: { a: '2' },
    });
    expect(res.status, res.body).toBe(200);
    expect(res.json().data.a).toBe('2');
  });

  it('with another uid is a 409 precondition failure (the object was made again), and changes nothing', async () => {
    const current = (await api(h, 'GET', `${CM}/plain`)).json();
    const res = await api(h, 'PUT', `${CM}/plain`, {
      ...current,
      metadata: { name: 'plain', uid: '00000000-0000-4000-8000-000000000000' },
      data: { a: '3' },
    });
    expect(res.status).toBe(409);
    expect(res.json().reason).toBe('Conflict');
    expect(res.json().message).toBe(
      `Operation cannot be fulfilled on configmaps "plain": StorageError: invalid object, Code: 4, Key: /registry/configmaps/default/plain, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: 00000000-0000-4000-8000-000000000000, UID in object meta: ${current.metadata.uid}`,
    );
    expect((await api(h, 'GET', `${CM}/plain`)).json().data.a).toBe('2');
    // A Knative Service: the uid is checked before the resourceVersion.
    const ksvc = await api(h, 'PUT', `${KSVC}/other`, {
      ...service('other', 'docker.io/knsim/other'),
      metadata: { name: 'other', uid: 'stale' },
    });
    expect(ksvc.status).toBe(409);
    expect(ksvc.json().message).toContain(
      'Key: /registry/serving.knative.dev/services/default/other, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: stale',
    );
  });

  it('with the uid and resourceVersion read is accepted', async () => {
    const res = await eventually(async () => {
      const read = (await api(h, 'GET', `${KSVC}/other`)).json();
      read.spec.template.spec.containers[0].image = 'docker.io/knsim/read';
      const put = await api(h, 'PUT', `${KSVC}/other`, read);
      return put.status === 409 ? undefined : put;
    }, 10_000);
    expect(res.status, res.body).toBe(200);
    expect(imageOf(res.json())).toBe('docker.io/knsim/read');
  });
});

describe('POST', () => {
  const made = (name: string, resourceVersion: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, resourceVersion },
    data: { a: '1' },
  });

  it("with a resourceVersion is the storage layer's 500 and stores nothing; a dry run or a non-number passes", async () => {
    const res = await api(h, 'POST', CM, made('sourced', '12'));
    expect(res.status).toBe(500);
    expect(res.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'resourceVersion should not be set on objects to be created',
      code: 500,
    });
    expect((await api(h, 'GET', `${CM}/sourced`)).status).toBe(404);
    expect((await api(h, 'POST', `${CM}?dryRun=All`, made('sourced', '12'))).status).toBe(201);
    expect((await api(h, 'POST', CM, made('odd', 'x1'))).status).toBe(201);
  });
});

describe('PATCH', () => {
  it('that would change the uid is a 422 (the field is immutable)', async () => {
    const res = await api(h, 'PATCH', `${KSVC}/patched`, { metadata: { uid: 'abc' } }, MERGE);
    expect(res.status).toBe(422);
    expect(res.json().message).toBe(
      'Service.serving.knative.dev "patched" is invalid: metadata.uid: Invalid value: "abc": field is immutable',
    );
    const cm = await api(h, 'PATCH', `${CM}/plain`, { metadata: { uid: 'abc' }, data: { a: '9' } }, MERGE);
    expect(cm.status).toBe(422);
    expect(cm.json().message).toBe(
      'ConfigMap "plain" is invalid: metadata.uid: Invalid value: "abc": field is immutable',
    );
    expect((await api(h, 'GET', `${CM}/plain`)).json().data.a).toBe('2');
  });

  it('with the stored uid is fine', async () => {
    const uid = (await api(h, 'GET', `${CM}/plain`)).json().metadata.uid;
    const res = await api(h, 'PATCH', `${CM}/plain`, { metadata: { uid }, data: { a: '4' } }, MERGE);
    expect(res.status, res.body).toBe(200);
  });
});

describe('DELETE preconditions', () => {
  it('a stale resourceVersion is a 409 in BeforeDelete words, and deletes nothing', async () => {
    const res = await api(h, 'DELETE', `${CM}/plain`, { preconditions: { resourceVersion: '1' } });
    expect(res.status).toBe(409);
    expect(res.json().message).toMatch(
      /^Operation cannot be fulfilled on ConfigMap "plain": the ResourceVersion in the precondition \(1\) does not match the ResourceVersion in record \(\d+\). The object might have been modified$/,
    );
    expect(res.json().details).toEqual({ name: 'plain', kind: 'ConfigMap' });
    expect((await api(h, 'GET', `${CM}/plain`)).status).toBe(200);
  });
});

describe.skipIf(!HAS_KUBECTL)('kubectl create', () => {
  it('-f strips a resourceVersion (kubectl does); --raw sends it and meets the 500', async () => {
    const cache = mkdtempSync(join(h.dir, 'cache-'));
    const file = join(h.dir, 'sourced.yaml');
    writeFileSync(
      file,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sourced2\n  namespace: default\n  resourceVersion: "12"\ndata:\n  a: "1"\n',
    );
    const made = await kubectl(h.kubeconfig, cache, ['create', '-f', file]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toBe('configmap/sourced2 created\n');
    const json = join(h.dir, 'sourced.json');
    writeFileSync(
      json,
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sourced3', resourceVersion: '12' } }),
    );
    const raw = await kubectl(h.kubeconfig, cache, ['create', '--raw', CM, '-f', json]);
    expect(raw.code).toBe(1);
    expect(raw.stderr).toBe('Error from server: resourceVersion should not be set on objects to be created\n');
  });
});

describe.skipIf(!HAS_KUBECTL)('kubectl replace --raw', () => {
  // kubectl replace -f fills in the resourceVersion it reads first; --raw sends the body as it is.
  it('of a Service without a resourceVersion is refused, as on a cluster', async () => {
    const cache = mkdtempSync(join(h.dir, 'cache-'));
    const file = join(h.dir, 'blind.json');
    writeFileSync(file, JSON.stringify(service('blind', 'docker.io/knsim/replaced')));
    const r = await kubectl(h.kubeconfig, cache, ['replace', '--raw', `${KSVC}/blind`, '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'The services "blind" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update\n',
    );
    expect(imageOf((await api(h, 'GET', `${KSVC}/blind`)).json())).toBe('docker.io/knsim/demo');
  });
});
