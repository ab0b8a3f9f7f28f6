/**
 * One revision's decider loop, as Knative's multiscaler runs it: a tick every 2 s (reference §1:
 * not configurable), plus an immediate tick when poked (a stat with concurrency for a revision
 * whose last decision was 0). What a tick decides is the pure `decide` (src/model/kpa), which
 * the host runs on each emitted `tick`; the modes the decision leads to live in the
 * PodAutoscaler machine (./podAutoscaler.ts).
 *
 * `idle`: a host may put the loop to sleep after a tick whose decider can only say "no data"
 * until the next stat (`idleUntilRecorded` in src/model/kpa/collector.ts), when nobody reads the
 * ticks themselves. Such ticks change nothing, so a fleet of idle revisions costs nothing
 * between events. `autoscaler.wake` resumes the ticks on their 2-second grid: the first one at
 * the next grid time after the wake (the host computes the delay), as if the loop had never slept.
 */
import { assign, cancel, emit, raise, setup } from 'xstate';

/** Knative's decider tick interval [serving pkg/autoscaler/scaling/multiscaler.go]. */
export const TICK_INTERVAL_MS = 2_000;

/** The id of the ticker's pending timer in XState's scheduler. */
const TICK_TIMER_ID = 'autoscaler.tick';

export interface AutoscalerInput {
  revision: string;
  tickIntervalMs?: number;
}

export type AutoscalerEvent =
  /** The loop's own timer (raised by the machine with a delay; hosts never send it). */
  | { type: 'autoscaler.tick' }
  | { type: 'autoscaler.poke' }
  | { type: 'autoscaler.stop' }
  | { type: 'autoscaler.idle' }
  /** `delayMs`: from now to the next tick of the grid the loop kept before it slept. */
  | { type: 'autoscaler.wake'; delayMs: number };

export type AutoscalerEmitted = { type: 'tick'; reason: 'timer' | 'poke' };

export const autoscalerMachine = setup({
  types: {
    input: {} as AutoscalerInput,
    context: {} as { revision: string; tickIntervalMs: number; resumeDelayMs: number },
    events: {} as AutoscalerEvent,
    emitted: {} as AutoscalerEmitted,
  },
  delays: {
    tickInterval: ({ context }) => context.tickIntervalMs,
    resumeDelay: ({ context }) => context.resumeDelayMs,
  },
  actions: {
    tick: emit((_, params: { reason: 'timer' | 'poke' }) => ({ type: 'tick' as const, reason: params.reason })),
    /** The next timer tick, one interval from now (cancelled when the loop leaves `ticking`). */
    armTick: raise({ type: 'autoscaler.tick' }, { id: TICK_TIMER_ID, delay: 'tickInterval' }),
    disarmTick: cancel(TICK_TIMER_ID),
  },
}).createMachine({
  id: 'autoscaler',
  context: ({ input }) => {
    const tickIntervalMs = input.tickIntervalMs ?? TICK_INTERVAL_MS;
    return { revision: input.revision, tickIntervalMs, resumeDelayMs: tickIntervalMs };
  },
  initial: 'ticking',
  states: {
    ticking: {
      // A timer tick emits the tick and re-arms the timer in place: what `after: { tickInterval:
      // { target: 'ticking', reenter: true } }` does (the tick emitted, then the next timer
      // scheduled, on the same clock), without leaving and entering the state, which costs about
      // as much again in XState (a revision's day has 43,200 ticks).
      entry: 'armTick',
      exit: 'disarmTick',
      on: {
        'autoscaler.tick': { actions: [{ type: 'tick', params: { reason: 'timer' } }, 'armTick'] },
        'autoscaler.poke': { actions: [{ type: 'tick', params: { reason: 'poke' } }] },
        'autoscaler.idle': 'idle',
        'autoscaler.stop': 'stopped',
      },
    },
    idle: {
      on: {
        'autoscaler.wake': {
          target: 'resuming',
          actions: assign({ resumeDelayMs: ({ event }) => event.delayMs }),
        },
        'autoscaler.stop': 'stopped',
      },
    },
    /** Awake again, waiting for the next tick of the grid (then ticking as before). */
    resuming: {
      after: {
        resumeDelay: { target: 'ticking', actions: [{ type: 'tick', params: { reason: 'timer' } }] },
      },
      on: {
        'autoscaler.poke': { actions: [{ type: 'tick', params: { reason: 'poke' } }] },
        'autoscaler.idle': 'idle',
        'autoscaler.stop': 'stopped',
      },
    },
    stopped: { type: 'final' },
  },
});
