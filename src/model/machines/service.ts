/**
 * A Service's lifecycle, in the mode its Ready condition reports: deploying until its
 * Configuration has a ready revision and its Route serves it, then ready; a change of spec
 * rolls out (Ready Unknown again: the same condition as deploying, but after having served);
 * a failed latest revision makes it fail (traffic stays on the last good one).
 *
 * In the simulator the Service reconciler sends its Configuration and Route as they are after it
 * applied the Service's spec to them (`service.reconcile`); the machine computes the conditions
 * with the model's rules, emits them as `status` for the reconciler to write, and moves. In live
 * mode the cluster's own status comes in (`service.reported`). Each move worth telling is a
 * `milestone`. Knative lets a Service's Ready move between any two values, so no move diverges.
 */
import { assign, emit, setup } from 'xstate';
import type { Condition, ConditionStatus, Configuration, Route, ServiceStatus } from '../api/types.js';
import { serviceSays } from '../narrate/lifecycle.js';
import {
  applyConditions,
  getCondition,
  isTrafficMigrated,
  READY,
  readyStatus,
  SERVICE_CONDITION_SET,
  serviceConfigurationsReady,
  serviceRevisionNameTaken,
  serviceRoutesReady,
} from '../rules/conditions.js';
import type { LifecycleEmitted } from './lifecycle.js';

/**
 * A Service's conditions from its Configuration and Route as they are after the Service
 * reconciler applied its spec to them: ConfigurationsReady, then RoutesReady (with the Route's
 * traffic compared to what the Service asks for), Ready recomputed.
 */
function serviceConditions(
  previous: readonly Condition[] | undefined,
  config: Configuration,
  route: Route | undefined,
  revisionNameTaken: string | undefined,
  nowIso: string,
): Condition[] {
  // A Route the reconciler left alone (a BYO name: see serviceRouteStep) says nothing this time.
  const routesReady = route
    ? serviceRoutesReady(route, isTrafficMigrated(route.spec.traffic, route.status?.traffic, config))
    : revisionNameTaken !== undefined
      ? serviceRevisionNameTaken(revisionNameTaken)
      : undefined;
  return applyConditions(SERVICE_CONDITION_SET, previous, [serviceConfigurationsReady(config), routesReady], nowIso);
}

export interface ServiceLifecycleInput {
  name: string;
}

interface ServiceContext {
  name: string;
  conditions: readonly Condition[] | undefined;
  /** What the milestones quote: the Service's URL and the revision it serves. */
  url: string;
  latestReady: string;
}

export type ServiceLifecycleEvent =
  | {
      type: 'service.reconcile';
      previous: readonly Condition[] | undefined;
      configuration: Configuration;
      /** The Route as the reconciler left it; absent when it did not reconcile it this time. */
      route?: Route;
      /** The BYO revision name that kept the reconciler from the Route, when it is taken. */
      revisionNameTaken?: string;
      nowIso: string;
    }
  | { type: 'service.reported'; status: ServiceStatus | undefined };

export type ServiceLifecycleEmitted = LifecycleEmitted | { type: 'status'; conditions: Condition[] };

/**
 * The conditions an event brings, computed once per event: the guards that pick the move read
 * them before the event's actions store them (the move is judged in the event's own step, not in
 * a second one raised after it, which cost a microstep a send). Events are never reused, so the
 * last one is kept.
 */
let judgedEvent: ServiceLifecycleEvent | undefined;
let judged: readonly Condition[] | undefined;
function judgementOf(event: ServiceLifecycleEvent): readonly Condition[] | undefined {
  if (event === judgedEvent) return judged;
  judged =
    event.type === 'service.reconcile'
      ? serviceConditions(event.previous, event.configuration, event.route, event.revisionNameTaken, event.nowIso)
      : event.status?.conditions;
  judgedEvent = event;
  return judged;
}

export const serviceLifecycleMachine = setup({
  types: {
    input: {} as ServiceLifecycleInput,
    context: {} as ServiceContext,
    events: {} as ServiceLifecycleEvent,
    emitted: {} as ServiceLifecycleEmitted,
  },
  guards: {
    readyIs: ({ event }, params: { status: ConditionStatus }) => readyStatus(judgementOf(event)) === params.status,
  },
  actions: {
    markConditions: assign(({ context, event }) =>
      event.type === 'service.reconcile'
        ? {
            conditions: judgementOf(event),
            url: event.route ? (event.route.status?.url ?? '') : context.url,
            latestReady: event.configuration.status?.latestReadyRevisionName ?? '',
          }
        : {},
    ),
    takeReported: assign(({ event }) =>
      event.type === 'service.reported'
        ? {
            conditions: judgementOf(event),
            url: event.status?.url ?? '',
            latestReady: event.status?.latestReadyRevisionName ?? '',
          }
        : {},
    ),
    reportStatus: emit(({ context }) => ({ type: 'status' as const, conditions: [...(context.conditions ?? [])] })),
    sayReady: emit(({ context }) => milestone(serviceSays.ready(context.name, context.url, context.latestReady))),
    sayReadyAgain: emit(({ context }) => milestone(serviceSays.readyAgain(context.name, context.latestReady))),
    sayRecovered: emit(({ context }) => milestone(serviceSays.recovered(context.name, context.latestReady))),
    sayRollingOut: emit(({ context }) =>
      milestone(serviceSays.rollingOut(context.name, getCondition(context.conditions, READY)?.reason)),
    ),
    sayFailed: emit(({ context }) => {
      const ready = getCondition(context.conditions, READY);
      return milestone(serviceSays.failed(context.name, ready?.reason, ready?.message));
    }),
  },
}).createMachine({
  id: 'service',
  context: ({ input }) => ({ name: input.name, conditions: undefined, url: '', latestReady: '' }),
  initial: 'deploying',
  // Each event is judged in its own step: the state's transitions take the event's conditions
  // (and a reconcile's status goes out) before their own actions, one of them always taken (the
  // last has no guard).
  states: {
    deploying: {
      on: moves([
        { guard: { type: 'readyIs', params: { status: 'True' } }, target: 'ready', actions: ['sayReady'] },
        { guard: { type: 'readyIs', params: { status: 'False' } }, target: 'failed', actions: ['sayFailed'] },
      ]),
    },
    ready: {
      on: moves([
        { guard: { type: 'readyIs', params: { status: 'Unknown' } }, target: 'rollingOut', actions: ['sayRollingOut'] },
        { guard: { type: 'readyIs', params: { status: 'False' } }, target: 'failed', actions: ['sayFailed'] },
      ]),
    },
    rollingOut: {
      on: moves([
        { guard: { type: 'readyIs', params: { status: 'True' } }, target: 'ready', actions: ['sayReadyAgain'] },
        { guard: { type: 'readyIs', params: { status: 'False' } }, target: 'failed', actions: ['sayFailed'] },
      ]),
    },
    failed: {
      on: moves([
        { guard: { type: 'readyIs', params: { status: 'True' } }, target: 'ready', actions: ['sayRecovered'] },
        { guard: { type: 'readyIs', params: { status: 'Unknown' } }, target: 'rollingOut' },
      ]),
    },
  },
});

// biome-ignore lint/suspicious/noExplicitAny: a move as the machine's config types it (checked there)
type Move = any;
/** A state's transitions by event, as the machine's config types them (checked by the tests). */
// biome-ignore lint/suspicious/noExplicitAny: see Move
type Moves = any;

/**
 * A state's moves for both events: each takes the event's conditions first (and a reconcile
 * reports its status), then says what it says; the last, unguarded, only takes them.
 */
function moves(guarded: readonly Move[]): Moves {
  const take = (first: readonly string[]) => [
    ...guarded.map((m) => ({ ...m, actions: [...first, ...(m.actions ?? [])] })),
    { actions: [...first] },
  ];
  return {
    'service.reconcile': take(['markConditions', 'reportStatus']),
    'service.reported': take(['takeReported']),
  };
}

function milestone(text: string) {
  return { type: 'milestone' as const, text };
}
