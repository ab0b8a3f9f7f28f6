/**
 * A revision pod's life: scheduled (Pending), containers created (ContainerCreating), running
 * until the queue-proxy's readiness probe passes (Running, 1/2 ready), serving (Running, 2/2),
 * and on deletion Terminating while the queue-proxy drains, then gone.
 *
 * Durations come in as input; the machine only says in which order things happen.
 */
import { assign, emit, setup } from 'xstate';
import type { PodPhase } from '../events.js';

export interface PodInput {
  name: string;
  revision: string;
  /** Pending → ContainerCreating (scheduling). */
  schedulingMs: number;
  /** ContainerCreating → Running (image pull if any, container start). */
  creatingMs: number;
  /** Running → Ready (the app starts listening and the readiness probe passes). */
  startupMs: number;
  /** Terminating → gone (queue-proxy drain, then the containers exit). */
  drainMs: number;
}

/** How long a pod deleted before its containers ran lingers as Terminating. */
export const UNSTARTED_TERMINATION_MS = 500;

export type PodMachineEvent = { type: 'pod.delete' };

export type PodEmitted = { type: 'phase'; phase: PodPhase };

export const podMachine = setup({
  types: {
    input: {} as PodInput,
    context: {} as PodInput & { deletedFrom?: PodPhase },
    events: {} as PodMachineEvent,
    emitted: {} as PodEmitted,
  },
  delays: {
    scheduling: ({ context }) => context.schedulingMs,
    creating: ({ context }) => context.creatingMs,
    startup: ({ context }) => context.startupMs,
    // A pod whose containers never started has nothing to drain: it goes almost at once.
    drain: ({ context }) =>
      context.deletedFrom === 'Pending' || context.deletedFrom === 'ContainerCreating'
        ? UNSTARTED_TERMINATION_MS
        : context.drainMs,
  },
  actions: {
    announce: emit((_, params: { phase: PodPhase }) => ({ type: 'phase' as const, phase: params.phase })),
    rememberDeletion: assign({ deletedFrom: (_, params: { from: PodPhase }) => params.from }),
  },
}).createMachine({
  id: 'pod',
  context: ({ input }) => ({ ...input }),
  initial: 'pending',
  states: {
    pending: {
      entry: [{ type: 'announce', params: { phase: 'Pending' } }],
      after: { scheduling: 'containerCreating' },
      on: {
        'pod.delete': { target: 'terminating', actions: [{ type: 'rememberDeletion', params: { from: 'Pending' } }] },
      },
    },
    containerCreating: {
      entry: [{ type: 'announce', params: { phase: 'ContainerCreating' } }],
      after: { creating: 'running' },
      on: {
        'pod.delete': {
          target: 'terminating',
          actions: [{ type: 'rememberDeletion', params: { from: 'ContainerCreating' } }],
        },
      },
    },
    running: {
      entry: [{ type: 'announce', params: { phase: 'Running' } }],
      after: { startup: 'ready' },
      on: {
        'pod.delete': { target: 'terminating', actions: [{ type: 'rememberDeletion', params: { from: 'Running' } }] },
      },
    },
    ready: {
      entry: [{ type: 'announce', params: { phase: 'Ready' } }],
      on: {
        'pod.delete': { target: 'terminating', actions: [{ type: 'rememberDeletion', params: { from: 'Ready' } }] },
      },
    },
    terminating: {
      entry: [{ type: 'announce', params: { phase: 'Terminating' } }],
      after: { drain: 'gone' },
    },
    gone: {
      type: 'final',
      entry: [{ type: 'announce', params: { phase: 'Gone' } }],
    },
  },
});
