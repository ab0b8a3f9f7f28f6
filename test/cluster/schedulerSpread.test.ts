/**
 * The simulated scheduler keeps how many pods of each owner every node holds as pods bind and
 * leave (the spread it scores), instead of going through every node's pods per attempt: its
 * choices must be the ones the model's rule makes with the siblings counted from scratch.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultNodeGroup } from '../../src/model/cluster/nodes.js';
import { podDemand, schedulePod } from '../../src/model/cluster/scheduler.js';
import { Engine } from '../../src/sim/engine.js';
import { Scheduler } from '../../src/sim/nodes/scheduler.js';
import { NodeState } from '../../src/sim/nodes/state.js';

/** Park–Miller, so the scheduler and the oracle can draw the same ties. */
function stream(seed: number) {
  let x = seed;
  return () => {
    x = (x * 16807) % 2147483647;
    return x / 2147483647;
  };
}

const ops = fc.array(
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({ op: fc.constant('schedule' as const), owner: fc.integer({ min: 0, max: 2 }) }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('release' as const), pick: fc.nat() }) },
  ),
  { minLength: 1, maxLength: 120 },
);

describe('the scheduler’s spread of an owner’s pods', () => {
  it('places each pod where the rule does with siblings counted over every bound pod', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 2, max: 5 }), ops, (seed, n, steps) => {
        // Room for 12 pods a node (besides the 13 the default node reserves): some attempts fail.
        const group = { ...defaultNodeGroup(), cpuMillis: 64_000, memoryBytes: 2 ** 38, pods: 25 };
        const nodes = Array.from({ length: n }, (_, i) => new NodeState(`n${i}`, group, `10.0.0.${i}`, i, i === 0, 0));
        const scheduler = new Scheduler(new Engine(), () => nodes, stream(seed));
        const oracle = stream(seed);
        const owners = new Map<string, string>();
        const bound: string[] = [];
        const demand = podDemand([{ cpuMillis: 100, memoryBytes: 2 ** 20 }], { images: ['img'] });
        let id = 0;
        let placed = 0;
        for (const s of steps) {
          if (s.op === 'release') {
            if (bound.length === 0) continue;
            const [key] = bound.splice(s.pick % bound.length, 1);
            scheduler.release(key!);
            owners.delete(key!);
            continue;
          }
          const key = `default/p${id++}`;
          const owner = `rs${s.owner}`;
          // The oracle: siblings counted over every node's pods, then the model's rule.
          const siblings = new Map<string, number>();
          for (const node of nodes) {
            let k = 0;
            for (const p of node.pods.keys()) if (owners.get(p) === owner) k++;
            if (k > 0) siblings.set(node.name, k);
          }
          const want = schedulePod({ ...demand, siblingsByNode: siblings }, nodes, oracle);
          let got: string | undefined;
          let refused = false;
          scheduler.schedule({
            key,
            owner,
            demand,
            bound: (node) => {
              got = node.name;
            },
            unschedulable: () => {
              refused = true;
            },
          });
          if (want.scheduled) {
            placed++;
            expect(got).toBe(want.node);
            owners.set(key, owner);
            bound.push(key);
          } else {
            expect(refused).toBe(true);
            scheduler.release(key);
          }
        }
        return placed > 0 || steps.every((s) => s.op === 'release');
      }),
      { numRuns: 200 },
    );
  });
});
