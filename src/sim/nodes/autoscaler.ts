/**
 * The cluster-autoscaler, simulated for one node group: every scan interval it adds the nodes
 * the unschedulable pods need (its decisions are src/model/cluster/autoscaler.ts), telling each
 * pod (TriggeredScaleUp, NotTriggerScaleUp), and, when nothing waits and the last scale-up is
 * long enough ago, drains a node that has been unneeded for the scale-down-unneeded time.
 */
import type { KubeObject } from '../../model/api/types.js';
import {
  MAX_EMPTY_NODES_DELETED_AT_ONCE,
  nodeUnneeded,
  notTriggerScaleUpMessage,
  planScaleUp,
  scaleDownInCooldown,
  triggeredScaleUpMessage,
} from '../../model/cluster/autoscaler.js';
import { allocatableOf, type ClusterAutoscalerSpec, type NodeGroupSpec } from '../../model/cluster/nodes.js';
import type { NodeView } from '../../model/cluster/scheduler.js';
import type { SimContext } from '../context.js';
import type { EventRecorder } from '../recorder.js';
import { T } from '../types.js';
import type { ClusterNodes } from './cluster.js';
import type { NodeState } from './state.js';

const SOURCE = { component: 'cluster-autoscaler' };

export class ClusterAutoscaler {
  private readonly group: NodeGroupSpec;
  private lastScaleUp = Number.NEGATIVE_INFINITY;
  private lastScaleDownDelete = Number.NEGATIVE_INFINITY;
  /** Since when each node has been unneeded. */
  private readonly unneededSince = new Map<string, number>();

  constructor(
    private readonly ctx: SimContext,
    private readonly spec: ClusterAutoscalerSpec,
    private readonly nodes: ClusterNodes,
    private readonly recorder: EventRecorder,
  ) {
    this.group = ctx.settings.cluster.groups.find((g) => g.name === spec.group)!;
    this.scheduleLoop();
  }

  private scheduleLoop(): void {
    this.ctx.engine.after(this.spec.scanIntervalMs, () => {
      this.loop();
      this.scheduleLoop();
    });
  }

  private size(): number {
    return this.nodes.nodes().filter((n) => n.group.name === this.group.name).length;
  }

  /**
   * One scan, in the order of static_autoscaler.go's RunOnce: a scale-up that added nodes ends the
   * scan; otherwise the unneeded nodes are brought up to date (also during the cooldown after a
   * scale-up, so a node that emptied meanwhile may go as soon as the cooldown ends), and, out of
   * the cooldown, those unneeded for long enough are deleted.
   */
  private loop(): void {
    const pending = this.nodes.scheduler.unschedulablePods();
    if (pending.length > 0 && this.scaleUp(pending)) return;
    const now = this.ctx.now();
    this.updateUnneeded(now);
    if (scaleDownInCooldown(now, this.lastScaleUp, this.lastScaleDownDelete, this.spec)) return;
    this.scaleDown(now);
  }

  /** Plans a scale-up for the pending pods and tells them; true if nodes were added. */
  private scaleUp(pending: ReturnType<ClusterNodes['scheduler']['unschedulablePods']>): boolean {
    const size = this.size();
    const upcoming = this.nodes.upcoming(this.group.name);
    const plan = planScaleUp(
      pending.map((p) => p.demand),
      templateOf(this.group),
      upcoming,
      size,
      this.spec.maxNodes,
      this.nodes.nodes(),
    );
    const from = size + upcoming;
    const to = from + plan.add;
    if (plan.add > 0) {
      for (let i = 0; i < plan.add; i++) this.nodes.create(this.group, this.spec.provisioningMs);
      this.lastScaleUp = this.ctx.now();
      const message = triggeredScaleUpMessage(this.group.name, from, to, this.spec.maxNodes);
      for (const i of plan.helped) this.tell(pending[i]!.key, 'Normal', 'TriggeredScaleUp', message);
    }
    for (const { index, reason } of plan.notHelped) {
      this.tell(pending[index]!.key, 'Normal', 'NotTriggerScaleUp', notTriggerScaleUpMessage(reason));
    }
    return plan.add > 0;
  }

  /** The group's nodes the autoscaler may remove (not the control plane's, not one already draining). */
  private candidates(): NodeState[] {
    // The control plane's node runs its static pods: the autoscaler never removes it.
    return this.nodes.nodes().filter((n) => n.group.name === this.group.name && !n.unschedulable && !n.controlPlane);
  }

  /** Since when each candidate has been unneeded; a node that is needed again starts over. */
  private updateUnneeded(now: number): void {
    const all = this.nodes.nodes();
    const candidates = this.candidates();
    for (const name of [...this.unneededSince.keys()]) {
      if (!candidates.some((n) => n.name === name)) this.unneededSince.delete(name);
    }
    for (const node of candidates) {
      const unneeded = nodeUnneeded(
        node,
        node.group.reserved.pods,
        [...node.pods.values()],
        all.filter((n) => n !== node),
        this.spec.scaleDownUtilizationThreshold,
      );
      if (!unneeded) this.unneededSince.delete(node.name);
      else if (!this.unneededSince.has(node.name)) this.unneededSince.set(node.name, now);
    }
  }

  /**
   * Deletes the nodes unneeded for `--scale-down-unneeded-time`, down to the group's minimum:
   * empty ones together (up to the scale-down parallelism), or else one that has pods to drain.
   */
  private scaleDown(now: number): void {
    let size = this.size();
    const ripe = this.candidates().filter((n) => {
      const since = this.unneededSince.get(n.name);
      return since !== undefined && now - since >= this.spec.scaleDownUnneededMs;
    });
    const empty = ripe.filter((n) => n.pods.size === 0);
    // `--max-drain-parallelism` is 1: a node with pods waits while another still drains.
    const draining = this.nodes.nodes().some((n) => n.unschedulable);
    const victims =
      empty.length > 0 ? empty.slice(0, MAX_EMPTY_NODES_DELETED_AT_ONCE) : draining ? [] : ripe.slice(0, 1);
    for (const node of victims) {
      if (size <= this.spec.minNodes) break;
      this.unneededSince.delete(node.name);
      this.nodes.startDrain(node);
      this.lastScaleDownDelete = now;
      size--;
    }
  }

  private tell(key: string, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const slash = key.indexOf('/');
    const pod = this.ctx.store.get<KubeObject>(T.pod, key.slice(0, slash), key.slice(slash + 1));
    if (pod) this.recorder.record(pod, type, reason, message, SOURCE);
  }
}

/** An empty node of the group, as the autoscaler imagines the one it would add. */
function templateOf(group: NodeGroupSpec): NodeView {
  return {
    name: `template-node-for-${group.name}`,
    labels: { ...group.labels },
    unschedulable: false,
    allocatable: allocatableOf(group),
    requested: { cpuMillis: 0, memoryBytes: 0, pods: 0 },
    scoreRequested: { cpuMillis: 0, memoryBytes: 0 },
    images: new Map(),
  };
}
