import { describe, expect, it } from 'vitest';
import {
  currentDelayMax,
  MetricWindow,
  newDelayWindow,
  observeWindows,
  recordDelay,
  statValues,
} from '../../src/model/kpa/index.js';

const S = 1000;

describe('scale-down delay window', () => {
  it('with a 5 min delay, a 4 recorded at t = 2 s still holds at t = 300 s and is gone at t = 302 s', () => {
    let w = recordDelay(newDelayWindow(300 * S), 2 * S, 4);
    w = recordDelay(w, 300 * S, 0);
    expect(currentDelayMax(w)).toBe(4);
    w = recordDelay(w, 302 * S, 0);
    expect(currentDelayMax(w)).toBe(0);
  });

  it('spans ceil(delay / 2 s) buckets', () => {
    expect(newDelayWindow(300 * S).buckets).toBe(150);
    expect(newDelayWindow(5 * S).buckets).toBe(3);
    expect(newDelayWindow(1 * S).buckets).toBe(1);
  });

  it('takes the largest of two records in the same bucket', () => {
    let w = recordDelay(newDelayWindow(2 * S), 10 * S, 5);
    w = recordDelay(w, 11 * S, 3);
    expect(currentDelayMax(w)).toBe(5);
    w = recordDelay(w, 12 * S, 3);
    expect(currentDelayMax(w)).toBe(3);
  });

  it('keeps the state small: values that can never be the maximum are dropped', () => {
    let w = newDelayWindow(60 * S);
    for (let i = 0; i < 30; i++) w = recordDelay(w, i * 2 * S, i);
    expect(w.entries).toHaveLength(1);
    expect(currentDelayMax(w)).toBe(29);
  });

  it('an empty window has maximum 0', () => {
    expect(currentDelayMax(newDelayWindow(10 * S))).toBe(0);
  });
});

describe('collector glue', () => {
  it('subtracts proxied requests from a stat', () => {
    expect(
      statValues({ averageConcurrency: 5, averageProxiedConcurrency: 2, requestCount: 10, proxiedRequestCount: 4 }),
    ).toEqual({ concurrency: 3, rps: 6 });
  });

  it('reports "no data" after a stable window without records when pods are scraped', () => {
    const stable = new MetricWindow(60 * S);
    const panic = new MetricWindow(6 * S);
    expect(observeWindows(stable, panic, 0, 0)).toEqual({ readyPods: 0, error: 'no data' });
    stable.record(1 * S, 1);
    panic.record(1 * S, 1);
    expect(observeWindows(stable, panic, 0, 2 * S)).toEqual({ readyPods: 0, stable: 1, panic: 1 });
    expect(observeWindows(stable, panic, 0, 61 * S)).toEqual({ readyPods: 0, stable: 0, panic: 0 });
    expect(observeWindows(stable, panic, 0, 62 * S)).toEqual({ readyPods: 0, error: 'no data' });
  });

  it('reads 0 instead of "no data" without a scrape target (TBC −1)', () => {
    const w = new MetricWindow(60 * S);
    expect(observeWindows(w, new MetricWindow(6 * S), 1, 0, false)).toEqual({ readyPods: 1, stable: 0, panic: 0 });
  });
});
