/** Scenario durations are Go durations without a sign (src/model/duration.ts). */
export { DurationError, formatDuration, isDuration, parseDuration } from '../model/duration.js';
