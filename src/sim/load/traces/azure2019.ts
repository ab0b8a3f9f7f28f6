import { type PhaseOptions, PhaseSource } from '../openLoop.js';
import { empirical, lognormalFromPercentiles } from '../serviceTime.js';
import type { Sampler } from '../types.js';
import { type LineReader, openLines, parseNumberField, TraceError, type TraceInput } from './lines.js';

/**
 * Azure Functions 2019 trace ("Serverless in the Wild", Shahrad et al., ATC 2020):
 * - invocations file `invocations_per_function_md.anon.dNN.csv`:
 *   `HashOwner,HashApp,HashFunction,Trigger,1,2,…,1440` — invocations per minute of one day;
 * - durations file `function_durations_percentiles.anon.dNN.csv`: `HashOwner,HashApp,HashFunction,
 *   Average,Count,Minimum,Maximum,percentile_Average_0,…_1,…_25,…_50,…_75,…_99,…_100` (ms, warm
 *   executions only; percentiles of 30-s averages).
 * Files are read line by line and only up to the selected function.
 */

export const INVOCATION_KEYS = ['HashOwner', 'HashApp', 'HashFunction', 'Trigger'] as const;
export const DURATION_COLUMNS = [
  'HashOwner',
  'HashApp',
  'HashFunction',
  'Average',
  'Count',
  'Minimum',
  'Maximum',
  'percentile_Average_0',
  'percentile_Average_1',
  'percentile_Average_25',
  'percentile_Average_50',
  'percentile_Average_75',
  'percentile_Average_99',
  'percentile_Average_100',
] as const;
const PERCENTILES = [0, 1, 25, 50, 75, 99, 100] as const;

export interface Azure2019Function {
  owner: string;
  app: string;
  func: string;
  trigger: string;
  /** Invocations in each minute (index 0 = minute 1 of the file). */
  counts: Uint32Array;
  /** 0-based data-row index in the file, and its 1-based line number. */
  index: number;
  line: number;
}

/** A function: its `HashFunction`, or its 0-based data-row index in the invocations file. */
export type FunctionSelector = string | number;

function split(line: string): string[] {
  return line.split(',');
}

function readInvocationHeader(r: LineReader): number {
  const header = r.nextLine();
  if (header === undefined) throw new TraceError(r.file, 1, 'empty file, expected a header line');
  const cols = split(header).map((c) => c.trim());
  for (let i = 0; i < INVOCATION_KEYS.length; i++) {
    if (cols[i] !== INVOCATION_KEYS[i]) {
      throw new TraceError(
        r.file,
        1,
        `expected header ${INVOCATION_KEYS.join(',')},1,…,1440; column ${i + 1} is ${JSON.stringify(cols[i] ?? '')}`,
      );
    }
  }
  const minutes = cols.length - INVOCATION_KEYS.length;
  if (minutes < 1) throw new TraceError(r.file, 1, 'header has no minute columns');
  for (let m = 1; m <= minutes; m++) {
    if (cols[INVOCATION_KEYS.length + m - 1] !== String(m)) {
      throw new TraceError(r.file, 1, `header column ${INVOCATION_KEYS.length + m} should be minute "${m}"`);
    }
  }
  return cols.length;
}

function countColumns(line: string): number {
  let n = 1;
  for (let i = line.indexOf(','); i >= 0; i = line.indexOf(',', i + 1)) n++;
  return n;
}

function toFunction(r: LineReader, line: string, index: number): Azure2019Function {
  const cols = split(line);
  const counts = new Uint32Array(cols.length - INVOCATION_KEYS.length);
  for (let m = 0; m < counts.length; m++) {
    const text = cols[INVOCATION_KEYS.length + m] as string;
    const v = parseNumberField(text);
    if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) {
      throw new TraceError(
        r.file,
        r.lineNo,
        `minute ${m + 1} (column ${INVOCATION_KEYS.length + m + 1}): expected a count >= 0, got ${JSON.stringify(text)}`,
      );
    }
    counts[m] = v;
  }
  return {
    owner: cols[0] as string,
    app: cols[1] as string,
    func: cols[2] as string,
    trigger: cols[3] as string,
    counts,
    index,
    line: r.lineNo,
  };
}

/**
 * Reads the selected function's per-minute counts. Every row up to it is checked for its column
 * count; the selected row is checked fully.
 */
export function readAzure2019Invocations(input: TraceInput, select: FunctionSelector): Azure2019Function {
  const r = openLines(input);
  try {
    const width = readInvocationHeader(r);
    let index = 0;
    for (let line = r.nextLine(); line !== undefined; line = r.nextLine()) {
      if (line.trim() === '') continue;
      const n = countColumns(line);
      if (n !== width) throw new TraceError(r.file, r.lineNo, `expected ${width} columns, got ${n}`);
      if (typeof select === 'number' ? index === select : line.split(',', 3)[2] === select) {
        return toFunction(r, line, index);
      }
      index++;
    }
    throw new TraceError(
      r.file,
      0,
      typeof select === 'number'
        ? `function index ${select} not found (the file has ${index} functions)`
        : `function ${JSON.stringify(select)} not found in column HashFunction`,
    );
  } finally {
    r.close();
  }
}

/** Every function of an invocations file, fully validated (for tools and tests; holds it all). */
export function readAllAzure2019Invocations(input: TraceInput): Azure2019Function[] {
  const r = openLines(input);
  try {
    const width = readInvocationHeader(r);
    const out: Azure2019Function[] = [];
    for (let line = r.nextLine(); line !== undefined; line = r.nextLine()) {
      if (line.trim() === '') continue;
      const n = countColumns(line);
      if (n !== width) throw new TraceError(r.file, r.lineNo, `expected ${width} columns, got ${n}`);
      out.push(toFunction(r, line, out.length));
    }
    return out;
  } finally {
    r.close();
  }
}

export interface Azure2019Durations {
  owner: string;
  app: string;
  func: string;
  averageMs: number;
  count: number;
  minimumMs: number;
  maximumMs: number;
  /** `{ p0, p1, p25, p50, p75, p99, p100 }` in ms. */
  percentiles: Record<string, number>;
  line: number;
}

/**
 * The durations row of a function: matched on HashOwner, HashApp and HashFunction (or
 * HashFunction alone when owner/app are not given). Columns are found by header name.
 */
export function readAzure2019Durations(
  input: TraceInput,
  select: { func: string; app?: string; owner?: string },
): Azure2019Durations {
  const r = openLines(input);
  try {
    const header = r.nextLine();
    if (header === undefined) throw new TraceError(r.file, 1, 'empty file, expected a header line');
    const cols = split(header).map((c) => c.trim());
    const at: number[] = [];
    for (const name of DURATION_COLUMNS) {
      const i = cols.indexOf(name);
      if (i < 0) throw new TraceError(r.file, 1, `header has no column ${name}`);
      at.push(i);
    }
    const width = cols.length;
    for (let line = r.nextLine(); line !== undefined; line = r.nextLine()) {
      if (line.trim() === '') continue;
      const f = split(line);
      if (f.length !== width) throw new TraceError(r.file, r.lineNo, `expected ${width} columns, got ${f.length}`);
      const get = (k: number): string => f[at[k] as number] as string;
      if (get(2) !== select.func) continue;
      if (select.app !== undefined && get(1) !== select.app) continue;
      if (select.owner !== undefined && get(0) !== select.owner) continue;
      const num = (k: number): number => {
        const v = parseNumberField(get(k));
        if (!Number.isFinite(v) || v < 0) {
          throw new TraceError(
            r.file,
            r.lineNo,
            `column ${DURATION_COLUMNS[k]}: expected a number >= 0, got ${JSON.stringify(get(k))}`,
          );
        }
        return v;
      };
      const percentiles: Record<string, number> = {};
      let prev = 0;
      PERCENTILES.forEach((p, j) => {
        const v = num(7 + j);
        if (v < prev) {
          throw new TraceError(r.file, r.lineNo, `percentile_Average_${p} (${v}) is below the previous percentile`);
        }
        prev = v;
        percentiles[`p${p}`] = v;
      });
      return {
        owner: get(0),
        app: get(1),
        func: get(2),
        averageMs: num(3),
        count: num(4),
        minimumMs: num(5),
        maximumMs: num(6),
        percentiles,
        line: r.lineNo,
      };
    }
    throw new TraceError(r.file, 0, `function ${JSON.stringify(select.func)} not found in column HashFunction`);
  } finally {
    r.close();
  }
}

/**
 * Service-time sampler from a durations row: `empirical` (default) is piecewise-linear through its
 * seven percentiles (DSLab *Piecewise*); `lognormal` is fitted to its p50 and p99 (a longer tail
 * than the percentiles of 30-s averages show; DSLab fits lognormals too).
 */
export function durationSampler(d: Azure2019Durations, model: 'empirical' | 'lognormal' = 'empirical'): Sampler {
  if (model === 'lognormal') {
    const p50 = Math.max(d.percentiles.p50 ?? 0, 1e-3);
    return lognormalFromPercentiles(p50, Math.max(d.percentiles.p99 ?? p50, p50));
  }
  return empirical(d.percentiles);
}

/**
 * How per-minute counts become arrival times (seeded):
 * - `uniform`: exactly the minute's count, uniformly at random within the minute (DSLab
 *   *BucketUniform*, InVitro `uniform`);
 * - `equidistant`: exactly the count, evenly spaced from the start of the minute (InVitro
 *   `equidistant`);
 * - `poisson`: a Poisson process at the minute's rate (count/60 s), so counts vary around the
 *   trace's (InVitro `exponential`, DSLab *PoissonFit*).
 */
export type Spread = 'uniform' | 'equidistant' | 'poisson';

export interface Azure2019SourceOptions {
  spread?: Spread;
  /** First minute to replay (0-based). Default 0. */
  fromMinute?: number;
  /** Number of minutes to replay. Default: to the end of the trace. */
  minutes?: number;
  /** Multiplies every minute's count (fractions rounded stochastically for uniform/equidistant). */
  rateScale?: number;
}

/** Expands a function's per-minute counts into arrivals; minute `fromMinute` starts at `startMs`. */
export class Azure2019Source extends PhaseSource {
  private readonly counts: Uint32Array;
  private readonly spread: Spread;
  private readonly scale: number;
  private readonly lastMinute: number;
  private minute: number;
  private minuteStart: number;
  /** minuteStart + 60,000. */
  private minuteEnd: number;
  private left = 0;
  private total = 0;
  private x = 0;
  private t = 0;
  /** -60,000 / total: the negated mean gap of the poisson spread in this minute (ms). */
  private gapScale = 0;

  constructor(o: PhaseOptions, counts: Uint32Array, so: Azure2019SourceOptions = {}) {
    super(o);
    this.counts = counts;
    this.spread = so.spread ?? 'uniform';
    this.scale = so.rateScale ?? 1;
    if (!(this.scale >= 0) || !Number.isFinite(this.scale)) throw new RangeError('rateScale must be >= 0');
    const from = so.fromMinute ?? 0;
    if (!Number.isInteger(from) || from < 0 || from > counts.length) {
      throw new RangeError(`fromMinute must be an integer in 0…${counts.length}`);
    }
    const n = so.minutes ?? counts.length - from;
    this.lastMinute = Math.min(counts.length, from + n) - 1;
    this.minute = from - 1;
    this.minuteStart = this.startMs - 60_000;
    this.minuteEnd = this.minuteStart + 60_000;
  }

  /** Moves to the next minute; false when the trace or the phase is over. */
  private nextMinute(): boolean {
    this.minute++;
    this.minuteStart += 60_000;
    this.minuteEnd = this.minuteStart + 60_000;
    if (this.minute > this.lastMinute || !(this.minuteStart < this.endMs)) return false;
    const c = (this.counts[this.minute] as number) * this.scale;
    if (this.spread === 'poisson') {
      this.total = c; // rate per minute
      this.gapScale = -60_000 / c; // the mean gap, negated (for the exponential draws)
      this.t = this.minuteStart;
    } else {
      let n = Math.floor(c);
      if (c - n > 0 && this.random() < c - n) n++;
      this.total = n;
      this.left = n;
      this.x = 0;
    }
    return true;
  }

  protected nextTime(): number {
    return this.spread === 'poisson' ? this.poissonTime() : this.countedTime();
  }

  /** The poisson spread: exponential gaps at the minute's rate, to the minute's end. */
  private poissonTime(): number {
    // State starts empty (total = 0), so the first call moves to the first minute.
    for (;;) {
      if (this.total > 0) {
        this.t += this.gapScale * Math.log(1 - this.random());
        if (this.t < this.minuteEnd) return this.t < this.endMs ? this.t : Number.NaN;
      }
      if (!this.nextMinute()) return Number.NaN;
    }
  }

  /** The uniform and equidistant spreads: exactly the minute's (rounded) count. */
  private countedTime(): number {
    for (;;) {
      // State starts empty (left = 0), so the first call moves to the first minute.
      let at = Number.NaN;
      if (this.left > 0) {
        if (this.spread === 'uniform') {
          this.x += (1 - this.x) * (1 - this.random() ** (1 / this.left));
          at = this.minuteStart + this.x * 60_000;
        } else {
          at = this.minuteStart + ((this.total - this.left) * 60_000) / this.total;
        }
        this.left--;
      }
      if (!Number.isNaN(at)) return at < this.endMs ? at : Number.NaN;
      if (!this.nextMinute()) return Number.NaN;
    }
  }
}
