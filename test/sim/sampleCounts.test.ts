/**
 * The per-second sample counts a revision's requests in one walk over its pods
 * (`RevisionDataplane.countRequests`): each of its figures must be what the plain methods give at
 * that moment (`concurrencyNow`, `queuedInPods`, `inFlight`, `heldRequests`), read by a listener
 * of the log as the sample is written. And the app's CPU and memory come last in the sample, only
 * for an app that has them (they were a spread of an object made every second).
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import type { SampleEvent } from '../../src/model/events.js';
import type { RevisionDataplane } from '../../src/sim/dataplane/revision.js';
import { defaultSimSettings, type SimSettings } from '../../src/sim/settings.js';
import { sendBursts } from './bursts.js';
import { untilServiceReady } from './serviceReady.js';

const HOST = 'counts.default.example.com';

/**
 * Two pods of containerConcurrency 1 with the activator out of the path (target-burst-capacity
 * 0): the ingress sends past a pod's concurrency, and requests wait in its queue-proxy.
 */
async function twoPods(settings: SimSettings): Promise<SimBackend> {
  const b = new SimBackend({ seed: 5, namespace: 'default', settings });
  await b.start({ scenario: 'counts', seed: 5, namespace: 'default' });
  await b.configure({ 'config-domain': { 'example.com': '' } });
  const svc = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'counts', namespace: 'default' },
    spec: {
      template: {
        metadata: {
          annotations: {
            'autoscaling.knative.dev/min-scale': '2',
            'autoscaling.knative.dev/max-scale': '2',
            'autoscaling.knative.dev/target-burst-capacity': '0',
          },
        },
        spec: { containerConcurrency: 1, containers: [{ image: 'docker.io/knsim/counts' }] },
      },
    },
  } as KubeObject;
  await b.apply([svc], 'svc.yaml');
  await untilServiceReady(b, 120_000);
  return b;
}

/** The data plane of the run's one revision. */
function dataplaneOf(b: SimBackend): RevisionDataplane {
  const revisions = (b.cluster as unknown as { revisions: Map<string, { dataplane: RevisionDataplane }> }).revisions;
  const [rt] = revisions.values();
  if (!rt) throw new Error('no revision runtime');
  return rt.dataplane;
}

describe('the per-second sample', () => {
  it("counts a revision's requests as the plain walks over its pods do", async () => {
    const settings = defaultSimSettings();
    const b = await twoPods(settings);
    const seen: { sample: SampleEvent; plain: Record<string, number> }[] = [];
    b.log.subscribe(
      (line) => {
        if (line.type !== 'sample') return;
        const dp = dataplaneOf(b);
        seen.push({
          sample: line,
          plain: {
            concurrency: dp.concurrencyNow(),
            queueProxyQueue: dp.queuedInPods(),
            inFlight: dp.inFlight(),
            activatorQueue: dp.heldRequests(),
          },
        });
      },
      ['sample'],
    );
    const t0 = b.now();
    sendBursts(b.cluster, HOST, [
      [t0 + 10, 6, 2500],
      [t0 + 1500, 12, 700],
      [t0 + 4200, 3, 3000],
    ]);
    await b.sleepUntil(t0 + 20_000);
    expect(seen.length).toBeGreaterThan(15);
    for (const { sample, plain } of seen) {
      expect({
        concurrency: sample.concurrency,
        queueProxyQueue: sample.queueProxyQueue,
        inFlight: sample.inFlight,
        activatorQueue: sample.activatorQueue,
      }).toEqual(plain);
    }
    // The run had requests in the queue-proxies and in both containers.
    expect(seen.some(({ sample }) => sample.queueProxyQueue > 0)).toBe(true);
    expect(seen.some(({ sample }) => sample.inFlight > 1)).toBe(true);
  });

  it("has the app's CPU and memory last, and only when the app has them", async () => {
    const keysOf = async (app: Partial<SimSettings['app']>): Promise<string[][]> => {
      const settings = defaultSimSettings();
      Object.assign(settings.app, app);
      const b = await twoPods(settings);
      const keys: string[][] = [];
      b.log.subscribe((line) => keys.push(Object.keys(line)), ['sample']);
      sendBursts(b.cluster, HOST, [[b.now() + 10, 4, 1500]]);
      await b.sleepUntil(b.now() + 5000);
      return keys;
    };
    const plain = await keysOf({});
    expect(plain.length).toBeGreaterThan(3);
    const base = plain[0]!;
    expect(base).not.toContain('cpuMillis');
    expect(base).not.toContain('memoryBytes');
    for (const k of plain) expect(k).toEqual(base);
    const both = await keysOf({ cpu: 0.5, memory: { baseBytes: 1000, perRequestBytes: 10 } });
    for (const k of both) expect(k).toEqual([...base, 'cpuMillis', 'memoryBytes']);
    const memory = await keysOf({ memory: { baseBytes: 1000, perRequestBytes: 10 } });
    for (const k of memory) expect(k).toEqual([...base, 'memoryBytes']);
  });
});
