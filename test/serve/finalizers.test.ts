/**
 * A Route's deletion through knsim serve, as through a real API server: Knative's labeler has put
 * its finalizer on the Route; a DELETE answers 200 with the Route marked (deletionTimestamp,
 * deletionGracePeriodSeconds 0) while a finalizer holds it; a write may change it and take a
 * finalizer off but not add one (422, ValidateNoNewFinalizers); the write that takes the last one
 * off is the deletion. A client's own finalizer holds the Route here, so that the phase can be
 * looked at without racing the labeler. A dry run writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, type Harness, startHarness } from './helpers.js';

let h: Harness;
const SERVING = '/apis/serving.knative.dev/v1/namespaces/default';
const LABELER = 'routes.serving.knative.dev';
const HOLD = 'example.com/hold';
const MERGE = { 'content-type': 'application/merge-patch+json' };

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

async function route(name: string) {
  return (await api(h, 'GET', `${SERVING}/routes/${name}`)).json();
}

async function routeWithLabeler(name: string): Promise<void> {
  const config = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: { name },
    spec: { template: { spec: { containers: [{ image: 'docker.io/knsim/demo' }] } } },
  };
  const made = await api(h, 'POST', `${SERVING}/configurations`, config);
  expect(made.status, made.body).toBe(201);
  const r = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Route',
    metadata: { name },
    spec: { traffic: [{ configurationName: name, percent: 100 }] },
  };
  const res = await api(h, 'POST', `${SERVING}/routes`, r);
  expect(res.status, res.body).toBe(201);
  await eventually(async () => ((await route(name)).metadata.finalizers?.includes(LABELER) ? true : undefined), 10_000);
}

describe('a Route being deleted', () => {
  it('is marked while a finalizer holds it, takes writes but no new finalizer, and goes with the last one', async () => {
    await routeWithLabeler('held');
    const path = `${SERVING}/routes/held`;
    const held = await api(h, 'PATCH', path, { metadata: { finalizers: [LABELER, HOLD] } }, MERGE);
    expect(held.status, held.body).toBe(200);

    const dry = await api(h, 'DELETE', `${path}?dryRun=All`);
    expect(dry.status, dry.body).toBe(200);
    expect((await route('held')).metadata.deletionTimestamp).toBeUndefined();

    const res = await api(h, 'DELETE', path);
    expect(res.status, res.body).toBe(200);
    const marked = res.json();
    expect(marked.kind).toBe('Route');
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(marked.metadata.generation).toBe(2);

    // The labeler finalizes and takes its own off; the client's holds the Route.
    await eventually(
      async () =>
        JSON.stringify((await route('held')).metadata.finalizers) === JSON.stringify([HOLD]) ? true : undefined,
      10_000,
    );
    const annotated = (await api(h, 'GET', `${SERVING}/configurations/held`)).json();
    expect(annotated.metadata.annotations?.['serving.knative.dev/routes']).toBeUndefined();

    const added = await api(h, 'PATCH', path, { metadata: { finalizers: [HOLD, 'example.com/more'] } }, MERGE);
    expect(added.status, added.body).toBe(422);
    expect(added.json().message).toBe(
      'Route.serving.knative.dev "held" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/more"}',
    );
    expect(added.json().details.causes).toEqual([
      {
        reason: 'FieldValueForbidden',
        message:
          'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/more"}',
        field: 'metadata.finalizers',
      },
    ]);
    const addedDry = await api(
      h,
      'PATCH',
      `${path}?dryRun=All`,
      { metadata: { finalizers: [HOLD, 'example.com/more'] } },
      MERGE,
    );
    expect(addedDry.status).toBe(422);

    const labelled = await api(h, 'PATCH', path, { metadata: { labels: { team: 'a' } } }, MERGE);
    expect(labelled.status, labelled.body).toBe(200);
    expect(labelled.json().metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);

    const last = await api(h, 'PATCH', path, { metadata: { finalizers: null } }, MERGE);
    expect(last.status, last.body).toBe(200);
    expect((await api(h, 'GET', path)).status).toBe(404);
  });
});
