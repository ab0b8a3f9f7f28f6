/**
 * One revision's decider loop, as Knative's multiscaler runs it: a tick every 2 s (reference §1:
 * not configurable), plus an immediate tick when poked (a stat with concurrency for a revision
 * whose last decision was 0). What a tick decides is the pure `decide` (src/model/kpa), which
 * the host runs on each emitted `tick`; the modes the decision leads to live in the
 * PodAutoscaler machine (./podAutoscaler.ts).
 */
import { emit, setup } from 'xstate';

/** Knative's decider tick interval [serving pkg/autoscaler/scaling/multiscaler.go]. */
export const TICK_INTERVAL_MS = 2_000;

export interface AutoscalerInput {
  revision: string;
  tickIntervalMs?: number;
}

export type AutoscalerEvent = { type: 'autoscaler.poke' } | { type: 'autoscaler.stop' };

export type AutoscalerEmitted = { type: 'tick'; reason: 'timer' | 'poke' };

export const autoscalerMachine = setup({
  types: {
    input: {} as AutoscalerInput,
    context: {} as { revision: string; tickIntervalMs: number },
    events: {} as AutoscalerEvent,
    emitted: {} as AutoscalerEmitted,
  },
  delays: {
    tickInterval: ({ context }) => context.tickIntervalMs,
  },
  actions: {
    tick: emit((_, params: { reason: 'timer' | 'poke' }) => ({ type: 'tick' as const, reason: params.reason })),
  },
}).createMachine({
  id: 'autoscaler',
  context: ({ input }) => ({
    revision: input.revision,
    tickIntervalMs: input.tickIntervalMs ?? TICK_INTERVAL_MS,
  }),
  initial: 'ticking',
  states: {
    ticking: {
      after: {
        tickInterval: {
          target: 'ticking',
          reenter: true,
          actions: [{ type: 'tick', params: { reason: 'timer' } }],
        },
      },
      on: {
        'autoscaler.poke': { actions: [{ type: 'tick', params: { reason: 'poke' } }] },
        'autoscaler.stop': 'stopped',
      },
    },
    stopped: { type: 'final' },
  },
});
