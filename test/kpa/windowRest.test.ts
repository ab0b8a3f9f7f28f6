/**
 * A window at rest (`MetricWindow.rest`: an idle revision's windows let go of their buckets)
 * answers exactly as one that kept them: random records, averages, emptiness checks, resizes and
 * rests over increasing fractional times, against the same operations without the rests.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricWindow } from '../../src/model/kpa/index.js';

type Op =
  | { op: 'record'; dt: number; value: number }
  | { op: 'read'; dt: number }
  | { op: 'resize'; dt: number; windowMs: number }
  | { op: 'rest'; dt: number };

const dt = fc.oneof(fc.double({ min: 0, max: 3_000, noNaN: true }), fc.double({ min: 0, max: 200_000, noNaN: true }));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('record' as const), dt, value: fc.double({ min: -5, max: 50, noNaN: true }) }),
  fc.record({ op: fc.constant('read' as const), dt }),
  fc.record({
    op: fc.constant('resize' as const),
    dt,
    windowMs: fc.integer({ min: 1, max: 90 }).map((s) => s * 1_000),
  }),
  fc.record({ op: fc.constant('rest' as const), dt }),
);

function drive(windowMs: number, algorithm: 'linear' | 'weighted-exponential', ops: Op[], resting: boolean): unknown[] {
  const w = new MetricWindow(windowMs, algorithm);
  const out: unknown[] = [];
  let now = 1_000;
  for (const o of ops) {
    now += o.dt;
    if (o.op === 'record') w.record(now, o.value);
    else if (o.op === 'resize') w.resize(o.windowMs, now);
    else if (o.op === 'rest') {
      if (resting) w.rest(now);
    }
    out.push(w.isEmpty(now), w.average(now), w.windowMs);
  }
  return out;
}

describe('MetricWindow.rest', () => {
  it('changes no answer of the window (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 90 }).map((s) => s * 1_000),
        fc.constantFrom('linear' as const, 'weighted-exponential' as const),
        fc.array(op, { maxLength: 80 }),
        (windowMs, algorithm, ops) => {
          expect(drive(windowMs, algorithm, ops, true)).toStrictEqual(drive(windowMs, algorithm, ops, false));
        },
      ),
      { numRuns: 600 },
    );
  });

  it('lets go of the buckets only when nothing was recorded within the window', () => {
    const w = new MetricWindow(6_000);
    const buckets = () => (w as unknown as { buckets: Float64Array }).buckets.length;
    w.record(1_000, 3);
    w.rest(6_500);
    expect(buckets()).toBe(6);
    w.rest(8_000);
    expect(buckets()).toBe(0);
    w.record(20_000, 2);
    expect(buckets()).toBe(6);
    expect(w.average(20_000)).toBe(2);
  });
});
