import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOP_LATENCY, NETWORK_LAYERS, networkLatency, networkLayerSchema } from '../../src/sim/load/network.js';
import { normalQuantile, Z99 } from '../../src/sim/load/rng.js';
import {
  constant,
  empirical,
  exponential,
  lognormal,
  lognormalFromPercentiles,
  makeServiceTime,
  normalisePercentiles,
  SEGMENT_BUCKETS,
  ServiceTimeError,
  uniform,
} from '../../src/sim/load/serviceTime.js';
import { mean, quantile, sample } from './helpers.js';

const N = 100_000;

describe('service-time samplers', () => {
  it('constant', () => {
    expect(sample(constant(42), 10).every((x) => x === 42)).toBe(true);
  });

  it('exponential mean and p50 = mean·ln2', () => {
    const xs = sample(exponential(200), N);
    expect(mean(xs)).toBeGreaterThan(200 * 0.98);
    expect(mean(xs)).toBeLessThan(200 * 1.02);
    expect(quantile(xs, 0.5)).toBeCloseTo(200 * Math.LN2, -1);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
  });

  it('lognormal from median and p99', () => {
    const xs = sample(lognormalFromPercentiles(120, 900), N);
    expect(quantile(xs, 0.5) / 120).toBeGreaterThan(0.97);
    expect(quantile(xs, 0.5) / 120).toBeLessThan(1.03);
    expect(quantile(xs, 0.99) / 900).toBeGreaterThan(0.93);
    expect(quantile(xs, 0.99) / 900).toBeLessThan(1.07);
  });

  it('lognormal(mu, sigma): median e^mu, mean e^(mu + sigma²/2)', () => {
    const xs = sample(lognormal(Math.log(50), 0.5), N);
    expect(quantile(xs, 0.5) / 50).toBeCloseTo(1, 1);
    expect(mean(xs) / (50 * Math.exp(0.125))).toBeCloseTo(1, 1);
  });

  it('uniform bounds and mean', () => {
    const xs = sample(uniform(10, 30), N);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...xs)).toBeLessThan(30);
    expect(mean(xs)).toBeCloseTo(20, 0);
  });

  it('empirical hits its percentiles', () => {
    const pts = { p0: 10, p50: 120, p99: 900, p100: 2000 };
    const xs = sample(empirical(pts), N);
    expect(quantile(xs, 0)).toBeGreaterThanOrEqual(10);
    // Check the CDF at the given points (sample quantiles in the 900→2000 tail are too noisy).
    const cdf = (v: number) => xs.filter((x) => x <= v).length / xs.length;
    expect(Math.abs(cdf(120) - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(cdf(900) - 0.99)).toBeLessThan(0.001);
    expect(Math.max(...xs)).toBeLessThanOrEqual(2000);
    // between p0 and p50 the inverse CDF is linear: p25 ≈ 65
    expect(quantile(xs, 0.25)).toBeCloseTo(65, -1);
  });

  it('empirical fills in missing ends by extending the end segments', () => {
    const { ps, vs } = normalisePercentiles({ p50: 100, p99: 1000 });
    expect([...ps]).toEqual([0, 0.5, 0.99, 1]);
    expect(vs[0]).toBe(0); // 100 - 900/49·50 < 0 → floored
    expect(vs[3]).toBeCloseTo(1000 + 900 / 49, 6);
    expect(sample(empirical({ p50: 7 }), 5).every((x) => x === 7)).toBe(true);
  });

  it('empirical draws what a scan of every segment from the first gives, to the bit', () => {
    // The definition: the first segment i >= 1 whose upper point is >= u (or the last one).
    const reference = (ps: Float64Array, vs: Float64Array, u: number): number => {
      const n = ps.length;
      let i = 1;
      while (i < n - 1 && ps[i]! < u) i++;
      const [p0, p1, v0, v1] = [ps[i - 1]!, ps[i]!, vs[i - 1]!, vs[i]!];
      return p1 === p0 ? v1 : v0 + ((v1 - v0) * (u - p0)) / (p1 - p0);
    };
    const key = fc.oneof(
      fc.integer({ min: 0, max: 100 }),
      fc.double({ min: 0, max: 100, noNaN: true }).map((p) => Math.round(p * 1000) / 1000),
      // On bucket edges (and just beside them), where the table's start and the scan could part.
      fc.integer({ min: 0, max: SEGMENT_BUCKETS }).map((b) => (b / SEGMENT_BUCKETS) * 100),
    );
    const points = fc.uniqueArray(key, { minLength: 2, maxLength: 12 }).chain((keys) =>
      fc
        .array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: keys.length, maxLength: keys.length })
        .map((values) => {
          const sorted = [...values].sort((a, b) => a - b);
          const ks = [...keys].sort((a, b) => a - b);
          return Object.fromEntries(ks.map((k, j) => [`p${k}`, sorted[j]!]));
        }),
    );
    const us = fc.array(
      fc.oneof(
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: SEGMENT_BUCKETS - 1 }).map((b) => b / SEGMENT_BUCKETS),
        fc.integer({ min: 1, max: SEGMENT_BUCKETS - 1 }).map((b) => b / SEGMENT_BUCKETS - Number.EPSILON / 2),
      ),
      { minLength: 1, maxLength: 50 },
    );
    fc.assert(
      fc.property(points, us, (pts, draws) => {
        let ps: Float64Array;
        let vs: Float64Array;
        try {
          ({ ps, vs } = normalisePercentiles(pts));
        } catch {
          return; // keys that collide once parsed (p1 and p1.0): not this property's concern
        }
        // u on the points themselves too (where the scan stops).
        const all = [...draws, ...[...ps].filter((p) => p < 1)];
        let k = 0;
        const sampler = empirical(pts);
        const random = () => all[k++]!;
        for (const u of all) expect(Object.is(sampler(random), reference(ps, vs, u))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('empirical rejects bad points', () => {
    expect(() => empirical({ p50: 100, p99: 50 })).toThrow(/must not decrease/);
    expect(() => empirical({ q50: 1 })).toThrow(ServiceTimeError);
    expect(() => empirical({ p101: 1 })).toThrow(/above p100/);
    expect(() => empirical({})).toThrow(/at least one/);
  });

  it('rejects bad parameters', () => {
    expect(() => exponential(-1)).toThrow(ServiceTimeError);
    expect(() => uniform(5, 1)).toThrow(ServiceTimeError);
    expect(() => lognormalFromPercentiles(100, 50)).toThrow(ServiceTimeError);
    expect(() => constant(Number.NaN)).toThrow(ServiceTimeError);
  });

  it('makeServiceTime dispatches on the spec', () => {
    expect(makeServiceTime({ constant: 5 })(() => 0.5)).toBe(5);
    expect(makeServiceTime({ uniform: { min: 0, max: 10 } })(() => 0.5)).toBe(5);
    expect(makeServiceTime({ exponential: { mean: 1 } })(() => 0)).toBe(0);
    expect(makeServiceTime({ empirical: { p0: 0, p100: 10 } })(() => 0.25)).toBe(2.5);
    expect(makeServiceTime({ lognormal: { median: 10, p99: 10 } })(() => 0.3)).toBeCloseTo(10, 9);
    expect(makeServiceTime({ lognormal: { mu: 0, sigma: 0 } })(() => 0.3)).toBe(1);
  });
});

describe('network hop latency', () => {
  it('every layer has a sampler whose median matches its table entry', () => {
    for (const layer of NETWORK_LAYERS) {
      const xs = sample(networkLatency(layer), 20_000, layer);
      const h = HOP_LATENCY[layer];
      expect(Math.abs(quantile(xs, 0.5) - h.medianMs)).toBeLessThanOrEqual(h.medianMs * 0.05);
      expect(h.p99Ms).toBeGreaterThanOrEqual(h.medianMs);
    }
  });

  it('draws what a table of all its quantiles computed up front gives, whatever the order (fast-check)', () => {
    // The sampler computes each quantile at its first draw; this is the table as it was built, whole.
    const eager = (medianMs: number, p99Ms: number) => {
      const mu = Math.log(medianMs);
      const sigma = Math.log(p99Ms / medianMs) / Z99;
      const table = Array.from({ length: 4097 }, (_, i) => Math.exp(mu + sigma * normalQuantile((i + 0.5) / 4097)));
      return (u: number) => {
        const x = u * 4096;
        const i = x | 0;
        return table[i]! + (table[i + 1]! - table[i]!) * (x - i);
      };
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...NETWORK_LAYERS.filter((l) => HOP_LATENCY[l].p99Ms !== HOP_LATENCY[l].medianMs)),
        fc.oneof(
          fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 200 }),
          // Draws in neighbouring cells, which share edges: one computed by a cell's first draw
          // must serve the next cell's, in either order (the draw tests each cell's step once).
          fc.integer({ min: 0, max: 4095 }).chain((cell) =>
            fc.array(
              fc
                .tuple(fc.integer({ min: -2, max: 2 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }))
                .map(([d, f]) => (Math.min(4095, Math.max(0, cell + d)) + f) / 4096)
                .filter((u) => u < 1),
              { minLength: 1, maxLength: 40 },
            ),
          ),
        ),
        (layer, draws) => {
          const lazy = networkLatency(layer);
          const whole = eager(HOP_LATENCY[layer].medianMs, HOP_LATENCY[layer].p99Ms);
          for (const u of draws)
            expect(
              Object.is(
                lazy(() => u),
                whole(u),
              ),
            ).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('Istio with sidecars costs more than a bare gateway', () => {
    expect(HOP_LATENCY['istio-mesh'].medianMs).toBeGreaterThan(HOP_LATENCY.kourier.medianMs);
    expect(networkLatency('kourier', { medianMs: 2, p99Ms: 2 })(() => 0.9)).toBeCloseTo(2, 9);
    expect(networkLayerSchema.parse('istio-mesh')).toBe('istio-mesh');
    expect(networkLayerSchema.safeParse('nginx').success).toBe(false);
  });
});

describe('normalQuantile', () => {
  it.each([
    [0.5, 0],
    [0.975, 1.959963984540054],
    [0.01, -2.3263478740408408],
    [0.999, 3.090232306167813],
    [1e-6, -4.753424308822899],
  ])('Φ⁻¹(%d) = %d', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 6);
  });

  it('is the inverse of the standard normal CDF everywhere (odd symmetry)', () => {
    for (let p = 0.001; p < 0.5; p += 0.0137) expect(normalQuantile(p)).toBeCloseTo(-normalQuantile(1 - p), 9);
  });
});
