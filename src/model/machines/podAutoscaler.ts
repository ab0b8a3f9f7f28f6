/**
 * One revision's PodAutoscaler (reference §3 "Decider lifetime" and §4): two orthogonal regions.
 *
 * - `active`: the PA's Active condition, the mode the KPA reports: Activating (Unknown: first
 *   `Initializing` with no reason, then `Queued`), Active (True), Inactive (False, `NoTraffic`
 *   or `TimedOut`). Every KPA scale step is sent as `pa.scaled`; the guard is the model's
 *   `computeActiveCondition`, and each condition it sets is emitted as `pa.active` for the host
 *   to write into the PA's status.
 * - `decider`: Stable or Panicking. Panic is the decider's mode, not a PA state: Knative's
 *   decider panics whatever the PA's Active condition says (a burst poked at zero can panic while
 *   the PA is still Activating; a restarted autoscaler starts in panic when more than one pod is
 *   ready), so it is a parallel region rather than a child of Active. A change is emitted as
 *   `decider.mode`.
 *
 * The host (src/sim/controllers/autoscaler.ts) runs the scale step and the decider, sends what
 * they found, and performs the side effects the emitted events ask for. Nothing else keeps these
 * modes: read them with {@link paStateOf} and {@link isPanicking}.
 */
import { emit, type SnapshotFrom, setup } from 'xstate';
import type { ConditionStatus } from '../api/types.js';
import { computeActiveCondition, type PAState } from '../kpa/scaler.js';
import {
  MESSAGE_NO_TRAFFIC,
  MESSAGE_QUEUED,
  MESSAGE_TIMED_OUT,
  REASON_NO_TRAFFIC,
  REASON_QUEUED,
  REASON_TIMED_OUT,
} from '../rules/conditions.js';

export interface PodAutoscalerInput {
  revision: string;
  /** The decider starts in panic (it found more than one ready pod when it was made). */
  panicking: boolean;
}

export type PodAutoscalerEvent =
  /** The KPA's scale step ran: what it wants (−1 unknown) and the ready pods against the minimum. */
  | { type: 'pa.scaled'; want: number; readyPods: number; minReady: number }
  /** The decider's tick went over the panic threshold while stable. */
  | { type: 'decider.panicked' }
  /** The decider left panic: a stable window passed since the last over-threshold tick. */
  | { type: 'decider.calmed' };

/** The Active condition the PA must carry now. */
export interface ActiveConditionSet {
  type: 'pa.active';
  status: ConditionStatus;
  reason: string;
  message: string;
}

export type PodAutoscalerEmitted = ActiveConditionSet | { type: 'decider.mode'; panicking: boolean };

/** Where a scale step can take the Active condition: its state, status, reason and message. */
interface ActiveOutcome {
  readonly to: PAState;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
  /** The leaf state of the `active` region that stands for it. */
  readonly target: string;
  /** That leaf's child of `to` in the snapshot's value (`undefined`: `to` is itself the leaf). */
  readonly child: string | undefined;
  /** The condition the transition emits (one object: the listeners only read it). */
  readonly set: ActiveConditionSet;
}

function outcome(to: PAState, status: ConditionStatus, reason: string, message: string, child?: string): ActiveOutcome {
  const target = `#podAutoscaler.active.${to}${child ? `.${child}` : ''}`;
  const set: ActiveConditionSet = Object.freeze({ type: 'pa.active', status, reason, message });
  return { to, status, reason, message, target, child, set };
}

const OUTCOMES: readonly ActiveOutcome[] = [
  outcome('Active', 'True', '', ''),
  outcome('Activating', 'Unknown', REASON_QUEUED, MESSAGE_QUEUED, 'Queued'),
  outcome('Inactive', 'False', REASON_NO_TRAFFIC, MESSAGE_NO_TRAFFIC, 'NoTraffic'),
  outcome('Inactive', 'False', REASON_TIMED_OUT, MESSAGE_TIMED_OUT, 'TimedOut'),
];

export const podAutoscalerMachine = setup({
  types: {
    input: {} as PodAutoscalerInput,
    context: {} as { revision: string; startsInPanic: boolean },
    events: {} as PodAutoscalerEvent,
    emitted: {} as PodAutoscalerEmitted,
  },
  guards: {
    /**
     * The scale step sets the Active condition to this outcome (computeActiveCondition from the
     * PA's current state); false when it leaves the condition as it is.
     */
    activeConditionBecomes: ({ event }, params: { from: PAState; to: PAState; reason: string }) => {
      if (event.type !== 'pa.scaled') return false;
      const c = computeActiveCondition({
        want: event.want,
        readyPods: event.readyPods,
        minReady: event.minReady,
        paState: params.from,
      });
      return !c.unchanged && c.paState === params.to && c.reason === params.reason;
    },
    startsInPanic: ({ context }) => context.startsInPanic,
  },
  actions: {
    setActiveCondition: emit((_, params: { status: ConditionStatus; reason: string; message: string }) => ({
      type: 'pa.active' as const,
      status: params.status,
      reason: params.reason,
      message: params.message,
    })),
    reportDeciderMode: emit((_, params: { panicking: boolean }) => ({
      type: 'decider.mode' as const,
      panicking: params.panicking,
    })),
  },
}).createMachine({
  id: 'podAutoscaler',
  context: ({ input }) => ({ revision: input.revision, startsInPanic: input.panicking }),
  type: 'parallel',
  states: {
    active: {
      initial: 'Activating',
      states: {
        Activating: {
          initial: 'Initializing',
          states: { Initializing: {}, Queued: {} },
          on: { 'pa.scaled': scaledFrom('Activating') },
        },
        Active: { on: { 'pa.scaled': scaledFrom('Active') } },
        Inactive: {
          initial: 'NoTraffic',
          states: { NoTraffic: {}, TimedOut: {} },
          on: { 'pa.scaled': scaledFrom('Inactive') },
        },
      },
    },
    decider: {
      initial: 'Starting',
      states: {
        Starting: { always: [{ guard: 'startsInPanic', target: 'Panicking' }, { target: 'Stable' }] },
        Stable: {
          on: {
            'decider.panicked': {
              target: 'Panicking',
              actions: { type: 'reportDeciderMode', params: { panicking: true } },
            },
          },
        },
        Panicking: {
          on: {
            'decider.calmed': {
              target: 'Stable',
              actions: { type: 'reportDeciderMode', params: { panicking: false } },
            },
          },
        },
      },
    },
  },
});

/**
 * The `pa.scaled` transitions out of one Active state: one per outcome, guarded by the scale
 * step's condition rule, each setting the condition it leads to (even when the state stays, as
 * Knative rewrites the condition on every reconcile that decides it).
 */
function scaledFrom(from: PAState) {
  return outcomesFrom(from).map((o) => ({
    guard: { type: 'activeConditionBecomes' as const, params: { from, to: o.to, reason: o.reason } },
    target: o.target,
    actions: {
      type: 'setActiveCondition' as const,
      params: { status: o.status, reason: o.reason, message: o.message },
    },
  }));
}

/** The outcomes a `pa.scaled` can reach from an Active state (TimedOut only while Activating). */
function outcomesFrom(from: PAState): readonly ActiveOutcome[] {
  return OUTCOMES.filter((o) => from === 'Activating' || o.reason !== REASON_TIMED_OUT);
}

const OUTCOMES_FROM: Readonly<Record<PAState, readonly ActiveOutcome[]>> = {
  Activating: outcomesFrom('Activating'),
  Active: outcomesFrom('Active'),
  Inactive: outcomesFrom('Inactive'),
};

/** What a `pa.scaled` does, worked out without sending it (see {@link paScaledStep}). */
export interface PaScaledStep {
  /** The Active condition the machine would emit; undefined when it would leave it as it is. */
  readonly condition: ActiveConditionSet | undefined;
  /** Whether the event moves the `active` region to another leaf state. */
  readonly moves: boolean;
}

const LEAVES_IT: PaScaledStep = Object.freeze({ condition: undefined, moves: false });

/**
 * What sending `event` would do to a PA in `snapshot`: the transition the machine's guards pick
 * (the same outcomes and the same rule, `computeActiveCondition`), the condition it emits and
 * whether its target is another leaf. Most scale steps set the condition the PA already has (in
 * a fleet, 13,899 of 17,780 in 200 Services × 2 h): such an event leaves the state where it is
 * and only emits, so a host may leave it out and take the condition from here, without XState's
 * macrostep for it (and without waking a resting machine).
 */
export function paScaledStep(
  snapshot: PodAutoscalerValue,
  event: Omit<Extract<PodAutoscalerEvent, { type: 'pa.scaled' }>, 'type'>,
): PaScaledStep {
  const active = regions(snapshot).active;
  const from = stateOfName(stateName(active));
  const c = computeActiveCondition({
    want: event.want,
    readyPods: event.readyPods,
    minReady: event.minReady,
    paState: from,
  });
  if (c.unchanged) return LEAVES_IT;
  for (const o of OUTCOMES_FROM[from]) {
    if (o.to !== c.paState || o.reason !== c.reason) continue;
    // The value holds an atomic state as its name and a compound one as `{ name: child }`.
    const stays = o.child === undefined ? active === o.to : childOf(active, o.to) === o.child;
    return { condition: o.set, moves: !stays };
  }
  return LEAVES_IT;
}

export type PodAutoscalerSnapshot = SnapshotFrom<typeof podAutoscalerMachine>;

/** What the readers below need of a snapshot: its state value (a resting actor keeps no more, src/sim/actors.ts). */
type PodAutoscalerValue = Pick<PodAutoscalerSnapshot, 'value'>;

/**
 * The regions' states as the snapshot's value holds them: `{ active, decider }`, an atomic
 * state as its name and a compound one as `{ name: child }`. Read directly rather than through
 * `snapshot.matches`, which turns its argument into state paths on every call: the run reads
 * the decider's mode once a simulated second (86,400 times a day).
 */
function regions(snapshot: PodAutoscalerValue): { active: unknown; decider: unknown } {
  return snapshot.value as { active: unknown; decider: unknown };
}

/** A region's state: its own name whether it is atomic (`'Active'`) or has a child (`{ Inactive: … }`). */
function stateName(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  for (const key in value) return key;
  return undefined;
}

/** The PA's Active state as the KPA's scale step reads it. */
export function paStateOf(snapshot: PodAutoscalerValue): PAState {
  return stateOfName(stateName(regions(snapshot).active));
}

/** The child state a compound state's value names (undefined when `value` is not that state). */
function childOf(value: unknown, state: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[state] : undefined;
}

function stateOfName(active: unknown): PAState {
  if (active === 'Active') return 'Active';
  if (active === 'Inactive') return 'Inactive';
  return 'Activating';
}

/** Whether the decider is in panic mode. */
export function isPanicking(snapshot: PodAutoscalerValue): boolean {
  return regions(snapshot).decider === 'Panicking';
}
