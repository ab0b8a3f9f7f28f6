/** Scenario durations are Go durations without a sign (src/model/duration.ts). */
export { DurationError, formatDuration, parseDuration } from '../model/duration.js';

/**
 * The longest simulated time a scenario may name (a step's `at`, a sleep, a wait's timeout, an
 * expectation's `by`, a load phase's `at` and `for`): 366 days. Real scenarios stay within days
 * (diurnal-24h is one); beyond a year a number is a typo, and a run would never get there.
 */
export const MAX_SCENARIO_MS = 366 * 24 * 3_600_000;

/** Why a duration is refused as too long, in the words the parser reports. */
export function tooLongMessage(text: string): string {
  return `${text} is longer than a scenario can run (at most 366 days, i.e. 8784h)`;
}
