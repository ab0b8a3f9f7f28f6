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

/** The timer's event (one object for every tick: XState does not change the events it is sent). */
const TIMER_TICK: { type: 'autoscaler.tick' } = Object.freeze({ type: 'autoscaler.tick' });
/** What a tick emits (one object each: the listeners only read them). */
export const EMITTED_TIMER_TICK: AutoscalerEmitted = Object.freeze({ type: 'tick', reason: 'timer' });
export const EMITTED_POKE_TICK: AutoscalerEmitted = Object.freeze({ type: 'tick', reason: 'poke' });
/** A poke, as hosts send it (one object for every poke). */
export const POKE: AutoscalerEvent = Object.freeze({ type: 'autoscaler.poke' });

/** The id of the ticker's timer (XState's delayed `raise`), armed while `ticking` and cancelled on leaving it. */
export const TICK_TIMER_ID = 'tick';

export interface AutoscalerInput {
  revision: string;
  tickIntervalMs?: number;
}

export type AutoscalerEvent =
  /** The loop's own timer (raised by the machine on its clock; hosts never send it). */
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
    context: {} as {
      revision: string;
      tickIntervalMs: number;
      resumeDelayMs: number;
    },
    events: {} as AutoscalerEvent,
    emitted: {} as AutoscalerEmitted,
  },
  delays: {
    tickInterval: ({ context }) => context.tickIntervalMs,
    resumeDelay: ({ context }) => context.resumeDelayMs,
  },
  actions: {
    timerTick: emit(EMITTED_TIMER_TICK),
    pokeTick: emit(EMITTED_POKE_TICK),
    /**
     * Arms the next timer tick an interval from now: on entering `ticking`, and after the emit of
     * each timer tick (the tick's listeners run first, then the timer is set, the order an `after`
     * re-entering `ticking` had). Made of `assign`, `emit`, `raise` and `after` only, the machine
     * needs no actor: the simulator runs it on its engine's clock without one (src/sim/machineHost.ts).
     */
    armTick: raise(TIMER_TICK, { id: TICK_TIMER_ID, delay: 'tickInterval' }),
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
      // A timer tick emits the tick and stays: what `after: { tickInterval: { target: 'ticking',
      // reenter: true } }` does (the tick emitted, then the next timer set, on the same clock),
      // without leaving and entering the state, which costs about as much again in XState.
      entry: 'armTick',
      exit: 'disarmTick',
      on: {
        'autoscaler.tick': { actions: ['timerTick', 'armTick'] },
        'autoscaler.poke': { actions: 'pokeTick' },
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
        resumeDelay: { target: 'ticking', actions: 'timerTick' },
      },
      on: {
        'autoscaler.poke': { actions: 'pokeTick' },
        'autoscaler.idle': 'idle',
        'autoscaler.stop': 'stopped',
      },
    },
    stopped: { type: 'final' },
  },
});

/**
 * Whether a poke sent to the machine (its snapshot, or a host's machine) would emit a tick (`EMITTED_POKE_TICK`):
 * while it is `ticking` or `resuming` (XState's `can`: the machine's own transitions answer).
 * Each of those transitions is targetless with the one action that emits the tick, and assigns
 * nothing, so the event's transition only carries the tick to the machine's listeners. A host
 * whose only listener is its own may call it with `EMITTED_POKE_TICK` instead of sending `POKE`.
 */
export function pokeTicks(ticker: { can(event: AutoscalerEvent): boolean }): boolean {
  return ticker.can(POKE);
}
