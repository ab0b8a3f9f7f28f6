import type { Random } from '../../model/random.js';
import { type Arrival, makeArrival, type Sampler } from './types.js';

/**
 * Closed-loop clients, like `hey -c N -z D [-q QPS] [-n REQUESTS]`: N clients each keep at most
 * one request outstanding; when its response comes back, a client waits its think time (and for
 * its `-q` rate limit) and sends the next one, until the duration is over or the request budget
 * is spent. The simulator drives it:
 *
 * ```ts
 * for (const a of clients.start()) schedule(a);                    // one per client, at the phase start
 * // … when the response to arrival `a` completes (or fails) at `now`:
 * const nxt = clients.onResponse(a.clientId!, now); if (nxt) schedule(nxt);
 * ```
 *
 * Arrivals carry `clientId` (0 … N-1). `outstanding` never exceeds `concurrency`.
 */
export interface ClosedLoopOptions {
  /** `hey -c`: number of concurrent clients. */
  concurrency: number;
  /** When the clients start (ms). Default 0. */
  startMs?: number;
  /** `hey -z`: no request is sent at or after `startMs + durationMs`. Default: unlimited. */
  durationMs?: number;
  /** `hey -n`: total requests across all clients. Default: unlimited. */
  maxRequests?: number;
  /** `hey -q`: at most this many requests per second **per client** (hey's semantics). */
  qpsPerClient?: number;
  /** Think time between a response and the next request (ms). Default 0 (hey has none). */
  think?: Sampler;
  random: Random;
  /** Service-time stream; defaults to `random`. */
  serviceRandom?: Random;
  service: Sampler;
  target?: string;
  /** `hey -t`: each client gives up on a request after this long (ms; 0 or absent: never). */
  timeoutMs?: number;
  /** `hey -H`: the headers of every request. */
  headers?: Readonly<Record<string, string>>;
}

export class ClosedLoopClients {
  readonly concurrency: number;
  private readonly startMs: number;
  private readonly endMs: number;
  private readonly maxRequests: number;
  private readonly minGapMs: number;
  private readonly think: Sampler | undefined;
  private readonly random: Random;
  private readonly serviceRandom: Random;
  private readonly service: Sampler;
  private readonly target: string | undefined;
  private readonly timeoutMs: number;
  private readonly headers: Readonly<Record<string, string>> | undefined;
  /** Last send time per client (for `-q`). */
  private readonly lastSend: Float64Array;
  /** 1 while the client has a request in flight. */
  private readonly inFlight: Uint8Array;
  private sent = 0;
  private out = 0;
  private started = false;

  constructor(o: ClosedLoopOptions) {
    if (!Number.isInteger(o.concurrency) || o.concurrency < 1) {
      throw new RangeError(`closed loop concurrency must be an integer >= 1, got ${o.concurrency}`);
    }
    this.concurrency = o.concurrency;
    this.startMs = o.startMs ?? 0;
    this.endMs = this.startMs + (o.durationMs ?? Number.POSITIVE_INFINITY);
    this.maxRequests = o.maxRequests ?? Number.POSITIVE_INFINITY;
    if (o.qpsPerClient !== undefined && !(o.qpsPerClient > 0)) {
      throw new RangeError(`closed loop qps must be > 0, got ${o.qpsPerClient}`);
    }
    this.minGapMs = o.qpsPerClient === undefined ? 0 : 1000 / o.qpsPerClient;
    this.think = o.think;
    this.random = o.random;
    this.serviceRandom = o.serviceRandom ?? o.random;
    this.service = o.service;
    this.target = o.target;
    this.timeoutMs = o.timeoutMs ?? 0;
    this.headers = o.headers;
    this.lastSend = new Float64Array(o.concurrency).fill(Number.NEGATIVE_INFINITY);
    this.inFlight = new Uint8Array(o.concurrency);
  }

  /** Requests currently sent and not yet answered. */
  get outstanding(): number {
    return this.out;
  }

  /** Requests sent so far. */
  get requestsSent(): number {
    return this.sent;
  }

  /**
   * When the next request not yet sent would go, as far as is known at `nowMs`: the earliest
   * request of a client that is scheduled but not yet due, or `nowMs` while a client waits for an
   * answer and may send again after it; undefined once none will send again.
   */
  nextUnsentMs(nowMs: number): number | undefined {
    if (!this.started) return Math.max(nowMs, this.startMs);
    if (this.out === 0 || !(nowMs < this.endMs)) return undefined;
    let next: number | undefined;
    for (let id = 0; id < this.concurrency; id++) {
      if (this.inFlight[id] !== 1) continue;
      const due = this.lastSend[id] as number;
      // A request already sent: the client's next one can only follow its answer.
      if (!(due > nowMs) && this.sent >= this.maxRequests) continue;
      const at = Math.max(due, nowMs);
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  /** True once no client will send again and nothing is outstanding. */
  get finished(): boolean {
    return this.started && this.out === 0;
  }

  /**
   * The first request of every client, at `max(nowMs, startMs)` (all at once, as hey does).
   * Call once.
   */
  start(nowMs = this.startMs): Arrival[] {
    if (this.started) throw new Error('ClosedLoopClients.start() called twice');
    this.started = true;
    const at = Math.max(nowMs, this.startMs);
    const out: Arrival[] = [];
    for (let id = 0; id < this.concurrency; id++) {
      const a = this.send(id, at);
      if (a === undefined) break;
      out.push(a);
    }
    return out;
  }

  /**
   * Client `clientId` got its response (or error) at `nowMs`. Returns its next request (at
   * `nowMs` + think time, delayed to honour `-q`), or `undefined` if the client is done.
   */
  onResponse(clientId: number, nowMs: number): Arrival | undefined {
    if (this.inFlight[clientId] !== 1) {
      throw new Error(`closed loop: response for client ${clientId}, which has no request outstanding`);
    }
    this.inFlight[clientId] = 0;
    this.out--;
    let at = nowMs;
    if (this.think !== undefined) at += this.think(this.random);
    const earliest = (this.lastSend[clientId] as number) + this.minGapMs;
    if (at < earliest) at = earliest;
    return this.send(clientId, at);
  }

  private send(id: number, at: number): Arrival | undefined {
    if (!(at < this.endMs) || this.sent >= this.maxRequests) return undefined;
    this.sent++;
    this.out++;
    this.inFlight[id] = 1;
    this.lastSend[id] = at;
    return makeArrival(at, this.service(this.serviceRandom), this.target, 'request', id, this.timeoutMs, this.headers);
  }
}
