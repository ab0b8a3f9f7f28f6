/**
 * Several activators in a revision's data plane (src/sim/dataplane/activators.ts): the
 * several-activator rows of knative/serving pkg/activator/net/throttler_test.go (@ 00535eca)
 * TestThrottlerUpdateCapacity run as requests (how many the activators let through before they
 * hold the next, and to which pods), the ingress's spread over the activators, each activator's
 * own stats, and a fast-check oracle against a plain restatement (a rotation over the activators,
 * each letting through CC × its slice).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activatorSubset } from '../../src/model/rules/sks.js';
import { activatorIps, assignSlice } from '../../src/model/throttler.js';
import { revisionTimeouts } from '../../src/model/timeouts.js';
import { blankRequest } from '../../src/sim/cluster.js';
import type { SimRequest } from '../../src/sim/dataplane/request.js';
import { RevisionDataplane } from '../../src/sim/dataplane/revision.js';
import { Engine } from '../../src/sim/engine.js';

const LONG_MS = 60_000;

/**
 * A revision's data plane with `activators` activators (all behind the public Service) and `pods`
 * ready and probed pods, pod i at 10.0.0.(i+1); `random` decides the ingress's first activator.
 */
function plane(
  cc: number,
  activators: number,
  pods: number,
  random: () => number = () => 0,
  ipOf = (i: number) => `10.0.0.${i + 1}`,
) {
  const engine = new Engine();
  const answers = new Map<number, { status: number; body: string }>();
  let firstRequests = 0;
  const dp = new RevisionDataplane(
    'r',
    cc,
    revisionTimeouts({ timeoutSeconds: 300 }, 300),
    engine,
    random,
    {
      firstRequest() {
        firstRequests++;
      },
      completed(req, status, body) {
        answers.set(req.id, { status, body });
      },
      held() {},
      dispatched() {},
    },
    0,
    Number.POSITIVE_INFINITY,
    0,
    activators,
  );
  dp.setActivatorSubset(activatorSubset(dp.activatorIps(), activators, 'r'));
  for (let i = 0; i < pods; i++) {
    dp.podReady(`p${i}`, undefined, ipOf(i));
    dp.podProbed(`p${i}`);
  }
  let id = 0;
  const send = (serviceMs = LONG_MS): SimRequest => {
    const req = blankRequest();
    req.id = ++id;
    req.serviceMs = serviceMs;
    req.arrivedAt = engine.now();
    dp.receive(req);
    return req;
  };
  const perPod = (reqs: SimRequest[]) => {
    const out: Record<string, number> = {};
    for (const r of reqs) if (r.pod) out[r.pod] = (out[r.pod] ?? 0) + 1;
    return out;
  };
  return { dp, engine, answers, send, perPod, firstRequests: () => firstRequests };
}

describe('throttler_test.go TestThrottlerUpdateCapacity, several activators, as requests', () => {
  it('2 activators. numActivators: 2, capacity: -1, cc: 10, pods: 2: 10 each, one pod each', () => {
    const { send, dp, perPod } = plane(10, 2, 2);
    const reqs = Array.from({ length: 40 }, () => send());
    expect(perPod(reqs)).toEqual({ p0: 10, p1: 10 });
    expect(dp.heldRequests()).toBe(20);
  });

  it('numActivators: 2, pods: 3, cc: 10: index 0 lets 20 through (pods 0 and 2), index 1 10 (pod 1)', () => {
    const { send, dp, perPod } = plane(10, 2, 3);
    // The ingress alternates: the even requests go to activator 0 (its first pick is the random start, 0).
    const reqs = Array.from({ length: 100 }, () => send());
    expect(perPod(reqs.filter((_, i) => i % 2 === 0))).toEqual({ p0: 10, p2: 10 });
    expect(perPod(reqs.filter((_, i) => i % 2 === 1))).toEqual({ p1: 10 });
    expect(dp.heldRequests()).toBe(70);
  });

  it('numActivators: 2, pods: 5, cc: 1: 3 and 2 (each activator its own pods)', () => {
    const { send, dp, perPod } = plane(1, 2, 5);
    const reqs = Array.from({ length: 20 }, () => send());
    expect(perPod(reqs.filter((_, i) => i % 2 === 0))).toEqual({ p0: 1, p1: 1, p4: 1 });
    expect(perPod(reqs.filter((_, i) => i % 2 === 1))).toEqual({ p2: 1, p3: 1 });
    expect(dp.heldRequests()).toBe(15);
  });

  it('the slices are cut in pod IP order, sorted as strings (sort.Strings): 10.0.0.10 before 10.0.0.9', () => {
    // p0 10.0.0.9, p1 10.0.0.10, p2 10.0.0.11: in IP order p1, p2, p0.
    const { send, perPod } = plane(
      10,
      2,
      3,
      () => 0,
      (i) => `10.0.0.${i + 9}`,
    );
    const reqs = Array.from({ length: 100 }, () => send());
    expect(perPod(reqs.filter((_, i) => i % 2 === 0))).toEqual({ p1: 10, p0: 10 });
    expect(perPod(reqs.filter((_, i) => i % 2 === 1))).toEqual({ p2: 10 });
  });

  it('Infinite capacity with podIP trackers (cc 0): every activator sends to every pod at once', () => {
    const { send, dp } = plane(0, 2, 3);
    const reqs = Array.from({ length: 300 }, () => send());
    expect(reqs.every((r) => r.pod !== undefined)).toBe(true);
    expect(dp.heldRequests()).toBe(0);
  });

  it('fewer pods than activators: each sends to its pod in turn under its own breaker, so one pod gets CC from each', () => {
    const { send, dp, perPod } = plane(1, 3, 1);
    const reqs = Array.from({ length: 6 }, () => send());
    // Three activators, one pod: each lets 1 through to p0 (the queue-proxy queues two of them).
    expect(perPod(reqs)).toEqual({ p0: 3 });
    expect(dp.heldRequests()).toBe(3);
    expect(dp.queuedInPods()).toBe(2);
  });

  it('an activator whose pods have room sends while another holds: the slices do not pool', () => {
    const { send, dp, engine, perPod } = plane(1, 2, 2);
    const first = [send(1000), send(LONG_MS)];
    expect(perPod(first)).toEqual({ p0: 1, p1: 1 });
    const held = [send(), send()];
    expect(held.every((r) => r.pod === undefined)).toBe(true);
    engine.runUntil(1500);
    // p0 (activator 0's) came free: activator 0's held request goes there; activator 1's waits for p1.
    expect(held[0]!.pod).toBe('p0');
    expect(held[1]!.pod).toBeUndefined();
    expect(dp.heldRequests()).toBe(1);
  });

  it("an activator's revision breaker (CC × its pods) counts what it sent to a pod it lost: it holds while its pod is free", () => {
    const { send, dp, engine } = plane(1, 2, 3);
    // 3 pods: activator 0 has p0 and p2 (its slice and the pod left over), activator 1 has p1.
    const r1 = send(1000);
    const r2 = send();
    const r3 = send();
    const r4 = send();
    expect([r1.pod, r2.pod, r3.pod, r4.pod]).toEqual(['p0', 'p1', 'p2', undefined]);
    // p1 drains: 2 pods, one each (activator 0 p0, activator 1 p2). Activator 1 still has r2 in
    // flight at p1: its capacity (1) is taken, and r4 waits though p2 has room for it.
    dp.podTerminating('p1');
    expect(r4.pod).toBeUndefined();
    engine.runUntil(1500);
    // r1 is answered: p0 is free, but activator 0 still has r3 at p2 against a capacity of 1.
    const r5 = send();
    expect(r5.pod).toBeUndefined();
    expect(dp.heldRequests()).toBe(2);
  });
});

describe('the ingress and the stats', () => {
  it('the ingress spreads requests over the activators in turn from a random start', () => {
    const { send, perPod } = plane(1, 3, 3, () => 0.5);
    // Start 1 (0.5 × 3): activators 1, 2, 0, … one pod each (3 pods, 3 activators).
    const reqs = Array.from({ length: 3 }, () => send());
    expect(reqs.map((r) => r.pod)).toEqual(['p1', 'p2', 'p0']);
    expect(perPod(reqs)).toEqual({ p0: 1, p1: 1, p2: 1 });
  });

  it("each activator sends its own first-request stat and its own report; together they are the revision's", () => {
    const { send, dp, engine, firstRequests } = plane(1, 3, 0);
    for (let i = 0; i < 6; i++) send();
    expect(firstRequests()).toBe(3);
    engine.runUntil(1000);
    const reports = [0, 1, 2].map((i) => dp.activatorReport(i));
    // Each holds 2 for the whole second; less the immediate stat (1) it sent.
    for (const r of reports) expect(r?.averageConcurrency).toBeCloseTo(1, 6);
    expect(dp.heldRequests()).toBe(6);
  });
});

describe('oracle: any pods, activators and CC, against a plain rotation', () => {
  it('requests with no answers: activator k gets its turns and lets through CC × its slice', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 80 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (activators, pods, cc, requests, draw) => {
          const { send, dp } = plane(cc, activators, pods, () => draw);
          const reqs = Array.from({ length: requests }, () => send());
          const start = Math.floor(draw * activators);
          let through = 0;
          for (let k = 0; k < activators; k++) {
            const turns = reqs.filter((_, i) => (start + i) % activators === k).length;
            through += Math.min(turns, cc * assignSlice(pods, k, activators).length);
          }
          expect(reqs.filter((r) => r.pod !== undefined)).toHaveLength(through);
          expect(dp.heldRequests()).toBe(requests - through);
        },
      ),
    );
  });

  it('activator IPs sort as strings: with 12, the tenth (10.244.250.10) has index 1', () => {
    expect([...activatorIps(12)].sort()[1]).toBe('10.244.250.10');
  });
});
