/**
 * A Service's life: not ready until its Configuration has a ready revision and its Route serves
 * it, then ready; a change of spec.template rolls out a new revision (not ready again until
 * it is); a failed latest revision makes it fail (traffic stays on the last good one).
 */
import { emit, setup } from 'xstate';

export interface ServiceLifecycleInput {
  name: string;
}

export type ServiceLifecycleEvent =
  | { type: 'service.ready'; url: string; revision: string }
  | { type: 'service.notReady'; reason: string }
  | { type: 'service.failed'; reason: string; message: string };

export type ServiceLifecycleEmitted = { type: 'milestone'; text: string };

type Ready = Extract<ServiceLifecycleEvent, { type: 'service.ready' }>;
type NotReady = Extract<ServiceLifecycleEvent, { type: 'service.notReady' }>;
type Failed = Extract<ServiceLifecycleEvent, { type: 'service.failed' }>;

const milestone = (text: string) => ({ type: 'milestone' as const, text });

export const serviceLifecycleMachine = setup({
  types: {
    input: {} as ServiceLifecycleInput,
    context: {} as ServiceLifecycleInput,
    events: {} as ServiceLifecycleEvent,
    emitted: {} as ServiceLifecycleEmitted,
  },
  actions: {
    sayReady: emit(({ context, event }) => {
      const e = event as Ready;
      return milestone(`service ${context.name} is Ready at ${e.url}, serving ${e.revision}`);
    }),
    sayReadyAgain: emit(({ context, event }) =>
      milestone(`service ${context.name} is Ready again, serving ${(event as Ready).revision}`),
    ),
    sayRecovered: emit(({ context, event }) =>
      milestone(`service ${context.name} recovered, serving ${(event as Ready).revision}`),
    ),
    sayRollingOut: emit(({ context, event }) =>
      milestone(`service ${context.name} is rolling out a change (${(event as NotReady).reason})`),
    ),
    sayFailed: emit(({ context, event }) => {
      const e = event as Failed;
      return milestone(`service ${context.name} is not ready (${e.reason}): ${e.message}`);
    }),
  },
}).createMachine({
  id: 'service',
  context: ({ input }) => ({ ...input }),
  initial: 'deploying',
  states: {
    deploying: {
      on: {
        'service.ready': { target: 'ready', actions: ['sayReady'] },
        'service.failed': { target: 'failed', actions: ['sayFailed'] },
      },
    },
    ready: {
      on: {
        'service.notReady': { target: 'rollingOut', actions: ['sayRollingOut'] },
        'service.failed': { target: 'failed', actions: ['sayFailed'] },
      },
    },
    rollingOut: {
      on: {
        'service.ready': { target: 'ready', actions: ['sayReadyAgain'] },
        'service.failed': { target: 'failed', actions: ['sayFailed'] },
      },
    },
    failed: {
      on: { 'service.ready': { target: 'ready', actions: ['sayRecovered'] } },
    },
  },
});
