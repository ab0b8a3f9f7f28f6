import type { Random } from '../../model/random.js';

/**
 * Arrivals: what the simulator pulls from the load layer.
 *
 * Ownership rule: every `next()` returns a **fresh** `Arrival` object that the caller may keep (put
 * in an event queue, mutate, store). All sources build arrivals through {@link makeArrival}, so every
 * arrival has the same seven fields in the same order and V8 keeps one hidden class for them
 * (monomorphic property access in the simulator's hot loop). A fresh object costs ~10 ns of young
 * generation allocation, which dies young; `test/load/bench.ts` measures the whole pipeline at well
 * above the 2 M requests per second goal, so the simpler contract wins over a reused mutable object.
 */

/** `request`: an HTTP request from a client; `event`: a CloudEvent POSTed by an eventing source. */
export type ArrivalKind = 'request' | 'event';

export interface Arrival {
  /** Simulated time of arrival at the ingress, in ms since the start of the simulation. */
  atMs: number;
  /** How long the user container works on this request once it has it, in ms. */
  serviceMs: number;
  /** Host or tag URL to address; `undefined` means the scenario's default (first) service. */
  target?: string | undefined;
  /** Closed-loop client (`hey -c N`) that sent the request; `undefined` for open-loop load. */
  clientId?: number | undefined;
  /** `event` for eventing sources; `request` (or absent, for arrivals made elsewhere) otherwise.
   * Sources in this directory always set all seven fields. */
  kind?: ArrivalKind;
  /** The client gives up on it after this long (ms; 0 or absent: it waits), like `hey -t`. */
  timeoutMs?: number;
  /** Its phase's `headers:` (one object shared by the phase's arrivals); absent: none. */
  headers?: Readonly<Record<string, string>> | undefined;
}

export interface ArrivalSource {
  /** The next arrival, in non-decreasing `atMs` order, or `undefined` when the source is finished. */
  next(): Arrival | undefined;
  /**
   * Optional: `next()` written into `out` (its first five fields; `timeoutMs` is the phase's, set by `WithClientTimeout`) instead of a fresh object; false when
   * the source is finished. The same arrivals and draws as `next()`; for a caller that holds one
   * arrival at a time (the simulator's pump), it saves an allocation per request.
   */
  nextInto?(out: Arrival): boolean;
  /** Releases resources (an open trace file) when the simulator stops before the source ends. */
  close?(): void;
}

/** Builds an arrival with every field present, in a fixed order (one hidden class). */
export function makeArrival(
  atMs: number,
  serviceMs: number,
  target: string | undefined,
  kind: ArrivalKind = 'request',
  clientId: number | undefined = undefined,
  timeoutMs = 0,
  headers: Readonly<Record<string, string>> | undefined = undefined,
): Arrival {
  return { atMs, serviceMs, target, clientId, kind, timeoutMs, headers };
}

/** A phase's client timeout on every arrival of its source (`timeout:`; 0: none). */
export class WithClientTimeout implements ArrivalSource {
  constructor(
    private readonly source: ArrivalSource,
    private readonly timeoutMs: number,
  ) {}

  next(): Arrival | undefined {
    const a = this.source.next();
    if (a !== undefined) a.timeoutMs = this.timeoutMs;
    return a;
  }

  close(): void {
    this.source.close?.();
  }
}

/** A phase's request headers on every arrival of its source (`headers:`; undefined: none). */
export class WithHeaders implements ArrivalSource {
  constructor(
    private readonly source: ArrivalSource,
    private readonly headers: Readonly<Record<string, string>> | undefined,
  ) {}

  next(): Arrival | undefined {
    const a = this.source.next();
    if (a !== undefined) a.headers = this.headers;
    return a;
  }

  close(): void {
    this.source.close?.();
  }
}

/** Draws a service time in ms (never negative). */
export type Sampler = (random: Random) => number;

/** Pulls every arrival of a finite source into an array (tests and small tools only). */
export function drain(source: ArrivalSource, limit = Number.POSITIVE_INFINITY): Arrival[] {
  const out: Arrival[] = [];
  for (let a = source.next(); a !== undefined && out.length < limit; a = source.next()) out.push(a);
  return out;
}

/** A source with no arrivals. */
export const EMPTY_SOURCE: ArrivalSource = { next: () => undefined };
