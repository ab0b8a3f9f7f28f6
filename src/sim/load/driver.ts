/**
 * The load driver both backends use: builds a scenario's `load:` phases (same seed, same arrivals),
 * sends open-loop arrivals at their times, and runs closed-loop (`hey`) clients that send their
 * next request when the previous one is answered. What "now" and "later" mean, and how a request
 * is sent, is the backend's: simulated time and the simulated ingress, or the wall clock and real
 * HTTP.
 */
import seedrandom from 'seedrandom';
import type { Engine } from '../engine.js';
import type { ClosedLoopClients } from './closedLoop.js';
import { forkRandom } from './rng.js';
import { type BuiltLoad, buildLoad } from './spec.js';
import { type Arrival, type ArrivalSource, makeArrival } from './types.js';

/** Time as the backend keeps it. */
export interface LoadClock {
  now(): number;
  /** Calls `fn(arg)` at run time `at` (never before). */
  call<A>(at: number, fn: (arg: A) => void, arg: A): void;
  /**
   * A queue of its own for one time-ordered stream of calls (the simulator's engine lane: the
   * arrivals of one source need not go through the shared heap). Defaults to `call`.
   */
  lane?(): <A>(at: number, fn: (arg: A) => void, arg: A) => void;
  /**
   * Whether the next arrival, due at `next.atMs` (not before now), may be sent now, in order with
   * everything else scheduled: the simulator delivers first what is due before it
   * (`Engine.advanceTo`) and moves its clock there; the wall clock only says whether its time has
   * come. (The time is read from the arrival: a double passed as an argument to a call the
   * compiler does not inline is boxed, an object a request.)
   */
  tryAdvance(next: { readonly atMs: number }): boolean;
}

/**
 * The simulator's clock: its engine, the arrivals in a lane of their own. A class, not an object
 * of bound functions: the pump calls `tryAdvance` once a request, and a call through a bound
 * function the compiler does not inline boxes the time it is given (a heap number a request);
 * a method of a class the pump sees one of is inlined, `Engine.advanceTo` with it.
 */
class EngineLoadClock implements LoadClock {
  constructor(private readonly engine: Engine) {}

  now(): number {
    return this.engine.now();
  }

  call<A>(at: number, fn: (arg: A) => void, arg: A): void {
    this.engine.call(at, fn, arg);
  }

  lane(): <A>(at: number, fn: (arg: A) => void, arg: A) => void {
    const engine = this.engine;
    const id = engine.lane();
    return (at, fn, arg) => engine.callInLane(id, at, fn, arg);
  }

  // The pump's next arrival needs no event of its own: what comes before it is delivered from
  // within the pump, and the pump goes on (one lane push and delivery fewer a request).
  tryAdvance(next: { readonly atMs: number }): boolean {
    return this.engine.advanceToTimeOf(next);
  }
}

export function engineLoadClock(engine: Engine): LoadClock {
  return new EngineLoadClock(engine);
}

/** How the backend sends one arrival. */
export interface LoadSender {
  /**
   * Sends `arrival` now. It is valid only during the call (the driver reuses it): copy what you
   * keep. `answered` (closed loop only) is called once when the request ended, answered or not.
   */
  send(arrival: Arrival, answered?: () => void): void;
}

export interface LoadOptions {
  /** The run's seed: the load draws from its own stream (`<seed>/load`), the same in every backend. */
  seed: number;
  /** Where trace files named by the scenario are found. */
  baseDir: string;
  /** Run time the phases' `at` counts from. */
  originMs?: number;
  defaultTarget?: string;
}

/**
 * What of a started load is still to come: a run ends at its last step, and load due after it
 * is never sent (the runner says so rather than let a cut phase pass unnoticed).
 */
export interface LoadProgress {
  /** When each phase starts and ends (ms of run time; `endMs` is Infinity when unknown). */
  readonly phases: BuiltLoad['phases'];
  /** The time of the next request not yet sent, or undefined once every phase has sent its last. */
  nextUnsentMs(): number | undefined;
}

export const NOTHING_TO_COME: LoadProgress = { phases: [], nextUnsentMs: () => undefined };

/** Starts the scenario's load phases (validated specs) on a backend's clock and sender. */
export function startLoad(phases: unknown[], options: LoadOptions, clock: LoadClock, sender: LoadSender): LoadProgress {
  if (phases.length === 0) return NOTHING_TO_COME;
  const built = buildLoad(phases, {
    random: forkRandom(seedrandom(`${options.seed}/load`)),
    baseDir: options.baseDir,
    ...(options.originMs !== undefined ? { originMs: options.originMs } : {}),
    ...(options.defaultTarget ? { defaultTarget: options.defaultTarget } : {}),
  });
  const open = pump(built.source, clock, sender);
  for (const clients of built.closedLoop) driveClosedLoop(clients, clock, sender);
  return {
    phases: built.phases,
    nextUnsentMs() {
      let next = open.nextUnsentMs();
      for (const clients of built.closedLoop) {
        const at = clients.nextUnsentMs(clock.now());
        if (at !== undefined && (next === undefined || at < next)) next = at;
      }
      return next;
    },
  };
}

/**
 * Sends every arrival of an open-loop source at its time, holding one arrival at a time, written
 * into one object (`nextInto`; a source without it is copied in): memory stays flat however long
 * the load, and no allocation per request.
 */
export function pump(source: ArrivalSource, clock: LoadClock, sender: LoadSender): Pick<LoadProgress, 'nextUnsentMs'> {
  const into: IntoSource = source.nextInto !== undefined ? (source as IntoSource) : new CopiedInto(source);
  const arrival = makeArrival(0, 0, undefined);
  // The one arrival the pump holds is the next one to send until the source runs dry.
  let exhausted = false;
  const progress = { nextUnsentMs: () => (exhausted ? undefined : arrival.atMs) };
  if (!into.nextInto(arrival)) {
    exhausted = true;
    source.close?.();
    return progress;
  }
  const later = clock.lane?.() ?? clock.call.bind(clock);
  // One callback for the whole source, the arrival as its argument: no closure per request. An
  // arrival that may be delivered at once is sent in the same loop; the next one due later waits.
  const fire = (next: Arrival) => {
    for (;;) {
      sender.send(next);
      if (!into.nextInto(next)) {
        exhausted = true;
        source.close?.();
        return;
      }
      // Its time, not earlier than now, goes back into the arrival (which only the pump reads).
      const now = clock.now();
      if (!(next.atMs >= now)) next.atMs = now;
      if (!clock.tryAdvance(next)) {
        later(next.atMs, fire, next);
        return;
      }
    }
  };
  clock.call(Math.max(arrival.atMs, clock.now()), fire, arrival);
  return progress;
}

type IntoSource = Required<Pick<ArrivalSource, 'nextInto'>>;

/** `nextInto` for a source that makes fresh arrivals (a merge, a sequence): each one copied in. */
class CopiedInto implements IntoSource {
  constructor(private readonly source: ArrivalSource) {}
  nextInto(out: Arrival): boolean {
    const a = this.source.next();
    if (a === undefined) return false;
    out.atMs = a.atMs;
    out.serviceMs = a.serviceMs;
    out.target = a.target;
    out.clientId = a.clientId;
    out.kind = a.kind;
    out.timeoutMs = a.timeoutMs;
    out.headers = a.headers;
    return true;
  }
}

/**
 * Closed-loop clients: each sends its next request when its previous one ended (answered with
 * any status, or not at all), as `hey` does.
 */
export function driveClosedLoop(clients: ClosedLoopClients, clock: LoadClock, sender: LoadSender): void {
  const send = (arrival: Arrival) => {
    const client = arrival.clientId ?? 0;
    sender.send(arrival, () => {
      const next = clients.onResponse(client, clock.now());
      if (next) schedule(next);
    });
  };
  const schedule = (arrival: Arrival) => clock.call(Math.max(arrival.atMs, clock.now()), send, arrival);
  for (const arrival of clients.start()) schedule(arrival);
}
