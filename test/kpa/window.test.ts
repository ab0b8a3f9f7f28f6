import { describe, expect, it } from 'vitest';
import type { AggregationAlgorithm } from '../../src/model/kpa/index.js';
import { MetricWindow, roundToDigits, smoothingCoefficient } from '../../src/model/kpa/index.js';
import { averageWindow, type MetricRecord } from './oracle.js';

const S = 1000;

/** Checks the ring and the pure function agree, and returns the value. */
function both(records: MetricRecord[], windowMs: number, nowMs: number, algorithm: AggregationAlgorithm = 'linear') {
  const ring = new MetricWindow(windowMs, algorithm);
  for (const r of records) ring.record(r.tMs, r.value);
  const pure = averageWindow(records, windowMs, nowMs, algorithm);
  expect(ring.average(nowMs)).toBe(pure);
  return pure;
}

describe('linear window average', () => {
  // Knative bucketing_test.go TestTimedFloat64BucketsWindowAverage, step by step.
  it('TestTimedFloat64BucketsWindowAverage', () => {
    const now = 1_000_000;
    const records: MetricRecord[] = [{ tMs: now, value: 1 }];
    // A single record averages over its partial history (1, not 0.2).
    expect(both(records, 5 * S, now)).toBe(1);
    for (let i = 1; i < 5; i++) records.push({ tMs: now + i * S, value: i + 1 });
    expect(both(records, 5 * S, now + 4 * S)).toBe(15 / 5);
    // `now` lags behind the last write.
    expect(both(records, 5 * S, now + 3600)).toBe(15 / 5);
    // A short hole: the two oldest seconds fall out and the divisor shrinks.
    expect(both(records, 5 * S, now + 6 * S)).toBe((15 - 1 - 2) / (5 - 2));
    // A long hole: nothing within the window.
    expect(both(records, 5 * S, now + 10 * S)).toBe(0);
    // A write after a hole.
    records.push({ tMs: now + 6 * S, value: 91 });
    expect(both(records, 5 * S, now + 6 * S)).toBe((15 - 1 - 2 + 91) / 5);
    // Much later: everything resets, including first-write.
    const later = now + 60 * S;
    records.push({ tMs: later, value: 1984 });
    expect(both(records, 5 * S, later)).toBe(1984);
    // An earlier record inside the window moves first-write back.
    records.push({ tMs: later - 3 * S, value: 4 });
    expect(both(records, 5 * S, later)).toBe((4 + 1984) / 4);
    records.push({ tMs: later + S, value: 5 });
    expect(both(records, 5 * S, later + S)).toBe((4 + 1984 + 5) / 5);
    records.push({ tMs: later + S - 3 * S, value: 10 });
    expect(both(records, 5 * S, later + S)).toBe((4 + 10 + 1984 + 5) / 5);
    // A record a full window older than the last write is ignored.
    records.push({ tMs: later + S - 6 * S, value: 10 });
    expect(both(records, 5 * S, later + S)).toBe((4 + 10 + 1984 + 5) / 5);
    // Exactly one window older than the last write is ignored too.
    records.push({ tMs: later + S - 5 * S, value: 10 });
    expect(both(records, 5 * S, later + S)).toBe((4 + 10 + 1984 + 5) / 5);
    // No write for exactly one window clears the data.
    records.push({ tMs: later + S + 5 * S, value: 10 });
    expect(both(records, 5 * S, later + S + 5 * S)).toBe(10);
  });

  it('averages negative values (TestTimeWindowAverageNegativeValues)', () => {
    const records = [-10, -20, -30].map((v, i) => ({ tMs: 1_000_000 + i * S, value: v }));
    expect(both(records, 5 * S, 1_000_000 + 2 * S)).toBe(-20);
    records.push({ tMs: 1_000_000 + 3 * S, value: 40 }, { tMs: 1_000_000 + 4 * S, value: 50 });
    expect(both(records, 5 * S, 1_000_000 + 4 * S)).toBe(6);
  });

  it('after a roll-over only the last window counts (TestTimedFloat64BucketsWindowUpdate)', () => {
    const records = [1, 2, 3, 4, 5, 6].map((v, i) => ({ tMs: 1_000_000 + i * S, value: v }));
    expect(both(records, 5 * S, 1_000_000 + 5 * S)).toBe((2 + 3 + 4 + 5 + 6) / 5);
  });

  it('TestDescendingRecord: writes from newest to oldest keep only the last window', () => {
    const now = 1_000_000;
    const records: MetricRecord[] = [];
    for (let i = 8; i >= 0; i--) records.push({ tMs: now + i * S, value: 5 });
    expect(both(records, 5 * S, now + 5 * S)).toBe(5);
  });

  it('TestTimedFloat64BucketsHoles: a write after a gap zeroes the skipped seconds', () => {
    const now = 1_000_000;
    const records: MetricRecord[] = [];
    for (let i = 0; i < 5; i++) records.push({ tMs: now + i * S, value: i + 1 });
    expect(both(records, 5 * S, now + 4 * S)).toBe(3);
    records.push({ tMs: now + 8 * S, value: 2 });
    // Buckets left: [4 s] = 5 and [8 s] = 2, over a full window of 5.
    expect(both(records, 5 * S, now + 8 * S)).toBe(7 / 5);
  });

  it('records in the same second add up (activator + scraper)', () => {
    expect(
      both(
        [
          { tMs: 5_000, value: 1 },
          { tMs: 5_100, value: 10 },
        ],
        60 * S,
        5_500,
      ),
    ).toBe(11);
  });

  it('the reference example: 1..5 at t = 0..4 in a 5 s window, read at t = 6, gives 4', () => {
    const records = [1, 2, 3, 4, 5].map((v, i) => ({ tMs: i * S, value: v }));
    expect(both(records, 5 * S, 6 * S)).toBe(4);
  });

  it('a record exactly one window after the last write resets the window', () => {
    expect(
      both(
        [
          { tMs: 0, value: 100 },
          { tMs: 5 * S, value: 1 },
        ],
        5 * S,
        5 * S,
      ),
    ).toBe(1);
  });

  it('reads 0 exactly one window after the last write, and the window reports empty just after', () => {
    const w = new MetricWindow(5 * S);
    w.record(0, 3);
    expect(w.average(4 * S)).toBe(3);
    expect(w.average(5 * S)).toBe(0);
    expect(w.isEmpty(5 * S)).toBe(false);
    expect(w.isEmpty(6 * S)).toBe(true);
  });

  it('an empty window averages to 0 and is empty', () => {
    const w = new MetricWindow(60 * S);
    expect(w.average(0)).toBe(0);
    expect(w.isEmpty(0)).toBe(true);
    expect(averageWindow([], 60 * S, 0)).toBe(0);
  });

  it('rounds to 6 decimals', () => {
    expect(
      both(
        [
          { tMs: 0, value: 1 },
          { tMs: S, value: 0 },
          { tMs: 2 * S, value: 1 },
        ],
        60 * S,
        2 * S,
      ),
    ).toBe(0.666667);
  });
});

describe('roundToDigits (TestRoundToNDigits)', () => {
  it.each<[number, number, number]>([
    [6, 3.6e-17, 0],
    [3, 0.0004, 0],
    [3, -3.6e-17, 0],
    [3, 1.2345, 1.235],
    [4, 1.2345, 1.2345],
    [6, 12345, 12345],
    [6, 2 / 3, 0.666667],
    [6, -2 / 3, -0.666667],
  ])('roundToDigits(%d digits, %d) = %d', (digits, x, want) => {
    expect(roundToDigits(x, digits)).toBe(want);
  });
});

describe('weighted-exponential window average', () => {
  it.each<[number, number]>([
    [6, 0.78456],
    [40, 0.20567],
    [60, 0.2],
    [600, 0.2],
  ])('the coefficient for %d buckets is %d', (n, c) => {
    expect(smoothingCoefficient(n)).toBeCloseTo(c, 5);
  });

  // Knative's TestTimedFloat64BucketsWeightedAverage (libkpa TestTimeWindowWeightedAverage).
  it('TestTimeWindowWeightedAverage', () => {
    const now = 1_000_000;
    const m = smoothingCoefficient(5);
    const records: MetricRecord[] = [{ tMs: now, value: 2 }];
    let want = 2 * m;
    expect(both(records, 5 * S, now, 'weighted-exponential')).toBe(want);
    // One second later without a write, the value has aged once.
    want *= 1 - m;
    expect(both(records, 5 * S, now + S, 'weighted-exponential')).toBe(want);
    records.push({ tMs: now + S, value: 2 });
    want += 2 * m;
    expect(both(records, 5 * S, now + S, 'weighted-exponential')).toBe(want);
    // Fill the window with [2, 3, 4, 5, 6].
    for (let i = 0; i < 5; i++) records.push({ tMs: now + (2 + i) * S, value: i + 2 });
    want = 6 * m + 5 * m * (1 - m) + 4 * m * (1 - m) ** 2 + 3 * m * (1 - m) ** 3 + 2 * m * (1 - m) ** 4;
    expect(both(records, 5 * S, now + 6 * S, 'weighted-exponential')).toBeCloseTo(want, 12);
    expect(both(records, 5 * S, now + 16 * S, 'weighted-exponential')).toBe(0);
  });

  it('[2, 3, 4, 5, 6] in a 5 s window averages to 5.812 (TestWeightedTimeWindowResizeWindow)', () => {
    const records = [1, 2, 3, 4, 5, 6].map((v, i) => ({ tMs: 1_000_000 + i * S, value: v }));
    expect(roundToDigits(both(records, 5 * S, 1_000_000 + 5 * S, 'weighted-exponential'), 3)).toBe(5.812);
  });

  it('weighs the newest bucket most', () => {
    const c = smoothingCoefficient(10);
    // Data [10, 10, 5, 5], newest last, in a 10 s window.
    const records = [10, 10, 5, 5].map((v, i) => ({ tMs: i * S, value: v }));
    const want = 5 * c + 5 * c * (1 - c) + 10 * c * (1 - c) ** 2 + 10 * c * (1 - c) ** 3;
    expect(both(records, 10 * S, 3 * S, 'weighted-exponential')).toBeCloseTo(want, 12);
  });

  it('empty seconds after the last write consume weight', () => {
    const c = smoothingCoefficient(10);
    expect(both([{ tMs: 0, value: 10 }], 10 * S, 2 * S, 'weighted-exponential')).toBeCloseTo(10 * c * (1 - c) ** 2, 12);
  });

  it('is 0 once more than a window passed without a write', () => {
    expect(both([{ tMs: 0, value: 10 }], 10 * S, 11 * S, 'weighted-exponential')).toBe(0);
  });
});

describe('resizing a window (the window annotation changed)', () => {
  // Knative bucketing_test.go TestTimedFloat64BucketsWindowUpdate.
  it('TestTimedFloat64BucketsWindowUpdate: grow keeps the data and the divisor, shrink drops the oldest', () => {
    const start = 1_000_000;
    const w = new MetricWindow(5 * S);
    for (let i = 0; i < 6; i++) w.record(start + i * S, i + 1);
    let now = start + 5 * S;
    const initial = 2 + 3 + 4 + 5 + 6;
    expect(w.average(now)).toBe(initial / 5);
    w.resize(10 * S, now);
    expect(w.windowMs).toBe(10 * S);
    // At most 5 buckets were recorded, so the average does not change.
    expect(w.average(now)).toBe(initial / 5);
    now += S;
    w.record(now, 7);
    expect(w.average(now)).toBe(roundToDigits((initial + 7) / 6));
    w.resize(4 * S, now);
    // Only the last 4 buckets remain.
    expect(w.average(now)).toBe((initial + 7 - 2 - 3) / 4);
    // Same size again: nothing changes.
    w.resize(4 * S, now);
    expect(w.average(now)).toBe((initial + 7 - 2 - 3) / 4);
  });

  it('TestTimedFloat64BucketsWindowUpdateNoOp: without recent data the resized window starts empty', () => {
    const w = new MetricWindow(5 * S);
    w.record(0, 19.82);
    w.resize(10 * S, 60 * S);
    expect(w.isEmpty(60 * S)).toBe(true);
    w.record(61 * S, 3);
    expect(w.average(61 * S)).toBe(3);
  });

  it('TestWeightedTimeWindowResizeWindow: the coefficient follows the new size', () => {
    const w = new MetricWindow(5 * S, 'weighted-exponential');
    for (let i = 0; i < 6; i++) w.record(1_000_000 + i * S, i + 1);
    expect(roundToDigits(w.average(1_000_000 + 5 * S), 3)).toBe(5.812);
    w.resize(10 * S, 1_000_000 + 5 * S);
    const c = smoothingCoefficient(10);
    let want = 0;
    let weight = c;
    for (const v of [6, 5, 4, 3, 2]) {
      want += v * weight;
      weight *= 1 - c;
    }
    expect(w.average(1_000_000 + 5 * S)).toBeCloseTo(want, 12);
  });
});
