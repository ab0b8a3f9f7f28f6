/**
 * A revision's data plane keeps its endpoint lists (all pods, serving, probed) as pods change,
 * moving only the pod that changed: they must be what filtering every pod in order gives, with
 * each probed pod's `probedIndex` its place (the activator's and the scraper's picks index them).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { revisionTimeouts } from '../../src/model/timeouts.js';
import { blankRequest } from '../../src/sim/cluster.js';
import { RevisionDataplane } from '../../src/sim/dataplane/revision.js';
import { Engine } from '../../src/sim/engine.js';

interface Endpoint {
  name: string;
  ready: boolean;
  probed: boolean;
  terminating: boolean;
  probedIndex: number;
}

/** The data plane's private lists, read for the check. */
interface Lists {
  pods: Map<string, Endpoint>;
  podList: Endpoint[];
  servingList: Endpoint[];
  probedList: Endpoint[];
}

const hooks = { firstRequest() {}, completed() {}, held() {}, dispatched() {} };
const op = fc.record({
  op: fc.constantFrom('ready', 'ready', 'probe', 'probe', 'terminate', 'gone'),
  pod: fc.integer({ min: 0, max: 15 }),
});

describe('the data plane’s endpoint lists', () => {
  it('equal every pod filtered in order after each change', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 200 }), (steps) => {
        const dp = new RevisionDataplane(
          'r',
          1,
          revisionTimeouts({ timeoutSeconds: 300 }, 300),
          new Engine(),
          Math.random,
          hooks,
        );
        const lists = dp as unknown as Lists;
        const gone: Endpoint[] = [];
        for (const s of steps) {
          const name = `p${s.pod}`;
          if (s.op === 'ready') dp.podReady(name);
          else if (s.op === 'probe') dp.podProbed(name);
          else if (s.op === 'terminate') dp.podTerminating(name);
          else {
            const pod = lists.pods.get(name);
            if (pod) gone.push(pod);
            dp.podGone(name);
          }
          const all = [...lists.pods.values()];
          const names = (l: Endpoint[]) => l.map((p) => p.name);
          expect(names(lists.podList)).toEqual(names(all));
          expect(names(lists.servingList)).toEqual(names(all.filter((p) => p.ready && !p.terminating)));
          const probed = all.filter((p) => p.probed && !p.terminating);
          expect(names(lists.probedList)).toEqual(names(probed));
          for (const p of all) expect(p.probedIndex).toBe(probed.indexOf(p));
          for (const p of gone) expect(p.probedIndex).toBe(-1);
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** What the activator's round robin reads of a pod, and of the data plane. */
interface Balanced extends Endpoint {
  fromActivator: number;
}
interface Balancing {
  probedList: Balanced[];
  probedWithRoom: number;
  roundRobin: number;
  activatorInPath: boolean;
}

const trafficOp = fc.oneof(
  op,
  fc.record({ op: fc.constant('send' as const), pod: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ op: fc.constant('wait' as const), pod: fc.integer({ min: 1, max: 400 }) }),
);

describe('the activator’s round robin and first available', () => {
  it('counts the probed pods with room as a scan does, and picks the pod a scan picks', () => {
    fc.assert(
      fc.property(
        // 1–3: first available (src/model/dataplane.ts `activatorBalancing`); 4–6: round robin.
        fc.integer({ min: 1, max: 6 }),
        fc.array(trafficOp, { minLength: 20, maxLength: 120 }),
        (cc, steps) => {
          const engine = new Engine();
          const dp = new RevisionDataplane(
            'r',
            cc,
            revisionTimeouts({ timeoutSeconds: 300 }, 300),
            engine,
            Math.random,
            hooks,
          );
          const b = dp as unknown as Balancing & Lists;
          let id = 0;
          for (const s of steps) {
            // Few pods, so that most steps find several probed, some of them full.
            const name = `p${s.pod % 4}`;
            if (s.op === 'ready') dp.podReady(name);
            else if (s.op === 'probe') dp.podProbed(name);
            else if (s.op === 'terminate') dp.podTerminating(name);
            else if (s.op === 'gone') dp.podGone(name);
            else if (s.op === 'wait') engine.runUntil(engine.now() + s.pod);
            else {
              for (let i = 0; i < s.pod; i++) {
                // What a scan of the probed pods would pick (the round robin before the count was
                // kept; first available: the first in pod order with room).
                const withRoom = b.probedList.filter((p) => p.fromActivator < cc);
                const expected =
                  withRoom.length === 0 ? undefined : cc <= 3 ? withRoom[0] : withRoom[b.roundRobin % withRoom.length];
                const req = blankRequest();
                req.id = ++id;
                req.serviceMs = 50 + (id % 7) * 30;
                req.arrivedAt = engine.now();
                const before = expected ? expected.fromActivator : 0;
                dp.receive(req);
                if (expected && b.activatorInPath) expect(expected.fromActivator).toBe(before + 1);
              }
            }
            expect(b.probedWithRoom).toBe(b.probedList.filter((p) => p.fromActivator < cc).length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
