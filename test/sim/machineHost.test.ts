/**
 * A machine run by the host (src/sim/machineHost.ts: XState's pure transition, no actor) against
 * the same machine run as an actor on the same kind of clock: fed the same random events and the
 * same waits (so the same timer firings), both must emit the same events at the same instants in
 * the same order, reach equal snapshots, and have the same timers pending. A thrown error inside
 * the machine must come out of the host's send.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { type AnyStateMachine, assign, createActor, emit, raise, setup } from 'xstate';
import type { Condition } from '../../src/model/api/types.js';
import { routeMachine } from '../../src/model/machines/route.js';
import { Engine } from '../../src/sim/engine.js';
import {
  type Hosted,
  type HostOptions,
  MachineHost,
  ownListener,
  RestingMachine,
  statusOf,
} from '../../src/sim/machineHost.js';

/** Entry and exit emits, a raise, an `after` left before it fires and one re-entered: what the lifecycle machines use. */
const counter = setup({
  types: {
    context: {} as { count: number },
    events: {} as { type: 'inc' } | { type: 'arm' } | { type: 'rearm' } | { type: 'calm' } | { type: 'bump' },
    emitted: {} as { type: 'told'; text: string },
  },
  delays: { soon: 5, later: 12 },
}).createMachine({
  id: 'counter',
  context: { count: 0 },
  initial: 'calm',
  entry: emit({ type: 'told', text: 'started' }),
  states: {
    calm: {
      entry: emit(({ context }) => ({ type: 'told' as const, text: `calm at ${context.count}` })),
      exit: emit({ type: 'told', text: 'leaving calm' }),
      on: {
        inc: { actions: [assign({ count: ({ context }) => context.count + 1 }), raise({ type: 'bump' })] },
        bump: { actions: emit(({ context }) => ({ type: 'told' as const, text: `bumped ${context.count}` })) },
        arm: 'armed',
      },
    },
    armed: {
      after: {
        soon: { target: 'calm', actions: emit({ type: 'told', text: 'fired soon' }) },
        later: { target: 'calm', actions: emit({ type: 'told', text: 'fired later' }) },
      },
      on: {
        inc: { actions: assign({ count: ({ context }) => context.count + 10 }) },
        rearm: { target: 'armed', reenter: true },
        calm: 'calm',
      },
    },
  },
});

type Op<E> = { send: E } | { wait: number };

interface Run {
  told: string[];
  steps: { value: unknown; context: unknown; timers: string[] }[];
}

/** The machine as an actor on an engine's clock. */
function asActor<E extends { type: string }>(machine: AnyStateMachine, input: unknown, ops: Op<E>[]): Run {
  const engine = new Engine();
  const told: string[] = [];
  const actor = createActor(machine, { clock: engine.clock, input });
  actor.on('*', (e) => told.push(`${engine.now()} ${JSON.stringify(e)}`));
  actor.start();
  const steps = ops.map((op) => {
    if ('send' in op) actor.send(op.send);
    else engine.runUntil(engine.now() + op.wait);
    const s = actor.getSnapshot();
    const scheduled = Object.values(actor.system.getSnapshot()._scheduledEvents) as { id: string }[];
    return { value: s.value, context: s.context, timers: scheduled.map((e) => e.id).sort() };
  });
  return { told, steps };
}

/** The machine through the host on an engine's clock. */
function hosted<E extends { type: string }>(
  machine: AnyStateMachine,
  input: unknown,
  ops: Op<E>[],
  tamper?: (host: MachineHost<AnyStateMachine>) => void,
  options?: HostOptions<AnyStateMachine>,
): Run {
  const engine = new Engine();
  const told: string[] = [];
  const listener = (e: unknown) => told.push(`${engine.now()} ${JSON.stringify(e)}`);
  const host = new MachineHost(
    machine,
    () => engine.clock,
    () => listener,
    options,
  );
  tamper?.(host);
  const h: Hosted<AnyStateMachine> = host.start({}, input);
  const steps = ops.map((op) => {
    if ('send' in op) host.send(h, op.send, listener);
    else engine.runUntil(engine.now() + op.wait);
    // No Map of timers kept while none is pending (≈ 180 bytes a machine at a fleet's start).
    if (h.timers !== undefined && h.timers.size === 0) throw new Error('an empty Map of timers kept');
    return { value: h.snapshot.value, context: h.snapshot.context, timers: [...(h.timers?.keys() ?? [])].sort() };
  });
  return { told, steps };
}

/**
 * One object for each of the counter's events, sent again and again (as hosts send their
 * constants): what lets a host with `repeatStill` repeat a transition.
 */
const COUNTER_EVENTS: Record<string, { type: string }> = Object.fromEntries(
  ['inc', 'arm', 'rearm', 'calm', 'bump'].map((type) => [type, Object.freeze({ type })]),
);

const counterOps = fc.array(
  fc.oneof(
    fc.constantFrom('inc', 'arm', 'rearm', 'calm', 'bump').map((type) => ({ send: COUNTER_EVENTS[type]! })),
    fc.integer({ min: 1, max: 15 }).map((wait) => ({ wait })),
  ),
  { maxLength: 40 },
);

const condition = fc.record({
  type: fc.constant('AllTrafficAssigned'),
  status: fc.constantFrom<Condition['status']>('True', 'False', 'Unknown'),
});

const routeOps = fc.array(
  fc.oneof(
    fc
      .record({
        traffic: fc.option(fc.constantFrom('[a]', '[b]', '[a,b]'), { nil: undefined }),
        allTrafficAssigned: condition,
        clusterLocal: fc.boolean(),
        at: fc.integer({ min: 0, max: 3 }),
      })
      .map(({ at, ...observed }) => ({
        send: { type: 'route.reconcile', previous: undefined, observed, nowIso: `2026-12-07T00:00:0${at}Z` },
      })),
    fc.integer({ min: 1, max: 1500 }).map((wait) => ({ wait })),
  ),
  { maxLength: 30 },
);
const routeInput = { name: 'r', ingressProgrammingMs: 1000 };

describe('MachineHost against an actor', () => {
  it('a machine with entry, exit, raise and after: same emits, snapshots and pending timers (fast-check)', () => {
    fc.assert(
      fc.property(counterOps, (ops) => {
        expect(hosted(counter, undefined, ops)).toEqual(asActor(counter, undefined, ops));
      }),
    );
  });

  it('repeating the transitions that leave the snapshot as it was (repeatStill): the same as the actor (fast-check)', () => {
    // Counts the host's sends to an active machine, and XState's transitions they took.
    const transitions = vi.spyOn(counter, 'transition');
    let sends = 0;
    const counting = (host: MachineHost<AnyStateMachine>) => {
      const send = host.send.bind(host);
      host.send = (h, e, l) => {
        if (statusOf(h.snapshot) === 'active') sends++;
        send(h, e, l);
      };
    };
    let repeated = 0;
    try {
      fc.assert(
        fc.property(counterOps, (ops) => {
          sends = 0;
          const before = transitions.mock.calls.length;
          const run = hosted(counter, undefined, ops, counting, { repeatStill: true });
          repeated += sends - (transitions.mock.calls.length - before);
          expect(run).toEqual(asActor(counter, undefined, ops));
        }),
      );
    } finally {
      transitions.mockRestore();
    }
    // Some transitions were in fact repeated without XState (a `bump`, a `rearm`, sent again).
    expect(repeated).toBeGreaterThan(0);
  });

  it("the Route's machine: same emits, snapshots and pending timers (fast-check)", () => {
    fc.assert(
      fc.property(routeOps, (ops) => {
        expect(hosted(routeMachine, routeInput, ops)).toEqual(asActor(routeMachine, routeInput, ops));
      }),
    );
  });

  it('a RestingMachine put to rest at random moments: same emits, snapshots and timers as the actor (fast-check)', () => {
    const withRests = fc.array(
      fc.oneof(
        fc.constantFrom('inc', 'arm', 'rearm', 'calm', 'bump').map((type) => ({ send: { type } })),
        fc.integer({ min: 1, max: 15 }).map((wait) => ({ wait })),
        fc.constant({ rest: true as const }),
      ),
      { maxLength: 40 },
    );
    let rested = 0;
    fc.assert(
      fc.property(withRests, (ops) => {
        const engine = new Engine();
        const told: string[] = [];
        const host = new MachineHost(counter, () => engine.clock, ownListener);
        const m = new RestingMachine(host, undefined, (e) => told.push(`${engine.now()} ${JSON.stringify(e)}`));
        const steps = ops.map((op) => {
          if ('rest' in op) {
            m.rest();
            if (!(m as unknown as { hosted?: unknown }).hosted) rested++;
          } else if ('send' in op) m.send(op.send as { type: 'inc' });
          else engine.runUntil(engine.now() + op.wait);
          const s = m.snapshot();
          const hosted = (m as unknown as { hosted?: Hosted<typeof counter> }).hosted;
          return { value: s.value, context: s.context, timers: [...(hosted?.timers?.keys() ?? [])].sort() };
        });
        const plain = ops.filter((op) => !('rest' in op)) as Op<{ type: string }>[];
        const actor = asActor(counter, undefined, plain);
        expect(told).toEqual(actor.told);
        expect(steps.filter((_, i) => !('rest' in ops[i]!))).toEqual(actor.steps);
      }),
    );
    // Some machines were in fact put to rest (and restored) on the way.
    expect(rested).toBeGreaterThan(0);
  });

  it('differs from the actor when a cancel is dropped (the oracle sees a broken host)', () => {
    const ops: Op<{ type: string }>[] = [{ send: { type: 'arm' } }, { send: { type: 'calm' } }, { wait: 20 }];
    const dropCancel = (host: MachineHost<AnyStateMachine>) => {
      (host as unknown as { cancel: () => void }).cancel = () => {};
    };
    expect(hosted(counter, undefined, ops)).toEqual(asActor(counter, undefined, ops));
    expect(hosted(counter, undefined, ops, dropCancel)).not.toEqual(asActor(counter, undefined, ops));
  });

  it('a guard that throws throws out of send and leaves the snapshot as it was', () => {
    const failing = setup({
      types: { events: {} as { type: 'go' } },
      guards: {
        broken: () => {
          throw new Error('rule broke');
        },
      },
    }).createMachine({
      initial: 'a',
      states: { a: { on: { go: { guard: 'broken', target: 'b' } } }, b: {} },
    });
    const engine = new Engine();
    const host = new MachineHost(
      failing,
      () => engine.clock,
      () => () => {},
    );
    const h = host.start({}, undefined);
    const before = h.snapshot;
    expect(() => host.send(h, { type: 'go' }, () => {})).toThrow('rule broke');
    expect(h.snapshot).toBe(before);
  });

  it("a listener's error comes out of send after the transition's other effects", () => {
    const engine = new Engine();
    const host = new MachineHost(
      counter,
      () => engine.clock,
      () => () => {},
    );
    const h = host.start({}, undefined);
    const told: string[] = [];
    expect(() =>
      host.send(h, { type: 'arm' }, (e) => {
        told.push(e.text);
        throw new Error('listener broke');
      }),
    ).toThrow('listener broke');
    expect(told).toEqual(['leaving calm']);
    expect([...(h.timers?.keys() ?? [])].length).toBe(2);
  });
});
