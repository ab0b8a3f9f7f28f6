/**
 * Objects at rest keep only their machine's persisted snapshot (src/sim/controllers/lifecycle.ts
 * `MachinesByObject`): a machine put to rest between events and started again from its persisted
 * snapshot must move, keep its context and emit exactly as one that ran all along, and a pending
 * timer must keep it running (and fire on time).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign, emit, setup } from 'xstate';
import type { KubeObject } from '../../src/model/api/types.js';
import { MachinesByObject, REST_AFTER_MS } from '../../src/sim/controllers/lifecycle.js';
import { Engine } from '../../src/sim/engine.js';

/** Counts, and when armed fires once after 5 ms: entry and exit actions and a timer, as the lifecycle machines have. */
const counter = setup({
  types: {
    context: {} as { count: number; entries: number },
    events: {} as { type: 'inc' } | { type: 'arm' } | { type: 'reset' },
    emitted: {} as { type: 'told'; text: string },
  },
  delays: { soon: 5 },
}).createMachine({
  id: 'counter',
  context: { count: 0, entries: 0 },
  initial: 'calm',
  states: {
    calm: {
      entry: [assign({ entries: ({ context }) => context.entries + 1 }), emit({ type: 'told', text: 'calm' })],
      exit: emit({ type: 'told', text: 'leaving calm' }),
      on: {
        inc: {
          actions: [
            assign({ count: ({ context }) => context.count + 1 }),
            emit(({ context }) => ({ type: 'told' as const, text: `count ${context.count + 1}` })),
          ],
        },
        arm: 'armed',
        reset: { target: 'calm', reenter: true, actions: assign({ count: 0 }) },
      },
    },
    armed: {
      after: { soon: { target: 'calm', actions: emit({ type: 'told', text: 'fired' }) } },
      on: { inc: { actions: assign({ count: ({ context }) => context.count + 10 }) } },
    },
  },
});

/** Whether the machine of `ns/name` keeps its full snapshot (not at rest). */
function running(machines: MachinesByObject<typeof counter>, key: string): boolean {
  const known = (machines as unknown as { machines: Map<string, { machine?: unknown }> }).machines.get(key);
  return known?.machine !== undefined;
}

/** The context of a machine, running or at rest. */
function contextOf(machines: MachinesByObject<typeof counter>, key: string): unknown {
  const known = (
    machines as unknown as {
      machines: Map<string, { machine?: { snapshot: { context: unknown } }; snapshot?: { context: unknown } }>;
    }
  ).machines.get(key);
  return known?.machine ? known.machine.snapshot.context : known?.snapshot?.context;
}

describe('MachinesByObject', () => {
  const obj = (uid: string): KubeObject =>
    ({ apiVersion: 'v1', kind: 'Thing', metadata: { name: 'a', namespace: 'ns', uid } }) as KubeObject;

  it('rests an object not reconciled for REST_AFTER_MS, restores it from its snapshot, and a new object of the same name afresh', () => {
    const engine = new Engine();
    // No look of its own at the resting machines: only reconciles rest them here.
    const timers = { now: () => engine.now(), at: () => undefined, clock: engine.clock };
    const machines = new MachinesByObject(
      counter,
      () => timers,
      () => () => {},
    );
    const send = (o: KubeObject, type: 'inc' | 'arm') =>
      machines.send(
        o,
        () => undefined,
        { type },
        () => {},
      );
    const other = { ...obj('9'), metadata: { name: 'b', namespace: 'ns', uid: '9' } } as KubeObject;
    send(obj('1'), 'inc');
    machines.reconciled(obj('1'), 0);
    // Another object's reconcile within the interval leaves it running; one after it rests it.
    send(other, 'inc');
    machines.reconciled(other, REST_AFTER_MS - 1);
    expect(running(machines, 'ns/a')).toBe(true);
    send(obj('1'), 'inc');
    machines.reconciled(obj('1'), 1);
    machines.reconciled(other, REST_AFTER_MS + 1);
    expect(running(machines, 'ns/a')).toBe(false);
    expect(contextOf(machines, 'ns/a')).toEqual({ count: 2, entries: 1 });
    send(obj('1'), 'inc');
    expect(running(machines, 'ns/a')).toBe(true);
    expect(contextOf(machines, 'ns/a')).toEqual({ count: 3, entries: 1 });
    machines.reconciled(obj('1'), REST_AFTER_MS + 1);
    // An armed machine (a timer pending) keeps its snapshot past the interval.
    send(obj('1'), 'arm');
    machines.reconciled(other, 3 * REST_AFTER_MS);
    expect(running(machines, 'ns/a')).toBe(true);
    // A new object of the name: a fresh machine, and the old one's timer is cleared.
    send(obj('2'), 'inc');
    expect(contextOf(machines, 'ns/a')).toEqual({ count: 1, entries: 1 });
    expect(engine.pending()).toBe(0);
  });
});

describe('MachinesByObject with the engine timers', () => {
  const thing = (name: string): KubeObject =>
    ({ apiVersion: 'v1', kind: 'Thing', metadata: { name, namespace: 'ns', uid: name } }) as KubeObject;

  /**
   * Reconciles objects at the given instants, then lets time run on with no reconcile at all (a
   * fleet gone quiet). Returns which objects still have a running actor at the end, and the
   * objects' contexts read through `of` (from the running actor or its snapshot).
   */
  function quiet(times: { name: string; at: number; op: 'inc' | 'arm' }[], looks: boolean) {
    const engine = new Engine();
    let queued = 0;
    const timers = {
      now: () => engine.now(),
      at: (atMs: number, fn: () => void) => {
        if (!looks) return undefined;
        // A look queued again and again at one instant would never let the clock move on.
        if (++queued > 1000) throw new Error(`more than 1000 looks queued, the last at ${atMs} ms`);
        return engine.at(atMs, fn);
      },
      clock: engine.clock,
    };
    const machines = new MachinesByObject(
      counter,
      () => timers,
      () => () => {},
    );
    for (const t of [...times].sort((a, b) => a.at - b.at)) {
      engine.runUntil(t.at);
      machines.send(
        thing(t.name),
        () => undefined,
        { type: t.op },
        () => {},
      );
      machines.reconciled(thing(t.name), engine.now());
    }
    engine.runUntil(engine.now() + 3 * REST_AFTER_MS);
    const names = [...new Set(times.map((t) => t.name))];
    const stillRunning = names.filter((name) => running(machines, `ns/${name}`));
    const contexts = names.map((name) => contextOf(machines, `ns/${name}`));
    return { stillRunning, contexts };
  }

  it('rests every machine once the fleet is quiet, keeping what a never-resting run keeps (fast-check)', () => {
    const step = fc.record({
      name: fc.constantFrom('a', 'b', 'c'),
      // Fractions of a millisecond, as simulated time has: a look queued at `at + 60 s` must find
      // the actor due then, or it would be queued again and again at the same instant.
      at: fc.double({ min: 0, max: 3 * REST_AFTER_MS, noNaN: true }),
      op: fc.constantFrom<'inc' | 'arm'>('inc', 'inc', 'arm'),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (times) => {
        const withTimers = quiet(times, true);
        const without = quiet(times, false);
        // Without the timers the last reconciled object is never rested: nothing comes after it.
        expect(without.stillRunning.length).toBeGreaterThan(0);
        expect(withTimers.stillRunning).toEqual([]);
        expect(withTimers.contexts).toEqual(without.contexts);
      }),
      {
        numRuns: 200,
        // The look queued at 97,515.60… ms for `b` (due at 99,364.02…) landed a rounding short of
        // its 60 s when it was queued as a delay from now.
        examples: [
          [
            [
              { name: 'a', at: 37515.60204830636, op: 'inc' },
              { name: 'b', at: 39364.019598000166, op: 'inc' },
            ],
          ],
        ],
      },
    );
  });
});
