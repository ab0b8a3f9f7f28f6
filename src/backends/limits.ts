/**
 * Bounds on the work of one simulated run, and how a run is stopped early (a limit reached, or
 * SIGINT/SIGTERM). The simulator runs in slices of simulated time; between slices the pacer checks
 * the limits and the stop signal, and now and then lets the event loop turn so a signal can be
 * heard. Slicing changes nothing in the run: the engine delivers every callback at the same
 * (time, sequence) position however its runUntil calls are cut.
 */
import {
  DEFAULT_RUN_LIMITS,
  LIMIT_FLAGS,
  type RunLimits,
  SIGNAL_EXIT_CODES,
  type StopSignal,
} from '../io/runLimits.js';

export { DEFAULT_RUN_LIMITS, LIMIT_FLAGS, type RunLimits, SIGNAL_EXIT_CODES, type StopSignal };

/**
 * The run was stopped before its end: by a signal (`signal`), or because it reached a limit
 * (`limit`, with the words of what was reached). The log gets its `end` line; the command exits
 * with `exitCode` (130/143 for a signal, 2 for a limit: the input asked for too much).
 */
export class RunStopped extends Error {
  readonly exitCode: number;
  constructor(
    message: string,
    readonly atMs: number,
    readonly signal?: StopSignal,
    readonly limit?: keyof RunLimits,
  ) {
    super(message);
    this.name = 'RunStopped';
    this.exitCode = signal ? SIGNAL_EXIT_CODES[signal] : 2;
  }
}

/** What the pacer reads of the run. */
export interface RunGauges {
  now(): number;
  events(): number;
  requests(): number;
  inFlight(): number;
}

/** How a run hears that it should stop (an AbortSignal whose reason is the signal's name). */
export interface StopRequest {
  readonly aborted: boolean;
  readonly reason?: unknown;
}

const n = (x: number) => x.toLocaleString('en-US');

/** Let the event loop turn (signals, timers, I/O) every this many events. */
const PAUSE_EVERY_EVENTS = 20_000;
/** …or every this many slices, for a long run with few events. */
const PAUSE_EVERY_SLICES = 2_000;

export class Pacer {
  private readonly limits: RunLimits;
  private lastPauseEvents = 0;
  private slices = 0;

  constructor(
    private readonly gauges: RunGauges,
    limits: Partial<RunLimits> = {},
    private readonly stop?: StopRequest,
  ) {
    this.limits = { ...DEFAULT_RUN_LIMITS, ...limits };
  }

  /**
   * The time a slice may run to: `t`, but not past the time limit; asking to go on from the limit
   * stops the run (a run that ends exactly at the limit is not stopped).
   */
  sliceTo(t: number): number {
    const max = this.limits.maxTimeMs;
    if (t <= max) return t;
    if (this.gauges.now() >= max) {
      throw this.reached('maxTimeMs', `${formatHours(max)} of simulated time`);
    }
    return max;
  }

  private reached(limit: keyof RunLimits, what: string): RunStopped {
    return new RunStopped(
      `the run was stopped: it reached ${what} (${LIMIT_FLAGS[limit]} raises the limit)`,
      this.gauges.now(),
      undefined,
      limit,
    );
  }

  /**
   * Between two slices: throws RunStopped when a limit is reached or a stop was asked for;
   * now and then returns a promise that waits a macrotask so that a signal can be heard, else
   * undefined (a slice is 100 ms of simulated time: a day has 864,000 of them, and awaiting each
   * would cost a promise and a microtask turn; callers await only what they are given).
   */
  pace(): Promise<void> | undefined {
    this.check();
    const events = this.gauges.events();
    if (++this.slices >= PAUSE_EVERY_SLICES || events - this.lastPauseEvents >= PAUSE_EVERY_EVENTS) {
      this.slices = 0;
      this.lastPauseEvents = events;
      return this.pause();
    }
    return undefined;
  }

  /**
   * A macrotask's wait, then the checks again. Its own method: a closure made in `pace` would have
   * every call of it (864,000 a simulated day) allocate the context the closure captures.
   */
  private pause(): Promise<void> {
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.check());
  }

  /** Throws RunStopped when the run must end now. */
  check(): void {
    const { gauges, limits } = this;
    const at = gauges.now();
    if (this.stop?.aborted) {
      const signal: StopSignal = this.stop.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
      throw new RunStopped(`interrupted by ${signal}`, at, signal);
    }
    // (No closure made per call: this runs between every two 100-ms slices, 864,000 times a day.)
    if (gauges.events() > limits.maxEvents) {
      throw this.reached('maxEvents', `${n(limits.maxEvents)} simulated events`);
    }
    if (gauges.requests() > limits.maxRequests) throw this.reached('maxRequests', `${n(limits.maxRequests)} requests`);
    if (gauges.inFlight() > limits.maxInFlight) {
      throw this.reached('maxInFlight', `${n(limits.maxInFlight)} requests waiting for an answer at once`);
    }
  }
}

function formatHours(ms: number): string {
  const h = ms / 3_600_000;
  return Number.isInteger(h) ? `${h}h` : `${ms / 1000}s`;
}
