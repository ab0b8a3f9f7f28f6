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
import { and, assign, cancel, emit, raise, setup } from 'xstate';
import { podMachine } from '../../src/model/machines/pod.js';
import { TransitionPlans } from '../../src/sim/transitionPlans.js';
import { Pair, scopeInto, stepsArb, walk } from './transitionPlansOracle.js';

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
    expect(pair.plans.covered).toBe(true);
    fc.assert(
      fc.property(podInput, stepsArb, fc.array(podEvents, { minLength: 1, maxLength: 5 }), (input, steps, events) => {
        walk(pair, input, steps, events);
      }),
      { numRuns: 400 },
    );
    // Most transitions were replays, not XState's: the property tested the plans.
    expect(pair.plans.replayed).toBeGreaterThan(1000);
    expect(pair.plans.refused).toBe(0);
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
    expect(pair.plans.covered).toBe(true);
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
    expect(pair.plans.refused).toBe(0);
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

  it('history states are left to XState', () => {
    const withHistory = setup({}).createMachine({
      id: 'withHistory',
      initial: 'p',
      states: { p: { initial: 'q', states: { q: {}, h: { type: 'history' } } } },
    });
    expect(new TransitionPlans(withHistory, scopeInto({ actions: [] })).covered).toBe(false);
  });
});

describe('remembered transitions against XState: nested and parallel states', () => {
  /**
   * What the model's machines use of nesting, and more: a parallel root with a transition of its
   * own, compound states two deep with entry and exit actions at every level, a transition from a
   * compound state to its own child and one re-entering a compound state, targetless transitions
   * in two regions at once, a transition across regions (XState drops the one it conflicts with),
   * `always` transitions guarded by the context an assign just changed, raises taken at once that
   * chain, a delayed event, a wildcard on a nested state, and a final state in a region (XState's).
   */
  const nestedGadget = setup({
    types: {
      context: {} as { n: number; log: string[] },
      events: {} as
        | { type: 'go'; by: number }
        | { type: 'deep' }
        | { type: 'again' }
        | { type: 'cross' }
        | { type: 'tick' }
        | { type: 'chain' }
        | { type: 'x.one' }
        | { type: 'x.two' }
        | { type: 'end' }
        | { type: 'reset' },
      input: {} as { n: number },
      emitted: { type: 'said' } as { type: 'said'; text: string; n: number },
    },
    delays: { soon: ({ context }) => 5 + Math.abs(context.n) },
    guards: {
      high: ({ context }) => context.n > 4,
      low: ({ context }) => context.n < 0,
      byAtLeast: ({ event }, params: { k: number }) => 'by' in event && event.by >= params.k,
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
      note: assign(({ context }, params: { text: string }) => ({ log: [...context.log, params.text] })),
    },
  }).createMachine({
    id: 'nestedGadget',
    type: 'parallel',
    context: ({ input }) => ({ n: input.n, log: [] }),
    entry: [{ type: 'say', params: { text: 'root in' } }],
    on: {
      reset: { target: ['.left.idle', '.right.calm'], actions: { type: 'note', params: { text: 'reset' } } },
      chain: { actions: [raise({ type: 'tick' }), raise({ type: 'x.two' })] },
    },
    states: {
      left: {
        initial: 'idle',
        entry: [{ type: 'note', params: { text: 'left in' } }],
        exit: [{ type: 'say', params: { text: 'left out' } }],
        states: {
          idle: {
            on: {
              go: [
                {
                  guard: { type: 'byAtLeast', params: { k: 2 } },
                  target: 'busy.fast',
                  actions: { type: 'add', params: { k: 1 } },
                },
                { target: 'busy' },
              ],
              tick: { actions: { type: 'add', params: { k: 1 } } },
            },
          },
          busy: {
            initial: 'slow',
            entry: [{ type: 'say', params: { text: 'busy in' } }],
            exit: [{ type: 'note', params: { text: 'busy out' } }],
            always: [{ guard: 'high', target: 'idle', actions: { type: 'say', params: { text: 'too high' } } }],
            on: {
              deep: { target: '.fast' },
              again: { target: 'busy', reenter: true, actions: { type: 'add', params: { k: -1 } } },
              tick: { actions: { type: 'add', params: { k: 2 } } },
              'x.*': { target: 'idle', actions: { type: 'note', params: { text: 'x' } } },
            },
            states: {
              slow: {
                entry: [{ type: 'note', params: { text: 'slow in' } }],
                after: { soon: 'fast' },
                on: { go: { target: 'fast', actions: { type: 'add', params: { k: 3 } } } },
              },
              fast: {
                exit: [{ type: 'say', params: { text: 'fast out' } }],
                always: [{ guard: 'low', target: 'slow' }],
                on: { 'x.one': { actions: { type: 'note', params: { text: 'one' } } } },
              },
            },
          },
        },
      },
      right: {
        initial: 'calm',
        states: {
          calm: {
            on: {
              tick: { actions: [{ type: 'say', params: { text: 'calm tick' } }, raise({ type: 'x.one' })] },
              cross: { target: '#nestedGadget.left.busy.slow', actions: { type: 'add', params: { k: 5 } } },
              go: { target: 'alert' },
            },
          },
          alert: {
            entry: [{ type: 'add', params: { k: -2 } }],
            on: { tick: 'calm', cross: 'calm', end: 'over' },
          },
          over: { type: 'final' },
        },
      },
    },
  });

  it('a parallel machine with nested states: the same as XState (property)', () => {
    const pair = new Pair(nestedGadget);
    expect(pair.plans.covered).toBe(true);
    const event = fc.oneof(
      fc.record({ type: fc.constant('go'), by: fc.integer({ min: -3, max: 3 }) }),
      fc.constantFrom(
        { type: 'deep' },
        { type: 'again' },
        { type: 'cross' },
        { type: 'tick' },
        { type: 'chain' },
        { type: 'x.one' },
        { type: 'x.two' },
        { type: 'end' },
        { type: 'reset' },
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
      { numRuns: 500 },
    );
    expect(pair.plans.replayed).toBeGreaterThan(1000);
    expect(pair.plans.refused).toBe(0);
  });
});
