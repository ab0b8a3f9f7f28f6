/**
 * The cluster-autoscaler's decisions (kubernetes/autoscaler, cluster-autoscaler/FAQ.md), as pure
 * functions: how many nodes to add so that the unschedulable pods fit (its binpacking estimate on
 * empty nodes of the group's shape, after the nodes already on their way), which pods no new node
 * could take and why, and whether a node is unneeded (its pods request less than the
 * scale-down threshold of it and could all go to other nodes).
 */
import { filterNode, type NodeView, type PodDemand } from './scheduler.js';

/** A node being filled in the estimate: what is left of it. */
interface Bin {
  cpu: number;
  memory: number;
  pods: number;
}

export interface ScaleUpPlan {
  /** Nodes to add (0: none needed, or the group is at its maximum). */
  readonly add: number;
  /** Pods the new nodes (or those on their way) take, by index into the pods given. */
  readonly helped: readonly number[];
  /** Pods no node of the group could take, with the reason for their NotTriggerScaleUp event. */
  readonly notHelped: readonly { readonly index: number; readonly reason: string }[];
}

/**
 * The scale-up for one node group: a pod that some node in the cluster can take now is left to
 * the scheduler ("can be scheduled on node X. Ignoring in scale up"); the others are placed
 * first-fit on the room left on nodes already provisioning, then on new empty nodes of the
 * template, up to the group's maximum.
 */
export function planScaleUp(
  pods: readonly PodDemand[],
  template: NodeView,
  upcoming: number,
  currentSize: number,
  maxSize: number,
  existing: readonly NodeView[] = [],
): ScaleUpPlan {
  const empty = (): Bin => ({
    cpu: template.allocatable.cpuMillis - template.requested.cpuMillis,
    memory: template.allocatable.memoryBytes - template.requested.memoryBytes,
    pods: template.allocatable.pods - template.requested.pods,
  });
  const bins: Bin[] = Array.from({ length: upcoming }, empty);
  const headroom = maxSize - currentSize - upcoming;
  let added = 0;
  const helped: number[] = [];
  const notHelped: { index: number; reason: string }[] = [];
  const room = existing.map((n) => ({
    view: n,
    cpu: n.allocatable.cpuMillis - n.requested.cpuMillis,
    memory: n.allocatable.memoryBytes - n.requested.memoryBytes,
    pods: n.allocatable.pods - n.requested.pods,
  }));
  pods.forEach((pod, index) => {
    const free = room.find(
      (r) =>
        filterNode(r.view, pod) === undefined && r.pods >= 1 && r.cpu >= pod.cpuMillis && r.memory >= pod.memoryBytes,
    );
    if (free) {
      free.cpu -= pod.cpuMillis;
      free.memory -= pod.memoryBytes;
      free.pods -= 1;
      return;
    }
    const rejected = filterNode(template, pod);
    if (rejected) {
      notHelped.push({ index, reason: rejected.reasons.map((r) => `1 ${r}`).join(', ') });
      return;
    }
    const fits = (b: Bin) => b.pods >= 1 && b.cpu >= pod.cpuMillis && b.memory >= pod.memoryBytes;
    let bin = bins.find(fits);
    if (!bin) {
      if (added >= headroom) {
        notHelped.push({ index, reason: '1 max node group size reached' });
        return;
      }
      bin = empty();
      bins.push(bin);
      added++;
    }
    bin.cpu -= pod.cpuMillis;
    bin.memory -= pod.memoryBytes;
    bin.pods -= 1;
    helped.push(index);
  });
  return { add: added, helped, notHelped };
}

/** The TriggeredScaleUp event's words: `pod triggered scale-up: [{pool 1->2 (max: 5)}]`. */
export function triggeredScaleUpMessage(group: string, from: number, to: number, max: number): string {
  return `pod triggered scale-up: [{${group} ${from}->${to} (max: ${max})}]`;
}

/** The NotTriggerScaleUp event's words: `pod didn't trigger scale-up: 1 max node group size reached`. */
export function notTriggerScaleUpMessage(reason: string): string {
  return `pod didn't trigger scale-up: ${reason}`;
}

/**
 * Whether a node may go: its pods request less than `threshold` of its allocatable CPU and memory
 * (the larger share counts), it runs nothing the autoscaler will not move (the reserved system
 * pods), and every pod it has fits on the other nodes (first fit, as the autoscaler simulates it).
 */
export function nodeUnneeded(
  node: NodeView,
  reservedPods: number,
  pods: readonly PodDemand[],
  others: readonly NodeView[],
  threshold: number,
): boolean {
  if (reservedPods > 0) return false;
  const cpu = node.requested.cpuMillis / Math.max(1, node.allocatable.cpuMillis);
  const memory = node.requested.memoryBytes / Math.max(1, node.allocatable.memoryBytes);
  if (Math.max(cpu, memory) >= threshold) return false;
  const room = others
    .filter((o) => !o.unschedulable)
    .map((o) => ({
      view: o,
      cpu: o.allocatable.cpuMillis - o.requested.cpuMillis,
      memory: o.allocatable.memoryBytes - o.requested.memoryBytes,
      pods: o.allocatable.pods - o.requested.pods,
    }));
  for (const pod of pods) {
    const target = room.find(
      (r) =>
        r.pods >= 1 &&
        r.cpu >= pod.cpuMillis &&
        r.memory >= pod.memoryBytes &&
        !(pod.nodeSelector && Object.entries(pod.nodeSelector).some(([k, v]) => r.view.labels[k] !== v)),
    );
    if (!target) return false;
    target.cpu -= pod.cpuMillis;
    target.memory -= pod.memoryBytes;
    target.pods -= 1;
  }
  return true;
}

/**
 * Whether scale-down waits this scan (static_autoscaler.go `isScaleDownInCooldown`): for
 * `--scale-down-delay-after-add` after a scale-up, and for `--scale-down-delay-after-delete` after a
 * node was deleted (its default is the scan interval). Unneeded nodes are still tracked meanwhile:
 * only the deletion waits.
 */
export function scaleDownInCooldown(
  now: number,
  lastScaleUp: number,
  lastScaleDownDelete: number,
  spec: { readonly scaleDownDelayAfterAddMs: number; readonly scanIntervalMs: number },
): boolean {
  return now < lastScaleUp + spec.scaleDownDelayAfterAddMs || now < lastScaleDownDelete + spec.scanIntervalMs;
}

/** `--max-scale-down-parallelism` (default 10): empty nodes deleted in one scan. */
export const MAX_EMPTY_NODES_DELETED_AT_ONCE = 10;
