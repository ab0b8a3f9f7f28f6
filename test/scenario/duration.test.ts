import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, parseDuration } from '../../src/scenario/duration.js';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1m30.5s', 90_500],
    ['2m1s', 121_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['1500us', 1.5],
    ['250µs', 0.25],
    ['1000000ns', 1],
    [' 10s ', 10_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['30', 'invalid duration "30": missing unit (e.g. "30s"; units: ns, us, ms, s, m, h)'],
    ['', 'invalid duration "": empty'],
    ['5 min', 'invalid duration "5 min": unknown unit " min" (units: ns, us, ms, s, m, h)'],
    ['2d', 'invalid duration "2d": unknown unit "d" (units: ns, us, ms, s, m, h)'],
    ['-5s', 'invalid duration "-5s": a sign is not allowed'],
    ['s', 'invalid duration "s": expected a number at "s"'],
    ['1.2.3s', 'invalid duration "1.2.3s": "1.2.3" is not a number'],
  ])('rejects %j', (text, message) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(message);
  });

  it('formats compactly', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(3_600_001)).toBe('1h0.001s');
  });

  it('round-trips whole milliseconds through formatDuration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 24 * 3_600_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('sums the components of any well-formed duration', () => {
    const unit = fc.constantFrom(['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), unit), { minLength: 1, maxLength: 5 }),
        (parts) => {
          const text = parts.map(([n, [u]]) => `${n}${u}`).join('');
          const expected = parts.reduce((sum, [n, [, f]]) => sum + n * (f as number), 0);
          expect(parseDuration(text)).toBe(expected);
        },
      ),
      { seed: 7 },
    );
  });

  it('never crashes on arbitrary text: returns a number or throws DurationError', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          expect(Number.isFinite(parseDuration(s))).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(DurationError);
        }
      }),
      { seed: 1 },
    );
  });
});
