/**
 * A request's end in the data plane hands its slot on: the app's next waiting request (workers),
 * the queue-proxy's next queued one (containerConcurrency), the activator's next held one. The
 * completion handler looks at each queue before calling into it (issue 10: the calls are rare, so
 * the compiler leaves them out of the handler); a look that missed a waiting request would leave
 * it until its deadline (504). With deadlines an hour off, every request must end once, none of
 * them with a 504.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { revisionTimeouts } from '../../src/model/timeouts.js';
import { blankRequest } from '../../src/sim/cluster.js';
import type { SimRequest } from '../../src/sim/dataplane/request.js';
import { RevisionDataplane } from '../../src/sim/dataplane/revision.js';
import { Engine } from '../../src/sim/engine.js';

const step = fc.oneof(
  fc.record({ op: fc.constant('send' as const), n: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ op: fc.constant('wait' as const), n: fc.integer({ min: 1, max: 300 }) }),
);

describe('a request’s end hands its slot on', () => {
  it('every request is answered (200, or 503 on a full queue-proxy), none left to its deadline, whatever the queues held', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.array(step, { minLength: 1, maxLength: 40 }),
        (cc, workers, pods, activator, steps) => {
          const engine = new Engine();
          const statuses = new Map<number, number>();
          let dup = 0;
          const hooks = {
            firstRequest() {},
            completed(req: SimRequest, status: number) {
              if (statuses.has(req.id)) dup++;
              statuses.set(req.id, status);
            },
            held() {},
            dispatched() {},
          };
          const dp = new RevisionDataplane(
            'r',
            cc,
            revisionTimeouts({ timeoutSeconds: 3600 }, 3600),
            engine,
            Math.random,
            hooks,
            workers,
          );
          for (let p = 0; p < pods; p++) {
            dp.podReady(`p${p}`);
            dp.podProbed(`p${p}`);
          }
          dp.activatorInPath = activator;
          let id = 0;
          for (const s of steps) {
            if (s.op === 'wait') {
              engine.runUntil(engine.now() + s.n);
              continue;
            }
            for (let i = 0; i < s.n; i++) {
              const req = blankRequest();
              req.id = ++id;
              req.serviceMs = 20 + (id % 5) * 40;
              req.arrivedAt = engine.now();
              dp.receive(req);
            }
          }
          engine.runUntil(engine.now() + 600_000);
          // (A request left waiting would end at its deadline, an hour on: 504.)
          engine.runUntil(engine.now() + 4_000_000);
          expect(dup).toBe(0);
          expect(statuses.size).toBe(id);
          // 503: the queue-proxy was full on arrival (11 × containerConcurrency), decided before any
          // queue; 504 would be a request left waiting until its deadline.
          for (const [, status] of statuses) expect([200, 503]).toContain(status);
        },
      ),
      { numRuns: 300 },
    );
  });
});
