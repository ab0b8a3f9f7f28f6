/**
 * Go-style duration strings (`60s`, `1m30s`, `1.5h`, `500ms`, `0`) turned into milliseconds.
 *
 * Knative reads every duration key of its ConfigMaps and annotations with Go's
 * `time.ParseDuration`, so we accept the same grammar: an optional sign, then one or more
 * `<number><unit>` pairs, with units ns, us (µs, μs), ms, s, m and h. A bare `0` is allowed.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;

/** Parses a Go duration into milliseconds, or returns `undefined` when the text is not one. */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let totalMs = 0;
  while (rest !== '') {
    const m = PART.exec(rest);
    if (m === null) return undefined;
    const whole = m[1] ?? '';
    const frac = m[2];
    if (whole === '' && (frac === undefined || frac === '')) return undefined;
    const value = Number(`${whole === '' ? '0' : whole}.${frac ?? '0'}`);
    totalMs += value * (UNIT_MS[m[3] ?? ''] ?? Number.NaN);
    rest = rest.slice(m[0].length);
  }
  if (!Number.isFinite(totalMs)) return undefined;
  // Go durations are whole nanoseconds.
  return sign * (Math.round(totalMs * 1e6) / 1e6);
}

/** Formats milliseconds the way Go prints a `time.Duration` (`1m0s`, `6s`, `1.5s`, `0s`). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) {
    if (rest >= 1) return `${sign}${trimNumber(rest)}ms`;
    if (rest >= 1e-3) return `${sign}${trimNumber(rest * 1e3)}µs`;
    return `${sign}${trimNumber(rest * 1e6)}ns`;
  }
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = trimNumber(rest / 1000);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

function trimNumber(n: number): string {
  return String(Math.round(n * 1e9) / 1e9);
}
