/**
 * The kubelet's image manager on each node: a container's image is pulled unless the pull policy
 * lets the node's copy do (src/model/cluster/images.ts); with serializeImagePulls (the kubelet's
 * default) a node pulls one image at a time, in the order asked, so a second pod asking for an
 * image that is being pulled waits behind the first and then only resolves the reference (its
 * layers are on the node by then): concurrent pods share one download. A pod's own containers
 * are pulled one after another, as the kubelet starts them in order. With serializeImagePulls
 * off, pulls run at once (each at the node's full bandwidth: knsim does not share it), and a pull
 * of an image being downloaded waits for that download.
 */
import { type ImagePullPolicy, needsPull, pullDurationMs } from '../../model/cluster/images.js';
import type { Engine } from '../engine.js';
import type { NodeState } from './state.js';

export interface ImageRequest {
  readonly image: string;
  readonly policy: ImagePullPolicy;
}

/** What happened to one container's image, for the kubelet's events. */
export interface PullOutcome {
  readonly image: string;
  /** False: already on the node (no pull). */
  readonly pulled: boolean;
  readonly requestedAt: number;
  /** The pull's own time and its time including the wait in the node's queue. */
  readonly pullMs: number;
  readonly totalMs: number;
  readonly sizeBytes: number;
}

export interface ImageFacts {
  /** The image's size, if the scenario gives it (else a stable made-up size for the events). */
  sizeBytes(image: string): number | undefined;
  /** Pull time when the size or the bandwidth is unknown. */
  defaultPullMs(image: string): number;
  readonly registryRoundTripMs: number;
  readonly serializeImagePulls: boolean;
}

interface PullJob {
  readonly image: string;
  readonly requestedAt: number;
  readonly done: (outcome: PullOutcome) => void;
}

interface NodePulls {
  queue: PullJob[];
  busy: boolean;
}

export class ImageManager {
  private readonly pulls = new Map<string, NodePulls>();
  /** Parallel pulls: the pulls waiting for a download in progress, by node and image. */
  private readonly downloading = new Map<string, PullJob[]>();

  constructor(
    private readonly engine: Engine,
    private readonly facts: ImageFacts,
    private readonly fallbackSize: (image: string) => number,
  ) {}

  /**
   * Puts a pod's images on its node, one container after another; `pulling` is told of each
   * pull as the kubelet decides it (its Pulling event), `done` gets one outcome per container.
   */
  ensure(
    node: NodeState,
    images: readonly ImageRequest[],
    done: (outcomes: PullOutcome[]) => void,
    pulling: (index: number, image: string) => void = () => {},
  ): void {
    const outcomes: PullOutcome[] = [];
    const next = (i: number): void => {
      if (i >= images.length) {
        done(outcomes);
        return;
      }
      const { image, policy } = images[i]!;
      const now = this.engine.now();
      if (!needsPull(policy, node.images.has(image))) {
        outcomes.push({ image, pulled: false, requestedAt: now, pullMs: 0, totalMs: 0, sizeBytes: this.size(image) });
        next(i + 1);
        return;
      }
      pulling(i, image);
      this.enqueue(node, {
        image,
        requestedAt: now,
        done: (o) => {
          outcomes.push(o);
          next(i + 1);
        },
      });
    };
    next(0);
  }

  /** Forgets a node's queue (the node left). */
  forget(node: NodeState): void {
    this.pulls.delete(node.name);
  }

  private size(image: string): number {
    return this.facts.sizeBytes(image) ?? this.fallbackSize(image);
  }

  private enqueue(node: NodeState, job: PullJob): void {
    if (!this.facts.serializeImagePulls) {
      // In parallel the runtime shares the download of an image already being pulled: this pull
      // waits for it, then only resolves the reference.
      const key = `${node.name}\u0000${job.image}`;
      const waiting = this.downloading.get(key);
      if (waiting) {
        waiting.push(job);
        return;
      }
      this.downloading.set(key, []);
      this.run(node, job, () => {
        const after = this.downloading.get(key) ?? [];
        this.downloading.delete(key);
        for (const w of after) this.run(node, w, undefined);
      });
      return;
    }
    let pulls = this.pulls.get(node.name);
    if (!pulls) {
      pulls = { queue: [], busy: false };
      this.pulls.set(node.name, pulls);
    }
    pulls.queue.push(job);
    if (!pulls.busy) this.runNext(node, pulls);
  }

  private runNext(node: NodeState, pulls: NodePulls): void {
    const job = pulls.queue.shift();
    if (!job) {
      pulls.busy = false;
      return;
    }
    pulls.busy = true;
    this.run(node, job, () => this.runNext(node, pulls));
  }

  private run(node: NodeState, job: PullJob, then: (() => void) | undefined): void {
    const sizeBytes = this.facts.sizeBytes(job.image);
    const pullMs = pullDurationMs({
      layersPresent: node.images.has(job.image),
      ...(sizeBytes !== undefined ? { sizeBytes } : {}),
      ...(node.group.pullBytesPerSecond !== undefined ? { bytesPerSecond: node.group.pullBytesPerSecond } : {}),
      defaultMs: this.facts.defaultPullMs(job.image),
      registryRoundTripMs: this.facts.registryRoundTripMs,
    });
    const started = this.engine.now();
    const finish = () => {
      node.images.set(job.image, this.size(job.image));
      const now = this.engine.now();
      job.done({
        image: job.image,
        pulled: true,
        requestedAt: job.requestedAt,
        pullMs: now - started,
        totalMs: now - job.requestedAt,
        sizeBytes: this.size(job.image),
      });
      then?.();
    };
    if (pullMs <= 0) finish();
    else this.engine.after(pullMs, finish);
  }
}
