/**
 * Durations as scenario files write them: Go's `time.ParseDuration` syntax (what Kubernetes and
 * Knative use, e.g. `autoscaling.knative.dev/window: "60s"`): an optional sign, then one or more
 * `<decimal><unit>` terms with units `ns`, `us` (or `µs`/`μs`), `ms`, `s`, `m`, `h`, e.g. `500ms`,
 * `1.5s`, `1h30m`. The result is in milliseconds (a float: `1500us` is `1.5`).
 *
 * **Bare numbers are rejected** (`30`, `"30"`), except `0`, with a hint (`missing unit (e.g.
 * "30s")`). Choice: a unit-less duration is the classic seconds-or-milliseconds mistake, Go and
 * Knative's annotations reject it too, and the scenario parser (src/scenario/duration.ts) does the
 * same for its own fields, so one scenario file follows one rule.
 */

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

const TERM = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)$/;

export class DurationError extends Error {
  constructor(
    readonly input: string,
    detail: string,
  ) {
    super(`invalid duration ${JSON.stringify(input)}: ${detail}`);
    this.name = 'DurationError';
  }
}

/** Parses `1h30m`, `500ms`, `2.5s` (or `0`) into milliseconds. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (input === 0) return 0;
    throw new DurationError(String(input), `missing unit (e.g. "${input}s"; units: ns, us, ms, s, m, h)`);
  }
  const s = input.trim();
  if (s === '') throw new DurationError(input, 'empty');
  if (NUMBER.test(s)) {
    if (Number(s) === 0) return 0;
    throw new DurationError(input, `missing unit (e.g. "${s}s"; units: ns, us, ms, s, m, h)`);
  }
  let i = 0;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    sign = s[0] === '-' ? -1 : 1;
    i = 1;
  }
  if (i === s.length) throw new DurationError(input, 'no number after the sign');
  let total = 0;
  while (i < s.length) {
    TERM.lastIndex = i;
    const m = TERM.exec(s);
    if (m === null) {
      throw new DurationError(input, `expected <number><unit> at offset ${i} (units: ns, us, ms, s, m, h)`);
    }
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    i = TERM.lastIndex;
  }
  return sign * total;
}

/** Formats milliseconds Go-style (`1h30m0s`, `1.5s`, `250ms`), for messages and docs. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${round(rest)}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = round(rest / 1000);
  if (h > 0) return `${sign}${h}h${m}m${sec}s`;
  if (m > 0) return `${sign}${m}m${sec}s`;
  return `${sign}${sec}s`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
