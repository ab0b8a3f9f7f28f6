/**
 * Remembered transitions (src/sim/transitionPlans.ts) against XState's own: the same machine is
 * taken through the same random events (and the delayed events its `after`s set, fired in any
 * order) once by `machine.transition` / `getInitialSnapshot` and once by the plans; after every
 * step both snapshots must be equal (state, status, context, state nodes, tags, children,
 * history, output, their fields in the same order) and the actions handed to the executor the
 * same, in the same order, with the same parameters. The plans are shared across runs, so most
 * runs replay what earlier runs taught them; a count of replays shows they did.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AnyActorScope,
  type AnyStateMachine,
  and,
  assign,
  cancel,
  type ExecutableActionObject,
  emit,
  raise,
  setup,
} from 'xstate';
import { podMachine } from '../../src/model/machines/pod.js';
import { inertActorScope } from '../../src/sim/machineHost.js';
import { TransitionPlans } from '../../src/sim/transitionPlans.js';

function scopeInto(out: { actions: ExecutableActionObject[] }): AnyActorScope {
  return inertActorScope((action) => {
    out.actions.push(action);
  });
}

/** XState's own transitions, and the plans, each with its own scope. */
class Pair {
  private readonly xstateOut = { actions: [] as ExecutableActionObject[] };
  private readonly xstateScope = scopeInto(this.xstateOut);
  private readonly planOut = { actions: [] as ExecutableActionObject[] };
  readonly plans: TransitionPlans;
  /** How many transitions threw (in XState and in the plans alike). */
  thrown = 0;

  constructor(readonly machine: AnyStateMachine) {
    this.plans = new TransitionPlans(machine, scopeInto(this.planOut));
  }

  initial(input: unknown): [unknown, unknown] {
    this.xstateOut.actions = [];
    this.planOut.actions = [];
    const a = this.machine.getInitialSnapshot(this.xstateScope, input);
    const b = this.plans.initial(input, this.planOut.actions);
    return this.compare(a, b);
  }

  transition(snapshots: [unknown, unknown], event: { type: string }): [unknown, unknown] {
    this.xstateOut.actions = [];
    this.planOut.actions = [];
    let a: unknown;
    let thrown: unknown;
    try {
      a = this.machine.transition(snapshots[0] as never, event as never, this.xstateScope);
    } catch (err) {
      thrown = err;
    }
    if (thrown !== undefined) {
      // XState's own error (a guard's, with its words), from the plans too.
      this.thrown++;
      expect(() => this.plans.transition(snapshots[1], event, this.planOut.actions)).toThrow((thrown as Error).message);
      return snapshots;
    }
    const b = this.plans.transition(snapshots[1], event, this.planOut.actions);
    return this.compare(a, b);
  }

  /** Both results equal, field by field; the actions by type and parameters. Returns both. */
  private compare(a: unknown, b: unknown): [unknown, unknown] {
    expect(Object.keys(b as object)).toEqual(Object.keys(a as object));
    expect(view(b)).toEqual(view(a));
    expect(this.planOut.actions.map(act)).toEqual(this.xstateOut.actions.map(act));
    return [a, b];
  }
}

function view(s: unknown) {
  const snap = s as {
    value: unknown;
    status: string;
    context: unknown;
    output: unknown;
    error: unknown;
    children: object;
    historyValue: object;
    tags: Set<string>;
    _nodes: { id: string }[];
  };
  return {
    value: snap.value,
    status: snap.status,
    context: snap.context,
    output: snap.output,
    error: snap.error,
    children: Object.keys(snap.children),
    historyValue: snap.historyValue,
    tags: [...snap.tags],
    nodes: snap._nodes.map((n) => n.id),
  };
}

function act(a: ExecutableActionObject) {
  return { type: a.type, params: a.params };
}

/** The delayed events set and not cancelled, by id (what a clock holds). */
function pendingAfter(actions: ExecutableActionObject[], pending: Map<string, { type: string }>): void {
  for (const a of actions) {
    const p = a.params as { event?: { type: string }; id?: string; delay?: number; sendId?: string };
    if (a.type === 'xstate.raise' && typeof p.delay === 'number') pending.set(p.id!, p.event!);
    if (a.type === 'xstate.cancel') pending.delete(p.sendId!);
  }
}

/** One walk: events from `events`, or (`fire`) a pending delayed event, chosen by the numbers. */
function walk(
  pair: Pair,
  input: unknown,
  steps: { fire: boolean; pick: number }[],
  events: { type: string }[][],
): void {
  const xstateActions = (pair as unknown as { xstateOut: { actions: ExecutableActionObject[] } }).xstateOut;
  let snaps = pair.initial(input);
  const pending = new Map<string, { type: string }>();
  pendingAfter(xstateActions.actions, pending);
  for (const [i, step] of steps.entries()) {
    if ((snaps[0] as { status: string }).status !== 'active') return;
    let event: { type: string } | undefined;
    if (step.fire && pending.size > 0) {
      const [id, e] = [...pending][step.pick % pending.size]!;
      pending.delete(id);
      event = e;
    } else {
      const choices = events[i % events.length]!;
      event = choices[step.pick % choices.length];
    }
    if (event === undefined) continue;
    snaps = pair.transition(snaps, event);
    pendingAfter(xstateActions.actions, pending);
  }
}

const stepsArb = fc.array(fc.record({ fire: fc.boolean(), pick: fc.nat({ max: 1000 }) }), { maxLength: 14 });

describe('remembered transitions against XState', () => {
  const ms = fc.integer({ min: 0, max: 5000 });
  const podInput = fc.record({
    name: fc.string({ maxLength: 6 }),
    revision: fc.constant('r'),
    schedulingMs: ms,
    creatingMs: ms,
    startupMs: ms,
    drainMs: ms,
    exitAfterMs: fc.option(ms, { nil: undefined }),
  });
  const podEvents = fc.array(
    fc.oneof(
      fc.record({ type: fc.constant('pod.delete' as const), drainMs: fc.option(ms, { nil: undefined }) }),
      fc.record({ type: fc.constant('pod.bound' as const), node: fc.constantFrom('n1', 'n2', '') }),
      fc.record({ type: fc.constant('pod.unschedulable' as const), message: fc.constantFrom('no fit', '') }),
      fc.constant({ type: 'pod.pulled' as const }),
      fc.constant({ type: 'unknown' }),
    ),
    { minLength: 1, maxLength: 4 },
  );

  it('the pod machine: the same snapshots and actions as XState (property)', () => {
    const pair = new Pair(podMachine);
    expect(pair.plans.flat).toBe(true);
    fc.assert(
      fc.property(podInput, stepsArb, fc.array(podEvents, { minLength: 1, maxLength: 5 }), (input, steps, events) => {
        walk(pair, input, steps, events);
      }),
      { numRuns: 400 },
    );
    // Most transitions were replays, not XState's: the property tested the plans.
    expect(pair.plans.replayed).toBeGreaterThan(1000);
  });

  /** What the pod machine does not use: params objects and functions, assigns by function, wildcards, cancels, internal raises. */
  const gadget = setup({
    types: {
      context: {} as { n: number; label: string; seen: string[] },
      events: {} as
        | { type: 'go'; by: number }
        | { type: 'back' }
        | { type: 'poke.a' }
        | { type: 'poke.b' }
        | { type: 'again' }
        | { type: 'stay' }
        | { type: 'inner' }
        | { type: 'finish' }
        | { type: 'stop.timer' },
      input: {} as { n: number },
      emitted: {} as { type: 'said'; text: string; n: number },
    },
    delays: { wait: ({ context }) => 10 + context.n },
    guards: {
      big: ({ context }) => context.n > 3,
      atLeast: ({ context }, params: { k: number }) => context.n >= params.k,
      sound: ({ context }) => {
        if (context.n === 0) throw new Error('no guard at zero');
        return context.n > 0;
      },
    },
    actions: {
      say: emit(({ context }, params: { text: string }) => ({
        type: 'said' as const,
        text: params.text,
        n: context.n,
      })),
      add: assign({
        n: ({ context, event }, params: { k: number }) => context.n + params.k + ('by' in event ? event.by : 0),
      }),
      relabel: assign(({ context }) => ({ label: `${context.label}+`, seen: [...context.seen, context.label] })),
    },
  }).createMachine({
    id: 'gadget',
    context: ({ input }) => ({ n: input.n, label: 'x', seen: [] }),
    initial: 'a',
    states: {
      a: {
        entry: [{ type: 'say', params: { text: 'in a' } }],
        exit: [{ type: 'say', params: ({ context }) => ({ text: `out of a at ${context.n}` }) }],
        on: {
          go: { target: 'b', actions: [{ type: 'add', params: { k: 1 } }, 'relabel'] },
          'poke.*': { target: 'c' },
          stay: { actions: 'relabel' },
          again: { target: 'a', reenter: true, actions: [{ type: 'add', params: { k: 2 } }] },
          inner: { target: 'b', actions: [raise({ type: 'poke.b' })] },
        },
      },
      b: {
        entry: [
          'relabel',
          { type: 'say', params: { text: 'in b' } },
          raise({ type: 'stop.timer' }, { id: 'mine', delay: 7 }),
        ],
        after: { wait: { target: 'c', actions: { type: 'add', params: { k: 5 } } }, 3: 'a' },
        on: {
          back: [{ target: 'a', guard: 'big' }, { target: 'c' }],
          'stop.timer': { actions: cancel('mine') },
          'poke.b': { target: 'a', actions: { type: 'say', params: { text: 'poked' } } },
          go: {
            target: 'c',
            actions: [{ type: 'add', params: ({ event }) => ({ k: 'by' in event ? event.by * 2 : 0 }) }],
          },
          finish: 'done',
        },
      },
      c: {
        entry: [assign({ n: ({ context }) => context.n * 2, label: 'c' })],
        on: {
          '*': { target: 'a', actions: 'relabel' },
          go: [
            { target: 'b', guard: { type: 'atLeast', params: ({ event }) => ({ k: 'by' in event ? event.by : 0 }) } },
            { target: 'done' },
          ],
          stay: [{ target: 'b', guard: and(['big', ({ event }) => event.type === 'stay']) }],
          back: [
            { target: 'a', guard: 'sound' },
            { target: 'b', guard: ({ context }) => context.n < -2 },
          ],
        },
      },
      done: { type: 'final', entry: { type: 'say', params: { text: 'done' } } },
    },
  });

  it('a machine with what the pod machine does not use: the same as XState (property)', () => {
    const pair = new Pair(gadget);
    expect(pair.plans.flat).toBe(true);
    const event = fc.oneof(
      fc.record({ type: fc.constant('go'), by: fc.integer({ min: -3, max: 3 }) }),
      fc.constantFrom(
        { type: 'back' },
        { type: 'poke.a' },
        { type: 'poke.b' },
        { type: 'again' },
        { type: 'stay' },
        { type: 'inner' },
        { type: 'finish' },
        { type: 'stop.timer' },
        { type: 'other' },
      ),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 8 }),
        stepsArb,
        fc.array(fc.array(event, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }),
        (n, steps, events) => {
          walk(pair, { n }, steps, events);
        },
      ),
      { numRuns: 400 },
    );
    expect(pair.plans.replayed).toBeGreaterThan(200);
  });

  it('a guard that throws: the error XState throws, from the plans too', () => {
    const pair = new Pair(gadget);
    walk(
      pair,
      { n: 0 },
      [
        { fire: false, pick: 0 },
        { fire: false, pick: 0 },
      ],
      [[{ type: 'poke.a' }], [{ type: 'back' }]],
    );
    walk(
      pair,
      { n: 0 },
      [
        { fire: false, pick: 0 },
        { fire: false, pick: 0 },
      ],
      [[{ type: 'poke.a' }], [{ type: 'back' }]],
    );
    expect(pair.thrown).toBe(2);
  });

  it('nested states are left to XState', () => {
    const nested = setup({}).createMachine({
      id: 'nested',
      initial: 'p',
      states: { p: { initial: 'q', states: { q: {} } } },
    });
    expect(new TransitionPlans(nested, scopeInto({ actions: [] })).flat).toBe(false);
  });
});
