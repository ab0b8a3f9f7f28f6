import { SIM_EPOCH_MS } from '../../model/rules/time.js';
import { parseDuration } from './duration.js';
import { ConstantRateSource, type PhaseOptions, PhaseSource, PoissonSource } from './openLoop.js';
import type { ArrivalSource } from './types.js';

/**
 * Eventing as load: a PingSource-like cron schedule and a CloudEvents source at a rate. Both emit
 * arrivals with `kind: 'event'` addressed to the sink (`target`), standing for the CloudEvent POST
 * that the eventing adapter makes to the sink Service.
 */

/** Simulated time 0 is SIM_EPOCH_MS (2026-01-01T00:00:00Z, a Thursday); cron is evaluated in UTC. */
export { SIM_EPOCH_MS };

const MINUTE = 60_000;

export class CronError extends Error {
  constructor(
    readonly expression: string,
    detail: string,
  ) {
    super(`invalid cron schedule ${JSON.stringify(expression)}: ${detail}`);
    this.name = 'CronError';
  }
}

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldDef[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/**
 * A parsed 5-field cron schedule (minute hour day-of-month month day-of-week), the syntax of
 * PingSource's `schedule` (robfig/cron's standard parser): `*`, `?`, numbers, names (`JAN`, `MON`),
 * ranges `a-b`, steps `*\/n`, `a-b/n`, `a/n`, lists `a,b-c`; day of week 0-7 (0 and 7 are Sunday);
 * descriptors `@hourly`, `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually`.
 * If both day fields are restricted (neither starts with `*` or `?`), a day matches if **either**
 * matches (classic cron). `@every <duration>` is handled by {@link PingSourceArrivals}. Time zones
 * (`CRON_TZ=`, PingSource's `timezone`) are not supported: the schedule runs in UTC.
 */
export class CronSchedule {
  readonly minutes: Uint8Array;
  readonly hours: Uint8Array;
  readonly doms: Uint8Array;
  readonly months: Uint8Array;
  readonly dows: Uint8Array;
  readonly domStar: boolean;
  readonly dowStar: boolean;

  constructor(readonly expression: string) {
    const src = DESCRIPTORS[expression.trim().toLowerCase()] ?? expression.trim();
    const parts = src.split(/\s+/);
    if (parts.length !== 5) throw new CronError(expression, `expected 5 fields, got ${parts.length}`);
    const sets = parts.map((p, i) => parseField(expression, p, FIELDS[i] as FieldDef));
    [this.minutes, this.hours, this.doms, this.months, this.dows] = sets as [
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
    ];
    if (this.dows[7] === 1) this.dows[0] = 1;
    this.domStar = /^[*?]/.test(parts[2] as string);
    this.dowStar = /^[*?]/.test(parts[4] as string);
  }

  private dayMatches(d: Date): boolean {
    const dom = this.doms[d.getUTCDate()] === 1;
    const dow = this.dows[d.getUTCDay()] === 1;
    return this.domStar || this.dowStar ? dom && dow : dom || dow;
  }

  /**
   * The first fire at or after `simMs` (ms of simulated time since {@link SIM_EPOCH_MS}), or
   * `undefined` if there is none within 5 years (e.g. `0 0 30 2 *`).
   */
  nextAtOrAfter(simMs: number): number | undefined {
    let t = SIM_EPOCH_MS + Math.ceil(simMs / MINUTE) * MINUTE;
    const limit = t + 5 * 366 * 24 * 60 * MINUTE;
    const d = new Date(t);
    while (t < limit) {
      d.setTime(t);
      if (this.months[d.getUTCMonth() + 1] !== 1) {
        t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      } else if (!this.dayMatches(d)) {
        t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
      } else if (this.hours[d.getUTCHours()] !== 1) {
        t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
      } else if (this.minutes[d.getUTCMinutes()] !== 1) {
        t += MINUTE;
      } else {
        return t - SIM_EPOCH_MS;
      }
    }
    return undefined;
  }
}

function parseField(expr: string, field: string, def: FieldDef): Uint8Array {
  const set = new Uint8Array(def.max + 1);
  const bad = (why: string): never => {
    throw new CronError(expr, `${def.name} field ${JSON.stringify(field)}: ${why}`);
  };
  const value = (s: string): number => {
    const idx = def.names?.indexOf(s.toUpperCase()) ?? -1;
    if (idx >= 0) return idx + (def.name === 'month' ? 1 : 0);
    if (!/^\d+$/.test(s)) bad(`${JSON.stringify(s)} is not a number${def.names ? ' or a name' : ''}`);
    const n = Number(s);
    if (n < def.min || n > def.max) bad(`${n} is outside ${def.min}-${def.max}`);
    return n;
  };
  for (const item of field.split(',')) {
    if (item === '') bad('empty list item');
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined) bad(`too many "/" in ${JSON.stringify(item)}`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) bad(`step ${JSON.stringify(stepText)} must be >= 1`);
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = def.min;
      hi = def.name === 'day of week' ? 6 : def.max;
    } else {
      const [a, b, more] = (range as string).split('-');
      if (more !== undefined) bad(`bad range ${JSON.stringify(range)}`);
      lo = value(a as string);
      hi = b !== undefined ? value(b) : stepText !== undefined ? def.max : lo;
      if (lo > hi) bad(`range ${lo}-${hi} goes backwards`);
    }
    for (let v = lo; v <= hi; v += step) set[v] = 1;
  }
  return set;
}

/** `@every 90s`, or undefined for a cron schedule. */
function everyMs(schedule: string): number | undefined {
  const m = /^@every\s+(.+)$/i.exec(schedule.trim());
  if (m === null) return undefined;
  let ms: number;
  try {
    ms = parseDuration(m[1] as string);
  } catch {
    ms = Number.NaN;
  }
  if (!(ms > 0)) throw new CronError(schedule, `bad @every duration ${JSON.stringify(m[1])}`);
  return ms;
}

/** Validates a PingSource schedule (cron or `@every`); throws `CronError`. */
export function parseSchedule(schedule: string): CronSchedule | { everyMs: number } {
  const every = everyMs(schedule);
  return every !== undefined ? { everyMs: every } : new CronSchedule(schedule);
}

/**
 * One `kind: 'event'` arrival per fire of a PingSource schedule within the phase, addressed to the
 * sink (`target`). Fires are on whole minutes of the simulated UTC clock; `@every d` fires at
 * phase start + d, + 2d, … (robfig's constant-delay schedule).
 */
export class PingSourceArrivals extends PhaseSource {
  private readonly schedule: CronSchedule | { everyMs: number };
  private t: number;
  constructor(o: PhaseOptions, schedule: string) {
    super({ ...o, kind: 'event' });
    this.schedule = parseSchedule(schedule);
    this.t = this.startMs;
  }
  protected nextTime(): number {
    let at: number | undefined;
    if (this.schedule instanceof CronSchedule) {
      at = this.schedule.nextAtOrAfter(this.t);
      if (at !== undefined) this.t = at + MINUTE;
    } else {
      at = this.t + this.schedule.everyMs;
      this.t = at;
    }
    return at !== undefined && at < this.endMs ? at : Number.NaN;
  }
}

/** A CloudEvents source posting to the sink at a rate: Poisson (default) or equidistant. */
export function cloudEventsSource(
  o: PhaseOptions,
  rps: number,
  process: 'poisson' | 'constant' = 'poisson',
): ArrivalSource {
  const opts: PhaseOptions = { ...o, kind: 'event' };
  return process === 'constant' ? new ConstantRateSource(opts, rps) : new PoissonSource(opts, rps);
}
