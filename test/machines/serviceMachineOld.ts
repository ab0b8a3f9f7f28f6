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
import { assign, emit, raise, setup } from 'xstate';
import type { Condition, ConditionStatus, Configuration, Route, ServiceStatus } from '../../src/model/api/types.js';
import type { LifecycleEmitted } from '../../src/model/machines/lifecycle.js';
import { serviceSays } from '../../src/model/narrate/lifecycle.js';
import {
  applyConditions,
  getCondition,
  isTrafficMigrated,
  READY,
  readyStatus,
  SERVICE_CONDITION_SET,
  serviceConfigurationsReady,
  serviceRoutesReady,
} from '../../src/model/rules/conditions.js';

/**
 * A Service's conditions from its Configuration and Route as they are after the Service
 * reconciler applied its spec to them: ConfigurationsReady, then RoutesReady (with the Route's
 * traffic compared to what the Service asks for), Ready recomputed.
 */
function serviceConditions(
  previous: readonly Condition[] | undefined,
  config: Configuration,
  route: Route,
  nowIso: string,
): Condition[] {
  const migrated = isTrafficMigrated(route.spec.traffic, route.status?.traffic, config);
  return applyConditions(
    SERVICE_CONDITION_SET,
    previous,
    [serviceConfigurationsReady(config), serviceRoutesReady(route, migrated)],
    nowIso,
  );
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
      route: Route;
      nowIso: string;
    }
  | { type: 'service.reported'; status: ServiceStatus | undefined }
  /** Raised by the machine itself once the conditions are known. */
  | { type: 'service.conditionsChanged' };

export type ServiceLifecycleEmitted = LifecycleEmitted | { type: 'status'; conditions: Condition[] };

export const serviceLifecycleMachine = setup({
  types: {
    input: {} as ServiceLifecycleInput,
    context: {} as ServiceContext,
    events: {} as ServiceLifecycleEvent,
    emitted: {} as ServiceLifecycleEmitted,
  },
  guards: {
    readyIs: ({ context }, params: { status: ConditionStatus }) => readyStatus(context.conditions) === params.status,
  },
  actions: {
    markConditions: assign(
      (
        _,
        params: {
          previous: readonly Condition[] | undefined;
          configuration: Configuration;
          route: Route;
          nowIso: string;
        },
      ) => ({
        conditions: serviceConditions(params.previous, params.configuration, params.route, params.nowIso),
        url: params.route.status?.url ?? '',
        latestReady: params.configuration.status?.latestReadyRevisionName ?? '',
      }),
    ),
    takeReported: assign((_, params: { status: ServiceStatus | undefined }) => ({
      conditions: params.status?.conditions,
      url: params.status?.url ?? '',
      latestReady: params.status?.latestReadyRevisionName ?? '',
    })),
    reportStatus: emit(({ context }) => ({ type: 'status' as const, conditions: [...(context.conditions ?? [])] })),
    judge: raise({ type: 'service.conditionsChanged' }),
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
  on: {
    'service.reconcile': {
      actions: [
        {
          type: 'markConditions',
          params: ({ event }) => ({
            previous: event.previous,
            configuration: event.configuration,
            route: event.route,
            nowIso: event.nowIso,
          }),
        },
        'reportStatus',
        'judge',
      ],
    },
    'service.reported': {
      actions: [{ type: 'takeReported', params: ({ event }) => ({ status: event.status }) }, 'judge'],
    },
  },
  states: {
    deploying: {
      on: {
        'service.conditionsChanged': [
          { guard: { type: 'readyIs', params: { status: 'True' } }, target: 'ready', actions: ['sayReady'] },
          { guard: { type: 'readyIs', params: { status: 'False' } }, target: 'failed', actions: ['sayFailed'] },
        ],
      },
    },
    ready: {
      on: {
        'service.conditionsChanged': [
          {
            guard: { type: 'readyIs', params: { status: 'Unknown' } },
            target: 'rollingOut',
            actions: ['sayRollingOut'],
          },
          { guard: { type: 'readyIs', params: { status: 'False' } }, target: 'failed', actions: ['sayFailed'] },
        ],
      },
    },
    rollingOut: {
      on: {
        'service.conditionsChanged': [
          { guard: { type: 'readyIs', params: { status: 'True' } }, target: 'ready', actions: ['sayReadyAgain'] },
          { guard: { type: 'readyIs', params: { status: 'False' } }, target: 'failed', actions: ['sayFailed'] },
        ],
      },
    },
    failed: {
      on: {
        'service.conditionsChanged': [
          { guard: { type: 'readyIs', params: { status: 'True' } }, target: 'ready', actions: ['sayRecovered'] },
          { guard: { type: 'readyIs', params: { status: 'Unknown' } }, target: 'rollingOut' },
        ],
      },
    },
  },
});

function milestone(text: string) {
  return { type: 'milestone' as const, text };
}
