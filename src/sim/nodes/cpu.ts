/**
 * CPU on the simulated nodes: each pod's CPU-bound work is processor-shared among the requests
 * it is working on, at the rate the node's sharing gives the pod (src/model/cluster/cpu.ts). Plain
 * code on the request path: a pod keeps one timer (its next completion), moved when its rate
 * changes; a node shares again only when a pod's demand changes.
 *
 * Processor sharing by virtual time: all of a pod's busy requests progress at the same rate, so a
 * request that arrives when the pod's work counter reads V and needs w core-ms finishes when the
 * counter reads V + w; the counter moves at (pod's millicores / 1000) / busy requests per ms.
 */
import { cpuDemandMillis, cpuWeight, shareCpu } from '../../model/cluster/cpu.js';
import type { Engine, Entry } from '../engine.js';

interface Work {
  /** The pod's work counter at which this request is done. */
  readonly finishAt: number;
  readonly done: () => void;
}

export class NodeCpu {
  readonly pods = new Set<PodCpu>();

  constructor(readonly capacityMillis: number) {}

  /** Shares the node again among its busy pods and tells each its new allocation. */
  reshare(now: number): void {
    const busy = [...this.pods].filter((p) => p.busy() > 0);
    const shares = shareCpu(
      this.capacityMillis,
      busy.map((p) => ({ demandMillis: p.demand(), weight: p.weight })),
    );
    for (const [i, p] of busy.entries()) p.allocate(now, shares[i]!);
  }
}

export class PodCpu {
  /** Busy requests, by the counter value at which each finishes (kept sorted). */
  private readonly work: Work[] = [];
  private counter = 0;
  private millis = 0;
  private lastAt: number;
  private timer: Entry | undefined;
  /** CPU time used so far (core-ms), for the metrics. */
  private usedCoreMs = 0;
  readonly weight: number;

  constructor(
    private readonly engine: Engine,
    private node: NodeCpu | undefined,
    requestMillis: number,
    private readonly limitMillis: number | undefined,
  ) {
    this.weight = cpuWeight(requestMillis);
    this.lastAt = engine.now();
    node?.pods.add(this);
  }

  busy(): number {
    return this.work.length;
  }

  demand(): number {
    return cpuDemandMillis(this.work.length, this.limitMillis);
  }

  /** CPU time used so far, in core-ms. */
  used(now: number): number {
    this.advance(now);
    return this.usedCoreMs;
  }

  /** Starts `coreMs` of CPU work; `done` runs when it is finished. */
  run(coreMs: number, done: () => void): void {
    const now = this.engine.now();
    this.advance(now);
    const finishAt = this.counter + coreMs;
    let i = this.work.length;
    while (i > 0 && this.work[i - 1]!.finishAt > finishAt) i--;
    this.work.splice(i, 0, { finishAt, done });
    this.changed(now);
  }

  /** The pod is gone: its share goes back to the node. */
  detach(): void {
    const now = this.engine.now();
    this.advance(now);
    const node = this.node;
    this.node = undefined;
    if (node) {
      node.pods.delete(this);
      node.reshare(now);
    }
  }

  /** The node's new allocation for this pod (millicores). */
  allocate(now: number, millis: number): void {
    if (millis === this.millis) return;
    this.advance(now);
    this.millis = millis;
    this.reschedule(now);
  }

  private changed(now: number): void {
    if (this.node) this.node.reshare(now);
    else this.allocate(now, this.demand());
    if (this.work.length === 0) this.millis = 0;
    this.reschedule(now);
  }

  /** Moves the work counter and the CPU used to `now`. */
  private advance(now: number): void {
    const dt = now - this.lastAt;
    this.lastAt = now;
    if (dt <= 0 || this.work.length === 0 || this.millis <= 0) return;
    this.counter += ((this.millis / 1000) * dt) / this.work.length;
    this.usedCoreMs += (this.millis / 1000) * dt;
  }

  private reschedule(now: number): void {
    if (this.timer) this.engine.cancel(this.timer);
    this.timer = undefined;
    const next = this.work[0];
    if (!next || this.millis <= 0) return;
    const perRequest = this.millis / 1000 / this.work.length;
    const wait = Math.max(0, (next.finishAt - this.counter) / perRequest);
    this.timer = this.engine.at(now + wait, () => this.finishNext());
  }

  private finishNext(): void {
    this.timer = undefined;
    const now = this.engine.now();
    this.advance(now);
    // The first was due now; others due within floating error finish with it.
    const done: Work[] = this.work.length > 0 ? [this.work.shift()!] : [];
    while (this.work.length > 0 && this.work[0]!.finishAt <= this.counter + 1e-6) done.push(this.work.shift()!);
    this.changed(now);
    for (const w of done) w.done();
  }
}
