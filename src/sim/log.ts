/**
 * Collects a run's event log. Lines are serialised as they are written so that the same
 * run gives the same bytes; listeners (the TUI, a live file writer) see each event as it
 * happens.
 */
import type { LogEvent, LogHeader, LogLine, SampleEvent } from '../model/events.js';

export type LogListener = (line: LogLine) => void;

/** A listener that takes a type of line: what to call (the listener itself, not its filter) and its place. */
interface Reader {
  call: LogListener;
  serial: number;
}

/**
 * A reader of `sample` lines that takes a quiet revision's missing samples as its last one
 * (ResultsCollector): the cluster may then stop sampling a revision with no pods and no traffic
 * until something happens to it (`stand`), telling the reader each second's tick instead.
 */
export interface StandingSamples {
  tick(t: number): void;
  stand(sample: SampleEvent): void;
  sit(revision: string, t: number): void;
}

export interface EventLogOptions {
  /** Keep every line in memory (default true). Long runs stream to a sink instead. */
  keep?: boolean;
  /** Receives each serialised line (with its newline). */
  sink?: (text: string) => void;
  /**
   * Keep the request events of 1 request in N (by request id: the 1st, the N+1st, ...; each kept
   * request has all its events). Per-request events dominate long runs; control events are
   * always kept. 1 keeps all, 0 drops them all.
   */
  requestSampling?: number;
}

export class EventLog {
  readonly lines: LogLine[] = [];
  private readonly listeners = new Set<LogListener>();
  /** Listeners that asked for some event types only (see `subscribe`), with those types. */
  private readonly typed = new Map<LogListener, ReadonlySet<string>>();
  /** Listeners that take missing samples as standing ones, with how to tell them. */
  private readonly standing = new Map<LogListener, StandingSamples>();
  /** What `standingSamples` found, until a listener comes or goes (null: not looked yet). */
  private standingCache: StandingSamples | undefined | null = null;
  /**
   * The listeners that take each type of line, in the order they subscribed, until a listener
   * comes or goes: a write calls those, not every listener's type filter (~93,000 lines a day of
   * diurnal-24h, four typed listeners), and `wants` asks whether there are any (the autoscaler
   * asks about 220,000 times a day, `stat` and `kpa.tick`).
   */
  private readonly readers = new Map<string, Reader[]>();
  /** The listener a filter calls. */
  private readonly unfiltered = new Map<LogListener, LogListener>();
  /** Each listener's place in `listeners` (a Set: the order they were added in). */
  private readonly serials = new Map<LogListener, number>();
  private nextSerial = 0;
  /** Moves on when a listener comes or goes: a write it interrupts goes on as the Set's walk would. */
  private version = 0;
  private readonly keep: boolean;
  private readonly sink?: (text: string) => void;
  private readonly requestSampling: number;

  constructor(options: EventLogOptions = {}) {
    this.keep = options.keep ?? true;
    this.sink = options.sink;
    this.requestSampling = options.requestSampling ?? 1;
  }

  header(header: LogHeader): void {
    this.write(header);
  }

  event(event: LogEvent): void {
    if (event.type === 'request' && !this.recordsRequest(event.id)) return;
    this.write(event);
  }

  /** True when request events would be written (lets the hot path skip building them). */
  get recordsRequests(): boolean {
    return this.requestSampling !== 0;
  }

  /** True when the events of request `id` are kept (lets the hot path skip building the others). */
  recordsRequest(id: number): boolean {
    const n = this.requestSampling;
    return n === 1 || (n > 1 && (id - 1) % n === 0);
  }

  /**
   * `listener` sees every line written from now on, or only the lines of the given `types` (then
   * events nobody reads need not be built: see `wants`).
   */
  subscribe(listener: LogListener, types?: readonly string[], standing?: StandingSamples): () => void {
    const only = types ? new Set(types) : undefined;
    const wrapped: LogListener = only ? filtered(listener, only) : listener;
    // Already there (the same listener for every type, twice): it keeps its place, as in the Set.
    if (!this.listeners.has(wrapped)) this.serials.set(wrapped, this.nextSerial++);
    this.listeners.add(wrapped);
    if (only) {
      this.typed.set(wrapped, only);
      this.unfiltered.set(wrapped, listener);
    }
    if (standing) this.standing.set(wrapped, standing);
    this.changed();
    return () => {
      this.listeners.delete(wrapped);
      this.typed.delete(wrapped);
      this.unfiltered.delete(wrapped);
      this.standing.delete(wrapped);
      this.serials.delete(wrapped);
      this.changed();
    };
  }

  /** A listener came or went: what was worked out from the listeners is worked out again. */
  private changed(): void {
    this.standingCache = null;
    this.readers.clear();
    this.version++;
  }

  /**
   * The readers of `sample` lines when every one of them takes missing samples as standing ones
   * and nothing is kept or streamed (no --log, no --csv, no screen); else undefined and every
   * sample must be written. The same object until the listeners change.
   */
  standingSamples(): StandingSamples | undefined {
    if (this.keep || this.sink || this.standing.size === 0) return undefined;
    if (this.standingCache !== null) return this.standingCache;
    const readers: StandingSamples[] = [];
    for (const l of this.listeners) {
      const types = this.typed.get(l);
      if (types && !types.has('sample')) continue;
      const standing = this.standing.get(l);
      if (!standing) {
        readers.length = 0;
        break;
      }
      readers.push(standing);
    }
    this.standingCache =
      readers.length === 0
        ? undefined
        : readers.length === 1
          ? readers[0]
          : {
              tick: (t) => {
                for (const r of readers) r.tick(t);
              },
              stand: (sample) => {
                for (const r of readers) r.stand(sample);
              },
              sit: (revision, t) => {
                for (const r of readers) r.sit(revision, t);
              },
            };
    return this.standingCache;
  }

  /**
   * Whether a line of this type would be read by anyone: kept, streamed to a sink, or seen by a
   * listener that takes it. Producers of costly events (kpa.tick's explanation) ask first; an
   * event nobody reads may be left unbuilt.
   */
  wants(type: string): boolean {
    if (this.keep || this.sink) return true;
    return (this.readers.get(type) ?? this.readersOf(type)).length > 0;
  }

  /** The whole log as JSON Lines. */
  text(): string {
    return this.lines.map((l) => `${JSON.stringify(l)}\n`).join('');
  }

  private write(line: LogLine): void {
    if (this.keep) this.lines.push(line);
    if (this.sink) this.sink(`${JSON.stringify(line)}\n`);
    const readers = this.readers.get(line.type) ?? this.readersOf(line.type);
    const version = this.version;
    for (let i = 0; i < readers.length; i++) {
      const r = readers[i]!;
      r.call(line);
      if (this.version !== version) {
        this.writeOn(line, r.serial);
        return;
      }
    }
  }

  /** The listeners that take lines of `type`, in order (kept until a listener comes or goes). */
  private readersOf(type: string): Reader[] {
    const out: Reader[] = [];
    for (const l of this.listeners) {
      const only = this.typed.get(l);
      if (only === undefined) out.push({ call: l, serial: this.serials.get(l)! });
      else if (only.has(type)) out.push({ call: this.unfiltered.get(l)!, serial: this.serials.get(l)! });
    }
    this.readers.set(type, out);
    return out;
  }

  /**
   * The rest of a write a listener interrupted by subscribing or unsubscribing one: as the walk
   * of the Set went on, every listener there now that was added after the one called last.
   */
  private writeOn(line: LogLine, after: number): void {
    for (const l of this.listeners) if (this.serials.get(l)! > after) l(line);
  }
}

function filtered(listener: LogListener, types: ReadonlySet<string>): LogListener {
  return (line) => {
    if (types.has(line.type)) listener(line);
  };
}
