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

/** The reasons `filterNode` gives, each with its place in a {@link FitErrorTally}'s counts. */
const KNOWN_REASONS = [
  REASON_UNSCHEDULABLE_NODE,
  REASON_NODE_SELECTOR,
  REASON_TOO_MANY_PODS,
  'Insufficient cpu',
  'Insufficient memory',
] as const;

/**
 * The nodes' rejections of one pod counted as they come, for its FitError: numbers per known
 * reason (no Map, no list of the rejections, no iterator per node: a pod no node fits is
 * rejected by every node on each attempt), a Map only for a reason `filterNode` never gives.
 */
class FitErrorTally {
  total = 0;
  private readonly known = [0, 0, 0, 0, 0];
  private other: Map<string, number> | undefined;
  private resolvable = 0;
  private notHelpful = 0;

  add(r: NodeRejection): void {
    this.total++;
    const reasons = r.reasons;
    for (let i = 0; i < reasons.length; i++) {
      const reason = reasons[i]!;
      const k = KNOWN_REASONS.indexOf(reason as (typeof KNOWN_REASONS)[number]);
      if (k >= 0) this.known[k]!++;
      else {
        this.other ??= new Map();
        this.other.set(reason, (this.other.get(reason) ?? 0) + 1);
      }
    }
    if (r.resolvable) this.resolvable++;
    else this.notHelpful++;
  }

  /**
   * `0/N nodes are available: <count> <reason>, …. preemption: …` — each part's count and
   * reason, the parts sorted as strings (so the order the reasons came in does not matter).
   */
  message(): string {
    const total = this.total;
    if (total === 0) return 'no nodes available to schedule pods';
    const parts: string[] = [];
    for (let k = 0; k < KNOWN_REASONS.length; k++) {
      if (this.known[k]! > 0) parts.push(`${this.known[k]} ${KNOWN_REASONS[k]}`);
    }
    if (this.other !== undefined) for (const [r, n] of this.other) parts.push(`${n} ${r}`);
    const preemption: string[] = [];
    if (this.resolvable > 0) preemption.push(`${this.resolvable} ${REASON_NO_VICTIMS}`);
    if (this.notHelpful > 0) preemption.push(`${this.notHelpful} ${REASON_PREEMPTION_NOT_HELPFUL}`);
    return `${nodesAvailable(total, parts)} preemption: ${nodesAvailable(total, preemption)}.`;
  }
}

/** `0/N nodes are available: <part>, ….` — the parts (`<count> <reason>`) sorted as strings. */
function nodesAvailable(total: number, parts: string[]): string {
  if (parts.length > 1) parts.sort(byString);
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
  const tally = new FitErrorTally();
  for (let i = 0; i < rejections.length; i++) tally.add(rejections[i]!);
  return tally.message();
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
  const { images, having } = cluster;
  for (let i = 0; i < images.length; i++) {
    const size = node.images.get(images[i]!);
    if (size === undefined) continue;
    imageSum += size * (having[i]! / cluster.nodes);
  }
  const maxThreshold = IMAGE_MAX_CONTAINER_THRESHOLD * Math.max(1, pod.images.length);
  const clamped = Math.min(Math.max(imageSum, IMAGE_MIN_THRESHOLD), maxThreshold);
  const imageLocality = Math.floor(((clamped - IMAGE_MIN_THRESHOLD) * 100) / (maxThreshold - IMAGE_MIN_THRESHOLD));
  let spread = 100;
  if (cluster.spread) {
    const max = cluster.maxSiblings;
    const here = (cluster.siblingsOn ? cluster.siblingsOn.get(node) : pod.siblingsByNode!.get(node.name)) ?? 0;
    spread = max === 0 ? 100 : Math.floor(((max - here) * 100) / max);
  }
  return leastAllocated + balanced + imageLocality + 2 * spread;
}

/**
 * What scoring a node needs of the whole cluster, the same for every node of one attempt (so an
 * attempt costs its nodes, not their square): the pod's images in the order it lists them (once
 * each) with how many nodes have each, whether the spread counts (the pod has siblings placed),
 * and the most siblings on any node.
 */
interface ClusterView {
  readonly nodes: number;
  readonly images: readonly string[];
  readonly having: readonly number[];
  readonly spread: boolean;
  readonly maxSiblings: number;
  /** The siblings by node itself, when the caller keeps them so (see `schedulePod`). */
  readonly siblingsOn: ReadonlyMap<NodeView, number> | undefined;
}

function clusterView(
  pod: PodDemand,
  nodes: readonly NodeView[],
  siblingsOn: ReadonlyMap<NodeView, number> | undefined,
): ClusterView {
  const images: string[] = [];
  const having: number[] = [];
  for (const image of pod.images) {
    if (images.includes(image)) continue;
    let n = 0;
    for (let i = 0; i < nodes.length; i++) if (nodes[i]!.images.has(image)) n++;
    images.push(image);
    having.push(n);
  }
  const siblings: ReadonlyMap<unknown, number> | undefined = siblingsOn ?? pod.siblingsByNode;
  const spread = siblings !== undefined && siblings.size > 0;
  // Math.max over the counts (what `Math.max(...counts)` gives), without spreading them.
  let maxSiblings = Number.NEGATIVE_INFINITY;
  if (spread) for (const n of siblings.values()) maxSiblings = Math.max(maxSiblings, n);
  return { nodes: nodes.length, images, having, spread, maxSiblings: spread ? maxSiblings : 0, siblingsOn };
}

export type ScheduleResult =
  | { readonly scheduled: true; readonly node: string }
  | { readonly scheduled: false; readonly message: string };

/** `placePod`'s answer: the node itself, or the FitError message. */
export type Placement =
  | { readonly node: NodeView; readonly message?: undefined }
  | { readonly node?: undefined; readonly message: string };

/** The scores of one attempt's feasible nodes (a scratch list reused: an attempt is never nested). */
let scores = new Float64Array(64);

/**
 * One scheduling attempt: the feasible nodes scored, the best taken (ties broken at random, as
 * kube-scheduler's selectHost samples among equal scores), or the FitError message.
 */
export function schedulePod(pod: PodDemand, nodes: readonly NodeView[], random: Random): ScheduleResult {
  const placed = placePod(pod, nodes, random);
  return placed.node !== undefined
    ? { scheduled: true, node: placed.node.name }
    : { scheduled: false, message: placed.message };
}

/**
 * `schedulePod`, giving the node itself. `siblingsOn`: the pods of the same owner already
 * placed, by node itself (the simulator keeps them so), in place of the pod's `siblingsByNode`
 * by node name: the same counts for the same nodes score the same.
 *
 * Made cheap, the rule unchanged (test/cluster/schedulerPlain.test.ts holds it against the plain
 * version): the rejections are counted as they come, not listed; the feasible nodes' scores go
 * into a reused list and the ties are counted, the one drawn found again, where the best nodes
 * were a new list each time the best score rose.
 */
export function placePod(
  pod: PodDemand,
  nodes: readonly NodeView[],
  random: Random,
  siblingsOn?: ReadonlyMap<NodeView, number>,
): Placement {
  let tally: FitErrorTally | undefined;
  const feasible: NodeView[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const rejected = filterNode(node, pod);
    if (rejected === undefined) feasible.push(node);
    else if (feasible.length === 0) {
      // Counted only while no node fits (once one does, the message is never made).
      tally ??= new FitErrorTally();
      tally.add(rejected);
    }
  }
  if (feasible.length === 0) return { message: (tally ?? new FitErrorTally()).message() };
  if (feasible.length === 1) return { node: feasible[0]! };
  const cluster = clusterView(pod, nodes, siblingsOn);
  if (scores.length < feasible.length) scores = new Float64Array(Math.max(feasible.length, 2 * scores.length));
  let bestScore = -1;
  let ties = 0;
  for (let i = 0; i < feasible.length; i++) {
    const score = scoreNode(feasible[i]!, pod, cluster);
    scores[i] = score;
    if (score > bestScore) {
      bestScore = score;
      ties = 1;
    } else if (score === bestScore) ties++;
  }
  // The best nodes in feasible order, and the draw among them, as a list of them would give.
  let pick = ties === 1 ? 0 : Math.floor(random() * ties);
  for (let i = 0; i < feasible.length; i++) {
    if (scores[i] !== bestScore) continue;
    if (pick === 0) return { node: feasible[i]! };
    pick--;
  }
  throw new Error('no best node among the feasible ones');
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
