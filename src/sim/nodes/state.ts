/**
 * One simulated node: its group's shape, what its pods request, the images it has, and the
 * Node object kubectl shows (written when the node joins, removed when it leaves).
 */
import type { KubeObject } from '../../model/api/types.js';
import { allocatableOf, type NodeGroupSpec, nodeLabels, nodeObject } from '../../model/cluster/nodes.js';
import type { NodeView, PodDemand } from '../../model/cluster/scheduler.js';
import { NodeCpu } from './cpu.js';

export const NODES = 'nodes';

export class NodeState implements NodeView {
  readonly labels: Record<string, string>;
  unschedulable = false;
  readonly allocatable: { cpuMillis: number; memoryBytes: number; pods: number };
  readonly requested: { cpuMillis: number; memoryBytes: number; pods: number };
  readonly scoreRequested: { cpuMillis: number; memoryBytes: number };
  /** Images on the node (size in bytes), filled as pulls complete. */
  readonly images = new Map<string, number>();
  /** The pods bound here (namespace/name), with what they request. */
  readonly pods = new Map<string, PodDemand>();
  /** When the node joined (ms). */
  readonly joinedAt: number;
  /** Its CPU, shared by the pods that compute. */
  readonly cpu: NodeCpu;

  constructor(
    readonly name: string,
    readonly group: NodeGroupSpec,
    readonly address: string,
    readonly ordinal: number,
    readonly controlPlane: boolean,
    now: number,
  ) {
    this.joinedAt = now;
    this.cpu = new NodeCpu(group.cpuMillis);
    this.labels = nodeLabels(name, group, controlPlane);
    // What the pods knsim does not run request is not offered (the node's Allocatable says so).
    this.allocatable = allocatableOf(group);
    this.requested = { cpuMillis: 0, memoryBytes: 0, pods: 0 };
    this.scoreRequested = { cpuMillis: 0, memoryBytes: 0 };
  }

  /** A pod bound here now holds its requests. */
  add(key: string, demand: PodDemand): void {
    this.pods.set(key, demand);
    this.requested.cpuMillis += demand.cpuMillis;
    this.requested.memoryBytes += demand.memoryBytes;
    this.requested.pods += 1;
    this.scoreRequested.cpuMillis += demand.scoreCpuMillis;
    this.scoreRequested.memoryBytes += demand.scoreMemoryBytes;
  }

  /** A pod bound here is gone: its requests are free again. */
  remove(key: string): boolean {
    const demand = this.pods.get(key);
    if (!demand) return false;
    this.pods.delete(key);
    this.requested.cpuMillis -= demand.cpuMillis;
    this.requested.memoryBytes -= demand.memoryBytes;
    this.requested.pods -= 1;
    this.scoreRequested.cpuMillis -= demand.scoreCpuMillis;
    this.scoreRequested.memoryBytes -= demand.scoreMemoryBytes;
    return true;
  }

  /** The share of its allocatable CPU and memory (the larger) its pods request (the autoscaler's utilization). */
  utilization(): number {
    const cpu = this.requested.cpuMillis / Math.max(1, this.allocatable.cpuMillis);
    const mem = this.requested.memoryBytes / Math.max(1, this.allocatable.memoryBytes);
    return Math.max(cpu, mem);
  }

  object(createdAt: string): KubeObject {
    return nodeObject({
      name: this.name,
      group: this.group,
      address: this.address,
      ordinal: this.ordinal,
      controlPlane: this.controlPlane,
      createdAt,
      unschedulable: this.unschedulable,
      images: [...this.images],
    }) as unknown as KubeObject;
  }
}
