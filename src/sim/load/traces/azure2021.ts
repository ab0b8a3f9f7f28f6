import type { Arrival, ArrivalSource, Sampler } from '../types.js';
import { makeArrival } from '../types.js';
import { type LineReader, openLines, parseNumberField, TraceError, type TraceInput } from './lines.js';

/**
 * Azure Functions Invocation Trace 2021 (Zhang et al., SOSP 2021): one row per invocation,
 * `app,func,end_timestamp,duration` (seconds); start = end − duration. The file is read lazily,
 * line by line. Rows are ordered by *end*, so arrivals (by *start*) are re-sorted through a
 * bounded min-heap: a row may start at most `reorderWindowS` earlier than the latest start seen
 * before it (600 s by default: the Azure Functions Consumption-plan maximum timeout is 10 min, so
 * no invocation is longer). A row breaking that bound is an error naming its line.
 */
export interface Azure2021Options {
  /** Keep only this function (`func` column). */
  func?: string;
  /** Keep only this app (`app` column). */
  app?: string;
  /** Trace time → simulated time factor: 0.5 replays twice as fast. Service times are not scaled. */
  timeScale?: number;
  /** Trace second mapped to the phase start. Default: the start of the first kept invocation. */
  originS?: number;
  reorderWindowS?: number;
  /** Phase start (ms). Default 0. */
  startMs?: number;
  /** Phase length (ms). Default: the whole trace. */
  durationMs?: number;
  target?: string;
  /** Replaces the trace's own durations as service times (e.g. to study a slower build). */
  service?: Sampler;
  serviceRandom?: () => number;
}

const COLUMNS = ['app', 'func', 'end_timestamp', 'duration'] as const;

export class Azure2021Source implements ArrivalSource {
  private readonly r: LineReader;
  private readonly col: Int32Array;
  private readonly width: number;
  /** cuts[c] = index of the comma before column c (cuts[0] = -1). */
  private readonly cuts: Int32Array;
  private readonly o: Azure2021Options;
  private readonly scale: number;
  private readonly windowS: number;
  private readonly startMs: number;
  private readonly endMs: number;
  private origin: number | undefined;
  private maxStart = Number.NEGATIVE_INFINITY;
  private lastEmitted = Number.NEGATIVE_INFINITY;
  private eof = false;
  // Min-heap of pending invocations by start: parallel arrays, grown by doubling.
  private hs = new Float64Array(64);
  private hd = new Float64Array(64);
  private size = 0;

  constructor(input: TraceInput, o: Azure2021Options = {}) {
    this.o = o;
    this.scale = o.timeScale ?? 1;
    if (!(this.scale > 0) || !Number.isFinite(this.scale)) throw new RangeError('timeScale must be > 0');
    this.windowS = o.reorderWindowS ?? 600;
    this.startMs = o.startMs ?? 0;
    this.endMs = this.startMs + (o.durationMs ?? Number.POSITIVE_INFINITY);
    this.origin = o.originS;
    this.r = openLines(input);
    const header = this.r.nextLine();
    if (header === undefined) {
      this.r.close();
      throw new TraceError(this.r.file, 1, `empty file, expected a header line ${COLUMNS.join(',')}`);
    }
    const cols = header.split(',').map((c) => c.trim());
    this.width = cols.length;
    this.cuts = new Int32Array(cols.length + 1);
    this.cuts[0] = -1;
    this.col = new Int32Array(COLUMNS.length);
    COLUMNS.forEach((name, k) => {
      const i = cols.indexOf(name);
      if (i < 0) {
        this.r.close();
        throw new TraceError(this.r.file, 1, `header has no column ${name} (expected ${COLUMNS.join(',')})`);
      }
      this.col[k] = i;
    });
  }

  /** Reads rows until one is kept and pushed; false at end of file. */
  private readOne(): boolean {
    const r = this.r;
    for (let line = r.nextLine(); line !== undefined; line = r.nextLine()) {
      if (line === '' || line.trim() === '') continue;
      // Comma positions into a reused buffer: no array per row, only the needed fields are sliced.
      const cuts = this.cuts;
      let n = 0;
      for (let i = line.indexOf(','); i >= 0 && n < cuts.length - 1; i = line.indexOf(',', i + 1)) cuts[++n] = i;
      if (n + 1 !== this.width || line.indexOf(',', (cuts[n] as number) + 1) >= 0) {
        throw new TraceError(r.file, r.lineNo, `expected ${this.width} columns, got ${line.split(',').length}`);
      }
      if (this.o.func !== undefined && fieldOf(line, cuts, n, this.col[1] as number) !== this.o.func) continue;
      if (this.o.app !== undefined && fieldOf(line, cuts, n, this.col[0] as number) !== this.o.app) continue;
      const endText = fieldOf(line, cuts, n, this.col[2] as number);
      const durText = fieldOf(line, cuts, n, this.col[3] as number);
      const end = parseNumberField(endText);
      const dur = parseNumberField(durText);
      if (!Number.isFinite(end)) {
        throw new TraceError(r.file, r.lineNo, `end_timestamp: expected seconds, got ${JSON.stringify(endText)}`);
      }
      if (!Number.isFinite(dur) || dur < 0) {
        throw new TraceError(r.file, r.lineNo, `duration: expected seconds >= 0, got ${JSON.stringify(durText)}`);
      }
      const start = end - dur;
      if (start < this.lastEmitted) {
        throw new TraceError(
          r.file,
          r.lineNo,
          `invocation starts at ${start} s, before one already replayed at ${this.lastEmitted} s; rows are out of order by more than reorderWindow (${this.windowS} s)`,
        );
      }
      if (start > this.maxStart) this.maxStart = start;
      this.push(start, dur);
      return true;
    }
    this.eof = true;
    r.close();
    return false;
  }

  next(): Arrival | undefined {
    for (;;) {
      if (this.size > 0 && (this.eof || (this.hs[0] as number) <= this.maxStart - this.windowS)) {
        const s = this.hs[0] as number;
        const d = this.hd[0] as number;
        this.pop();
        this.lastEmitted = s;
        if (this.origin === undefined) this.origin = s;
        const at = this.startMs + (s - this.origin) * 1000 * this.scale;
        if (at < this.startMs) continue; // before the chosen origin
        if (!(at < this.endMs)) {
          this.close();
          return undefined;
        }
        const service = this.o.service !== undefined ? this.o.service(this.o.serviceRandom ?? zero) : d * 1000;
        return makeArrival(at, service, this.o.target, 'request');
      }
      if (this.eof) return undefined;
      this.readOne();
    }
  }

  /** Stops reading (closes the file). */
  close(): void {
    this.eof = true;
    this.size = 0;
    this.r.close();
  }

  private push(s: number, d: number): void {
    if (this.size === this.hs.length) {
      const ns = new Float64Array(this.size * 2);
      ns.set(this.hs);
      this.hs = ns;
      const nd = new Float64Array(this.size * 2);
      nd.set(this.hd);
      this.hd = nd;
    }
    let i = this.size++;
    const hs = this.hs;
    const hd = this.hd;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((hs[p] as number) <= s) break;
      hs[i] = hs[p] as number;
      hd[i] = hd[p] as number;
      i = p;
    }
    hs[i] = s;
    hd[i] = d;
  }

  private pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const hs = this.hs;
    const hd = this.hd;
    const s = hs[n] as number;
    const d = hd[n] as number;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (hs[c + 1] as number) < (hs[c] as number)) c++;
      if ((hs[c] as number) >= s) break;
      hs[i] = hs[c] as number;
      hd[i] = hd[c] as number;
      i = c;
    }
    hs[i] = s;
    hd[i] = d;
  }
}

const zero = (): number => 0;

/** Column `c` of `line`, given the comma positions `cuts` (cuts[0] = -1) and the last cut index `n`. */
function fieldOf(line: string, cuts: Int32Array, n: number, c: number): string {
  return line.slice((cuts[c] as number) + 1, c < n ? (cuts[c + 1] as number) : line.length);
}
