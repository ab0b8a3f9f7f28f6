/**
 * Pod actors as children of homes (src/sim/actors.ts `actorHome` and `ActorHomes`, used by the
 * Deployment controller): sharing a home's actor system must not change what a pod's machine does
 * or when, however many homes the pods are spread over; a home's timer table holds the timers of
 * at most its size of children; a child reaching its final state must leave nothing behind, its
 * pending timers cancelled; and a child's error must reach the host as a root actor's would.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Actor, type AnyActorRef, assign, createActor, raise, setup } from 'xstate';
import { type PodInput, podMachine } from '../../src/model/machines/pod.js';
import { ActorFailures, ActorHomes, actorHome } from '../../src/sim/actors.js';
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
        // Spread over homes of `size` pods: the same again.
        for (const size of [1, 2, 3]) {
          let homes: ActorHomes | undefined;
          const spread = run(plans, (engine, input) => {
            homes ??= new ActorHomes(engine.clock, failures, size);
            return createActor(podMachine, { parent: homes.next(), input });
          });
          expect(spread).toEqual(roots);
        }
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

  it("homes of a size: a home's timer table holds the timers of at most that many children", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(planArb, { minLength: 1, maxLength: 16 }), (size, plans) => {
        const engine = new Engine();
        const homes = new ActorHomes(engine.clock, new ActorFailures(), size);
        const children = new Map<AnyActorRef, AnyActorRef[]>();
        plans.forEach((plan, i) => {
          engine.at(plan.createdAt, () => {
            const home = homes.next();
            const actor = createActor(podMachine, { parent: home, input: { ...plan.input, name: `p${i}` } });
            children.set(home, [...(children.get(home) ?? []), actor]);
            actor.start();
          });
        });
        // After every step, each home's pending timers come from its own children, at most `size`.
        while (engine.step()) {
          for (const [home, mine] of children) {
            expect(mine.length).toBeLessThanOrEqual(size);
            const sources = new Set(
              Object.values(home.system.getSnapshot()._scheduledEvents).map(
                (e) => (e as { source: AnyActorRef }).source,
              ),
            );
            for (const source of sources) expect(mine).toContain(source);
          }
        }
        expect(children.size).toBe(Math.ceil(plans.length / size));
      }),
      { numRuns: 100 },
    );
  });

  it("a child that stops with a timer pending: the timer is cancelled, in every home, and its siblings' fire", () => {
    // Each child raises `later` to itself 10 ms after it starts; `finish` before then stops it.
    const delayed = setup({ types: { events: {} as { type: 'later' } | { type: 'finish' } } }).createMachine({
      initial: 'waiting',
      entry: raise({ type: 'later' }, { delay: 10 }),
      states: {
        waiting: { on: { later: 'late', finish: 'done' } },
        late: {},
        done: { type: 'final' },
      },
    });
    const engine = new Engine();
    let fired = 0;
    // The homes' clock counts the timers that fire (as `ActorFailures.clock` wraps the engine's).
    const clock = {
      setTimeout: (fn: () => void, ms: number) =>
        engine.clock.setTimeout(() => {
          fired++;
          fn();
        }, ms),
      clearTimeout: (id: unknown) => engine.clock.clearTimeout(id),
    };
    const homes = new ActorHomes(clock, new ActorFailures(), 3);
    const actors = Array.from({ length: 10 }, () => createActor(delayed, { parent: homes.next() }).start());
    engine.at(5, () => {
      for (let i = 0; i < actors.length; i += 2) actors[i]!.send({ type: 'finish' });
    });
    engine.runUntil(100);
    expect(actors.map((a) => a.getSnapshot().status)).toEqual(actors.map((_, i) => (i % 2 === 0 ? 'done' : 'active')));
    expect(actors.filter((a) => a.getSnapshot().value === 'late')).toHaveLength(5);
    // Only the five still running had their timer fire; the stopped ones' were taken off the clock.
    expect(fired).toBe(5);
    expect(engine.pending()).toBe(0);
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
