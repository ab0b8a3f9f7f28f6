/**
 * Server-side apply: managedFields per field manager in the API server's format, 409 conflicts
 * with its wording, force, pruning of fields a manager stopped applying; through raw requests
 * always and through the real kubectl when it is installed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/api/types.js';
import {
  applyManagedFields,
  type ManagedFieldsEntry,
  pathString,
  updateManagedFields,
} from '../../src/serve/fieldManager.js';
import { applyMerge } from '../../src/serve/patch.js';
import { api, HAS_KUBECTL, type Harness, type KubectlResult, kubectl, startHarness } from './helpers.js';

let h: Harness;
const BASE = '/apis/serving.knative.dev/v1/namespaces/default/services';
const APPLY = { 'content-type': 'application/apply-patch+yaml' };

function service(name: string, image: string, labels?: Record<string, string>) {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { template: { spec: { containers: [{ image }] } } },
  };
}

const apply = (name: string, manager: string, body: object, extra = '') =>
  api(h, 'PATCH', `${BASE}/${name}?fieldManager=${manager}${extra}`, JSON.stringify(body), APPLY);

async function stored(name: string) {
  return (await api(h, 'GET', `${BASE}/${name}`)).json();
}

const managers = (obj: { metadata: { managedFields?: ManagedFieldsEntry[] } }) =>
  (obj.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}`);

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

describe('managedFields, unit', () => {
  const req = { manager: 'm', apiVersion: 'v1', nowMs: 0 };
  const cm = (data: Record<string, string>, labels?: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'default', uid: 'u', resourceVersion: '3', ...(labels ? { labels } : {}) },
    data,
  });

  it('an Update owns what it added, free maps with their own node (".")', () => {
    const fields = updateManagedFields(undefined, cm({ a: '1' }, { app: 'x' }), req);
    expect(fields).toEqual([
      {
        manager: 'm',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2026-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
      },
    ]);
  });

  it('a later Update takes over the fields it changes; the first keeps the rest', () => {
    const first = cm({ a: '1', b: '2' });
    first.metadata = { ...first.metadata, managedFields: updateManagedFields(undefined, first, req) } as never;
    const second = cm({ a: '9', b: '2' });
    const fields = updateManagedFields(first, second, { ...req, manager: 'n', nowMs: 5000 });
    expect(fields.map((e) => [e.manager, e.fieldsV1])).toEqual([
      ['m', { 'f:data': { '.': {}, 'f:b': {} } }],
      ['n', { 'f:data': { 'f:a': {} } }],
    ]);
  });

  it('an Apply conflicts with another owner of a field it changes, not of one it leaves equal', () => {
    const live = cm({ a: '1' });
    live.metadata = { ...live.metadata, managedFields: updateManagedFields(undefined, live, req) } as never;
    const merge = (l: KubeObject, a: KubeObject) => applyMerge(l, a) as KubeObject;
    expect(() => applyManagedFields(live, cm({ a: '2' }), { ...req, manager: 'ssa' }, false, merge)).toThrow(
      'Apply failed with 1 conflict: conflict with "m" using v1: .data.a',
    );
    const same = applyManagedFields(live, cm({ a: '1' }), { ...req, manager: 'ssa' }, false, merge);
    expect(same.managedFields.map((e) => e.manager)).toEqual(['m', 'ssa']);
    const forced = applyManagedFields(live, cm({ a: '2' }), { ...req, manager: 'ssa' }, true, merge);
    expect(forced.managedFields.map((e) => [e.manager, e.fieldsV1])).toEqual([
      ['m', { 'f:data': {} }],
      ['ssa', { 'f:data': { 'f:a': {} } }],
    ]);
  });

  it('paths print as the API server prints them', () => {
    expect(pathString(['f:spec', 'f:template', 'f:spec', 'f:containers'].join('\u0000'))).toBe(
      '.spec.template.spec.containers',
    );
    expect(pathString(['f:metadata', 'f:ownerReferences', 'k:{"uid":"u1"}', 'f:name'].join('\u0000'))).toBe(
      '.metadata.ownerReferences[uid="u1"].name',
    );
    expect(pathString(['f:metadata', 'f:finalizers', 'v:"x"'].join('\u0000'))).toBe('.metadata.finalizers[="x"]');
  });
});

/**
 * The states the tests below start from, each built on its own Service (so every test holds in
 * any order): created by alice's Update; then bob's forced Apply of the image and team=x; then
 * carol's Apply of the same label; then carol applying only other=z.
 */
async function createdByAlice(name: string): Promise<void> {
  expect((await api(h, 'POST', `${BASE}?fieldManager=alice`, service(name, 'docker.io/knsim/a'))).status).toBe(201);
}
async function forcedByBob(name: string): Promise<void> {
  await createdByAlice(name);
  expect((await apply(name, 'bob', service(name, 'docker.io/knsim/b', { team: 'x' }), '&force=true')).status).toBe(200);
}
const labelsOnly = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name, labels },
});
async function coOwnedByCarol(name: string): Promise<void> {
  await forcedByBob(name);
  expect((await apply(name, 'carol', labelsOnly(name, { team: 'x' }))).status).toBe(200);
}
async function carolAppliesOther(name: string): Promise<void> {
  await coOwnedByCarol(name);
  expect((await apply(name, 'carol', labelsOnly(name, { other: 'z' }))).status).toBe(200);
}

describe('server-side apply through the API', () => {
  it('records the creator as an Update manager, and a conflicting Apply gets the 409 with its wording', async () => {
    expect((await api(h, 'POST', `${BASE}?fieldManager=alice`, service('s1', 'docker.io/knsim/a'))).status).toBe(201);
    const created = await stored('s1');
    expect(created.metadata.managedFields).toEqual([
      {
        manager: 'alice',
        operation: 'Update',
        apiVersion: 'serving.knative.dev/v1',
        time: expect.stringMatching(/^2026-01-01T/),
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': {} } } } },
      },
    ]);
    const r = await apply('s1', 'bob', service('s1', 'docker.io/knsim/b'));
    expect(r.status).toBe(409);
    expect(r.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      message:
        'Apply failed with 1 conflict: conflict with "alice" using serving.knative.dev/v1: .spec.template.spec.containers',
      details: {
        causes: [
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "alice" using serving.knative.dev/v1',
            field: '.spec.template.spec.containers',
          },
        ],
      },
    });
    expect((await stored('s1')).spec.template.spec.containers[0].image).toBe('docker.io/knsim/a');
  });

  it('force=true takes the field over', async () => {
    await createdByAlice('s2');
    expect((await apply('s2', 'bob', service('s2', 'docker.io/knsim/b'))).status).toBe(409);
    const r = await apply('s2', 'bob', service('s2', 'docker.io/knsim/b', { team: 'x' }), '&force=true');
    expect(r.status).toBe(200);
    const obj = await stored('s2');
    expect(obj.spec.template.spec.containers[0].image).toBe('docker.io/knsim/b');
    expect(managers(obj)).toEqual(['bob/Apply']);
    expect(obj.metadata.managedFields[0].fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { 'f:team': {} } },
      'f:spec': { 'f:template': { 'f:spec': { 'f:containers': {} } } },
    });
  });

  it('two appliers of an equal value co-own it; a different value conflicts with the Apply manager by name', async () => {
    await forcedByBob('s3');
    const equal = await apply('s3', 'carol', {
      ...service('s3', 'docker.io/knsim/b'),
      spec: undefined,
      metadata: { name: 's3', labels: { team: 'x' } },
    });
    expect(equal.status).toBe(200);
    expect(managers(await stored('s3'))).toEqual(['bob/Apply', 'carol/Apply']);
    const r = await apply('s3', 'dave', labelsOnly('s3', { team: 'y' }));
    expect(r.status).toBe(409);
    expect(r.json().message).toBe(
      'Apply failed with 2 conflicts: conflicts with "bob":\n- .metadata.labels.team\nconflicts with "carol":\n- .metadata.labels.team',
    );
  });

  it('a field its manager stops applying is removed, unless another manager still owns it', async () => {
    await coOwnedByCarol('s4');
    // carol no longer applies the label: bob still owns it, so it stays.
    const carol = await apply('s4', 'carol', labelsOnly('s4', { other: 'z' }));
    expect(carol.status).toBe(200);
    expect((await stored('s4')).metadata.labels).toEqual({ team: 'x', other: 'z' });
    // bob drops it too: now it goes.
    const bob = await apply('s4', 'bob', service('s4', 'docker.io/knsim/b'));
    expect(bob.status).toBe(200);
    expect((await stored('s4')).metadata.labels).toEqual({ other: 'z' });
  });

  it('a merge patch takes ownership of what it changes without a conflict', async () => {
    await carolAppliesOther('s5');
    expect(managers(await stored('s5'))).toContain('carol/Apply');
    const r = await api(
      h,
      'PATCH',
      `${BASE}/s5?fieldManager=eve`,
      { metadata: { labels: { other: 'w' } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(r.status).toBe(200);
    const obj = await stored('s5');
    const eve = obj.metadata.managedFields.find((e: ManagedFieldsEntry) => e.manager === 'eve');
    expect(eve).toMatchObject({ operation: 'Update', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:other': {} } } } });
    expect(managers(obj)).not.toContain('carol/Apply');
  });

  it('refuses force on a non-apply patch and an apply without a field manager', async () => {
    await createdByAlice('s6');
    const f = await api(
      h,
      'PATCH',
      `${BASE}/s6?force=true`,
      { metadata: {} },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(f.status).toBe(422);
    expect(f.json().message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    );
    const m = await api(h, 'PATCH', `${BASE}/s6`, JSON.stringify(service('s6', 'x/y')), APPLY);
    expect(m.status).toBe(422);
  });
});

describe.skipIf(!HAS_KUBECTL)('server-side apply through the real kubectl', () => {
  const k = (...args: string[]): Promise<KubectlResult> => kubectl(h.kubeconfig, join(h.dir, 'cache'), args);
  const manifest = (image: string) =>
    `apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: ssa\nspec:\n  template:\n    spec:\n      containers:\n        - image: ${image}\n`;

  it('kubectl apply, then apply --server-side of another image: the conflict, then --force-conflicts', async () => {
    const first = join(h.dir, 'ssa1.yaml');
    const second = join(h.dir, 'ssa2.yaml');
    writeFileSync(first, manifest('docker.io/knsim/one'));
    writeFileSync(second, manifest('docker.io/knsim/two'));
    expect((await k('apply', '-f', first)).code).toBe(0);
    const refused = await k('apply', '--server-side', '-f', second);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using serving.knative.dev/v1: .spec.template.spec.containers\n',
    );
    expect(refused.stderr).toContain('--force-conflicts');
    expect((await stored('ssa')).spec.template.spec.containers[0].image).toBe('docker.io/knsim/one');

    const forced = await k('apply', '--server-side', '--force-conflicts', '-f', second);
    expect(forced).toMatchObject({ code: 0, stdout: 'service.serving.knative.dev/ssa serverside-applied\n' });
    const obj = await stored('ssa');
    expect(obj.spec.template.spec.containers[0].image).toBe('docker.io/knsim/two');
    expect(managers(obj)).toContain('kubectl/Apply');

    const shown = await k('get', 'ksvc', 'ssa', '-o', 'yaml', '--show-managed-fields');
    expect(shown.stdout).toContain('manager: kubectl\n    operation: Apply\n');
    const again = await k('apply', '--server-side', '--field-manager=other', '-f', first);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl": .spec.template.spec.containers',
    );
  });
});
