/**
 * Request timeouts as Knative applies them (src/model/timeouts.ts): the activator's and the
 * queue-proxy's timeout handlers, the response-start and idle timeouts, the client's own timeout,
 * and the pod's termination grace period (= timeoutSeconds).
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import type { PodEvent } from '../../src/model/events.js';
import { podMachine } from '../../src/model/machines/pod.js';
import { revisionTimeouts, terminationMs } from '../../src/model/timeouts.js';
import { blankRequest, type RequestResult } from '../../src/sim/cluster.js';
import type { SimRequest } from '../../src/sim/dataplane/request.js';
import { RevisionDataplane } from '../../src/sim/dataplane/revision.js';
import { Engine } from '../../src/sim/engine.js';
import { validateLoadPhase } from '../../src/sim/load/spec.js';
import { defaultSimSettings } from '../../src/sim/settings.js';
import { untilServiceReady } from './serviceReady.js';

interface Options {
  spec?: Record<string, unknown>;
  annotations?: Record<string, string>;
  responseStartMs?: number;
}

const HOST = 'slow.default.example.com';

async function cluster(o: Options = {}) {
  const settings = defaultSimSettings();
  if (o.responseStartMs !== undefined) settings.app.responseStartMs = o.responseStartMs;
  const b = new SimBackend({ seed: 4, namespace: 'default', settings });
  await b.start({ scenario: 'timeouts', seed: 4, namespace: 'default' });
  await b.configure({ 'config-domain': { 'example.com': '' } });
  const svc: KubeObject = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'slow', namespace: 'default' },
    spec: {
      template: {
        ...(o.annotations ? { metadata: { annotations: o.annotations } } : {}),
        spec: { containers: [{ image: 'docker.io/knsim/slow' }], ...o.spec },
      },
    },
  } as KubeObject;
  await b.apply([svc], 'svc.yaml');
  await untilServiceReady(b, 60_000);
  return b;
}

interface Sent {
  sentAt: number;
  result?: RequestResult;
  at?: number;
}

/** Sends `n` requests of `serviceMs` now (client timeout `timeoutMs`); they are answered later. */
function send(b: SimBackend, n: number, serviceMs: number, timeoutMs = 0): Sent[] {
  const out: Sent[] = [];
  for (let i = 0; i < n; i++) {
    const s: Sent = { sentAt: b.now() };
    b.cluster.send(
      HOST,
      serviceMs,
      (r) => {
        s.result = r;
        s.at = b.now();
      },
      -1,
      timeoutMs,
    );
    out.push(s);
  }
  return out;
}

const statuses = (sent: Sent[]) => sent.map((s) => s.result?.status);

describe('request timeouts', () => {
  it('timeoutSeconds 5 with a 10 s handler: 504 "activator request timeout" after 5 s, not 200 after 10 s', async () => {
    const b = await cluster({ spec: { timeoutSeconds: 5 } });
    const [r] = send(b, 1, 10_000);
    await b.sleepUntil(b.now() + 20_000);
    expect(r!.result?.status).toBe(504);
    expect(r!.result?.body).toBe('activator request timeout');
    expect(r!.result!.latencyMs).toBeGreaterThanOrEqual(5000);
    expect(r!.result!.latencyMs).toBeLessThan(5010);
  });

  it('straight to a pod (the activator out of the path) the queue-proxy answers 504 "request timeout"', async () => {
    const b = await cluster({
      spec: { timeoutSeconds: 5 },
      annotations: { 'autoscaling.knative.dev/target-burst-capacity': '0' },
    });
    await b.sleepUntil(b.now() + 5_000);
    expect(b.cluster.runtime('default', 'slow-00001')?.dataplane.activatorInPath).toBe(false);
    const [r] = send(b, 1, 10_000);
    await b.sleepUntil(b.now() + 20_000);
    expect(r!.result?.status).toBe(504);
    expect(r!.result?.body).toBe('request timeout');
    expect(r!.result!.latencyMs).toBeLessThan(5010);
  });

  it('a request that timed out leaves its container slot: the next one runs at once', async () => {
    const b = await cluster({
      spec: { timeoutSeconds: 5, containerConcurrency: 1 },
      annotations: { 'autoscaling.knative.dev/max-scale': '1' },
    });
    const [slow] = send(b, 1, 60_000);
    await b.sleepUntil(b.now() + 6_000);
    expect(slow!.result?.status).toBe(504);
    const [fast] = send(b, 1, 100);
    await b.sleepUntil(b.now() + 1_000);
    expect(fast!.result?.status).toBe(200);
    expect(fast!.result!.latencyMs).toBeLessThan(200);
  });

  it('responseStartTimeoutSeconds ends the wait for the first byte; an app that answers early is not cut', async () => {
    const late = await cluster({ spec: { responseStartTimeoutSeconds: 2 } });
    const [a] = send(late, 1, 10_000);
    await late.sleepUntil(late.now() + 20_000);
    expect(a!.result?.status).toBe(504);
    expect(a!.result!.latencyMs).toBeGreaterThanOrEqual(2000);
    expect(a!.result!.latencyMs).toBeLessThan(2010);

    const early = await cluster({ spec: { responseStartTimeoutSeconds: 2 }, responseStartMs: 1000 });
    const [c] = send(early, 1, 10_000);
    await early.sleepUntil(early.now() + 20_000);
    expect(c!.result?.status).toBe(200);
    expect(c!.result!.latencyMs).toBeGreaterThanOrEqual(10_000);
  });

  it('idleTimeoutSeconds cuts a response that stalls after its first byte (the status line is already out)', async () => {
    const b = await cluster({ spec: { idleTimeoutSeconds: 3 }, responseStartMs: 0 });
    const [r] = send(b, 1, 10_000);
    await b.sleepUntil(b.now() + 20_000);
    expect(r!.result?.status).toBe(200);
    expect(r!.result?.body).toBe('activator request timeout');
    expect(r!.result!.latencyMs).toBeGreaterThanOrEqual(3000);
    expect(r!.result!.latencyMs).toBeLessThan(3010);
  });

  it("Knative's TestActivatorRevisionTimeout: CC 1, max-scale 1, timeout 15 s, five 10 s requests → 2 × 200, 3 × 504", async () => {
    // The test image writes its headers at once, then sleeps (test/test_images/timeout).
    const b = await cluster({
      spec: { timeoutSeconds: 15, containerConcurrency: 1 },
      annotations: { 'autoscaling.knative.dev/target-burst-capacity': '-1', 'autoscaling.knative.dev/max-scale': '1' },
      responseStartMs: 0,
    });
    const sent = send(b, 5, 10_000);
    await b.sleepUntil(b.now() + 40_000);
    expect(statuses(sent).filter((s) => s === 200)).toHaveLength(2);
    const timedOut = sent.filter((s) => s.result?.status === 504);
    expect(timedOut).toHaveLength(3);
    for (const t of timedOut) {
      expect(t.result?.body).toContain('activator request timeout');
      expect(t.result!.latencyMs).toBeLessThan(15_010);
    }
  });

  it('the same with an app that answers at the end: only the first request makes it', async () => {
    const b = await cluster({
      spec: { timeoutSeconds: 15, containerConcurrency: 1 },
      annotations: { 'autoscaling.knative.dev/target-burst-capacity': '-1', 'autoscaling.knative.dev/max-scale': '1' },
    });
    const sent = send(b, 5, 10_000);
    await b.sleepUntil(b.now() + 40_000);
    expect(statuses(sent).filter((s) => s === 200)).toHaveLength(1);
    expect(statuses(sent).filter((s) => s === 504)).toHaveLength(4);
  });

  it('a client timeout (curl -m, hey -t) gives up with no answer and the activator drops the request', async () => {
    const b = await cluster({
      spec: { containerConcurrency: 1 },
      annotations: { 'autoscaling.knative.dev/max-scale': '1' },
    });
    const sent = send(b, 4, 10_000, 2_000);
    await b.sleepUntil(b.now() + 1_000);
    expect(b.cluster.runtime('default', 'slow-00001')!.dataplane.heldRequests()).toBeGreaterThan(0);
    await b.sleepUntil(b.now() + 1_500);
    for (const s of sent) {
      expect(s.result?.status).toBe(0);
      expect(s.result!.latencyMs).toBeCloseTo(2000, 6);
    }
    const dp = b.cluster.runtime('default', 'slow-00001')!.dataplane;
    expect(dp.heldRequests()).toBe(0);
    expect(dp.inFlight()).toBe(0);
    // The log says why.
    const done = b.log
      .text()
      .split('\n')
      .filter((l) => l.includes('"phase":"done"'))
      .map((l) => JSON.parse(l) as { status: number; outcome: string; error?: string });
    expect(
      done.every((d) => d.status === 0 && d.outcome === 'unanswered' && d.error === 'no answer within 2000 ms'),
    ).toBe(true);
  });
});

describe('load clients with a timeout', () => {
  const doneEvents = (b: SimBackend) =>
    b.log
      .text()
      .split('\n')
      .filter((l) => l.includes('"phase":"done"'))
      .map((l) => JSON.parse(l) as { t: number; status: number; latencyMs: number });

  it('hey gives up after its default 20 s (hey -t) and sends its next request', async () => {
    const b = await cluster();
    const start = b.now();
    await b.startLoad([{ at: '1s', for: '50s', hey: { concurrency: 2 }, service: '60s' }], '.');
    await b.sleepUntil(start + 70_000);
    const done = doneEvents(b);
    // Each client: 20 s, 20 s, 20 s (the third sent at 41 s, before the 50 s end).
    expect(done).toHaveLength(6);
    for (const d of done) {
      expect(d.status).toBe(0);
      expect(d.latencyMs).toBeCloseTo(20_000, 6);
    }
    expect(b.results.results().noAnswer).toBe(6);
  });

  it('hey.timeout 0 waits for ever; an open-loop phase gives up after its own timeout', async () => {
    const b = await cluster();
    await b.startLoad(
      [
        { at: '1s', hey: { concurrency: 1, requests: 1, timeout: 0 }, service: '30s' },
        { at: '1s', for: '1s', constant: { rps: 2 }, service: '30s', timeout: '5s' },
      ],
      '.',
    );
    await b.sleepUntil(b.now() + 60_000);
    const done = doneEvents(b);
    expect(done.filter((d) => d.status === 200).map((d) => Math.round(d.latencyMs / 1000))).toEqual([30]);
    expect(done.filter((d) => d.status === 0)).toHaveLength(2);
  });

  it('a hey phase takes its timeout as hey.timeout, and a bad one is refused with its path', () => {
    expect(validateLoadPhase({ for: '10s', hey: { concurrency: 1 }, timeout: '5s' }).map((i) => i.message)).toEqual([
      'a hey phase takes its timeout as hey.timeout (-t)',
    ]);
    const bad = validateLoadPhase({ for: '10s', constant: { rps: 1 }, timeout: '5' });
    expect(bad.map((i) => i.path)).toEqual([['timeout']]);
  });
});

describe("the pod's termination grace period is the revision's timeout", () => {
  const terminatingFor = (b: SimBackend): number[] => {
    const events = b.log
      .text()
      .split('\n')
      .filter((l) => l.includes('"type":"pod"'))
      .map((l) => JSON.parse(l) as PodEvent);
    return events
      .filter((e) => e.phase === 'Gone')
      .map((gone) => gone.t - events.find((e) => e.pod === gone.pod && e.phase === 'Terminating')!.t);
  };

  it('timeoutSeconds 5: a scaled-down pod is killed after 5 s, not after the 30 s drain', async () => {
    const b = await cluster({ spec: { timeoutSeconds: 5 } });
    await b.sleepUntil(b.now() + 150_000);
    expect(terminatingFor(b)).toEqual([5000]);
  });

  it('at the default 300 s a scaled-down pod drains 30 s', async () => {
    const idle = await cluster();
    await idle.sleepUntil(idle.now() + 150_000);
    expect(terminatingFor(idle)).toEqual([30_000]);
  });

  it('a deleted pod stays while its requests run (the app’s, then its queue’s), never past the grace period', () => {
    const engine = new Engine();
    const timeouts = revisionTimeouts({ timeoutSeconds: 300 }, 300);
    const hooks = { firstRequest() {}, completed() {}, held() {}, dispatched() {} };
    const dp = new RevisionDataplane('r', 1, timeouts, engine, () => 0.5, hooks);
    dp.activatorInPath = false;
    dp.podReady('p');
    const req = (id: number, serviceMs: number): SimRequest => ({
      ...blankRequest(),
      id,
      arrivedAt: engine.now(),
      serviceMs,
      revision: 'r',
    });
    dp.receive(req(1, 100_000));
    engine.runUntil(10_000);
    expect(dp.podBusyForMs('p')).toBe(90_000);
    // Two more wait behind the one slot (containerConcurrency 1): 50 s each after it.
    dp.receive(req(2, 50_000));
    dp.receive(req(3, 50_000));
    expect(dp.podBusyForMs('p')).toBe(190_000);
    expect(terminationMs(300_000, 30_000, dp.podBusyForMs('p'))).toBe(190_000);
    expect(terminationMs(120_000, 30_000, dp.podBusyForMs('p'))).toBe(120_000);
    expect(terminationMs(300_000, 30_000, 1_000)).toBe(30_000);
  });

  it('the pod machine takes the drain it is deleted with', () => {
    const engine = new Engine();
    const actor = createActor(podMachine, {
      clock: engine.clock,
      input: { name: 'p', revision: 'r', schedulingMs: 100, creatingMs: 1000, startupMs: 500, drainMs: 30_000 },
    });
    const phases: string[] = [];
    actor.on('phase', (e) => phases.push(`${engine.now()}:${e.phase}`));
    // The scheduler and the kubelet answer at once.
    actor.on('schedule', () => actor.send({ type: 'pod.bound', node: 'n' }));
    actor.on('pull', () => actor.send({ type: 'pod.pulled' }));
    actor.start();
    engine.runUntil(10_000);
    actor.send({ type: 'pod.delete', drainMs: 90_000 });
    engine.runUntil(200_000);
    expect(phases.slice(4)).toEqual(['10000:Terminating', '100000:Gone']);
  });
});
