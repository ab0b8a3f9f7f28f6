import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CronError,
  CronSchedule,
  cloudEventsSource,
  PingSourceArrivals,
  parseSchedule,
  SIM_EPOCH_MS,
} from '../../src/sim/load/eventing.js';
import { constant } from '../../src/sim/load/serviceTime.js';
import { drain } from '../../src/sim/load/types.js';
import { rng } from './helpers.js';

const iso = (simMs: number | undefined) =>
  simMs === undefined ? undefined : new Date(SIM_EPOCH_MS + simMs).toISOString();

/** The first `n` fires at or after the epoch, as ISO strings. */
function fires(expr: string, n: number, fromMs = 0): (string | undefined)[] {
  const c = new CronSchedule(expr);
  const out: (string | undefined)[] = [];
  let t = fromMs;
  for (let i = 0; i < n; i++) {
    const f = c.nextAtOrAfter(t);
    out.push(iso(f));
    if (f === undefined) break;
    t = f + 60_000;
  }
  return out;
}

describe('cron schedule (UTC, epoch 2026-01-01T00:00:00Z, a Thursday)', () => {
  it('steps, lists and ranges', () => {
    expect(fires('*/15 * * * *', 3)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:15:00.000Z',
      '2026-01-01T00:30:00.000Z',
    ]);
    expect(fires('5-10/2 * * * *', 4)).toEqual([
      '2026-01-01T00:05:00.000Z',
      '2026-01-01T00:07:00.000Z',
      '2026-01-01T00:09:00.000Z',
      '2026-01-01T01:05:00.000Z',
    ]);
    expect(fires('0,30 8-9 * * *', 5)).toEqual([
      '2026-01-01T08:00:00.000Z',
      '2026-01-01T08:30:00.000Z',
      '2026-01-01T09:00:00.000Z',
      '2026-01-01T09:30:00.000Z',
      '2026-01-02T08:00:00.000Z',
    ]);
    expect(fires('10/20 * * * *', 3)).toEqual([
      '2026-01-01T00:10:00.000Z',
      '2026-01-01T00:30:00.000Z',
      '2026-01-01T00:50:00.000Z',
    ]);
  });

  it('days of week, months, names, and Sunday as 0 or 7', () => {
    expect(fires('0 9 * * 1-5', 3)).toEqual([
      '2026-01-01T09:00:00.000Z',
      '2026-01-02T09:00:00.000Z',
      '2026-01-05T09:00:00.000Z',
    ]);
    expect(fires('0 9 * * MON-FRI', 3)).toEqual(fires('0 9 * * 1-5', 3));
    expect(fires('0 0 * * 7', 1)).toEqual(['2026-01-04T00:00:00.000Z']);
    expect(fires('0 0 * * sun', 1)).toEqual(fires('0 0 * * 0', 1));
    expect(fires('30 2 1 * *', 2)).toEqual(['2026-01-01T02:30:00.000Z', '2026-02-01T02:30:00.000Z']);
    expect(fires('0 12 1 JUN,DEC *', 2)).toEqual(['2026-06-01T12:00:00.000Z', '2026-12-01T12:00:00.000Z']);
  });

  it('day of month OR day of week when both are restricted', () => {
    // the 13th or a Friday: Fri 2 Jan comes first, then Fri 9, then Tue 13
    expect(fires('0 0 13 * 5', 3)).toEqual([
      '2026-01-02T00:00:00.000Z',
      '2026-01-09T00:00:00.000Z',
      '2026-01-13T00:00:00.000Z',
    ]);
    // with a star in day of week, only the 13th
    expect(fires('0 0 13 * *', 2)).toEqual(['2026-01-13T00:00:00.000Z', '2026-02-13T00:00:00.000Z']);
  });

  it('leap days and impossible dates', () => {
    expect(fires('0 0 29 2 *', 1)).toEqual(['2028-02-29T00:00:00.000Z']);
    expect(fires('0 0 30 2 *', 1)).toEqual([undefined]);
  });

  it('descriptors and starting mid-minute', () => {
    expect(fires('@hourly', 2)).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z']);
    expect(fires('@daily', 2, 1)).toEqual(['2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z']);
    expect(fires('@weekly', 1)).toEqual(['2026-01-04T00:00:00.000Z']);
    expect(fires('@monthly', 1, 1)).toEqual(['2026-02-01T00:00:00.000Z']);
    expect(fires('* * * * *', 1, 30_500)).toEqual(['2026-01-01T00:01:00.000Z']);
    expect(parseSchedule('@every 90s')).toEqual({ everyMs: 90_000 });
  });

  it.each([
    ['* * * *', /expected 5 fields, got 4/],
    ['60 * * * *', /minute field "60": 60 is outside 0-59/],
    ['*/0 * * * *', /step "0" must be >= 1/],
    ['5-1 * * * *', /range 5-1 goes backwards/],
    ['MON * * * *', /"MON" is not a number/],
    ['* * 0 * *', /day of month field "0": 0 is outside 1-31/],
    ['1,,2 * * * *', /empty list item/],
    ['@every soon', /bad @every duration/],
  ])('rejects %j', (expr, message) => {
    expect(() => parseSchedule(expr)).toThrow(CronError);
    expect(() => parseSchedule(expr)).toThrow(message);
  });
});

describe('eventing arrivals', () => {
  it('PingSource: one event per fire inside the phase, addressed to the sink', () => {
    const out = drain(
      new PingSourceArrivals(
        { startMs: 90_000, durationMs: 5 * 60_000, random: rng(), service: constant(3), target: 'http://sink' },
        '*/1 * * * *',
      ),
    );
    expect(out.map((a) => a.atMs)).toEqual([120_000, 180_000, 240_000, 300_000, 360_000]);
    expect(out.every((a) => a.kind === 'event' && a.target === 'http://sink' && a.serviceMs === 3)).toBe(true);
    const every = drain(
      new PingSourceArrivals({ startMs: 1000, durationMs: 10_000, random: rng(), service: constant(1) }, '@every 3s'),
    );
    expect(every.map((a) => a.atMs)).toEqual([4000, 7000, 10_000]);
  });

  it('CloudEvents source at a rate', () => {
    const p = drain(
      cloudEventsSource({ durationMs: 100_000, random: rng('ce'), service: constant(1), target: 'http://sink' }, 20),
    );
    expect(Math.abs(p.length - 2000)).toBeLessThan(4 * Math.sqrt(2000));
    expect(p.every((a) => a.kind === 'event')).toBe(true);
    const c = drain(cloudEventsSource({ durationMs: 1000, random: rng(), service: constant(1) }, 4, 'constant'));
    expect(c.map((a) => a.atMs)).toEqual([0, 250, 500, 750]);
  });
});

describe('cron property: the fast search equals a minute-by-minute scan', () => {
  it('for random list schedules', () => {
    const list = (min: number, max: number) =>
      fc.option(fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 4 }), { nil: undefined });
    fc.assert(
      fc.property(
        list(0, 59),
        list(0, 23),
        list(1, 31),
        list(1, 12),
        list(0, 6),
        fc.integer({ min: 0, max: 400 * 24 * 60 }),
        (mins, hours, doms, months, dows, startMin) => {
          const f = (xs: number[] | undefined) => (xs === undefined ? '*' : xs.join(','));
          const expr = `${f(mins)} ${f(hours)} ${f(doms)} ${f(months)} ${f(dows)}`;
          const got = new CronSchedule(expr).nextAtOrAfter(startMin * 60_000);
          const has = (xs: number[] | undefined, v: number) => xs === undefined || xs.includes(v);
          const matches = (d: Date) => {
            const dom = has(doms, d.getUTCDate());
            const dow = has(dows, d.getUTCDay());
            const day = doms !== undefined && dows !== undefined ? dom || dow : dom && dow;
            return (
              has(mins, d.getUTCMinutes()) && has(hours, d.getUTCHours()) && has(months, d.getUTCMonth() + 1) && day
            );
          };
          // scan at most 400 days minute by minute, skipping whole days that cannot match
          const limit = startMin + 400 * 24 * 60;
          let want: number | undefined;
          for (let m = startMin; m < limit; m++) {
            const d = new Date(SIM_EPOCH_MS + m * 60_000);
            if (!has(months, d.getUTCMonth() + 1)) {
              m += 24 * 60 - d.getUTCHours() * 60 - d.getUTCMinutes() - 1;
              continue;
            }
            if (matches(d)) {
              want = m * 60_000;
              break;
            }
          }
          if (want !== undefined) expect(got).toBe(want);
          else expect(got === undefined || got >= (limit - 1) * 60_000).toBe(true);
        },
      ),
      { numRuns: 150, seed: 11 },
    );
  });
});
