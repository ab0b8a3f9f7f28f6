/**
 * A run's results, streamed: counters and latency histograms (flat memory however many
 * requests), and per-second pod figures folded as the samples come. Nothing is kept per request.
 * The same figures are kept for each revision, each service (its revisions together) and the
 * whole run; the simulator, the live backend and `knsim compare` (reading a log) fold the same
 * events through this one collector, so a cold start means the same thing everywhere.
 *
 * Definitions (also in README.md, "Results and reports", and docs/live.md, "One definition of a cold start"):
 * - requests: every request that was sent: answered (2xx/3xx), refused (4xx, 503, 504, other
 *   5xx), or left without an HTTP answer (connection failed, client timeout, not sent because
 *   too many were in flight, or still waiting when the run ended). errors = requests − answered.
 * - latency: answered requests, arrival at the ingress to the response (network hop included);
 *   warm latency: those that were not cold.
 * - coldRequests: answered requests that arrived while their revision had no pod to take them
 *   (the activator held them).
 * - coldStarts: scale-from-zero events: a revision that had been deployed (it had a Ready pod,
 *   or its Revision was Ready) and had no pod left but terminating ones gets a new pod. The
 *   first pods of a new revision are not a cold start. Each has its phases, read from the pod
 *   that was Ready first: the request that found no pod → the pod created (the activator pokes
 *   the autoscaler, which scales the Deployment) → scheduled → containers running (image pull
 *   and container start) → Ready (the app starts, the readiness probe passes) → the first held
 *   request forwarded (the activator probes the pod; known in the simulator only) → answered.
 * - timeToZeroMs: from the last request's answer to the moment the last pod was gone; null
 *   when pods remain at the end (`atEnd` says whether they are draining) or no request was
 *   answered. For a revision that never got a request the idle time counts from its first
 *   Ready pod (see `ScaleToZero`).
 * - pods: every pod that exists (starting, ready or terminating), once a simulated second:
 *   maxPods, meanPods (over the seconds sampled) and podSeconds (the cost). A service's and the
 *   run's figures add their revisions' pods second by second.
 * - panicSeconds / activatorInPathSeconds: seconds in which some revision of the scope was
 *   panicking / had the activator in its data path.
 */

import type { Condition } from '../model/api/types.js';
import type { LogEvent, LogLine, ObjectEvent, PodPhase, RequestOutcome, SampleEvent } from '../model/events.js';
import { annotationInt } from '../model/kpa/annotations.js';
import { getCondition } from '../model/rules/conditions.js';
import { LABEL_CONFIGURATION, LABEL_SERVICE } from '../model/rules/labels.js';
import { namespacedName } from '../model/rules/naming.js';

// Scratch space to read a double's bits (the histogram's bucket index without Math.log).
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
/** A histogram's counts before its first value. */
const NO_COUNTS = new Float64Array(0);

/**
 * Log-linear histogram of non-negative values (HDR style): 2^SUB_BITS buckets per power of
 * two, read straight from the float's exponent and top mantissa bits. Values from 2^-10 (about
 * 0.001 ms) to 2^40 ms are resolved; smaller ones share the first bucket, larger the last.
 *
 * Stated error: a quantile is returned as the upper edge of its bucket, clamped to the
 * smallest and largest value seen, so for values ≥ 0.001 it is at least the exact sample
 * quantile (the value of rank ceil(q·n)) and at most 1/128 (0.79 %) above it.
 */
export class LatencyHistogram {
  static readonly SUB_BITS = 7;
  static readonly MIN_EXP = -10;
  static readonly MAX_EXP = 40;
  /** Relative error bound of quantile(). */
  static readonly RELATIVE_ERROR = 2 ** -LatencyHistogram.SUB_BITS;
  /**
   * The counts of buckets `base` … `base + counts.length − 1` (whole powers of two, 2^SUB_BITS
   * buckets each), grown as values land outside: a revision's latencies span a few powers of two,
   * and a fleet has thousands of histograms.
   */
  private counts: Float64Array = NO_COUNTS;
  private base = 0;
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;
  sum = 0;
  /** Lowest and highest buckets used (quantile scans only between them). */
  private lo = Number.POSITIVE_INFINITY;
  private hi = -1;

  /** The bucket of a value: (exponent − MIN_EXP) · 2^SUB_BITS + top mantissa bits. */
  static bucketOf(v: number): number {
    F64[0] = v;
    const hi = U32[HI]!;
    const exp = ((hi >>> 20) & 0x7ff) - 1023;
    if (exp < LatencyHistogram.MIN_EXP) return 0;
    if (exp > LatencyHistogram.MAX_EXP) return ((LatencyHistogram.MAX_EXP - LatencyHistogram.MIN_EXP + 1) << 7) - 1;
    return ((exp - LatencyHistogram.MIN_EXP) << 7) | ((hi >>> 13) & 0x7f);
  }

  /** The largest value of a bucket (its exclusive upper edge). */
  static upperEdge(bucket: number): number {
    const exp = (bucket >> 7) + LatencyHistogram.MIN_EXP;
    const sub = bucket & 0x7f;
    return 2 ** exp * (1 + (sub + 1) / 128);
  }

  add(ms: number): void {
    const scratch = LatencyHistogram.scratch;
    scratch.latencyMs = ms;
    this.addLatencyOf(scratch);
  }

  /** What `add` hands `addLatencyOf`. */
  private static readonly scratch = { latencyMs: 0 };

  /**
   * `add(e.latencyMs)`, the value read from `e`: a double passed as an argument to a call the
   * compiler does not inline is boxed (the per-request fold calls this: an object a request).
   */
  addLatencyOf(e: { readonly latencyMs: number }): void {
    const ms = e.latencyMs;
    // biome-ignore lint/complexity/useMathMinMax: a NaN latency must count as 0, not poison the sum
    const v = ms > 0 ? ms : 0;
    const b = LatencyHistogram.bucketOf(v);
    const i = b - this.base;
    if (i >= 0 && i < this.counts.length) this.counts[i]!++;
    else {
      this.cover(b, b);
      this.counts[b - this.base]!++;
    }
    if (b < this.lo) this.lo = b;
    if (b > this.hi) this.hi = b;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
    if (v < this.min) this.min = v;
  }

  /** Grows `counts` to hold buckets lo … hi (whole powers of two), keeping what it holds. */
  private cover(lo: number, hi: number): void {
    const from = this.counts.length === 0 ? lo & ~0x7f : Math.min(this.base, lo & ~0x7f);
    const to = this.counts.length === 0 ? (hi | 0x7f) + 1 : Math.max(this.base + this.counts.length, (hi | 0x7f) + 1);
    if (from === this.base && to === this.base + this.counts.length) return;
    const counts = new Float64Array(to - from);
    if (this.counts.length > 0) counts.set(this.counts, this.base - from);
    this.counts = counts;
    this.base = from;
  }

  /** Adds another histogram's values (a service's latency from its revisions'). */
  merge(other: LatencyHistogram): void {
    if (other.count === 0) return;
    this.cover(other.lo, other.hi);
    for (let b = other.lo; b <= other.hi; b++) this.counts[b - this.base]! += other.counts[b - other.base]!;
    this.lo = Math.min(this.lo, other.lo);
    this.hi = Math.max(this.hi, other.hi);
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
    this.min = Math.min(this.min, other.min);
  }

  /** The value of rank `rank` (1..count) in sorted order, within the stated error. NaN when empty. */
  atRank(rank: number): number {
    if (this.count === 0) return Number.NaN;
    const r = Math.min(this.count, Math.max(1, Math.ceil(rank)));
    let seen = 0;
    for (let i = this.lo; i <= this.hi; i++) {
      seen += this.counts[i - this.base]!;
      if (seen >= r) return Math.max(this.min, Math.min(this.max, LatencyHistogram.upperEdge(i)));
    }
    return this.max;
  }

  /** The q-quantile (0..1): see the class comment for its error. NaN when empty. */
  quantile(q: number): number {
    return this.atRank(Math.ceil(q * this.count));
  }

  mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }

  summary(): LatencySummary {
    const empty = this.count === 0;
    return {
      count: this.count,
      mean: empty ? Number.NaN : this.mean(),
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      max: empty ? Number.NaN : this.max,
    };
  }
}

/** Latency figures in ms; NaN (null in JSON) when there was no request. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** One scale from zero and how long each of its phases took (ms; null when unknown). */
export interface ColdStart {
  revision: string;
  /** When the first new pod appeared (Pending). */
  at: number;
  /** Arrival of the first request that found no pod and was answered by this cold start. */
  triggeredAt: number | null;
  /** The pod that was Ready first. */
  pod: string | null;
  readyAt: number | null;
  /** The first held request's answer, and how long it waited in all. */
  answeredAt: number | null;
  firstLatencyMs: number | null;
  phases: ColdStartPhases;
}

/** The phases of a cold start (ms), in order; null when the log does not show it. */
export interface ColdStartPhases {
  /** The request that found no pod → the pod created (activator → autoscaler → Deployment). */
  scaleUp: number | null;
  /** Pending → ContainerCreating: the scheduler bound the pod. */
  schedule: number | null;
  /**
   * ContainerCreating → the pod's images on its node: the kubelet's pulls, its wait behind other
   * pulls included; simulator only (null where the log does not say, and when nothing was pulled).
   */
  pull: number | null;
  /** ContainerCreating → Running: image pull (if any, unless `pull` has it), container creation and start. */
  create: number | null;
  /** Running → Ready: the app starts and the readiness probe passes. */
  readiness: number | null;
  /** Ready → the first held request forwarded to it (the activator's probe); simulator only. */
  activator: number | null;
  /** Ready → the first held request answered (activator probe, forwarding and service time). */
  toAnswer: number | null;
}

export const COLD_START_PHASES: readonly (keyof ColdStartPhases)[] = [
  'scaleUp',
  'schedule',
  'pull',
  'create',
  'readiness',
  'activator',
  'toAnswer',
];

/** One fall to zero pods of a revision. */
export interface ScaleToZero {
  /** When the last pod was gone (ms of run time). */
  zeroAt: number;
  /** When every remaining pod was Terminating (the scale-down took effect). */
  drainingAt: number;
  /** What the idle period is measured from: the last answered request, else the first Ready pod. */
  idleSince: number;
  idleFrom: 'last request' | 'first ready pod';
  /** zeroAt − idleSince. */
  afterMs: number;
}

/** Pods at the end: none left, only terminating ones, or some still up. */
export type EndState = 'zero' | 'draining' | 'up';

/** The figures of one scope: a revision, a service, or the whole run. */
export interface Figures {
  requests: number;
  answered: number;
  /** requests − answered: refused and unanswered requests. */
  errors: number;
  status4xx: number;
  status503: number;
  status504: number;
  /** 5xx other than 503 and 504. */
  status5xx: number;
  /** Requests without an HTTP answer (status 0, or still waiting when the run ended). */
  noAnswer: number;
  /** Errors other than 503 and 504: 4xx, other 5xx and no answer. */
  otherErrors: number;
  /** Answered requests. */
  latency: LatencySummary;
  /** Answered requests that were not cold. */
  warmLatency: LatencySummary;
  /** Answered requests the activator held while no pod could take them. */
  coldRequests: number;
  coldLatency: LatencySummary;
  /** Scale-from-zero events (see the module comment). */
  coldStarts: number;
  /** The median of each cold-start phase over the scope's cold starts. */
  coldStartPhases: ColdStartPhases;
  /** From the last request's answer to the last pod gone; null if pods remain. */
  timeToZeroMs: number | null;
  atEnd: EndState;
  /** Pods that exist at the end, and how many of them are terminating. */
  podsAtEnd: number;
  terminatingAtEnd: number;
  maxPods: number;
  meanPods: number;
  /** Sum over sampled seconds of the pods that existed (starting + ready + terminating). */
  podSeconds: number;
  panicSeconds: number;
  activatorInPathSeconds: number;
}

export interface RevisionResults extends Figures {
  revision: string;
  service: string;
  /** The revision's min-scale annotation, when it has one. */
  minScale: number | null;
  coldStartList: ColdStart[];
  scaleToZero: ScaleToZero[];
}

export interface ServiceResults extends Figures {
  /** The Knative Service (else the Configuration) the revisions belong to. */
  service: string;
  revisions: RevisionResults[];
}

export interface RunResults extends Figures {
  /** Time the results cover (the last sample or answer). */
  durationMs: number;
  /** Requests no route matched (the ingress's 404): they count in the run's figures only. */
  unrouted: number;
  services: ServiceResults[];
}

/**
 * Per-second pod figures of one scope; samples of one second come together, one per revision.
 * A quiet revision may stand instead of sampling (see `ResultsCollector.stand`): its last sample
 * (no pods, no panic) counts again every second, so a second with standing revisions counts
 * even when nothing sampled it, and its activator flag is theirs too. Those seconds are counted
 * in bulk (`fillTo`) before the standing ones change and when read.
 */
class SecondFold {
  private cur = Number.NaN;
  private pods = 0;
  private panic = false;
  private activator = false;
  /** The last second counted (the open one included); -1 before any. */
  private counted = -1;
  /** Revisions standing, and how many of them have the activator in the path. */
  private standing = 0;
  private standingActivator = 0;
  seconds = 0;
  podSum = 0;
  maxPods = 0;
  panicSeconds = 0;
  activatorSeconds = 0;

  add(second: number, pods: number, panic: boolean, activator: boolean): void {
    if (second !== this.cur) {
      this.flush();
      this.fillTo(second - 1);
      this.cur = second;
      this.counted = second;
    }
    this.pods += pods;
    if (panic) this.panic = true;
    if (activator) this.activator = true;
  }

  /** Counts the seconds up to `to` that only standing revisions sampled (closing the open one). */
  fillTo(to: number): void {
    if (to <= this.counted) return;
    this.flush();
    if (this.standing > 0) {
      const n = to - this.counted;
      this.seconds += n;
      if (this.standingActivator > 0) this.activatorSeconds += n;
    }
    this.counted = to;
  }

  /** A revision stands from the second after the last counted (`fillTo` that one first). */
  stand(activator: boolean): void {
    this.standing++;
    if (activator) this.standingActivator++;
  }

  /** It stood through the last counted second (`fillTo` that one first). */
  sit(activator: boolean): void {
    this.standing--;
    if (activator) this.standingActivator--;
  }

  private flush(): void {
    if (Number.isNaN(this.cur)) return;
    this.seconds++;
    this.podSum += this.pods;
    if (this.pods > this.maxPods) this.maxPods = this.pods;
    if (this.panic) this.panicSeconds++;
    if (this.activator || this.standingActivator > 0) this.activatorSeconds++;
    this.cur = Number.NaN;
    this.pods = 0;
    this.panic = false;
    this.activator = false;
  }

  /** The figures so far (the second being folded counts as complete; nothing is reset). */
  read(): Pick<Figures, 'maxPods' | 'meanPods' | 'podSeconds' | 'panicSeconds' | 'activatorInPathSeconds'> {
    const open = !Number.isNaN(this.cur);
    const seconds = this.seconds + (open ? 1 : 0);
    const podSum = this.podSum + (open ? this.pods : 0);
    const activator = open && (this.activator || this.standingActivator > 0);
    return {
      maxPods: open ? Math.max(this.maxPods, this.pods) : this.maxPods,
      meanPods: seconds === 0 ? 0 : podSum / seconds,
      podSeconds: podSum,
      panicSeconds: this.panicSeconds + (open && this.panic ? 1 : 0),
      activatorInPathSeconds: this.activatorSeconds + (activator ? 1 : 0),
    };
  }
}

/** What a request's status says about it, as logs write it: 2xx/3xx ok, 503, 504, another status, or no answer (0). */
export function requestOutcome(status: number): RequestOutcome {
  if (status === 0) return 'unanswered';
  if (status >= 200 && status < 400) return 'ok';
  if (status === 503) return '503';
  if (status === 504) return '504';
  return 'error';
}

/**
 * A request that ended, as `ResultsCollector.ended` reads it (during the call only). Its times are
 * fields, not arguments: a time passed to a function the compiler did not inline is boxed, one
 * object per number per call, and this runs for every request.
 */
export interface EndedRequest {
  /** The HTTP status, 0 when there was no answer. */
  readonly status: number;
  readonly latencyMs: number;
  readonly cold: boolean;
  /** When it ended. */
  readonly endedAt: number;
  /** Undefined when no route matched. */
  readonly revision: string | undefined;
  /** When the app started on it (known in the simulator), for the cold-start phases; 0 if it never did. */
  readonly startedAt: number;
  /** Its revision's slot (see `RevisionSlot`), if its producer keeps one; undefined when no route matched. */
  readonly slot: RevisionSlot | undefined;
}

/**
 * A place the producer of requests keeps for one revision (the simulator: one a revision
 * runtime) and hands with each of that revision's requests: the first collector to see it keeps
 * there its own figures of the revision, so that the next requests reach them without a lookup
 * by name (two a request: its arrival and its end). A slot goes with one revision name, the
 * `revision` of every request that carries it.
 */
export class RevisionSlot {
  /** The collector whose figures `state` is (undefined until one takes the slot). */
  owner: object | undefined = undefined;
  state: unknown = undefined;
}

/**
 * Request counters and latency of one scope. Each answered latency goes into one histogram, warm
 * or cold (a per-request path): a scope's latency over all its answers is the two merged when it
 * is read, with the sum of the latencies kept as they came, so the mean is what one histogram of
 * them all would give, to the bit.
 */
class RequestFold {
  readonly warm = new LatencyHistogram();
  readonly cold = new LatencyHistogram();
  /** The answered latencies summed in the order they came (a histogram's `sum`, NaN as 0). */
  latencySum = 0;

  arrived = 0;
  ended = 0;
  answered = 0;
  status4xx = 0;
  status503 = 0;
  status504 = 0;
  status5xx = 0;
  noAnswer = 0;
  /**
   * When the last request ended, −1 before the first: a number field (a field that may hold null
   * keeps each new time in an object of its own, two per request).
   */
  private lastEndedAt = -1;

  /** When the last request ended (answered or not), or null before the first. */
  get lastAnswerAt(): number | null {
    return this.lastEndedAt >= 0 ? this.lastEndedAt : null;
  }

  /**
   * `latencies` false: the counters and the latency sum only (the run's latencies are in its
   * revisions' histograms).
   */
  add(e: EndedRequest, latencies: boolean): void {
    this.ended++;
    const status = e.status;
    if (status >= 200 && status < 400) {
      this.answered++;
      const latencyMs = e.latencyMs;
      // biome-ignore lint/complexity/useMathMinMax: a NaN latency must count as 0 (as LatencyHistogram.add)
      this.latencySum += latencyMs > 0 ? latencyMs : 0;
      if (latencies) {
        if (e.cold) this.cold.add(latencyMs);
        else this.warm.add(latencyMs);
      }
    } else this.countError(status);
    this.lastEndedAt = e.endedAt;
  }

  /** A request that ended without a 2xx/3xx answer, by its status (0: no answer). */
  private countError(status: number): void {
    if (status === 503) this.status503++;
    else if (status === 504) this.status504++;
    else if (status >= 500) this.status5xx++;
    else if (status >= 400) this.status4xx++;
    else this.noAnswer++;
  }

  /**
   * `add(e, true)` here and `run.add(e, false)` in one pass (a routed request: its revision's
   * fold, and the run's counters): the same fields change by the same amounts, in the same order
   * for each fold's latency sum, with one status test and one call instead of two.
   */
  addWithRun(e: EndedRequest, run: RequestFold): void {
    this.ended++;
    run.ended++;
    const status = e.status;
    if (status >= 200 && status < 400) {
      this.answered++;
      run.answered++;
      const latencyMs = e.latencyMs;
      // biome-ignore lint/complexity/useMathMinMax: a NaN latency must count as 0 (as LatencyHistogram.add)
      const counted = latencyMs > 0 ? latencyMs : 0;
      this.latencySum += counted;
      run.latencySum += counted;
      // One call site for the two histograms: one inlined copy of `add`, not two.
      (e.cold ? this.cold : this.warm).addLatencyOf(e);
    } else {
      this.countError(status);
      run.countError(status);
    }
    const at = e.endedAt;
    this.lastEndedAt = at;
    run.lastEndedAt = at;
  }

  merge(other: RequestFold): void {
    this.latencySum += other.latencySum;
    this.warm.merge(other.warm);
    this.cold.merge(other.cold);
    this.arrived += other.arrived;
    this.ended += other.ended;
    this.answered += other.answered;
    this.status4xx += other.status4xx;
    this.status503 += other.status503;
    this.status504 += other.status504;
    this.status5xx += other.status5xx;
    this.noAnswer += other.noAnswer;
    if (other.lastEndedAt >= 0 && (this.lastEndedAt < 0 || other.lastEndedAt > this.lastEndedAt))
      this.lastEndedAt = other.lastEndedAt;
  }

  /** Every answered latency: warm and cold merged, with the sum as the answers came. */
  all(): LatencyHistogram {
    const all = new LatencyHistogram();
    all.merge(this.warm);
    all.merge(this.cold);
    all.sum = this.latencySum;
    return all;
  }

  /**
   * Counters as results; once the run is over, requests still waiting count as unanswered. `all`:
   * the scope's latency histogram when it is not this fold's own (the run's).
   */
  read(
    finished: boolean,
    all: LatencyHistogram = this.all(),
  ): Pick<
    Figures,
    | 'requests'
    | 'answered'
    | 'errors'
    | 'status4xx'
    | 'status503'
    | 'status504'
    | 'status5xx'
    | 'noAnswer'
    | 'otherErrors'
    | 'latency'
    | 'warmLatency'
    | 'coldRequests'
    | 'coldLatency'
  > {
    const waiting = finished ? Math.max(0, this.arrived - this.ended) : 0;
    const requests = this.ended + waiting;
    const noAnswer = this.noAnswer + waiting;
    return {
      requests,
      answered: this.answered,
      errors: requests - this.answered,
      status4xx: this.status4xx,
      status503: this.status503,
      status504: this.status504,
      status5xx: this.status5xx,
      noAnswer,
      otherErrors: this.status4xx + this.status5xx + noAnswer,
      latency: all.summary(),
      warmLatency: this.warm.summary(),
      coldRequests: this.cold.count,
      coldLatency: this.cold.summary(),
    };
  }
}

/** A cold start being watched: pod phase times of its pods until the first answer. */
interface OpenColdStart {
  at: number;
  triggeredAt: number | null;
  pods: Map<string, Partial<Record<PodPhase | 'pullMs', number>>>;
  readyPod: string | null;
  readyAt: number | null;
}

/** Everything kept per revision. */
class RevisionState {
  readonly requests = new RequestFold();
  readonly seconds = new SecondFold();
  readonly pods = new Map<string, PodPhase>();
  /** Pods that exist and are not terminating. */
  active = 0;
  /** It has been deployed: it had a Ready pod, or its Revision was Ready. */
  deployed = false;
  firstReadyAt: number | null = null;
  /** When the pods left were all terminating (null while some are not, or none exist). */
  drainingAt: number | null = null;
  open: OpenColdStart | undefined;
  readonly coldStarts: ColdStart[] = [];
  coldStartCount = 0;
  readonly scaleToZero: ScaleToZero[] = [];
  minScale: number | null = null;
  /** It stands (its last sample counts every second: see `ResultsCollector.stand`), with that sample's activator flag. */
  standing = false;
  standingActivator = false;

  constructor(
    readonly name: string,
    readonly service: string,
  ) {}
}

/** Cold starts kept in detail per revision (the count goes on). */
const MAX_COLD_START_DETAILS = 1000;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length / 2) - 1]!;
}

/** The median of each phase over some cold starts. */
export function medianPhases(list: readonly ColdStart[]): ColdStartPhases {
  const out = {} as ColdStartPhases;
  for (const p of COLD_START_PHASES) {
    out[p] = median(list.map((c) => c.phases[p]).filter((v): v is number => v !== null));
  }
  return out;
}

const span = (from: number | null | undefined, to: number | null | undefined): number | null =>
  from !== null && from !== undefined && to !== null && to !== undefined && to >= from ? to - from : null;

/**
 * The service a revision belongs to when no Revision object said (Knative's `<config>-00001`
 * names; `team-a/web-00001` belongs to `team-a/web`).
 */
function serviceFromName(revision: string): string {
  return revision.replace(/-\d{5,}$/, '');
}

export class ResultsCollector {
  /**
   * The run's own request figures (requests no route matched included); its histograms hold only
   * the latencies of answers without a revision (the rest are its revisions').
   */
  private readonly run = new RequestFold();
  /** What `request` hands to `ended`. */
  private readonly scratch: { -readonly [K in keyof EndedRequest]: EndedRequest[K] } = {
    status: 0,
    latencyMs: 0,
    cold: false,
    endedAt: 0,
    revision: undefined,
    startedAt: 0,
    slot: undefined,
  };
  /** The run's latency histogram as last merged (`runLatency`), and at how many answers. */
  private runAll: LatencyHistogram | undefined;
  private runAllAnswered = -1;
  /** The revision the last lookup found: most requests in a row go to the same one. */
  private lastRevision: RevisionState | undefined;
  private readonly runSeconds = new SecondFold();
  private readonly serviceSeconds = new Map<string, SecondFold>();
  private readonly revisions = new Map<string, RevisionState>();
  /** Revision → service, from Revision objects' labels. */
  private readonly serviceOf = new Map<string, string>();
  private readonly minScaleOf = new Map<string, number>();
  private unrouted = 0;
  private finished = false;
  /** Pods alive now, across revisions, and when that last became 0. */
  private alivePods = 0;
  private zeroAt: number | null = null;
  private sawPods = false;
  private lastT = 0;
  /** The second of the cluster's last per-second tick (see `tick`), and the revisions standing. */
  private lastTick = -1;
  private readonly standingRevisions = new Set<RevisionState>();

  /**
   * `namespace`: the run's own (the log header's). Revisions and services elsewhere are named
   * `namespace/name`, as the log names them, so same-named ones in two namespaces stay apart.
   */
  constructor(private readonly namespace = 'default') {}

  /**
   * A request entered the ingress (its answer, if any, comes through `request`). `slot`: its
   * revision's (see `RevisionSlot`), if the producer keeps one.
   */
  arrived(revision: string | undefined, slot?: RevisionSlot): void {
    this.run.arrived++;
    if (revision === undefined) return;
    const r =
      slot !== undefined && slot.owner === this ? (slot.state as RevisionState) : this.slotState(revision, slot);
    r.requests.arrived++;
  }

  /** The revision's state, by name; a slot nobody took yet is taken for it. */
  private slotState(revision: string, slot: RevisionSlot | undefined): RevisionState {
    const r = this.revisionState(revision);
    if (slot !== undefined && slot.owner === undefined) {
      slot.owner = this;
      slot.state = r;
    }
    return r;
  }

  /**
   * A request ended: `status` 0 when there was no HTTP answer. `servedAt` is when the app
   * started on it (known in the simulator), for the cold-start phases.
   */
  request(status: number, latencyMs: number, cold: boolean, at: number, revision?: string, servedAt?: number): void {
    const e = this.scratch;
    e.status = status;
    e.latencyMs = latencyMs;
    e.cold = cold;
    e.endedAt = at;
    e.revision = revision;
    e.startedAt = servedAt ?? 0;
    this.ended(e);
  }

  /** `request` with its figures in the fields of `e` (the simulator's per-request call). */
  ended(e: EndedRequest): void {
    const revision = e.revision;
    const at = e.endedAt;
    if (at > this.lastT) this.lastT = at;
    if (revision === undefined) {
      this.run.add(e, true);
      if (e.status === 404) this.unrouted++;
      return;
    }
    const slot = e.slot;
    const r =
      slot !== undefined && slot.owner === this ? (slot.state as RevisionState) : this.slotState(revision, slot);
    r.requests.addWithRun(e, this.run);
    if (e.cold && e.status >= 200 && e.status < 400 && r.open) {
      this.coldAnswer(r, at, e.latencyMs, e.startedAt > 0 ? e.startedAt : undefined);
    }
  }

  /** Requests sent so far (requests no route matched included). */
  get sent(): number {
    return this.run.arrived;
  }

  /** Requests sent and not answered yet. */
  get waiting(): number {
    return this.run.arrived - this.run.ended;
  }

  /** The run is over: requests still waiting count as unanswered; open cold starts are closed. */
  finish(): void {
    this.finished = true;
  }

  /**
   * A result by the name expectations use (`requests`, `answered`, `unanswered`, `503`, `504`, `errors`,
   * `cold-starts`, `p50`, `p95`, `p99`, `max-pods`), read from the running counters: runs check
   * expectations every 100 ms, so nothing else is computed. Undefined for another name. With
   * `revision` (its name as the log gives it), that revision's figure: nothing yet is 0 (no
   * latency yet: NaN).
   */
  metric(name: string, revision?: string): number | undefined {
    if (revision !== undefined) return this.revisionMetric(name, revision);
    const run = this.run;
    switch (name) {
      case 'requests':
        return run.ended;
      case 'answered':
        return run.answered;
      case '503':
        return run.status503;
      case '504':
        return run.status504;
      case 'errors':
        return run.ended - run.answered + (this.finished ? Math.max(0, run.arrived - run.ended) : 0);
      case 'unanswered':
        return run.noAnswer + (this.finished ? Math.max(0, run.arrived - run.ended) : 0);
      case 'cold-starts': {
        let n = 0;
        for (const r of this.revisions.values()) n += r.coldStartCount;
        return n;
      }
      case 'p50':
        return this.runLatency().quantile(0.5);
      case 'p95':
        return this.runLatency().quantile(0.95);
      case 'p99':
        return this.runLatency().quantile(0.99);
      case 'max-pods':
        return this.runSeconds.read().maxPods;
      default:
        return undefined;
    }
  }

  /** `metric(name, revision)`: the same figures, of one revision's requests and pods. */
  private revisionMetric(name: string, revision: string): number | undefined {
    const r = this.revisions.get(revision);
    const f = r?.requests;
    const waiting = f && this.finished ? Math.max(0, f.arrived - f.ended) : 0;
    switch (name) {
      case 'requests':
        return f?.ended ?? 0;
      case 'answered':
        return f?.answered ?? 0;
      case '503':
        return f?.status503 ?? 0;
      case '504':
        return f?.status504 ?? 0;
      case 'errors':
        return f ? f.ended - f.answered + waiting : 0;
      case 'unanswered':
        return (f?.noAnswer ?? 0) + waiting;
      case 'cold-starts':
        return r?.coldStartCount ?? 0;
      case 'p50':
        return f ? f.all().quantile(0.5) : Number.NaN;
      case 'p95':
        return f ? f.all().quantile(0.95) : Number.NaN;
      case 'p99':
        return f ? f.all().quantile(0.99) : Number.NaN;
      case 'max-pods':
        return r ? r.seconds.read().maxPods : 0;
      default:
        return undefined;
    }
  }

  /**
   * Every answered latency of the run: its revisions' histograms and its own merged, with the run's
   * sum; merged again only after new answers (expectations may read a quantile every 100 ms).
   */
  private runLatency(): LatencyHistogram {
    const run = this.run;
    if (this.runAll !== undefined && this.runAllAnswered === run.answered) return this.runAll;
    const all = new LatencyHistogram();
    all.merge(run.warm);
    all.merge(run.cold);
    for (const r of this.revisions.values()) {
      all.merge(r.requests.warm);
      all.merge(r.requests.cold);
    }
    all.sum = run.latencySum;
    this.runAll = all;
    this.runAllAnswered = run.answered;
    return all;
  }

  /** Folds a run's log as it is written: both backends feed results this way (and through `arrived`/`request`). */
  follow(log: {
    subscribe(listener: (line: LogLine) => void, types?: readonly string[], standing?: ResultsCollector): unknown;
  }): void {
    log.subscribe((line) => this.observe(line), ResultsCollector.OBSERVED, this);
  }

  /** The event types `observe` folds (a producer may leave the others unbuilt). */
  static readonly OBSERVED = ['sample', 'pod', 'object'] as const;

  /** Folds the events results need: samples, pod phases and Revision objects. */
  observe(line: LogLine): void {
    switch (line.type) {
      case 'sample':
        this.sample(line);
        break;
      case 'pod':
        this.pod(line.t, line.pod, line.revision, line.phase, line.pullMs);
        break;
      case 'object':
        if (line.kind === 'Revision') this.revisionObject(line);
        break;
    }
  }

  /** Folds a log read back from a file: request events feed `arrived` and `request`. */
  observeLogged(e: LogEvent): void {
    if (e.type === 'request') {
      if (e.phase === 'arrived') this.arrived(e.revision);
      else if (e.phase === 'done') this.request(e.status ?? 0, e.latencyMs ?? 0, e.cold === true, e.t, e.revision);
      return;
    }
    if (e.type === 'end') this.finish();
    if (e.t > this.lastT) this.lastT = e.t;
    this.observe(e);
  }

  private revisionState(name: string): RevisionState {
    const last = this.lastRevision;
    if (last !== undefined && last.name === name) return last;
    let r = this.revisions.get(name);
    if (!r) {
      r = new RevisionState(name, this.serviceOf.get(name) ?? serviceFromName(name));
      r.minScale = this.minScaleOf.get(name) ?? null;
      this.revisions.set(name, r);
    }
    this.lastRevision = r;
    return r;
  }

  private revisionObject(e: ObjectEvent): void {
    const meta = e.object.metadata;
    const labels = meta.labels ?? {};
    const name = namespacedName(e.namespace, e.name, this.namespace);
    const service = labels[LABEL_SERVICE] ?? labels[LABEL_CONFIGURATION];
    if (service && !this.revisions.has(name))
      this.serviceOf.set(name, namespacedName(e.namespace, service, this.namespace));
    const minScale = annotationInt(meta.annotations ?? {}, 'minScale');
    if (minScale !== undefined) this.minScaleOf.set(name, minScale);
    const r = this.revisions.get(name);
    if (r && minScale !== undefined) r.minScale = minScale;
    const status = (e.object as { status?: { conditions?: Condition[] } }).status;
    if (e.op !== 'deleted' && getCondition(status?.conditions, 'Ready')?.status === 'True') {
      this.revisionState(name).deployed = true;
    }
  }

  private pod(t: number, pod: string, revision: string, phase: PodPhase, pullMs?: number): void {
    if (t > this.lastT) this.lastT = t;
    const r = this.revisionState(revision);
    const before = r.pods.get(pod);
    const wasActive = before !== undefined && before !== 'Terminating';
    const isActive = phase !== 'Gone' && phase !== 'Terminating';
    if (phase === 'Gone') {
      if (before !== undefined) {
        r.pods.delete(pod);
        this.alivePods--;
        if (this.alivePods === 0) this.zeroAt = t;
      }
    } else {
      if (before === undefined) {
        this.alivePods++;
        this.sawPods = true;
        this.zeroAt = null;
      }
      r.pods.set(pod, phase);
    }
    if (isActive && !wasActive) {
      if (r.active === 0 && r.deployed) this.openColdStart(r, t);
      r.active++;
    } else if (!isActive && wasActive) r.active--;
    // Phase times of the pods of an open cold start (the first to be Ready gives the phases).
    const open = r.open;
    if (open && phase !== 'Gone' && phase !== 'Terminating') {
      let times = open.pods.get(pod);
      if (!times && before === undefined) {
        times = {};
        open.pods.set(pod, times);
      }
      if (times && times[phase] === undefined) {
        times[phase] = t;
        if (pullMs !== undefined) times.pullMs = pullMs;
      }
      if (phase === 'Ready' && open.readyAt === null && times) {
        open.readyAt = t;
        open.readyPod = pod;
      }
    }
    if (phase === 'Ready') {
      r.deployed = true;
      if (r.firstReadyAt === null) r.firstReadyAt = t;
    }
    // Draining: every pod left is terminating.
    if (r.active === 0 && r.pods.size > 0) {
      if (r.drainingAt === null) r.drainingAt = t;
    } else if (r.active > 0) r.drainingAt = null;
    if (r.pods.size === 0 && before !== undefined && phase === 'Gone') {
      if (r.open) this.closeColdStart(r, null, null, undefined);
      const last = r.requests.lastAnswerAt;
      const idleFrom = last !== null && last <= t ? 'last request' : 'first ready pod';
      const idleSince = idleFrom === 'last request' ? last : r.firstReadyAt;
      // A revision none of whose pods was ever Ready and that answered nothing was never idle: its
      // pods going (a crash loop given up, a failed rollout) is no scale to zero to time.
      if (idleSince !== null)
        r.scaleToZero.push({ zeroAt: t, drainingAt: r.drainingAt ?? t, idleSince, idleFrom, afterMs: t - idleSince });
      r.drainingAt = null;
    }
  }

  private openColdStart(r: RevisionState, t: number): void {
    if (r.open) this.closeColdStart(r, null, null, undefined);
    r.coldStartCount++;
    r.open = { at: t, triggeredAt: null, pods: new Map(), readyPod: null, readyAt: null };
  }

  /** A held request answered while a cold start is open: its first such answer closes it. */
  private coldAnswer(r: RevisionState, at: number, latencyMs: number, servedAt: number | undefined): void {
    const open = r.open!;
    const arrivedAt = at - latencyMs;
    if (open.triggeredAt === null || arrivedAt < open.triggeredAt) open.triggeredAt = arrivedAt;
    if (open.readyAt !== null && at >= open.readyAt) this.closeColdStart(r, at, latencyMs, servedAt);
  }

  private closeColdStart(
    r: RevisionState,
    answeredAt: number | null,
    latencyMs: number | null,
    servedAt: number | undefined,
  ): void {
    const open = r.open!;
    r.open = undefined;
    if (r.coldStarts.length >= MAX_COLD_START_DETAILS) return;
    r.coldStarts.push(coldStartOf(r.name, open, answeredAt, latencyMs, servedAt));
  }

  /** Folds one revision's per-second sample; samples of the same second are summed across revisions. */
  sample(s: SampleEvent): void {
    const second = Math.round(s.t / 1000);
    const pods = s.ready + s.pending + s.terminating;
    const r = this.revisionState(s.revision);
    r.seconds.add(second, pods, s.panic, s.activatorInPath);
    this.serviceFold(r.service).add(second, pods, s.panic, s.activatorInPath);
    this.runSeconds.add(second, pods, s.panic, s.activatorInPath);
    if (s.t > this.lastT) this.lastT = s.t;
  }

  private serviceFold(service: string): SecondFold {
    let fold = this.serviceSeconds.get(service);
    if (!fold) {
      fold = new SecondFold();
      this.serviceSeconds.set(service, fold);
    }
    return fold;
  }

  // ---- standing samples: a quiet revision's sample, repeated every second without an event ----

  /**
   * The cluster's per-second tick at `t`, before its samples. A revision standing would have
   * sampled it with its standing sample; its time is the results' time as a sample's would be.
   */
  tick(t: number): void {
    this.lastTick = Math.round(t / 1000);
    if (this.standingRevisions.size > 0 && t > this.lastT) this.lastT = t;
  }

  /**
   * Sample `s` (just folded, of a revision with no pods and no panic) stands for that revision
   * from the next tick on: the cluster sends no more samples of it until `sit`, and every tick
   * counts as if `s` came again. Only a reader that takes a missing sample as `s` may let the
   * cluster do this (`EventLog.standingSamples`): the folds below are the same integers as the
   * samples would have given, so the results are identical.
   */
  stand(s: SampleEvent): void {
    const r = this.revisionState(s.revision);
    if (r.standing || s.ready + s.pending + s.terminating !== 0 || s.panic) return;
    const second = Math.round(s.t / 1000);
    for (const fold of this.foldsOf(r)) {
      fold.fillTo(second);
      fold.stand(s.activatorInPath);
    }
    r.standing = true;
    r.standingActivator = s.activatorInPath;
    this.standingRevisions.add(r);
  }

  /** The revision stood through the tick at `t` and samples again (or is gone). */
  sit(revision: string, t: number): void {
    const r = this.revisions.get(revision);
    if (!r?.standing) return;
    const second = Math.round(t / 1000);
    for (const fold of this.foldsOf(r)) {
      fold.fillTo(second);
      fold.sit(r.standingActivator);
    }
    r.standing = false;
    this.standingRevisions.delete(r);
  }

  private foldsOf(r: RevisionState): SecondFold[] {
    return [r.seconds, this.serviceFold(r.service), this.runSeconds];
  }

  /** Counts the ticks so far that standing revisions sampled (before the folds are read). */
  private countStanding(): void {
    for (const r of this.standingRevisions) for (const fold of this.foldsOf(r)) fold.fillTo(this.lastTick);
  }

  /** The results so far (nothing is reset). */
  results(): RunResults {
    this.countStanding();
    const finished = this.finished;
    const byService = new Map<string, RevisionState[]>();
    for (const r of this.revisions.values()) {
      const list = byService.get(r.service) ?? [];
      list.push(r);
      byService.set(r.service, list);
    }
    const services: ServiceResults[] = [];
    for (const [service, states] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
      states.sort((a, b) => a.name.localeCompare(b.name));
      const revisions = states.map((r) => this.revisionResults(r));
      const requests = new RequestFold();
      for (const r of states) requests.merge(r.requests);
      const coldStartList = revisions.flatMap((r) => r.coldStartList);
      const seconds = this.serviceSeconds.get(service)?.read() ?? new SecondFold().read();
      const pods = revisions.reduce((n, r) => n + r.podsAtEnd, 0);
      const terminating = revisions.reduce((n, r) => n + r.terminatingAtEnd, 0);
      services.push({
        service,
        ...requests.read(finished),
        coldStarts: revisions.reduce((n, r) => n + r.coldStarts, 0),
        coldStartPhases: medianPhases(coldStartList),
        timeToZeroMs: timeToZero(requests.lastAnswerAt, lastZero(revisions), pods, revisions.length > 0),
        atEnd: endState(pods, terminating),
        podsAtEnd: pods,
        terminatingAtEnd: terminating,
        ...seconds,
        revisions,
      });
    }
    const all = services.flatMap((s) => s.revisions);
    const warm = new LatencyHistogram();
    const cold = new LatencyHistogram();
    for (const r of this.revisions.values()) {
      warm.merge(r.requests.warm);
      cold.merge(r.requests.cold);
    }
    const pods = all.reduce((n, r) => n + r.podsAtEnd, 0);
    const terminating = all.reduce((n, r) => n + r.terminatingAtEnd, 0);
    const last = this.run.lastAnswerAt;
    let timeToZeroMs: number | null = null;
    if (last !== null && this.alivePods === 0) {
      timeToZeroMs = this.sawPods && this.zeroAt !== null ? Math.max(0, this.zeroAt - last) : 0;
    }
    return {
      durationMs: this.lastT,
      ...this.run.read(finished, this.runLatency()),
      // The run's warm and cold latency: its revisions' (requests no route matched are never answered).
      warmLatency: warm.summary(),
      coldRequests: cold.count,
      coldLatency: cold.summary(),
      coldStarts: all.reduce((n, r) => n + r.coldStarts, 0),
      coldStartPhases: medianPhases(all.flatMap((r) => r.coldStartList)),
      timeToZeroMs,
      atEnd: endState(pods, terminating),
      podsAtEnd: pods,
      terminatingAtEnd: terminating,
      ...this.runSeconds.read(),
      unrouted: this.unrouted,
      services,
    };
  }

  private revisionResults(r: RevisionState): RevisionResults {
    let terminating = 0;
    for (const p of r.pods.values()) if (p === 'Terminating') terminating++;
    const list = r.open ? [...r.coldStarts, coldStartOf(r.name, r.open, null, null, undefined)] : r.coldStarts;
    const zero = r.scaleToZero.at(-1);
    return {
      revision: r.name,
      service: r.service,
      ...r.requests.read(this.finished),
      coldStarts: r.coldStartCount,
      coldStartPhases: medianPhases(list),
      timeToZeroMs: r.pods.size === 0 && zero ? zero.afterMs : null,
      atEnd: endState(r.pods.size, terminating),
      podsAtEnd: r.pods.size,
      terminatingAtEnd: terminating,
      ...r.seconds.read(),
      minScale: r.minScale,
      coldStartList: list,
      scaleToZero: r.scaleToZero,
    };
  }
}

function coldStartOf(
  revision: string,
  open: OpenColdStart,
  answeredAt: number | null,
  latencyMs: number | null,
  servedAt: number | undefined,
): ColdStart {
  const times = open.readyPod ? open.pods.get(open.readyPod) : undefined;
  const pendingAt = times?.Pending ?? (open.readyPod ? null : open.at);
  return {
    revision,
    at: open.at,
    triggeredAt: open.triggeredAt,
    pod: open.readyPod,
    readyAt: open.readyAt,
    answeredAt,
    firstLatencyMs: latencyMs,
    phases: {
      scaleUp: span(open.triggeredAt, open.at),
      schedule: span(pendingAt, times?.ContainerCreating),
      pull: times?.pullMs ?? null,
      create: minus(span(times?.ContainerCreating, times?.Running), times?.pullMs),
      readiness: span(times?.Running, open.readyAt),
      activator: servedAt !== undefined ? span(open.readyAt, servedAt) : null,
      toAnswer: span(open.readyAt, answeredAt),
    },
  };
}

function minus(a: number | null, b: number | undefined): number | null {
  return a === null || b === undefined ? a : Math.max(0, a - b);
}

function endState(pods: number, terminating: number): EndState {
  return pods === 0 ? 'zero' : pods === terminating ? 'draining' : 'up';
}

/** The last time any of these revisions went to zero, if they are all at zero now. */
function lastZero(revisions: readonly RevisionResults[]): number | null {
  let at: number | null = null;
  for (const r of revisions) {
    if (r.podsAtEnd > 0) return null;
    const z = r.scaleToZero.at(-1);
    if (z && (at === null || z.zeroAt > at)) at = z.zeroAt;
  }
  return at;
}

function timeToZero(lastAnswer: number | null, zeroAt: number | null, podsNow: number, any: boolean): number | null {
  if (lastAnswer === null || podsNow > 0 || !any) return null;
  return zeroAt === null ? 0 : Math.max(0, zeroAt - lastAnswer);
}

/** The results as JSON text: NaN (no data) becomes null, ms figures rounded to 0.001. */
export function resultsToJSON(results: RunResults, indent = 2): string {
  return JSON.stringify(
    results,
    (_key, value) => {
      if (typeof value !== 'number') return value;
      if (!Number.isFinite(value)) return null;
      return Number.isInteger(value) ? value : Math.round(value * 1000) / 1000;
    },
    indent,
  );
}

/** Folds a whole event log (as read back from a file) into results. */
export function resultsOfLog(events: Iterable<LogEvent>, namespace = 'default'): RunResults {
  const c = new ResultsCollector(namespace);
  for (const e of events) c.observeLogged(e);
  c.finish();
  return c.results();
}

export { CSV_COLUMNS, csvHeader, csvRow, csvWriter, formatResults } from './text.js';
