/**
 * One revision's data plane: the activator's buffer and throttler for this revision, and a
 * queue-proxy per pod in front of the user container. Plain code on purpose: every request
 * passes through here (see stack.md §5 on XState's cost per event).
 *
 * Rules from reference §2 and §5:
 * - containerConcurrency (CC) 0: the activator's breaker is infinite; requests wait only while
 *   there is no backend. CC > 0: at most CC in a user container, up to 10 × CC more queued in the
 *   queue-proxy (then 503); the activator holds up to 10,000 (then 503 "pending request queue full").
 * - Requests that came through the activator are counted by the queue-proxy as proxied, and the
 *   collector subtracts them, so the activator's own stat is not counted twice.
 * - The activator sends an immediate stat (concurrency 1) on the first request of a period.
 * - The revision timeout (timeoutSeconds, default 300 s) covers the wait in the activator: 504.
 */

import {
  ACTIVATOR_QUEUE_DEPTH,
  type ActivatorBalancing,
  activatorBalancing,
  activatorReport,
  queueProxyCapacity,
} from '../../model/dataplane.js';
import { type Stat, scaleSampledTotal, scrapeSampleSize } from '../../model/kpa/index.js';
import type { Random } from '../../model/random.js';
import type { Engine } from '../engine.js';
import {
  BODY_ACTIVATOR_TIMEOUT,
  BODY_QUEUE_FULL,
  BODY_QUEUE_PROXY_OVERLOAD,
  type SimRequest,
  STATUS_GATEWAY_TIMEOUT,
  STATUS_OK,
  STATUS_SERVICE_UNAVAILABLE,
} from './request.js';

export interface DataplaneHooks {
  /** The activator's immediate stat on the first request of a period (for the poke). */
  firstRequest(revision: string): void;
  /** A request was answered or failed. */
  completed(req: SimRequest, status: number, body: string): void;
  /** A request was buffered by the activator. */
  held(req: SimRequest): void;
  /** A request reached a pod. */
  dispatched(req: SimRequest): void;
}

class PodEndpoint {
  /** queue-proxy's readiness passed: in the private service's endpoints, scraped. */
  ready = false;
  /** The activator's probe found it: it may receive buffered requests. */
  probed = false;
  terminating = false;
  /** Requests in the user container (as the queue-proxy sees them). */
  inFlight = 0;
  /** Of those, the ones the app is working on (the rest wait for a worker). */
  working = 0;
  readonly appQueue: SimRequest[] = [];
  appHead = 0;
  readonly queue: SimRequest[] = [];
  queueHead = 0;
  /** Requests the activator has sent here that are not answered yet (its per-pod breaker). */
  fromActivator = 0;
  /** Position in the revision's probed list (-1 when not in it). */
  probedIndex = -1;
  // queue-proxy stats for the current reporting period
  concurrency = 0;
  proxiedConcurrency = 0;
  area = 0;
  proxiedArea = 0;
  lastChange = 0;
  requests = 0;
  proxiedRequests = 0;
  /** The queue-proxy's stats for the last whole reporting period (what its /metrics shows). */
  lastReport: Stat | undefined = undefined;

  constructor(readonly name: string) {}

  queued(): number {
    return this.queue.length - this.queueHead;
  }

  account(now: number): void {
    const dt = now - this.lastChange;
    if (dt > 0) {
      this.area += this.concurrency * dt;
      this.proxiedArea += this.proxiedConcurrency * dt;
      this.lastChange = now;
    }
  }
}

export class RevisionDataplane {
  /**
   * The public service's endpoints are the activators (SKS Proxy). Set only by the SKS machine's
   * `sks.routing` event (src/model/machines/sks.ts); true until an SKS exists.
   */
  activatorInPath = true;
  private readonly pods = new Map<string, PodEndpoint>();
  // Views of `pods` in insertion order, rebuilt when a pod changes state (never per request).
  private podList: PodEndpoint[] = [];
  /** Ready and not terminating: they take traffic directly. */
  private servingList: PodEndpoint[] = [];
  /** Probed by the activator and not terminating: it may send them requests. */
  private probedList: PodEndpoint[] = [];
  /** Completions wait in an engine lane: with a constant service time they come in FIFO order. */
  private readonly completionLane: number;
  /** The completion callback shared by every request (no closure per request). */
  private readonly containerDoneFn = (req: SimRequest) => this.containerDone(req.endpoint as PodEndpoint, req);
  private readonly held: SimRequest[] = [];
  private heldHead = 0;
  // activator stats for this revision
  private activatorConcurrency = 0;
  private activatorArea = 0;
  private activatorLastChange = 0;
  private activatorRequests = 0;
  /** The activator has an entry for this revision (it sent the immediate stat this period). */
  private activatorReported = false;
  private firstRequestPending = 0;
  private roundRobin = 0;
  private readonly balancing: ActivatorBalancing;
  /** Requests a queue-proxy admits (in the container and queued) before it answers 503. */
  private readonly queueProxyCapacity: number;
  /** For CC ≤ 3 (first available): every probed pod before this index is known to be full. */
  private firstFreeHint = 0;
  private sweepScheduled = false;
  private lastReportAt = 0;
  private lastActivatorReportAt = 0;
  // counters for the per-second sample
  arrivalsThisSecond = 0;

  constructor(
    readonly revision: string,
    readonly containerConcurrency: number,
    private readonly timeoutMs: number,
    private readonly engine: Engine,
    private readonly random: Random,
    private readonly hooks: DataplaneHooks,
    /** Requests a pod's app works on at once (0 = no limit; see AppSettings.workers). */
    private readonly workers = 0,
  ) {
    this.completionLane = engine.lane();
    this.balancing = activatorBalancing(containerConcurrency);
    this.queueProxyCapacity = queueProxyCapacity(containerConcurrency);
    this.activatorLastChange = engine.now();
    this.lastReportAt = engine.now();
    this.lastActivatorReportAt = engine.now();
  }

  // ---- endpoints ----

  podReady(name: string): void {
    const pod = this.endpoint(name);
    pod.ready = true;
    this.rebuildLists();
  }

  /** The activator's probe reached the pod: buffered requests can go to it. */
  podProbed(name: string): void {
    const pod = this.pods.get(name);
    if (!pod || pod.terminating || !pod.ready) return;
    pod.probed = true;
    this.rebuildLists();
    this.drainHeld();
  }

  podTerminating(name: string): void {
    const pod = this.pods.get(name);
    if (!pod) return;
    pod.terminating = true;
    pod.ready = false;
    pod.probed = false;
    this.rebuildLists();
  }

  podGone(name: string): void {
    this.pods.delete(name);
    this.rebuildLists();
  }

  private rebuildLists(): void {
    this.podList = [...this.pods.values()];
    this.servingList = this.podList.filter((p) => p.ready && !p.terminating);
    for (const p of this.podList) p.probedIndex = -1;
    this.probedList = this.podList.filter((p) => p.probed && !p.terminating);
    this.probedList.forEach((p, i) => {
      p.probedIndex = i;
    });
    this.firstFreeHint = 0;
  }

  /** Pods that take traffic directly (ready and not terminating). */
  servingPods(): number {
    return this.servingList.length;
  }

  heldRequests(): number {
    return this.held.length - this.heldHead;
  }

  queuedInPods(): number {
    let n = 0;
    for (const p of this.podList) n += p.queued();
    return n;
  }

  inFlight(): number {
    let n = 0;
    for (const p of this.podList) n += p.inFlight;
    return n;
  }

  // ---- requests ----

  receive(req: SimRequest): void {
    this.arrivalsThisSecond++;
    if (this.activatorInPath || this.servingList.length === 0) {
      this.activatorReceive(req);
      return;
    }
    const pod = this.pickDirect();
    if (!pod) {
      this.activatorReceive(req);
      return;
    }
    this.toQueueProxy(pod, req);
  }

  private activatorReceive(req: SimRequest): void {
    const now = this.engine.now();
    req.viaActivator = true;
    this.activatorAccount(now);
    this.activatorConcurrency++;
    this.activatorRequests++;
    if (!this.activatorReported) {
      this.activatorReported = true;
      this.firstRequestPending = 1;
      this.hooks.firstRequest(this.revision);
    }
    const pod = this.heldHead === this.held.length ? this.pickForActivator() : undefined;
    if (pod) {
      this.activatorSend(pod, req);
      return;
    }
    if (this.containerConcurrency > 0 && this.heldRequests() >= ACTIVATOR_QUEUE_DEPTH) {
      this.activatorAccount(now);
      this.activatorConcurrency--;
      this.finish(req, STATUS_SERVICE_UNAVAILABLE, BODY_QUEUE_FULL);
      return;
    }
    req.cold = !this.hasProbedPod();
    this.held.push(req);
    this.hooks.held(req);
    this.scheduleSweep();
  }

  private hasProbedPod(): boolean {
    return this.probedList.length > 0;
  }

  private activatorSend(pod: PodEndpoint, req: SimRequest): void {
    pod.fromActivator++;
    this.toQueueProxy(pod, req);
  }

  /** Sends buffered requests while some pod has room. */
  private drainHeld(): void {
    while (this.heldHead < this.held.length) {
      const pod = this.pickForActivator();
      if (!pod) break;
      const req = this.held[this.heldHead]!;
      this.held[this.heldHead++] = undefined as unknown as SimRequest;
      this.activatorSend(pod, req);
    }
    if (this.heldHead > 1024 && this.heldHead * 2 > this.held.length) {
      this.held.splice(0, this.heldHead);
      this.heldHead = 0;
    }
  }

  /** The activator's load balancing (src/model/dataplane.ts `activatorBalancing`). */
  private pickForActivator(): PodEndpoint | undefined {
    const cc = this.containerConcurrency;
    const probed = this.probedList;
    if (probed.length === 0) return undefined;
    if (this.balancing === 'best-of-two') return this.bestOfTwo(probed);
    // Candidates: probed pods under their CC, in pod order (counted, not collected).
    if (this.balancing === 'first-available') {
      // The first pod in order with room; pods before the hint are full (a release moves it back).
      for (let i = this.firstFreeHint; i < probed.length; i++) {
        const p = probed[i]!;
        if (p.fromActivator < cc) {
          this.firstFreeHint = i;
          return p;
        }
      }
      this.firstFreeHint = probed.length;
      return undefined;
    }
    let n = 0;
    for (const p of probed) if (p.fromActivator < cc) n++;
    if (n === 0) return undefined;
    let k = this.roundRobin % n;
    this.roundRobin++;
    for (const p of probed) {
      if (p.fromActivator < cc && k-- === 0) return p;
    }
    return undefined;
  }

  private pickDirect(): PodEndpoint | undefined {
    const serving = this.servingList;
    if (serving.length === 0) return undefined;
    return this.bestOfTwo(serving);
  }

  private bestOfTwo(candidates: PodEndpoint[]): PodEndpoint {
    if (candidates.length === 1) return candidates[0]!;
    const a = candidates[Math.floor(this.random() * candidates.length)]!;
    const b = candidates[Math.floor(this.random() * candidates.length)]!;
    return a.concurrency <= b.concurrency ? a : b;
  }

  private toQueueProxy(pod: PodEndpoint, req: SimRequest): void {
    const now = this.engine.now();
    req.pod = pod.name;
    req.endpoint = pod;
    const cc = this.containerConcurrency;
    if (pod.inFlight + pod.queued() >= this.queueProxyCapacity) {
      this.release(pod, req);
      this.finish(req, STATUS_SERVICE_UNAVAILABLE, BODY_QUEUE_PROXY_OVERLOAD);
      return;
    }
    pod.account(now);
    pod.concurrency++;
    pod.requests++;
    if (req.viaActivator) {
      pod.proxiedConcurrency++;
      pod.proxiedRequests++;
    }
    this.hooks.dispatched(req);
    if (cc > 0 && pod.inFlight >= cc) {
      pod.queue.push(req);
      this.scheduleSweep();
      return;
    }
    this.startInContainer(pod, req);
  }

  private startInContainer(pod: PodEndpoint, req: SimRequest): void {
    pod.inFlight++;
    if (this.workers > 0 && pod.working >= this.workers) {
      pod.appQueue.push(req);
      return;
    }
    this.startWork(pod, req);
  }

  /** The app starts working on a request: it completes one service time later. */
  private startWork(pod: PodEndpoint, req: SimRequest): void {
    pod.working++;
    const now = this.engine.now();
    req.startedAt = now;
    this.engine.callInLane(this.completionLane, now + Math.max(0, req.serviceMs), this.containerDoneFn, req);
  }

  private containerDone(pod: PodEndpoint, req: SimRequest): void {
    const now = this.engine.now();
    pod.inFlight--;
    pod.working--;
    if (pod.appHead < pod.appQueue.length) {
      const waiting = pod.appQueue[pod.appHead]!;
      pod.appQueue[pod.appHead++] = undefined as unknown as SimRequest;
      if (pod.appHead === pod.appQueue.length) {
        pod.appQueue.length = 0;
        pod.appHead = 0;
      }
      this.startWork(pod, waiting);
    }
    pod.account(now);
    pod.concurrency--;
    if (req.viaActivator) pod.proxiedConcurrency--;
    this.release(pod, req);
    this.finish(req, STATUS_OK, '');
    if (pod.queueHead < pod.queue.length) {
      const next = pod.queue[pod.queueHead]!;
      pod.queue[pod.queueHead++] = undefined as unknown as SimRequest;
      if (pod.queueHead === pod.queue.length) {
        pod.queue.length = 0;
        pod.queueHead = 0;
      }
      this.startInContainer(pod, next);
    }
    if (req.viaActivator) this.drainHeld();
  }

  /** The activator's bookkeeping once a request it proxied is answered (or refused by the pod). */
  private release(pod: PodEndpoint, req: SimRequest): void {
    if (!req.viaActivator) return;
    pod.fromActivator--;
    if (pod.probedIndex >= 0 && pod.probedIndex < this.firstFreeHint) this.firstFreeHint = pod.probedIndex;
    this.activatorAccount(this.engine.now());
    this.activatorConcurrency--;
  }

  private finish(req: SimRequest, status: number, body: string): void {
    this.hooks.completed(req, status, body);
  }

  // ---- timeouts ----

  private scheduleSweep(): void {
    if (this.sweepScheduled) return;
    this.sweepScheduled = true;
    this.engine.after(1000, () => this.sweep());
  }

  /** Fails requests that waited longer than the revision timeout (checked every second). */
  private sweep(): void {
    this.sweepScheduled = false;
    const now = this.engine.now();
    while (this.heldHead < this.held.length && now - this.held[this.heldHead]!.arrivedAt >= this.timeoutMs) {
      const req = this.held[this.heldHead]!;
      this.held[this.heldHead++] = undefined as unknown as SimRequest;
      this.activatorAccount(now);
      this.activatorConcurrency--;
      this.finish(req, STATUS_GATEWAY_TIMEOUT, BODY_ACTIVATOR_TIMEOUT);
    }
    for (const pod of this.podList) {
      while (pod.queueHead < pod.queue.length && now - pod.queue[pod.queueHead]!.arrivedAt >= this.timeoutMs) {
        const req = pod.queue[pod.queueHead]!;
        pod.queue[pod.queueHead++] = undefined as unknown as SimRequest;
        pod.account(now);
        pod.concurrency--;
        if (req.viaActivator) pod.proxiedConcurrency--;
        this.release(pod, req);
        this.finish(req, STATUS_GATEWAY_TIMEOUT, BODY_ACTIVATOR_TIMEOUT);
      }
    }
    if (this.heldRequests() > 0 || this.queuedInPods() > 0) this.scheduleSweep();
  }

  // ---- stats (reference §2) ----

  private activatorAccount(now: number): void {
    const dt = now - this.activatorLastChange;
    if (dt > 0) {
      this.activatorArea += this.activatorConcurrency * dt;
      this.activatorLastChange = now;
    }
  }

  /**
   * The activator's once-a-second report for this revision (src/model/dataplane.ts
   * `activatorReport`), or undefined when it has no entry for it.
   */
  activatorReport(): Stat | undefined {
    const now = this.engine.now();
    this.activatorAccount(now);
    const period = Math.max(1, now - this.lastActivatorReportAt);
    this.lastActivatorReportAt = now;
    const report = activatorReport({
      hasEntry: this.activatorReported,
      averageConcurrency: this.activatorArea / period,
      requestCount: this.activatorRequests,
      firstRequestStats: this.firstRequestPending,
      inFlight: this.activatorConcurrency,
    });
    this.activatorArea = 0;
    this.activatorRequests = 0;
    this.firstRequestPending = 0;
    this.activatorReported = report.keepEntry;
    return report.stat;
  }

  /**
   * The scraper's view (reference §2): a random sample of the ready pods (`scrapeSampleSize`),
   * their queue-proxies' stats for the period summed and scaled to the whole revision
   * (`scaleSampledTotal`). Undefined with no ready pod.
   */
  scrape(): Stat | undefined {
    const now = this.engine.now();
    const period = Math.max(1, now - this.lastReportAt);
    this.lastReportAt = now;
    const ready: PodEndpoint[] = [];
    for (const p of this.pods.values()) {
      p.account(now);
      if (p.ready && !p.terminating) ready.push(p);
    }
    let sample = ready;
    const size = scrapeSampleSize(ready.length);
    if (size < ready.length) {
      sample = ready.slice();
      for (let i = 0; i < size; i++) {
        const j = i + Math.floor(this.random() * (sample.length - i));
        [sample[i], sample[j]] = [sample[j]!, sample[i]!];
      }
      sample.length = size;
    }
    let concurrency = 0;
    let proxiedConcurrency = 0;
    let requests = 0;
    let proxiedRequests = 0;
    for (const p of sample) {
      concurrency += p.area / period;
      proxiedConcurrency += p.proxiedArea / period;
      requests += p.requests;
      proxiedRequests += p.proxiedRequests;
    }
    for (const p of this.pods.values()) {
      p.lastReport = {
        averageConcurrency: p.area / period,
        averageProxiedConcurrency: p.proxiedArea / period,
        requestCount: (p.requests * 1000) / period,
        proxiedRequestCount: (p.proxiedRequests * 1000) / period,
      };
      p.area = 0;
      p.proxiedArea = 0;
      p.requests = 0;
      p.proxiedRequests = 0;
    }
    if (ready.length === 0) return undefined;
    const n = sample.length;
    const pods = ready.length;
    return {
      averageConcurrency: scaleSampledTotal(concurrency, n, pods),
      averageProxiedConcurrency: scaleSampledTotal(proxiedConcurrency, n, pods),
      requestCount: scaleSampledTotal(requests, n, pods),
      proxiedRequestCount: scaleSampledTotal(proxiedRequests, n, pods),
    };
  }

  /** A pod's queue-proxy stats for its last reporting period, per second (undefined before its first). */
  queueProxyReport(pod: string): Stat | undefined {
    return this.pods.get(pod)?.lastReport;
  }

  /** Requests in the revision right now (activator buffer + queue-proxies + containers). */
  concurrencyNow(): number {
    let n = this.heldRequests();
    for (const p of this.podList) n += p.concurrency;
    return n;
  }

  private endpoint(name: string): PodEndpoint {
    let pod = this.pods.get(name);
    if (!pod) {
      pod = new PodEndpoint(name);
      pod.lastChange = this.engine.now();
      this.pods.set(name, pod);
    }
    return pod;
  }
}
