/**
 * A Revision's life as a learner sees it: deploying until its first pods are ready, then ready
 * (serving, or scaled to zero: still Ready, with Active False), or failed. The Revision
 * reconciler sends what the conditions say; the machine turns it into milestones for the log.
 */
import { emit, setup } from 'xstate';

export interface RevisionLifecycleInput {
  name: string;
}

export type RevisionLifecycleEvent =
  | { type: 'revision.ready' }
  | { type: 'revision.failed'; reason: string; message: string }
  | { type: 'revision.activated' }
  | { type: 'revision.deactivated'; reason: string };

export type RevisionLifecycleEmitted = { type: 'milestone'; text: string };

export const revisionLifecycleMachine = setup({
  types: {
    input: {} as RevisionLifecycleInput,
    context: {} as RevisionLifecycleInput,
    events: {} as RevisionLifecycleEvent,
    emitted: {} as RevisionLifecycleEmitted,
  },
  actions: {
    say: emit((_, params: { text: string }) => ({ type: 'milestone' as const, text: params.text })),
  },
}).createMachine({
  id: 'revision',
  context: ({ input }) => ({ ...input }),
  initial: 'deploying',
  states: {
    deploying: {
      on: {
        'revision.ready': {
          target: 'ready',
          actions: [
            {
              type: 'say',
              params: ({ context }) => ({ text: `revision ${context.name} is Ready: its first pod passed readiness` }),
            },
          ],
        },
        'revision.failed': {
          target: 'failed',
          actions: [
            {
              type: 'say',
              params: ({ context, event }) => ({
                text: `revision ${context.name} failed (${event.reason}): ${event.message}`,
              }),
            },
          ],
        },
      },
    },
    ready: {
      initial: 'active',
      states: {
        active: {
          on: {
            'revision.deactivated': {
              target: 'inactive',
              actions: [
                {
                  type: 'say',
                  params: ({ context, event }) => ({
                    text:
                      event.reason === 'NoTraffic'
                        ? `no traffic for a whole stable window: revision ${context.name} becomes inactive and will scale to zero (it stays Ready)`
                        : `revision ${context.name} becomes inactive (${event.reason})`,
                  }),
                },
              ],
            },
          },
        },
        inactive: {
          on: {
            'revision.activated': {
              target: 'active',
              actions: [
                {
                  type: 'say',
                  params: ({ context }) => ({ text: `revision ${context.name} is active again: a pod is serving` }),
                },
              ],
            },
          },
        },
      },
      on: {
        'revision.failed': {
          target: 'failed',
          actions: [
            {
              type: 'say',
              params: ({ context, event }) => ({
                text: `revision ${context.name} failed (${event.reason}): ${event.message}`,
              }),
            },
          ],
        },
      },
    },
    failed: {
      on: { 'revision.ready': 'ready' },
    },
  },
});
