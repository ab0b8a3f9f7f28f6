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
 * - Timeouts (src/model/timeouts.ts): the first proxy to receive a request (the activator, or the
 *   queue-proxy when it came straight to a pod) must see the first byte of the answer within
 *   `firstByteBudgetMs`, waits in queues included, or it answers 504 with its body; the idle
 *   timeout cuts a response that stalls; a client with a timeout gives up on its own. A request
 *   that ends so leaves the queue or the container slot it held at once.
 */

import {
  ACTIVATOR_QUEUE_DEPTH,
  type ActivatorBalancing,
  APP_EXITED_BODY,
  activatorBalancing,
  activatorReport,
  appConnectionRefusedBody,
  firstAvailable,
  ingressRoundRobin,
  ingressRoundRobinStart,
  queueProxyCapacity,
  randomChoiceOfTwo,
  roundRobin,
} from '../../model/dataplane.js';
import { type Stat, scaleSampledTotal, scrapeSampleSize } from '../../model/kpa/index.js';
import type { Random } from '../../model/random.js';
import {
  firstByteBudgetMs,
  type RequestTimeouts,
  requestEnd,
  type WorkEnd,
  type WorkTimes,
} from '../../model/timeouts.js';
import type { Engine } from '../engine.js';
import type { PodCpu } from '../nodes/cpu.js';
import { ActivatorLanes } from './activators.js';
import {
  BODY_ACTIVATOR_TIMEOUT,
  BODY_QUEUE_FULL,
  BODY_QUEUE_PROXY_OVERLOAD,
  BODY_QUEUE_PROXY_TIMEOUT,
  type SimRequest,
  STATUS_BAD_GATEWAY,
  STATUS_GATEWAY_TIMEOUT,
  STATUS_NO_ANSWER,
  STATUS_OK,
  STATUS_SERVICE_UNAVAILABLE,
} from './request.js';

/** Where a request is (SimRequest.state): not yet in this data plane … answered or given up. */
export const REQ_NEW = 0;
/** Held by the activator (its per-revision queue). */
export const REQ_HELD = 1;
/** Queued in a queue-proxy behind its busy slots. */
export const REQ_QUEUED = 2;
/** In the user container, waiting for a free worker of the app. */
export const REQ_WAITING_FOR_WORKER = 3;
/** The app is working on it. */
export const REQ_WORKING = 4;
export const REQ_DONE = 5;
/** In the user container of an app that stopped answering: it waits for its deadline or the app's end. */
export const REQ_HUNG = 6;

/**
 * What a revision's data plane tells whoever runs it. Each call names the data plane it comes
 * from (last, so that a caller that runs one revision may leave it out): a cluster runs thousands
 * of revisions with one hooks object, not a set of closures per revision (≈ 0.4 KB a revision
 * built, ≈ 2 KB through tsx, whose kept names give each closure a property table).
 */
export interface DataplaneHooks {
  /** The activator's immediate stat on the first request of a period (for the poke). */
  firstRequest(revision: string, dataplane: RevisionDataplane): void;
  /** The activator went into or out of the path (`setActivatorInPath`): a standing revision samples again. */
  pathChanged?(dataplane: RevisionDataplane): void;
  /** A request was answered or failed. */
  completed(req: SimRequest, status: number, body: string, dataplane: RevisionDataplane): void;
  /** A request was buffered by the activator. */
  held(req: SimRequest, dataplane: RevisionDataplane): void;
  /** A request reached a pod. */
  dispatched(req: SimRequest, dataplane: RevisionDataplane): void;
  /** The requests in a pod passed what its app's memory limit holds: the kernel kills the app. */
  oomKilled?(pod: string, dataplane: RevisionDataplane): void;
}

class PodEndpoint {
  /** queue-proxy's readiness passed: in the private service's endpoints, scraped. */
  ready = false;
  /** Its IP (read only with several activators, which cut their slices in IP order). */
  ip = '';
  /** The activator's probe found it: it may receive buffered requests. */
  probed = false;
  terminating = false;
  /**
   * Its user container exited and is not running again yet: until the pod leaves the endpoints,
   * what is sent to it meets a refused connection.
   */
  exited = false;
  /**
   * Its app stopped answering (scenario `hangImages`): what it works on, and what comes to it,
   * waits, until a deadline or the app's end (`podExited`).
   */
  hung = false;
  /** The requests the app is working on, kept only when a revision's apps may exit (`podExited`). */
  readonly workingNow = new Set<SimRequest>();
  /** Requests in the user container (as the queue-proxy sees them). */
  inFlight = 0;
  /** Of those, the ones the app is working on (the rest wait for a worker). */
  working = 0;
  /** FIFOs; an entry that timed out stays until it reaches the head (state REQ_DONE), not counted. */
  readonly appQueue: SimRequest[] = [];
  appHead = 0;
  appQueued = 0;
  readonly queue: SimRequest[] = [];
  queueHead = 0;
  queuedCount = 0;
  /** When the last request the app works on ends (for the termination grace). */
  busyUntil = 0;
  /** Requests the activator has sent here that are not answered yet (its per-pod breaker). */
  fromActivator = 0;
  /** Position in the revision's probed list (-1 when not in it). */
  probedIndex = -1;
  /** In the revision's serving list. */
  serving = false;
  /** The kernel's kill of its app for memory is on its way (at this instant). */
  oomKilling = false;
  /** The CPU the pod gets on its node (for a CPU-bound app). */
  cpu: PodCpu | undefined = undefined;
  // queue-proxy stats for the current reporting period
  concurrency = 0;
  proxiedConcurrency = 0;
  area = 0;
  proxiedArea = 0;
  lastChange = 0;
  requests = 0;
  proxiedRequests = 0;
  /**
   * Scrapes whose reporting period this pod has closed: its counters belong to the period after
   * them. A pod closes its periods lazily (`closePeriods`), when it changes, is sampled or is read.
   */
  closed = 0;
  // The last closed period's figures (what its /metrics shows), raw: concurrency-ms and requests.
  closedArea = 0;
  closedProxiedArea = 0;
  closedRequests = 0;
  closedProxiedRequests = 0;
  private closedPeriod = 0;
  private hasClosed = false;
  private lastReport: Stat | undefined = undefined;
  /** The cluster's note of the pod's access log (PodNotes). */
  accessLog: unknown = undefined;

  constructor(
    readonly name: string,
    /** Its place in the revision's endpoint order (the order it was first seen). */
    readonly seq: number,
    private readonly clock: ScrapeClock,
    private readonly engine: Engine,
  ) {
    this.closed = clock.count;
  }

  queued(): number {
    return this.queuedCount;
  }

  /** The next live request of the queue-proxy's queue (skipping ones that timed out), or undefined. */
  nextQueued(): SimRequest | undefined {
    while (this.queueHead < this.queue.length) {
      const req = this.queue[this.queueHead]!;
      this.queue[this.queueHead++] = undefined as unknown as SimRequest;
      if (this.queueHead === this.queue.length) {
        this.queue.length = 0;
        this.queueHead = 0;
      }
      if (req.state === REQ_QUEUED) {
        this.queuedCount--;
        return req;
      }
    }
    return undefined;
  }

  /** The next live request waiting for a worker, or undefined. */
  nextForWorker(): SimRequest | undefined {
    while (this.appHead < this.appQueue.length) {
      const req = this.appQueue[this.appHead]!;
      this.appQueue[this.appHead++] = undefined as unknown as SimRequest;
      if (this.appHead === this.appQueue.length) {
        this.appQueue.length = 0;
        this.appHead = 0;
      }
      if (req.state === REQ_WAITING_FOR_WORKER) {
        this.appQueued--;
        return req;
      }
    }
    return undefined;
  }

  /** Integrates its stats up to now (the time is read here, not passed: a per-request call). */
  account(): void {
    const now = this.engine.now();
    if (this.closed !== this.clock.count) this.closePeriods();
    const dt = now - this.lastChange;
    if (dt > 0) {
      this.area += this.concurrency * dt;
      this.proxiedArea += this.proxiedConcurrency * dt;
      this.lastChange = now;
    }
  }

  /**
   * Closes the reporting periods that ended since this pod was last accounted, with the doubles
   * an eager scraper gets (it integrated every pod to each scrape, kept its figures and reset
   * them): the pod has not changed since, so of several periods the earlier ones end unread and
   * the last holds its constant concurrency over that period.
   */
  closePeriods(): void {
    const clock = this.clock;
    if (this.closed === clock.count) return;
    if (this.closed < clock.count - 1) {
      // As eager scrapes left it after the one before the last: reset, integrated to it.
      this.area = 0;
      this.proxiedArea = 0;
      this.requests = 0;
      this.proxiedRequests = 0;
      if (clock.previousAt > this.lastChange) this.lastChange = clock.previousAt;
    }
    const dt = clock.at - this.lastChange;
    if (dt > 0) {
      this.area += this.concurrency * dt;
      this.proxiedArea += this.proxiedConcurrency * dt;
      this.lastChange = clock.at;
    }
    this.closedArea = this.area;
    this.closedProxiedArea = this.proxiedArea;
    this.closedRequests = this.requests;
    this.closedProxiedRequests = this.proxiedRequests;
    this.closedPeriod = clock.period;
    this.hasClosed = true;
    this.lastReport = undefined;
    this.area = 0;
    this.proxiedArea = 0;
    this.requests = 0;
    this.proxiedRequests = 0;
    this.closed = clock.count;
  }

  /** The queue-proxy's stats for its last whole reporting period, per second (undefined before its first). */
  report(): Stat | undefined {
    this.closePeriods();
    if (!this.hasClosed) return undefined;
    if (this.lastReport === undefined) {
      const period = this.closedPeriod;
      this.lastReport = {
        averageConcurrency: this.closedArea / period,
        averageProxiedConcurrency: this.closedProxiedArea / period,
        requestCount: (this.closedRequests * 1000) / period,
        proxiedRequestCount: (this.closedProxiedRequests * 1000) / period,
      };
    }
    return this.lastReport;
  }
}

/** The scraper's clock, shared by a revision's pods: how many scrapes so far, and when. */
class ScrapeClock {
  count = 0;
  /** When the last scrape was, and the one before it (or the data plane's start). */
  at = 0;
  previousAt = 0;
  /** The last scrape's period, ms (at least 1). */
  period = 1;
  constructor(now: number) {
    this.at = now;
    this.previousAt = now;
  }
}

/** Requests in a revision's data plane now, by where they are (`RevisionDataplane.countRequests`). */
export interface RequestCounts {
  /** In the revision: the activator's buffer, the queue-proxies and the containers. */
  concurrency: number;
  /** Waiting in the queue-proxies. */
  queued: number;
  /** In the containers. */
  inFlight: number;
}

export class RevisionDataplane {
  /**
   * The public service's endpoints are the activators (SKS Proxy). Set only through
   * `setActivatorInPath`, by the SKS machine's `sks.routing` event (src/model/machines/sks.ts);
   * true until an SKS exists. A plain field: every request reads it.
   */
  activatorInPath = true;
  private readonly pods = new Map<string, PodEndpoint>();
  /** The next endpoint's `seq`: the lists below keep `pods`' insertion order by it. */
  private nextSeq = 0;
  // Views of `pods` in insertion order, kept as pods change state (never per request): a pod
  // that changes moves in or out of them alone, so a change costs a search, not every pod.
  private readonly podList: PodEndpoint[] = [];
  /** Ready and not terminating: they take traffic directly. */
  private readonly servingList: PodEndpoint[] = [];
  /** Probed by the activator and not terminating: it may send them requests. */
  private readonly probedList: PodEndpoint[] = [];
  /** Completions wait in an engine lane: with a constant service time they come in FIFO order. */
  private readonly completionLane: number = 0;
  /**
   * The completion callback shared by every request (no closure per request): the app finished
   * with `req` on its pod. Its body is here, not in a method it calls: the engine calls it for every
   * request, and the call to a method as large as this one was not inlined (one call fewer).
   */
  private readonly containerDoneFn = (req: SimRequest): void => {
    // Failed when its app exited (`podExited`): its completion comes up all the same.
    if (req.state !== REQ_WORKING) return;
    const pod = req.endpoint as PodEndpoint;
    if (this.appsMayExit) pod.workingNow.delete(req);
    pod.inFlight--;
    pod.working--;
    // The queues are looked at here before their methods are called (each returns undefined at
    // once when empty): the calls are then rare, and the compiler leaves them out of this
    // function, whose inlining budget goes to `complete` instead (one call fewer a request).
    const waiting = pod.appHead < pod.appQueue.length ? pod.nextForWorker() : undefined;
    if (waiting) this.startWork(pod, waiting);
    pod.account();
    pod.concurrency--;
    if (req.viaActivator) pod.proxiedConcurrency--;
    this.release(pod, req);
    switch (req.end) {
      case 'answered':
        this.finish(req, STATUS_OK, '');
        break;
      case 'timeout':
        this.finish(req, STATUS_GATEWAY_TIMEOUT, req.timeoutBody);
        break;
      // The status line went out: the client sees it, then the proxy's message instead of the rest.
      case 'idle':
        this.finish(req, STATUS_OK, req.timeoutBody);
        break;
      case 'client':
        this.finish(req, STATUS_NO_ANSWER, '');
        break;
    }
    if (pod.queueHead < pod.queue.length) this.nextInContainer(pod);
    // (`drainHeld` with nothing held ever is a no-op: nothing was held if `held` is empty.)
    if (req.viaActivator && (this.held.length !== 0 || this.lanes !== undefined)) this.drainHeld();
  };
  /** Deadlines of waiting requests: one lane (mostly in order: the activator's queue is FIFO). */
  private readonly deadlineLane: number = 0;
  private readonly deadlineFn = (req: SimRequest) => this.deadlinePassed(req);
  /** The activator's FIFO; timed-out entries stay until they reach the head (state REQ_DONE). */
  private readonly held: SimRequest[] = [];
  private heldHead = 0;
  private heldCount = 0;
  // activator stats for this revision
  private activatorConcurrency = 0;
  private activatorArea = 0;
  private activatorLastChange = 0;
  private activatorRequests = 0;
  /** The activator has an entry for this revision (it sent the immediate stat this period). */
  private activatorReported = false;
  private firstRequestPending = 0;
  /** Round robin: where the next scan starts (just after the last pick; src/model/dataplane.ts). */
  private roundRobinPointer = 0;
  /**
   * The ingress's round robin: picks since its cluster was built, counted from a random start;
   * -1 until the first pick after the serving pods changed (Kourier rebuilds the cluster then).
   */
  private ingressIndex = -1;
  private readonly balancing: ActivatorBalancing;
  /** Requests a queue-proxy admits (in the container and queued) before it answers 503. */
  private readonly queueProxyCapacity: number = 0;
  /** For CC ≤ 3 (first available): every probed pod before this index is known to be full. */
  private firstFreeHint = 0;
  /**
   * Probed pods under their CC (the activator may send them a request), kept as pods are
   * refiled and as the activator sends and releases: round robin knows at once when none has room.
   */
  private probedWithRoom = 0;
  /** How long the first byte may take after the first proxy received a request. */
  private readonly firstByteBudget: number = 0;
  /** When the scraper came, and how many times: pods close their reporting periods by it. */
  private readonly scrapeClock: ScrapeClock;
  private lastActivatorReportAt = 0;
  // counters for the per-second sample
  arrivalsThisSecond = 0;
  /**
   * The request `endWork` asks `requestEnd` about, and its answer (one object, filled per request:
   * a per-request path).
   */
  private readonly work: { -readonly [K in keyof WorkTimes]: number } & WorkEnd;

  // The number fields read per request start as numbers, not as parameter properties (which
  // start undefined, and then keep numbers as tagged values: a check and a load more each read).
  readonly containerConcurrency: number = 0;
  /** Requests a pod's app works on at once (0 = no limit; see AppSettings.workers). */
  private readonly workers: number = 0;
  /** The share of a request's service time the app spends on the CPU (see AppSettings.cpu). */
  private readonly cpuShare: number = 0;
  /**
   * Its pods' apps may exit while serving (scenario `crashImages`): the requests each works on are
   * kept, for `podExited` to fail them. The port the queue-proxy sends to (the user container's).
   */
  appsMayExit = false;
  appPort = 8080;
  /**
   * The Revision's namespace and name, for hooks shared by several revisions to find theirs (set
   * by whoever runs it before its first request; `revision` is the name the log shows).
   */
  namespace = '';
  name = '';
  /** Several activators (settings `activators` > 1), each with its own throttler; undefined with one. */
  private readonly lanes: ActivatorLanes<PodEndpoint> | undefined = undefined;
  /**
   * How many requests in a pod's container make its app pass its memory limit (src/model/cluster/
   * containers.ts `oomKillAt`); Infinity: never (no limit, or no memory figure for the app).
   */
  oomAt = Number.POSITIVE_INFINITY;

  constructor(
    readonly revision: string,
    containerConcurrency: number,
    timeouts: RequestTimeouts,
    private readonly engine: Engine,
    private readonly random: Random,
    private readonly hooks: DataplaneHooks,
    /** Requests a pod's app works on at once (0 = no limit; see AppSettings.workers). */
    workers = 0,
    /** How long into a request the app writes its first byte (Infinity: at the end; AppSettings). */
    responseStartMs = Number.POSITIVE_INFINITY,
    /** The share of a request's service time the app spends on the CPU (see AppSettings.cpu). */
    cpuShare = 0,
    /** Activator replicas (SimSettings.activators). */
    activators = 1,
  ) {
    this.containerConcurrency = containerConcurrency;
    this.workers = workers;
    this.cpuShare = cpuShare;
    this.completionLane = engine.lane();
    this.deadlineLane = engine.lane();
    this.firstByteBudget = firstByteBudgetMs(timeouts);
    this.work = {
      startMs: 0,
      serviceMs: 0,
      firstByteAfterMs: responseStartMs,
      proxyDeadlineMs: 0,
      idleMs: timeouts.idleMs,
      clientDeadlineMs: 0,
      atMs: Number.NaN,
      end: 'answered',
    };
    this.balancing = activatorBalancing(containerConcurrency);
    this.queueProxyCapacity = queueProxyCapacity(containerConcurrency);
    this.activatorLastChange = engine.now();
    this.scrapeClock = new ScrapeClock(engine.now());
    this.lastActivatorReportAt = engine.now();
    if (activators > 1) {
      this.lanes = new ActivatorLanes<PodEndpoint>(activators, containerConcurrency, this.balancing, random, {
        now: () => this.engine.now(),
        send: (pod, req) => this.toQueueProxy(pod, req),
        hold: (req) => {
          this.hooks.held(req, this);
          this.watchDeadline(req);
        },
        refuse: (req) => this.finish(req, STATUS_SERVICE_UNAVAILABLE, BODY_QUEUE_FULL),
        firstRequest: () => this.hooks.firstRequest(this.revision, this),
      });
    }
  }

  /** Activator replicas: each reports its own stats (`activatorReport`). */
  get activatorCount(): number {
    return this.lanes?.size ?? 1;
  }

  /** The activators' IPs (for the SKS's choice of those behind this revision). */
  activatorIps(): string[] {
    return this.lanes?.ips() ?? [];
  }

  /** The activators behind the revision's public Service changed (several activators only). */
  setActivatorSubset(subset: readonly string[]): void {
    if (this.lanes === undefined) return;
    this.lanes.setSubset(subset);
    this.drainHeld();
  }

  // ---- endpoints ----

  podReady(name: string, cpu?: PodCpu, ip?: string): void {
    const pod = this.endpoint(name);
    pod.ready = true;
    pod.exited = false;
    pod.hung = false;
    if (ip !== undefined) pod.ip = ip;
    pod.cpu = cpu;
    this.refile(pod);
  }

  /** The activator's probe reached the pod: buffered requests can go to it. */
  podProbed(name: string): void {
    const pod = this.pods.get(name);
    if (!pod || pod.terminating || !pod.ready) return;
    pod.probed = true;
    this.refile(pod);
    this.drainHeld();
  }

  /**
   * The user container exited: the requests in it, and the ones queued in its queue-proxy, fail
   * with 502 at once; the pod stays in the endpoints until the kubelet sees the exit (`podUnready`).
   */
  podExited(name: string): void {
    const pod = this.pods.get(name);
    if (!pod) return;
    pod.exited = true;
    pod.hung = false;
    const refused = appConnectionRefusedBody(this.appPort);
    let viaActivator = false;
    for (const req of pod.workingNow) {
      pod.inFlight--;
      pod.working--;
      // Its completion is still scheduled and reads it: it must not be reused before then.
      req.timerSet = true;
      viaActivator = this.failInPod(pod, req, APP_EXITED_BODY) || viaActivator;
    }
    pod.workingNow.clear();
    for (let req = pod.nextForWorker(); req; req = pod.nextForWorker()) {
      pod.inFlight--;
      viaActivator = this.failInPod(pod, req, APP_EXITED_BODY) || viaActivator;
    }
    for (let req = pod.nextQueued(); req; req = pod.nextQueued()) {
      viaActivator = this.failInPod(pod, req, refused) || viaActivator;
    }
    if (viaActivator && (this.held.length !== 0 || this.lanes !== undefined)) this.drainHeld();
  }

  /**
   * The app stopped answering: what it works on never ends on its own (its completion, still
   * scheduled, finds it hung), and waits for its deadline, as what comes to it from now on.
   */
  podHung(name: string): void {
    const pod = this.pods.get(name);
    if (!pod || pod.exited) return;
    pod.hung = true;
    for (const req of pod.workingNow) this.hang(req);
  }

  /** A request in a hung app: it waits for its proxy's (or its client's) deadline. */
  private hang(req: SimRequest): void {
    req.state = REQ_HUNG;
    // A deadline timer set while it queued has not fired (else it would not be here): it stands.
    this.watchDeadline(req);
  }

  /**
   * The kernel kills the app at once; the kill reaches the pod's machine after the request that
   * passed the limit is placed (this instant, once the data plane's own step is over).
   */
  private oomKill(pod: PodEndpoint): void {
    pod.oomKilling = true;
    this.engine.after(0, () => {
      pod.oomKilling = false;
      if (!pod.exited && pod.ready) this.hooks.oomKilled?.(pod.name, this);
    });
  }

  /** One request of a pod whose app exited, answered 502; true when the activator had sent it. */
  private failInPod(pod: PodEndpoint, req: SimRequest, body: string): boolean {
    pod.account();
    pod.concurrency--;
    if (req.viaActivator) pod.proxiedConcurrency--;
    this.release(pod, req);
    this.finish(req, STATUS_BAD_GATEWAY, body);
    return req.viaActivator;
  }

  /** The kubelet saw the exit: the pod is not ready and leaves the endpoints until it is again. */
  podUnready(name: string): void {
    const pod = this.pods.get(name);
    if (!pod?.ready) return;
    pod.ready = false;
    pod.probed = false;
    this.refile(pod);
    if (this.lanes !== undefined) this.drainHeld();
  }

  podTerminating(name: string): void {
    const pod = this.pods.get(name);
    if (!pod) return;
    pod.terminating = true;
    pod.ready = false;
    pod.probed = false;
    this.refile(pod);
    // Several activators cut new slices: one may have gained a pod with room.
    if (this.lanes !== undefined) this.drainHeld();
  }

  podGone(name: string): void {
    const pod = this.pods.get(name);
    if (!pod) return;
    this.pods.delete(name);
    this.refile(pod);
    if (this.lanes !== undefined) this.drainHeld();
  }

  /**
   * Puts a pod that changed where it now belongs in the lists, each in `pods`' order: all of
   * them (while in `pods`), serving (ready, not terminating), probed (probed, not terminating,
   * with `probedIndex` its position).
   */
  private refile(pod: PodEndpoint): void {
    const known = this.pods.get(pod.name) === pod;
    const inAll = indexBySeq(this.podList, pod.seq);
    if (known && inAll < 0) this.podList.splice(-inAll - 1, 0, pod);
    else if (!known && inAll >= 0) this.podList.splice(inAll, 1);
    const serving = known && pod.ready && !pod.terminating;
    if (serving !== pod.serving) {
      pod.serving = serving;
      const at = indexBySeq(this.servingList, pod.seq);
      if (serving) this.servingList.splice(-at - 1, 0, pod);
      else this.servingList.splice(at, 1);
      this.ingressIndex = -1;
    }
    const probed = known && pod.probed && !pod.terminating;
    if (probed !== pod.probedIndex >= 0) {
      if (pod.fromActivator < this.containerConcurrency) this.probedWithRoom += probed ? 1 : -1;
      const list = this.probedList;
      const at = indexBySeq(list, pod.seq);
      let from: number;
      if (probed) {
        from = -at - 1;
        list.splice(from, 0, pod);
      } else {
        from = at;
        list.splice(at, 1);
        pod.probedIndex = -1;
      }
      for (let i = from; i < list.length; i++) list[i]!.probedIndex = i;
      this.lanes?.podsChanged(list);
    }
    this.firstFreeHint = 0;
  }

  /** Pods that take traffic directly (ready and not terminating). */
  servingPods(): number {
    return this.servingList.length;
  }

  heldRequests(): number {
    return this.lanes === undefined ? this.heldCount : this.lanes.heldRequests();
  }

  /**
   * How long the requests in a pod may still keep it busy (for a deleted pod's termination): the
   * last one the app works on, then the ones queued in it, taken by its slots in turn (an
   * estimate), none past its own deadline.
   */
  podBusyForMs(name: string): number {
    const pod = this.pods.get(name);
    if (!pod) return 0;
    const now = this.engine.now();
    let work = 0;
    let lastDeadline = 0;
    for (const q of [pod.queue, pod.appQueue]) {
      for (const req of q) {
        if (req && (req.state === REQ_QUEUED || req.state === REQ_WAITING_FOR_WORKER)) {
          work += Math.max(0, req.serviceMs);
          lastDeadline = Math.max(lastDeadline, Math.min(req.deadline, req.clientDeadline));
        }
      }
    }
    const slots = Math.max(1, this.workers > 0 ? this.workers : this.containerConcurrency);
    const queueDone = Math.min(lastDeadline, Math.max(pod.busyUntil, now) + work / slots);
    return Math.max(0, Math.max(pod.busyUntil, queueDone) - now);
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

  /**
   * `concurrencyNow()`, `queuedInPods()` and `inFlight()` in one walk over the pods, written into
   * `into` (the per-second sample's: no object, no iterator a simulated second).
   */
  countRequests(into: RequestCounts): RequestCounts {
    let concurrency = this.heldRequests();
    let queued = 0;
    let inFlight = 0;
    const pods = this.podList;
    for (let i = 0; i < pods.length; i++) {
      const p = pods[i]!;
      concurrency += p.concurrency;
      queued += p.queued();
      inFlight += p.inFlight;
    }
    into.concurrency = concurrency;
    into.queued = queued;
    into.inFlight = inFlight;
    return into;
  }

  /** A pod's usage: CPU time so far (core-ms) and memory (its baseline plus its requests'). */
  podUsage(
    name: string,
    memory: { baseBytes: number; perRequestBytes: number },
  ): { cpuCoreMs: number; memoryBytes: number } {
    const pod = this.pods.get(name);
    const now = this.engine.now();
    return {
      cpuCoreMs: pod?.cpu?.used(now) ?? 0,
      memoryBytes: memory.baseBytes + (pod?.inFlight ?? 0) * memory.perRequestBytes,
    };
  }

  /** The names of the pods it has endpoints for (ready or draining). */
  podNames(): string[] {
    return this.podList.map((p) => p.name);
  }

  // ---- requests ----

  /** Puts the activator in or out of the path; a change is reported (`DataplaneHooks.pathChanged`). */
  setActivatorInPath(inPath: boolean): void {
    if (inPath === this.activatorInPath) return;
    this.activatorInPath = inPath;
    this.hooks.pathChanged?.(this);
  }

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
    // Straight to a pod: the queue-proxy's timeout handler is the first.
    req.deadline = this.engine.now() + this.firstByteBudget;
    req.timeoutBody = BODY_QUEUE_PROXY_TIMEOUT;
    this.toQueueProxy(pod, req);
  }

  private activatorReceive(req: SimRequest): void {
    const now = this.engine.now();
    req.viaActivator = true;
    req.deadline = now + this.firstByteBudget;
    req.timeoutBody = BODY_ACTIVATOR_TIMEOUT;
    if (this.lanes !== undefined) {
      this.lanes.receive(req, !this.hasProbedPod());
      return;
    }
    this.activatorAccount();
    this.activatorConcurrency++;
    this.activatorRequests++;
    if (!this.activatorReported) {
      this.activatorReported = true;
      this.firstRequestPending = 1;
      this.hooks.firstRequest(this.revision, this);
    }
    const pod = this.heldCount === 0 ? this.pickForActivator() : undefined;
    if (pod) {
      // `activatorSend`, written out: one call fewer for every request the activator proxies.
      pod.fromActivator++;
      if (pod.fromActivator === this.containerConcurrency && pod.probedIndex >= 0) this.probedWithRoom--;
      this.toQueueProxy(pod, req);
      return;
    }
    if (this.containerConcurrency > 0 && this.heldRequests() >= ACTIVATOR_QUEUE_DEPTH) {
      this.activatorAccount();
      this.activatorConcurrency--;
      this.finish(req, STATUS_SERVICE_UNAVAILABLE, BODY_QUEUE_FULL);
      return;
    }
    req.cold = !this.hasProbedPod();
    req.state = REQ_HELD;
    this.held.push(req);
    this.heldCount++;
    this.hooks.held(req, this);
    this.watchDeadline(req);
  }

  private hasProbedPod(): boolean {
    return this.probedList.length > 0;
  }

  private activatorSend(pod: PodEndpoint, req: SimRequest): void {
    pod.fromActivator++;
    if (pod.fromActivator === this.containerConcurrency && pod.probedIndex >= 0) this.probedWithRoom--;
    this.toQueueProxy(pod, req);
  }

  /** Sends buffered requests while some pod has room. */
  private drainHeld(): void {
    if (this.lanes !== undefined) {
      this.lanes.drain();
      return;
    }
    while (this.heldCount > 0) {
      // Entries that timed out while held are dropped as they reach the head.
      while (this.held[this.heldHead]!.state !== REQ_HELD) {
        this.held[this.heldHead++] = undefined as unknown as SimRequest;
      }
      const pod = this.pickForActivator();
      if (!pod) break;
      const req = this.held[this.heldHead]!;
      this.held[this.heldHead++] = undefined as unknown as SimRequest;
      this.heldCount--;
      this.activatorSend(pod, req);
    }
    if (this.heldCount === 0) {
      // (Only when something is left: setting an array's length is a runtime call, and this runs
      // after every request the activator proxied.)
      if (this.held.length !== 0) this.held.length = 0;
      this.heldHead = 0;
    } else if (this.heldHead > 1024 && this.heldHead * 2 > this.held.length) {
      this.held.splice(0, this.heldHead);
      this.heldHead = 0;
    }
  }

  /**
   * The activator's load balancing (src/model/dataplane.ts `activatorBalancing`). The two policies
   * for a containerConcurrency are methods of their own: this one is inlined into the per-request
   * `activatorReceive`, and the smaller it is, the more of that path the compiler inlines with it
   * (it has a budget of bytecode per function: at 323 bytes, the random choice of two and
   * `startWork` were left out, one call each per request).
   */
  private pickForActivator(): PodEndpoint | undefined {
    const probed = this.probedList;
    if (probed.length === 0) return undefined;
    if (this.balancing === 'best-of-two') return randomChoiceOfTwo(probed, this.random);
    return this.balancing === 'first-available' ? this.firstAvailable(probed) : this.roundRobinPick(probed);
  }

  /** The first probed pod under its CC (the model's rule); pods before the hint are full (a release moves it back). */
  private firstAvailable(probed: PodEndpoint[]): PodEndpoint | undefined {
    const i = firstAvailable(probed, this.containerConcurrency, this.firstFreeHint);
    this.firstFreeHint = i < 0 ? probed.length : i;
    return i < 0 ? undefined : probed[i];
  }

  /** Round robin over the probed pods under their CC (the model's rule); the pointer stays after the pick. */
  private roundRobinPick(probed: PodEndpoint[]): PodEndpoint | undefined {
    if (this.probedWithRoom === 0) return undefined;
    const i = roundRobin(probed, this.containerConcurrency, this.roundRobinPointer);
    if (i < 0) return undefined;
    this.roundRobinPointer = i + 1;
    return probed[i];
  }

  /**
   * The ingress's round robin over the serving pods (src/model/dataplane.ts `ingressRoundRobin`):
   * a changed endpoint list is a new Envoy cluster, whose count starts at a random pod.
   */
  private pickDirect(): PodEndpoint | undefined {
    const serving = this.servingList;
    const n = serving.length;
    if (n === 0) return undefined;
    if (this.ingressIndex < 0) this.ingressIndex = ingressRoundRobinStart(n, this.random);
    return serving[ingressRoundRobin(n, this.ingressIndex++)];
  }

  private toQueueProxy(pod: PodEndpoint, req: SimRequest): void {
    req.pod = pod.name;
    req.endpoint = pod;
    const cc = this.containerConcurrency;
    if (pod.inFlight + pod.queued() >= this.queueProxyCapacity || pod.exited) {
      this.release(pod, req);
      if (pod.exited) this.finish(req, STATUS_BAD_GATEWAY, appConnectionRefusedBody(this.appPort));
      else this.finish(req, STATUS_SERVICE_UNAVAILABLE, BODY_QUEUE_PROXY_OVERLOAD);
      return;
    }
    pod.account();
    pod.concurrency++;
    pod.requests++;
    if (req.viaActivator) {
      pod.proxiedConcurrency++;
      pod.proxiedRequests++;
    }
    this.hooks.dispatched(req, this);
    if (cc > 0 && pod.inFlight >= cc) {
      req.state = REQ_QUEUED;
      pod.queue.push(req);
      pod.queuedCount++;
      this.watchDeadline(req);
      return;
    }
    this.startInContainer(pod, req);
  }

  private startInContainer(pod: PodEndpoint, req: SimRequest): void {
    pod.inFlight++;
    if (pod.inFlight >= this.oomAt && !pod.oomKilling) this.oomKill(pod);
    if (this.workers > 0 && pod.working >= this.workers) {
      req.state = REQ_WAITING_FOR_WORKER;
      pod.appQueue.push(req);
      pod.appQueued++;
      this.watchDeadline(req);
      return;
    }
    this.startWork(pod, req);
  }

  /**
   * The app starts working on a request: it ends when its answer is complete, or earlier when a
   * proxy or the client gives up (src/model/timeouts.ts `requestEnd`).
   */
  private startWork(pod: PodEndpoint, req: SimRequest): void {
    pod.working++;
    req.state = REQ_WORKING;
    if (this.appsMayExit) pod.workingNow.add(req);
    req.startedAt = this.engine.now();
    if (pod.hung) {
      this.hang(req);
      return;
    }
    if (pod.cpu !== undefined && this.cpuShare > 0) {
      this.startCpuWork(pod, pod.cpu, req);
      return;
    }
    // `endWork(pod, req, true)`, written out: one call fewer for every request.
    const work = this.work;
    work.serviceMs = Math.max(0, req.serviceMs);
    work.startMs = req.startedAt;
    work.proxyDeadlineMs = req.deadline;
    work.clientDeadlineMs = req.clientDeadline;
    requestEnd(work, work);
    req.end = work.end;
    const at = Math.max(this.engine.now(), work.atMs);
    if (at > pod.busyUntil) pod.busyUntil = at;
    req.dueMs = at;
    this.engine.callInLaneAt(this.completionLane, this.containerDoneFn, req);
  }

  /**
   * The CPU part shares the pod's CPU with its other busy requests; the rest is waiting. Timeouts
   * are judged once the CPU part is done (the handler computes to its end). (A method of its own:
   * the closure it makes would have `startWork` allocate its context for every request.)
   */
  private startCpuWork(pod: PodEndpoint, cpu: PodCpu, req: SimRequest): void {
    const now = req.startedAt;
    const serviceMs = Math.max(0, req.serviceMs);
    const coreMs = serviceMs * this.cpuShare;
    cpu.run(coreMs, () => {
      this.work.serviceMs = this.engine.now() - now + serviceMs - coreMs;
      this.endWork(pod, req);
    });
  }

  /**
   * When and how a request whose CPU part is done ends, from its start (`req.startedAt`) and how
   * long the app takes (`work.serviceMs`, set by the caller: no number passed as an argument).
   * Its completion goes to the heap: CPU sharing ends requests out of start order. (`startWork`
   * does the same for a request without CPU, its completion in the lane.)
   */
  private endWork(pod: PodEndpoint, req: SimRequest): void {
    const work = this.work;
    work.startMs = req.startedAt;
    work.proxyDeadlineMs = req.deadline;
    work.clientDeadlineMs = req.clientDeadline;
    requestEnd(work, work);
    req.end = work.end;
    const at = Math.max(this.engine.now(), work.atMs);
    if (at > pod.busyUntil) pod.busyUntil = at;
    this.engine.call(at, this.containerDoneFn, req);
  }

  /** A container slot came free: the queue-proxy's next queued request takes it. */
  private nextInContainer(pod: PodEndpoint): void {
    const next = pod.nextQueued();
    if (next) this.startInContainer(pod, next);
  }

  /** The activator's bookkeeping once a request it proxied is answered (or refused by the pod). */
  private release(pod: PodEndpoint, req: SimRequest): void {
    if (!req.viaActivator) return;
    if (this.lanes !== undefined) {
      this.lanes.release(req);
      return;
    }
    pod.fromActivator--;
    if (pod.fromActivator === this.containerConcurrency - 1 && pod.probedIndex >= 0) this.probedWithRoom++;
    if (pod.probedIndex >= 0 && pod.probedIndex < this.firstFreeHint) this.firstFreeHint = pod.probedIndex;
    this.activatorAccount();
    this.activatorConcurrency--;
  }

  private finish(req: SimRequest, status: number, body: string): void {
    req.state = REQ_DONE;
    this.hooks.completed(req, status, body, this);
  }

  // ---- timeouts (src/model/timeouts.ts) ----

  /** A waiting request gets one timer, at its proxy's deadline or its client's, whichever is first. */
  private watchDeadline(req: SimRequest): void {
    if (req.timerSet) return;
    req.timerSet = true;
    this.engine.callInLane(this.deadlineLane, Math.min(req.deadline, req.clientDeadline), this.deadlineFn, req);
  }

  /**
   * A waiting request's deadline came: the proxy answers 504 (or the client is gone) and the
   * request leaves the queue it was in. One the app is working on by now ends on its own schedule.
   */
  private deadlinePassed(req: SimRequest): void {
    const state = req.state;
    if (state !== REQ_HELD && state !== REQ_QUEUED && state !== REQ_WAITING_FOR_WORKER && state !== REQ_HUNG) return;
    const now = this.engine.now();
    const clientGone = req.clientDeadline <= now && req.clientDeadline < req.deadline;
    const pod = req.endpoint as PodEndpoint | undefined;
    if (state === REQ_HELD) {
      if (this.lanes !== undefined) this.lanes.heldTimedOut(req);
      else {
        this.heldCount--;
        this.activatorAccount();
        this.activatorConcurrency--;
      }
    } else if (pod) {
      if (state === REQ_QUEUED) pod.queuedCount--;
      else if (state === REQ_HUNG) {
        // The app never answered it: its slot and worker come free.
        pod.workingNow.delete(req);
        pod.working--;
        pod.inFlight--;
      } else {
        pod.appQueued--;
        pod.inFlight--;
      }
      pod.account();
      pod.concurrency--;
      if (req.viaActivator) pod.proxiedConcurrency--;
      this.release(pod, req);
    }
    if (clientGone) this.finish(req, STATUS_NO_ANSWER, '');
    else this.finish(req, STATUS_GATEWAY_TIMEOUT, req.timeoutBody);
    // A request that waited for a worker (or hung) held a container slot: the next queued one takes it.
    if (pod && (state === REQ_WAITING_FOR_WORKER || state === REQ_HUNG)) {
      if (state === REQ_HUNG && pod.appHead < pod.appQueue.length) {
        const waiting = pod.nextForWorker();
        if (waiting) this.startWork(pod, waiting);
      }
      this.nextInContainer(pod);
    }
    if (req.viaActivator && state !== REQ_HELD) this.drainHeld();
  }

  // ---- stats (reference §2) ----

  /** Integrates the activator's stats up to now (the time read here: a per-request call). */
  private activatorAccount(): void {
    const now = this.engine.now();
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
  activatorReport(activator = 0): Stat | undefined {
    if (this.lanes !== undefined) return this.lanes.report(activator);
    const now = this.engine.now();
    this.activatorAccount();
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
   * After standing (no pods, no requests: see SimCluster.secondly) the next reports cover the
   * time since the tick at `at`, as if it had reported nothing at each tick in between.
   */
  resumeReports(at: number): void {
    // A standing revision has no pods, so none has a period to close at the scrapes skipped.
    this.scrapeClock.at = at;
    this.lastActivatorReportAt = at;
    this.lanes?.resumeReports(at);
  }

  /**
   * The scraper's view (reference §2): a random sample of the ready pods (`scrapeSampleSize`),
   * their queue-proxies' stats for the period summed and scaled to the whole revision
   * (`scaleSampledTotal`). Undefined with no ready pod. Only the sampled pods close their period
   * here; the others close theirs when they next change or are read (`PodEndpoint.closePeriods`),
   * so a scrape costs the sample, not the pods.
   */
  scrape(): Stat | undefined {
    const now = this.engine.now();
    const clock = this.scrapeClock;
    clock.period = Math.max(1, now - clock.at);
    clock.previousAt = clock.at;
    clock.at = now;
    clock.count++;
    const ready = this.servingList;
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
    const period = clock.period;
    let concurrency = 0;
    let proxiedConcurrency = 0;
    let requests = 0;
    let proxiedRequests = 0;
    // (An index, not for…of: once a simulated second, this often runs before the compiler has
    // optimized it, and the unoptimized loop makes an iterator and a result object a pod.)
    for (let i = 0; i < sample.length; i++) {
      const p = sample[i]!;
      p.closePeriods();
      concurrency += p.closedArea / period;
      proxiedConcurrency += p.closedProxiedArea / period;
      requests += p.closedRequests;
      proxiedRequests += p.closedProxiedRequests;
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
    return this.pods.get(pod)?.report();
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
      pod = new PodEndpoint(name, this.nextSeq++, this.scrapeClock, this.engine);
      pod.lastChange = this.engine.now();
      this.pods.set(name, pod);
    }
    return pod;
  }
}

/** Where the pod with this `seq` is in a list ordered by `seq`, or -(where it would go) - 1. */
function indexBySeq(list: readonly PodEndpoint[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  // Most changes concern the newest pod: look at the end first.
  if (hi > 0 && list[hi - 1]!.seq < seq) return -hi - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const at = list[mid]!.seq;
    if (at === seq) return mid;
    if (at < seq) lo = mid + 1;
    else hi = mid;
  }
  return -lo - 1;
}
