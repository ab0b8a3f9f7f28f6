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
import { type AnyActor, assign, emit, fromCallback, type SnapshotFrom, setup } from 'xstate';

/** Knative's decider tick interval [serving pkg/autoscaler/scaling/multiscaler.go]. */
export const TICK_INTERVAL_MS = 2_000;

/** The timer's event (one object for every tick: XState does not change the events it is sent). */
const TIMER_TICK: { type: 'autoscaler.tick' } = Object.freeze({ type: 'autoscaler.tick' });
/** What a tick emits (one object each: the listeners only read them). */
export const EMITTED_TIMER_TICK: AutoscalerEmitted = Object.freeze({ type: 'tick', reason: 'timer' });
export const EMITTED_POKE_TICK: AutoscalerEmitted = Object.freeze({ type: 'tick', reason: 'poke' });
/** A poke, as hosts send it (one object for every poke). */
export const POKE: AutoscalerEvent = Object.freeze({ type: 'autoscaler.poke' });

/**
 * The ticker's timer while it is `ticking`: an actor the state invokes, so XState starts it on
 * entry and stops it (cancelling its timer) on exit. It sends `autoscaler.tick` every interval on
 * the actor system's clock, and sets the next timer once the machine has taken the tick (the
 * tick's listeners have run): the order `raise(..., { delay })` re-armed in the tick's actions
 * kept. Each tick is then one event with one action in XState, without a delayed raise resolved
 * and booked in XState's scheduler on every tick (a revision's day has 43,200 ticks).
 *
 * A host that gives `onTimerTick` is called with each timer tick instead: the tick changes no
 * state, so the event's macrostep (the mailbox, the transition's sets, a new snapshot, the emit)
 * would only carry it to the same listener. The machine still owns the loop: the timer runs only
 * while `ticking` (a host's `autoscaler.idle` or `autoscaler.stop` sent from the tick stops it
 * before it re-arms, as the event's transition did), and poked and resumed ticks are emitted.
 */
const tickTimer = fromCallback<
  { type: 'autoscaler.tick' },
  { intervalMs: number; onTimerTick: (() => void) | undefined }
>(({ self, sendBack, input }) => {
  // The clock the actor system was created with (the engine's, in the simulator).
  const { clock } = self as unknown as Pick<AnyActor, 'clock'>;
  const { intervalMs, onTimerTick } = input;
  let running = true;
  let timer: unknown;
  const fire = (): void => {
    if (onTimerTick) onTimerTick();
    else sendBack(TIMER_TICK);
    // The tick may have moved the machine out of `ticking`, which stopped this actor.
    if (running) timer = clock.setTimeout(fire, intervalMs);
  };
  timer = clock.setTimeout(fire, intervalMs);
  return () => {
    running = false;
    clock.clearTimeout(timer);
  };
});

export interface AutoscalerInput {
  revision: string;
  tickIntervalMs?: number;
  /**
   * Called with each timer tick while `ticking`, in place of the emitted `tick` with reason
   * `timer` (see tickTimer). Ticks on waking from `idle`, and pokes, are emitted either way.
   */
  onTimerTick?: () => void;
}

export type AutoscalerEvent =
  /** The loop's own timer (sent by the actor `ticking` invokes; hosts never send it). */
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
      onTimerTick: (() => void) | undefined;
    },
    events: {} as AutoscalerEvent,
    emitted: {} as AutoscalerEmitted,
  },
  delays: {
    resumeDelay: ({ context }) => context.resumeDelayMs,
  },
  actors: { tickTimer },
  actions: {
    timerTick: emit(EMITTED_TIMER_TICK),
    pokeTick: emit(EMITTED_POKE_TICK),
  },
}).createMachine({
  id: 'autoscaler',
  context: ({ input }) => {
    const tickIntervalMs = input.tickIntervalMs ?? TICK_INTERVAL_MS;
    return { revision: input.revision, tickIntervalMs, resumeDelayMs: tickIntervalMs, onTimerTick: input.onTimerTick };
  },
  initial: 'ticking',
  states: {
    ticking: {
      // A timer tick emits the tick and stays: what `after: { tickInterval: { target: 'ticking',
      // reenter: true } }` does (the tick emitted, then the next timer scheduled, on the same
      // clock), without leaving and entering the state, which costs about as much again in XState.
      invoke: {
        src: 'tickTimer',
        input: ({ context }) => ({ intervalMs: context.tickIntervalMs, onTimerTick: context.onTimerTick }),
      },
      on: {
        'autoscaler.tick': { actions: 'timerTick' },
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
 * Whether a poke sent to the machine in this snapshot would emit a tick (`EMITTED_POKE_TICK`):
 * while it is `ticking` or `resuming` (XState's `can`: the machine's own transitions answer).
 * Each of those transitions is targetless with the one action that emits the tick, and assigns
 * nothing, so the event's macrostep (the mailbox, the transition's sets, a new snapshot, the
 * emit) only carries the tick to the machine's listeners. A host whose only listener is its own
 * may call it with `EMITTED_POKE_TICK` instead of sending `POKE`, as it is handed the timer's
 * ticks (`onTimerTick`); an event it sends to the machine from that listener is then taken at
 * once instead of after the poke, which leaves the machine where it would have been.
 */
export function pokeTicks(snapshot: SnapshotFrom<typeof autoscalerMachine>): boolean {
  return snapshot.status === 'active' && snapshot.can(POKE);
}
