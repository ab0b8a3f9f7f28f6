/**
 * A Revision's lifecycle, in the two modes Knative reports for it:
 * - readiness (its Ready condition): deploying until its initial scale is reached, then ready, or
 *   failed (an image that cannot be resolved, pods that cannot run, initial scale never reached);
 * - activity (its Active condition, which mirrors the PodAutoscaler and does not count toward
 *   Ready: a revision scaled to zero stays Ready): deploying until the PA has conditions, then
 *   activating, active, inactive, and waking when a request brings it back from inactive.
 *
 * In the simulator the Revision reconciler sends what it observed (`revision.reconcile`); the
 * machine computes the conditions with the model's rules, emits them as `status` for the
 * reconciler to write, and moves. In live mode the cluster's own conditions come in
 * (`revision.reported`) and the machine only moves. Either way a move the model forbids is
 * emitted as `divergence`, naming the rule; each move worth telling is a `milestone`.
 */
import { assign, emit, setup } from 'xstate';
import type { Condition, ConditionStatus, PodAutoscaler } from '../api/types.js';
import { revisionSays } from '../narrate/lifecycle.js';
import {
  applyConditions,
  getCondition,
  READY,
  REVISION_CONDITION_SET,
  type RevisionActiveMode,
  readyStatus,
  revisionActiveMode,
  revisionContainerExited,
  revisionContainerHealthyFromDeployment,
  revisionContainerMissing,
  revisionDeploying,
  revisionFromAutoscaler,
  revisionPodsFailing,
  sameConditionList,
} from '../rules/conditions.js';
import type { LifecycleEmitted } from './lifecycle.js';

/** What the Revision reconciler observes. */
export interface RevisionObservation {
  /** The image tag could not be resolved to a digest (the reconciler stops there). */
  readonly unresolvedImage?: { readonly image: string; readonly error: string };
  /** The Deployment's ready replicas. */
  readonly readyReplicas: number;
  /**
   * The Deployment wants pods and has none available, and its first pod is not scheduled: the
   * PodScheduled condition's reason (`Unschedulable`) and the scheduler's message.
   */
  readonly unscheduledPod?: { readonly reason: string; readonly message: string };
  /**
   * The Deployment wants pods and has none available, and its first pod's user container has
   * exited before (its lastState.terminated): the exit code and termination message.
   */
  readonly exitedContainer?: { readonly exitCode: number; readonly message: string };
  /**
   * The Deployment has passed its progress deadline with none available, and its first pod's user
   * container waits (never ran): the waiting reason and message.
   */
  readonly waitingContainer?: { readonly reason: string; readonly message: string };
  /** The revision's PodAutoscaler, if it exists. */
  readonly autoscaler: PodAutoscaler | undefined;
}

/**
 * A Revision's conditions from one reconcile: both dependents Unknown `Deploying` the first time;
 * then ContainerMissing when the image cannot be resolved; otherwise ContainerHealthy from the
 * Deployment and what the PodAutoscaler says, in that order (the order decides which of two
 * changes at the same instant Ready reports).
 */
function revisionConditions(
  previous: readonly Condition[] | undefined,
  observed: RevisionObservation,
  nowIso: string,
): { conditions: Condition[]; actualReplicas?: number; desiredReplicas?: number } {
  const first = previous ? [] : revisionDeploying();
  if (observed.unresolvedImage) {
    const { image, error } = observed.unresolvedImage;
    const update = revisionContainerMissing(image, error);
    return { conditions: applyConditions(REVISION_CONDITION_SET, previous, [...first, update], nowIso) };
  }
  if (observed.unscheduledPod || observed.exitedContainer || observed.waitingContainer) {
    // Knative looks at the Deployment's pods before it reads the PodAutoscaler, which then
    // sees ResourcesAvailable (or ContainerHealthy) False and leaves it so.
    const fromPod = observed.unscheduledPod
      ? revisionPodsFailing(observed.unscheduledPod.reason, observed.unscheduledPod.message)
      : observed.exitedContainer
        ? revisionContainerExited(observed.exitedContainer.exitCode, observed.exitedContainer.message)
        : revisionPodsFailing(observed.waitingContainer!.reason, observed.waitingContainer!.message);
    const withPods = applyConditions(
      REVISION_CONDITION_SET,
      previous,
      [...first, revisionContainerHealthyFromDeployment(observed.readyReplicas), fromPod],
      nowIso,
    );
    const fromPa = revisionFromAutoscaler(withPods, observed.autoscaler);
    const conditions = applyConditions(REVISION_CONDITION_SET, withPods, fromPa.updates, nowIso);
    return { conditions, actualReplicas: fromPa.actualReplicas, desiredReplicas: fromPa.desiredReplicas };
  }
  const fromPa = revisionFromAutoscaler(previous, observed.autoscaler);
  const conditions = applyConditions(
    REVISION_CONDITION_SET,
    previous,
    [...first, revisionContainerHealthyFromDeployment(observed.readyReplicas), ...fromPa.updates],
    nowIso,
  );
  return { conditions, actualReplicas: fromPa.actualReplicas, desiredReplicas: fromPa.desiredReplicas };
}

export interface RevisionLifecycleInput {
  name: string;
}

interface RevisionContext {
  name: string;
  conditions: readonly Condition[] | undefined;
  actualReplicas?: number;
  desiredReplicas?: number;
}

export type RevisionLifecycleEvent =
  | {
      type: 'revision.reconcile';
      previous: readonly Condition[] | undefined;
      observed: RevisionObservation;
      nowIso: string;
    }
  | { type: 'revision.reported'; conditions: readonly Condition[] | undefined };

export type RevisionLifecycleEmitted =
  | LifecycleEmitted
  | { type: 'status'; conditions: Condition[]; actualReplicas?: number; desiredReplicas?: number };

/** Why a Ready revision never goes back to Deploying (reference §4). */
export const RULE_INITIALIZED_NEVER_GOES_BACK =
  'ScaleTargetInitialized never goes back, so a Ready revision does not return to Deploying';
/** Why Active never returns to Deploying (reference §6). */
export const RULE_PA_CONDITIONS_STAY =
  'Active is Deploying only until the PodAutoscaler has conditions, and they are never removed';

/** What one event makes of the conditions: a reconcile's judgement, or what the cluster reported. */
interface Judgement {
  conditions: readonly Condition[] | undefined;
  actualReplicas?: number;
  desiredReplicas?: number;
}

/**
 * The conditions an event brings, computed once per event: the guards that pick each region's
 * move read them before the event's actions store them (the move is judged in the event's own
 * step, not in a second one raised after it). Events are never reused, so the last one is kept.
 */
let judgedEvent: RevisionLifecycleEvent | undefined;
let judged: Judgement = { conditions: undefined };
function judgementOf(event: RevisionLifecycleEvent): Judgement {
  if (event === judgedEvent) return judged;
  judged =
    event.type === 'revision.reconcile'
      ? revisionConditions(event.previous, event.observed, event.nowIso)
      : { conditions: event.conditions };
  judgedEvent = event;
  return judged;
}

/**
 * Whether a `revision.reconcile` sent to a machine whose snapshot has `context` would leave it as
 * it is: the event's conditions (judged once, as the machine's guards judge it: a send of the same
 * event afterwards does not judge it again) and replica counts are the ones the machine holds.
 * Each state of either region stands for one status of the conditions it holds (readiness: Ready
 * Unknown, True or False; activity: Active as `revisionActiveMode` gives it) and has a move for
 * every other status and none for its own, so the state any event leaves stands for the
 * conditions it stored, and the same conditions move nothing, say nothing and emit only a status
 * equal to the one emitted last. In a fleet this is a Revision's status write's own echo: the
 * write queues a reconcile, which starts from the conditions just written and judges them again
 * (`revisionConditions` is no identity in general: a PA without a service name sets
 * ResourcesAvailable twice and stamps it again every time, which this compare sees).
 */
export function revisionReconcileStays(
  context: Pick<RevisionContext, 'conditions' | 'actualReplicas' | 'desiredReplicas'>,
  event: Extract<RevisionLifecycleEvent, { type: 'revision.reconcile' }>,
): boolean {
  if (context.conditions === undefined) return false;
  const judgement = judgementOf(event);
  return (
    judgement.actualReplicas === context.actualReplicas &&
    judgement.desiredReplicas === context.desiredReplicas &&
    sameConditionList(judgement.conditions, context.conditions)
  );
}

export const revisionLifecycleMachine = setup({
  types: {
    input: {} as RevisionLifecycleInput,
    context: {} as RevisionContext,
    events: {} as RevisionLifecycleEvent,
    emitted: {} as RevisionLifecycleEmitted,
  },
  guards: {
    readyIs: ({ event }, params: { status: ConditionStatus }) =>
      readyStatus(judgementOf(event).conditions) === params.status,
    activeIs: ({ event }, params: { mode: RevisionActiveMode }) =>
      revisionActiveMode(judgementOf(event).conditions) === params.mode,
  },
  actions: {
    markConditions: assign(({ event }) => {
      const { conditions, actualReplicas, desiredReplicas } = judgementOf(event);
      return { conditions, actualReplicas, desiredReplicas };
    }),
    takeReported: assign(({ event }) => ({ conditions: judgementOf(event).conditions })),
    reportStatus: emit(({ context }) => ({
      type: 'status' as const,
      conditions: [...(context.conditions ?? [])],
      ...(context.actualReplicas !== undefined ? { actualReplicas: context.actualReplicas } : {}),
      ...(context.desiredReplicas !== undefined ? { desiredReplicas: context.desiredReplicas } : {}),
    })),
    sayReady: emit(({ context }) => milestone(revisionSays.ready(context.name))),
    sayReadyAgain: emit(({ context }) => milestone(revisionSays.readyAgain(context.name))),
    sayFailed: emit(({ context }) => {
      const ready = getCondition(context.conditions, READY);
      return milestone(revisionSays.failed(context.name, ready?.reason, ready?.message));
    }),
    sayInactive: emit(({ context }) =>
      milestone(revisionSays.inactive(context.name, getCondition(context.conditions, 'Active')?.reason)),
    ),
    sayWaking: emit(({ context }) => milestone(revisionSays.waking(context.name))),
    sayActiveAgain: emit(({ context }) => milestone(revisionSays.activeAgain(context.name))),
    diverge: emit((_, params: { from: string; to: string; rule: string }) => ({
      type: 'divergence' as const,
      ...params,
    })),
  },
}).createMachine({
  id: 'revision',
  context: ({ input }) => ({ name: input.name, conditions: undefined }),
  type: 'parallel',
  // Each event is judged in its own step: the readiness region's transitions take the event's
  // conditions (and a reconcile's status goes out) before their own actions, one of them always
  // taken (the last has no guard); the activity region's run after them, in document order.
  states: {
    readiness: {
      initial: 'deploying',
      states: {
        deploying: {
          on: readinessMoves([
            { guard: { type: 'readyIs', params: { status: 'True' } }, target: 'ready', actions: ['sayReady'] },
            { guard: { type: 'readyIs', params: { status: 'False' } }, target: 'failed', actions: ['sayFailed'] },
          ]),
        },
        ready: {
          on: readinessMoves([
            { guard: { type: 'readyIs', params: { status: 'False' } }, target: 'failed', actions: ['sayFailed'] },
            {
              guard: { type: 'readyIs', params: { status: 'Unknown' } },
              target: 'deploying',
              actions: [
                {
                  type: 'diverge',
                  params: { from: 'Ready', to: 'Deploying', rule: RULE_INITIALIZED_NEVER_GOES_BACK },
                },
              ],
            },
          ]),
        },
        failed: {
          on: readinessMoves([
            { guard: { type: 'readyIs', params: { status: 'True' } }, target: 'ready', actions: ['sayReadyAgain'] },
            { guard: { type: 'readyIs', params: { status: 'Unknown' } }, target: 'deploying', actions: [] },
          ]),
        },
      },
    },
    activity: {
      initial: 'deploying',
      states: {
        deploying: {
          on: activityMoves([
            { guard: { type: 'activeIs', params: { mode: 'True' } }, target: 'active' },
            { guard: { type: 'activeIs', params: { mode: 'False' } }, target: 'inactive' },
            { guard: { type: 'activeIs', params: { mode: 'Unknown' } }, target: 'activating' },
          ]),
        },
        activating: {
          on: activityMoves([
            { guard: { type: 'activeIs', params: { mode: 'True' } }, target: 'active' },
            { guard: { type: 'activeIs', params: { mode: 'False' } }, target: 'inactive', actions: ['sayInactive'] },
            backToDeploying('Activating'),
          ]),
        },
        active: {
          on: activityMoves([
            { guard: { type: 'activeIs', params: { mode: 'False' } }, target: 'inactive', actions: ['sayInactive'] },
            { guard: { type: 'activeIs', params: { mode: 'Unknown' } }, target: 'activating' },
            backToDeploying('Active'),
          ]),
        },
        inactive: {
          on: activityMoves([
            { guard: { type: 'activeIs', params: { mode: 'True' } }, target: 'active', actions: ['sayActiveAgain'] },
            { guard: { type: 'activeIs', params: { mode: 'Unknown' } }, target: 'waking', actions: ['sayWaking'] },
            backToDeploying('Inactive'),
          ]),
        },
        waking: {
          on: activityMoves([
            { guard: { type: 'activeIs', params: { mode: 'True' } }, target: 'active', actions: ['sayActiveAgain'] },
            { guard: { type: 'activeIs', params: { mode: 'False' } }, target: 'inactive', actions: ['sayInactive'] },
            backToDeploying('Activating'),
          ]),
        },
      },
    },
  },
});

function milestone(text: string) {
  return { type: 'milestone' as const, text };
}

/** Active back to Deploying: the cluster did what the PA's rules never do. */
function backToDeploying(from: string) {
  return {
    guard: { type: 'activeIs', params: { mode: 'Deploying' } },
    target: 'deploying',
    actions: [
      {
        type: 'diverge',
        params: { from: `Active ${from}`, to: 'Active Deploying', rule: RULE_PA_CONDITIONS_STAY },
      },
    ],
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a move as the machine's config types it (checked there)
type Move = any;
/** A state's transitions by event, as the machine's config types them (checked by the tests). */
// biome-ignore lint/suspicious/noExplicitAny: see Move
type Moves = any;

/**
 * A readiness state's moves for both events: each takes the event's conditions first (and a
 * reconcile reports its status), then says what it says; the last, unguarded, only takes them.
 */
function readinessMoves(moves: readonly Move[]): Moves {
  const take = (first: readonly string[]) => [
    ...moves.map((m) => ({ ...m, actions: [...first, ...(m.actions ?? [])] })),
    { actions: [...first] },
  ];
  return {
    'revision.reconcile': take(['markConditions', 'reportStatus']),
    'revision.reported': take(['takeReported']),
  };
}

/** An activity state's moves, the same for both events (the readiness region took the conditions). */
function activityMoves(moves: readonly Move[]): Moves {
  return { 'revision.reconcile': moves, 'revision.reported': moves };
}
