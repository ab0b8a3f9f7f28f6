/**
 * kube-scheduler's decision for one pod, as pure functions: which nodes pass the filters
 * (NodeUnschedulable, NodeAffinity for a nodeSelector, NodeResourcesFit), how the feasible ones
 * score, and the FitError message a pod that fits nowhere gets (its PodScheduled condition and
 * its FailedScheduling event), worded as kube-scheduler words it (pkg/scheduler/framework,
 * FitError.Error and the default preemption plugin). Sources and simplifications are listed in
 * docs/simulator.md ("Nodes and scheduling").
 */
import type { Random } from '../random.js';

/** What a pod asks of a node (the sum of its containers' requests). */
export interface PodDemand {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  /**
   * The same sums with kube-scheduler's non-zero defaults for containers that request nothing
   * (100m CPU, 200 MiB): what scoring counts, so empty requests still spread (NodeResourcesFit
   * scoring and BalancedAllocation use them).
   */
  readonly scoreCpuMillis: number;
  readonly scoreMemoryBytes: number;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** The images of its containers (ImageLocality). */
  readonly images: readonly string[];
  /** Pods of the same owner already placed, by node name (the spread a ReplicaSet gets). */
  readonly siblingsByNode?: ReadonlyMap<string, number>;
}

/** A node as the scheduler's cache sees it. */
export interface NodeView {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Cordoned (spec.unschedulable), e.g. by the cluster-autoscaler while it drains the node. */
  readonly unschedulable: boolean;
  readonly allocatable: { readonly cpuMillis: number; readonly memoryBytes: number; readonly pods: number };
  /** The requests of the pods bound to it (system pods included). */
  readonly requested: { readonly cpuMillis: number; readonly memoryBytes: number; readonly pods: number };
  /** The same with the non-zero defaults (see PodDemand). */
  readonly scoreRequested: { readonly cpuMillis: number; readonly memoryBytes: number };
  /** Size in bytes of each image the node has, by name. */
  readonly images: ReadonlyMap<string, number>;
}

/** kube-scheduler's defaults for a container without requests, used in scoring only. */
const DEFAULT_MILLI_CPU_REQUEST = 100;
const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

const REASON_UNSCHEDULABLE_NODE = 'node(s) were unschedulable';
const REASON_NODE_SELECTOR = "node(s) didn't match Node's node affinity/selector";
const REASON_TOO_MANY_PODS = 'Too many pods';
const REASON_NO_VICTIMS = 'No preemption victims found for incoming pod';
const REASON_PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';

/** Why a node cannot take the pod; `resolvable` when preemption could in principle help. */
export interface NodeRejection {
  readonly reasons: readonly string[];
  readonly resolvable: boolean;
}

/**
 * The rejections that are the same on every node they reject, made once (frozen): a pod no node
 * fits is rejected by every node, a full cluster's nodes mostly for their pod slots alone.
 */
const UNSCHEDULABLE_NODE: NodeRejection = Object.freeze({
  reasons: Object.freeze([REASON_UNSCHEDULABLE_NODE]),
  resolvable: false,
});
const NODE_SELECTOR_MISMATCH: NodeRejection = Object.freeze({
  reasons: Object.freeze([REASON_NODE_SELECTOR]),
  resolvable: false,
});
const TOO_MANY_PODS: NodeRejection = Object.freeze({
  reasons: Object.freeze([REASON_TOO_MANY_PODS]),
  resolvable: true,
});

/**
 * The filters in kube-scheduler's order; the first plugin that rejects a node gives its reasons
 * (NodeResourcesFit lists every resource that is short). Undefined when the pod fits.
 */
export function filterNode(node: NodeView, pod: PodDemand): NodeRejection | undefined {
  if (node.unschedulable) return UNSCHEDULABLE_NODE;
  if (pod.nodeSelector) {
    for (const [k, v] of Object.entries(pod.nodeSelector)) {
      if (node.labels[k] !== v) return NODE_SELECTOR_MISMATCH;
    }
  }
  const tooMany = node.requested.pods + 1 > node.allocatable.pods;
  const cpu = pod.cpuMillis > 0 && node.requested.cpuMillis + pod.cpuMillis > node.allocatable.cpuMillis;
  const memory = pod.memoryBytes > 0 && node.requested.memoryBytes + pod.memoryBytes > node.allocatable.memoryBytes;
  if (!cpu && !memory) return tooMany ? TOO_MANY_PODS : undefined;
  const reasons: string[] = [];
  if (tooMany) reasons.push(REASON_TOO_MANY_PODS);
  if (cpu) reasons.push('Insufficient cpu');
  if (memory) reasons.push('Insufficient memory');
  return { reasons, resolvable: true };
}

/** `0/N nodes are available: <count> <reason>, ….` — counts per reason, sorted as strings. */
function nodesAvailable(total: number, counts: ReadonlyMap<string, number>): string {
  const parts: string[] = [];
  for (const [r, n] of counts) parts.push(`${n} ${r}`);
  parts.sort(byString);
  return parts.length > 0 ? `0/${total} nodes are available: ${parts.join(', ')}.` : `0/${total} nodes are available.`;
}

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The message of a pod that fits on no node (FitError.Error with the default preemption
 * plugin's PostFilter message; Knative's pods have priority 0, so preemption never finds a
 * victim): `0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available:
 * 1 No preemption victims found for incoming pod..` (the double stop is kube-scheduler's).
 */
export function fitErrorMessage(rejections: readonly NodeRejection[]): string {
  const total = rejections.length;
  if (total === 0) return 'no nodes available to schedule pods';
  // Counted as the rejections come, in their order (the first reason seen first, as a Map keeps
  // it): every pod no node fits asks this, over every node, so no per-node lists are made.
  const reasons = new Map<string, number>();
  const preemptions = new Map<string, number>();
  for (const r of rejections) {
    for (const reason of r.reasons) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    const p = r.resolvable ? REASON_NO_VICTIMS : REASON_PREEMPTION_NOT_HELPFUL;
    preemptions.set(p, (preemptions.get(p) ?? 0) + 1);
  }
  return `${nodesAvailable(total, reasons)} preemption: ${nodesAvailable(total, preemptions)}.`;
}

/** ImageLocality's thresholds (pkg/scheduler/framework/plugins/imagelocality). */
const IMAGE_MIN_THRESHOLD = 23 * 1024 * 1024;
const IMAGE_MAX_CONTAINER_THRESHOLD = 1000 * 1024 * 1024;

/**
 * LeastAllocated's free share of a resource after placing the pod, 0–100. (This and
 * `usedFraction` are module functions, not closures made per node scored: under tsx each named
 * closure costs a `__name` call, for every node of every scheduling attempt.)
 */
function freeShare(used: number, alloc: number): number {
  return alloc <= 0 || used > alloc ? 0 : ((alloc - used) * 100) / alloc;
}

/** BalancedAllocation's used fraction of a resource, at most 1. */
function usedFraction(used: number, alloc: number): number {
  return alloc <= 0 ? 1 : Math.min(1, used / alloc);
}

/**
 * The default scoring plugins, each 0–100, weighted as kube-scheduler weighs them:
 * NodeResourcesFit (LeastAllocated: the free share of CPU and memory after placing the pod),
 * NodeResourcesBalancedAllocation (CPU and memory used in proportion), ImageLocality (the node
 * already has the images, scaled by how many nodes have them), and, standing in for
 * PodTopologySpread's default constraints (weight 2), fewer pods of the same owner on the node.
 */
function scoreNode(node: NodeView, pod: PodDemand, cluster: ClusterView): number {
  const cpuAlloc = node.allocatable.cpuMillis;
  const memAlloc = node.allocatable.memoryBytes;
  const cpuUsed = node.scoreRequested.cpuMillis + pod.scoreCpuMillis;
  const memUsed = node.scoreRequested.memoryBytes + pod.scoreMemoryBytes;
  const leastAllocated = Math.floor((freeShare(cpuUsed, cpuAlloc) + freeShare(memUsed, memAlloc)) / 2);
  const balanced = Math.floor(
    (1 - Math.abs(usedFraction(cpuUsed, cpuAlloc) - usedFraction(memUsed, memAlloc)) / 2) * 100,
  );
  let imageSum = 0;
  for (const [image, having] of cluster.having) {
    const size = node.images.get(image);
    if (size === undefined) continue;
    imageSum += size * (having / cluster.nodes);
  }
  const maxThreshold = IMAGE_MAX_CONTAINER_THRESHOLD * Math.max(1, pod.images.length);
  const clamped = Math.min(Math.max(imageSum, IMAGE_MIN_THRESHOLD), maxThreshold);
  const imageLocality = Math.floor(((clamped - IMAGE_MIN_THRESHOLD) * 100) / (maxThreshold - IMAGE_MIN_THRESHOLD));
  let spread = 100;
  if (pod.siblingsByNode && pod.siblingsByNode.size > 0) {
    const max = cluster.maxSiblings;
    const here = pod.siblingsByNode.get(node.name) ?? 0;
    spread = max === 0 ? 100 : Math.floor(((max - here) * 100) / max);
  }
  return leastAllocated + balanced + imageLocality + 2 * spread;
}

/**
 * What scoring a node needs of the whole cluster, the same for every node of one attempt (so an
 * attempt costs its nodes, not their square): how many nodes have each of the pod's images, in
 * the order the pod lists them (once each), and the most siblings on any node.
 */
interface ClusterView {
  readonly nodes: number;
  readonly having: ReadonlyMap<string, number>;
  readonly maxSiblings: number;
}

function clusterView(pod: PodDemand, nodes: readonly NodeView[]): ClusterView {
  const having = new Map<string, number>();
  for (const image of pod.images) {
    if (having.has(image)) continue;
    let n = 0;
    for (const node of nodes) if (node.images.has(image)) n++;
    having.set(image, n);
  }
  const maxSiblings = pod.siblingsByNode && pod.siblingsByNode.size > 0 ? Math.max(...pod.siblingsByNode.values()) : 0;
  return { nodes: nodes.length, having, maxSiblings };
}

export type ScheduleResult =
  | { readonly scheduled: true; readonly node: string }
  | { readonly scheduled: false; readonly message: string };

/**
 * One scheduling attempt: the feasible nodes scored, the best taken (ties broken at random, as
 * kube-scheduler's selectHost samples among equal scores), or the FitError message.
 */
export function schedulePod(pod: PodDemand, nodes: readonly NodeView[], random: Random): ScheduleResult {
  const rejections: NodeRejection[] = [];
  const feasible: NodeView[] = [];
  for (const node of nodes) {
    const rejected = filterNode(node, pod);
    if (rejected) rejections.push(rejected);
    else feasible.push(node);
  }
  if (feasible.length === 0) return { scheduled: false, message: fitErrorMessage(rejections) };
  if (feasible.length === 1) return { scheduled: true, node: feasible[0]!.name };
  let best: NodeView[] = [];
  let bestScore = -1;
  const cluster = clusterView(pod, nodes);
  for (const node of feasible) {
    const score = scoreNode(node, pod, cluster);
    if (score > bestScore) {
      bestScore = score;
      best = [node];
    } else if (score === bestScore) best.push(node);
  }
  const pick = best.length === 1 ? best[0]! : best[Math.floor(random() * best.length)]!;
  return { scheduled: true, node: pick.name };
}

/** What a container asks for, by resource (already in millicores / bytes). */
export interface ContainerRequests {
  readonly cpuMillis?: number;
  readonly memoryBytes?: number;
}

/** A pod's demand from its containers' requests (absent requests count 0 to fit, defaults to score). */
export function podDemand(
  containers: readonly ContainerRequests[],
  rest: Pick<PodDemand, 'nodeSelector' | 'images' | 'siblingsByNode'>,
): PodDemand {
  let cpu = 0;
  let mem = 0;
  let scoreCpu = 0;
  let scoreMem = 0;
  for (const c of containers) {
    cpu += c.cpuMillis ?? 0;
    mem += c.memoryBytes ?? 0;
    scoreCpu += c.cpuMillis || DEFAULT_MILLI_CPU_REQUEST;
    scoreMem += c.memoryBytes || DEFAULT_MEMORY_REQUEST;
  }
  return { cpuMillis: cpu, memoryBytes: mem, scoreCpuMillis: scoreCpu, scoreMemoryBytes: scoreMem, ...rest };
}
