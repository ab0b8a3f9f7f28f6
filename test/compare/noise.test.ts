/** The noise estimates behind compare's verdicts, and the verdict lines themselves. */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import {
  type ParsedLog,
  poissonNoise,
  proportionNoise,
  quantileInterval,
  quantileNoise,
  renderComparison,
  summarize,
  toleranceNoise,
} from '../../src/compare/index.js';
import type { LogEvent, LogHeader } from '../../src/model/events.js';

const fmt = (v: number) => `${v}`;

describe('the 95% interval of a quantile from order statistics', () => {
  it('is the 40th to 61st of 100 sorted values for the median', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantileInterval(values, 0.5)).toEqual({ lo: 40, hi: 61 });
  });

  it('is open when there are too few values to bound it', () => {
    expect(quantileInterval([1, 2, 3], 0.5)).toEqual({ lo: null, hi: null });
    expect(
      quantileInterval(
        Array.from({ length: 50 }, (_, i) => i),
        0.99,
      ).hi,
    ).toBeNull();
  });

  it('covers the true median about 95% of the time (1000 seeded samples of 40 exponential values)', () => {
    const seed = 'knsim-noise-1';
    const random = seedrandom(seed);
    const trueMedian = Math.LN2; // of Exp(1)
    let covered = 0;
    let bounded = 0;
    for (let trial = 0; trial < 1000; trial++) {
      const sample = Array.from({ length: 40 }, () => -Math.log(1 - random())).sort((a, b) => a - b);
      const { lo, hi } = quantileInterval(sample, 0.5);
      if (lo === null || hi === null) continue;
      bounded++;
      if (lo <= trueMedian && trueMedian <= hi) covered++;
    }
    expect(bounded, `seed ${seed}`).toBe(1000);
    expect(covered / bounded, `seed ${seed}`).toBeGreaterThan(0.93);
    expect(covered / bounded, `seed ${seed}`).toBeLessThan(0.995);
  });

  it('calls two runs different only when their intervals do not overlap', () => {
    const a = Array.from({ length: 50 }, (_, i) => 5 + i / 100);
    const b = Array.from({ length: 50 }, (_, i) => 55 + i / 10);
    expect(quantileNoise(a, b, 0.5, fmt).differs).toBe(true);
    expect(quantileNoise(a, a, 0.5, fmt).differs).toBe(false);
    expect(quantileNoise([5], [55], 0.5, fmt).differs).toBeNull(); // one request each: cannot tell
  });
});

describe('shares, counts and single observations', () => {
  it('tests shares of requests with the two-proportion z-test', () => {
    expect(proportionNoise(0, 100, 10, 100).differs).toBe(true);
    expect(proportionNoise(0, 1, 1, 1).differs).toBe(false);
    expect(proportionNoise(3, 1000, 4, 1000).differs).toBe(false);
    expect(proportionNoise(0, 0, 4, 10).differs).toBeNull();
  });

  it('gives counts Poisson noise', () => {
    expect(poissonNoise(0, 1).differs).toBe(false);
    expect(poissonNoise(0, 10).differs).toBe(true);
    expect(poissonNoise(100, 104).differs).toBe(false);
  });

  it('gives one observation a tolerance: the resolution or 10 %', () => {
    expect(toleranceNoise(60_000, 61_500, 2000, fmt).differs).toBe(false);
    expect(toleranceNoise(60_000, 75_000, 2000, fmt).differs).toBe(true);
    expect(toleranceNoise(100, 1500, 2000, fmt).differs).toBe(false);
    expect(toleranceNoise(null, 1500, 2000, fmt).differs).toBeNull();
  });
});

function header(backend: 'sim' | 'live'): LogHeader {
  return {
    type: 'header',
    format: 1,
    knsim: '0.1.0',
    backend,
    scenario: 'warm',
    seed: 1,
    namespace: 'default',
    epoch: '2026-01-01T00:00:00.000Z',
  };
}

/** One warm pod, then 60 requests whose latency is `latency(i)`; each asked for 5 ms when `asked`. */
function warmLog(backend: 'sim' | 'live', latency: (i: number) => number, asked: boolean): ParsedLog {
  const events: LogEvent[] = [
    { t: 0, type: 'pod', pod: 'p', revision: 'warm-00001', phase: 'Pending' },
    { t: 1000, type: 'pod', pod: 'p', revision: 'warm-00001', phase: 'Ready' },
  ];
  for (let i = 0; i < 60; i++) {
    const t = 2000 + i * 100;
    events.push({
      t,
      type: 'request',
      phase: 'arrived',
      id: i + 1,
      revision: 'warm-00001',
      ...(asked ? { serviceMs: 5 } : {}),
    });
    events.push({
      t: t + latency(i),
      type: 'request',
      phase: 'done',
      id: i + 1,
      revision: 'warm-00001',
      status: 200,
      latencyMs: latency(i),
      cold: false,
      outcome: 'ok',
    });
  }
  events.sort((x, y) => x.t - y.t);
  return { header: header(backend), events };
}

describe('verdicts in the comparison', () => {
  it('flags the warm latency of an app that answers in 55 ms against a simulated 5 ms, and says which service times were used', () => {
    const sim = summarize(warmLog('sim', (i) => 5 + (i % 7) / 10, true));
    const live = summarize(warmLog('live', (i) => 55 + (i % 11), true));
    const { text, rows } = renderComparison(sim, live);
    const warm = rows.find((r) => r.metric === 'warm latency p50')!;
    expect(warm.noise?.differs).toBe(true);
    expect(text).toMatch(
      /warm latency p50\s+5\.\d ms\s+\d\d ms\s+\+\d+ ms[^\n]*\n {2}↳ beyond the noise: 95% intervals 5\.\d ms–5\.\d ms and \d\d ms–\d\d ms do not overlap\n/,
    );
    expect(text).toMatch(/service time drawn p50\s+5\.0 ms\s+5\.0 ms\s+same\n/);
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain(
      'sim: the simulated app took the service time the scenario drew for each request (p50 5.0 ms)',
    );
    expect(flat).toMatch(
      /live: the app's own service time; knsim asked for the scenario's draws \(p50 5\.0 ms\) with X-Knsim-Service-Ms on 60 of 60 requests; its warm answers took p50 \d\d ms/,
    );
    // requests, errors, pods: the same, so no other verdict.
    expect(rows.filter((r) => r.noise?.differs === true).map((r) => r.metric)).toEqual(['warm latency p50']);
    // 60 requests do not bound a 95th percentile: no verdict either way.
    expect(rows.find((r) => r.metric === 'warm latency p95')!.noise?.differs).toBeNull();
    expect(text).toContain('1 of ');
  });

  it('prints no verdict for two runs within each other’s noise', () => {
    const a = summarize(warmLog('sim', (i) => 5 + (i % 7) / 10, true));
    const b = summarize(warmLog('sim', (i) => 5 + ((i + 3) % 7) / 10, true));
    const { text } = renderComparison(a, b);
    expect(text).not.toContain('↳');
    expect(text).toContain('No difference is beyond the noise of the two runs');
  });
});
