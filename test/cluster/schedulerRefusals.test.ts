/**
 * The simulated scheduler's answers in a full cluster (src/sim/nodes/scheduler.ts): every answer
 * must be the one the model's rule gives from scratch, placements and FitError messages alike,
 * through pods that come and go, nodes cordoned and uncordoned, and pods that ask more, less or
 * elsewhere. (It also guarded a memo of the last refusal, since taken out: see
 * docs/performance.md, "A pod's life, cheaper".)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultNodeGroup } from '../../src/model/cluster/nodes.js';
import { podDemand, schedulePod } from '../../src/model/cluster/scheduler.js';
import { Engine } from '../../src/sim/engine.js';
import { Scheduler } from '../../src/sim/nodes/scheduler.js';
import { NodeState } from '../../src/sim/nodes/state.js';

function stream(seed: number) {
  let x = seed;
  return () => {
    x = (x * 16807) % 2147483647;
    return x / 2147483647;
  };
}

const ZONE_A = { zone: 'a' };
/** What pods ask: two sizes, a large CPU ask, one pinned to zone a (the same selector object, as a revision's pods share it). */
const ASKS = [
  podDemand([{ cpuMillis: 100, memoryBytes: 2 ** 20 }], { images: ['img'] }),
  podDemand([{ cpuMillis: 100, memoryBytes: 2 ** 20 }], { images: ['img'] }),
  podDemand([{ cpuMillis: 30_000, memoryBytes: 2 ** 20 }], { images: ['img'] }),
  podDemand([{ cpuMillis: 100, memoryBytes: 2 ** 20 }], { images: ['img'], nodeSelector: ZONE_A }),
];

const ops = fc.array(
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({ op: fc.constant('schedule' as const), ask: fc.integer({ min: 0, max: ASKS.length - 1 }) }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('release' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('cordon' as const), pick: fc.nat(), on: fc.boolean() }) },
  ),
  { minLength: 1, maxLength: 150 },
);

describe('the scheduler’s repeated refusals', () => {
  it('answer every pod as the model does from scratch (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1, max: 4 }), ops, (seed, n, steps) => {
        // Room for 4 pods a node besides the 13 the default node reserves: most attempts fail.
        const group = { ...defaultNodeGroup(), cpuMillis: 64_000, memoryBytes: 2 ** 38, pods: 17 };
        const nodes = Array.from(
          { length: n },
          (_, i) =>
            new NodeState(`n${i}`, { ...group, labels: { zone: i % 2 ? 'b' : 'a' } }, `10.0.0.${i}`, i, i === 0, 0),
        );
        const scheduler = new Scheduler(new Engine(), () => nodes, stream(seed));
        const oracle = stream(seed);
        const owners = new Map<string, string>();
        const bound: string[] = [];
        let id = 0;
        let refusals = 0;
        for (const s of steps) {
          if (s.op === 'release') {
            if (bound.length === 0) continue;
            const [key] = bound.splice(s.pick % bound.length, 1);
            scheduler.release(key!);
            owners.delete(key!);
            continue;
          }
          if (s.op === 'cordon') {
            nodes[s.pick % nodes.length]!.unschedulable = s.on;
            continue;
          }
          const key = `default/p${id++}`;
          const owner = `rs${s.ask % 2}`;
          const demand = ASKS[s.ask]!;
          const siblings = new Map<string, number>();
          for (const node of nodes) {
            let k = 0;
            for (const p of node.pods.keys()) if (owners.get(p) === owner) k++;
            if (k > 0) siblings.set(node.name, k);
          }
          const want = schedulePod({ ...demand, siblingsByNode: siblings }, nodes, oracle);
          let got: string | undefined;
          let message: string | undefined;
          scheduler.schedule({
            key,
            owner,
            demand: { ...demand },
            bound: (node) => {
              got = node.name;
            },
            unschedulable: (m) => {
              message = m;
            },
          });
          if (want.scheduled) {
            expect(got).toBe(want.node);
            expect(message).toBeUndefined();
            owners.set(key, owner);
            bound.push(key);
          } else {
            expect(got).toBeUndefined();
            expect(message).toBe(want.message);
            refusals++;
            scheduler.release(key);
          }
        }
        return refusals >= 0;
      }),
      { numRuns: 300 },
    );
  });
});
