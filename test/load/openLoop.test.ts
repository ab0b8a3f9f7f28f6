import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BurstSource,
  ConcatSource,
  ConstantRateSource,
  MergeSource,
  merge,
  type PhaseOptions,
  PoissonSource,
  RampSource,
  SineSource,
  StepsSource,
  ThinningSource,
} from '../../src/sim/load/openLoop.js';
import { constant, exponential } from '../../src/sim/load/serviceTime.js';
import { type Arrival, type ArrivalSource, drain } from '../../src/sim/load/types.js';
import { binCounts, mean, rng, variance } from './helpers.js';

function opts(durationMs: number, seed = 'ol', startMs = 0): PhaseOptions {
  return { startMs, durationMs, random: rng(seed), service: constant(10) };
}

function times(s: ArrivalSource): Float64Array {
  return Float64Array.from(drain(s), (a) => a.atMs);
}

function expectOrderedWithin(ts: ArrayLike<number>, start: number, end: number): void {
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i] as number;
    if (!(t >= start && t < end)) throw new Error(`arrival ${i} at ${t} outside [${start}, ${end})`);
    if (i > 0 && t < (ts[i - 1] as number)) throw new Error(`arrival ${i} at ${t} before ${ts[i - 1]}`);
  }
}

describe('open-loop generators', () => {
  it('constant rate: exact count and equal gaps', () => {
    const ts = times(new ConstantRateSource(opts(10_000, 'c', 500), 4));
    expect(ts.length).toBe(40);
    expect(ts[0]).toBe(500);
    expect(ts[39]).toBe(500 + 39 * 250);
    expect(times(new ConstantRateSource(opts(10_000), 0)).length).toBe(0);
  });

  it('poisson: mean rate, variance of per-second counts ≈ mean, exponential gaps', () => {
    const ts = times(new PoissonSource(opts(600_000, 'p'), 100));
    expect(Math.abs(ts.length - 60_000)).toBeLessThan(4 * Math.sqrt(60_000));
    const counts = binCounts(ts, 0, 600_000, 1000);
    const m = mean(counts);
    expect(m).toBeGreaterThan(98);
    expect(m).toBeLessThan(102);
    const dispersion = variance(counts) / m;
    expect(dispersion).toBeGreaterThan(0.8);
    expect(dispersion).toBeLessThan(1.2);
    const gaps = ts.slice(1).map((t, i) => t - (ts[i] as number));
    expect(mean(gaps)).toBeCloseTo(10, 0);
    // exponential: P(gap > mean) = e^-1
    expect(gaps.filter((g) => g > 10).length / gaps.length).toBeCloseTo(Math.exp(-1), 2);
    expectOrderedWithin(ts, 0, 600_000);
  });

  it('ramp: total and per-interval counts follow the linear rate', () => {
    const ts = times(new RampSource(opts(60_000, 'r', 1000), 0, 200));
    expect(Math.abs(ts.length - 6000)).toBeLessThan(4 * Math.sqrt(6000));
    const bins = binCounts(ts, 1000, 61_000, 10_000);
    bins.forEach((c, i) => {
      const expected = ((200 * (i + 0.5)) / 6) * 10; // rate at the bin centre × 10 s
      expect(Math.abs(c - expected)).toBeLessThan(4 * Math.sqrt(expected) + 1);
    });
    expectOrderedWithin(ts, 1000, 61_000);
    // downward ramp
    const down = times(new RampSource(opts(60_000, 'r2'), 300, 100));
    expect(Math.abs(down.length - 12_000)).toBeLessThan(4 * Math.sqrt(12_000));
    const [first, , , , , last] = binCounts(down, 0, 60_000, 10_000);
    expect(first).toBeGreaterThan(last as number);
  });

  it('steps: counts per step; constant process is equidistant', () => {
    const ts = times(
      new StepsSource(opts(Number.POSITIVE_INFINITY, 's'), [
        { durationMs: 30_000, rps: 10 },
        { durationMs: 10_000, rps: 0 },
        { durationMs: 30_000, rps: 100 },
      ]),
    );
    const [a, b, c] = [30_000, 40_000, 70_000].map(
      (end, i, ends) => ts.filter((t) => t >= (i === 0 ? 0 : (ends[i - 1] as number)) && t < end).length,
    );
    expect(Math.abs((a as number) - 300)).toBeLessThan(4 * Math.sqrt(300));
    expect(b).toBe(0);
    expect(Math.abs((c as number) - 3000)).toBeLessThan(4 * Math.sqrt(3000));
    expect(ts.length).toBe((a as number) + (c as number));
    const eq = times(
      new StepsSource(
        opts(Number.POSITIVE_INFINITY),
        [
          { durationMs: 1000, rps: 4 },
          { durationMs: 1000, rps: 2 },
        ],
        'constant',
      ),
    );
    expect([...eq]).toEqual([0, 250, 500, 750, 1000, 1500]);
    // the phase duration caps the steps
    expect(
      times(
        new StepsSource(
          opts(1500),
          [
            { durationMs: 1000, rps: 4 },
            { durationMs: 1000, rps: 2 },
          ],
          'constant',
        ),
      ).length,
    ).toBe(5);
  });

  it('bursts: N at once, or N spread within W', () => {
    const at = times(new BurstSource(opts(10_000, 'b'), 2000, 5));
    expect(at.length).toBe(25);
    expect([...new Set(at)]).toEqual([0, 2000, 4000, 6000, 8000]);
    const spread = times(new BurstSource(opts(10_000, 'b2'), 2000, 100, 300));
    expect(spread.length).toBe(500);
    expectOrderedWithin(spread, 0, 10_000);
    for (let k = 0; k < 5; k++) {
      const inBurst = spread.filter((t) => t >= k * 2000 && t < k * 2000 + 300);
      expect(inBurst.length).toBe(100);
      expect(Math.abs(mean(inBurst) - (k * 2000 + 150))).toBeLessThan(30); // uniform within
    }
    expect(() => new BurstSource(opts(1000), 100, 1, 200)).toThrow(/within/);
  });

  it('sine: mean over whole periods, peak and trough where expected', () => {
    const period = 60_000;
    const ts = times(new SineSource(opts(10 * period, 'sin'), { meanRps: 50, amplitudeRps: 40, periodMs: period }));
    expect(Math.abs(ts.length / 600 - 50)).toBeLessThan(1.5);
    // rate = 50 + 40 sin(2πt/T): quarter 1 (rising to the peak) has more than quarter 3
    const q = [0, 0, 0, 0];
    for (const t of ts) q[Math.floor((t % period) / (period / 4))]! += 1;
    expect(q[0]! + q[1]!).toBeGreaterThan(q[2]! + q[3]!);
    // expected mass per half period: 50·30 ± 40·(T/π)/1000
    const expectedHigh = 10 * (50 * 30 + (40 * 60) / Math.PI);
    expect(Math.abs(q[0]! + q[1]! - expectedHigh)).toBeLessThan(4 * Math.sqrt(expectedHigh));
    // amplitude larger than the mean clips at zero instead of going negative
    const clipped = times(
      new SineSource(opts(period, 'clip'), { meanRps: 10, amplitudeRps: 30, periodMs: period, phaseMs: 0 }),
    );
    expect(clipped.filter((t) => t > 35_000 && t < 55_000).length).toBe(0);
  });

  it('thinning follows an arbitrary rate function', () => {
    const ts = times(new ThinningSource(opts(20_000, 'th'), (t) => (t < 10_000 ? 100 : 0), 100));
    expect(ts.every((t) => t < 10_000)).toBe(true);
    expect(Math.abs(ts.length - 1000)).toBeLessThan(130);
  });

  it('merge keeps time order and every arrival; ties go to the first source', () => {
    const a = new ConstantRateSource({ ...opts(5000), target: 'a' }, 1);
    const b = new ConstantRateSource({ ...opts(5000), target: 'b' }, 2);
    const c = new PoissonSource({ ...opts(5000, 'm'), target: 'c' }, 50);
    const out = drain(new MergeSource([a, b, c]));
    expectOrderedWithin(
      out.map((x) => x.atMs),
      0,
      5000,
    );
    expect(out.filter((x) => x.target === 'a').length).toBe(5);
    expect(out.filter((x) => x.target === 'b').length).toBe(10);
    expect(out[0]?.target).toBe('a');
    expect(out[1]?.target).toBe('b');
    expect(drain(merge([])).length).toBe(0);
  });

  it('concat runs sources one after the other and refuses to go back in time', () => {
    const s = new ConcatSource([
      new ConstantRateSource(opts(1000), 2),
      new ConstantRateSource(opts(1000, 'x', 1000), 2),
    ]);
    expect(drain(s).map((a) => a.atMs)).toEqual([0, 500, 1000, 1500]);
    const bad = new ConcatSource([
      new ConstantRateSource(opts(1000, 'x', 1000), 1),
      new ConstantRateSource(opts(1000), 1),
    ]);
    expect(() => drain(bad)).toThrow(/back in time/);
  });

  it('arrivals are fresh objects with one shape', () => {
    const s = new PoissonSource({ ...opts(1000), target: 'http://x' }, 100);
    const a = s.next() as Arrival;
    const b = s.next() as Arrival;
    expect(a).not.toBe(b);
    expect(Object.keys(a)).toEqual(['atMs', 'serviceMs', 'target', 'clientId', 'kind', 'timeoutMs', 'headers']);
    expect(a.kind).toBe('request');
  });
});

// ---------- property-based: any mix of phases is ordered, bounded and deterministic ----------

type Gen =
  | { k: 'constant'; rps: number }
  | { k: 'poisson'; rps: number }
  | { k: 'ramp'; from: number; to: number }
  | { k: 'steps'; steps: { d: number; rps: number }[] }
  | { k: 'bursts'; every: number; count: number; within: number }
  | { k: 'sine'; mean: number; amp: number; period: number; phase: number };
interface PhaseArb {
  start: number;
  dur: number;
  gen: Gen;
}

const rate = fc.double({ min: 0, max: 200, noNaN: true });
const genArb: fc.Arbitrary<Gen> = fc.oneof(
  fc.record({ k: fc.constant('constant' as const), rps: rate }),
  fc.record({ k: fc.constant('poisson' as const), rps: rate }),
  fc.record({ k: fc.constant('ramp' as const), from: rate, to: rate }),
  fc.record({
    k: fc.constant('steps' as const),
    steps: fc.array(fc.record({ d: fc.integer({ min: 0, max: 5000 }), rps: rate }), { minLength: 1, maxLength: 4 }),
  }),
  fc
    .record({
      k: fc.constant('bursts' as const),
      every: fc.integer({ min: 1, max: 3000 }),
      count: fc.integer({ min: 0, max: 50 }),
      within: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map((b) => ({ ...b, within: b.within * b.every })),
  fc.record({
    k: fc.constant('sine' as const),
    mean: rate,
    amp: fc.double({ min: -200, max: 200, noNaN: true }),
    period: fc.integer({ min: 1, max: 20_000 }),
    phase: fc.integer({ min: -20_000, max: 20_000 }),
  }),
);
const phaseArb: fc.Arbitrary<PhaseArb> = fc.record({
  start: fc.integer({ min: 0, max: 10_000 }),
  dur: fc.integer({ min: 0, max: 10_000 }),
  gen: genArb,
});

function build(phases: PhaseArb[], seed: string): ArrivalSource {
  const parent = rng(seed);
  return merge(
    phases.map((p): ArrivalSource => {
      const o: PhaseOptions = {
        startMs: p.start,
        durationMs: p.dur,
        random: rng(String(parent())),
        service: exponential(50),
      };
      const g = p.gen;
      switch (g.k) {
        case 'constant':
          return new ConstantRateSource(o, g.rps);
        case 'poisson':
          return new PoissonSource(o, g.rps);
        case 'ramp':
          return new RampSource(o, g.from, g.to);
        case 'steps':
          return new StepsSource(
            o,
            g.steps.map((s) => ({ durationMs: s.d, rps: s.rps })),
          );
        case 'bursts':
          return new BurstSource(o, g.every, g.count, g.within);
        default:
          return new SineSource(o, { meanRps: g.mean, amplitudeRps: g.amp, periodMs: g.period, phaseMs: g.phase });
      }
    }),
  );
}

describe('properties', () => {
  it('merged phases: non-decreasing atMs, each arrival inside some phase, service >= 0', () => {
    fc.assert(
      fc.property(fc.array(phaseArb, { minLength: 1, maxLength: 5 }), fc.string(), (phases, seed) => {
        const out = drain(build(phases, seed), 200_000);
        for (let i = 0; i < out.length; i++) {
          const a = out[i] as Arrival;
          if (i > 0 && a.atMs < (out[i - 1] as Arrival).atMs) return false;
          if (!(a.serviceMs >= 0)) return false;
          if (!phases.some((p) => a.atMs >= p.start && a.atMs < p.start + p.dur)) return false;
        }
        return true;
      }),
      { numRuns: 250, seed: 42 },
    );
  });

  it('same seed → same arrivals; another seed → different arrivals', () => {
    fc.assert(
      fc.property(fc.array(phaseArb, { minLength: 1, maxLength: 4 }), (phases) => {
        const a = drain(build(phases, 'one'), 50_000);
        const b = drain(build(phases, 'one'), 50_000);
        expect(b).toEqual(a);
        const c = drain(build(phases, 'two'), 50_000);
        // Different seeds differ unless the phases are fully deterministic (constant rate, instant bursts, steps
        // that draw nothing...) — so only require a difference when some random draw happened.
        const random = a.some((x) => x.serviceMs !== 0);
        if (random && a.length > 0) expect(c).not.toEqual(a);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
