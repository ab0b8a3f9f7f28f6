/** Knative reads duration keys with Go's time.ParseDuration: one parser for all of knsim. */
export { formatGoDuration, parseGoDuration } from '../duration.js';
