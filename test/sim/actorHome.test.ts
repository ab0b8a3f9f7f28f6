/**
 * Pod actors as children of one home (src/sim/actors.ts `actorHome`, used by the Deployment
 * controller): sharing the home's actor system must not change what a pod's machine does or when,
 * a child reaching its final state must leave nothing behind, and a child's error must reach the
 * host as a root actor's would.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Actor, assign, createActor, setup } from 'xstate';
import { type PodInput, podMachine } from '../../src/model/machines/pod.js';
import { ActorFailures, actorHome } from '../../src/sim/actors.js';
import { Engine } from '../../src/sim/engine.js';

interface PodPlan {
  input: PodInput;
  /** When it is created, and when (if ever) deleted, after its creation. */
  createdAt: number;
  deleteAfter?: number;
  /** How many times the scheduler finds no node before it binds the pod. */
  unschedulable: number;
}

const planArb: fc.Arbitrary<PodPlan> = fc.record({
  input: fc.record({
    name: fc.constant('p'),
    revision: fc.constant('r'),
    schedulingMs: fc.integer({ min: 0, max: 50 }),
    creatingMs: fc.integer({ min: 0, max: 50 }),
    startupMs: fc.integer({ min: 0, max: 50 }),
    drainMs: fc.integer({ min: 0, max: 50 }),
  }),
  createdAt: fc.integer({ min: 0, max: 100 }),
  deleteAfter: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
  unschedulable: fc.integer({ min: 0, max: 2 }),
});

/** Runs the pods on one engine, each made by `make`; what they emitted, with the time, in order. */
function run(plans: PodPlan[], make: (engine: Engine, input: PodInput) => Actor<typeof podMachine>): string[] {
  const engine = new Engine();
  const seen: string[] = [];
  plans.forEach((plan, i) => {
    engine.at(plan.createdAt, () => {
      const actor = make(engine, { ...plan.input, name: `p${i}` });
      let misses = plan.unschedulable;
      actor.on('*', (e) => seen.push(`${engine.now()} p${i} ${JSON.stringify(e)}`));
      // The scheduler answers a tick later: no node fits `unschedulable` times (each retried
      // 3 ms later), then one does.
      const answer = () =>
        misses-- > 0
          ? actor.send({ type: 'pod.unschedulable', message: `miss ${misses}` })
          : actor.send({ type: 'pod.bound', node: 'n' });
      actor.on('schedule', () => engine.after(1, answer));
      actor.on('unschedulable', () => engine.after(3, answer));
      actor.on('pull', () => engine.after(2, () => actor.send({ type: 'pod.pulled' })));
      actor.start();
      if (plan.deleteAfter !== undefined) {
        engine.after(plan.deleteAfter, () => actor.send({ type: 'pod.delete', drainMs: plan.input.drainMs + 1 }));
      }
    });
  });
  engine.runUntil(10_000);
  return seen;
}

describe('pod actors in one home', () => {
  it('move and emit as root actors each with its own system do, at the same instants', () => {
    fc.assert(
      fc.property(fc.array(planArb, { minLength: 1, maxLength: 6 }), (plans) => {
        const failures = new ActorFailures();
        let home: ReturnType<typeof actorHome> | undefined;
        const children = run(plans, (engine, input) => {
          home ??= actorHome(engine.clock, failures);
          return createActor(podMachine, { parent: home, input });
        });
        const roots = run(plans, (engine, input) => createActor(podMachine, { clock: engine.clock, input }));
        expect(children).toEqual(roots);
        failures.throwIfAny();
        // Every pod that went is stopped, its timers gone from the shared scheduler.
        if (home && plans.every((p) => p.deleteAfter !== undefined)) {
          expect(Object.keys(home.system.getSnapshot()._scheduledEvents)).toEqual([]);
          expect(home.getSnapshot().status).toBe('active');
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a pod that reaches Gone stops: later events and timers do nothing', () => {
    const engine = new Engine();
    const home = actorHome(engine.clock, new ActorFailures());
    const input = { name: 'p', revision: 'r', schedulingMs: 5, creatingMs: 5, startupMs: 5, drainMs: 5 };
    const actor = createActor(podMachine, { parent: home, input });
    const phases: string[] = [];
    actor.on('phase', (e) => phases.push(e.phase));
    actor.start();
    actor.send({ type: 'pod.delete' });
    engine.runUntil(1_000);
    expect(phases).toEqual(['Pending', 'Terminating', 'Gone']);
    expect(actor.getSnapshot().status).toBe('done');
    expect(home.system.getSnapshot()._scheduledEvents).toEqual({});
    actor.send({ type: 'pod.bound', node: 'n' });
    expect(phases).toEqual(['Pending', 'Terminating', 'Gone']);
  });

  it("throws a child's error where the host checks, as a watched root actor's", () => {
    const failing = setup({ types: { events: {} as { type: 'go' } } }).createMachine({
      context: {},
      on: {
        go: {
          actions: assign(() => {
            throw new Error('rule failed');
          }),
        },
      },
    });
    const engine = new Engine();
    const failures = new ActorFailures();
    const home = actorHome(engine.clock, failures);
    const child = createActor(failing, { parent: home }).start();
    const sibling = createActor(podMachine, {
      parent: home,
      input: { name: 'p', revision: 'r', schedulingMs: 5, creatingMs: 5, startupMs: 5, drainMs: 5 },
    }).start();
    failures.throwIfAny();
    child.send({ type: 'go' });
    expect(() => failures.throwIfAny()).toThrow('rule failed');
    expect(sibling.getSnapshot().status).toBe('active');
  });
});
