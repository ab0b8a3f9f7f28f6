/**
 * The simulated cluster's nodes: the ones the scenario declares (src/model/cluster/nodes.ts; one
 * minikube-like node by default), their Node objects, the scheduler that places pods on them and
 * the kubelets' image managers.
 */
import { nodeAddress, nodeName } from '../../model/cluster/nodes.js';
import { QUEUE_PROXY_IMAGE } from '../../model/rules/podspec.js';
import type { SimContext } from '../context.js';
import type { EventRecorder } from '../recorder.js';
import { ImageManager } from './kubelet.js';
import { Scheduler } from './scheduler.js';
import { NODES, NodeState } from './state.js';

export class ClusterNodes {
  readonly scheduler: Scheduler;
  readonly images: ImageManager;
  private readonly list: NodeState[] = [];
  /** Nodes ever joined (their addresses and pod CIDRs are handed out in this order). */
  private joined = 0;

  constructor(
    private readonly ctx: SimContext,
    readonly recorder: EventRecorder,
    fallbackImageSize: (image: string) => number,
  ) {
    const settings = ctx.settings;
    this.scheduler = new Scheduler(ctx.engine, () => this.list, ctx.random.scheduler);
    this.images = new ImageManager(
      ctx.engine,
      {
        sizeBytes: (image) => settings.images[image]?.sizeBytes,
        defaultPullMs: (image) => settings.images[image]?.pullMs ?? settings.podStartup.imagePullMs,
        registryRoundTripMs: settings.registryRoundTripMs,
        serializeImagePulls: settings.cluster.serializeImagePulls,
      },
      fallbackImageSize,
    );
    for (const group of settings.cluster.groups) {
      for (let i = 0; i < group.count; i++) {
        const node = this.join(group.name, i);
        // Nodes that were there before the scenario have run Knative revisions: queue-proxy's
        // image is cached.
        node.images.set(QUEUE_PROXY_IMAGE, fallbackImageSize(QUEUE_PROXY_IMAGE));
        this.write(node);
      }
    }
  }

  /** The nodes in the cluster now, in the order they joined. */
  nodes(): readonly NodeState[] {
    return this.list;
  }

  /** The node the control plane (and the scheduler) runs on. */
  controlPlane(): string {
    return this.list.find((n) => n.controlPlane)?.name ?? this.list[0]?.name ?? '';
  }

  /** Adds the i-th node of a group (not yet written: it joins when `write` is called). */
  private join(groupName: string, index: number): NodeState {
    const group = this.ctx.settings.cluster.groups.find((g) => g.name === groupName)!;
    const ordinal = this.joined++;
    const node = new NodeState(
      nodeName(group.name, index),
      group,
      nodeAddress(ordinal),
      ordinal,
      ordinal === 0,
      this.ctx.now(),
    );
    this.list.push(node);
    return node;
  }

  /** Writes (or rewrites) a node's Node object. */
  write(node: NodeState): void {
    const existing = this.ctx.store.get(NODES, undefined, node.name);
    const obj = node.object(this.ctx.timestamp());
    if (existing) {
      this.ctx.store.update({ ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } });
      this.ctx.store.updateStatus(NODES, undefined, node.name, {
        ...(existing.status as object),
        ...(obj.status as object),
      });
    } else {
      this.ctx.store.create(obj);
    }
  }
}
