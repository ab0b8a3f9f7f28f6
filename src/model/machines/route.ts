/**
 * A Route's lifecycle, in two regions:
 * - ingress: each new traffic assignment must be programmed into the networking layer (the
 *   KIngress) before IngressReady turns True. Until the first traffic exists there is nothing to
 *   program; a change while programming starts the wait over. This region is the simulator's
 *   networking layer: in live mode the real one does it.
 * - readiness: the mode the Route's Ready reports: pending until all traffic is assigned and
 *   programmed, then ready; updating (Unknown again after having been ready) while a change is
 *   programmed; failed when a target is missing or failed.
 *
 * In the simulator the Route reconciler sends the traffic it resolved (`route.reconcile`); the
 * ingress region decides whether it is programmed, the conditions come from the model's rules
 * and are emitted as `status` for the reconciler to write; `ingress.programmed` asks for another
 * reconcile. In live mode the cluster's own conditions come in (`route.reported`). Knative lets
 * a Route's Ready move between any two values, so no move diverges.
 */
import { assign, emit, raise, setup } from 'xstate';
import type { Condition, ConditionStatus } from '../api/types.js';
import {
  applyConditions,
  type ConditionUpdate,
  ROUTE_CONDITION_SET,
  readyStatus,
  routeIngressReady,
  routeTlsNotEnabled,
} from '../rules/conditions.js';
import type { LifecycleEmitted } from './lifecycle.js';

const CERTIFICATE_PROVISIONED = 'CertificateProvisioned';

export interface RouteInput {
  name: string;
  /** How long the networking layer takes to program a change (a simulator setting). */
  ingressProgrammingMs: number;
}

interface RouteContext extends RouteInput {
  /** The traffic last handed to the networking layer (its resolved status.traffic, as JSON). */
  traffic: string;
  conditions: readonly Condition[] | undefined;
}

/** What the Route reconciler resolved. */
export interface RouteObservation {
  /** The resolved traffic as JSON; undefined when some target is not usable (nothing to program). */
  readonly traffic: string | undefined;
  readonly allTrafficAssigned: ConditionUpdate;
  readonly clusterLocal: boolean;
}

export type RouteEvent =
  | { type: 'route.reconcile'; previous: readonly Condition[] | undefined; observed: RouteObservation; nowIso: string }
  | { type: 'route.reported'; conditions: readonly Condition[] | undefined }
  /** Raised by the machine itself once the conditions are known. */
  | { type: 'route.conditionsChanged' };

export type RouteEmitted =
  | LifecycleEmitted
  | { type: 'status'; conditions: Condition[] }
  | { type: 'ingress.programmed'; traffic: string };

type Reconcile = Extract<RouteEvent, { type: 'route.reconcile' }>;

export const routeMachine = setup({
  types: {
    input: {} as RouteInput,
    context: {} as RouteContext,
    events: {} as RouteEvent,
    emitted: {} as RouteEmitted,
  },
  delays: {
    ingressProgramming: ({ context }) => context.ingressProgrammingMs,
  },
  guards: {
    trafficChanged: (_, params: { observed: RouteObservation; programming: string }) =>
      params.observed.traffic !== undefined && params.observed.traffic !== params.programming,
    readyIs: ({ context }, params: { status: ConditionStatus }) => readyStatus(context.conditions) === params.status,
  },
  actions: {
    rememberTraffic: assign({ traffic: (_, params: { traffic: string | undefined }) => params.traffic ?? '' }),
    markConditions: assign({
      // IngressReady is True only once the current traffic is programmed.
      conditions: (_, { event, programmed }: { event: Reconcile; programmed: boolean }) => {
        const ingress = routeIngressReady(programmed ? { type: 'Ready', status: 'True' } : undefined);
        if (event.observed.traffic === undefined) {
          // Knative's Route reconciler marks the ingress not configured, then resolves the traffic;
          // with a target not usable it marks AllTrafficAssigned and stops before the TLS and
          // ingress steps (route.go ReconcileKind). So Ready reports the traffic's reason, as
          // `RevisionMissing` while a new Service's first revision starts, and
          // CertificateProvisioned stays as InitializeConditions left it.
          const certificate = event.previous?.some((c) => c.type === CERTIFICATE_PROVISIONED)
            ? undefined
            : ({ type: CERTIFICATE_PROVISIONED, status: 'Unknown' } as const);
          return applyConditions(
            ROUTE_CONDITION_SET,
            event.previous,
            [certificate, ingress, event.observed.allTrafficAssigned],
            event.nowIso,
          );
        }
        return applyConditions(
          ROUTE_CONDITION_SET,
          event.previous,
          [event.observed.allTrafficAssigned, ingress, routeTlsNotEnabled(event.observed.clusterLocal)],
          event.nowIso,
        );
      },
    }),
    takeReported: assign({
      conditions: (_, params: { conditions: readonly Condition[] | undefined }) => params.conditions,
    }),
    reportStatus: emit(({ context }) => ({ type: 'status' as const, conditions: [...(context.conditions ?? [])] })),
    judge: raise({ type: 'route.conditionsChanged' }),
    announceProgrammed: emit(({ context }) => ({ type: 'ingress.programmed' as const, traffic: context.traffic })),
  },
}).createMachine({
  id: 'route',
  context: ({ input }) => ({ ...input, traffic: '', conditions: undefined }),
  type: 'parallel',
  on: {
    'route.reported': {
      actions: [{ type: 'takeReported', params: ({ event }) => ({ conditions: event.conditions }) }, 'judge'],
    },
  },
  states: {
    ingress: {
      initial: 'noTraffic',
      states: {
        noTraffic: { on: { 'route.reconcile': reconcile('noTraffic') } },
        programming: {
          after: { ingressProgramming: 'programmed' },
          on: { 'route.reconcile': reconcile('programming') },
        },
        programmed: {
          entry: ['announceProgrammed'],
          on: { 'route.reconcile': reconcile('programmed') },
        },
      },
    },
    readiness: {
      initial: 'pending',
      states: {
        pending: {
          on: {
            'route.conditionsChanged': [
              { guard: { type: 'readyIs', params: { status: 'True' } }, target: 'ready' },
              { guard: { type: 'readyIs', params: { status: 'False' } }, target: 'failed' },
            ],
          },
        },
        ready: {
          on: {
            'route.conditionsChanged': [
              { guard: { type: 'readyIs', params: { status: 'Unknown' } }, target: 'updating' },
              { guard: { type: 'readyIs', params: { status: 'False' } }, target: 'failed' },
            ],
          },
        },
        updating: {
          on: {
            'route.conditionsChanged': [
              { guard: { type: 'readyIs', params: { status: 'True' } }, target: 'ready' },
              { guard: { type: 'readyIs', params: { status: 'False' } }, target: 'failed' },
            ],
          },
        },
        failed: {
          on: {
            'route.conditionsChanged': [
              { guard: { type: 'readyIs', params: { status: 'True' } }, target: 'ready' },
              { guard: { type: 'readyIs', params: { status: 'Unknown' } }, target: 'updating' },
            ],
          },
        },
      },
    },
  },
});

/**
 * A reconcile in an ingress state: new traffic is handed to the networking layer (programming
 * again, IngressReady not yet True); otherwise IngressReady is True only once programmed.
 */
function reconcile(state: 'noTraffic' | 'programming' | 'programmed') {
  return [
    {
      guard: {
        type: 'trafficChanged',
        params: ({ context, event }: { context: RouteContext; event: Reconcile }) => ({
          observed: event.observed,
          programming: context.traffic,
        }),
      },
      target: 'programming',
      reenter: true,
      actions: [
        { type: 'rememberTraffic', params: ({ event }: { event: Reconcile }) => ({ traffic: event.observed.traffic }) },
        { type: 'markConditions', params: ({ event }: { event: Reconcile }) => ({ event, programmed: false }) },
        'reportStatus',
        'judge',
      ],
    },
    {
      actions: [
        {
          type: 'markConditions',
          params: ({ event }: { event: Reconcile }) => ({ event, programmed: state === 'programmed' }),
        },
        'reportStatus',
        'judge',
      ],
    },
  ] as const;
}
