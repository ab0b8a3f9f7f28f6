/**
 * The glue between recorded stats and a decider observation (reference §2 item 4): what value a
 * stat contributes, and when the windows give "no data" instead of averages.
 */

import type { Observation } from './decider.js';
import type { MetricWindow } from './window.js';

/** The collector's error when nothing was recorded within the stable window. */
export const NO_DATA = 'no data';

/** One stat from a queue-proxy scrape (already scaled to the revision) or from the activator. */
export interface Stat {
  readonly averageConcurrency: number;
  readonly averageProxiedConcurrency: number;
  readonly requestCount: number;
  readonly proxiedRequestCount: number;
}

/**
 * The values a stat adds to the concurrency and RPS windows: requests that came through the
 * activator are subtracted, because the activator reports them itself.
 */
export function statValues(stat: Stat): { concurrency: number; rps: number } {
  return {
    concurrency: stat.averageConcurrency - stat.averageProxiedConcurrency,
    rps: stat.requestCount - stat.proxiedRequestCount,
  };
}

/**
 * The decider's observation from the stable and panic windows at `nowMs`. With a scrape target
 * (TBC ≠ −1) an empty stable window is the error "no data"; without one (TBC = −1, all data
 * from the activator) an empty window simply reads 0.
 */
export function observeWindows(
  stable: MetricWindow,
  panic: MetricWindow,
  readyPods: number,
  nowMs: number,
  hasScrapeTarget = true,
): Observation {
  if (hasScrapeTarget && stable.isEmpty(nowMs)) return { readyPods, error: NO_DATA };
  return { readyPods, stable: stable.average(nowMs), panic: panic.average(nowMs) };
}
