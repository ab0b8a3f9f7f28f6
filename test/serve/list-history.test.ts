/**
 * Lists at a past resourceVersion, as etcd serves them: an exact read shows the state then, the
 * later pages of a chunked list show the first page's state, and once the history no longer
 * reaches back, the API server's 410s (the continue one with a token that goes on at the latest).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Harness, startHarness } from './helpers.js';

let h: Harness;
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

async function make(name: string, data: Record<string, string> = {}): Promise<number> {
  const r = await api(h, 'POST', CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
  expect(r.status, r.body).toBe(201);
  return Number(r.json().metadata.resourceVersion);
}

interface CmList {
  metadata: { resourceVersion: string; continue?: string };
  items: { metadata: { name: string }; data?: Record<string, string> }[];
}

async function list(query: string): Promise<{ status: number; body: CmList & { message?: string } }> {
  const r = await api(h, 'GET', `${CONFIGMAPS}?${query}`);
  return { status: r.status, body: r.json() };
}

const names = (l: CmList) => l.items.map((i) => i.metadata.name);

beforeAll(async () => {
  // A short history, so that it can be outrun.
  h = await startHarness({ historyCapacity: 20 });
});

afterAll(async () => {
  await h?.stop();
});

describe('a list at a past resourceVersion', () => {
  it('an exact read shows the state at that resourceVersion', async () => {
    const first = await make('h-a', { v: '1' });
    const second = await make('h-b');
    const changed = await api(
      h,
      'PATCH',
      `${CONFIGMAPS}/h-a`,
      { data: { v: '2' } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    expect(changed.status).toBe(200);
    expect((await api(h, 'DELETE', `${CONFIGMAPS}/h-b`)).status).toBe(200);
    const atFirst = await list(`resourceVersion=${first}&resourceVersionMatch=Exact`);
    expect(atFirst.status).toBe(200);
    expect(atFirst.body.metadata.resourceVersion).toBe(String(first));
    expect(names(atFirst.body).filter((n) => n.startsWith('h-'))).toEqual(['h-a']);
    expect(atFirst.body.items.find((i) => i.metadata.name === 'h-a')?.data).toEqual({ v: '1' });
    const atSecond = await list(`resourceVersion=${second}&resourceVersionMatch=Exact`);
    expect(names(atSecond.body).filter((n) => n.startsWith('h-'))).toEqual(['h-a', 'h-b']);
    const now = await list('');
    expect(names(now.body).filter((n) => n.startsWith('h-'))).toEqual(['h-a']);
    expect(now.body.items.find((i) => i.metadata.name === 'h-a')?.data).toEqual({ v: '2' });
  });

  it("a chunked list's later pages show the first page's state", async () => {
    await make('p-1');
    await make('p-3');
    const page1 = await list('limit=1&labelSelector=');
    expect(page1.body.metadata.continue).toBeDefined();
    const rv = page1.body.metadata.resourceVersion;
    // Written after the first page: not in the later pages.
    await make('p-2');
    expect((await api(h, 'DELETE', `${CONFIGMAPS}/p-3`)).status).toBe(200);
    const seen = [...names(page1.body)];
    let token = page1.body.metadata.continue;
    while (token) {
      const page = await list(`limit=1&continue=${token}`);
      expect(page.status).toBe(200);
      expect(page.body.metadata.resourceVersion).toBe(rv);
      seen.push(...names(page.body));
      token = page.body.metadata.continue;
    }
    expect(seen.filter((n) => n.startsWith('p-'))).toEqual(['p-1', 'p-3']);
  });

  it('410 once the history no longer reaches back (the continue one with a token at the latest)', async () => {
    const old = await make('x-old');
    const page1 = await list('limit=1');
    const token = page1.body.metadata.continue!;
    for (let i = 0; i < 25; i++) await make(`x-${String(i).padStart(2, '0')}`);
    const exact = await list(`resourceVersion=${old}&resourceVersionMatch=Exact`);
    expect(exact.status).toBe(410);
    expect(exact.body).toMatchObject({
      kind: 'Status',
      code: 410,
      reason: 'Expired',
      message: 'The resourceVersion for the provided list is too old.',
    });
    const expired = await list(`limit=1&continue=${token}`);
    expect(expired.status).toBe(410);
    expect(expired.body.message).toMatch(
      /^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter, or use the continue token in this response/,
    );
    const fresh = expired.body.metadata.continue!;
    expect(fresh).toBeDefined();
    const goesOn = await list(`limit=100&continue=${fresh}`);
    expect(goesOn.status).toBe(200);
    expect(Number(goesOn.body.metadata.resourceVersion)).toBeGreaterThan(old);
    expect(names(goesOn.body)).toContain('x-24');
  });
});
