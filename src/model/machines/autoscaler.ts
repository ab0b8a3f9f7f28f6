/**
 * One revision's autoscaler loop: a decider tick every 2 s (reference §1: not configurable),
 * plus an immediate tick when poked (a first request at zero). The mode region mirrors the
 * decider's panic state so the log and the TUI can show it; the decision itself is a pure
 * function (src/model/kpa/decider.ts) the host calls on each `tick`.
 */
import { emit, setup } from 'xstate';

/** Knative's decider tick interval [serving pkg/autoscaler/scaling/multiscaler.go]. */
export const TICK_INTERVAL_MS = 2_000;

export interface AutoscalerInput {
  revision: string;
  tickIntervalMs?: number;
  /** Starts in panic (a decider that finds more than one ready pod). */
  panicking?: boolean;
}

export type AutoscalerEvent =
  | { type: 'autoscaler.poke' }
  | { type: 'decider.panicked' }
  | { type: 'decider.calmed' }
  | { type: 'autoscaler.stop' };

export type AutoscalerEmitted = { type: 'tick'; reason: 'timer' | 'poke' };

export const autoscalerMachine = setup({
  types: {
    input: {} as AutoscalerInput,
    context: {} as { revision: string; tickIntervalMs: number; startPanicking: boolean },
    events: {} as AutoscalerEvent,
    emitted: {} as AutoscalerEmitted,
  },
  delays: {
    tickInterval: ({ context }) => context.tickIntervalMs,
  },
  actions: {
    tick: emit((_, params: { reason: 'timer' | 'poke' }) => ({ type: 'tick' as const, reason: params.reason })),
  },
  guards: {
    startsInPanic: ({ context }) => context.startPanicking,
  },
}).createMachine({
  id: 'autoscaler',
  context: ({ input }) => ({
    revision: input.revision,
    tickIntervalMs: input.tickIntervalMs ?? TICK_INTERVAL_MS,
    startPanicking: input.panicking ?? false,
  }),
  initial: 'running',
  states: {
    running: {
      type: 'parallel',
      on: { 'autoscaler.stop': 'stopped' },
      states: {
        ticker: {
          initial: 'waiting',
          states: {
            waiting: {
              after: {
                tickInterval: {
                  target: 'waiting',
                  reenter: true,
                  actions: [{ type: 'tick', params: { reason: 'timer' } }],
                },
              },
              on: { 'autoscaler.poke': { actions: [{ type: 'tick', params: { reason: 'poke' } }] } },
            },
          },
        },
        mode: {
          initial: 'deciding',
          states: {
            deciding: { always: [{ guard: 'startsInPanic', target: 'panicking' }, { target: 'stable' }] },
            stable: { on: { 'decider.panicked': 'panicking' } },
            panicking: { on: { 'decider.calmed': 'stable' } },
          },
        },
      },
    },
    stopped: { type: 'final' },
  },
});
