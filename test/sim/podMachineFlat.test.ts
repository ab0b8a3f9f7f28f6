/**
 * The pod machine keeps its states on one level (src/model/machines/pod.ts): cheaper for XState
 * to move through, a dozen transitions and timers a pod. It must do what the nested version
 * (test/sim/podMachineNested.ts, the machine as first written) does: the same events emitted at
 * the same instants in the same order, and the same phase read from its snapshot after each.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyActorLogic, createActor } from 'xstate';
import { type PodInput, podMachine, podPhaseOf } from '../../src/model/machines/pod.js';
import { ActorFailures } from '../../src/sim/actors.js';
import { Engine } from '../../src/sim/engine.js';
import { actorHome } from './actorHome.js';
import { nestedPhaseOf, nestedPodMachine } from './podMachineNested.js';

interface PodPlan {
  input: PodInput;
  createdAt: number;
  /** After its creation; and again (a second deletion) `again` ms later. */
  deleteAfter?: number;
  again?: number;
  /** How many times no node fits before one does; and a late answer after binding. */
  unschedulable: number;
  late: boolean;
}

const planArb: fc.Arbitrary<PodPlan> = fc.record({
  input: fc.record({
    name: fc.constant('p'),
    revision: fc.constant('r'),
    schedulingMs: fc.integer({ min: 0, max: 40 }),
    creatingMs: fc.integer({ min: 0, max: 40 }),
    startupMs: fc.integer({ min: 0, max: 40 }),
    drainMs: fc.integer({ min: 0, max: 40 }),
  }),
  createdAt: fc.integer({ min: 0, max: 60 }),
  deleteAfter: fc.option(fc.integer({ min: 0, max: 160 }), { nil: undefined }),
  again: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
  unschedulable: fc.integer({ min: 0, max: 3 }),
  late: fc.boolean(),
});

/** Runs the pods of one machine on one engine, as children of one home: what each emitted, when, and its phase then. */
function run(
  machine: AnyActorLogic,
  phaseOf: (snapshot: { value: unknown }) => string,
  plans: PodPlan[],
  withDrain: boolean,
): string[] {
  const engine = new Engine();
  const failures = new ActorFailures();
  const home = actorHome(engine.clock, failures);
  const seen: string[] = [];
  const actors: { getSnapshot(): { value: unknown; status: string } }[] = [];
  plans.forEach((plan, i) => {
    engine.at(plan.createdAt, () => {
      const actor = createActor(machine, { parent: home, input: { ...plan.input, name: `p${i}` } });
      let misses = plan.unschedulable;
      actors.push(actor);
      actor.on('*', (e: unknown) => seen.push(`${engine.now()} p${i} ${JSON.stringify(e)}`));
      const answer = () =>
        misses-- > 0
          ? actor.send({ type: 'pod.unschedulable', message: `miss ${misses}` })
          : actor.send({ type: 'pod.bound', node: 'n' });
      actor.on('schedule', () => engine.after(1, answer));
      actor.on('unschedulable', () => engine.after(3, answer));
      actor.on('pull', () => {
        engine.after(2, () => actor.send({ type: 'pod.pulled' }));
        // Answers that come after the pod moved on are dropped alike.
        if (plan.late) engine.after(1, () => actor.send({ type: 'pod.unschedulable', message: 'late' }));
      });
      actor.start();
      const del = () =>
        actor.send(withDrain ? { type: 'pod.delete', drainMs: plan.input.drainMs + 1 } : { type: 'pod.delete' });
      if (plan.deleteAfter !== undefined) {
        engine.after(plan.deleteAfter, del);
        if (plan.again !== undefined) engine.after(plan.deleteAfter + plan.again, del);
      }
    });
  });
  // Each pod's phase (as its snapshot says) after every millisecond.
  for (let t = 0; t <= 400; t++) {
    engine.runUntil(t);
    seen.push(`${t}: ${actors.map((a) => `${phaseOf(a.getSnapshot())} ${a.getSnapshot().status}`).join(', ')}`);
  }
  engine.runUntil(10_000);
  failures.throwIfAny();
  seen.push(`scheduled left: ${Object.keys(home.system.getSnapshot()._scheduledEvents).length}`);
  return seen;
}

describe('the pod machine on one level', () => {
  it('emits what the nested machine emits, at the same instants, in the same phases (property)', () => {
    fc.assert(
      fc.property(fc.array(planArb, { minLength: 1, maxLength: 6 }), fc.boolean(), (plans, withDrain) => {
        expect(run(podMachine, podPhaseOf, plans, withDrain)).toEqual(
          run(nestedPodMachine, nestedPhaseOf, plans, withDrain),
        );
      }),
      { numRuns: 300 },
    );
  });
});
