/**
 * Every write verb of the API leaves the object the store held before it as it was: the store
 * hands out its own objects (parts of them frozen, src/sim/intern.ts), so a patch, an apply or
 * an update that changed what it read in place would change the store behind its back (or throw
 * a TypeError on a frozen part, a 500 to kubectl). Each request below is checked against a deep
 * copy of the stored object taken before it; the simulation's own writes in between make new
 * objects and change nothing either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/api/types.js';
import { T } from '../../src/sim/types.js';
import { api, type Harness, startHarness } from './helpers.js';

let h: Harness;
const BASE = '/apis/serving.knative.dev/v1/namespaces/default/services';
const MERGE = { 'content-type': 'application/merge-patch+json' };
const JSON_PATCH = { 'content-type': 'application/json-patch+json' };
const APPLY = { 'content-type': 'application/apply-patch+yaml' };

const service = (labels: Record<string, string>, env: string) => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'kept', labels, annotations: { note: env } },
  spec: {
    template: {
      metadata: { annotations: { 'autoscaling.knative.dev/min-scale': '0' } },
      spec: { containers: [{ image: 'ghcr.io/knative/helloworld-go:latest', env: [{ name: 'TARGET', value: env }] }] },
    },
  },
});

const storedNow = () => h.server.cluster.store.get(T.service, 'default', 'kept') as KubeObject;

/** The request's answer, and the object stored before it unchanged. */
async function leavesStoredAsItWas(
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<void> {
  const before = storedNow();
  const copy = structuredClone(before);
  const res = await api(h, method, path, typeof body === 'string' ? body : JSON.stringify(body), headers);
  expect(res.status, res.body).toBeLessThan(300);
  expect(before).toStrictEqual(copy);
}

describe('writes through the API leave the stored object they read as it was', () => {
  beforeAll(async () => {
    h = await startHarness();
    const res = await api(
      h,
      'PATCH',
      `${BASE}/kept?fieldManager=first`,
      JSON.stringify(service({ a: '1', b: '2' }, 'one')),
      APPLY,
    );
    expect(res.status, res.body).toBe(201);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const verbs: [string, string, string, unknown, Record<string, string>?][] = [
    ['a merge patch deleting a label', 'PATCH', `${BASE}/kept`, { metadata: { labels: { b: null, c: '3' } } }, MERGE],
    [
      'a merge patch of the template',
      'PATCH',
      `${BASE}/kept`,
      { spec: { template: { metadata: { annotations: { x: 'y' } } } } },
      MERGE,
    ],
    [
      'a JSON patch (add, replace, move, remove)',
      'PATCH',
      `${BASE}/kept`,
      [
        { op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'E2', value: 'v' } },
        { op: 'replace', path: '/spec/template/spec/containers/0/env/0/value', value: 'two' },
        { op: 'move', from: '/spec/template/spec/containers/0/env/1', path: '/spec/template/spec/containers/0/env/0' },
        { op: 'remove', path: '/metadata/labels/a' },
      ],
      JSON_PATCH,
    ],
    ['a dry-run merge patch', 'PATCH', `${BASE}/kept?dryRun=All`, { metadata: { labels: { d: '4' } } }, MERGE],
    [
      'a server-side apply that stops applying fields',
      'PATCH',
      `${BASE}/kept?fieldManager=first&force=true`,
      { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'kept' } },
      APPLY,
    ],
    [
      'a server-side apply of the spec',
      'PATCH',
      `${BASE}/kept?fieldManager=second&force=true`,
      service({ e: '5' }, 'three'),
      APPLY,
    ],
    [
      'a dry-run server-side apply',
      'PATCH',
      `${BASE}/kept?fieldManager=third&force=true&dryRun=All`,
      service({}, 'four'),
      APPLY,
    ],
    [
      'a merge patch of the status',
      'PATCH',
      `${BASE}/kept/status`,
      { status: { observedGeneration: 1, conditions: null } },
      MERGE,
    ],
  ];
  for (const [what, method, path, body, headers] of verbs) {
    it(what, async () => {
      await leavesStoredAsItWas(method, path, body, headers);
    });
  }

  it('an update (PUT) of the object and of its status', async () => {
    // A PUT of a custom resource names the resourceVersion it read (no unconditional update, as
    // apiextensions-apiserver has it); the simulation may write between the read and the PUT, so
    // a 409 is met by reading again, as client-go's RetryOnConflict does.
    const put = async (path: string, make: (read: KubeObject) => unknown) => {
      for (let attempt = 0; ; attempt++) {
        const before = storedNow();
        const copy = structuredClone(before);
        const res = await api(h, 'PUT', path, JSON.stringify(make(structuredClone(before))));
        expect(before).toStrictEqual(copy);
        if (res.status === 409 && attempt < 20) continue;
        expect(res.status, res.body).toBeLessThan(300);
        return;
      }
    };
    await put(`${BASE}/kept`, (read) => ({ ...read, metadata: { ...read.metadata, labels: { f: '6' } } }));
    await put(`${BASE}/kept/status`, (read) => ({ ...read, status: { observedGeneration: 2 } }));
  });
});
