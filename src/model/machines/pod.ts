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
 * An app that stops answering (scenario `hangImages`) stays Ready while it hangs (it still accepts
 * connections, so the queue-proxy's TCP readiness check passes). With a liveness probe that can
 * see it (src/model/cluster/liveness.ts), the kubelet's probe fails `failureThreshold` times, the
 * kubelet kills the container, and the pod takes an exit's way out of Ready; without one, it hangs
 * until the pod is deleted.
 *
 * Durations come in as input; who binds the pod and when its images are on the node are events
 * (the scheduler's and the kubelet's image manager's answers to `schedule` and `pull`). The
 * machine only says in which order things happen.
 */
import { assign, emit, setup } from 'xstate';
import { crashLoopNext, KUBELET_RELIST_MS } from '../cluster/crashLoop.js';
import { type LivenessTiming, livenessFailuresMs } from '../cluster/liveness.js';
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
  /**
   * An app that stops answering `afterMs` after each start (when it is ready, if that is later),
   * the user container's liveness probe (none: nothing kills it) and how long its kill takes
   * (src/model/cluster/liveness.ts `livenessKill`).
   */
  hang?: { readonly afterMs: number; readonly liveness: LivenessTiming | undefined; readonly killMs: number };
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
  /** The kubelet has the pod's images on its node, `sinceBoundMs` after it took the pod (its probe workers' start). */
  | { type: 'pod.pulled'; sinceBoundMs?: number }
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
    }
  /**
   * An app that stops answering: it hung (its requests wait), a liveness probe failed (the
   * kubelet's `Unhealthy`), the kubelet kills the container (`Killing`).
   */
  | { type: 'liveness'; state: 'hung' | 'failed' | 'killing' };

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

/** The last failed liveness probe: the kubelet's `Unhealthy`, then its `Killing`. */
const LIVENESS_KILL = [
  { type: 'tellLiveness', params: { state: 'failed' } },
  { type: 'tellLiveness', params: { state: 'killing' } },
] as const;

const NO_FAILURES: readonly number[] = [];

/** When a hanging app stops answering, from its container's start: once it is ready, at the earliest. */
function hangAtMs(context: { startupMs: number; hang?: PodInput['hang'] }): number {
  return Math.max(context.startupMs, context.hang?.afterMs ?? 0);
}

/** A hanging app's run, from its container's start to its end after the liveness kill. */
function runMs(context: { probeFailuresMs: readonly number[]; hang?: PodInput['hang'] }): number {
  const f = context.probeFailuresMs;
  return f.length > 0 ? f[f.length - 1]! + (context.hang?.killMs ?? 0) : 0;
}

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
      /**
       * A hanging app's liveness probe: how long its worker had been ticking when the container
       * last started (modulo the period), when this run's failures come (from that start), and
       * how many came so far.
       */
      probeLeadMs: number;
      probeFailuresMs: readonly number[];
      probeFailed: number;
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
    // A hanging app: ready, then hung; its first failed probe; the next ones; the kill.
    hang: ({ context }) => Math.max(0, (context.hang?.afterMs ?? 0) - context.startupMs),
    firstFailure: ({ context }) => Math.max(0, (context.probeFailuresMs[0] ?? 0) - hangAtMs(context)),
    probePeriod: ({ context }) => context.hang?.liveness?.periodMs ?? 0,
    kill: ({ context }) => context.hang?.killMs ?? 0,
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
    hangs: ({ context }) => context.hang !== undefined,
    // The liveness probe sees the hang (an HTTP probe times out); otherwise the app hangs on.
    probed: ({ context }) => context.probeFailuresMs.length > 0,
    // This failure is the `failureThreshold`-th in a row: the kubelet kills the container.
    lastFailure: ({ context }) =>
      context.probeFailuresMs.length > 0 && context.probeFailed + 1 >= context.probeFailuresMs.length,
  },
  actions: {
    countExit: assign(({ context }, params: { ranMs: number; oom: boolean }) => {
      const next = crashLoopNext(context.backOffEntryMs, params.ranMs);
      return { exits: context.exits + 1, backOffMs: next.delayMs, backOffEntryMs: next.entryMs, oomKilled: params.oom };
    }),
    // The probe worker's clock moves on with the pod (it outlives the container's runs).
    advanceProbeClock: assign(({ context }, params: { ms: number }) => {
      const period = context.hang?.liveness?.periodMs ?? 0;
      return { probeLeadMs: period > 0 ? (context.probeLeadMs + params.ms) % period : 0 };
    }),
    // A hanging app's container starts: when its probe's failures will come (the count from 0).
    startRun: assign(({ context }) => ({
      probeFailed: 0,
      probeFailuresMs: context.hang?.liveness
        ? livenessFailuresMs(context.hang.liveness, context.probeLeadMs, hangAtMs(context))
        : [],
    })),
    rememberBinding: assign(({ context, event }) => ({
      probeLeadMs: event.type === 'pod.pulled' ? (event.sinceBoundMs ?? 0) : context.probeLeadMs,
    })),
    countFailure: assign(({ context }) => ({ probeFailed: context.probeFailed + 1 })),
    tellLiveness: emit((_, params: { state: 'hung' | 'failed' | 'killing' }) => ({
      type: 'liveness' as const,
      state: params.state,
    })),
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
  context: ({ input }) => ({
    ...input,
    exits: 0,
    backOffEntryMs: 0,
    backOffMs: 0,
    oomKilled: false,
    probeLeadMs: 0,
    probeFailuresMs: NO_FAILURES,
    probeFailed: 0,
  }),
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
      on: {
        ...CONTAINER_CREATING_EXITS,
        'pod.pulled': [{ target: 'creating', guard: 'hangs', actions: ['rememberBinding'] }, { target: 'creating' }],
      },
    },
    creating: {
      after: {
        creating: [
          { target: 'crashing', guard: 'exits', actions: [{ type: 'announce', params: { phase: 'Running' } }] },
          {
            target: 'crashing',
            guard: 'hangs',
            actions: [
              { type: 'announce', params: { phase: 'Running' } },
              { type: 'advanceProbeClock', params: ({ context }) => ({ ms: context.creatingMs }) },
              'startRun',
            ],
          },
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
          { target: 'answering', guard: 'hangs' },
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
              { type: 'advanceProbeClock', params: ({ context }) => ({ ms: runMs(context) + KUBELET_RELIST_MS }) },
              { type: 'tellContainer', params: { state: 'backOff' } },
            ],
          },
          {
            target: 'crashing',
            actions: [
              { type: 'announce', params: { phase: 'Running' } },
              { type: 'advanceProbeClock', params: ({ context }) => ({ ms: runMs(context) + KUBELET_RELIST_MS }) },
              'startRun',
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
        backOff: {
          target: 'crashing',
          actions: [
            {
              type: 'advanceProbeClock',
              params: ({ context }) => ({ ms: Math.max(0, context.backOffMs - KUBELET_RELIST_MS) }),
            },
            'startRun',
            { type: 'tellContainer', params: { state: 'restarted' } },
          ],
        },
      },
      on: CRASHING_EXITS,
    },
    // A hanging app, ready: it answers until it hangs.
    answering: {
      entry: [{ type: 'announce', params: { phase: 'Ready' } }],
      after: { hang: { target: 'hung', actions: [{ type: 'tellLiveness', params: { state: 'hung' } }] } },
      on: DIED_EXITS,
    },
    // It answers nothing, still Ready, until its liveness probe has failed often enough.
    hung: {
      after: {
        firstFailure: [
          { target: 'killing', guard: 'lastFailure', actions: LIVENESS_KILL },
          {
            target: 'failing',
            guard: 'probed',
            actions: ['countFailure', { type: 'tellLiveness', params: { state: 'failed' } }],
          },
        ],
      },
      on: DIED_EXITS,
    },
    failing: {
      after: {
        probePeriod: [
          { target: 'killing', guard: 'lastFailure', actions: LIVENESS_KILL },
          {
            target: 'failing',
            reenter: true,
            actions: ['countFailure', { type: 'tellLiveness', params: { state: 'failed' } }],
          },
        ],
      },
      on: DIED_EXITS,
    },
    // The preStop hook, SIGTERM, and SIGKILL if it comes to that: then the container has ended.
    killing: {
      after: {
        kill: {
          target: 'died',
          actions: [
            { type: 'countExit', params: ({ context }) => ({ ranMs: runMs(context), oom: false }) },
            { type: 'tellContainer', params: { state: 'exited' } },
          ],
        },
      },
      on: DIED_EXITS,
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
  answering: 'Ready',
  hung: 'Ready',
  failing: 'Ready',
  killing: 'Ready',
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
