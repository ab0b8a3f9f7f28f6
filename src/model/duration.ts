/**
 * Durations as Kubernetes, Knative and our scenario files write them: Go's `time.ParseDuration`
 * syntax. One or more `<decimal><unit>` terms with units ns, us (µs, μs), ms, s, m, h, e.g.
 * `500ms`, `1.5s`, `1h30m`, or a bare `0`. Values are milliseconds (fractional for ns/us).
 *
 * A bare number other than 0 is rejected with a hint: a unit-less duration is the classic
 * seconds-or-milliseconds mistake, and Go rejects it too.
 */

export class DurationError extends Error {
  constructor(
    readonly input: string,
    detail: string,
  ) {
    super(`invalid duration ${JSON.stringify(input)}: ${detail}`);
    this.name = 'DurationError';
  }
}

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

const UNIT_LIST = 'ns, us, ms, s, m, h';

export interface DurationOptions {
  /** Accept a leading `+` or `-` (Go does; scenario fields never need a negative duration). */
  signed?: boolean;
}

/** Parses a duration into milliseconds; throws DurationError saying what is wrong. */
export function parseDuration(input: string | number, options: DurationOptions = {}): number {
  const text = String(input);
  const bad = (why: string): never => {
    throw new DurationError(text, why);
  };
  if (typeof input === 'number') {
    if (input === 0) return 0;
    bad(`missing unit (e.g. "${input}s"; units: ${UNIT_LIST})`);
  }
  if (typeof input !== 'string') bad('expected a string');
  let s = text.trim();
  if (s === '') bad('empty');
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (!options.signed) bad('a sign is not allowed');
    sign = s[0] === '-' ? -1 : 1;
    s = s.slice(1);
    if (s === '') bad('no number after the sign');
  }
  if (s === '0') return 0;
  let i = 0;
  let total = 0;
  while (i < s.length) {
    const numStart = i;
    while (i < s.length && /[0-9.]/.test(s[i]!)) i++;
    const num = s.slice(numStart, i);
    if (num === '') bad(`expected a number at "${s.slice(i)}"`);
    if (!/^(\d+(\.\d*)?|\.\d+)$/.test(num)) bad(`"${num}" is not a number`);
    const unitStart = i;
    while (i < s.length && !/[0-9.]/.test(s[i]!)) i++;
    const unit = s.slice(unitStart, i);
    if (unit === '') bad(`missing unit (e.g. "${s}s"; units: ${UNIT_LIST})`);
    const factor = UNIT_MS[unit];
    if (factor === undefined) bad(`unknown unit "${unit}" (units: ${UNIT_LIST})`);
    total += Number(num) * factor!;
  }
  if (!Number.isFinite(total)) bad('too large');
  // Whole nanoseconds, as Go keeps them; also rounds away binary noise (1m30.1s).
  return sign * (Math.round(total * 1e6) / 1e6);
}

/** Go's `time.ParseDuration` as a value: milliseconds, or undefined when the text is not a duration. */
export function parseGoDuration(text: string): number | undefined {
  try {
    return parseDuration(text, { signed: true });
  } catch {
    return undefined;
  }
}

/**
 * Compact form for messages and scenarios: 0 → "0s", 1500 → "1.5s", 90000 → "1m30s",
 * 5400000 → "1h30m", 250 → "250ms". parseDuration(formatDuration(ms)) === ms for whole ms.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0s';
  if (ms < 1000) {
    if (Number.isInteger(ms)) return `${ms}ms`;
    const us = Math.round(ms * 1000 * 1000) / 1000;
    return Number.isInteger(us) ? `${us}us` : `${Math.round(ms * 1e6)}ns`;
  }
  const { h, m, sec } = split(ms);
  let out = '';
  if (h) out += `${h}h`;
  if (m) out += `${m}m`;
  if (sec) out += `${trimNumber(sec)}s`;
  return out;
}

/** How Go prints a `time.Duration`: `1m0s`, `6s`, `1.5s`, `1h30m0s`, `250ms`, `0s`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) {
    if (abs >= 1) return `${sign}${trimNumber(abs)}ms`;
    if (abs >= 1e-3) return `${sign}${trimNumber(abs * 1e3)}µs`;
    return `${sign}${trimNumber(abs * 1e6)}ns`;
  }
  const { h, m, sec } = split(abs);
  if (h > 0) return `${sign}${h}h${m}m${trimNumber(sec)}s`;
  if (m > 0) return `${sign}${m}m${trimNumber(sec)}s`;
  return `${sign}${trimNumber(sec)}s`;
}

function split(ms: number): { h: number; m: number; sec: number } {
  let rest = ms;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  return { h, m, sec: Math.round(rest * 1e3) / 1e6 };
}

function trimNumber(n: number): string {
  return Number.parseFloat(n.toFixed(9)).toString();
}
