import { describe, expect, it } from 'vitest';
import type { Stat } from '../../src/model/kpa/index.js';
import { MetricWindow, observeWindows, statValues } from '../../src/model/kpa/index.js';

const S = 1000;

/** The four windows of one collection: concurrency and RPS, stable and panic. */
function collection(stableMs = 60 * S, panicMs = 6 * S) {
  const c = {
    concurrency: { stable: new MetricWindow(stableMs), panic: new MetricWindow(panicMs) },
    rps: { stable: new MetricWindow(stableMs), panic: new MetricWindow(panicMs) },
    record(tMs: number, stat: Stat) {
      const v = statValues(stat);
      c.concurrency.stable.record(tMs, v.concurrency);
      c.concurrency.panic.record(tMs, v.concurrency);
      c.rps.stable.record(tMs, v.rps);
      c.rps.panic.record(tMs, v.rps);
    },
  };
  return c;
}

const stat = (concurrency: number, rps: number, proxiedConcurrency = 0, proxiedRps = 0): Stat => ({
  averageConcurrency: concurrency,
  averageProxiedConcurrency: proxiedConcurrency,
  requestCount: rps,
  proxiedRequestCount: proxiedRps,
});

// Cases after Knative pkg/autoscaler/metrics/collector_test.go.
describe('collector', () => {
  it('TestMetricCollectorAggregate: 6 s and 2 s windows over 5..14', () => {
    const c = collection(6 * S, 2 * S);
    const now = 1_000_000;
    for (let i = 0; i < 10; i++) c.record(now + i * S, stat(i + 5, i + 5));
    const at = now + 9 * S;
    expect(c.concurrency.stable.isEmpty(at)).toBe(false);
    expect(c.concurrency.stable.average(at)).toBe(11.5);
    expect(c.concurrency.panic.average(at)).toBe(13.5);
  });

  it('TestMetricCollectorRecord: an outdated stat is dropped and proxied requests are subtracted', () => {
    const c = collection();
    const now = 1_000_000;
    expect(observeWindows(c.concurrency.stable, c.concurrency.panic, 1, now).error).toBe('no data');
    c.record(now - 70 * S, stat(100, 100));
    c.record(now, stat(20, 30, 10, 20));
    expect(observeWindows(c.concurrency.stable, c.concurrency.panic, 1, now)).toEqual({
      readyPods: 1,
      stable: 10,
      panic: 10,
    });
    expect(observeWindows(c.rps.stable, c.rps.panic, 1, now)).toEqual({ readyPods: 1, stable: 10, panic: 10 });
  });

  it('TestMetricCollectorNoScraper: without a scrape target empty windows read 0, then records count', () => {
    const c = collection();
    const now = 1_000_000;
    expect(observeWindows(c.concurrency.stable, c.concurrency.panic, 0, now, false)).toEqual({
      readyPods: 0,
      stable: 0,
      panic: 0,
    });
    c.record(now, stat(10, 30));
    expect(observeWindows(c.concurrency.stable, c.concurrency.panic, 0, now, false).stable).toBe(10);
    expect(observeWindows(c.rps.stable, c.rps.panic, 0, now, false).stable).toBe(30);
  });

  it('TestMetricCollectorNoDataError: with a scrape target and no records the error is "no data"', () => {
    const c = collection();
    expect(observeWindows(c.concurrency.stable, c.concurrency.panic, 0, 5 * S)).toEqual({
      readyPods: 0,
      error: 'no data',
    });
    expect(observeWindows(c.rps.stable, c.rps.panic, 0, 5 * S)).toEqual({ readyPods: 0, error: 'no data' });
  });

  it('activator and scraper stats in the same second add up', () => {
    const c = collection();
    c.record(10 * S, stat(1, 1));
    c.record(10 * S + 300, stat(10, 10));
    expect(c.concurrency.stable.average(10 * S)).toBe(11);
  });
});
