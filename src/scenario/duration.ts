/**
 * Go / kubectl style durations: `500ms`, `30s`, `2m`, `1h30m`, `1m30.5s`, `0`.
 * Units: ns, us (or µs/μs), ms, s, m, h. Values are returned in milliseconds (may be fractional
 * for ns/us). Signs are not accepted: a scenario never needs a negative duration.
 */

export class DurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DurationError';
  }
}

const UNIT_MS: Record<string, number> = {
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

/** Parse a duration; throws DurationError with a message such as `invalid duration "30": missing unit (e.g. "30s")`. */
export function parseDuration(text: string): number {
  if (typeof text !== 'string') throw new DurationError(`invalid duration ${JSON.stringify(text)}: expected a string`);
  const s = text.trim();
  const bad = (why: string): never => {
    throw new DurationError(`invalid duration ${JSON.stringify(text)}: ${why}`);
  };
  if (s === '') bad('empty');
  if (s === '0') return 0;
  if (s[0] === '-' || s[0] === '+') bad('a sign is not allowed');
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
  // Round away binary noise from fractional inputs such as 1m30.1s.
  return Math.round(total * 1e6) / 1e6;
}

/** True when `text` is a valid duration. */
export function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Format milliseconds compactly in the same syntax: 0 → "0s", 1500 → "1.5s", 90000 → "1m30s",
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
  let rest = ms;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = Math.round(rest * 1e3) / 1e6; // seconds, rounded to nanosecond precision
  let out = '';
  if (h) out += `${h}h`;
  if (m) out += `${m}m`;
  if (sec) out += `${trimNumber(sec)}s`;
  return out;
}

function trimNumber(n: number): string {
  return Number.parseFloat(n.toFixed(9)).toString();
}
