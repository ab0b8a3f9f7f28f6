/**
 * Simulated time. The model never reads the wall clock: every rule takes `nowMs`, the number of
 * simulated milliseconds since {@link SIM_EPOCH_MS}. Object timestamps are RFC 3339 strings as
 * the Kubernetes API serves them (second precision, `Z` suffix: `2026-01-01T00:02:01Z`).
 */

/** The instant simulated time 0 maps to: 2026-01-01T00:00:00Z. */
export const SIM_EPOCH_MS = Date.UTC(2026, 0, 1, 0, 0, 0);

/**
 * The last second isoAt formatted: objects written in the same second share one string (a run
 * stamps thousands of objects, events and conditions, many in the same second).
 */
const lastIso = { ms: Number.NaN, text: '' };

/**
 * The RFC 3339 timestamp of simulated instant `nowMs`, truncated to whole seconds like
 * metav1.Time (which drops sub-second precision when it is serialised).
 */
export function isoAt(nowMs: number): string {
  const wholeSeconds = Math.floor((SIM_EPOCH_MS + nowMs) / 1000) * 1000;
  if (wholeSeconds === lastIso.ms) return lastIso.text;
  // Joined: one flat string, not a concatenation holding a slice of the whole ISO text.
  const text = [new Date(wholeSeconds).toISOString().slice(0, -5), 'Z'].join('');
  lastIso.ms = wholeSeconds;
  lastIso.text = text;
  return text;
}

/**
 * The simulated instant (ms since {@link SIM_EPOCH_MS}) of an RFC 3339 timestamp.
 * Returns NaN for text that is not a timestamp.
 */
export function parseIso(iso: string): number {
  return Date.parse(iso) - SIM_EPOCH_MS;
}

/**
 * A duration as kubectl prints an AGE: about two to three significant figures, finer for young
 * objects. Follows apimachinery's HumanDuration rules:
 * - under 2 minutes: seconds (`119s`); slightly negative (> -2s) clock skew prints `0s`, more is `<invalid>`;
 * - under 10 minutes: minutes and seconds (`2m1s`, `2m`);
 * - under 3 hours: minutes (`12m`, `179m`);
 * - under 8 hours: hours and minutes (`5h3m`, `3h`);
 * - under 2 days: hours (`47h`);
 * - under 8 days: days and hours (`3d4h`, `2d`);
 * - under 2 years: days (`364d`);
 * - under 8 years: years and days (`2y5d`); then years.
 */
export function humanDuration(durationMs: number): string {
  const seconds = Math.trunc(durationMs / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/** kubectl's AGE cell: HumanDuration since `timestamp`, or `<unknown>` when there is none. */
export function ageSince(timestamp: string | undefined, nowMs: number): string {
  if (!timestamp) return '<unknown>';
  const at = parseIso(timestamp);
  if (Number.isNaN(at)) return '<unknown>';
  return humanDuration(nowMs - at);
}
