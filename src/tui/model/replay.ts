/**
 * The replay index: a run's event log read once, so that any moment can be shown at once.
 *
 * A moment is a *position*: the number of events (sorted by time, ties in log order) applied so
 * far, plus the time shown. Everything the screens need is a lookup by position:
 * - API objects: a snapshot of every object every `snapshotEvery` object events (or every as many
 *   events as there are objects, whichever is more, so snapshots take memory in proportion to
 *   the log, not to log × objects); the objects at
 *   position p are the nearest snapshot before p plus the few object events after it;
 * - per-second samples, autoscaler ticks, narration lines, decisions: arrays sorted by position,
 *   found by binary search;
 * - finished requests: running totals per position, latencies in arrival order (percentiles are
 *   exact for small runs, from a histogram checkpoint for large ones).
 * Seeking never re-simulates.
 */
import type { KubeObject } from '../../model/api/types.js';
import type { KpaTickEvent, LogEvent, LogHeader, ObjectEvent, RequestEvent, SampleEvent } from '../../model/events.js';
import {
  burstTail,
  type Narration,
  type NarrationContext,
  narrateEvent,
  narrateObjectChange,
} from '../../model/narrate/events.js';
import { SIM_EPOCH_MS } from '../../model/rules/time.js';
import { lowerBound, upperBound } from './search.js';

export interface ReplayOptions {
  /** Object events between two object-state snapshots, at least (default 512). */
  readonly snapshotEvery?: number;
  /** Finished requests between two latency-histogram checkpoints (default 4096). */
  readonly histogramEvery?: number;
}

export interface NarrationEntry extends Narration {
  /** The position after the event that caused it (the event is at pos - 1). */
  readonly pos: number;
  readonly t: number;
}

/** Requests finished up to a moment. */
export interface RequestStats {
  readonly answered: number;
  readonly ok: number;
  readonly status503: number;
  readonly status504: number;
  readonly errors: number;
  readonly cold: number;
  readonly coldMaxMs: number | undefined;
  /** Latency percentiles over every finished request; undefined without any. */
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  readonly maxMs: number | undefined;
  /** True when the percentiles come from a histogram (within about 1 %). */
  readonly approximate: boolean;
  /** Request arrivals counted from per-second samples (all revisions). */
  readonly arrivalsFromSamples: number;
  /** Request `arrived` events in the log: fewer than the samples count when the log samples them. */
  readonly arrivalsLogged: number;
}

interface PerRevision {
  readonly samplePos: number[];
  readonly samples: SampleEvent[];
  readonly tickPos: number[];
  readonly ticks: KpaTickEvent[];
}

/** Latency histogram buckets: ~1 % wide, from 0.1 ms to hours. */
const BUCKET_BASE = Math.log(1.01);
const BUCKETS = 2400;
function bucketOf(ms: number): number {
  if (ms <= 0.1) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / 0.1) / BUCKET_BASE));
}
function bucketValue(b: number): number {
  return 0.1 * Math.exp(b * BUCKET_BASE);
}

function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** A decision worth stopping at: a scale, a panic change, or a tick whose outcome changed. */
function tickOutcome(e: KpaTickEvent): string {
  const d = e.decision as { desiredPodCount?: unknown; panicking?: unknown; valid?: unknown };
  const s = e.scale as { gate?: unknown; want?: unknown } | undefined;
  return JSON.stringify([d.desiredPodCount, d.panicking, d.valid, s?.gate, s?.want]);
}

/** Lines of one burst kind and revision within this window after the first are counted, not told. */
export const BURST_WINDOW_MS = 10_000;

interface Burst {
  t: number;
  /** The first line's own text, before the count was added. */
  base: string;
  /** The narration entry that tells the burst. */
  entry: NarrationEntry;
  more: number;
}

export class ReplayIndex {
  readonly header: LogHeader;
  /** Offset added to run time to get the model's simulated clock (for AGE columns). */
  readonly epochOffsetMs: number;

  private readonly all: LogEvent[] = [];
  private readonly times: number[] = [];
  private readonly revisionList: string[] = [];
  private readonly seenRevision = new Set<string>();
  private readonly story: NarrationEntry[] = [];
  private readonly objectPos: number[] = [];
  private readonly snapshots: Map<string, KubeObject>[] = [];
  /** The object events applied in each snapshot. */
  private readonly snapshotAt: number[] = [];
  private readonly snapshotEvery: number;
  private readonly perRevision = new Map<string, PerRevision>();
  private readonly stepPos: number[] = [];
  private readonly decisionPos: number[] = [];
  private readonly narrationPos: number[] = [];
  // finished requests
  private readonly donePos: number[] = [];
  private readonly doneLatency: number[] = [];
  /** Running totals after each finished request: ok, 503, 504, other errors, cold starts. */
  private readonly doneTotals: [number[], number[], number[], number[], number[]] = [[], [], [], [], []];
  private readonly coldMax: number[] = [];
  private readonly histogramEvery: number;
  private readonly histograms: Uint32Array[] = [];
  private readonly arrivedPos: number[] = [];
  private readonly samplePosAll: number[] = [];
  private readonly sampleArrivals: number[] = [];
  private readonly timesCache = new Map<string, number[]>();
  private cache: { pos: number; objects: Map<string, KubeObject>; applied: number } | undefined;
  // state while reading
  private readonly live = new Map<string, KubeObject>();
  private readonly sksMode = new Map<string, string>();
  private readonly lastOutcome = new Map<string, string>();
  private readonly bursts = new Map<string, Burst>();
  private readonly totals = [0, 0, 0, 0, 0];
  private coldMaxSoFar = 0;
  private histogram = new Uint32Array(BUCKETS);
  private podEvents = false;

  constructor(header: LogHeader, events: readonly LogEvent[], options: ReplayOptions = {}) {
    this.header = header;
    this.snapshotEvery = Math.max(1, options.snapshotEvery ?? 512);
    this.histogramEvery = Math.max(1, options.histogramEvery ?? 4096);
    const epoch = Date.parse(header.epoch);
    this.epochOffsetMs = Number.isFinite(epoch) ? epoch - SIM_EPOCH_MS : 0;
    const sorted = events.map((e, i) => [e, i] as const);
    sorted.sort((a, b) => a[0].t - b[0].t || a[1] - b[1]);
    this.append(sorted.map(([e]) => e));
  }

  /** Every event, sorted by time (stable: equal times keep log order). */
  get events(): readonly LogEvent[] {
    return this.all;
  }

  /** The time of the last event. */
  get endT(): number {
    return this.times.at(-1) ?? 0;
  }

  /** Revisions in order of first appearance. */
  get revisions(): readonly string[] {
    return this.revisionList;
  }

  /** Narration lines in position order. */
  get narration(): readonly NarrationEntry[] {
    return this.story;
  }

  /**
   * Reads more events, as a log that is still being written (a live run) grows. They must not
   * be older than the last event read; an older one is an error (re-index the whole log).
   */
  append(events: readonly LogEvent[]): void {
    const end = this.endT;
    let last = this.all.length > 0 ? end : Number.NEGATIVE_INFINITY;
    for (const e of events) {
      if (e.t < last) throw new Error(`event at ${e.t} ms is older than the last one read (${last} ms)`);
      last = e.t;
    }
    if (!this.podEvents) this.podEvents = events.some((e) => e.type === 'pod');
    for (const e of events) this.ingest(e);
  }

  /** Whether the event at position `pos` is a panic change or scale of this tick's revision at its moment. */
  private causedBy(pos: number, tick: KpaTickEvent): boolean {
    const e = this.all[pos - 1];
    return (e?.type === 'panic' || e?.type === 'scale') && e.revision === tick.revision && e.t === tick.t;
  }

  private addRevision(r: string | undefined): void {
    if (r !== undefined && !this.seenRevision.has(r)) {
      this.seenRevision.add(r);
      this.revisionList.push(r);
    }
  }

  private revisionData(revision: string): PerRevision {
    let r = this.perRevision.get(revision);
    if (!r) {
      r = { samplePos: [], samples: [], tickPos: [], ticks: [] };
      this.perRevision.set(revision, r);
    }
    this.addRevision(revision);
    return r;
  }

  private contextFor(revision: string | undefined): NarrationContext {
    if (revision === undefined) return {};
    const rev = this.perRevision.get(revision);
    const tick = rev?.ticks.at(-1)?.decision as
      | { panicWindowMs?: number; panicThreshold?: number; panicking?: boolean }
      | undefined;
    const sample = rev?.samples.at(-1);
    const mode = this.sksMode.get(revision);
    return {
      ...(tick?.panicWindowMs !== undefined ? { panicWindowMs: tick.panicWindowMs } : {}),
      ...(tick?.panicThreshold !== undefined ? { panicThreshold: tick.panicThreshold } : {}),
      ...(typeof tick?.panicking === 'boolean' ? { panicking: tick.panicking } : {}),
      ...(sample ? { readyPods: sample.ready } : {}),
      ...(mode ? { sksMode: mode } : {}),
    };
  }

  private ingest(e: LogEvent): void {
    this.all.push(e);
    this.times.push(e.t);
    const pos = this.all.length;
    if (e.type !== 'sample') this.stepPos.push(pos);
    let told: readonly Narration[] = [];
    switch (e.type) {
      case 'object': {
        if (e.kind === 'Revision') this.addRevision(e.name);
        const prev = this.live.get(objectKey(e.kind, e.namespace, e.name));
        if (e.kind !== 'Pod' || !this.podEvents) {
          told = narrateObjectChange(prev, e, this.contextFor(e.kind === 'Service' ? undefined : e.name));
        }
        if (e.kind === 'ServerlessService' && e.op !== 'deleted') {
          const mode = (e.object.spec as { mode?: string } | undefined)?.mode;
          if (mode) this.sksMode.set(e.name, mode);
        }
        this.applyObject(this.live, e);
        this.objectPos.push(pos);
        const since = this.objectPos.length - (this.snapshotAt.at(-1) ?? 0);
        if (since >= Math.max(this.snapshotEvery, this.live.size)) {
          this.snapshots.push(new Map(this.live));
          this.snapshotAt.push(this.objectPos.length);
        }
        break;
      }
      case 'sample': {
        const r = this.revisionData(e.revision);
        r.samplePos.push(pos);
        r.samples.push(e);
        this.timesCache.delete(e.revision);
        this.samplePosAll.push(pos);
        this.sampleArrivals.push((this.sampleArrivals.at(-1) ?? 0) + e.rps);
        break;
      }
      case 'kpa.tick': {
        const r = this.revisionData(e.revision);
        r.tickPos.push(pos);
        r.ticks.push(e);
        const outcome = tickOutcome(e);
        // A tick is logged after what it caused (its panic change and scale, same moment): the
        // decision is the tick, so `d` stops where the explanation is, with its effects applied.
        let caused = false;
        while (this.decisionPos.length > 0 && this.causedBy(this.decisionPos.at(-1)!, e)) {
          this.decisionPos.pop();
          caused = true;
        }
        if (caused || this.lastOutcome.get(e.revision) !== outcome) {
          this.lastOutcome.set(e.revision, outcome);
          this.decisionPos.push(pos);
        }
        break;
      }
      case 'scale':
      case 'panic':
        this.addRevision(e.revision);
        told = narrateEvent(e, this.contextFor(e.revision));
        if (this.decisionPos.at(-1) !== pos) this.decisionPos.push(pos);
        break;
      case 'sks':
        told = narrateEvent(e, this.contextFor(e.revision));
        this.sksMode.set(e.revision, e.mode);
        break;
      case 'pod':
        this.podEvents = true;
        told = narrateEvent(e, this.contextFor(e.revision));
        break;
      case 'request':
        told = narrateEvent(e, this.contextFor(e.revision));
        if (e.phase === 'arrived') this.arrivedPos.push(pos);
        if (e.phase === 'done') this.recordDone(e, pos);
        break;
      default:
        told = narrateEvent(e, this.contextFor('revision' in e ? e.revision : undefined));
        break;
    }
    for (const n of told) this.tell({ ...n, pos, t: e.t });
  }

  private recordDone(e: RequestEvent, pos: number): void {
    this.countDone(e, this.totals);
    for (const [k, v] of this.totals.entries()) this.doneTotals[k]!.push(v);
    if (e.cold && e.latencyMs !== undefined) this.coldMaxSoFar = Math.max(this.coldMaxSoFar, e.latencyMs);
    this.donePos.push(pos);
    this.coldMax.push(this.coldMaxSoFar);
    const latency = e.latencyMs ?? Number.NaN;
    this.doneLatency.push(latency);
    if (Number.isFinite(latency)) this.histogram[bucketOf(latency)]!++;
    if (this.donePos.length % this.histogramEvery === 0) {
      this.histograms.push(this.histogram);
      this.histogram = Uint32Array.from(this.histogram);
    }
  }

  /**
   * Adds a narration line, except that the rest of a burst (held requests, cold starts, failures
   * of one revision within BURST_WINDOW_MS of the first) is counted into the first line.
   */
  private tell(entry: NarrationEntry): void {
    if (entry.burst !== undefined) {
      const key = `${entry.revision ?? ''}|${entry.burst}`;
      const open = this.bursts.get(key);
      if (open && entry.t - open.t < BURST_WINDOW_MS) {
        open.more++;
        const k = this.story.lastIndexOf(open.entry);
        if (k >= 0) {
          open.entry = { ...open.entry, text: open.base + burstTail(open.more, BURST_WINDOW_MS) };
          this.story[k] = open.entry;
        }
        return;
      }
      this.bursts.set(key, { t: entry.t, base: entry.text, entry, more: 0 });
    }
    this.story.push(entry);
    this.narrationPos.push(entry.pos);
  }

  private applyObject(objects: Map<string, KubeObject>, e: ObjectEvent): void {
    const key = objectKey(e.kind, e.namespace, e.name);
    if (e.op === 'deleted') objects.delete(key);
    else objects.set(key, e.object);
  }

  private countDone(e: RequestEvent, totals: number[]): void {
    const status = e.status;
    if (e.outcome === 'ok' || (e.outcome === undefined && status !== undefined && status < 500)) totals[0]!++;
    else if (status === 503 || e.outcome === '503') totals[1]!++;
    else if (status === 504 || e.outcome === '504') totals[2]!++;
    else totals[3]!++;
    if (e.cold) totals[4]!++;
  }

  get length(): number {
    return this.events.length;
  }

  /** The position at time t: every event at or before t applied. */
  posAt(t: number): number {
    return upperBound(this.times, t);
  }

  /** The time of the moment just after the event at pos - 1 (0 before any event). */
  timeOfPos(pos: number): number {
    return pos <= 0 ? 0 : (this.times[Math.min(pos, this.times.length) - 1] ?? 0);
  }

  /** The model clock for AGE columns at run time t. */
  modelNow(t: number): number {
    return this.epochOffsetMs + t;
  }

  /**
   * Every API object as it is at position pos, by `kind/namespace/name`. Do not mutate; the map
   * is valid until the next call (moving forward reuses it).
   */
  objectsAt(pos: number): ReadonlyMap<string, KubeObject> {
    const applied = upperBound(this.objectPos, pos); // object events among the first pos events
    const c = this.cache;
    if (c && c.applied === applied) return c.objects;
    let objects: Map<string, KubeObject>;
    let from: number;
    const k = upperBound(this.snapshotAt, applied); // snapshots at or before this moment
    const snapAt = k > 0 ? this.snapshotAt[k - 1]! : 0;
    if (c && c.applied < applied && c.applied >= snapAt) {
      objects = c.objects; // owned by the cache, and no further back than the snapshot: advance it
      from = c.applied;
    } else {
      const snap = k > 0 ? this.snapshots[k - 1] : undefined;
      objects = snap ? new Map(snap) : new Map();
      from = snapAt;
    }
    for (let j = from; j < applied; j++) {
      this.applyObject(objects, this.events[this.objectPos[j]! - 1] as ObjectEvent);
    }
    this.cache = { pos, objects, applied };
    return objects;
  }

  /** The objects of one kind (in the log's namespace unless one is given) at position pos. */
  objectsOfKind(pos: number, kind: string, namespace: string = this.header.namespace): KubeObject[] {
    const out: KubeObject[] = [];
    for (const o of this.objectsAt(pos).values()) {
      if (o.kind === kind && (o.metadata.namespace ?? namespace) === namespace) out.push(o);
    }
    return out;
  }

  /** The revision's per-second samples in position order. */
  samples(revision: string): readonly SampleEvent[] {
    return this.perRevision.get(revision)?.samples ?? [];
  }

  /** The times of the revision's samples (for bucketing without rebuilding the array). */
  sampleTimes(revision: string): readonly number[] {
    const r = this.perRevision.get(revision);
    if (!r) return [];
    let times = this.timesCache.get(revision);
    if (!times) {
      times = r.samples.map((x) => x.t);
      this.timesCache.set(revision, times);
    }
    return times;
  }

  /** The latest sample of the revision at position pos. */
  latestSample(revision: string, pos: number): SampleEvent | undefined {
    const r = this.perRevision.get(revision);
    if (!r) return undefined;
    const k = upperBound(r.samplePos, pos);
    return k > 0 ? r.samples[k - 1] : undefined;
  }

  /** The latest autoscaler tick of the revision at position pos. */
  latestTick(revision: string, pos: number): KpaTickEvent | undefined {
    const r = this.perRevision.get(revision);
    if (!r) return undefined;
    const k = upperBound(r.tickPos, pos);
    return k > 0 ? r.ticks[k - 1] : undefined;
  }

  /** Narration lines up to position pos, the last `limit` of them. */
  narrationUpTo(pos: number, limit = Number.POSITIVE_INFINITY): readonly NarrationEntry[] {
    const end = upperBound(this.narrationPos, pos);
    return this.story.slice(Math.max(0, end - limit), end);
  }

  /** The number of narration lines up to position pos. */
  narrationCount(pos: number): number {
    return upperBound(this.narrationPos, pos);
  }

  /** The next position after pos that applies a non-sample event (for "step one event"). */
  nextStep(pos: number): number | undefined {
    return this.stepPos[upperBound(this.stepPos, pos)];
  }

  /** The last position before pos that applies a non-sample event, or 0. */
  prevStep(pos: number): number {
    const k = lowerBound(this.stepPos, pos);
    return k > 0 ? this.stepPos[k - 1]! : 0;
  }

  nextNarration(pos: number): number | undefined {
    return this.narrationPos[upperBound(this.narrationPos, pos)];
  }

  prevNarration(pos: number): number | undefined {
    const k = lowerBound(this.narrationPos, pos);
    return k > 0 ? this.narrationPos[k - 1] : undefined;
  }

  nextDecision(pos: number): number | undefined {
    return this.decisionPos[upperBound(this.decisionPos, pos)];
  }

  prevDecision(pos: number): number | undefined {
    const k = lowerBound(this.decisionPos, pos);
    return k > 0 ? this.decisionPos[k - 1] : undefined;
  }

  /** Requests finished up to position pos. */
  requestStats(pos: number): RequestStats {
    const n = upperBound(this.donePos, pos);
    const totals = this.doneTotals.map((series) => (n > 0 ? series[n - 1]! : 0));
    const s = upperBound(this.samplePosAll, pos);
    const base = {
      answered: n,
      ok: totals[0]!,
      status503: totals[1]!,
      status504: totals[2]!,
      errors: totals[3]!,
      cold: totals[4]!,
      coldMaxMs: totals[4]! > 0 ? this.coldMax[n - 1] : undefined,
      arrivalsFromSamples: s > 0 ? this.sampleArrivals[s - 1]! : 0,
      arrivalsLogged: upperBound(this.arrivedPos, pos),
    };
    if (n === 0)
      return { ...base, p50: undefined, p95: undefined, p99: undefined, maxMs: undefined, approximate: false };
    if (n <= this.histogramEvery) {
      const sorted = this.doneLatency.slice(0, n).filter(Number.isFinite);
      sorted.sort((a, b) => a - b);
      const at = (q: number): number | undefined =>
        sorted.length === 0 ? undefined : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
      return { ...base, p50: at(0.5), p95: at(0.95), p99: at(0.99), maxMs: sorted.at(-1), approximate: false };
    }
    const k = Math.floor(n / this.histogramEvery);
    const histogram = Uint32Array.from(this.histograms[k - 1]!);
    let max = 0;
    for (let j = k * this.histogramEvery; j < n; j++) {
      const v = this.doneLatency[j]!;
      if (Number.isFinite(v)) histogram[bucketOf(v)]!++;
    }
    let total = 0;
    for (const c of histogram) total += c;
    for (let b = BUCKETS - 1; b >= 0; b--) {
      if (histogram[b]! > 0) {
        max = bucketValue(b);
        break;
      }
    }
    const at = (q: number): number | undefined => {
      if (total === 0) return undefined;
      const rank = Math.ceil(q * total);
      let seen = 0;
      for (let b = 0; b < BUCKETS; b++) {
        seen += histogram[b]!;
        if (seen >= rank) return bucketValue(b);
      }
      return max;
    };
    return { ...base, p50: at(0.5), p95: at(0.95), p99: at(0.99), maxMs: max, approximate: true };
  }
}
