/** 100 concurrent watchers and a burst of ingress requests: no event lost, every stream in resourceVersion order. */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, type Harness, ingress, startHarness } from './helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ speed: 20 });
});

afterAll(async () => {
  await h?.stop();
});

interface Stream {
  events: { type: string; name: string; rv: number }[];
  res?: IncomingMessage;
  close(): void;
}

function watchStream(path: string): Promise<Stream> {
  const url = new URL(path, h.server.apiUrl);
  const tls = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const stream: Stream = { events: [], close: () => req.destroy() };
    const req = (tls ? httpsRequest : httpRequest)(
      url,
      { ...(tls ? { agent: h.agent } : {}), headers: { authorization: `Bearer ${h.server.token}` } },
      (res) => {
        stream.res = res;
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl = buf.indexOf('\n');
          while (nl >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (line.trim() !== '') {
              const e = JSON.parse(line);
              stream.events.push({
                type: e.type,
                name: e.object.metadata.name,
                rv: Number(e.object.metadata.resourceVersion),
              });
            }
            nl = buf.indexOf('\n');
          }
        });
        res.on('error', () => {});
        resolve(stream);
      },
    );
    req.on('error', (e) => (stream.res ? undefined : reject(e)));
    req.end();
  });
}

describe('many clients at once', () => {
  it('100 watchers each receive every event, in resourceVersion order, while curl load runs', async () => {
    expect(
      (await api(h, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'load' } }))
        .status,
    ).toBe(201);
    await api(
      h,
      'PATCH',
      '/api/v1/namespaces/knative-serving/configmaps/config-domain',
      { data: { 'example.com': '' } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    const svc = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'busy' },
      spec: { template: { spec: { containers: [{ image: 'docker.io/knsim/demo' }] } } },
    };
    expect((await api(h, 'POST', '/apis/serving.knative.dev/v1/namespaces/load/services', svc)).status).toBe(201);

    const cms = '/api/v1/namespaces/load/configmaps';
    const rv = (await api(h, 'GET', cms)).json().metadata.resourceVersion as string;
    const streams = await Promise.all(
      Array.from({ length: 100 }, () => watchStream(`${cms}?watch=true&resourceVersion=${rv}`)),
    );
    expect(h.server.hub.watcherCount()).toBeGreaterThanOrEqual(100);

    // Writes and ingress requests interleaved.
    const writes: Promise<unknown>[] = [];
    const requests: Promise<{ status: number }>[] = [];
    for (let i = 0; i < 40; i++) {
      writes.push(
        api(h, 'POST', cms, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `c${i}` },
          data: { i: String(i) },
        }),
      );
      requests.push(ingress(h.server.ingressPort, 'busy.load.example.com'));
    }
    await Promise.all(writes);
    const patches: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      patches.push(
        api(h, 'PATCH', `${cms}/c${i}`, { data: { i: `${i}!` } }, { 'content-type': 'application/merge-patch+json' }),
      );
      if (i % 2 === 0) patches.push(api(h, 'DELETE', `${cms}/c${i}`));
      requests.push(ingress(h.server.ingressPort, 'busy.load.example.com'));
    }
    await Promise.all(patches);
    const expectedCount = 40 + 40 + 20;

    await eventually(
      async () => (streams.every((s) => s.events.length >= expectedCount) ? true : undefined),
      20_000,
      50,
    );
    const reference = streams[0]!.events.map((e) => `${e.type} ${e.name} ${e.rv}`);
    expect(reference).toHaveLength(expectedCount);
    for (const s of streams) {
      expect(s.events.map((e) => `${e.type} ${e.name} ${e.rv}`)).toEqual(reference);
      for (let i = 1; i < s.events.length; i++) expect(s.events[i]!.rv).toBeGreaterThan(s.events[i - 1]!.rv);
    }
    expect(reference.filter((e) => e.startsWith('ADDED'))).toHaveLength(40);
    expect(reference.filter((e) => e.startsWith('DELETED'))).toHaveLength(20);

    const answers = await Promise.all(requests);
    // Every request is answered; those sent before the Route was ready get the ingress's 404.
    for (const a of answers) expect([200, 404]).toContain(a.status);
    for (const s of streams) s.close();
    await eventually(async () => (h.server.hub.watcherCount() === 0 ? true : undefined), 5000, 20);

    await eventually(async () => {
      const s = (await api(h, 'GET', '/apis/serving.knative.dev/v1/namespaces/load/services/busy')).json();
      return s.status?.conditions?.some(
        (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
      )
        ? true
        : undefined;
    }, 90_000);
    const after = await Promise.all(
      Array.from({ length: 50 }, () => ingress(h.server.ingressPort, 'busy.load.example.com')),
    );
    expect(after.every((a) => a.status === 200 && a.body === 'Hello Knative!\n')).toBe(true);
  });
});
