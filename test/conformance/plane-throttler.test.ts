/**
 * Cases from Knative Serving's activator and queue-proxy tests, run against knsim's data plane
 * (src/sim/dataplane/revision.ts, which applies src/model/dataplane.ts's rules):
 * - pkg/activator/net/throttler_test.go TestThrottlerUpdateCapacity: how many requests the
 *   activator lets through to a revision's pods before it holds the next (the rows with one
 *   activator and pod trackers; knsim pools its activators, see docs/conformance.md);
 * - pkg/activator/net/lb_policy_test.go: the pod each policy picks (TestFirstAvailable,
 *   TestRandomChoice2, TestRoundRobin);
 * - pkg/queue/breaker_test.go: the queue-proxy's breaker admits its capacity and refuses the
 *   rest with 503, and admits again as requests finish. Upstream builds breakers of any size; the
 *   queue-proxy's is QueueDepth = 10 × CC, MaxConcurrency = CC, so the cases are run at that size
 *   (capacity 11 for CC 1) with the same shape of accepted / refused.
 * Requests are given long service times so they stay in their pods until the test lets time pass.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACTIVATOR_QUEUE_DEPTH,
  ACTIVATOR_QUEUE_FULL_BODY,
  queueProxyCapacity,
  randomChoiceOfTwo,
  roundRobin,
} from '../../src/model/dataplane.js';
import { revisionTimeouts } from '../../src/model/timeouts.js';
import { blankRequest } from '../../src/sim/cluster.js';
import type { SimRequest } from '../../src/sim/dataplane/request.js';
import { RevisionDataplane } from '../../src/sim/dataplane/revision.js';
import { Engine } from '../../src/sim/engine.js';

const LONG_MS = 60_000;

/** A revision's data plane with `pods` ready and probed pods; answers are recorded by request id. */
function plane(cc: number, pods: number, activatorInPath: boolean, random: () => number = () => 0.5) {
  const engine = new Engine();
  const answers = new Map<number, { status: number; body: string }>();
  const dp = new RevisionDataplane('r', cc, revisionTimeouts({ timeoutSeconds: 300 }, 300), engine, random, {
    firstRequest() {},
    completed(req, status, body) {
      answers.set(req.id, { status, body });
    },
    held() {},
    dispatched() {},
  });
  for (let i = 0; i < pods; i++) {
    dp.podReady(`p${i}`);
    dp.podProbed(`p${i}`);
  }
  dp.setActivatorInPath(activatorInPath);
  let id = 0;
  const send = (serviceMs = LONG_MS): SimRequest => {
    const req = blankRequest();
    req.id = ++id;
    req.serviceMs = serviceMs;
    req.arrivedAt = engine.now();
    dp.receive(req);
    return req;
  };
  return { dp, engine, answers, send };
}

describe('throttler_test.go TestThrottlerUpdateCapacity (one activator)', () => {
  // `capacity` rows: upstream passes the backend count; here that many pods are ready and probed.
  const cases: { name: string; cc: number; pods: number; want: number }[] = [
    { name: 'capacity: 1, cc: 10', cc: 10, pods: 1, want: 10 },
    { name: 'capacity: 10, cc: 10', cc: 10, pods: 10, want: 100 },
    { name: 'capacity: 100, cc: 10', cc: 10, pods: 100, want: 1000 },
    { name: 'numActivators: 1, capacity: 0, cc: 10, pods: 1', cc: 10, pods: 1, want: 10 },
    { name: '2 backends. numActivators: 1, capacity: -1, cc: 10, pods: 2', cc: 10, pods: 2, want: 20 },
    // numActivators 2, pods 5, cc 1: 3 + 2 across the two activators; knsim's pooled activator 5.
    { name: 'numActivators: 2, pods: 5, cc: 1 (3 + 2, pooled)', cc: 1, pods: 5, want: 5 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { send, dp } = plane(c.cc, c.pods, true);
      const reqs = Array.from({ length: c.want + 1 }, () => send());
      expect(reqs.filter((r) => r.pod !== undefined)).toHaveLength(c.want);
      expect(reqs.at(-1)!.pod).toBeUndefined();
      expect(dp.heldRequests()).toBe(1);
    });
  }

  it('Infinite capacity with podIP trackers (and newInfiniteBreaker, capacity: 1 and 10): cc 0 lets every request through at once', () => {
    const { send, dp } = plane(0, 3, true);
    const reqs = Array.from({ length: 500 }, () => send());
    expect(reqs.every((r) => r.pod !== undefined)).toBe(true);
    expect(dp.heldRequests()).toBe(0);
  });

  it('newInfiniteBreaker, capacity: 0 (numActivators 0 and 200): held with no backend, no queue limit; the first backend releases them', () => {
    const { send, dp, answers } = plane(0, 0, true);
    const reqs = Array.from({ length: ACTIVATOR_QUEUE_DEPTH + 1 }, () => send());
    expect(dp.heldRequests()).toBe(ACTIVATOR_QUEUE_DEPTH + 1);
    expect(answers.size).toBe(0);
    dp.podReady('p0');
    dp.podProbed('p0');
    expect(reqs.every((r) => r.pod === 'p0')).toBe(true);
  });

  it('reference §5: with cc > 0 the activator queues 10,000, then answers 503 "pending request queue full"', () => {
    const { send, dp, answers } = plane(1, 0, true);
    for (let i = 0; i < ACTIVATOR_QUEUE_DEPTH; i++) send();
    expect(dp.heldRequests()).toBe(ACTIVATOR_QUEUE_DEPTH);
    const over = send();
    expect(answers.get(over.id)).toEqual({ status: 503, body: ACTIVATOR_QUEUE_FULL_BODY });
  });

  it('pods coming and going: a held request goes to a pod once its probe passes', () => {
    const { send, dp } = plane(1, 1, true);
    send();
    const held = send();
    expect(held.pod).toBeUndefined();
    dp.podReady('p1');
    expect(held.pod).toBeUndefined(); // ready, not yet probed
    dp.podProbed('p1');
    expect(held.pod).toBe('p1');
  });
});

describe('lb_policy_test.go', () => {
  it('TestFirstAvailable 1 tracker, 1 slot: the second request waits', () => {
    const { send } = plane(1, 1, true);
    expect(send().pod).toBe('p0');
    expect(send().pod).toBeUndefined();
  });

  it('TestFirstAvailable 2 trackers, 1 slot: the first, then the second', () => {
    const { send } = plane(1, 2, true);
    expect(send().pod).toBe('p0');
    expect(send().pod).toBe('p1');
  });

  it('first available (CC ≤ 3): a freed first pod is picked again, not the next in turn', () => {
    const { send, engine } = plane(2, 2, true);
    expect(send(100).pod).toBe('p0');
    engine.runUntil(200);
    expect(send().pod).toBe('p0');
    expect(send().pod).toBe('p0');
    expect(send().pod).toBe('p1');
  });

  it('TestRandomChoice2 1 tracker: always that one', () => {
    const { send } = plane(0, 1, true, () => 0.9);
    for (let i = 0; i < 5; i++) expect(send().pod).toBe('p0');
  });
});

describe('breaker_test.go, at the queue-proxy’s size (QueueDepth 10 × CC, MaxConcurrency CC)', () => {
  const cc = 1;
  const capacity = queueProxyCapacity(cc); // upstream's "Breaker capacity = 2" shape, at CC 1

  it('the queue-proxy breaker holds CC in the container and 10 × CC queued (reference §5)', () => {
    expect(capacity).toBe(11);
    expect(queueProxyCapacity(0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('TestBreakerOverload: capacity accepted, the next refused with 503', () => {
    const { send, answers } = plane(cc, 1, false);
    const reqs = Array.from({ length: capacity + 1 }, () => send());
    expect(reqs.slice(0, capacity).every((r) => !answers.has(r.id))).toBe(true);
    expect(answers.get(reqs.at(-1)!.id)).toEqual({ status: 503, body: ACTIVATOR_QUEUE_FULL_BODY });
  });

  it('TestBreakerNoOverload: never more than capacity at once, so all are accepted', () => {
    const { send, answers, engine } = plane(cc, 1, false);
    const reqs: SimRequest[] = [];
    for (let i = 0; i < 4 * capacity; i++) {
      reqs.push(send(100));
      engine.runUntil(engine.now() + 100);
    }
    engine.runUntil(engine.now() + 10 * LONG_MS);
    expect(reqs.map((r) => answers.get(r.id)?.status)).toEqual(reqs.map(() => 200));
  });

  it('TestBreakerRecover / TestBreakerLargeCapacityRecover: shed while full, accepted again as capacity opens', () => {
    const { send, answers, engine } = plane(cc, 1, false);
    const first = Array.from({ length: capacity }, () => send(1000));
    const shed = Array.from({ length: capacity }, () => send(1000));
    expect(shed.every((r) => answers.get(r.id)?.status === 503)).toBe(true);
    // one finishes (the one in the container), one more is accepted, and so on
    const later: SimRequest[] = [];
    for (let i = 0; i < capacity; i++) {
      engine.runUntil(engine.now() + 1000);
      later.push(send(1000));
    }
    engine.runUntil(engine.now() + 100 * 1000);
    expect([...first, ...later].every((r) => answers.get(r.id)?.status === 200)).toBe(true);
  });
});

/**
 * lb_policy_test.go's random choice of two and round robin. Both rules are the model's
 * (src/model/dataplane.ts `randomChoiceOfTwo`, `roundRobin`); the data plane calls them. They
 * disagreed with these cases until 2026-12-07: the choice of two drew with replacement (one pod
 * could be drawn twice) and broke ties for the first draw, and round robin counted picks modulo
 * the pods with room instead of keeping a pointer after the last pick.
 */
describe('lb_policy_test.go: random choice of two and round robin', () => {
  it('TestRandomChoice2 2 trackers: the second request goes to the other, idle pod, whatever the draws', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (u) => {
        const { send } = plane(0, 2, true, () => u);
        const a = send().pod;
        const b = send().pod;
        expect(new Set([a, b])).toEqual(new Set(['p0', 'p1']));
      }),
    );
  });

  it('TestRandomChoice2 3+ trackers: two different pods contend, the less loaded wins, a tie is a coin', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(3), { minLength: 3, maxLength: 9 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 3, maxLength: 3 }),
        (loads, draws) => {
          const pods = loads.map((concurrency, i) => ({ name: `p${i}`, concurrency, fromActivator: 0 }));
          let k = 0;
          const pick = randomChoiceOfTwo(pods, () => draws[k++]!);
          const n = pods.length;
          const a = Math.floor(draws[0]! * n);
          let b = Math.floor(draws[1]! * (n - 1));
          if (b >= a) b++;
          expect(a).not.toBe(b);
          const [pa, pb] = [pods[a]!, pods[b]!];
          if (pa.concurrency !== pb.concurrency) {
            expect(pick).toBe(pa.concurrency < pb.concurrency ? pa : pb);
            expect(k).toBe(2);
          } else {
            expect(pick).toBe(draws[2]! < 0.5 ? pb : pa);
            expect(k).toBe(3);
          }
        },
      ),
    );
  });

  it('TestRoundRobin: after a full pod is skipped, the pointer goes on from the last pick', () => {
    // cc 4 (round robin), three pods: fill all (p0, p1, p2, p0, …), free a slot on p0 and refill
    // it, then free one on p1 and one on p2. The pointer stands after p0: p1 next.
    const { send, engine } = plane(4, 3, true);
    const first = [send(100), send(200), send(300)];
    expect(first.map((r) => r.pod)).toEqual(['p0', 'p1', 'p2']);
    for (let i = 3; i < 12; i++) send();
    engine.runUntil(150);
    expect(send().pod).toBe('p0');
    engine.runUntil(350);
    expect(send().pod).toBe('p1');
  });

  it('TestRoundRobin: a pointer past a shrunk list starts again at the first pod', () => {
    const pods = [0, 4, 0].map((fromActivator) => ({ concurrency: fromActivator, fromActivator }));
    expect(roundRobin(pods, 4, 7)).toBe(0);
    expect(roundRobin(pods, 4, 1)).toBe(2);
    expect(
      roundRobin(
        pods.map(() => ({ concurrency: 4, fromActivator: 4 })),
        4,
        0,
      ),
    ).toBe(-1);
  });
});
