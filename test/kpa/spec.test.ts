import { describe, expect, it } from 'vitest';
import type { AutoscalerConfig, DeciderSpec } from '../../src/model/kpa/index.js';
import { parseDeploymentConfig, resolveDeciderSpec } from '../../src/model/kpa/index.js';
import { config } from './fixtures.js';

const A = 'autoscaling.knative.dev/';

function resolve(
  annotations: Record<string, string> = {},
  opts: { cc?: number; cfg?: Partial<AutoscalerConfig>; reachability?: 'Reachable' | 'Unreachable' | '' } = {},
): DeciderSpec {
  return resolveDeciderSpec({
    config: config(opts.cfg),
    annotations,
    containerConcurrency: opts.cc ?? 0,
    reachability: opts.reachability ?? 'Reachable',
  });
}

describe('resolveDeciderSpec at the defaults', () => {
  const s = resolve();
  it('targets 70 of a total of 100 concurrent requests per pod', () => {
    expect(s.metric).toBe('concurrency');
    expect(s.targetValue).toBeCloseTo(70, 12);
    expect(s.totalValue).toBe(100);
  });
  it('uses a 60 s stable window, a 6 s panic window and a panic threshold of 2', () => {
    expect(s.stableWindowMs).toBe(60_000);
    expect(s.panicWindowMs).toBe(6_000);
    expect(s.panicThreshold).toBe(2);
  });
  it('keeps TBC 211, activation scale 1, initial scale 1, linear aggregation, reachable', () => {
    expect(s.targetBurstCapacity).toBe(211);
    expect(s.activationScale).toBe(1);
    expect(s.initialScale).toBe(1);
    expect(s.aggregation).toBe('linear');
    expect(s.reachable).toBe(true);
  });
  it('gives an activation timeout of progress deadline 600 s + 30 s', () => {
    expect(s.activationTimeoutMs).toBe(630_000);
  });
});

// Cases after Knative kpa/resources/decider_test.go TestMakeDecider, whose config has target
// fraction 1.0, default 100, RPS default 100 and utilisation 1.0.
describe('target and total (TestMakeDecider)', () => {
  const cfg: Partial<AutoscalerConfig> = {
    containerConcurrencyTargetFraction: 1,
    rpsTargetDefault: 100,
    targetUtilization: 1,
  };
  it.each<[string, Record<string, string>, number, Partial<AutoscalerConfig>, Partial<DeciderSpec>]>([
    ['defaults', {}, 0, {}, { targetValue: 100, totalValue: 100, panicThreshold: 2 }],
    ['tu < 1', {}, 0, { containerConcurrencyTargetFraction: 0.8 }, { targetValue: 80, totalValue: 100 }],
    ['with container concurrency 1', {}, 1, {}, { targetValue: 1, totalValue: 1 }],
    ['with target annotation 1', { [`${A}target`]: '1' }, 0, {}, { targetValue: 1, totalValue: 1 }],
    [
      'with container concurrency and tu < 1',
      {},
      100,
      { containerConcurrencyTargetFraction: 0.8 },
      { targetValue: 80, totalValue: 100 },
    ],
    [
      'with burst capacity set',
      {},
      120,
      { targetBurstCapacity: 63, containerConcurrencyTargetFraction: 0.8 },
      { targetValue: 96, totalValue: 120, targetBurstCapacity: 63 },
    ],
    [
      'with burst capacity set on the annotation',
      { [`${A}target-burst-capacity`]: '211' },
      120,
      { targetBurstCapacity: 63, containerConcurrencyTargetFraction: 0.8 },
      { targetValue: 96, totalValue: 120, targetBurstCapacity: 211 },
    ],
    [
      'with container concurrency greater than target annotation (ok)',
      { [`${A}target`]: '1' },
      10,
      {},
      { targetValue: 1, totalValue: 1 },
    ],
    [
      'with target annotation greater than container concurrency (capped at CC)',
      { [`${A}target`]: '10' },
      1,
      {},
      { targetValue: 1, totalValue: 1 },
    ],
    [
      'with higher panic threshold',
      { [`${A}target`]: '10', [`${A}panic-threshold-percentage`]: '400' },
      0,
      {},
      { targetValue: 10, totalValue: 10, panicThreshold: 4 },
    ],
    [
      'with metric annotation rps',
      { [`${A}metric`]: 'rps' },
      0,
      {},
      { metric: 'rps', targetValue: 100, totalValue: 100 },
    ],
  ])('%s', (_name, annotations, cc, extra, want) => {
    expect(resolve(annotations, { cc, cfg: { ...cfg, ...extra } })).toMatchObject(want);
  });
});

describe('target and total with the shipped config', () => {
  it('CC 10 gives target 7', () => {
    expect(resolve({}, { cc: 10 }).targetValue).toBeCloseTo(7, 12);
  });
  it('rps uses 200 × the internal 0.7 = 140 per pod', () => {
    const s = resolve({ [`${A}metric`]: 'rps' });
    expect(s.totalValue).toBe(200);
    expect(s.targetValue).toBeCloseTo(140, 12);
  });
  it('rps ignores containerConcurrency for the total, even with a target annotation', () => {
    expect(resolve({ [`${A}metric`]: 'rps', [`${A}target`]: '50' }, { cc: 10 }).totalValue).toBe(50);
  });
  it('the utilisation annotation overrides the config (÷100)', () => {
    const s = resolve({ [`${A}target-utilization-percentage`]: '50' });
    expect(s.targetValue).toBe(50);
    expect(s.targetUtilization).toBe(0.5);
  });
  it('the legacy camelCase utilisation annotation works too', () => {
    expect(resolve({ [`${A}targetUtilizationPercentage`]: '50' }).targetValue).toBe(50);
  });
  it('a tiny target is lifted to 0.01', () => {
    expect(resolve({ [`${A}target`]: '0.001' }).targetValue).toBe(0.01);
  });
});

describe('windows', () => {
  it.each<[string, number, number, number]>([
    ['default 60 s at 10 %', 60_000, 10, 6_000],
    ['65 s at 10 % rounds 6.5 s up', 65_000, 10, 7_000],
    ['64 s at 10 % rounds 6.4 s down', 64_000, 10, 6_000],
    ['6 s at 1 % is lifted to the 1 s minimum', 6_000, 1, 1_000],
    ['1 h at 100 %', 3_600_000, 100, 3_600_000],
    ['10 s at 15 % rounds 1.5 s up', 10_000, 15, 2_000],
  ])('panic window for %s', (_name, stable, pct, want) => {
    const s = resolve({ [`${A}window`]: `${stable / 1000}s`, [`${A}panic-window-percentage`]: String(pct) });
    expect(s.panicWindowMs).toBe(want);
  });

  it('the window annotation sets the stable window and the panic window follows', () => {
    const s = resolve({ [`${A}window`]: '20s', [`${A}panic-window-percentage`]: '20' });
    expect(s.stableWindowMs).toBe(20_000);
    expect(s.panicWindowMs).toBe(4_000);
  });

  it('the legacy panicWindowPercentage alias is accepted', () => {
    expect(resolve({ [`${A}panicWindowPercentage`]: '50' }).panicWindowMs).toBe(30_000);
  });

  it('the kebab-case annotation wins over the legacy alias', () => {
    expect(resolve({ [`${A}panic-window-percentage`]: '20', [`${A}panicWindowPercentage`]: '50' }).panicWindowMs).toBe(
      12_000,
    );
  });
});

describe('other knobs', () => {
  it('scale-down delay, TBC, activation scale and retention come from annotations', () => {
    const s = resolve({
      [`${A}scale-down-delay`]: '5m',
      [`${A}target-burst-capacity`]: '-1',
      [`${A}activation-scale`]: '3',
      [`${A}scale-to-zero-pod-retention-period`]: '1m',
    });
    expect(s.scaleDownDelayMs).toBe(300_000);
    expect(s.targetBurstCapacity).toBe(-1);
    expect(s.activationScale).toBe(3);
    expect(s.scaleToZeroPodRetentionMs).toBe(60_000);
  });

  it('the legacy scaleDownDelay and targetBurstCapacity aliases are accepted', () => {
    const s = resolve({ [`${A}scaleDownDelay`]: '10s', [`${A}targetBurstCapacity`]: '0' });
    expect(s.scaleDownDelayMs).toBe(10_000);
    expect(s.targetBurstCapacity).toBe(0);
  });

  it('the config values apply without annotations', () => {
    const s = resolve(
      {},
      { cfg: { scaleDownDelayMs: 30_000, scaleToZeroPodRetentionPeriodMs: 5_000, minScale: 2, maxScale: 9 } },
    );
    expect(s.scaleDownDelayMs).toBe(30_000);
    expect(s.scaleToZeroPodRetentionMs).toBe(5_000);
    expect(s.minScale).toBe(2);
    expect(s.maxScale).toBe(9);
  });

  it('min-scale and max-scale annotations (and minScale/maxScale aliases) win over the config', () => {
    expect(
      resolve({ [`${A}min-scale`]: '3', [`${A}max-scale`]: '7' }, { cfg: { minScale: 1, maxScale: 5 } }),
    ).toMatchObject({
      minScale: 3,
      maxScale: 7,
    });
    expect(resolve({ [`${A}minScale`]: '4', [`${A}maxScale`]: '8' })).toMatchObject({ minScale: 4, maxScale: 8 });
  });

  it.each<[string, Record<string, string>, boolean, number]>([
    ['no annotation uses the cluster value', {}, false, 1],
    ['an annotation of 3 wins', { [`${A}initial-scale`]: '3' }, false, 3],
    ['the legacy initialScale alias works', { [`${A}initialScale`]: '2' }, false, 2],
    ['a 0 annotation is ignored without allow-zero', { [`${A}initial-scale`]: '0' }, false, 1],
    ['a 0 annotation counts with allow-zero', { [`${A}initial-scale`]: '0' }, true, 0],
  ])('initial scale: %s', (_name, annotations, allowZero, want) => {
    expect(resolve(annotations, { cfg: { allowZeroInitialScale: allowZero } }).initialScale).toBe(want);
  });

  it.each<[string, 'Reachable' | 'Unreachable' | '', boolean]>([
    ['Reachable is reachable', 'Reachable', true],
    ['unknown ("") is reachable', '', true],
    ['Unreachable is not', 'Unreachable', false],
  ])('reachability: %s', (_name, reachability, want) => {
    expect(resolve({}, { reachability }).reachable).toBe(want);
  });

  it.each<[string, string, 'linear' | 'weighted-exponential']>([
    ['linear', 'linear', 'linear'],
    ['weighted-exponential', 'weighted-exponential', 'weighted-exponential'],
    ['the weightedExponential spelling', 'weightedExponential', 'weighted-exponential'],
  ])('aggregation algorithm %s', (_name, value, want) => {
    expect(resolve({ [`${A}metric-aggregation-algorithm`]: value }).aggregation).toBe(want);
  });

  it('the activation timeout follows config-deployment and the progress-deadline annotation', () => {
    const base = { config: config(), containerConcurrency: 0, reachability: 'Reachable' as const };
    expect(
      resolveDeciderSpec({
        ...base,
        annotations: {},
        deployment: parseDeploymentConfig({ 'progress-deadline': '100s' }),
      }).activationTimeoutMs,
    ).toBe(130_000);
    expect(
      resolveDeciderSpec({ ...base, annotations: { 'serving.knative.dev/progress-deadline': '60s' } })
        .activationTimeoutMs,
    ).toBe(90_000);
  });

  it('the HPA class defaults to the cpu metric', () => {
    expect(resolve({ [`${A}class`]: 'hpa.autoscaling.knative.dev' }).metric).toBe('cpu');
  });
});

// Knative pkg/reconciler/autoscaling/resources/target_test.go TestResolveMetricTarget; its config
// has target fraction 1.0 and default 100. Exact equality, as upstream.
describe('TestResolveMetricTarget', () => {
  it.each<[string, Record<string, string>, number, Partial<AutoscalerConfig>, number, number | undefined]>([
    ['defaults', {}, 0, {}, 100, 100],
    ['default CC + 80% TU', {}, 0, { containerConcurrencyTargetFraction: 0.8 }, 80, 100],
    [
      'non-default CC and TU (0.3 × 2 = 0.6, above the 0.01 minimum)',
      {},
      0,
      { containerConcurrencyTargetFraction: 0.3, containerConcurrencyTargetDefault: 2 },
      0.6,
      2,
    ],
    [
      'with container concurrency 12 and TU=80%, but TU annotation 75%',
      { [`${A}target-utilization-percentage`]: '75' },
      12,
      { containerConcurrencyTargetFraction: 0.8 },
      9,
      12,
    ],
    ['with container concurrency 10 and TU=80%', {}, 10, { containerConcurrencyTargetFraction: 0.8 }, 8, 10],
    ['with container concurrency 1 and TU=80%', {}, 1, { containerConcurrencyTargetFraction: 0.8 }, 0.8, 1],
    ['with container concurrency 1', {}, 1, {}, 1, 1],
    ['with container concurrency 10', {}, 10, {}, 10, 10],
    ['with target annotation 1', { [`${A}target`]: '1' }, 0, {}, 1, 1],
    [
      'with target annotation 1 and TU=75%',
      { [`${A}target`]: '1' },
      0,
      { containerConcurrencyTargetFraction: 0.75 },
      0.75,
      1,
    ],
    [
      'with target annotation 10 and TU=75%',
      { [`${A}target`]: '10' },
      0,
      { containerConcurrencyTargetFraction: 0.75 },
      7.5,
      10,
    ],
    ['with container concurrency greater than target annotation (ok)', { [`${A}target`]: '1' }, 10, {}, 1, 1],
    [
      'with target annotation greater than container concurrency (ignore annotation for safety)',
      { [`${A}target`]: '10' },
      1,
      {},
      1,
      1,
    ],
    ['with a target annotation below the minimum', { [`${A}target`]: '0.005' }, 0, {}, 0.01, 0.005],
  ])('%s', (_name, annotations, cc, cfg, wantTarget, wantTotal) => {
    const s = resolve(annotations, { cc, cfg: { containerConcurrencyTargetFraction: 1, ...cfg } });
    expect(s.targetValue).toBe(wantTarget);
    if (wantTotal !== undefined) expect(s.totalValue).toBe(wantTotal);
  });
});
