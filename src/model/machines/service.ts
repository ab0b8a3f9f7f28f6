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

export const serviceLifecycleMachine = setup({
  types: {
    input: {} as ServiceLifecycleInput,
    context: {} as ServiceLifecycleInput,
    events: {} as ServiceLifecycleEvent,
    emitted: {} as ServiceLifecycleEmitted,
  },
  actions: {
    say: emit((_, params: { text: string }) => ({ type: 'milestone' as const, text: params.text })),
  },
}).createMachine({
  id: 'service',
  context: ({ input }) => ({ ...input }),
  initial: 'deploying',
  states: {
    deploying: {
      on: {
        'service.ready': {
          target: 'ready',
          actions: [
            {
              type: 'say',
              params: ({ context, event }) => ({
                text: `service ${context.name} is Ready at ${event.url}, serving ${event.revision}`,
              }),
            },
          ],
        },
        'service.failed': { target: 'failed', actions: [{ type: 'say', params: failText }] },
      },
    },
    ready: {
      on: {
        'service.notReady': {
          target: 'rollingOut',
          actions: [
            {
              type: 'say',
              params: ({ context, event }) => ({
                text: `service ${context.name} is rolling out a change (${event.reason})`,
              }),
            },
          ],
        },
        'service.failed': { target: 'failed', actions: [{ type: 'say', params: failText }] },
      },
    },
    rollingOut: {
      on: {
        'service.ready': {
          target: 'ready',
          actions: [
            {
              type: 'say',
              params: ({ context, event }) => ({
                text: `service ${context.name} is Ready again, serving ${event.revision}`,
              }),
            },
          ],
        },
        'service.failed': { target: 'failed', actions: [{ type: 'say', params: failText }] },
      },
    },
    failed: {
      on: {
        'service.ready': {
          target: 'ready',
          actions: [
            {
              type: 'say',
              params: ({ context, event }) => ({
                text: `service ${context.name} recovered, serving ${event.revision}`,
              }),
            },
          ],
        },
      },
    },
  },
});

function failText({ context, event }: { context: ServiceLifecycleInput; event: ServiceLifecycleEvent }) {
  const e = event as Extract<ServiceLifecycleEvent, { type: 'service.failed' }>;
  return { text: `service ${context.name} is not ready (${e.reason}): ${e.message}` };
}
