import * as z from 'zod';
import type { Random } from '../../model/random.js';
import { normalQuantile, Z99 } from './rng.js';
import { constant, lognormalFromPercentiles } from './serviceTime.js';
import type { Sampler } from './types.js';

/**
 * Per-request latency added by the Knative networking layer (the ingress in front of the
 * activator / queue-proxy), compared with calling the pod directly. Each layer is a lognormal
 * fitted to a median and a p99 in ms. These are **estimates** built from the published figures
 * listed in docs/load.md (Istio's own load tests, the Knative benchmark in the field notes), not
 * measurements of ours; the live mode is meant to replace them with measured numbers.
 */
export const NETWORK_LAYERS = ['none', 'kourier', 'contour', 'gloo', 'ambassador', 'istio', 'istio-mesh'] as const;
export type NetworkLayer = (typeof NETWORK_LAYERS)[number];

/** For a scenario `settings:` key (e.g. `network: kourier`), via the parser's settingsExtensions. */
export const networkLayerSchema = z.enum(NETWORK_LAYERS);

export interface HopLatency {
  medianMs: number;
  p99Ms: number;
  /** One line on where the figure comes from. */
  basis: string;
}

export const HOP_LATENCY: Readonly<Record<NetworkLayer, HopLatency>> = {
  none: { medianMs: 0, p99Ms: 0, basis: 'no ingress (direct to the pod); for isolating the autoscaler' },
  kourier: {
    medianMs: 0.5,
    p99Ms: 1.5,
    basis: 'one Envoy hop with a minimal filter chain; Knative 1.17 + Kourier measured ~1 ms median TTFB end to end',
  },
  contour: { medianMs: 0.6, p99Ms: 1.8, basis: 'one Envoy hop (Contour-managed), a few more filters than Kourier' },
  gloo: { medianMs: 0.6, p99Ms: 2.0, basis: 'one Envoy hop (Gloo Edge), similar to Contour' },
  ambassador: {
    medianMs: 0.7,
    p99Ms: 2.5,
    basis: 'one Envoy hop (Emissary-ingress) with its default filters (diagnostics, ext-auth hooks)',
  },
  istio: {
    medianMs: 0.8,
    p99Ms: 2.5,
    basis: 'Istio ingress gateway (Envoy + Istio telemetry filters), no sidecars: net-istio default',
  },
  'istio-mesh': {
    medianMs: 2.5,
    p99Ms: 5.0,
    basis:
      'gateway plus client and server sidecars: Istio 1.12 load tests give +1.7 ms p90 / +2.7 ms p99 for the sidecar pair',
  },
};

/** Quantiles in the inverse-CDF table of a hop's latency (one draw per request, no log/sqrt/cos). */
const TABLE_SIZE = 4096;

/** A hop's draw written to `out[0]` (see `networkHop`). */
export type HopSampler = (random: Random, out: Float64Array) => void;

/**
 * Sampler of the added latency (ms) for a networking layer. Every request draws one, so the
 * lognormal is sampled through a table of its quantiles with linear interpolation (within 0.1 %
 * of the exact distribution between the 0.01st and 99.99th percentiles) instead of Box-Muller.
 */
export function networkLatency(layer: NetworkLayer, overrides?: Partial<HopLatency>): Sampler {
  const hop = networkHop(layer, overrides);
  const out = new Float64Array(1);
  return (random) => {
    hop(random, out);
    return out[0]!;
  };
}

/**
 * `networkLatency` with the draw written to `out[0]` (a typed array: no number is boxed on the
 * way, whatever the compiler inlines; a double returned by a function it does not inline is
 * boxed, one object per request).
 */
export function networkHop(layer: NetworkLayer, overrides?: Partial<HopLatency>): HopSampler {
  const h = { ...HOP_LATENCY[layer], ...overrides };
  if ((h.medianMs === 0 && h.p99Ms === 0) || h.p99Ms === h.medianMs) {
    const s = h.medianMs === 0 && h.p99Ms === 0 ? constant(0) : lognormalFromPercentiles(h.medianMs, h.p99Ms);
    return (random, out) => {
      out[0] = s(random);
    };
  }
  const mu = Math.log(h.medianMs);
  const sigma = Math.log(h.p99Ms / h.medianMs) / Z99;
  // Each quantile is computed at its first draw (NaN until then), not all 4,097 up front: the
  // whole table cost ≈ 15 ms of CPU at the start of every run (code running for the first time),
  // and a short run draws a few hundred. The values are the same either way.
  const table = new Float64Array(TABLE_SIZE + 1).fill(Number.NaN);
  // (Out of the draw's way: a function that returns a double and is not inlined boxes it, and
  // the draw, with this computation in it, was too large to inline: two objects a request.)
  const fill = (i: number): number => {
    // Cell edges at (i + 0.5) / (N + 1): the open interval (0, 1) without its infinite ends.
    const computed = Math.exp(mu + sigma * normalQuantile((i + 0.5) / (TABLE_SIZE + 1)));
    table[i] = computed;
    return computed;
  };
  // A draw whose cell has an edge still to compute (at most 4,097 in a run).
  const firstDraw = (x: number, out: Float64Array): void => {
    const i = x | 0;
    let low = table[i]!;
    if (Number.isNaN(low)) low = fill(i);
    let high = table[i + 1]!;
    if (Number.isNaN(high)) high = fill(i + 1);
    out[0] = low + (high - low) * (x - i);
  };
  return (random, out) => {
    const x = random() * TABLE_SIZE;
    const i = x | 0;
    const low = table[i]!;
    // One test a draw: the step is NaN while either edge of the cell is.
    const step = table[i + 1]! - low;
    if (Number.isNaN(step)) firstDraw(x, out);
    else out[0] = low + step * (x - i);
  };
}
