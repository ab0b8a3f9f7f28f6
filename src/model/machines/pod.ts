/**
 * A revision pod's life as the scheduler and the kubelet drive it: waiting to be scheduled
 * (Pending; unschedulable while no node fits, retried when the cluster changes), bound to a node,
 * its images pulled (ContainerCreating), containers created and started, running until the
 * queue-proxy's readiness probe passes (Running, 1/2 ready), serving (Running, 2/2), and on
 * deletion Terminating while the queue-proxy drains, then gone.
 *
 * An app that exits (scenario `crashImages`) does so a fixed time after each start of its
 * container. Before its readiness probe passes, its pod stays Running, not ready, while the
 * kubelet starts the container again and again with CrashLoopBackOff's back-off
 * (src/model/cluster/crashLoop.ts). After it, the pod serves (Ready) until the exit, stays Ready
 * until the kubelet's next relist sees the exit, then is Running, not ready, until the container,
 * started again, passes its readiness probe again. A serving app the kernel kills for its memory
 * (`pod.oomKilled`, from the data plane) takes the same way out of Ready.
 *
 * Durations come in as input; who binds the pod and when its images are on the node are events
 * (the scheduler's and the kubelet's image manager's answers to `schedule` and `pull`). The
 * machine only says in which order things happen.
 */
import { assign, emit, setup } from 'xstate';
import { crashLoopNext, KUBELET_RELIST_MS } from '../cluster/crashLoop.js';
import type { PodPhase } from '../events.js';

export interface PodInput {
  name: string;
  revision: string;
  /** From creation until the scheduler first considers the pod. */
  schedulingMs: number;
  /** Images on the node → Running (container create and start). */
  creatingMs: number;
  /** Running → Ready (the app starts listening and the readiness probe passes). */
  startupMs: number;
  /** Terminating → gone (queue-proxy drain, then the containers exit). */
  drainMs: number;
  /**
   * From the user container's start to its exit, each time it runs; undefined: it never exits.
   * Longer than `startupMs`: the pod is Ready in between.
   */
  exitAfterMs?: number;
  /** Its exits are the kernel's kills for its memory (an app that alone passes its limit). */
  exitsOomKilled?: boolean;
}

/** How long a pod deleted before its containers ran lingers as Terminating. */
const UNSTARTED_TERMINATION_MS = 500;

export type PodMachineEvent =
  /** A deletion; `drainMs` (when given) is how long this pod takes to go (src/model/timeouts.ts `terminationMs`). */
  | { type: 'pod.delete'; drainMs?: number }
  /** The scheduler bound the pod to a node. */
  | { type: 'pod.bound'; node: string }
  /** No node fits: the scheduler's FitError message. */
  | { type: 'pod.unschedulable'; message: string }
  /** The kubelet has the pod's images on its node. */
  | { type: 'pod.pulled' }
  /** The kernel killed the serving app for its memory, `ranMs` after the container started. */
  | { type: 'pod.oomKilled'; ranMs: number };

export type PodEmitted =
  | { type: 'phase'; phase: PodPhase }
  /** Asks the scheduler for a node (after the scheduling delay, and again on each retry). */
  | { type: 'schedule' }
  /** The pod could not be scheduled (its PodScheduled condition and FailedScheduling event). */
  | { type: 'unschedulable'; message: string }
  /** Asks the node's kubelet for the pod's images. */
  | { type: 'pull'; node: string }
  /**
   * The user container exited (`exited`: the kubelet shows it terminated), waits out its back-off
   * (`backOff`: CrashLoopBackOff) or was started again (`restarted`). `exits` counts its exits so
   * far, `backOffMs` is the back-off the last one earned; `oomKilled`: the last exit was the
   * kernel's kill for the app's memory.
   */
  | {
      type: 'container';
      state: 'exited' | 'backOff' | 'restarted';
      exits: number;
      backOffMs: number;
      oomKilled: boolean;
    };

/** Every Pending step leaves on a deletion or a binding. */
const PENDING_EXITS = {
  'pod.delete': {
    target: 'terminating',
    actions: [{ type: 'rememberDeletion', params: { from: 'Pending' } }],
  },
  'pod.bound': {
    target: 'pulling',
    actions: [{ type: 'bind', params: ({ event }: { event: { node: string } }) => ({ node: event.node }) }],
  },
} as const;

/** An exit: counted, its back-off from the kubelet's entry, told. */
const EXIT_ACTIONS = [
  {
    type: 'countExit',
    params: ({ context }: { context: PodInput }) => ({
      ranMs: context.exitAfterMs ?? 0,
      oom: context.exitsOomKilled === true,
    }),
  },
  { type: 'tellContainer', params: { state: 'exited' } },
] as const;

/** The kernel's kill of a serving app for its memory. */
const OOM_KILLED = {
  'pod.oomKilled': {
    target: 'died',
    actions: [
      { type: 'countExit', params: ({ event }: { event: { ranMs: number } }) => ({ ranMs: event.ranMs, oom: true }) },
      { type: 'tellContainer', params: { state: 'exited' } },
    ],
  },
} as const;

/** A deletion after the app exited while serving, before the kubelet saw it: the pod was Ready. */
const DIED_EXITS = {
  'pod.delete': {
    target: 'terminating',
    actions: [{ type: 'rememberDeletion', params: { from: 'Ready' } }],
  },
} as const;

/** A deletion while the app crash-loops: the pod was Running. */
const CRASHING_EXITS = {
  'pod.delete': {
    target: 'terminating',
    actions: [{ type: 'rememberDeletion', params: { from: 'Running' } }],
  },
} as const;

/** Every ContainerCreating step leaves on a deletion. */
const CONTAINER_CREATING_EXITS = {
  'pod.delete': {
    target: 'terminating',
    actions: [{ type: 'rememberDeletion', params: { from: 'ContainerCreating' } }],
  },
} as const;

export const podMachine = setup({
  types: {
    input: {} as PodInput,
    context: {} as PodInput & {
      deletedFrom?: PodPhase;
      node?: string;
      unschedulable?: string;
      exits: number;
      /** The kubelet's back-off entry for the container (0: none yet) and what the last exit earned. */
      backOffEntryMs: number;
      backOffMs: number;
      oomKilled: boolean;
    },
    events: {} as PodMachineEvent,
    emitted: {} as PodEmitted,
  },
  delays: {
    scheduling: ({ context }) => context.schedulingMs,
    creating: ({ context }) => context.creatingMs,
    startup: ({ context }) => context.startupMs,
    exit: ({ context }) => context.exitAfterMs ?? 0,
    // An app that passed its readiness probe exits this long after.
    serve: ({ context }) => (context.exitAfterMs ?? 0) - context.startupMs,
    relist: KUBELET_RELIST_MS,
    // The back-off counts from the exit, which the kubelet saw one relist later.
    backOff: ({ context }) => Math.max(0, context.backOffMs - KUBELET_RELIST_MS),
    // A pod whose containers never started has nothing to drain: it goes almost at once.
    drain: ({ context }) =>
      context.deletedFrom === 'Pending' || context.deletedFrom === 'ContainerCreating'
        ? UNSTARTED_TERMINATION_MS
        : context.drainMs,
  },
  guards: {
    exits: ({ context }) => context.exitAfterMs !== undefined,
    // The readiness probe passes before the app exits (at the same instant, the exit wins).
    servesFirst: ({ context }) => context.exitAfterMs !== undefined && context.exitAfterMs > context.startupMs,
    // An app that does not exit on its own (started again after the kernel killed it).
    neverExits: ({ context }) => context.exitAfterMs === undefined,
    backsOff: ({ context }) => context.backOffMs > 0,
  },
  actions: {
    countExit: assign(({ context }, params: { ranMs: number; oom: boolean }) => {
      const next = crashLoopNext(context.backOffEntryMs, params.ranMs);
      return { exits: context.exits + 1, backOffMs: next.delayMs, backOffEntryMs: next.entryMs, oomKilled: params.oom };
    }),
    tellContainer: emit(({ context }, params: { state: 'exited' | 'backOff' | 'restarted' }) => ({
      type: 'container' as const,
      state: params.state,
      exits: context.exits,
      backOffMs: context.backOffMs,
      oomKilled: context.oomKilled,
    })),
    announce: emit((_, params: { phase: PodPhase }) => ({ type: 'phase' as const, phase: params.phase })),
    askScheduler: emit({ type: 'schedule' as const }),
    reportUnschedulable: emit(({ context }) => ({
      type: 'unschedulable' as const,
      message: context.unschedulable ?? '',
    })),
    askKubelet: emit(({ context }) => ({ type: 'pull' as const, node: context.node ?? '' })),
    bind: assign({ node: (_, params: { node: string }) => params.node }),
    rememberFit: assign({ unschedulable: (_, params: { message: string }) => params.message }),
    rememberDeletion: assign({
      deletedFrom: (_, params: { from: PodPhase }) => params.from,
      drainMs: ({ context, event }) =>
        event.type === 'pod.delete' ? (event.drainMs ?? context.drainMs) : context.drainMs,
    }),
  },
}).createMachine({
  id: 'pod',
  context: ({ input }) => ({ ...input, exits: 0, backOffEntryMs: 0, backOffMs: 0, oomKilled: false }),
  // One level of states, the phase's steps side by side (Pending: queued, scheduling,
  // unschedulable; ContainerCreating: pulling, creating): XState's every transition and timer
  // costs in the depth of the states it leaves and enters, and a pod makes a dozen of them. A
  // phase is announced on entering its first step, which is entered only from another phase.
  initial: 'queued',
  states: {
    queued: {
      entry: [{ type: 'announce', params: { phase: 'Pending' } }],
      after: { scheduling: 'scheduling' },
      on: PENDING_EXITS,
    },
    scheduling: {
      entry: ['askScheduler'],
      on: {
        ...PENDING_EXITS,
        'pod.unschedulable': {
          target: 'unschedulable',
          actions: [{ type: 'rememberFit', params: ({ event }) => ({ message: event.message }) }],
        },
      },
    },
    // Waits for the scheduler to retry (a node joined, a pod left, or its backoff ran out).
    unschedulable: {
      entry: ['reportUnschedulable'],
      on: {
        ...PENDING_EXITS,
        'pod.unschedulable': {
          target: 'unschedulable',
          reenter: true,
          actions: [{ type: 'rememberFit', params: ({ event }) => ({ message: event.message }) }],
        },
      },
    },
    pulling: {
      entry: [{ type: 'announce', params: { phase: 'ContainerCreating' } }, 'askKubelet'],
      on: { ...CONTAINER_CREATING_EXITS, 'pod.pulled': 'creating' },
    },
    creating: {
      after: {
        creating: [
          { target: 'crashing', guard: 'exits', actions: [{ type: 'announce', params: { phase: 'Running' } }] },
          { target: 'running' },
        ],
      },
      on: CONTAINER_CREATING_EXITS,
    },
    // The app runs until it exits, or until its readiness probe passes when that comes first
    // (Running, not ready).
    crashing: {
      after: {
        startup: [
          { target: 'serving', guard: 'servesFirst' },
          { target: 'ready', guard: 'neverExits' },
        ],
        exit: { target: 'exited', guard: 'exits', actions: EXIT_ACTIONS },
      },
      on: CRASHING_EXITS,
    },
    // Ready until the app exits (or the kernel kills it for its memory, as in `ready`).
    serving: {
      entry: [{ type: 'announce', params: { phase: 'Ready' } }],
      after: { serve: { target: 'died', actions: EXIT_ACTIONS } },
      on: { ...DIED_EXITS, ...OOM_KILLED },
    },
    // The app exited while serving; until the kubelet's next relist the pod is still Ready (in
    // the endpoints: the queue-proxy finds no app behind it). Then it is Running, not ready.
    died: {
      after: {
        relist: [
          {
            target: 'backingOff',
            guard: 'backsOff',
            actions: [
              { type: 'announce', params: { phase: 'Running' } },
              { type: 'tellContainer', params: { state: 'backOff' } },
            ],
          },
          {
            target: 'crashing',
            actions: [
              { type: 'announce', params: { phase: 'Running' } },
              { type: 'tellContainer', params: { state: 'restarted' } },
            ],
          },
        ],
      },
      on: DIED_EXITS,
    },
    // Until the kubelet's next relist: the pod shows the exit (STATUS Error).
    exited: {
      after: {
        relist: [
          {
            target: 'backingOff',
            guard: 'backsOff',
            actions: [{ type: 'tellContainer', params: { state: 'backOff' } }],
          },
          { target: 'crashing', actions: [{ type: 'tellContainer', params: { state: 'restarted' } }] },
        ],
      },
      on: CRASHING_EXITS,
    },
    // CrashLoopBackOff: the container waits out its back-off, then starts again.
    backingOff: {
      after: {
        backOff: { target: 'crashing', actions: [{ type: 'tellContainer', params: { state: 'restarted' } }] },
      },
      on: CRASHING_EXITS,
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
        ...OOM_KILLED,
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

/** The machine's top-level states, in the phases the pod reports. */
const PHASE_OF_STATE: Readonly<Record<string, PodPhase>> = {
  queued: 'Pending',
  scheduling: 'Pending',
  unschedulable: 'Pending',
  pulling: 'ContainerCreating',
  creating: 'ContainerCreating',
  running: 'Running',
  crashing: 'Running',
  exited: 'Running',
  backingOff: 'Running',
  serving: 'Ready',
  died: 'Ready',
  ready: 'Ready',
  terminating: 'Terminating',
  gone: 'Gone',
};

/** The phase a pod machine's snapshot is in (asked per pod on hot paths: no allocation). */
export function podPhaseOf(snapshot: { readonly value: unknown }): PodPhase {
  const v = snapshot.value;
  if (typeof v === 'string') return PHASE_OF_STATE[v]!;
  for (const top in v as object) return PHASE_OF_STATE[top]!;
  throw new Error('pod machine without a state');
}
