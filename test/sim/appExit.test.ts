/**
 * A serving pod's app exits (scenario `crashImages` with `after` past its start-up): the
 * queue-proxy loses the app. Checked against a plain statement of what each request meets: one
 * the app was working on, or waiting in the pod for, fails at the exit with 502 `EOF`; one sent to
 * the pod after the exit, until the kubelet sees it (`podUnready`), fails at once with 502 and a
 * refused connection; every other request is answered as before, none twice, and the pod's
 * counters come back to zero.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { APP_EXITED_BODY, appConnectionRefusedBody } from '../../src/model/dataplane.js';
import { revisionTimeouts } from '../../src/model/timeouts.js';
import { blankRequest } from '../../src/sim/cluster.js';
import type { SimRequest } from '../../src/sim/dataplane/request.js';
import { RevisionDataplane } from '../../src/sim/dataplane/revision.js';
import { Engine } from '../../src/sim/engine.js';

const step = fc.oneof(
  fc.record({ op: fc.constant('send' as const), n: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ op: fc.constant('wait' as const), n: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ op: fc.constant('exit' as const), n: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ op: fc.constant('seen' as const), n: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ op: fc.constant('ready' as const), n: fc.integer({ min: 0, max: 2 }) }),
);

interface Ended {
  status: number;
  body: string;
  at: number;
  pod: string | undefined;
  startedAt: number;
  state: number;
}

describe('a serving pod whose app exits', () => {
  it('fails what is in it with 502 EOF, refuses what comes until the kubelet sees the exit, answers the rest', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.array(step, { minLength: 1, maxLength: 40 }),
        (cc, workers, pods, activator, steps) => {
          const engine = new Engine();
          const ended = new Map<number, Ended>();
          let dup = 0;
          const dp = new RevisionDataplane(
            'r',
            cc,
            revisionTimeouts({ timeoutSeconds: 3600 }, 3600),
            engine,
            Math.random,
            {
              firstRequest() {},
              completed(req: SimRequest, status: number, body: string) {
                if (ended.has(req.id)) dup++;
                ended.set(req.id, {
                  status,
                  body,
                  at: engine.now(),
                  pod: req.pod,
                  startedAt: req.startedAt,
                  state: req.state,
                });
              },
              held() {},
              dispatched() {},
            },
            workers,
          );
          dp.appsMayExit = true;
          dp.appPort = 8080;
          // The test's own account of each pod: the instants its app exited, and whether it is
          // exited now (from the exit until it is ready again).
          const exits = new Map<string, number[]>();
          const down = new Set<string>();
          // From each exit until the pod is ready again.
          const downSpans = new Map<string, [number, number][]>();
          const ready = (p: string) => {
            dp.podReady(p);
            dp.podProbed(p);
            if (down.has(p)) downSpans.get(p)!.at(-1)![1] = engine.now();
            down.delete(p);
          };
          for (let p = 0; p < pods; p++) ready(`p${p}`);
          dp.activatorInPath = activator;
          let id = 0;
          for (const s of steps) {
            const pod = `p${s.n % pods}`;
            if (s.op === 'wait') engine.runUntil(engine.now() + s.n);
            else if (s.op === 'exit') {
              if (down.has(pod)) continue;
              exits.set(pod, [...(exits.get(pod) ?? []), engine.now()]);
              down.add(pod);
              downSpans.set(pod, [...(downSpans.get(pod) ?? []), [engine.now(), Number.POSITIVE_INFINITY]]);
              dp.podExited(pod);
            } else if (s.op === 'seen') {
              // The kubelet sees only an exit.
              if (down.has(pod)) dp.podUnready(pod);
            } else if (s.op === 'ready') {
              if (down.has(pod)) ready(pod);
            } else {
              for (let i = 0; i < s.n; i++) {
                const req = blankRequest();
                req.id = ++id;
                req.serviceMs = 20 + (id % 5) * 40;
                req.arrivedAt = engine.now();
                dp.receive(req);
              }
            }
          }
          // Every pod ready again: what the activator still holds goes out.
          for (let p = 0; p < pods; p++) if (down.has(`p${p}`)) ready(`p${p}`);
          engine.runUntil(engine.now() + 4_000_000);
          expect(dup).toBe(0);
          expect(ended.size).toBe(id);
          const refused = appConnectionRefusedBody(8080);
          for (const e of ended.values()) {
            const podExits = e.pod ? (exits.get(e.pod) ?? []) : [];
            if (e.status === 502) {
              if (e.body === APP_EXITED_BODY) expect(podExits).toContain(e.at);
              else {
                expect(e.body).toBe(refused);
                // Refused: its pod's app had exited by then (at the exit, for one queued in it).
                expect(podExits.some((t) => t <= e.at)).toBe(true);
              }
            } else {
              expect([200, 503]).toContain(e.status);
              // Answered: its pod's app was up when it started on it and did not exit meanwhile.
              if (e.status === 200) {
                expect(podExits.some((t) => t > e.startedAt && t < e.at)).toBe(false);
                const spans = downSpans.get(e.pod ?? '') ?? [];
                expect(spans.some(([from, to]) => from <= e.startedAt && e.startedAt < to)).toBe(false);
              }
            }
          }
          // Nothing is left in any pod.
          expect(dp.inFlight()).toBe(0);
          expect(dp.queuedInPods()).toBe(0);
          expect(dp.concurrencyNow()).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
