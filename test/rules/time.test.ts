import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageSince, humanDuration, isoAt, parseIso, SIM_EPOCH_MS } from '../../src/model/rules/time.js';

describe('simulated time', () => {
  it('starts at 2026-01-01T00:00:00Z', () => {
    expect(SIM_EPOCH_MS).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(isoAt(0)).toBe('2026-01-01T00:00:00Z');
  });

  it('prints RFC 3339 with whole seconds, as metav1.Time does', () => {
    expect(isoAt(121_999)).toBe('2026-01-01T00:02:01Z');
    expect(isoAt(86_400_000)).toBe('2026-01-02T00:00:00Z');
  });

  it('parses back to simulated milliseconds', () => {
    expect(parseIso('2026-01-01T00:02:01Z')).toBe(121_000);
    expect(Number.isNaN(parseIso('yesterday'))).toBe(true);
  });

  it('round-trips every whole second', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 365 * 86_400 }), (s) => {
        expect(parseIso(isoAt(s * 1000))).toBe(s * 1000);
      }),
    );
  });
});

describe('HumanDuration (kubectl AGE)', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const cases: [string, number, string][] = [
    ['a fresh object', 0, '0s'],
    ['one second of clock skew is tolerated', -1.5 * s, '0s'],
    ['two seconds of skew is invalid', -2 * s, '<invalid>'],
    ['a few seconds', 3 * s, '3s'],
    ['just under two minutes, still seconds', 119 * s, '119s'],
    ['two minutes exactly', 120 * s, '2m'],
    ['two minutes and a second', 121 * s, '2m1s'],
    ['just under ten minutes', 599 * s, '9m59s'],
    ['ten minutes drops the seconds', 600 * s, '10m'],
    ['twelve minutes', 12 * m + 30 * s, '12m'],
    ['just under three hours, still minutes', 3 * h - 1 * s, '179m'],
    ['three hours', 3 * h, '3h'],
    ['five hours three minutes', 5 * h + 3 * m, '5h3m'],
    ['just under eight hours', 8 * h - 1 * s, '7h59m'],
    ['eight hours drops the minutes', 8 * h + 59 * m, '8h'],
    ['just under two days', 48 * h - 1 * s, '47h'],
    ['two days', 2 * d, '2d'],
    ['three days four hours', 3 * d + 4 * h, '3d4h'],
    ['eight days drops the hours', 8 * d + 5 * h, '8d'],
    ['just under two years', 730 * d - 1 * s, '729d'],
    ['two years five days', 735 * d, '2y5d'],
    ['eight years', 8 * 365 * d + 3 * d, '8y'],
  ];
  it.each(cases)('%s: %d ms → %s', (_label, ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });

  it('AGE is <unknown> without a creationTimestamp', () => {
    expect(ageSince(undefined, 0)).toBe('<unknown>');
    expect(ageSince('2026-01-01T00:00:00Z', 121_000)).toBe('2m1s');
  });
});
