/**
 * Several activators in front of one revision (settings `activators` > 1). Each is an
 * `ActivatorLane`: Knative's revisionThrottler in that activator, with its own queue (10,000
 * deep with CC > 0), its own breaker per pod, its own slice of the pods (src/model/throttler.ts)
 * and its own stats, which it reports to the autoscaler on its own (the collector adds them up).
 * The ingress spreads the requests over the activators behind the revision's public Service (the
 * SKS's subset, src/model/rules/sks.ts `activatorSubset`) as it spreads them over pods in Serve
 * mode: Envoy's round robin from a random start (src/model/dataplane.ts `ingressRoundRobin`).
 *
 * With one activator (the default) none of this runs: src/sim/dataplane/revision.ts keeps its
 * own single throttler, whose per-request path is tuned.
 */
import {
  ACTIVATOR_QUEUE_DEPTH,
  type ActivatorBalancing,
  activatorReport,
  firstAvailable,
  ingressRoundRobin,
  ingressRoundRobinStart,
  randomChoiceOfTwo,
  roundRobin,
} from '../../model/dataplane.js';
import type { Stat } from '../../model/kpa/index.js';
import type { Random } from '../../model/random.js';
import { activatorIndex, activatorIps, assignSlice, compareIps, throttlerCapacity } from '../../model/throttler.js';
import type { SimRequest } from './request.js';

/** Where a request is (SimRequest.state): held by an activator (revision.ts REQ_HELD). */
const REQ_HELD = 1;

/** What a lane reads of a pod: its IP (the slices are cut in IP order) and whether it is still there. */
export interface LanePod {
  readonly name: string;
  readonly ip: string;
}

/** What the lanes ask of the revision's data plane. */
export interface LaneHost<P extends LanePod> {
  now(): number;
  /** A request an activator picked `pod` for goes to the pod's queue-proxy. */
  send(pod: P, req: SimRequest): void;
  /** Held: logged, and its deadline watched. */
  hold(req: SimRequest): void;
  /** Refused: the activator's queue is full. */
  refuse(req: SimRequest): void;
  /** An activator's first request for the revision since its entry was dropped (the immediate stat). */
  firstRequest(): void;
}

/** One activator's breaker on one pod (Knative's podTracker): the requests it sent there, not yet answered. */
class PodTracker<P extends LanePod> {
  /** Requests in flight from this activator: the weight random choice of two compares, and the breaker's count. */
  concurrency = 0;
  constructor(readonly pod: P) {}
  get fromActivator(): number {
    return this.concurrency;
  }
}

class ActivatorLane<P extends LanePod> {
  /** Its place among the activators behind the revision (-1 until it is one of them), and their number. */
  index = -1;
  count = 0;
  readonly trackers = new Map<P, PodTracker<P>>();
  /** Its slice of the probed pods, in IP order. */
  assigned: PodTracker<P>[] = [];
  readonly held: SimRequest[] = [];
  heldHead = 0;
  heldCount = 0;
  /** Requests it has sent to pods and not yet seen answered (its revision breaker's count). */
  proxied = 0;
  roundRobinPointer = 0;
  // Its stats for the revision (reference §2 item 3), as revision.ts keeps the single activator's.
  concurrency = 0;
  area = 0;
  lastChange = 0;
  requests = 0;
  reported = false;
  firstRequestPending = 0;
  lastReportAt = 0;
  constructor(readonly ip: string) {}
}

export class ActivatorLanes<P extends LanePod> {
  private readonly lanes: ActivatorLane<P>[];
  /** The lanes behind the public Service, in IP order: where the ingress sends. */
  private inPath: ActivatorLane<P>[];
  /** The ingress's round robin over them (-1: draw a new start, after they changed). */
  private ingressIndex = -1;
  /** Which lane holds or sent each request it has not let go of. */
  private readonly laneOf = new Map<SimRequest, { lane: ActivatorLane<P>; tracker?: PodTracker<P> }>();
  private probed: readonly P[] = [];
  /** The subset last set (its IPs sorted and joined), to skip one that did not change. */
  private subsetKey = '';

  constructor(
    count: number,
    private readonly containerConcurrency: number,
    private readonly balancing: ActivatorBalancing,
    private readonly random: Random,
    private readonly host: LaneHost<P>,
  ) {
    const now = host.now();
    this.lanes = activatorIps(count).map((ip) => {
      const lane = new ActivatorLane<P>(ip);
      lane.lastChange = now;
      lane.lastReportAt = now;
      return lane;
    });
    this.inPath = [...this.lanes].sort((a, b) => compareIps(a.ip, b.ip));
  }

  get size(): number {
    return this.lanes.length;
  }

  /** The activators' IPs, for the SKS's choice of a subset. */
  ips(): string[] {
    return this.lanes.map((l) => l.ip);
  }

  /**
   * The public Service's activators changed (`subset`, IPs): each one in it learns its index and
   * their number (`inferIndex`); one left out keeps what it had (Knative: "not in path"). The
   * ingress builds a new cluster.
   */
  setSubset(subset: readonly string[]): void {
    const key = [...subset].sort().join(',');
    if (key === this.subsetKey) return;
    this.subsetKey = key;
    const inPath = this.lanes.filter((l) => subset.includes(l.ip)).sort((a, b) => compareIps(a.ip, b.ip));
    this.inPath = inPath;
    for (const lane of inPath) {
      lane.index = activatorIndex(subset, lane.ip);
      lane.count = subset.length;
    }
    this.ingressIndex = -1;
    this.reassign();
  }

  /** The activator-probed pods changed (`probed`: in the data plane's order). */
  podsChanged(probed: readonly P[]): void {
    this.probed = probed;
    this.reassign();
  }

  /** Every lane's slice of the probed pods (`assignSlice`; all of them with CC 0), in IP order. */
  private reassign(): void {
    const sorted = [...this.probed].sort((a, b) => compareIps(a.ip, b.ip));
    const present = new Set(this.probed);
    for (const lane of this.lanes) {
      const picks =
        this.containerConcurrency > 0 ? assignSlice(sorted.length, lane.index, lane.count) : sorted.map((_, i) => i);
      lane.assigned = picks.map((i) => {
        const pod = sorted[i]!;
        let tracker = lane.trackers.get(pod);
        if (!tracker) {
          tracker = new PodTracker(pod);
          lane.trackers.set(pod, tracker);
        }
        return tracker;
      });
      // A tracker of a pod that is gone and has nothing in flight is dropped (one still busy, at
      // the next new slices).
      for (const [pod, tracker] of lane.trackers) {
        if (tracker.concurrency === 0 && !present.has(pod)) lane.trackers.delete(pod);
      }
    }
  }

  /** The ingress hands a request to the next activator behind the public Service. */
  receive(req: SimRequest, cold: boolean): void {
    const lanes = this.inPath.length > 0 ? this.inPath : this.lanes;
    if (this.ingressIndex < 0) this.ingressIndex = ingressRoundRobinStart(lanes.length, this.random);
    const lane = lanes[ingressRoundRobin(lanes.length, this.ingressIndex++)]!;
    this.account(lane);
    lane.concurrency++;
    lane.requests++;
    if (!lane.reported) {
      lane.reported = true;
      lane.firstRequestPending = 1;
      this.host.firstRequest();
    }
    const tracker = lane.heldCount === 0 ? this.pick(lane) : undefined;
    if (tracker) {
      this.send(lane, tracker, req);
      return;
    }
    if (this.containerConcurrency > 0 && lane.heldCount >= ACTIVATOR_QUEUE_DEPTH) {
      this.account(lane);
      lane.concurrency--;
      this.host.refuse(req);
      return;
    }
    req.cold = cold;
    req.state = REQ_HELD;
    lane.held.push(req);
    lane.heldCount++;
    this.laneOf.set(req, { lane });
    this.host.hold(req);
  }

  /**
   * The lane's pick: none while its revision breaker is full (`throttlerCapacity`), else its
   * balancing over its slice, each pod under its own breaker of CC.
   */
  private pick(lane: ActivatorLane<P>): PodTracker<P> | undefined {
    const list = lane.assigned;
    if (list.length === 0) return undefined;
    const cc = this.containerConcurrency;
    if (this.balancing === 'best-of-two') return randomChoiceOfTwo(list, this.random);
    const capacity = throttlerCapacity({
      containerConcurrency: cc,
      backends: this.probed.length,
      assignedPods: list.length,
      activators: lane.count,
    });
    if (lane.proxied >= capacity) return undefined;
    if (this.balancing === 'first-available') {
      const i = firstAvailable(list, cc, 0);
      return i < 0 ? undefined : list[i];
    }
    const i = roundRobin(list, cc, lane.roundRobinPointer);
    if (i < 0) return undefined;
    lane.roundRobinPointer = i + 1;
    return list[i];
  }

  private send(lane: ActivatorLane<P>, tracker: PodTracker<P>, req: SimRequest): void {
    tracker.concurrency++;
    lane.proxied++;
    this.laneOf.set(req, { lane, tracker });
    this.host.send(tracker.pod, req);
  }

  /** A request an activator sent is answered, refused by its pod or timed out there. */
  release(req: SimRequest): void {
    const at = this.laneOf.get(req);
    if (!at?.tracker) return;
    this.laneOf.delete(req);
    const { lane, tracker } = at;
    tracker.concurrency--;
    lane.proxied--;
    this.account(lane);
    lane.concurrency--;
  }

  /** A held request's deadline passed: it leaves its activator's queue. */
  heldTimedOut(req: SimRequest): void {
    const at = this.laneOf.get(req);
    if (!at) return;
    this.laneOf.delete(req);
    at.lane.heldCount--;
    this.account(at.lane);
    at.lane.concurrency--;
  }

  /** Each activator sends what it holds while its slice has room. */
  drain(): void {
    for (const lane of this.lanes) {
      while (lane.heldCount > 0) {
        while (lane.held[lane.heldHead]!.state !== REQ_HELD) lane.held[lane.heldHead++] = undefined as never;
        const tracker = this.pick(lane);
        if (!tracker) break;
        const req = lane.held[lane.heldHead]!;
        lane.held[lane.heldHead++] = undefined as never;
        lane.heldCount--;
        this.send(lane, tracker, req);
      }
      if (lane.heldCount === 0) {
        lane.held.length = 0;
        lane.heldHead = 0;
      } else if (lane.heldHead > 1024 && lane.heldHead * 2 > lane.held.length) {
        lane.held.splice(0, lane.heldHead);
        lane.heldHead = 0;
      }
    }
  }

  heldRequests(): number {
    let n = 0;
    for (const lane of this.lanes) n += lane.heldCount;
    return n;
  }

  private account(lane: ActivatorLane<P>): void {
    const now = this.host.now();
    const dt = now - lane.lastChange;
    if (dt > 0) {
      lane.area += lane.concurrency * dt;
      lane.lastChange = now;
    }
  }

  /** Activator `i`'s once-a-second report (src/model/dataplane.ts `activatorReport`), or undefined. */
  report(i: number): Stat | undefined {
    const lane = this.lanes[i]!;
    const now = this.host.now();
    this.account(lane);
    const period = Math.max(1, now - lane.lastReportAt);
    lane.lastReportAt = now;
    const report = activatorReport({
      hasEntry: lane.reported,
      averageConcurrency: lane.area / period,
      requestCount: lane.requests,
      firstRequestStats: lane.firstRequestPending,
      inFlight: lane.concurrency,
    });
    lane.area = 0;
    lane.requests = 0;
    lane.firstRequestPending = 0;
    lane.reported = report.keepEntry;
    return report.stat;
  }

  resumeReports(at: number): void {
    for (const lane of this.lanes) lane.lastReportAt = at;
  }
}
