/**
 * The Deployment/ReplicaSet controller and the kubelet, simulated: keeps a revision
 * Deployment's pods at spec.replicas, runs each pod's lifecycle machine on the engine clock,
 * and writes Pod objects as kubectl would see them. What a cluster shows besides (the
 * ReplicaSet, the kubelet's and the controllers' events) is written through `shown`.
 */
import type { Container, ContainerStatus, Deployment, KubeObject, Pod } from '../../model/api/types.js';
import {
  type ContainerResources,
  containerRequests,
  cpuLimitMillis,
  oomKillAtFor,
} from '../../model/cluster/containers.js';
import {
  crashLoopBackOffMessage,
  OOM_KILLED_EXIT_CODE,
  OOM_KILLED_REASON,
  terminatedReason,
} from '../../model/cluster/crashLoop.js';
import {
  alreadyPresentMessage,
  type ImagePullPolicy,
  pulledMessage,
  pullingMessage,
} from '../../model/cluster/images.js';
import {
  livenessKill,
  livenessKillingMessage,
  livenessTimeoutMessage,
  livenessTiming,
  type ProbeSpec,
} from '../../model/cluster/liveness.js';
import { PROGRESS_REQUEUE_SKEW_MS, rolloutProgressed, rolloutTimedOut } from '../../model/cluster/progress.js';
import { type ContainerRequests, type PodDemand, podDemand } from '../../model/cluster/scheduler.js';
import { md5, sha256Hex } from '../../model/digest.js';
import type { PodPhase } from '../../model/events.js';
import { type PodEmitted, type PodInput, podPhaseOf } from '../../model/machines/pod.js';
import { podName, replicaSetHash } from '../../model/rules/naming.js';
import { podSpecFromTemplate, serviceAccountVolumeName } from '../../model/rules/podspec.js';
import { isoAt } from '../../model/rules/time.js';
import { terminationMs } from '../../model/timeouts.js';
import type { SimContext } from '../context.js';
import { ownerRef } from '../context.js';
import type { Entry } from '../engine.js';
import { normalVariate } from '../load/rng.js';
import type { ImageManager, PullOutcome } from '../nodes/kubelet.js';
import type { SchedulablePod, Scheduler } from '../nodes/scheduler.js';
import type { NodeState } from '../nodes/state.js';
import type { PodLogs } from '../podLogs.js';
import type { EventRecorder } from '../recorder.js';
import { type CrashImage, type HangImage, imageCrash, imageHang } from '../settings.js';
import { T } from '../types.js';
import { type PodMachine, PodMachines } from './podMachines.js';
import { deploymentConditions, REPLICA_SETS, type ReplicaSetController } from './replicaset.js';
import { UnchangedStatus } from './statusMemo.js';

export interface PodObserver {
  podPhase(namespace: string, revision: string, pod: string, phase: PodPhase): void;
  /** How long the requests in a pod may still keep it busy (ms), for its termination. */
  podBusyForMs(namespace: string, revision: string, pod: string): number;
  /** A serving pod's app exited: the requests in it fail (the kubelet has not seen it yet). */
  appExited(namespace: string, revision: string, pod: string): void;
  /** A serving pod's app stopped answering: the requests in it, and those sent to it, wait. */
  appHung(namespace: string, revision: string, pod: string): void;
}

/** Where the controller reports what a cluster shows (ReplicaSets, events). */
export interface ShownObjects {
  replicaSets: ReplicaSetController;
  recorder: EventRecorder;
  logs: PodLogs;
}

/** The nodes the pods go to: the scheduler that binds them and the kubelets' image managers. */
export interface PodPlacement {
  scheduler: Scheduler;
  images: ImageManager;
  /** The node the scheduler itself runs on (its events' reporting instance). */
  controlPlane(): string;
}

/**
 * A pod: its machine's snapshot, pending timer and inbox (run by `PodMachines`, no actor), and
 * what the kubelet and the scheduler did for it.
 */
interface PodRuntime extends PodMachine {
  name: string;
  revision: string;
  createdAt: number;
  ip: string;
  /** Its namespace and Deployment (the machine's first run files it there, see `born`). */
  namespace: string;
  deployment: string;
  /** The pod as the scheduler sees it. */
  toSchedule: PodToSchedule | undefined;
  /** The node the scheduler bound it to. */
  node?: NodeState;
  /** Its containers' images, in order, with their pull policies. */
  images: { image: string; policy: ImagePullPolicy }[];
  /** What the kubelet did for each image (set once they are all on the node). */
  pulls?: PullOutcome[];
  /** The scheduler's last word while no node fitted. */
  unschedulable?: { message: string; since: string };
  /** The phase its machine last announced (what the Deployment's tallies count it as). */
  announced?: PodPhase;
  /** When the pod was bound to the node, its containers started, it became ready. */
  scheduledAt?: string;
  startedAt?: string;
  readyAt?: string;
  /**
   * Its containers' ids (a hash each, the same for every status write of the pod): name and id in
   * turn. A pod has two or three containers: a list of them costs ≈ 40 bytes, a Map ≈ 180.
   */
  containerIds?: readonly string[];
  /** Its user container's exits, when its app exits (scenario `crashImages`). */
  crash?: CrashState;
}

/** How a container's run ended, as its terminated state shows it. */
interface ContainerExit {
  readonly exitCode: number;
  readonly reason: string;
  readonly message: string;
}

/** What the kubelet shows of a user container that exits and is started again. */
interface CrashState {
  /** How its app exits on its own (scenario `crashImages`), if it does. */
  readonly app: CrashImage | undefined;
  /** How the last run ended, and the run before it (lastState). */
  exit: ContainerExit;
  lastExit: ContainerExit;
  /** The user container's name. */
  readonly container: string;
  /** `terminated` just after an exit, `waiting` in CrashLoopBackOff, `running` once started again. */
  state: 'terminated' | 'waiting' | 'running';
  restartCount: number;
  backOffMs: number;
  /** The run before the current one (lastState): when it started and exited. */
  lastStartedAt: string;
  lastFinishedAt: string;
  /** When the container last started, and when that run exited (while `terminated`). */
  startedAt: string;
  exitedAt: string;
}

export interface PodCounts {
  ready: number;
  pending: number;
  terminating: number;
}

interface DeploymentRuntime {
  /**
   * The uid of the Deployment it runs: a Deployment deleted and made again under its name (its
   * Service deleted and applied again) is another object, with a ReplicaSet and pods of its own.
   */
  uid: string | undefined;
  podTemplateHash: string;
  pods: Map<string, PodRuntime>;
  /**
   * Its pods by the phase their machines last announced, kept as they announce (a machine
   * announces a phase as it enters it, before anything else reads it): the status and the
   * autoscaler read counts without going through every pod on every pod's change.
   */
  tally: PhaseTally;
  /** The ReplicaSet the pods belong to (when objects are shown). */
  replicaSet?: KubeObject;
  /**
   * What the last status write that changed nothing was computed from: the same stored objects
   * and counts give the same status again, so it is not computed again.
   */
  unchangedFrom?: StatusInputs;
  /**
   * Its first rollout, until it completes (the deployment controller estimates progress only
   * until then: src/model/cluster/progress.ts): the counts its last status gave, when it last
   * progressed, and the requeue a second after its progress deadline.
   */
  rollout?: Rollout;
}

interface Rollout {
  updated: number;
  ready: number;
  lastProgressMs: number;
  requeue: Entry | undefined;
}

/** What a Deployment's status (and its ReplicaSet's) is computed from. */
interface StatusInputs {
  dep: Deployment;
  replicaSet: KubeObject | undefined;
  storedReplicaSet: KubeObject | undefined;
  current: number;
  ready: number;
  timedOut: boolean;
}

/** Deletion preference as a ReplicaSet ranks pods: the least far along goes first. */
const PHASE_RANK: Record<PodPhase, number> = {
  Pending: 0,
  ContainerCreating: 1,
  Running: 2,
  Ready: 3,
  Terminating: 4,
  Gone: 5,
};

const SCHEDULER = { component: 'default-scheduler' };

/** How many of a Deployment's pods are in each phase (a Gone one until it leaves the map). */
type PhaseTally = Record<PodPhase, number>;

function emptyTally(): PhaseTally {
  return { Pending: 0, ContainerCreating: 0, Running: 0, Ready: 0, Terminating: 0, Gone: 0 };
}

/** Pods not deleted (neither Terminating nor Gone), as the ReplicaSet counts its replicas. */
function aliveCount(rt: DeploymentRuntime): number {
  return rt.pods.size - rt.tally.Terminating - rt.tally.Gone;
}

/** A pod's phase: its machine's state (the one holder of it). */
function phaseOf(pod: PodRuntime): PodPhase {
  return podPhaseOf(pod.snapshot);
}

/** Whether the Deployment's stored conditions hold Progressing (set from its first status write on). */
function hasProgressing(dep: Deployment): boolean {
  const conditions = (dep.status as { conditions?: readonly { type: string }[] } | undefined)?.conditions;
  return conditions?.some((c) => c.type === 'Progressing') ?? false;
}

/**
 * Whether the status made from `a` is the one made from `b`: it is made from the generation, the
 * replicas and the stored conditions (kept as the very objects when they stay: the store shares
 * what a write took over).
 */
function sameStatusInputs(a: Deployment, b: Deployment): boolean {
  if (a.metadata.generation !== b.metadata.generation || a.spec.replicas !== b.spec.replicas) return false;
  const x = (a.status as { conditions?: readonly unknown[] } | undefined)?.conditions;
  const y = (b.status as { conditions?: readonly unknown[] } | undefined)?.conditions;
  if (x === y) return true;
  if (!x || !y || x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * The pods a ReplicaSet deletes to keep `keep` of those of `pods` not deleted yet (neither
 * Terminating nor Gone): the least far along first, then the newest, ties in `pods`' order. Each
 * pod's phase is read once (a read of its machine's snapshot), where filtering the pods alive and
 * then sorting them read it 2 n log n + n times for thousands of pods on each step of a
 * scale-down.
 *
 * A Deployment's pods come in the order they were made, so their creation times never go down
 * along `pods`: then the order is had without a sort (n log n comparisons on each of a
 * scale-down's steps), by phase, each phase's pods from the last made back, those made at one
 * instant in `pods`' order, and only until there are enough. Otherwise they are sorted (stably,
 * by numbers): the same pods in the same order.
 */
export function scaleDownVictims<P extends { readonly createdAt: number }>(
  pods: readonly P[],
  keep: number,
  phase: (pod: P) => PodPhase,
): P[] {
  const rank = new Float64Array(pods.length);
  const createdAt = new Float64Array(pods.length);
  const alive: number[] = [];
  let inOrder = true;
  let latest = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < pods.length; i++) {
    const p = phase(pods[i]!);
    if (p === 'Terminating' || p === 'Gone') continue;
    rank[i] = PHASE_RANK[p];
    const made = pods[i]!.createdAt;
    createdAt[i] = made;
    if (!(made >= latest)) inOrder = false;
    else latest = made;
    alive.push(i);
  }
  const count = alive.length - keep;
  if (inOrder && count > 0) return newestFirstByPhase(pods, alive, rank, createdAt, count);
  alive.sort((i, j) => rank[i]! - rank[j]! || createdAt[j]! - createdAt[i]!);
  return alive.slice(0, count).map((i) => pods[i]!);
}

/**
 * The first `count` of the `alive` pods (indices into `pods`, their creation times never going
 * down) ranked least far along first, then newest first, ties in `pods`' order: each phase's pods
 * walked from the last back, a run made at one instant taken in its order.
 */
function newestFirstByPhase<P>(
  pods: readonly P[],
  alive: readonly number[],
  rank: Float64Array,
  createdAt: Float64Array,
  count: number,
): P[] {
  const out: P[] = [];
  for (let r = PHASE_RANK.Pending; r <= PHASE_RANK.Ready && out.length < count; r++) {
    const ofPhase: number[] = [];
    for (const i of alive) if (rank[i] === r) ofPhase.push(i);
    let end = ofPhase.length - 1;
    while (end >= 0 && out.length < count) {
      let start = end;
      while (start > 0 && createdAt[ofPhase[start - 1]!] === createdAt[ofPhase[end]!]) start--;
      for (let k = start; k <= end && out.length < count; k++) out.push(pods[ofPhase[k]!]!);
      end = start - 1;
    }
  }
  return out;
}

/** Not deleted: neither Terminating nor Gone. */
function isAlive(pod: PodRuntime): boolean {
  const phase = phaseOf(pod);
  return phase !== 'Terminating' && phase !== 'Gone';
}

export class DeploymentController {
  private readonly deployments = new Map<string, DeploymentRuntime>();
  /** The runtimes `runtimeOf` found, by namespace then name. */
  private readonly runtimes = new Map<string, Map<string, DeploymentRuntime>>();
  /** The pods' machines, without actors (see podMachines.ts). */
  private readonly machines: PodMachines<PodRuntime>;
  /** When each pod was bound, while its images are pulled (only with `hangImages`: its probe workers' start). */
  private readonly boundAt = new Map<PodRuntime, number>();
  /** The Deployment whose pod `createPod` is starting (`born` files the pod there). */
  private making: DeploymentRuntime | undefined;
  private ipCounter = 0;

  constructor(
    private readonly ctx: SimContext,
    private readonly observer: PodObserver,
    private readonly shown: ShownObjects,
    private readonly placement: PodPlacement,
  ) {
    this.machines = new PodMachines(this.ctx.engine.clock, (pod) => this.born(pod));
  }

  /**
   * A new pod's machine runs for the first time (its start): the pod is filed under its
   * Deployment before anything it announces is handled (the tallies count the pods filed).
   */
  private born(pod: PodRuntime): (event: PodEmitted) => void {
    this.making?.pods.set(pod.name, pod);
    const ns = pod.namespace;
    const deployment = pod.deployment;
    // One listener for the four events the machine emits.
    const listener = (e: PodEmitted): void => {
      switch (e.type) {
        case 'phase':
          this.onPhase(ns, deployment, pod, e.phase);
          break;
        case 'schedule':
          this.placement.scheduler.schedule(pod.toSchedule!);
          break;
        case 'unschedulable':
          this.onUnschedulable(ns, pod, e.message);
          break;
        case 'pull':
          this.pull(ns, pod);
          break;
        case 'container':
          this.onContainer(ns, pod, e.state, e.backOffMs, e.oomKilled);
          break;
        case 'liveness':
          this.onLiveness(ns, pod, e.state);
          break;
      }
    };
    return listener;
  }

  /** The pods of a revision's Deployment that exist (any phase but Gone). */
  pods(namespace: string, deployment: string): PodRuntime[] {
    const rt = this.deployments.get(`${namespace}/${deployment}`);
    return rt ? [...rt.pods.values()] : [];
  }

  /**
   * The pods of a revision's Deployment by phase: `ready`, `terminating`, and `pending` (the
   * others), counted without building a list (the KPA and the per-second sample ask often).
   */
  countPods(namespace: string, deployment: string, into: PodCounts): PodCounts {
    into.ready = 0;
    into.pending = 0;
    into.terminating = 0;
    const rt = this.runtimeOf(namespace, deployment);
    if (!rt) return into;
    into.ready = rt.tally.Ready;
    into.terminating = rt.tally.Terminating;
    into.pending = rt.pods.size - into.ready - into.terminating;
    return into;
  }

  /**
   * `deployments`' runtime of a Deployment, by namespace then name: the per-second sample and
   * each KPA tick ask with the same strings each time, where a joined key was a new string to
   * build and hash. `reconcile` drops the one it replaces (a Deployment made again under its name).
   */
  private runtimeOf(namespace: string, name: string): DeploymentRuntime | undefined {
    let inNamespace = this.runtimes.get(namespace);
    let rt = inNamespace?.get(name);
    if (rt !== undefined) return rt;
    rt = this.deployments.get(`${namespace}/${name}`);
    if (rt === undefined) return undefined;
    if (inNamespace === undefined) {
      inNamespace = new Map();
      this.runtimes.set(namespace, inNamespace);
    }
    inNamespace.set(name, rt);
    return rt;
  }

  reconcile(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const dep = this.ctx.store.get<Deployment>(T.deployment, namespace, name);
    let rt = this.deployments.get(key);
    if (!dep) {
      if (rt) {
        for (const pod of rt.pods.values()) this.deletePod(namespace, pod, rt);
      }
      return;
    }
    if (!rt || rt.uid !== dep.metadata.uid) {
      // The old runtime's pods are on their way out (deleted with their Deployment): they finish
      // there, and a phase they announce finds them in no runtime's pods. The garbage collector
      // acts an informer's latency after an owner goes, so a Deployment made again at once can
      // come before this controller saw the old one gone: its pods that still run go now.
      if (rt) for (const pod of rt.pods.values()) this.deletePod(namespace, pod, rt);
      rt = {
        uid: dep.metadata.uid,
        podTemplateHash: replicaSetHash(this.ctx.random.names),
        pods: new Map(),
        tally: emptyTally(),
        rollout: { updated: 0, ready: 0, lastProgressMs: this.ctx.now(), requeue: undefined },
      };
      this.deployments.set(key, rt);
      this.runtimes.get(namespace)?.delete(name);
    }
    const rs = rt.replicaSet ?? this.shown.replicaSets.ensure(dep, rt.podTemplateHash);
    rt.replicaSet = this.shown.replicaSets.follow(
      this.ctx.store.get<Deployment>(T.deployment, namespace, name) ?? dep,
      rs,
    );
    const desired = dep.spec.replicas ?? 1;
    const aliveNow = aliveCount(rt);
    if (aliveNow < desired) {
      for (let i = aliveNow; i < desired; i++) this.createPod(dep, rt);
    } else if (aliveNow > desired) {
      for (const pod of scaleDownVictims([...rt.pods.values()], desired, phaseOf)) this.deletePod(namespace, pod, rt);
    }
    // The pods made or deleted above may have written the Deployment's status already (a pod's
    // machine announces its phase as it starts): the stored one is read again when its status
    // is made from the same inputs as `dep`'s, so the unchanged-write check can match it.
    const fresh = this.ctx.store.get<Deployment>(T.deployment, namespace, name);
    this.writeStatus(fresh && fresh !== dep && sameStatusInputs(fresh, dep) ? fresh : dep, rt);
  }

  /** The Deployment's status (without writing it or the ReplicaSet's). */
  private statusOf(
    dep: Deployment,
    rt: DeploymentRuntime,
    current: number,
    ready: number,
    timedOut: boolean,
  ): Record<string, unknown> {
    const desired = dep.spec.replicas ?? 1;
    const status: Record<string, unknown> = {
      observedGeneration: dep.metadata.generation,
      replicas: current,
      updatedReplicas: current,
      readyReplicas: ready,
      availableReplicas: ready,
    };
    if (rt.replicaSet) {
      const unavailable = Math.max(0, desired - ready);
      if (unavailable > 0) status.unavailableReplicas = unavailable;
      status.conditions = deploymentConditions(
        (dep.status as { conditions?: never[] } | undefined)?.conditions,
        rt.replicaSet.metadata.name,
        desired,
        ready,
        current,
        this.ctx.timestamp(),
        timedOut,
      );
    }
    return status;
  }

  /**
   * The first rollout's progress (src/model/cluster/progress.ts), with these counts: done once
   * complete; else progress moves its last-progress instant, and the deployment controller looks
   * again a second after the deadline. Whether it has timed out.
   */
  private rolloutTimedOut(dep: Deployment, rt: DeploymentRuntime, current: number, ready: number): boolean {
    const rollout = rt.rollout;
    if (!rollout) return false;
    const desired = dep.spec.replicas ?? 1;
    if (ready >= desired && current === desired) {
      this.ctx.engine.cancel(rollout.requeue);
      rt.rollout = undefined;
      return false;
    }
    const now = this.ctx.now();
    const before = {
      replicas: rollout.updated,
      updated: rollout.updated,
      ready: rollout.ready,
      available: rollout.ready,
    };
    if (rolloutProgressed(before, { replicas: current, updated: current, ready, available: ready })) {
      rollout.lastProgressMs = now;
    }
    rollout.updated = current;
    rollout.ready = ready;
    const deadline = dep.spec.progressDeadlineSeconds ?? 600;
    const at = rollout.lastProgressMs + deadline * 1000 + PROGRESS_REQUEUE_SKEW_MS;
    if (rollout.requeue?.at !== at && at > now) {
      this.ctx.engine.cancel(rollout.requeue);
      const namespace = dep.metadata.namespace ?? 'default';
      const name = dep.metadata.name;
      rollout.requeue = this.ctx.engine.at(at, () => {
        rollout.requeue = undefined;
        const stored = this.ctx.store.get<Deployment>(T.deployment, namespace, name);
        if (stored && this.deployments.get(`${namespace}/${name}`) === rt) this.writeStatus(stored, rt);
      });
    }
    return rolloutTimedOut(rollout.lastProgressMs, deadline, now);
  }

  private writeStatus(dep: Deployment, rt: DeploymentRuntime): void {
    const current = aliveCount(rt);
    const ready = rt.tally.Ready;
    const timedOut = rt.rollout !== undefined && this.rolloutTimedOut(dep, rt, current, ready);
    const rsKey = rt.replicaSet;
    const storedReplicaSet = rsKey
      ? this.ctx.store.get(REPLICA_SETS, rsKey.metadata.namespace, rsKey.metadata.name)
      : undefined;
    const last = rt.unchangedFrom;
    if (
      last &&
      last.dep === dep &&
      last.replicaSet === rsKey &&
      last.storedReplicaSet === storedReplicaSet &&
      last.current === current &&
      last.ready === ready &&
      last.timedOut === timedOut
    ) {
      UnchangedStatus.verify?.(
        'Deployment',
        this.ctx.store.get(T.deployment, dep.metadata.namespace, dep.metadata.name)?.status,
        () => this.statusOf(dep, rt, current, ready, timedOut),
      );
      return;
    }
    if (rt.replicaSet) this.shown.replicaSets.writeStatus(rt.replicaSet, { replicas: current, ready });
    const status = this.statusOf(dep, rt, current, ready, timedOut);
    const stored = this.ctx.store.updateStatus<Deployment>(
      T.deployment,
      dep.metadata.namespace,
      dep.metadata.name,
      status,
    );
    const storedAfter = rsKey
      ? this.ctx.store.get(REPLICA_SETS, rsKey.metadata.namespace, rsKey.metadata.name)
      : undefined;
    // The status made from the stored Deployment and these counts again is the stored one (the
    // next write would change nothing) when it was made over conditions that already held
    // Progressing: each condition then stays as written. A first status (NewReplicaSetCreated)
    // moves on the next write (to ReplicaSetUpdated), so it is not kept. The ReplicaSet's stored
    // status was made from these counts (written now, or found so).
    rt.unchangedFrom =
      (!rt.replicaSet || hasProgressing(dep)) &&
      stored.metadata.generation === dep.metadata.generation &&
      stored.spec.replicas === dep.spec.replicas
        ? { dep: stored, replicaSet: rsKey, storedReplicaSet: storedAfter, current, ready, timedOut }
        : undefined;
  }

  private startupDuration(median: number): number {
    const spread = this.ctx.settings.podStartup.spread;
    if (median <= 0) return 0;
    if (spread <= 0) return median;
    return Math.round(median * Math.exp(spread * normalVariate(this.ctx.random.pods)));
  }

  /** How long this pod's app runs before it exits (or hangs), each start (its own draw when the scenario spreads it). */
  private exitAfter(crash: CrashImage | HangImage): number {
    const spread = crash.afterSpread;
    if (!spread) return crash.afterMs;
    const random = this.ctx.random.pods;
    if (spread.kind === 'range') return Math.round(spread.minMs + random() * (spread.maxMs - spread.minMs));
    if (spread.spread <= 0) return crash.afterMs;
    return Math.round(crash.afterMs * Math.exp(spread.spread * normalVariate(random)));
  }

  private createPod(dep: Deployment, rt: DeploymentRuntime): void {
    const ns = dep.metadata.namespace ?? 'default';
    const revision = dep.metadata.labels?.['serving.knative.dev/revision'] ?? dep.metadata.name;
    const template = (dep.spec.template ?? {}) as {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec?: { containers?: Container[]; terminationGracePeriodSeconds?: number };
    };
    let name = podName(revision, rt.podTemplateHash, this.ctx.random.names);
    while (rt.pods.has(name)) name = podName(revision, rt.podTemplateHash, this.ctx.random.names);
    const startup = this.ctx.settings.podStartup;
    const ip = `10.244.${(this.ipCounter >> 8) & 255}.${(this.ipCounter++ & 255) + 1}`;
    const rs = rt.replicaSet;
    const owner = rs
      ? ownerRef(rs)
      : {
          ...ownerRef(dep),
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${dep.metadata.name}-${rt.podTemplateHash}`,
        };
    // Not bound yet: the scheduler writes the node (with the pod's status) when it binds it.
    const spec = podSpecFromTemplate(template.spec ?? {}, serviceAccountVolumeName(stableSuffix(name)));
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns,
        labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': rt.podTemplateHash },
        ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
        ownerReferences: [owner],
      },
      spec: spec as Pod['spec'],
      // Not scheduled yet: no conditions until the scheduler binds it.
      status: { phase: 'Pending', qosClass: 'Burstable' },
    };
    // Made here for this write alone: its own parts fresh, the rest the template's, which the
    // Revision reconciler froze all the way down. The store keeps it as it is (no copy of
    // each pod); a template not frozen (made elsewhere) could be shared, so it is copied.
    if (Object.isFrozen(template)) this.ctx.store.createHandedOver(pod);
    else this.ctx.store.create(pod);
    if (rs) this.shown.replicaSets.podCreated(rs, name);
    const containers = template.spec?.containers ?? [];
    const crash = imageCrash(this.ctx.settings, containers[0]);
    const input: PodInput = {
      name,
      revision,
      schedulingMs: this.startupDuration(startup.schedulingMs),
      creatingMs: this.startupDuration(startup.creatingMs),
      startupMs: this.startupDuration(startup.appStartMs),
      drainMs: this.ctx.settings.drainMs,
      exitAfterMs: crash ? this.exitAfter(crash) : undefined,
    };
    const hang = imageHang(this.ctx.settings, containers[0]);
    if (hang) {
      const probe = (containers[0] as { livenessProbe?: ProbeSpec } | undefined)?.livenessProbe;
      const grace = (template.spec?.terminationGracePeriodSeconds ?? 300) * 1000;
      input.hang = {
        afterMs: this.exitAfter(hang),
        liveness: probe ? livenessTiming(probe) : undefined,
        killMs: livenessKill(grace, hang.onSigterm === 'exit').afterMs,
      };
    }
    // An app whose memory alone passes its limit is killed as it starts, every time.
    if (this.ctx.settings.app.memory && oomKillAtFor(containers[0], this.ctx.settings.app.memory) === 0) {
      input.exitAfterMs = 0;
      input.exitsOomKilled = true;
    }
    const images = containers.map((c) => ({
      image: c.image ?? '',
      // Knative pins images by digest, for which the API server's default policy is IfNotPresent.
      policy: (c as { imagePullPolicy?: ImagePullPolicy }).imagePullPolicy ?? 'IfNotPresent',
    }));
    const demand = podDemand(containerAsks(containers).requests, {
      images: images.map((i) => i.image),
      ...((template.spec as { nodeSelector?: Record<string, string> } | undefined)?.nodeSelector
        ? { nodeSelector: (template.spec as { nodeSelector: Record<string, string> }).nodeSelector }
        : {}),
    });
    const userLimit = containerAsks(containers).userLimit;
    // Every field the pod will have, in one order (one hidden class for all pods).
    const made: Omit<PodRuntime, 'snapshot' | 'timers'> = {
      name,
      revision,
      createdAt: this.ctx.now(),
      ip,
      namespace: ns,
      deployment: dep.metadata.name,
      listener: undefined,
      toSchedule: undefined,
      inbox: undefined,
      node: undefined,
      images,
      pulls: undefined,
      unschedulable: undefined,
      announced: undefined,
      scheduledAt: undefined,
      startedAt: undefined,
      readyAt: undefined,
      containerIds: undefined,
      crash: undefined,
    };
    // The machine starts: `born` files the pod under `rt` before its first announcement is handled.
    const before = this.making;
    this.making = rt;
    try {
      const pod = this.machines.start(made, input);
      pod.toSchedule = new PodToSchedule(`${ns}/${name}`, owner.name, demand, userLimit, pod, this.machines);
    } finally {
      this.making = before;
    }
  }

  /** The kubelet puts the pod's images on its node (the Pulling events as it asks), then the pod starts. */
  private pull(namespace: string, pod: PodRuntime): void {
    const node = pod.node;
    if (!node) return;
    const stored = this.ctx.store.get<Pod>(T.pod, namespace, pod.name);
    const containers = stored?.spec.containers ?? [];
    const kubelet = { component: 'kubelet', host: node.name };
    this.placement.images.ensure(
      node,
      pod.images,
      (outcomes) => {
        pod.pulls = outcomes;
        // The kubelet's probe workers started as it took the pod (a hanging app's liveness probe).
        const boundAt = this.boundAt.get(pod);
        if (boundAt !== undefined) {
          this.boundAt.delete(pod);
          this.machines.deliver(pod, { type: 'pod.pulled', sinceBoundMs: this.ctx.now() - boundAt });
        } else this.machines.deliver(pod, { type: 'pod.pulled' });
      },
      (index, image) => {
        const c = containers[index];
        if (stored && c) {
          this.shown.recorder.record(stored, 'Normal', 'Pulling', pullingMessage(image), kubelet, {
            fieldPath: `spec.containers{${c.name ?? ''}}`,
          });
        }
      },
    );
  }

  /** No node fits: the scheduler's PodScheduled condition and FailedScheduling event. */
  private onUnschedulable(namespace: string, pod: PodRuntime, message: string): void {
    const stored = this.ctx.store.get<Pod>(T.pod, namespace, pod.name);
    if (!stored) return;
    const since = pod.unschedulable?.message === message ? pod.unschedulable.since : this.ctx.timestamp();
    pod.unschedulable = { message, since };
    // Made for this write alone: the store keeps it as it is (no copy).
    this.ctx.store.updateStatus(T.pod, namespace, pod.name, unschedulableStatus(message, since), true);
    this.shown.recorder.record(stored, 'Warning', 'FailedScheduling', message, SCHEDULER);
    this.ctx.enqueue(T.revision, namespace, pod.revision);
  }

  /** Evicts a pod (`namespace/name`) from its node, as a drain does: its ReplicaSet replaces it. */
  evict(key: string): void {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const found = this.findPod(namespace, name);
    if (!found) return;
    const stored = this.ctx.store.get<Pod>(T.pod, namespace, name);
    if (stored) {
      this.shown.recorder.record(stored, 'Normal', 'ScaleDown', 'deleting pod for node scale down', {
        component: 'cluster-autoscaler',
      });
    }
    this.deletePod(namespace, found.pod, found.rt);
    this.ctx.enqueue(T.deployment, namespace, found.pod.deployment);
  }

  /**
   * A client deleted a pod (`kubectl delete pod`, the API server's graceful deletion with
   * `gracePeriodSeconds`, already settled by the caller): the same way out as a scale-down's
   * victim (Terminating, out of the endpoints, its queue-proxy drains, gone at the grace period
   * at the latest), and its ReplicaSet, which did not delete it and records nothing for it,
   * makes a replacement. False for a pod no Deployment of the simulation runs.
   */
  deleteRequested(namespace: string, name: string, gracePeriodSeconds: number): boolean {
    const found = this.findPod(namespace, name);
    if (!found) return false;
    this.deletePod(namespace, found.pod, found.rt, gracePeriodSeconds, false);
    this.ctx.enqueue(T.deployment, namespace, found.pod.deployment);
    return true;
  }

  /** A pod of a Deployment runtime that is still this Deployment's (not one of an older incarnation). */
  private findPod(namespace: string, name: string): { pod: PodRuntime; rt: DeploymentRuntime } | undefined {
    for (const [depKey, rt] of this.deployments) {
      if (!depKey.startsWith(`${namespace}/`)) continue;
      const pod = rt.pods.get(name);
      if (pod) return { pod, rt };
    }
    return undefined;
  }

  /**
   * The kernel killed a pod's app for its memory (the data plane saw the requests in it pass the
   * container's limit): its machine takes it as an exit, with the run's length for the back-off.
   */
  oomKill(namespace: string, deployment: string, name: string): void {
    const pod = this.runtimeOf(namespace, deployment)?.pods.get(name);
    if (pod?.announced !== 'Ready') return;
    const since = pod.crash?.state === 'running' ? pod.crash.startedAt : pod.startedAt;
    const ranMs = since ? Math.max(0, this.ctx.now() - Date.parse(since) + Date.parse(isoAt(0))) : 0;
    this.machines.deliver(pod, { type: 'pod.oomKilled', ranMs });
  }

  /**
   * `graceSeconds`: the grace period a client asked for (else the pod's own); `byReplicaSet`: the
   * ReplicaSet deleted it (its SuccessfulDelete event), not a client.
   */
  private deletePod(
    namespace: string,
    pod: PodRuntime,
    rt?: DeploymentRuntime,
    graceSeconds?: number,
    byReplicaSet = true,
  ): void {
    if (!isAlive(pod)) return;
    const stored = this.ctx.store.get<Pod>(T.pod, namespace, pod.name);
    const grace =
      graceSeconds ??
      (stored?.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds;
    this.ctx.store.markDeleting(T.pod, namespace, pod.name, grace ?? 300);
    if (byReplicaSet && rt?.replicaSet) this.shown.replicaSets.podDeleted(rt.replicaSet, pod.name);
    // The queue-proxy drains and lets its requests finish; the kubelet kills it at the grace period.
    const drainMs = terminationMs(
      (grace ?? 300) * 1000,
      this.ctx.settings.drainMs,
      this.observer.podBusyForMs(namespace, pod.revision, pod.name),
    );
    this.machines.deliver(pod, { type: 'pod.delete', drainMs });
  }

  private onPhase(namespace: string, deployment: string, pod: PodRuntime, phase: PodPhase): void {
    // By namespace then name (`runtimeOf`): a joined key was a string to build and hash twice on
    // every phase of every pod.
    const owner = this.runtimeOf(namespace, deployment);
    if (owner?.pods.get(pod.name) === pod) {
      if (pod.announced) owner.tally[pod.announced]--;
      owner.tally[phase]++;
    }
    // Running again after Ready: the kubelet saw its app exit (the container did not start anew).
    const exitSeen = phase === 'Running' && pod.announced === 'Ready';
    pod.announced = phase;
    // The machine announces Pending once, when it starts: nothing to show yet.
    const first = phase === 'Pending';
    const pullMs = phase === 'Running' && !exitSeen ? (pod.pulls ?? []).reduce((n, p) => n + p.totalMs, 0) : 0;
    // Two literals (the log's key order), not one with a part spread in.
    const t = this.ctx.now();
    const revision = this.ctx.logName(namespace, pod.revision);
    this.ctx.emit(
      pullMs > 0
        ? { t, type: 'pod', pod: pod.name, revision, phase, pullMs }
        : { t, type: 'pod', pod: pod.name, revision, phase },
    );
    if (!first && !exitSeen) this.shownPhase(namespace, pod, phase);
    if (phase === 'Gone') {
      this.shown.logs.gone(namespace, pod.name);
      this.ctx.store.remove(T.pod, namespace, pod.name);
      if (owner?.pods.delete(pod.name)) owner.tally.Gone--;
      // The machine is final (done: a send to it changes nothing) and has no timer left.
    } else if (phase === 'ContainerCreating') {
      if (this.ctx.settings.hangImages.length > 0) this.boundAt.set(pod, this.ctx.now());
      // The binding: the node and the scheduled status in one write.
      const existing = this.ctx.store.get<Pod>(T.pod, namespace, pod.name);
      if (existing && pod.node) {
        this.ctx.store.bind(T.pod, namespace, pod.name, pod.node.name, podStatus(existing, phase, pod), true);
      }
    } else if (phase !== 'Terminating' && !first) {
      const existing = this.ctx.store.get<Pod>(T.pod, namespace, pod.name);
      if (existing) {
        this.ctx.store.updateStatus(T.pod, namespace, pod.name, podStatus(existing, phase, pod), true);
      }
    }
    if (phase === 'Gone' || (phase === 'Terminating' && !pod.node)) {
      // Its requests leave the node (a pod never bound leaves the scheduler's queue).
      this.placement.scheduler.release(`${namespace}/${pod.name}`);
    }
    this.observer.podPhase(namespace, pod.revision, pod.name, phase);
    const dep = this.ctx.store.get<Deployment>(T.deployment, namespace, deployment);
    const rt = this.runtimeOf(namespace, deployment);
    if (dep && rt) this.writeStatus(dep, rt);
  }

  /**
   * The user container exited, backs off or started again: the kubelet's status write and events.
   * Knative's revision reconciler reads the exit from the pod (`reconcileDeployment`): the
   * restart, which puts it in the pod's lastState, wakes it.
   */
  private onContainer(
    namespace: string,
    pod: PodRuntime,
    state: 'exited' | 'backOff' | 'restarted',
    backOffMs: number,
    oomKilled: boolean,
  ): void {
    const stored = this.ctx.store.get<Pod>(T.pod, namespace, pod.name);
    if (!stored) return;
    const now = this.ctx.timestamp();
    const user = stored.spec.containers?.[0];
    const name = user?.name ?? 'user-container';
    const app = imageCrash(this.ctx.settings, user);
    const noExit = { exitCode: 0, reason: '', message: '' };
    pod.crash ??= {
      app,
      exit: noExit,
      lastExit: noExit,
      container: name,
      state: 'running',
      restartCount: 0,
      backOffMs: 0,
      lastStartedAt: '',
      lastFinishedAt: '',
      startedAt: pod.startedAt ?? now,
      exitedAt: '',
    };
    const crash = pod.crash;
    if (state === 'exited') {
      const hang = app === undefined && !oomKilled ? imageHang(this.ctx.settings, user) : undefined;
      crash.exit = oomKilled
        ? { exitCode: OOM_KILLED_EXIT_CODE, reason: OOM_KILLED_REASON, message: '' }
        : hang
          ? // The liveness kill: ended by SIGTERM, or by SIGKILL at the end of the grace period.
            livenessExit(hang, stored)
          : {
              exitCode: app?.exitCode ?? 0,
              reason: terminatedReason(app?.exitCode ?? 0),
              message: app?.message ?? '',
            };
    }
    if (state === 'exited' && pod.announced === 'Ready') {
      // It served: the requests in it fail now; the kubelet shows the exit at its next relist,
      // when the pod turns Running, not ready (`onPhase`).
      crash.state = 'terminated';
      crash.exitedAt = now;
      this.observer.appExited(namespace, pod.revision, pod.name);
      return;
    }
    const kubelet = { component: 'kubelet', host: pod.node?.name ?? '' };
    const field = user ? containerField(user) : { fieldPath: `spec.containers{${name}}` };
    if (crash.state === 'terminated') {
      // The kubelet has seen the exit: the run that ended becomes the last state.
      crash.lastStartedAt = crash.startedAt;
      crash.lastFinishedAt = crash.exitedAt;
      crash.lastExit = crash.exit;
    }
    if (state === 'exited') {
      crash.state = 'terminated';
      crash.exitedAt = now;
    } else if (state === 'backOff') {
      crash.state = 'waiting';
      crash.backOffMs = backOffMs;
      this.shown.recorder.record(
        stored,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${name} in pod ${pod.name}_${namespace}(${stored.metadata.uid ?? ''})`,
        kubelet,
        field,
      );
    } else {
      crash.state = 'running';
      crash.restartCount++;
      crash.startedAt = now;
      const image = user?.image ?? '';
      this.shown.recorder.record(stored, 'Normal', 'Pulled', alreadyPresentMessage(image), kubelet, field);
      this.shown.recorder.record(stored, 'Normal', 'Created', `Created container: ${name}`, kubelet, field);
      this.shown.recorder.record(stored, 'Normal', 'Started', `Started container ${name}`, kubelet, field);
    }
    this.ctx.store.updateStatus(T.pod, namespace, pod.name, podStatus(stored, 'Running', pod), true);
    if (state === 'restarted') this.ctx.enqueue(T.revision, namespace, pod.revision);
  }

  /**
   * A hanging app: it stopped answering (the data plane holds its requests), or the kubelet's
   * liveness probe failed (`Unhealthy`), or the kubelet kills the container (`Killing`).
   */
  private onLiveness(namespace: string, pod: PodRuntime, state: 'hung' | 'failed' | 'killing'): void {
    if (state === 'hung') {
      this.observer.appHung(namespace, pod.revision, pod.name);
      return;
    }
    const stored = this.ctx.store.get<Pod>(T.pod, namespace, pod.name);
    const user = stored?.spec.containers?.[0];
    if (!stored || !user) return;
    const kubelet = { component: 'kubelet', host: pod.node?.name ?? '' };
    const name = user.name ?? 'user-container';
    if (state === 'killing') {
      this.shown.recorder.record(
        stored,
        'Normal',
        'Killing',
        livenessKillingMessage(name),
        kubelet,
        containerField(user),
      );
      return;
    }
    const probe = (user as { livenessProbe?: ProbeSpec }).livenessProbe;
    const port = probe?.httpGet?.port;
    const userPort = user.ports?.[0]?.containerPort ?? 8080;
    const message = livenessTimeoutMessage(
      pod.ip,
      typeof port === 'number' && port > 0 ? port : userPort,
      probe?.httpGet?.path ?? '/',
    );
    this.shown.recorder.record(stored, 'Warning', 'Unhealthy', message, kubelet, containerField(user));
  }

  /** The scheduler's and kubelet's side of a phase change: the binding, the events. */
  private shownPhase(namespace: string, pod: PodRuntime, phase: PodPhase): void {
    const recorder = this.shown.recorder;
    const stored = this.ctx.store.get<Pod>(T.pod, namespace, pod.name);
    if (!stored) return;
    const containers = stored.spec.containers ?? [];
    const kubelet = { component: 'kubelet', host: pod.node?.name ?? '' };
    if (phase === 'ContainerCreating') {
      pod.scheduledAt = this.ctx.timestamp();
      recorder.record(
        stored,
        'Normal',
        'Scheduled',
        `Successfully assigned ${namespace}/${pod.name} to ${pod.node?.name ?? ''}`,
        SCHEDULER,
        {
          eventsV1: { action: 'Binding', reportingInstance: `default-scheduler-${this.placement.controlPlane()}` },
        },
      );
    } else if (phase === 'Running') {
      pod.startedAt = this.ctx.timestamp();
      const userPort = containers[0]?.ports?.[0]?.containerPort;
      this.shown.logs.started(namespace, pod.name, pod.revision, this.ctx.now(), userPort);
      containers.forEach((c, i) => {
        const image = c.image ?? '';
        const pull = pod.pulls?.[i];
        const pulled =
          pull?.pulled === true
            ? pulledMessage(image, pull.pullMs, pull.totalMs, pull.sizeBytes)
            : alreadyPresentMessage(image);
        // One field for the container's three events (the recorder only reads it).
        const field = containerField(c);
        recorder.record(stored, 'Normal', 'Pulled', pulled, kubelet, field);
        recorder.record(stored, 'Normal', 'Created', `Created container: ${c.name ?? ''}`, kubelet, field);
        recorder.record(stored, 'Normal', 'Started', `Started container ${c.name ?? ''}`, kubelet, field);
      });
    } else if (phase === 'Ready') {
      pod.readyAt = this.ctx.timestamp();
    } else if (phase === 'Terminating') {
      this.shown.logs.stopping(namespace, pod.name, this.ctx.now(), Math.round(this.ctx.settings.drainMs / 1000));
      for (const c of containers) {
        recorder.record(stored, 'Normal', 'Killing', `Stopping container ${c.name ?? ''}`, kubelet, containerField(c));
      }
    }
  }
}

/**
 * A pod as the scheduler sees it, made once with the pod: its callbacks are methods, not two
 * closures and an object made on each schedule event (under tsx each named closure also costs a
 * `__name` call). It hands the scheduler's decision to the pod's machine.
 */
class PodToSchedule implements SchedulablePod {
  readonly cpuLimitMillis?: number;

  constructor(
    readonly key: string,
    readonly owner: string,
    readonly demand: PodDemand,
    userLimit: number | undefined,
    private readonly pod: PodRuntime,
    private readonly pods: PodMachines<PodRuntime>,
  ) {
    if (userLimit !== undefined) this.cpuLimitMillis = userLimit;
  }

  bound(node: NodeState): void {
    this.pod.node = node;
    this.pods.deliver(this.pod, { type: 'pod.bound', node: node.name });
  }

  unschedulable(message: string): void {
    this.pods.deliver(this.pod, { type: 'pod.unschedulable', message });
  }
}

/**
 * One of a pod's conditions as the kubelet writes it. (This and `containerField` are module
 * functions, not closures made per status: under tsx each named closure costs a `__name` call,
 * on every phase of every pod.)
 */
function podCondition(
  type: string,
  ok: boolean,
  since: string,
  unready: readonly (string | undefined)[],
  reason?: string,
) {
  // Two literals, not one spread with a part made to be copied and dropped (cold code each write).
  if (ok || !reason) return { type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: since };
  return {
    type,
    status: 'False',
    lastProbeTime: null,
    lastTransitionTime: since,
    reason,
    message: `containers with unready status: [${unready.join(' ')}]`,
  };
}

/** How a hanging app's container ended after its liveness kill (reason `Error`, the app wrote nothing). */
function livenessExit(hang: HangImage, pod: Pod): ContainerExit {
  const grace = ((pod.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds ?? 300) * 1000;
  const exitCode = livenessKill(grace, hang.onSigterm === 'exit').exitCode;
  return { exitCode, reason: terminatedReason(exitCode), message: '' };
}

/** The field an event about a container names. */
function containerField(c: Container): { fieldPath: string } {
  return { fieldPath: `spec.containers{${c.name ?? ''}}` };
}

/**
 * The full status the kubelet reports, with its times, addresses, QoS class and per-container
 * ids (what `kubectl describe pod` prints): containers listed by name, as the kubelet sorts them.
 * Made fresh for each write, every part of it (no part is kept or shared with anything): the
 * store takes it handed over and keeps it as it is, neither copied nor frozen (freezing its
 * fifty-odd objects cost about what a copy did, ≈ 30 ms a day of diurnal-24h).
 */
export function podStatus(pod: Pod, phase: PodPhase, rt: PodRuntime): Pod['status'] {
  const containers = byName(pod.spec.containers ?? []);
  const scheduled = rt.scheduledAt ?? '';
  const started = rt.startedAt;
  const ready = phase === 'Ready';
  const running = phase === 'Running' || phase === 'Ready';
  const unready: (string | undefined)[] = [];
  for (const c of containers) {
    if (!(ready || (running && c.name !== 'queue-proxy' && c.name !== rt.crash?.container))) unready.push(c.name);
  }
  const containerStatuses = new Array<ContainerStatus>(containers.length);
  for (let i = 0; i < containers.length; i++)
    containerStatuses[i] = containerStatus(pod, rt, containers[i]!, running, ready, started);
  return {
    phase: running ? 'Running' : 'Pending',
    conditions: [
      podCondition('PodReadyToStartContainers', running, started ?? scheduled, unready),
      podCondition('Initialized', true, scheduled, unready),
      podCondition('Ready', ready, (ready ? rt.readyAt : scheduled) ?? scheduled, unready, 'ContainersNotReady'),
      podCondition(
        'ContainersReady',
        ready,
        (ready ? rt.readyAt : scheduled) ?? scheduled,
        unready,
        'ContainersNotReady',
      ),
      podCondition('PodScheduled', true, scheduled, unready),
    ] as never,
    hostIP: rt.node?.address ?? '',
    hostIPs: [{ ip: rt.node?.address ?? '' }],
    ...(running ? { podIP: rt.ip, podIPs: [{ ip: rt.ip }] } : {}),
    startTime: scheduled,
    qosClass: 'Burstable',
    containerStatuses,
  };
}

/**
 * A pod's containers by name, as the kubelet lists their statuses: a copy put in order one by
 * one, each after those whose names are not after its own (what a stable sort by name gives, as
 * `[...containers].sort` by `<` did), without the sort's own work list on every status write of
 * every pod (two or three containers).
 */
export function byName(containers: readonly Container[]): Container[] {
  const out = new Array<Container>(containers.length);
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i]!;
    const name = c.name ?? '';
    let at = i;
    while (at > 0 && name < (out[at - 1]!.name ?? '')) {
      out[at] = out[at - 1]!;
      at--;
    }
    out[at] = c;
  }
  return out;
}

/**
 * One container's status (a module function, not a closure per status write). Each literal in
 * full (the key order the kubelet's has), not a common part spread into two shapes and dropped.
 */
function containerStatus(
  pod: Pod,
  rt: PodRuntime,
  c: Container,
  running: boolean,
  ready: boolean,
  started: string | undefined,
): ContainerStatus {
  const name = c.name ?? '';
  const image = c.image ?? '';
  if (rt.crash && name === rt.crash.container && running) return crashedContainerStatus(rt, pod, c, image, ready);
  if (!running) {
    return {
      image,
      imageID: '',
      lastState: {},
      name,
      restartCount: 0,
      ready: false,
      started: false,
      state: { waiting: { reason: 'ContainerCreating' } },
    } as ContainerStatus;
  }
  return {
    image,
    imageID: imageId(image),
    lastState: {},
    name,
    restartCount: 0,
    containerID: containerId(rt, pod.metadata.name, name),
    ready: ready || name !== 'queue-proxy',
    started: true,
    state: { running: { startedAt: started } },
  } as ContainerStatus;
}

/**
 * A user container that exits: its last run in lastState, and now terminated (just after an
 * exit), waiting in CrashLoopBackOff, or running again; ready only while it serves (an app that
 * passes its readiness probe before it exits).
 */
function crashedContainerStatus(
  rt: PodRuntime,
  pod: Pod,
  c: Container,
  image: string,
  ready: boolean,
): ContainerStatus {
  const crash = rt.crash!;
  const name = crash.container;
  const containerID = containerId(rt, pod.metadata.name, name);
  const run = (exit: ContainerExit, startedAt: string, finishedAt: string) => ({
    terminated: {
      exitCode: exit.exitCode,
      reason: exit.reason,
      ...(exit.message ? { message: exit.message } : {}),
      startedAt,
      finishedAt,
      containerID,
    },
  });
  const lastState = crash.lastFinishedAt ? run(crash.lastExit, crash.lastStartedAt, crash.lastFinishedAt) : {};
  const state =
    crash.state === 'running'
      ? { running: { startedAt: crash.startedAt } }
      : crash.state === 'waiting'
        ? {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: crashLoopBackOffMessage(
                crash.backOffMs,
                name,
                pod.metadata.name,
                pod.metadata.namespace ?? '',
                pod.metadata.uid ?? '',
              ),
            },
          }
        : run(crash.exit, crash.startedAt, crash.exitedAt);
  return {
    image,
    imageID: imageId(image),
    lastState,
    name: c.name ?? name,
    restartCount: crash.restartCount,
    containerID,
    ready: ready && crash.state === 'running',
    started: crash.state === 'running',
    state,
  } as ContainerStatus;
}

/** What a pod's containers ask of a node: their requests, and the first one's CPU limit. */
export interface ContainerAsks {
  readonly requests: readonly ContainerRequests[];
  readonly userLimit: number | undefined;
}

/** `containerAsks` by frozen containers list (a revision's pods share their template's). */
const asks = new WeakMap<readonly Container[], ContainerAsks>();

/**
 * The model's `containerRequests` and `cpuLimitMillis` of a pod's containers, read once per
 * frozen containers list (a function of it alone, and it cannot change) rather than once per
 * pod: the quantity parsing is cold code each time a pod is made. A list that is not frozen is
 * read every time.
 */
export function containerAsks(containers: readonly Container[]): ContainerAsks {
  const known = asks.get(containers);
  if (known) return known;
  const made: ContainerAsks = {
    requests: containers.map((c) => containerRequests((c as { resources?: ContainerResources }).resources)),
    userLimit: cpuLimitMillis((containers[0] as { resources?: ContainerResources } | undefined)?.resources),
  };
  if (Object.isFrozen(containers)) asks.set(containers, made);
  return made;
}

/** Image ids by image: a run has a few images and writes their ids with every pod's status. */
const imageIds = new Map<string, string>();

/** The id the kubelet reports for an image: its name with the digest of the image reference. */
function imageId(image: string): string {
  let id = imageIds.get(image);
  if (id === undefined) {
    id = `${image.split('@')[0]}@sha256:${sha256Hex(image)}`;
    imageIds.set(image, id);
  }
  return id;
}

/** A container's id, the same for each status write of its pod (kept with the pod). */
export function containerId(rt: Pick<PodRuntime, 'containerIds'>, pod: string, container: string): string {
  const ids = rt.containerIds;
  if (ids !== undefined) {
    for (let i = 0; i < ids.length; i += 2) if (ids[i] === container) return ids[i + 1]!;
  }
  const id = `containerd://${sha256Hex(`${pod}/${container}`)}`;
  // A list one pair longer (not pushed to: a list pushed to takes room for 16 more).
  rt.containerIds = ids === undefined ? [container, id] : [...ids, container, id];
  return id;
}

/** Five characters that stay the same for the same pod (the token volume's suffix). */
function stableSuffix(seed: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = md5(seed);
  let out = '';
  for (let i = 0; i < 5; i++) out += alphabet[digest[i]! % alphabet.length];
  return out;
}

/**
 * A pod no node fits, as the scheduler writes it: Pending with PodScheduled False `Unschedulable`
 * and the FitError message.
 */
export function unschedulableStatus(message: string, since: string): Pod['status'] {
  return {
    phase: 'Pending',
    conditions: [
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: since,
        reason: 'Unschedulable',
        message,
      },
    ] as never,
    qosClass: 'Burstable',
  };
}

/** A plausible, stable size for an image the scenario does not size (the kubelet reports the real one). */
export function imageSize(image: string): number {
  let size = imageSizes.get(image);
  if (size === undefined) {
    const digest = md5(image);
    size = 20_000_000 + (new DataView(digest.buffer).getUint32(0) % 60_000_000);
    imageSizes.set(image, size);
  }
  return size;
}

/**
 * `imageSize` by image: a function of the name alone, asked on every pull (302 a day in
 * diurnal-24h, of one image), where an md5 cost ≈ 100 µs of CPU (cold code between pulls).
 */
const imageSizes = new Map<string, number>();
