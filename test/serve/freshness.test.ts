/**
 * Reads at a resourceVersion the store has not reached, as the API server answers them: the
 * watch cache waits (3 s) then a 504 with a ResourceVersionTooLarge cause and Retry-After; an
 * exact list is etcd's 500; ListOptions are validated first (422); the watch-list protocol ends
 * with one ERROR event; a plain watch from a future resourceVersion starts. Raw HTTP (kubectl
 * retries a 504 with Retry-After ten times before it prints it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Harness, startHarness } from './helpers.js';

let h: Harness;
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

/** The store's resourceVersion now (a list's). */
async function current(): Promise<number> {
  return Number((await api(h, 'GET', CONFIGMAPS)).json().metadata.resourceVersion);
}

beforeAll(async () => {
  // No Services: nothing moves the store's resourceVersion but this file's writes.
  h = await startHarness();
});

afterAll(async () => {
  await h?.stop();
});

describe('a resourceVersion newer than the store', () => {
  it('get and list wait, then answer 504 Too large resource version with Retry-After', async () => {
    const rv = (await current()) + 1_000_000;
    for (const path of [`${CONFIGMAPS}?resourceVersion=${rv}`, `${CONFIGMAPS}/nothing?resourceVersion=${rv}`]) {
      const res = await api(h, 'GET', path);
      expect(res.status, path).toBe(504);
      expect(res.headers['retry-after']).toBe('1');
      const now = await current();
      expect(res.json()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `Timeout: Too large resource version: ${rv}, current: ${now}`,
        reason: 'Timeout',
        details: {
          causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
          retryAfterSeconds: 1,
        },
        code: 504,
      });
    }
  });

  it('a get answers once the resourceVersion arrives within the wait', async () => {
    const made = await api(h, 'POST', CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first' } });
    expect(made.status, made.body).toBe(201);
    const rv = Number(made.json().metadata.resourceVersion) + 1;
    const pending = api(h, 'GET', `${CONFIGMAPS}/first?resourceVersion=${rv}`);
    await new Promise((r) => setTimeout(r, 300));
    const second = await api(h, 'POST', CONFIGMAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'second' },
    });
    expect(second.status, second.body).toBe(201);
    const res = await pending;
    expect(res.status, res.body).toBe(200);
    expect(res.json().metadata.name).toBe('first');
  });

  it('an exact list (resourceVersionMatch=Exact, or limit with a resourceVersion) is etcd 500', async () => {
    const rv = (await current()) + 1_000_000;
    for (const q of [`resourceVersion=${rv}&resourceVersionMatch=Exact`, `resourceVersion=${rv}&limit=5`]) {
      const res = await api(h, 'GET', `${CONFIGMAPS}?${q}`);
      expect(res.status, q).toBe(500);
      expect(res.json()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'etcdserver: mvcc: required revision is a future revision',
        code: 500,
      });
    }
  });

  it('the watch-list protocol ends with one ERROR event; a plain watch starts', async () => {
    const rv = (await current()) + 1_000_000;
    const list = await api(
      h,
      'GET',
      `${CONFIGMAPS}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=${rv}`,
    );
    expect(list.status).toBe(200);
    const lines = list.body.trim().split('\n');
    expect(lines).toHaveLength(1);
    const event = JSON.parse(lines[0]!);
    expect(event.type).toBe('ERROR');
    expect(event.object).toMatchObject({ code: 504, reason: 'Timeout', details: { retryAfterSeconds: 1 } });
    const plain = await api(h, 'GET', `${CONFIGMAPS}?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
    expect(plain.status).toBe(200);
    expect(plain.body).toBe('');
  });
});

describe('ListOptions (ValidateListOptions)', () => {
  it.each([
    [
      'resourceVersionMatch=NotOlderThan',
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    ],
    [
      'resourceVersion=1&resourceVersionMatch=Newest',
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""',
    ],
    [
      'resourceVersion=0&resourceVersionMatch=Exact',
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
    ],
  ])('%s is a 422', async (q, message) => {
    const res = await api(h, 'GET', `${CONFIGMAPS}?${q}`);
    expect(res.status).toBe(422);
    expect(res.json()).toMatchObject({
      reason: 'Invalid',
      message,
      details: { group: 'meta.k8s.io', kind: 'ListOptions' },
    });
  });
});
