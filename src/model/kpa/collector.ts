/**
 * The glue between recorded stats and a decider observation (reference §2 item 4): what value a
 * stat contributes, and when the windows give "no data" instead of averages.
 */

import type { Observation } from './decider.js';
import type { DeciderSpec } from './spec.js';
import { MetricWindow } from './window.js';

/** The collector's error when nothing was recorded within the stable window. */
const NO_DATA = 'no data';

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

/**
 * The two windows of a revision's decision metric, stable and panic, that the collector fills
 * (Knative keeps them for concurrency and RPS; the decider reads the ones of its metric).
 */
export interface DeciderWindows {
  readonly stable: MetricWindow;
  readonly panic: MetricWindow;
}

type WindowSpec = Pick<DeciderSpec, 'stableWindowMs' | 'panicWindowMs' | 'aggregation'>;

/** Empty windows for a new revision's Metric. */
export function newDeciderWindows(spec: WindowSpec): DeciderWindows {
  return {
    stable: new MetricWindow(spec.stableWindowMs, spec.aggregation),
    panic: new MetricWindow(spec.panicWindowMs, spec.aggregation),
  };
}

/**
 * The windows once the Metric changed from `previous` to `next` at `nowMs` (the `window`
 * annotation or config-autoscaler changed): a new length resizes them and keeps their recent
 * data, as Knative's collector does; a new aggregation algorithm starts them afresh.
 */
export function updateDeciderWindows(
  windows: DeciderWindows,
  previous: WindowSpec,
  next: WindowSpec,
  nowMs: number,
): DeciderWindows {
  if (next.aggregation !== previous.aggregation) return newDeciderWindows(next);
  windows.stable.resize(next.stableWindowMs, nowMs);
  windows.panic.resize(next.panicWindowMs, nowMs);
  return windows;
}

/**
 * Whether a tick at `nowMs`, and every later tick until the next stat is recorded or the windows
 * change, can only be the "no data" tick: with a scrape target and nothing in the stable window
 * (emptiness only grows with time; only a record or a resize ends it), the decider keeps its
 * state and triggers no reconcile, so such ticks may be skipped by a host that logs none of them.
 */
export function idleUntilRecorded(stable: MetricWindow, nowMs: number, hasScrapeTarget = true): boolean {
  return hasScrapeTarget && stable.isEmpty(nowMs);
}
