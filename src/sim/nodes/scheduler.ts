/**
 * kube-scheduler, simulated: binds each pod to a node with the model's fit and scoring rules
 * (src/model/cluster/scheduler.ts), or keeps it unschedulable and tries it again when the cluster
 * changes in a way that could help (a pod left, a node joined), after kube-scheduler's per-pod
 * backoff (1 s doubling to 10 s), and at the latest every 5 minutes
 * (podMaxInUnschedulablePodsDuration). Pods are retried in the order they first failed.
 */
import { type PodDemand, placePod } from '../../model/cluster/scheduler.js';
import type { Random } from '../../model/random.js';
import type { Engine } from '../engine.js';
import { PodCpu } from './cpu.js';
import type { NodeState } from './state.js';

/** A pod as the scheduler sees it; the callbacks hand the decision to its lifecycle. */
export interface SchedulablePod {
  /** `namespace/name`. */
  readonly key: string;
  /** Its ReplicaSet, for spreading siblings. */
  readonly owner: string;
  readonly demand: PodDemand;
  /** The user container's CPU limit (millicores), if it has one. */
  readonly cpuLimitMillis?: number;
  bound(node: NodeState): void;
  unschedulable(message: string): void;
}

interface Waiting {
  readonly pod: SchedulablePod;
  attempts: number;
  lastAttempt: number;
}

const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 10_000;
/** Unschedulable pods are tried again at least this often (podMaxInUnschedulablePodsDuration). */
const MAX_UNSCHEDULABLE_MS = 5 * 60_000;
/** How often that is checked (flushUnschedulablePodsLeftover). */
const FLUSH_PERIOD_MS = 30_000;

export class Scheduler {
  /** Unschedulable pods, in the order they first failed. */
  private readonly waiting = new Map<string, Waiting>();
  /** Where each bound pod runs, by key. */
  private readonly boundTo = new Map<string, NodeState>();
  /** Each bound pod's owner (ReplicaSet), by key. */
  private readonly owners = new Map<string, string>();
  /** How many bound pods each owner has on each node (the spread), kept as pods bind and leave. */
  private readonly placed = new Map<string, Map<NodeState, number>>();
  /** Each bound pod's CPU on its node, made when first asked for. */
  private readonly cpus = new Map<string, PodCpu>();
  private readonly limits = new Map<string, number | undefined>();
  /**
   * The earliest time a waiting pod's backoff is over, while `earliestKnown`: a pod that left or
   * failed again (its time moves on, never back) makes it unknown, found again when next asked.
   * The cluster changes each time a bound pod leaves (thousands of times a minute in a scale-down
   * while thousands wait), where each went through every waiting pod.
   */
  private earliestDue = Number.POSITIVE_INFINITY;
  private earliestKnown = true;
  private retryTimer: ReturnType<Engine['at']> | undefined;
  private retryAt = Number.POSITIVE_INFINITY;
  private flushScheduled = false;
  /** Told when a bound pod leaves its node (a draining node may be empty now). */
  onReleased: ((node: NodeState) => void) | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly nodes: () => readonly NodeState[],
    private readonly random: Random,
  ) {}

  /** Tries to place a pod now. */
  schedule(pod: SchedulablePod): void {
    const existing = this.waiting.get(pod.key);
    if (!this.attempt(pod)) {
      const w = existing ?? { pod, attempts: 0, lastAttempt: 0 };
      w.attempts++;
      w.lastAttempt = this.engine.now();
      this.waiting.set(pod.key, w);
      if (existing) this.earliestKnown = false;
      else this.earliestDue = Math.min(this.earliestDue, dueAt(w));
      this.scheduleFlush();
    }
  }

  /** The pods no node fits now, in the order they first failed. */
  unschedulablePods(): SchedulablePod[] {
    return [...this.waiting.values()].map((w) => w.pod);
  }

  /** The node a pod is bound to. */
  nodeOf(key: string): NodeState | undefined {
    return this.boundTo.get(key);
  }

  /** A bound pod's share of its node's CPU. */
  cpuOf(key: string): PodCpu | undefined {
    const node = this.boundTo.get(key);
    if (!node) return undefined;
    let cpu = this.cpus.get(key);
    if (!cpu) {
      cpu = new PodCpu(this.engine, node.cpu, node.pods.get(key)?.cpuMillis ?? 0, this.limits.get(key));
      this.cpus.set(key, cpu);
    }
    return cpu;
  }

  /** A pod is gone (or was deleted before it was bound): its place is free; waiting pods may fit. */
  release(key: string): void {
    if (this.waiting.delete(key)) this.earliestKnown = false;
    const node = this.boundTo.get(key);
    if (!node) return;
    this.boundTo.delete(key);
    const owner = this.owners.get(key);
    if (owner !== undefined) {
      const on = this.placed.get(owner)!;
      const n = on.get(node)! - 1;
      if (n > 0) on.set(node, n);
      else on.delete(node);
      if (on.size === 0) this.placed.delete(owner);
    }
    this.owners.delete(key);
    this.limits.delete(key);
    this.cpus.get(key)?.detach();
    this.cpus.delete(key);
    node.remove(key);
    this.onReleased?.(node);
    this.clusterChanged();
  }

  /** A node joined or was uncordoned: waiting pods may fit. */
  clusterChanged(): void {
    if (this.waiting.size === 0) return;
    const now = this.engine.now();
    // A retry already due now: no earlier one to ask for.
    if (this.retryTimer && this.retryAt <= now) return;
    if (!this.earliestKnown) {
      let earliest = Number.POSITIVE_INFINITY;
      for (const w of this.waiting.values()) earliest = Math.min(earliest, dueAt(w));
      this.earliestDue = earliest;
      this.earliestKnown = true;
    }
    this.retryNoEarlierThan(Math.max(now, this.earliestDue));
  }

  private retryNoEarlierThan(at: number): void {
    if (this.retryTimer && this.retryAt <= at) return;
    if (this.retryTimer) this.engine.cancel(this.retryTimer);
    this.retryAt = at;
    this.retryTimer = this.engine.at(at, () => {
      this.retryTimer = undefined;
      this.retryAt = Number.POSITIVE_INFINITY;
      this.retryDue();
    });
  }

  /** Tries the waiting pods whose backoff is over, in order; the others at their time. */
  private retryDue(): void {
    const now = this.engine.now();
    let later = Number.POSITIVE_INFINITY;
    for (const w of [...this.waiting.values()]) {
      if (!this.waiting.has(w.pod.key)) continue;
      const due = dueAt(w);
      if (due > now) {
        later = Math.min(later, due);
        continue;
      }
      this.retry(w);
    }
    if (later < Number.POSITIVE_INFINITY) this.retryNoEarlierThan(later);
  }

  private retry(w: Waiting): void {
    this.earliestKnown = false;
    if (this.attempt(w.pod)) {
      this.waiting.delete(w.pod.key);
      return;
    }
    w.attempts++;
    w.lastAttempt = this.engine.now();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.engine.after(FLUSH_PERIOD_MS, () => {
      this.flushScheduled = false;
      const now = this.engine.now();
      for (const w of [...this.waiting.values()]) {
        if (this.waiting.has(w.pod.key) && now - w.lastAttempt >= MAX_UNSCHEDULABLE_MS) this.retry(w);
      }
      if (this.waiting.size > 0) this.scheduleFlush();
    });
  }

  /**
   * One scheduling cycle for a pod: bound (true) or told why not (false). Its owner's pods on
   * each node go to the rule as kept (by node: every node that holds one is in the cluster, a
   * node leaves only once empty), not copied into a list by node name on each attempt.
   */
  private attempt(pod: SchedulablePod): boolean {
    const nodes = this.nodes();
    const result = placePod(pod.demand, nodes, this.random, this.placed.get(pod.owner) ?? NO_SIBLINGS);
    if (result.node === undefined) {
      pod.unschedulable(result.message);
      return false;
    }
    const node = result.node as NodeState;
    node.add(pod.key, pod.demand);
    this.boundTo.set(pod.key, node);
    this.owners.set(pod.key, pod.owner);
    let on = this.placed.get(pod.owner);
    if (!on) {
      on = new Map();
      this.placed.set(pod.owner, on);
    }
    on.set(node, (on.get(node) ?? 0) + 1);
    this.limits.set(pod.key, pod.cpuLimitMillis);
    pod.bound(node);
    return true;
  }
}

/** An owner with no pod placed: no spread to score. */
const NO_SIBLINGS: ReadonlyMap<NodeState, number> = new Map();

/** When a waiting pod's backoff is over. */
function dueAt(w: Waiting): number {
  return w.lastAttempt + backoffMs(w.attempts);
}

/** kube-scheduler's per-pod backoff after `attempts` failed attempts. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
}
