/**
 * A Configuration's lifecycle, in the mode its Ready condition (its only one) reports: waiting
 * while its latest created revision is not its latest ready one, ready once they are the same,
 * failed when the latest created revision failed (or the latest ready one was deleted).
 *
 * In the simulator the Configuration reconciler sends what it found about its revisions
 * (`configuration.reconcile`); the machine computes the condition with the model's rule and
 * emits it as `status` for the reconciler to write. In live mode the cluster's own conditions
 * come in (`configuration.reported`). Knative lets a Configuration's Ready move between any two
 * values (a new generation, a failure, a recovery), so no move diverges.
 */
import { assign, emit, raise, setup } from 'xstate';
import type { Condition, ConditionStatus } from '../api/types.js';
import {
  applyConditions,
  CONFIGURATION_CONDITION_SET,
  type ConfigurationFacts,
  configurationReady,
  readyStatus,
} from '../rules/conditions.js';
import type { LifecycleEmitted } from './lifecycle.js';

export interface ConfigurationLifecycleInput {
  name: string;
}

export type ConfigurationLifecycleEvent =
  | {
      type: 'configuration.reconcile';
      previous: readonly Condition[] | undefined;
      facts: ConfigurationFacts;
      nowIso: string;
    }
  | { type: 'configuration.reported'; conditions: readonly Condition[] | undefined }
  /** Raised by the machine itself once the conditions are known. */
  | { type: 'configuration.conditionsChanged' };

export type ConfigurationLifecycleEmitted = LifecycleEmitted | { type: 'status'; conditions: Condition[] };

export const configurationLifecycleMachine = setup({
  types: {
    input: {} as ConfigurationLifecycleInput,
    context: {} as { name: string; conditions: readonly Condition[] | undefined },
    events: {} as ConfigurationLifecycleEvent,
    emitted: {} as ConfigurationLifecycleEmitted,
  },
  guards: {
    readyIs: ({ context }, params: { status: ConditionStatus }) => readyStatus(context.conditions) === params.status,
  },
  actions: {
    markConditions: assign({
      conditions: (
        _,
        params: { previous: readonly Condition[] | undefined; facts: ConfigurationFacts; nowIso: string },
      ) =>
        applyConditions(
          CONFIGURATION_CONDITION_SET,
          params.previous,
          [configurationReady(params.facts)],
          params.nowIso,
        ),
    }),
    takeReported: assign({
      conditions: (_, params: { conditions: readonly Condition[] | undefined }) => params.conditions,
    }),
    reportStatus: emit(({ context }) => ({ type: 'status' as const, conditions: [...(context.conditions ?? [])] })),
    judge: raise({ type: 'configuration.conditionsChanged' }),
  },
}).createMachine({
  id: 'configuration',
  context: ({ input }) => ({ name: input.name, conditions: undefined }),
  initial: 'waiting',
  on: {
    'configuration.reconcile': {
      actions: [
        {
          type: 'markConditions',
          params: ({ event }) => ({ previous: event.previous, facts: event.facts, nowIso: event.nowIso }),
        },
        'reportStatus',
        'judge',
      ],
    },
    'configuration.reported': {
      actions: [{ type: 'takeReported', params: ({ event }) => ({ conditions: event.conditions }) }, 'judge'],
    },
  },
  states: {
    waiting: {
      on: {
        'configuration.conditionsChanged': [
          { guard: { type: 'readyIs', params: { status: 'True' } }, target: 'ready' },
          { guard: { type: 'readyIs', params: { status: 'False' } }, target: 'failed' },
        ],
      },
    },
    ready: {
      on: {
        'configuration.conditionsChanged': [
          { guard: { type: 'readyIs', params: { status: 'Unknown' } }, target: 'waiting' },
          { guard: { type: 'readyIs', params: { status: 'False' } }, target: 'failed' },
        ],
      },
    },
    failed: {
      on: {
        'configuration.conditionsChanged': [
          { guard: { type: 'readyIs', params: { status: 'True' } }, target: 'ready' },
          { guard: { type: 'readyIs', params: { status: 'Unknown' } }, target: 'waiting' },
        ],
      },
    },
  },
});
