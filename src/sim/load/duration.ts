/**
 * Load phase durations: Go syntax (src/model/duration.ts); a sign is accepted, a bare number
 * other than 0 is not (`30` → `missing unit (e.g. "30s")`).
 */
import { parseDuration as parse } from '../../model/duration.js';

export { DurationError, formatGoDuration as formatDuration } from '../../model/duration.js';

export function parseDuration(input: string | number): number {
  return parse(input, { signed: true });
}
