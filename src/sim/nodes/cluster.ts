/**
 * The simulated cluster's nodes: the ones the scenario declares (src/model/cluster/nodes.ts; one
 * minikube-like node by default) and the ones the cluster-autoscaler adds, each with its
 * lifecycle machine (src/model/machines/node.ts) and Node object; the scheduler that places pods
 * on them and the kubelets' image managers.
 */
import { type Actor, createActor } from 'xstate';
import { type NodeGroupSpec, nodeAddress, nodeName } from '../../model/cluster/nodes.js';
import { nodeMachine } from '../../model/machines/node.js';
import { QUEUE_PROXY_IMAGE } from '../../model/rules/podspec.js';
import { ActorFailures } from '../actors.js';
import type { SimContext } from '../context.js';
import type { EventRecorder } from '../recorder.js';
import { ClusterAutoscaler } from './autoscaler.js';
import { ImageManager } from './kubelet.js';
import { Scheduler } from './scheduler.js';
import { NODES, NodeState } from './state.js';

/** How the nodes reach the pods: evicting one (a drain) by `namespace/name`. */
export interface PodEvictor {
  evict(key: string): void;
}

export class ClusterNodes {
  readonly scheduler: Scheduler;
  readonly images: ImageManager;
  readonly autoscaler: ClusterAutoscaler | undefined;
  /** Nodes in the cluster (Ready or draining), in the order they joined. */
  private readonly list: NodeState[] = [];
  private readonly actors = new Map<string, Actor<typeof nodeMachine>>();
  /** Nodes on their way (provisioning), by name. */
  private readonly provisioning = new Map<string, NodeGroupSpec>();
  /** Nodes ever joined (their addresses and pod CIDRs are handed out in this order). */
  private joined = 0;
  /** Nodes ever created per group (the next node's name). */
  private readonly created = new Map<string, number>();
  /** Errors of the node machines' listeners (the scheduler's rules run there), thrown where they happened. */
  private readonly failures = new ActorFailures();
  /** Set by the cluster once the Deployment controller exists. */
  evictor: PodEvictor | undefined;

  constructor(
    private readonly ctx: SimContext,
    readonly recorder: EventRecorder,
    private readonly fallbackImageSize: (image: string) => number,
  ) {
    const settings = ctx.settings;
    this.scheduler = new Scheduler(ctx.engine, () => this.list, ctx.random.scheduler);
    this.scheduler.onReleased = (node) => this.podLeft(node);
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
      for (let i = 0; i < group.count; i++) this.create(group, 0);
    }
    const spec = settings.cluster.autoscaler;
    this.autoscaler = spec ? new ClusterAutoscaler(ctx, spec, this, recorder) : undefined;
  }

  /** The nodes in the cluster now, in the order they joined. */
  nodes(): readonly NodeState[] {
    return this.list;
  }

  /** The nodes of a group on their way. */
  upcoming(group: string): number {
    let n = 0;
    for (const g of this.provisioning.values()) if (g.name === group) n++;
    return n;
  }

  /** The node the control plane (and the scheduler) runs on. */
  controlPlane(): string {
    return this.list.find((n) => n.controlPlane)?.name ?? this.list[0]?.name ?? '';
  }

  /** A new node of a group: Ready after `provisioningMs` (at once for the nodes of the start). */
  create(group: NodeGroupSpec, provisioningMs: number): string {
    const index = this.created.get(group.name) ?? 0;
    this.created.set(group.name, index + 1);
    const name = nodeName(group.name, index);
    this.provisioning.set(name, group);
    const f = this.failures;
    const actor = createActor(nodeMachine, { clock: f.clock(this.ctx.engine.clock), input: { name, provisioningMs } });
    this.actors.set(name, actor);
    actor.on(
      'joined',
      f.listener(() => this.join(name, group, provisioningMs === 0)),
    );
    actor.on(
      'draining',
      f.listener(() => this.drain(name)),
    );
    actor.on(
      'removed',
      f.listener(() => this.remove(name)),
    );
    actor.start();
    f.throwIfAny();
    return name;
  }

  /** Asks the autoscaler's chosen node to drain. */
  startDrain(node: NodeState): void {
    this.actors.get(node.name)?.send({ type: 'node.drain' });
    this.failures.throwIfAny();
  }

  /** A pod left a node: a draining node that is now empty goes. */
  podLeft(node: NodeState): void {
    if (node.unschedulable && node.pods.size === 0) {
      this.actors.get(node.name)?.send({ type: 'node.empty' });
      this.failures.throwIfAny();
    }
  }

  private join(name: string, group: NodeGroupSpec, fromTheStart: boolean): void {
    this.provisioning.delete(name);
    const ordinal = this.joined++;
    const node = new NodeState(name, group, nodeAddress(ordinal), ordinal, ordinal === 0, this.ctx.now());
    // Nodes that were there before the scenario have run Knative revisions: queue-proxy's image
    // is cached; a new node pulls it.
    if (fromTheStart) node.images.set(QUEUE_PROXY_IMAGE, this.fallbackImageSize(QUEUE_PROXY_IMAGE));
    this.list.push(node);
    this.write(node);
    this.scheduler.clusterChanged();
  }

  /** Cordons the node and evicts its pods (their ReplicaSets start them elsewhere). */
  private drain(name: string): void {
    const node = this.list.find((n) => n.name === name);
    if (!node) return;
    node.unschedulable = true;
    this.write(node);
    this.recorder.record(
      node.object(this.ctx.timestamp()),
      'Normal',
      'ScaleDown',
      'marked the node as toBeDeleted/unschedulable',
      { component: 'cluster-autoscaler' },
    );
    for (const key of [...node.pods.keys()]) this.evictor?.evict(key);
    this.podLeft(node);
  }

  private remove(name: string): void {
    const i = this.list.findIndex((n) => n.name === name);
    if (i < 0) return;
    const [node] = this.list.splice(i, 1);
    this.images.forget(node!);
    this.ctx.store.remove(NODES, undefined, name);
    this.actors.get(name)?.stop();
    this.actors.delete(name);
  }

  /** Writes (or rewrites) a node's Node object. */
  write(node: NodeState): void {
    const existing = this.ctx.store.get(NODES, undefined, node.name);
    const obj = node.object(this.ctx.timestamp());
    if (!existing) {
      this.ctx.store.create(obj);
      return;
    }
    this.ctx.store.update({ ...obj, metadata: { ...existing.metadata, resourceVersion: undefined } });
    const status = existing.status as { conditions?: unknown } | undefined;
    // Conditions keep the times they were first written with.
    this.ctx.store.updateStatus(NODES, undefined, node.name, {
      ...(obj.status as object),
      conditions: status?.conditions,
    });
  }
}
