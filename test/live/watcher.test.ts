import { afterEach, describe, expect, it } from 'vitest';
import { ResilientWatch, type WatchOp } from '../../src/backends/live/watcher.js';
import type { KubeObject } from '../../src/model/api/types.js';
import { resourceById } from '../../src/model/rules/resources.js';
import { FakeApiServer } from './fakeApi.js';

const servers: FakeApiServer[] = [];
const watches: ResilientWatch[] = [];
afterEach(async () => {
  for (const w of watches.splice(0)) w.stop();
  while (servers.length > 0) await servers.pop()!.stop();
});

function ksvc(name: string, generation = 1): KubeObject {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', generation },
  };
}

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function setup(goneAs: 'event' | 'http' = 'event', idleRestartMs?: number) {
  const server = new FakeApiServer({ goneAs });
  await server.start();
  servers.push(server);
  const seen: [WatchOp, string, number | undefined][] = [];
  const watch = new ResilientWatch(server.kubeConfig(), resourceById('services.serving.knative.dev')!, {
    namespace: 'default',
    backoffMs: 20,
    ...(idleRestartMs !== undefined ? { idleRestartMs } : {}),
    onEvent: (op, obj) => seen.push([op, obj.metadata.name, obj.metadata.generation]),
  });
  watches.push(watch);
  return { server, watch, seen };
}

describe('ResilientWatch', () => {
  it('lists first, then follows changes', async () => {
    const { server, watch, seen } = await setup();
    server.put(ksvc('a'));
    await watch.start();
    await until(() => server.openWatches === 1, 'the watch');
    server.put(ksvc('b'));
    server.put(ksvc('a', 2));
    server.remove('serving.knative.dev/v1', 'Service', 'default', 'b');
    await until(() => seen.length === 4, 'four events');
    expect(seen).toEqual([
      ['added', 'a', 1],
      ['added', 'b', 1],
      ['modified', 'a', 2],
      ['deleted', 'b', 1],
    ]);
    expect([...watch.objects.keys()]).toEqual(['a']);
  });

  it('resumes from the last resourceVersion after a dropped stream, losing nothing', async () => {
    const { server, watch, seen } = await setup();
    await watch.start();
    await until(() => server.openWatches === 1, 'the watch');
    server.put(ksvc('a'));
    await until(() => seen.length === 1, 'a');
    server.dropWatches();
    // Changes while the client is disconnected: the resumed watch replays them.
    server.put(ksvc('b'));
    server.put(ksvc('a', 2));
    await until(() => seen.length === 3, 'b and a again');
    server.put(ksvc('c'));
    await until(() => seen.length === 4, 'c');
    expect(seen).toEqual([
      ['added', 'a', 1],
      ['added', 'b', 1],
      ['modified', 'a', 2],
      ['added', 'c', 1],
    ]);
    expect(watch.stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(watch.stats.relists).toBe(0);
    const resumed = server.requests.filter((r) => r.query.includes('watch=true'));
    expect(resumed.length).toBeGreaterThanOrEqual(2);
    expect(resumed.at(-1)!.query).toMatch(/resourceVersion=\d+/);
  });

  for (const goneAs of ['event', 'http'] as const) {
    it(`lists again on 410 Gone (${goneAs === 'event' ? 'an ERROR event' : 'HTTP 410'}) and reports the difference`, async () => {
      const { server, watch, seen } = await setup(goneAs);
      server.put(ksvc('a'));
      server.put(ksvc('b'));
      await watch.start();
      await until(() => server.openWatches === 1, 'the watch');
      server.dropWatches();
      // While disconnected: a changes, b goes, c comes, and the server forgets its history.
      server.put(ksvc('a', 2));
      server.remove('serving.knative.dev/v1', 'Service', 'default', 'b');
      server.put(ksvc('c'));
      server.expireHistory();
      await until(() => seen.length === 5, 'the relist diff');
      expect(seen).toEqual([
        ['added', 'a', 1],
        ['added', 'b', 1],
        ['modified', 'a', 2],
        ['added', 'c', 1],
        ['deleted', 'b', 1],
      ]);
      expect(watch.stats.relists).toBeGreaterThanOrEqual(1);
      await until(() => server.openWatches === 1, 'the new watch');
      server.put(ksvc('d'));
      await until(() => seen.length === 6, 'd after the relist');
      expect(seen[5]).toEqual(['added', 'd', 1]);
      expect([...watch.objects.keys()].sort()).toEqual(['a', 'c', 'd']);
    });
  }

  it('keeps trying while the server is away, and resumes when it is back', async () => {
    const { server, watch, seen } = await setup();
    await watch.start();
    await until(() => server.openWatches === 1, 'the watch');
    const port = server.port;
    await server.stop();
    // Connections are refused now: the watch tries again and again (backing off), each a connect.
    const before = watch.stats.connects;
    await until(() => watch.stats.connects >= before + 2, 'two attempts while the server is away');
    server.put(ksvc('while-away'));
    await server.start(port);
    await until(() => seen.length === 1, 'the change made while the server was away');
    expect(seen).toEqual([['added', 'while-away', 1]]);
    await until(() => server.openWatches === 1, 'the watch open again');
  });

  it('a stopped watch opens no new stream and reports nothing more', async () => {
    const { server, watch, seen } = await setup();
    await watch.start();
    await until(() => server.openWatches === 1, 'the watch');
    watch.stop();
    await until(() => server.openWatches === 0, 'the stop');
    server.put(ksvc('late'));
    // A second watch seeing 'late' is the barrier: the change has been sent to every open watch.
    const probe = new ResilientWatch(server.kubeConfig(), resourceById('services.serving.knative.dev')!, {
      namespace: 'default',
      onEvent: () => {},
    });
    watches.push(probe);
    await probe.start();
    await until(() => probe.objects.has('late') && server.openWatches === 1, 'the second watch');
    expect(seen).toEqual([]);
    expect(watch.stats.connects).toBe(1);
  });

  it('reopens a stream that has been silent too long, from where it was', async () => {
    const { server, watch, seen } = await setup('event', 150);
    await watch.start();
    await until(() => server.openWatches === 1, 'the watch');
    await until(() => watch.stats.reconnects >= 1, 'a reopened watch', 3000);
    await until(() => server.openWatches === 1, 'the new watch');
    server.put(ksvc('after'));
    await until(() => seen.length === 1, 'the event after reopening');
    expect(seen).toEqual([['added', 'after', 1]]);
    expect(watch.stats.relists).toBe(0);
  });
});
