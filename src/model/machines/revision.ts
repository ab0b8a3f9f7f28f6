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

type Failed = Extract<RevisionLifecycleEvent, { type: 'revision.failed' }>;
type Deactivated = Extract<RevisionLifecycleEvent, { type: 'revision.deactivated' }>;

const milestone = (text: string) => ({ type: 'milestone' as const, text });

export const revisionLifecycleMachine = setup({
  types: {
    input: {} as RevisionLifecycleInput,
    context: {} as RevisionLifecycleInput,
    events: {} as RevisionLifecycleEvent,
    emitted: {} as RevisionLifecycleEmitted,
  },
  actions: {
    sayReady: emit(({ context }) => milestone(`revision ${context.name} is Ready: its first pod passed readiness`)),
    sayFailed: emit(({ context, event }) => {
      const e = event as Failed;
      return milestone(`revision ${context.name} failed (${e.reason}): ${e.message}`);
    }),
    sayInactive: emit(({ context, event }) => {
      const reason = (event as Deactivated).reason;
      return milestone(
        reason === 'NoTraffic'
          ? `no traffic for a whole stable window: revision ${context.name} becomes inactive and will scale to zero (it stays Ready)`
          : `revision ${context.name} becomes inactive (${reason})`,
      );
    }),
    sayActive: emit(({ context }) => milestone(`revision ${context.name} is active again: a pod is serving`)),
  },
}).createMachine({
  id: 'revision',
  context: ({ input }) => ({ ...input }),
  initial: 'deploying',
  states: {
    deploying: {
      on: {
        'revision.ready': { target: 'ready', actions: ['sayReady'] },
        'revision.failed': { target: 'failed', actions: ['sayFailed'] },
      },
    },
    ready: {
      initial: 'active',
      states: {
        active: { on: { 'revision.deactivated': { target: 'inactive', actions: ['sayInactive'] } } },
        inactive: { on: { 'revision.activated': { target: 'active', actions: ['sayActive'] } } },
      },
      on: { 'revision.failed': { target: 'failed', actions: ['sayFailed'] } },
    },
    failed: {
      on: { 'revision.ready': 'ready' },
    },
  },
});
