/**
 * The cluster-autoscaler, simulated for one node group: every scan interval it adds the nodes
 * the unschedulable pods need (its decisions are src/model/cluster/autoscaler.ts), telling each
 * pod (TriggeredScaleUp, NotTriggerScaleUp), and, when nothing waits and the last scale-up is
 * long enough ago, drains a node that has been unneeded for the scale-down-unneeded time.
 */
import type { KubeObject } from '../../model/api/types.js';
import {
  nodeUnneeded,
  notTriggerScaleUpMessage,
  planScaleUp,
  triggeredScaleUpMessage,
} from '../../model/cluster/autoscaler.js';
import { allocatableOf, type ClusterAutoscalerSpec, type NodeGroupSpec } from '../../model/cluster/nodes.js';
import type { NodeView } from '../../model/cluster/scheduler.js';
import type { SimContext } from '../context.js';
import type { EventRecorder } from '../recorder.js';
import { T } from '../types.js';
import type { ClusterNodes } from './cluster.js';

const SOURCE = { component: 'cluster-autoscaler' };

export class ClusterAutoscaler {
  private readonly group: NodeGroupSpec;
  private lastScaleUp = Number.NEGATIVE_INFINITY;
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

  private loop(): void {
    const pending = this.nodes.scheduler.unschedulablePods();
    if (pending.length > 0) {
      this.scaleUp(pending);
      this.unneededSince.clear();
      return;
    }
    if (this.ctx.now() - this.lastScaleUp < this.spec.scaleDownDelayAfterAddMs) return;
    this.scaleDown();
  }

  private scaleUp(pending: ReturnType<ClusterNodes['scheduler']['unschedulablePods']>): void {
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
  }

  private scaleDown(): void {
    const now = this.ctx.now();
    const all = this.nodes.nodes();
    let size = this.size();
    for (const node of all) {
      // The control plane's node runs its static pods: the autoscaler never removes it.
      if (node.group.name !== this.group.name || node.unschedulable || node.controlPlane) continue;
      const others = all.filter((n) => n !== node);
      const unneeded =
        size > this.spec.minNodes &&
        nodeUnneeded(
          node,
          node.group.reserved.pods,
          [...node.pods.values()],
          others,
          this.spec.scaleDownUtilizationThreshold,
        );
      if (!unneeded) {
        this.unneededSince.delete(node.name);
        continue;
      }
      const since = this.unneededSince.get(node.name) ?? now;
      this.unneededSince.set(node.name, since);
      if (now - since >= this.spec.scaleDownUnneededMs) {
        this.unneededSince.delete(node.name);
        this.nodes.startDrain(node);
        size--;
        // One node at a time, as the autoscaler drains non-empty nodes.
        return;
      }
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
