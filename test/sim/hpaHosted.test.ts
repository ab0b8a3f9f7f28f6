/**
 * The HPA's machine (src/model/machines/hpa.ts) run as src/sim/controllers/hpa.ts runs it (no
 * actor: src/sim/machineHost.ts on the engine's clock, the observation it asks for sent once the
 * transition that asked is over) against the same machine as an actor (whose mailbox takes that
 * observation after the transition): fed the same observations at the same syncs, both must emit
 * the same syncs at the same instants in the same engine order, and move through the same states.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { HpaPod } from '../../src/model/hpa/replicas.js';
import { HPA_SYNC_PERIOD_MS, hpaInputsFor, hpaSpec } from '../../src/model/hpa/spec.js';
import {
  type HpaEmitted,
  type HpaMachineEvent,
  type HpaObservation,
  hpaMachine,
} from '../../src/model/machines/hpa.js';
import { Engine } from '../../src/sim/engine.js';
import { MachineHost, ownListener, ownSettled, RestingMachine } from '../../src/sim/machineHost.js';

const SPEC = hpaSpec(hpaInputsFor({}, { minScale: 0, maxScale: 0 }, 'd'));

/** The cluster as the HPA sees it at its n-th sync: `pods` pods using `usage[n]` millicores of 100 requested. */
function observation(n: number, usage: number[], pods: number, nowMs: number): HpaObservation {
  const list: HpaPod[] = Array.from({ length: pods }, (_, i) => ({
    name: `p${i}`,
    phase: 'Running',
    deleting: false,
    ready: { status: true, sinceMs: 0 },
    startMs: 0,
    requests: [{ container: 'user-container', value: 100 }],
    metric: { value: usage[n % usage.length]!, timestampMs: nowMs, windowMs: 15_000 },
  }));
  return { spec: SPEC, currentReplicas: pods, previousDesired: pods, pods: list, nowMs };
}

interface Case {
  usage: number[];
  pods: number;
  /** Waits between looks at the machine; `stop` sends `hpa.stop` after that wait. */
  steps: { waitMs: number; stop: boolean }[];
}

/** What the controller does with what the machine emits, traced: its syncs and a timer it sets in each. */
function controller(engine: Engine, seen: string[], c: Case, reply: (e: HpaMachineEvent) => void) {
  let syncs = 0;
  return (e: HpaEmitted): void => {
    if (e.type === 'observe') {
      seen.push(`observe ${engine.now()} #${engine.delivered}`);
      // The store writes of a sync queue reconciles on the engine: their place in its order counts.
      engine.after(1000, () => seen.push(`after-observe ${engine.now()} #${engine.delivered}`));
      reply({ type: 'hpa.observed', observation: observation(syncs++, c.usage, c.pods, engine.now()) });
    } else {
      seen.push(`synced ${engine.now()} ${e.sync.mode} ${JSON.stringify(e.sync.desiredReplicas)} #${engine.delivered}`);
      // A timer due with the next sync: which of the two comes first shows which was set first.
      engine.after(HPA_SYNC_PERIOD_MS, () => seen.push(`after-sync ${engine.now()} #${engine.delivered}`));
    }
  };
}

function asActor(c: Case): string[] {
  const engine = new Engine();
  const seen: string[] = [];
  const actor = createActor(hpaMachine, { clock: engine.clock, input: { name: 'r' } });
  const listener = controller(engine, seen, c, (e) => actor.send(e));
  actor.on('*', listener);
  actor.start();
  for (const step of c.steps) {
    engine.runUntil(engine.now() + step.waitMs);
    if (step.stop) actor.send({ type: 'hpa.stop' });
    const s = actor.getSnapshot();
    seen.push(`${engine.now()} ${JSON.stringify(s.value)} pending=${engine.pending()}`);
  }
  return seen;
}

function hosted(c: Case, deferred = true): string[] {
  const engine = new Engine();
  const seen: string[] = [];
  let toMachine: HpaMachineEvent | undefined;
  const settle = () => {
    const e = toMachine;
    toMachine = undefined;
    if (e) machine!.send(e);
  };
  const host = new MachineHost(hpaMachine, () => engine.clock, ownListener, { settled: ownSettled });
  const listener = controller(engine, seen, c, (e) => {
    // Sent at once (but the first, asked for by the machine's start, before there is one to send to).
    if (deferred || !machine) toMachine = e;
    else machine.send(e);
  });
  let machine: RestingMachine<typeof hpaMachine> | undefined;
  machine = new RestingMachine(host, { name: 'r' }, listener, settle);
  settle();
  for (const step of c.steps) {
    engine.runUntil(engine.now() + step.waitMs);
    if (step.stop) machine.send({ type: 'hpa.stop' });
    seen.push(`${engine.now()} ${JSON.stringify(machine.snapshot().value)} pending=${engine.pending()}`);
  }
  return seen;
}

const cases = fc.record({
  usage: fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 8 }),
  pods: fc.integer({ min: 1, max: 4 }),
  steps: fc.array(
    fc.record({
      waitMs: fc.oneof(fc.integer({ min: 0, max: 60_000 }), fc.constantFrom(0, 15_000, 30_000)),
      stop: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    }),
    { maxLength: 10 },
  ),
});

describe('the HPA machine without an actor', () => {
  it('syncs, scales and stops as the actor does, at the same instants in the same engine order (fast-check)', () => {
    fc.assert(
      fc.property(cases, (c) => {
        expect(hosted(c)).toEqual(asActor(c));
      }),
      { numRuns: 200 },
    );
  });

  it('differs from the actor when the observation is sent from inside the transition that asked for it', () => {
    const c: Case = { usage: [50, 300], pods: 2, steps: [{ waitMs: 40_000, stop: false }] };
    expect(hosted(c)).toEqual(asActor(c));
    expect(hosted(c, false)).not.toEqual(asActor(c));
  });
});
