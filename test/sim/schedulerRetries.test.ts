/**
 * The simulated scheduler keeps when the earliest waiting pod's backoff is over, instead of
 * going through every waiting pod each time a bound pod leaves (src/sim/nodes/scheduler.ts,
 * `clusterChanged`). Oracle: the same scheduler with `clusterChanged` as it was written first
 * (every waiting pod, each time), driven by the same steps on an engine of its own: every answer
 * (bound where, or refused with which message) must come at the same simulated time, and the
 * next retry must be asked for at the same time after every step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultNodeGroup } from '../../src/model/cluster/nodes.js';
import { podDemand } from '../../src/model/cluster/scheduler.js';
import { Engine } from '../../src/sim/engine.js';
import { backoffMs, Scheduler } from '../../src/sim/nodes/scheduler.js';
import { NodeState } from '../../src/sim/nodes/state.js';

function stream(seed: number) {
  let x = seed;
  return () => {
    x = (x * 16807) % 2147483647;
    return x / 2147483647;
  };
}

interface Waiting {
  attempts: number;
  lastAttempt: number;
}

/** The plain `clusterChanged`: the earliest backoff's end over every waiting pod, each time. */
function plainClusterChanged(this: unknown): void {
  const self = this as {
    waiting: Map<string, Waiting>;
    engine: Engine;
    retryNoEarlierThan(at: number): void;
  };
  if (self.waiting.size === 0) return;
  let earliest = Number.POSITIVE_INFINITY;
  for (const w of self.waiting.values()) earliest = Math.min(earliest, w.lastAttempt + backoffMs(w.attempts));
  self.retryNoEarlierThan(Math.max(self.engine.now(), earliest));
}

const ops = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('schedule' as const), again: fc.nat() }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('release' as const), pick: fc.nat() }) },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('wait' as const),
        ms: fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 12_000 })),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('join' as const) }) },
  ),
  { minLength: 1, maxLength: 150 },
);

type Step =
  | { op: 'schedule'; again: number }
  | { op: 'release'; pick: number }
  | { op: 'wait'; ms: number }
  | { op: 'join' };

/** One scheduler driven by `steps`: what it answered, with when. */
function run(seed: number, steps: readonly Step[], plain: boolean): string[] {
  const engine = new Engine();
  // Room for 3 pods a node besides the 13 the default node reserves: most attempts fail.
  const group = { ...defaultNodeGroup(), cpuMillis: 64_000, memoryBytes: 2 ** 38, pods: 16 };
  const nodes = [new NodeState('n0', group, '10.0.0.0', 0, true, 0)];
  const scheduler = new Scheduler(engine, () => nodes, stream(seed));
  if (plain) (scheduler as unknown as { clusterChanged(): void }).clusterChanged = plainClusterChanged;
  const demand = podDemand([{ cpuMillis: 100, memoryBytes: 2 ** 20 }], { images: ['img'] });
  const said: string[] = [];
  const keys: string[] = [];
  let id = 0;
  for (const step of steps) {
    if (step.op === 'schedule') {
      // A new pod, or one asked for again (its machine's own retry).
      const key = step.again % 3 === 0 && keys.length > 0 ? keys[step.again % keys.length]! : `default/p${id++}`;
      if (!keys.includes(key)) keys.push(key);
      scheduler.schedule({
        key,
        owner: 'rs',
        demand,
        bound: (node) => said.push(`${engine.now()} ${key} bound to ${node.name}`),
        unschedulable: (message) => said.push(`${engine.now()} ${key} refused: ${message}`),
      });
    } else if (step.op === 'release') {
      if (keys.length === 0) continue;
      const [key] = keys.splice(step.pick % keys.length, 1);
      scheduler.release(key!);
    } else if (step.op === 'wait') {
      engine.runUntil(engine.now() + step.ms);
    } else {
      const n = nodes.length;
      nodes.push(new NodeState(`n${n}`, group, `10.0.0.${n}`, n, false, engine.now()));
      scheduler.clusterChanged();
    }
    // When the next retry is asked for: a retry asked for too early answers the same, but it is
    // an engine event more, which moves the order of the events after it.
    said.push(`retry at ${(scheduler as unknown as { retryAt: number }).retryAt}`);
  }
  // Past every backoff and the 5-minute flush.
  engine.runUntil(engine.now() + 700_000);
  return said;
}

describe('the scheduler’s retries of waiting pods', () => {
  it('come when they came with every waiting pod looked at each time (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), ops, (seed, steps) => {
        const got = run(seed, steps, false);
        const want = run(seed, steps, true);
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('asks for the next retry when the earliest waiting pod left', () => {
    // Three pods fill the node; p3 waits (until 1 s), p4 too (until 1.5 s); p3 leaves; at 1.1 s
    // a bound pod leaves: the next retry is p4's, at 1.5 s, not at once for p3's.
    const steps: Step[] = [
      { op: 'schedule', again: 1 },
      { op: 'schedule', again: 1 },
      { op: 'schedule', again: 1 },
      { op: 'schedule', again: 1 },
      { op: 'wait', ms: 500 },
      { op: 'schedule', again: 1 },
      { op: 'release', pick: 3 },
      { op: 'wait', ms: 600 },
      { op: 'release', pick: 0 },
    ];
    expect(run(1, steps, false)).toEqual(run(1, steps, true));
  });

  it('asks for the next retry when the earliest waiting pod failed again', () => {
    // p3 waits (until 1 s); p0 leaves and p4 takes its place; p3's retry at 1 s fails (next at
    // 3 s); at 1.5 s a bound pod leaves: the next retry is at 3 s.
    const steps: Step[] = [
      { op: 'schedule', again: 1 },
      { op: 'schedule', again: 1 },
      { op: 'schedule', again: 1 },
      { op: 'schedule', again: 1 },
      { op: 'release', pick: 0 },
      { op: 'schedule', again: 1 },
      { op: 'wait', ms: 1000 },
      { op: 'wait', ms: 500 },
      { op: 'release', pick: 0 },
    ];
    expect(run(1, steps, false)).toEqual(run(1, steps, true));
  });

  it('asks for the next retry when the earliest waiting pod was asked for again', () => {
    // p3 waits (until 1 s); at 0.5 s its machine asks again and it fails (next at 2.5 s); at 1.1 s
    // a bound pod leaves: the next retry is at 2.5 s.
    const steps: Step[] = [
      { op: 'schedule', again: 1 },
      { op: 'schedule', again: 1 },
      { op: 'schedule', again: 1 },
      { op: 'schedule', again: 1 },
      { op: 'wait', ms: 500 },
      { op: 'schedule', again: 3 },
      { op: 'wait', ms: 600 },
      { op: 'release', pick: 0 },
    ];
    expect(run(1, steps, false)).toEqual(run(1, steps, true));
  });
});
