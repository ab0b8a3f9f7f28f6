/**
 * A HorizontalPodAutoscaler's control loop (kube-controller-manager's HPA controller) in the
 * modes its ScalingActive condition reports: waiting for its first sync, active (a valid metric
 * gives a replica count), failing (the metric cannot be computed: no requests, no metrics), or
 * disabled (the target has no replicas). Every sync period (15 s) it asks for what the cluster
 * shows (`observe`); with the answer it runs the controller's rules (src/model/hpa, syncHpa),
 * emits the status to write, the events and, when the count changes, the new scale.
 */
import { assign, emit, setup } from 'xstate';
import type { HpaHistory } from '../hpa/behavior.js';
import { type HpaSync, syncHpa } from '../hpa/reconcile.js';
import type { HpaPod } from '../hpa/replicas.js';
import { HPA_SYNC_PERIOD_MS, type HpaSpec } from '../hpa/spec.js';

export interface HpaObservation {
  readonly spec: HpaSpec;
  readonly currentReplicas: number;
  readonly previousDesired: number;
  readonly pods: readonly HpaPod[];
  readonly nowMs: number;
}

export type HpaMachineEvent = { type: 'hpa.observed'; observation: HpaObservation } | { type: 'hpa.stop' };

export type HpaEmitted =
  /** Time to sync: tell me what the cluster shows. */
  { type: 'observe' } | { type: 'synced'; sync: HpaSync };

interface HpaContext {
  name: string;
  history: HpaHistory | undefined;
  last: HpaSync | undefined;
}

export const hpaMachine = setup({
  types: {
    input: {} as { name: string },
    context: {} as HpaContext,
    events: {} as HpaMachineEvent,
    emitted: {} as HpaEmitted,
  },
  delays: { syncPeriod: HPA_SYNC_PERIOD_MS },
  guards: {
    modeIs: ({ context }, params: { mode: HpaSync['mode'] }) => context.last?.mode === params.mode,
  },
  actions: {
    askToObserve: emit({ type: 'observe' as const }),
    sync: assign(({ context }, params: { observation: HpaObservation }) => {
      const last = syncHpa({ ...params.observation, history: context.history });
      return { last, history: last.history };
    }),
    tell: emit(({ context }) => ({ type: 'synced' as const, sync: context.last! })),
  },
}).createMachine({
  id: 'hpa',
  context: ({ input }) => ({ name: input.name, history: undefined, last: undefined }),
  type: 'parallel',
  states: {
    loop: {
      initial: 'ticking',
      states: {
        // A new HPA is synced at once, then every sync period.
        ticking: {
          entry: ['askToObserve'],
          after: { syncPeriod: { target: 'ticking', reenter: true } },
          on: { 'hpa.stop': 'stopped' },
        },
        stopped: { type: 'final' },
      },
    },
    scalingActive: {
      initial: 'waiting',
      on: {
        'hpa.observed': {
          target: '.judging',
          actions: [{ type: 'sync', params: ({ event }) => ({ observation: event.observation }) }, 'tell'],
        },
      },
      states: {
        waiting: {},
        judging: {
          always: [
            { guard: { type: 'modeIs', params: { mode: 'active' } }, target: 'active' },
            { guard: { type: 'modeIs', params: { mode: 'failing' } }, target: 'failing' },
            { target: 'disabled' },
          ],
        },
        active: {},
        failing: {},
        disabled: {},
      },
    },
  },
});
