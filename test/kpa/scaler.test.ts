import { describe, expect, it } from 'vitest';
import type { DeciderSpec, PAState, ScaleInput, SKSMode } from '../../src/model/kpa/index.js';
import {
  computeActiveCondition,
  computeScale,
  minReadyPods,
  numActivators,
  resolveDeciderSpec,
  scaleSampledTotal,
  scrapeSampleSize,
  sksModeFor,
} from '../../src/model/kpa/index.js';
import { config } from './fixtures.js';

const S = 1000;
const NOW = 10_000_000;
// The constants of Knative's kpa_test.go.
const stableWindow = 5 * 60 * S;
const paStableWindow = 45 * S;
const gracePeriod = 60 * S;
const activationTimeout = 600 * S + 30 * S;

/** The spec Knative's TestScaler builds: stable window 5 min, grace 60 s, reachable. */
function scalerSpec(overrides: Partial<DeciderSpec> = {}): DeciderSpec {
  return {
    ...resolveDeciderSpec({
      config: config({ stableWindowMs: stableWindow, scaleToZeroGracePeriodMs: gracePeriod }),
      annotations: {},
      containerConcurrency: 0,
      reachability: 'Reachable',
    }),
    ...overrides,
  };
}

/** A scale input: PA Active since long ago, initialised, SKS Serve, probe passing. */
function input(overrides: Partial<ScaleInput> = {}): ScaleInput {
  return {
    spec: scalerSpec(),
    desired: 0,
    paState: 'Active',
    paStateSinceMs: NOW - 10 * stableWindow,
    scaleTargetInitialized: true,
    currentReplicas: 1,
    sksMode: 'Serve',
    proxySinceMs: null,
    activatorProbeOk: true,
    nowMs: NOW,
    ...overrides,
  };
}

const active = (ago: number) => ({ paState: 'Active' as PAState, paStateSinceMs: NOW - ago });
const inactive = (ago: number) => ({ paState: 'Inactive' as PAState, paStateSinceMs: NOW - ago });
const activating = (ago: number) => ({ paState: 'Activating' as PAState, paStateSinceMs: NOW - ago });

interface Case {
  label: string;
  start: number;
  scaleTo: number;
  in?: Partial<ScaleInput>;
  spec?: Partial<DeciderSpec>;
  want: number;
  scaling: boolean;
  requeue?: boolean;
  probe?: boolean;
}

// Knative pkg/reconciler/autoscaling/kpa/scaler_test.go TestScaler: `want` is the returned
// desired scale, `scaling` whether the Deployment is patched, `requeue` the enqueue callback.
describe('TestScaler', () => {
  it.each<Case>([
    {
      label: 'waits to scale to zero (just before idle period)',
      start: 1,
      scaleTo: 0,
      in: active(stableWindow - S),
      want: 1,
      scaling: false,
      requeue: true,
    },
    {
      label: 'waits to scale to zero (just before idle period), custom PA window',
      start: 1,
      scaleTo: 0,
      in: active(paStableWindow - S),
      spec: { stableWindowMs: paStableWindow },
      want: 1,
      scaling: false,
      requeue: true,
    },
    {
      label: 'custom PA window, check for standard window, no probe',
      start: 1,
      scaleTo: 0,
      in: active(stableWindow),
      spec: { stableWindowMs: paStableWindow },
      want: 0,
      scaling: false,
    },
    {
      label: 'scale to 1 waiting for idle expires',
      start: 10,
      scaleTo: 0,
      in: active(stableWindow - S),
      want: 1,
      scaling: true,
      requeue: true,
    },
    {
      label: 'waits to scale to zero after idle period',
      start: 1,
      scaleTo: 0,
      in: active(stableWindow),
      want: 0,
      scaling: false,
    },
    {
      label: 'waits to scale to zero after idle period; sks in proxy mode',
      start: 1,
      scaleTo: 0,
      in: { ...active(stableWindow), sksMode: 'Proxy' as SKSMode },
      want: 0,
      scaling: false,
      requeue: true,
    },
    {
      label: 'waits to scale to zero after idle period (custom PA window)',
      start: 1,
      scaleTo: 0,
      in: active(paStableWindow),
      spec: { stableWindowMs: paStableWindow },
      want: 0,
      scaling: false,
    },
    {
      label: 'can scale to zero after grace period, but 0 PA retention',
      start: 1,
      scaleTo: 0,
      in: inactive(gracePeriod),
      spec: { scaleToZeroPodRetentionMs: 0 },
      want: 0,
      scaling: true,
    },
    {
      label: "can't scale to zero after grace period, but before last pod retention",
      start: 1,
      scaleTo: 0,
      in: inactive(gracePeriod),
      spec: { scaleToZeroPodRetentionMs: 2 * gracePeriod },
      want: 0,
      scaling: false,
      requeue: true,
    },
    {
      label: 'scale to zero after grace period, and after last pod retention',
      start: 1,
      scaleTo: 0,
      in: inactive(gracePeriod),
      spec: { scaleToZeroPodRetentionMs: gracePeriod },
      want: 0,
      scaling: true,
    },
    {
      label: 'scale to zero after grace period',
      start: 1,
      scaleTo: 0,
      in: inactive(gracePeriod),
      want: 0,
      scaling: true,
    },
    {
      label: 'waits to scale to zero (just before grace period)',
      start: 1,
      scaleTo: 0,
      in: inactive(gracePeriod - S),
      want: 0,
      scaling: false,
      requeue: true,
    },
    {
      label: 'waits to scale to zero (just before grace period, sks short)',
      start: 1,
      scaleTo: 0,
      in: { ...inactive(gracePeriod - S), proxySinceMs: NOW - (gracePeriod - S) },
      want: 0,
      scaling: false,
      requeue: true,
    },
    {
      label: 'waits to scale to zero (just before grace period, sks in proxy long) and last pod timeout positive',
      start: 1,
      scaleTo: 0,
      in: { ...inactive(gracePeriod - S), proxySinceMs: NOW - gracePeriod },
      spec: { scaleToZeroPodRetentionMs: 42 * S },
      want: 0,
      scaling: true,
    },
    {
      label: 'waits to scale to zero (just before grace period, sks in proxy long)',
      start: 1,
      scaleTo: 0,
      in: { ...inactive(gracePeriod - S), proxySinceMs: NOW - gracePeriod },
      want: 0,
      scaling: true,
    },
    {
      label: 'scale to zero with TBC=-1 (no probe)',
      start: 1,
      scaleTo: 0,
      in: { ...inactive(gracePeriod), activatorProbeOk: false },
      spec: { targetBurstCapacity: -1 },
      want: 0,
      scaling: true,
    },
    {
      label: 'scale to zero after grace period, but fail prober',
      start: 1,
      scaleTo: 0,
      in: { ...inactive(gracePeriod), activatorProbeOk: false },
      want: 0,
      scaling: false,
      probe: true,
    },
    {
      label: 'waits to scale to zero while activating until after deadline exceeded',
      start: 1,
      scaleTo: 0,
      in: activating(activationTimeout / 2),
      want: -1,
      scaling: false,
      requeue: true,
    },
    {
      label: 'scale to zero while activating after deadline exceeded',
      start: 1,
      scaleTo: 0,
      in: activating(activationTimeout + S),
      want: 0,
      scaling: true,
    },
    {
      label: 'scale to zero while activating after revision deadline exceeded',
      start: 1,
      scaleTo: 0,
      in: activating(5 * S + 30 * S + S),
      spec: { activationTimeoutMs: 5 * S + 30 * S },
      want: 0,
      scaling: true,
    },
    {
      label: 'scale down to minScale before grace period',
      start: 10,
      scaleTo: 0,
      in: inactive(gracePeriod - S),
      spec: { minScale: 2 },
      want: 2,
      scaling: true,
    },
    {
      label: 'scale down to minScale after grace period',
      start: 10,
      scaleTo: 0,
      in: inactive(gracePeriod),
      spec: { minScale: 2 },
      want: 2,
      scaling: true,
    },
    {
      label: 'ignore minScale if unreachable',
      start: 10,
      scaleTo: 0,
      in: inactive(gracePeriod),
      spec: { minScale: 2, reachable: false },
      want: 0,
      scaling: true,
    },
    { label: 'scales up', start: 1, scaleTo: 10, want: 10, scaling: true },
    { label: 'scales up to maxScale', start: 1, scaleTo: 10, spec: { maxScale: 8 }, want: 8, scaling: true },
    {
      label: 'scale up inactive revision',
      start: 1,
      scaleTo: 10,
      in: inactive(gracePeriod / 2),
      want: 10,
      scaling: true,
    },
    {
      label: 'does not scale up from zero with no metrics',
      start: 0,
      scaleTo: -1,
      in: inactive(0),
      want: -1,
      scaling: false,
    },
    { label: 'scales up from zero to desired one', start: 0, scaleTo: 1, want: 1, scaling: true },
    { label: 'scales up from zero to desired high scale', start: 0, scaleTo: 10, want: 10, scaling: true },
    { label: 'negative scale does not scale', start: 12, scaleTo: -1, in: active(0), want: -1, scaling: false },
    {
      label: 'initial scale attained, but now time to scale down',
      start: 2,
      scaleTo: 0,
      in: { ...active(2 * 60 * S), scaleTargetInitialized: true },
      spec: { initialScale: 2 },
      want: 1,
      scaling: true,
      requeue: true,
    },
    {
      label: "haven't scaled to initial scale, override desired scale with initial scale",
      start: 0,
      scaleTo: 1,
      in: { ...activating(0), scaleTargetInitialized: false },
      spec: { initialScale: 2 },
      want: 2,
      scaling: true,
    },
    {
      label: 'initial scale reached for the first time',
      start: 5,
      scaleTo: 1,
      in: { ...activating(0), scaleTargetInitialized: false },
      spec: { initialScale: 5 },
      want: 5,
      scaling: false,
    },
    {
      label: 'reaching initial scale zero',
      start: 0,
      scaleTo: 0,
      in: { ...inactive(0), scaleTargetInitialized: false },
      spec: { initialScale: 0 },
      want: 0,
      scaling: false,
      requeue: true,
    },
  ])('$label', (c) => {
    const d = computeScale(
      input({
        spec: scalerSpec(c.spec),
        desired: c.scaleTo,
        currentReplicas: c.start,
        scaleTargetInitialized: true,
        ...c.in,
      }),
    );
    expect(d.want).toBe(c.want);
    expect(d.apply).toBe(c.scaling);
    if (c.scaling) expect(d.replicas).toBe(c.want);
    expect(d.requeueAfterMs !== undefined).toBe(c.requeue ?? false);
    expect(d.startProbe).toBe(c.probe ?? false);
  });

  it.each<[string, number, number, number, boolean]>([
    ['EnableScaleToZero == false and minScale == 0', 0, 0, 1, true],
    ['EnableScaleToZero == false and minScale == 2', 2, 0, 2, true],
    ['EnableScaleToZero == false and desire pod is -1 (initial value)', 0, -1, -1, false],
  ])('TestDisableScaleToZero: %s', (_name, minScale, scaleTo, want, scaling) => {
    const d = computeScale(
      input({
        spec: scalerSpec({ enableScaleToZero: false, minScale }),
        desired: scaleTo,
        currentReplicas: 10,
        ...active(0),
      }),
    );
    expect([d.want, d.apply]).toEqual([want, scaling]);
  });
});

describe('scale-to-zero gates at the boundaries', () => {
  it.each<[string, Partial<ScaleInput>, string, number | undefined]>([
    ['active 1 ms short of the stable window holds 1 pod', active(stableWindow - 1), 'stable-window', 1],
    ['active exactly the stable window marks the PA inactive', active(stableWindow), 'mark-inactive', 3 * S],
    [
      'inactive 1 ms short of the grace period, activator not yet in the path long enough',
      { ...inactive(gracePeriod - 1), sksMode: 'Proxy', proxySinceMs: NOW - 10 * S },
      'grace-period',
      gracePeriod - 10 * S,
    ],
    [
      'inactive 3 s with the activator in the path for 30 s: fast path',
      { ...inactive(3 * S), sksMode: 'Proxy', proxySinceMs: NOW - gracePeriod },
      'fast-path',
      undefined,
    ],
    ['inactive exactly the grace period scales to zero', inactive(gracePeriod), 'scale-to-zero', undefined],
    [
      'activating exactly the activation timeout keeps waiting',
      activating(activationTimeout),
      'activating',
      activationTimeout,
    ],
    [
      'activating 1 ms over the activation timeout gives up',
      activating(activationTimeout + 1),
      'activation-timeout',
      undefined,
    ],
  ])('%s', (_name, over, gate, requeue) => {
    const d = computeScale(input({ ...over, sksMode: over.sksMode ?? 'Proxy' }));
    expect(d.gate).toBe(gate);
    expect(d.requeueAfterMs).toBe(requeue);
  });

  it('an unreachable revision ignores the last-pod retention', () => {
    const s = scalerSpec({ reachable: false, scaleToZeroPodRetentionMs: 10 * 60 * S });
    expect(computeScale(input({ spec: s, ...inactive(gracePeriod) })).gate).toBe('scale-to-zero');
    const reachable = scalerSpec({ scaleToZeroPodRetentionMs: 10 * 60 * S });
    const d = computeScale(input({ spec: reachable, ...inactive(gracePeriod) }));
    expect(d.gate).toBe('retention');
    expect(d.requeueAfterMs).toBe(10 * 60 * S - gracePeriod);
  });

  it('initial scale does not raise min for an unreachable revision', () => {
    const d = computeScale(
      input({ spec: scalerSpec({ initialScale: 3, reachable: false }), desired: 1, scaleTargetInitialized: false }),
    );
    expect(d.want).toBe(1);
  });

  it('an unknown desired while activating is lifted to initial scale', () => {
    const d = computeScale(
      input({
        spec: scalerSpec({ initialScale: 3 }),
        desired: -1,
        scaleTargetInitialized: false,
        ...activating(0),
        currentReplicas: 0,
      }),
    );
    expect([d.want, d.apply, d.gate]).toEqual([3, true, 'initial-scale']);
  });

  it('the default timeline: the new revision is held at 1 until active for the stable window', () => {
    const spec = scalerSpec({ stableWindowMs: 60 * S, scaleToZeroGracePeriodMs: 30 * S });
    const at12 = computeScale(input({ spec, ...active(12 * S), sksMode: 'Proxy', proxySinceMs: NOW - 12 * S }));
    expect([at12.want, at12.gate, at12.requeueAfterMs]).toEqual([1, 'stable-window', 48 * S]);
    const at60 = computeScale(input({ spec, ...active(60 * S), sksMode: 'Proxy', proxySinceMs: NOW - 60 * S }));
    expect([at60.want, at60.apply, at60.gate]).toEqual([0, false, 'mark-inactive']);
    const at63 = computeScale(input({ spec, ...inactive(3 * S), sksMode: 'Proxy', proxySinceMs: NOW - 63 * S }));
    expect([at63.want, at63.apply, at63.gate]).toEqual([0, true, 'fast-path']);
  });
});

describe('PA Active condition (computeActiveCondition)', () => {
  it.each<[string, number, number, number, PAState, string, string]>([
    ['want 0 marks NoTraffic', 0, 1, 1, 'Active', 'False', 'NoTraffic'],
    ['minReady 0 marks NoTraffic', 3, 5, 0, 'Active', 'False', 'NoTraffic'],
    ['want 0 while activating marks TimedOut', 0, 0, 1, 'Activating', 'False', 'TimedOut'],
    ['minReady 0 while activating marks NoTraffic', -1, 0, 0, 'Activating', 'False', 'NoTraffic'],
    ['too few ready with want > 0 is Queued', 2, 0, 1, 'Inactive', 'Unknown', 'Queued'],
    ['too few ready, want −1, PA active is Queued', -1, 0, 1, 'Active', 'Unknown', 'Queued'],
    ['too few ready, want −1, PA inactive stays NoTraffic', -1, 0, 1, 'Inactive', 'False', 'NoTraffic'],
    ['enough ready with want > 0 is Active', 1, 1, 1, 'Activating', 'True', ''],
    ['enough ready, want −1, PA activating is Active', -1, 2, 2, 'Activating', 'True', ''],
  ])('%s', (_name, want, readyPods, minReady, paState, status, reason) => {
    const c = computeActiveCondition({ want, readyPods, minReady, paState });
    expect([c.status, c.reason]).toEqual([status, reason]);
  });

  it('uses the exact Knative messages', () => {
    expect(computeActiveCondition({ want: 0, readyPods: 0, minReady: 1, paState: 'Active' }).message).toBe(
      'The target is not receiving traffic.',
    );
    expect(computeActiveCondition({ want: 0, readyPods: 0, minReady: 1, paState: 'Activating' }).message).toBe(
      'The target could not be activated.',
    );
    expect(computeActiveCondition({ want: 1, readyPods: 0, minReady: 1, paState: 'Inactive' }).message).toBe(
      'Requests to the target are being buffered as resources are provisioned.',
    );
  });

  it('enough ready pods, want −1 and PA inactive leaves the condition unchanged', () => {
    const c = computeActiveCondition({ want: -1, readyPods: 1, minReady: 1, paState: 'Inactive' });
    expect(c.unchanged).toBe(true);
    expect(c.status).toBe('False');
  });

  it.each<[string, Partial<DeciderSpec>, boolean, number]>([
    ['defaults before init: initial scale 1', {}, false, 1],
    ['defaults after init: 1', {}, true, 1],
    ['initial scale 3 before init', { initialScale: 3 }, false, 3],
    ['initial scale 3 after init', { initialScale: 3 }, true, 1],
    ['min-scale 4 wins over initial scale 3', { initialScale: 3, minScale: 4 }, false, 4],
    ['initial scale 0 before init', { initialScale: 0 }, false, 0],
    ['unreachable ignores min-scale after init', { minScale: 4, reachable: false }, true, 1],
  ])('minReadyPods: %s', (_name, over, initialized, want) => {
    expect(minReadyPods(scalerSpec(over), initialized)).toBe(want);
  });
});

describe('SKS mode and activators', () => {
  it.each<[number, number, PAState | undefined, string]>([
    [1, 0, 'Active', 'Serve'],
    [3, 89, 'Active', 'Serve'],
    [1, -111, 'Active', 'Proxy'],
    [0, 100, 'Inactive', 'Proxy'],
    [-1, 0, 'Inactive', 'Proxy'],
    [-1, 0, 'Active', 'Serve'],
    [-1, 0, undefined, 'Proxy'],
  ])('want %d, EBC %d, PA %s → %s', (want, ebc, paState, mode) => {
    expect(sksModeFor(want, ebc, paState)).toBe(mode);
  });

  it.each<[string, number, number, number, number, number]>([
    ['defaults, 0 ready', 0, 100, 211, 100, 3],
    ['defaults, 1 ready', 1, 100, 211, 100, 4],
    ['defaults, 3 ready', 3, 100, 211, 100, 6],
    ['TBC 0 is always 2', 50, 100, 0, 100, 2],
    ['TBC −1 covers only ready pods', 5, 100, -1, 100, 5],
    ['TBC −1 with no pods is the minimum 2', 0, 100, -1, 100, 2],
    ['expectedNA of autoscaler_test: 10 pods, total 13.3, TBC 100, capacity 150', 10, 10 / 0.75, 100, 150, 2],
  ])('numActivators: %s', (_name, readyPods, totalValue, targetBurstCapacity, activatorCapacity, want) => {
    expect(numActivators({ readyPods, totalValue, targetBurstCapacity, activatorCapacity })).toBe(want);
  });
});

describe('scrape sample size (TestPopulationMeanSampleSize)', () => {
  it.each<[number, number]>([
    [0, 0],
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 4],
    [5, 4],
    [10, 7],
    [100, 14],
    [1000, 16],
  ])('%d ready pods → sample %d', (n, want) => {
    expect(scrapeSampleSize(n)).toBe(want);
  });

  it('scales the sampled sum to all ready pods', () => {
    expect(scaleSampledTotal(20, 4, 5)).toBe(25);
    expect(scaleSampledTotal(0, 0, 5)).toBe(0);
    expect(scaleSampledTotal(7, 7, 10)).toBe(10);
  });
});

describe('reachability passed to the scale step', () => {
  it('Unreachable overrides a reachable spec: min-scale is ignored', () => {
    const d = computeScale(
      input({ spec: scalerSpec({ minScale: 2 }), reachability: 'Unreachable', ...inactive(gracePeriod) }),
    );
    expect([d.want, d.minScale]).toEqual([0, 0]);
  });
  it('unknown ("") reachability honours min-scale', () => {
    const d = computeScale(
      input({ spec: scalerSpec({ minScale: 2, reachable: false }), reachability: '', currentReplicas: 10 }),
    );
    expect([d.want, d.minScale]).toEqual([2, 2]);
  });
});
