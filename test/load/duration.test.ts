import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, parseDuration } from '../../src/sim/load/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['1h2m3s4ms', 3_723_004],
    ['1500us', 1.5],
    ['2000000ns', 2],
    ['-2m', -120_000],
    ['.5s', 500],
    ['0', 0],
  ])('%s → %d ms', (input, ms) => {
    expect(parseDuration(input)).toBeCloseTo(ms, 9);
  });

  it('rejects bare numbers other than 0, with a hint', () => {
    expect(parseDuration(0)).toBe(0);
    expect(() => parseDuration(30)).toThrow(
      'invalid duration "30": missing unit (e.g. "30s"; units: ns, us, ms, s, m, h)',
    );
    expect(() => parseDuration('2.5')).toThrow('missing unit (e.g. "2.5s"');
  });

  it.each(['', 'abc', '1x', '1h 30m', 's', '-', '1.2.3s', 'ms5'])('rejects %j', (input) => {
    expect(() => parseDuration(input)).toThrow(DurationError);
  });

  it('names the input in the error', () => {
    expect(() => parseDuration('3x')).toThrow('invalid duration "3x"');
  });

  it('formats Go-style', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m0s');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(250)).toBe('250ms');
    expect(parseDuration(formatDuration(3_723_004))).toBeCloseTo(3_723_004, 6);
  });
});
