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
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 200 }),
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
