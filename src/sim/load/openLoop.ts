import type { Random } from '../../model/random.js';
import { expVariate } from './rng.js';
import { type Arrival, type ArrivalKind, type ArrivalSource, makeArrival, type Sampler } from './types.js';

/**
 * Open-loop generators: arrivals do not depend on how fast the system answers. Each generator is
 * one *phase* with a start and a duration and emits arrivals with `startMs <= atMs < startMs +
 * durationMs`, lazily (O(1) memory, one `Arrival` object per request and no other allocation).
 * Rates are in requests per second; times in ms.
 */
export interface PhaseOptions {
  /** When the phase starts (ms of simulated time). Default 0. */
  startMs?: number;
  /** How long the phase lasts (ms); `Infinity` for a source the simulator stops itself. */
  durationMs: number;
  /** Stream for arrival times. */
  random: Random;
  /** Stream for service times; defaults to `random`. A separate stream keeps arrival times
   * unchanged when only the service-time distribution changes. */
  serviceRandom?: Random;
  /** Service-time sampler (ms). */
  service: Sampler;
  /** Host or tag URL the arrivals address (see `Arrival.target`). */
  target?: string;
  kind?: ArrivalKind;
}

export class LoadSpecRangeError extends RangeError {}

/**
 * Shared plumbing of a phase; subclasses implement `nextTime()`, the time of the next arrival (NaN
 * when the phase is over: no source's arrival is ever at NaN), and this class makes the arrival:
 * its service time drawn right after its time, as one arrival's draws.
 */
export abstract class PhaseSource implements ArrivalSource {
  // Number fields start as numbers (here and in the sources below): a field declared without a
  // value starts undefined, and once it holds a number it keeps it as a tagged value, a new heap
  // object for every store of a time: one a request for `t` (steady's only allocation there).
  protected readonly startMs: number = 0;
  protected readonly endMs: number = 0;
  protected readonly random: Random;
  private readonly serviceRandom: Random;
  private readonly service: Sampler;
  private readonly target: string | undefined;
  private readonly kind: ArrivalKind;

  constructor(o: PhaseOptions) {
    this.startMs = o.startMs ?? 0;
    if (!Number.isFinite(this.startMs)) throw new LoadSpecRangeError(`phase start must be finite, got ${o.startMs}`);
    if (!(o.durationMs >= 0)) throw new LoadSpecRangeError(`phase duration must be >= 0, got ${o.durationMs}`);
    this.endMs = this.startMs + o.durationMs;
    this.random = o.random;
    this.serviceRandom = o.serviceRandom ?? o.random;
    this.service = o.service;
    this.target = o.target;
    this.kind = o.kind ?? 'request';
  }

  /** The next arrival's time, its draws made; NaN when the phase has no more arrivals. */
  protected abstract nextTime(): number;

  next(): Arrival | undefined {
    const atMs = this.nextTime();
    if (Number.isNaN(atMs)) return undefined;
    return makeArrival(atMs, this.service(this.serviceRandom), this.target, this.kind);
  }

  nextInto(out: Arrival): boolean {
    const atMs = this.nextTime();
    if (Number.isNaN(atMs)) return false;
    out.atMs = atMs;
    out.serviceMs = this.service(this.serviceRandom);
    out.target = this.target;
    out.clientId = undefined;
    out.kind = this.kind;
    return true;
  }
}

function checkRate(what: string, rps: number): void {
  if (!Number.isFinite(rps) || rps < 0) throw new LoadSpecRangeError(`${what} must be a rate >= 0, got ${rps}`);
}

/** Equidistant arrivals at a constant rate: `start, start + 1000/rps, …` (like `hey -q`). */
export class ConstantRateSource extends PhaseSource {
  private i = 0;
  private readonly gapMs: number;
  constructor(o: PhaseOptions, rps: number) {
    super(o);
    checkRate('constant rps', rps);
    this.gapMs = rps === 0 ? Number.POSITIVE_INFINITY : 1000 / rps;
  }
  protected nextTime(): number {
    // i * gap rather than a running sum: no drift over 100 M arrivals.
    const at = this.startMs + this.i * this.gapMs;
    if (!(at < this.endMs)) return Number.NaN;
    this.i++;
    return at;
  }
}

/** Homogeneous Poisson process: exponential gaps with mean 1000/rps ms. */
export class PoissonSource extends PhaseSource {
  private t = 0;
  private readonly meanGapMs: number = 0;
  constructor(o: PhaseOptions, rps: number) {
    super(o);
    checkRate('poisson rps', rps);
    this.meanGapMs = rps === 0 ? Number.POSITIVE_INFINITY : 1000 / rps;
    this.t = this.startMs;
  }
  protected nextTime(): number {
    if (this.meanGapMs === Number.POSITIVE_INFINITY) return Number.NaN;
    this.t += expVariate(this.random, this.meanGapMs);
    return this.t < this.endMs ? this.t : Number.NaN;
  }
}

/**
 * Non-homogeneous Poisson process whose rate goes linearly from `fromRps` to `toRps` over the
 * phase (exact, by inversion of the cumulative rate Λ(t) = a·t + b·t²/2: unit-rate exponential
 * steps of Λ, solved with the cancellation-free root 2S / (a + sqrt(a² + 2bS))).
 */
export class RampSource extends PhaseSource {
  private s = 0;
  private readonly a: number;
  private readonly b: number;
  private readonly total: number;
  constructor(o: PhaseOptions, fromRps: number, toRps: number) {
    super(o);
    checkRate('ramp from', fromRps);
    checkRate('ramp to', toRps);
    const d = this.endMs - this.startMs;
    if (!Number.isFinite(d)) throw new LoadSpecRangeError('a ramp needs a finite duration');
    this.a = fromRps / 1000;
    this.b = d > 0 ? (toRps - fromRps) / 1000 / d : 0;
    this.total = this.a * d + (this.b * d * d) / 2;
  }
  protected nextTime(): number {
    this.s += expVariate(this.random, 1);
    if (!(this.s < this.total)) return Number.NaN;
    const disc = this.a * this.a + 2 * this.b * this.s;
    const t = (2 * this.s) / (this.a + Math.sqrt(Math.max(disc, 0)));
    const at = this.startMs + t;
    return at < this.endMs ? at : Number.NaN;
  }
}

export interface Step {
  durationMs: number;
  rps: number;
}

/**
 * Piecewise-constant rate: steps one after another from the phase start (the phase lasts as long
 * as the steps, capped by `durationMs`). `process: 'poisson'` (default) or `'constant'`
 * (equidistant within each step, starting at the step start).
 */
export class StepsSource extends PhaseSource {
  private readonly durations: Float64Array;
  private readonly gaps: Float64Array;
  private step = -1;
  private stepStart = 0;
  private stepEnd = 0;
  private t = 0;
  private i = 0;
  constructor(
    o: PhaseOptions,
    steps: readonly Step[],
    private readonly process: 'poisson' | 'constant' = 'poisson',
  ) {
    super(o);
    this.durations = new Float64Array(steps.length);
    this.gaps = new Float64Array(steps.length);
    steps.forEach((st, k) => {
      checkRate(`steps[${k}].rps`, st.rps);
      if (!(st.durationMs >= 0)) throw new LoadSpecRangeError(`steps[${k}] duration must be >= 0`);
      this.durations[k] = st.durationMs;
      this.gaps[k] = st.rps === 0 ? Number.POSITIVE_INFINITY : 1000 / st.rps;
    });
    this.stepEnd = this.startMs;
  }
  private advance(): boolean {
    this.step++;
    if (this.step >= this.durations.length) return false;
    this.stepStart = this.stepEnd;
    this.stepEnd = Math.min(this.stepStart + (this.durations[this.step] as number), this.endMs);
    this.t = this.stepStart;
    this.i = 0;
    return this.stepStart < this.endMs;
  }
  protected nextTime(): number {
    for (;;) {
      if (this.step >= 0 && this.step < this.durations.length) {
        const gap = this.gaps[this.step] as number;
        if (gap !== Number.POSITIVE_INFINITY) {
          const at =
            this.process === 'constant' ? this.stepStart + this.i * gap : this.t + expVariate(this.random, gap);
          if (at < this.stepEnd) {
            this.t = at;
            this.i++;
            return at;
          }
        }
      }
      if (!this.advance()) return Number.NaN;
    }
  }
}

/**
 * Bursts: every `everyMs` from the phase start, `count` requests, all at once (`withinMs` 0) or
 * spread uniformly at random over `[burst, burst + withinMs)` (generated in increasing order with
 * sequential uniform order statistics: no sorting, no buffer). `withinMs` must be <= `everyMs`.
 */
export class BurstSource extends PhaseSource {
  private burstAt = 0;
  private left = 0;
  private x = 0;
  constructor(
    o: PhaseOptions,
    private readonly everyMs: number,
    private readonly count: number,
    private readonly withinMs = 0,
  ) {
    super(o);
    if (!(everyMs > 0) || !Number.isFinite(everyMs)) throw new LoadSpecRangeError(`bursts every must be > 0`);
    if (!Number.isInteger(count) || count < 0) throw new LoadSpecRangeError(`bursts count must be an integer >= 0`);
    if (!(withinMs >= 0) || withinMs > everyMs) {
      throw new LoadSpecRangeError(`bursts within must be between 0 and every (${everyMs} ms), got ${withinMs}`);
    }
    this.burstAt = this.startMs - everyMs;
  }
  protected nextTime(): number {
    for (;;) {
      if (this.left > 0) {
        // Minimum of `left` uniforms on [x, 1): x + (1 - x)(1 - U^(1/left)).
        if (this.withinMs > 0) this.x += (1 - this.x) * (1 - this.random() ** (1 / this.left));
        this.left--;
        const at = this.burstAt + this.x * this.withinMs;
        if (at < this.endMs) return at;
        this.left = 0;
      }
      this.burstAt += this.everyMs;
      if (!(this.burstAt < this.endMs) || this.count === 0) return Number.NaN;
      this.left = this.count;
      this.x = 0;
    }
  }
}

/**
 * Non-homogeneous Poisson process with an arbitrary rate function (rps at ms since phase start),
 * by thinning (Lewis & Shedler): candidates at `maxRps`, kept with probability rate/maxRps.
 * `rate` must never exceed `maxRps`.
 */
export class ThinningSource extends PhaseSource {
  private t = 0;
  private readonly meanGapMs: number = 0;
  constructor(
    o: PhaseOptions,
    private readonly rate: (tMs: number) => number,
    private readonly maxRps: number,
  ) {
    super(o);
    checkRate('max rps', maxRps);
    this.meanGapMs = maxRps === 0 ? Number.POSITIVE_INFINITY : 1000 / maxRps;
    this.t = this.startMs;
  }
  protected nextTime(): number {
    if (this.meanGapMs === Number.POSITIVE_INFINITY) return Number.NaN;
    for (;;) {
      this.t += expVariate(this.random, this.meanGapMs);
      if (!(this.t < this.endMs)) return Number.NaN;
      if (this.random() * this.maxRps < this.rate(this.t - this.startMs)) return this.t;
    }
  }
}

export interface SineOptions {
  meanRps: number;
  amplitudeRps: number;
  periodMs: number;
  /** Shift of the wave in time: rate(t) = mean + amplitude·sin(2π(t + phase)/period), t from the
   * phase start. `phase = period/4` starts at the peak; for a diurnal curve with period 24h,
   * `phase = 6h - peakHour` puts the peak at `peakHour` (times since the phase start). */
  phaseMs?: number;
}

/** Sine / diurnal rate (negative rates clipped to 0), a non-homogeneous Poisson process. */
export class SineSource extends ThinningSource {
  constructor(o: PhaseOptions, s: SineOptions) {
    checkRate('sine mean', s.meanRps);
    if (!Number.isFinite(s.amplitudeRps)) throw new LoadSpecRangeError('sine amplitude must be finite');
    if (!(s.periodMs > 0)) throw new LoadSpecRangeError('sine period must be > 0');
    const w = (2 * Math.PI) / s.periodMs;
    const shift = s.phaseMs ?? 0;
    const { meanRps, amplitudeRps } = s;
    super(
      o,
      (t) => {
        const r = meanRps + amplitudeRps * Math.sin(w * (t + shift));
        return Math.max(r, 0);
      },
      meanRps + Math.abs(amplitudeRps),
    );
  }
}

/**
 * Overlay: a k-way merge of sources by `atMs` (binary heap of source indices; O(log k) per arrival,
 * no allocation). Ties go to the source listed first, so the order is deterministic.
 */
export class MergeSource implements ArrivalSource {
  private readonly sources: ArrivalSource[];
  private readonly heads: (Arrival | undefined)[];
  private readonly heap: Int32Array;
  private size = 0;
  private primed = false;

  constructor(sources: readonly ArrivalSource[]) {
    this.sources = [...sources];
    this.heads = new Array<Arrival | undefined>(sources.length).fill(undefined);
    this.heap = new Int32Array(sources.length);
  }

  private less(i: number, j: number): boolean {
    const a = (this.heads[i] as Arrival).atMs;
    const b = (this.heads[j] as Arrival).atMs;
    return a < b || (a === b && i < j);
  }

  private siftDown(pos: number): void {
    const heap = this.heap;
    const n = this.size;
    const item = heap[pos] as number;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && this.less(heap[right] as number, heap[child] as number)) child = right;
      if (!this.less(heap[child] as number, item)) break;
      heap[pos] = heap[child] as number;
      pos = child;
    }
    heap[pos] = item;
  }

  private prime(): void {
    this.primed = true;
    for (let i = 0; i < this.sources.length; i++) {
      const a = (this.sources[i] as ArrivalSource).next();
      if (a !== undefined) {
        this.heads[i] = a;
        this.heap[this.size++] = i;
      }
    }
    for (let p = (this.size >> 1) - 1; p >= 0; p--) this.siftDown(p);
  }

  close(): void {
    for (const s of this.sources) s.close?.();
    this.size = 0;
    this.primed = true;
  }

  next(): Arrival | undefined {
    if (!this.primed) this.prime();
    if (this.size === 0) return undefined;
    const top = this.heap[0] as number;
    const out = this.heads[top] as Arrival;
    const nextHead = (this.sources[top] as ArrivalSource).next();
    if (nextHead !== undefined) {
      this.heads[top] = nextHead;
    } else {
      this.heads[top] = undefined;
      this.size--;
      this.heap[0] = this.heap[this.size] as number;
    }
    if (this.size > 0) this.siftDown(0);
    return out;
  }
}

/** Sequence: all arrivals of the first source, then of the second, …; each source must start no
 * earlier than the previous one ended (checked lazily: an out-of-order arrival throws). */
export class ConcatSource implements ArrivalSource {
  private i = 0;
  private last = Number.NEGATIVE_INFINITY;
  constructor(private readonly sources: readonly ArrivalSource[]) {}
  close(): void {
    for (const s of this.sources) s.close?.();
    this.i = this.sources.length;
  }
  next(): Arrival | undefined {
    while (this.i < this.sources.length) {
      const a = (this.sources[this.i] as ArrivalSource).next();
      if (a !== undefined) {
        if (a.atMs < this.last) {
          throw new RangeError(`sequence: source ${this.i} goes back in time (${a.atMs} ms < ${this.last} ms)`);
        }
        this.last = a.atMs;
        return a;
      }
      this.i++;
    }
    return undefined;
  }
}

/** `merge([])` is empty, `merge([s])` is `s`, otherwise a `MergeSource`. */
export function merge(sources: readonly ArrivalSource[]): ArrivalSource {
  if (sources.length === 1) return sources[0] as ArrivalSource;
  return new MergeSource(sources);
}
