/**
 * The ingress's own balancing, when the activator is out of the path (SKS Serve: the revision's
 * public Service's endpoints are its pods). Kourier (knative-extensions/net-kourier) makes one
 * Envoy cluster per revision, STATIC, its endpoints inline (pkg/generator/ingress_translator.go),
 * and `NewCluster` (pkg/envoy/api/cluster.go) sets no lb_policy: Envoy's default ROUND_ROBIN,
 * which with equal weights takes `hosts[rr_index++ % size]` from a random seed per load balancer
 * (envoy source/extensions/load_balancing_policies/round_robin/round_robin_lb.h,
 * common/load_balancer_impl.cc). These cases drive knsim's data plane
 * (src/sim/dataplane/revision.ts), which applies src/model/dataplane.ts `ingressRoundRobin`.
 * See docs/conformance.md, "The ingress's own balancing, and several activators".
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { revisionTimeouts } from '../../src/model/timeouts.js';
import { blankRequest } from '../../src/sim/cluster.js';
import type { SimRequest } from '../../src/sim/dataplane/request.js';
import { RevisionDataplane } from '../../src/sim/dataplane/revision.js';
import { Engine } from '../../src/sim/engine.js';

const LONG_MS = 60_000;

/** A revision's data plane, the activator out of the path, with `pods` ready pods (never probed). */
function plane(cc: number, pods: number, random: () => number) {
  const engine = new Engine();
  const dp = new RevisionDataplane('r', cc, revisionTimeouts({ timeoutSeconds: 300 }, 300), engine, random, {
    firstRequest() {},
    completed() {},
    held() {},
    dispatched() {},
  });
  for (let i = 0; i < pods; i++) dp.podReady(`p${i}`);
  dp.setActivatorInPath(false);
  let id = 0;
  const send = (serviceMs = LONG_MS): SimRequest => {
    const req = blankRequest();
    req.id = ++id;
    req.serviceMs = serviceMs;
    req.arrivedAt = engine.now();
    dp.receive(req);
    return req;
  };
  return { dp, engine, send };
}

describe('net-kourier: the cluster of a revision is ROUND_ROBIN (Envoy default)', () => {
  it('takes the pods in turn from a random start (seed 0.5 of 4 pods: the third)', () => {
    const { send } = plane(0, 4, () => 0.5);
    expect(Array.from({ length: 9 }, () => send().pod)).toEqual(['p2', 'p3', 'p0', 'p1', 'p2', 'p3', 'p0', 'p1', 'p2']);
  });

  it('is blind to load: a pod with requests in flight gets its turn as an idle one does', () => {
    // containerConcurrency 0: the activator would pick the less busy of two; Envoy does not look.
    const { send, engine } = plane(0, 3, () => 0);
    const first = Array.from({ length: 30 }, () => send(LONG_MS)); // all still in flight
    expect(first.map((r) => r.pod).filter((p) => p === 'p0')).toHaveLength(10);
    engine.runUntil(1);
    const next = Array.from({ length: 3 }, () => send(1).pod);
    expect(next).toEqual(['p0', 'p1', 'p2']);
  });

  it('with containerConcurrency 1, sends past a full pod: its queue-proxy queues the request', () => {
    const { send } = plane(1, 2, () => 0);
    const reqs = Array.from({ length: 4 }, () => send());
    expect(reqs.map((r) => r.pod)).toEqual(['p0', 'p1', 'p0', 'p1']);
    expect(reqs.every((r) => !r.viaActivator)).toBe(true);
  });

  it('a change of endpoints is a new cluster: its count starts again at a random pod', () => {
    const draws = [0.0, 0.9];
    const { send, dp } = plane(0, 3, () => draws.shift() ?? 0);
    expect([send().pod, send().pod]).toEqual(['p0', 'p1']);
    dp.podReady('p3'); // four pods now; the draw 0.9 starts at the fourth
    expect([send().pod, send().pod, send().pod]).toEqual(['p3', 'p0', 'p1']);
    expect(draws).toHaveLength(0);
  });

  it('a draining pod leaves the list at once and takes no new request', () => {
    const { send, dp } = plane(0, 3, () => 0);
    dp.podTerminating('p1');
    expect(Array.from({ length: 4 }, () => send().pod)).toEqual(['p0', 'p2', 'p0', 'p2']);
  });
});

describe('the data plane against a plain round robin over the serving pods', () => {
  const step = fc.oneof(
    fc.record({ op: fc.constantFrom('ready' as const, 'terminate' as const, 'gone' as const), pod: fc.nat(5) }),
    fc.record({ op: fc.constant('send' as const), n: fc.integer({ min: 1, max: 9 }) }),
    fc.record({ op: fc.constant('wait' as const), n: fc.integer({ min: 1, max: 300 }) }),
  );
  it('picks what a rotation from a fresh random start at every change of the list picks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.array(step, { maxLength: 60 }), fc.nat(), (cc, steps, seed) => {
        let s = seed;
        const draws: number[] = [];
        const random = () => {
          s = (s * 1103515245 + 12345) % 2147483648;
          const d = s / 2147483648;
          draws.push(d);
          return d;
        };
        const { dp, engine, send } = plane(cc, 0, random);
        // The oracle: the serving pods in the order they became ready, and a count from a start.
        let serving: string[] = [];
        const order: string[] = [];
        let index = -1;
        const state = new Map<string, 'ready' | 'terminating'>();
        for (const st of steps) {
          if (st.op === 'wait') {
            engine.runUntil(engine.now() + st.n);
            continue;
          }
          if (st.op === 'send') {
            for (let i = 0; i < st.n; i++) {
              const drawn = draws.length;
              const req = send(50 + (i % 4) * 40);
              if (serving.length === 0) {
                expect(req.viaActivator).toBe(true);
                continue;
              }
              // A new cluster: a draw for its start (none for one pod, whose start is that pod).
              if (index < 0) {
                expect(draws.length).toBe(serving.length > 1 ? drawn + 1 : drawn);
                index = serving.length > 1 ? Math.floor(draws.at(-1)! * serving.length) : 0;
              } else expect(draws.length).toBe(drawn);
              expect(req.pod).toBe(serving[index++ % serving.length]);
            }
            continue;
          }
          const name = `p${st.pod}`;
          const was = state.get(name);
          if (st.op === 'ready' && was === undefined) {
            dp.podReady(name);
            state.set(name, 'ready');
            order.push(name);
          } else if (st.op === 'terminate' && was === 'ready') {
            dp.podTerminating(name);
            state.set(name, 'terminating');
          } else if (st.op === 'gone' && was !== undefined) {
            dp.podGone(name);
            state.delete(name);
            order.splice(order.indexOf(name), 1);
          } else continue;
          const next = order.filter((p) => state.get(p) === 'ready');
          if (next.join() !== serving.join()) index = -1;
          serving = next;
        }
      }),
      { numRuns: 300 },
    );
  });
});
