/**
 * The bounds on a simulated run's work and the signals that stop a command, as plain data: the
 * command line reads them for its flags and help without loading the simulator
 * (src/backends/limits.ts applies them).
 */

export interface RunLimits {
  /** The most simulated time a run may reach, in ms. */
  maxTimeMs: number;
  /** The most engine events (scheduled callbacks) a run may deliver. */
  maxEvents: number;
  /** The most requests a run may send. */
  maxRequests: number;
  /** The most requests that may wait for an answer at the same time (memory grows with them). */
  maxInFlight: number;
}

/**
 * Far above every shipped scenario (the largest, diurnal-24h, reaches 24 h, 17 M events and
 * 8.6 M requests, never 100,000 requests in flight) and far below what exhausts a laptop: 200 M
 * events take a few minutes, a million requests in flight a few hundred MB. The time limit is the
 * longest duration a scenario may name (366 days, src/scenario/duration.ts MAX_SCENARIO_MS).
 */
export const DEFAULT_RUN_LIMITS: Readonly<RunLimits> = {
  maxTimeMs: 366 * 24 * 3_600_000,
  maxEvents: 200_000_000,
  maxRequests: 100_000_000,
  maxInFlight: 1_000_000,
};

/** The flag that raises each limit, for the message that says which was reached. */
export const LIMIT_FLAGS: Readonly<Record<keyof RunLimits, string>> = {
  maxTimeMs: '--max-time',
  maxEvents: '--max-events',
  maxRequests: '--max-requests',
  maxInFlight: '--max-in-flight',
};

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** 128 + the signal's number, as a shell reports a process ended by it. */
export const SIGNAL_EXIT_CODES: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };
