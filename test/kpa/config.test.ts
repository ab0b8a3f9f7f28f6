import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  defaultAutoscalerConfig,
  defaultDefaultsConfig,
  defaultDeploymentConfig,
  parseAutoscalerConfig,
  parseDefaultsConfig,
  parseDeploymentConfig,
  parseGoDuration,
} from '../../src/model/kpa/index.js';

/** The `_example` block of Knative's shipped config-autoscaler ConfigMap (comments trimmed). */
const EXAMPLE_BLOCK = `
    container-concurrency-target-percentage: "70"
    container-concurrency-target-default: "100"
    requests-per-second-target-default: "200"
    target-burst-capacity: "211"
    stable-window: "60s"
    panic-window-percentage: "10.0"
    panic-threshold-percentage: "200.0"
    max-scale-up-rate: "1000.0"
    max-scale-down-rate: "2.0"
    enable-scale-to-zero: "true"
    scale-to-zero-grace-period: "30s"
    scale-to-zero-pod-retention-period: "0s"
    pod-autoscaler-class: "kpa.autoscaling.knative.dev"
    activator-capacity: "100.0"
    initial-scale: "1"
    allow-zero-initial-scale: "false"
    min-scale: "0"
    max-scale: "0"
    scale-down-delay: "0s"
    max-scale-limit: "0"
`;

/** Reads `key: "value"` lines, the way the YAML `_example` block is written. */
function readExample(text: string): Record<string, string> {
  const data: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([a-z-]+):\s*"(.*)"\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) data[m[1]] = m[2];
  }
  return data;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('config-autoscaler', () => {
  it('has Knative defaults (target 70 % of 100, TBC 211, 60 s stable window)', () => {
    const c = defaultAutoscalerConfig();
    expect(c.containerConcurrencyTargetFraction).toBe(0.7);
    expect(c.containerConcurrencyTargetDefault).toBe(100);
    expect(c.targetBurstCapacity).toBe(211);
    expect(c.stableWindowMs).toBe(60_000);
    expect(c.panicWindowPercentage).toBe(10);
    expect(c.panicThresholdPercentage).toBe(200);
    expect(c.scaleToZeroGracePeriodMs).toBe(30_000);
  });

  it('the shipped _example block parses to exactly the defaults', () => {
    const data = readExample(EXAMPLE_BLOCK);
    expect(Object.keys(data)).toHaveLength(20);
    expect(parseAutoscalerConfig(data)).toEqual(defaultAutoscalerConfig());
  });

  it('an empty ConfigMap gives the defaults; unknown keys and _example are ignored', () => {
    expect(parseAutoscalerConfig({})).toEqual(defaultAutoscalerConfig());
    expect(parseAutoscalerConfig({ _example: 'anything', 'tick-interval': '2s', foo: 'bar' })).toEqual(
      defaultAutoscalerConfig(),
    );
  });

  it('reads the target percentage as a percentage above 1 and a fraction up to 1', () => {
    expect(
      parseAutoscalerConfig({ 'container-concurrency-target-percentage': '70' }).containerConcurrencyTargetFraction,
    ).toBe(0.7);
    expect(
      parseAutoscalerConfig({ 'container-concurrency-target-percentage': '0.7' }).containerConcurrencyTargetFraction,
    ).toBe(0.7);
    expect(
      parseAutoscalerConfig({ 'container-concurrency-target-percentage': '1' }).containerConcurrencyTargetFraction,
    ).toBe(1);
    expect(
      parseAutoscalerConfig({ 'container-concurrency-target-percentage': '100' }).containerConcurrencyTargetFraction,
    ).toBe(1);
  });

  // Cases after Knative config_test.go TestNewConfig.
  it.each<[string, Record<string, string>, Partial<ReturnType<typeof defaultAutoscalerConfig>>]>([
    [
      'actual config',
      {
        'enable-scale-to-zero': 'true',
        'max-scale-up-rate': '1.001',
        'max-scale-down-rate': '3.0',
        'container-concurrency-target-percentage': '0.5',
        'container-concurrency-target-default': '10.0',
        'requests-per-second-target-default': '10.0',
        'target-burst-capacity': '12345',
        'stable-window': '5m',
        'panic-window-percentage': '10',
        'panic-threshold-percentage': '200',
      },
      {
        maxScaleUpRate: 1.001,
        maxScaleDownRate: 3,
        containerConcurrencyTargetFraction: 0.5,
        containerConcurrencyTargetDefault: 10,
        rpsTargetDefault: 10,
        targetBurstCapacity: 12345,
        stableWindowMs: 300_000,
      },
    ],
    ['with -1 tbc', { 'target-burst-capacity': '-1' }, { targetBurstCapacity: -1 }],
    ['with zero tbc', { 'target-burst-capacity': '0' }, { targetBurstCapacity: 0 }],
    ['with 1m30s stable window', { 'stable-window': '1m30s' }, { stableWindowMs: 90_000 }],
    ['with the 1h maximum stable window', { 'stable-window': '1h' }, { stableWindowMs: 3_600_000 }],
    ['with the 6s minimum stable window', { 'stable-window': '6s' }, { stableWindowMs: 6_000 }],
    ['with scale to zero disabled', { 'enable-scale-to-zero': 'false' }, { enableScaleToZero: false }],
    [
      'with minimal target 0.01 (fraction 0.01 of 1)',
      { 'container-concurrency-target-percentage': '0.01', 'container-concurrency-target-default': '1' },
      { containerConcurrencyTargetFraction: 0.01, containerConcurrencyTargetDefault: 1 },
    ],
    [
      'with zero initial scale allowed',
      { 'initial-scale': '0', 'allow-zero-initial-scale': 'true' },
      { initialScale: 0, allowZeroInitialScale: true },
    ],
    [
      'with max-scale within max-scale-limit',
      { 'max-scale': '10', 'max-scale-limit': '100' },
      { maxScale: 10, maxScaleLimit: 100 },
    ],
    ['with scale-down-delay of 1m', { 'scale-down-delay': '1m' }, { scaleDownDelayMs: 60_000 }],
    [
      'with pod retention of 30s',
      { 'scale-to-zero-pod-retention-period': '30s' },
      { scaleToZeroPodRetentionPeriodMs: 30_000 },
    ],
    [
      'with panic threshold outside the annotation range (not checked)',
      { 'panic-threshold-percentage': '50' },
      { panicThresholdPercentage: 50 },
    ],
    ['with grace period 1m', { 'scale-to-zero-grace-period': '1m' }, { scaleToZeroGracePeriodMs: 60_000 }],
  ])('accepts %s', (_name, data, expected) => {
    expect(parseAutoscalerConfig(data)).toEqual({ ...defaultAutoscalerConfig(), ...expected });
  });

  it.each<[string, Record<string, string>, string, string]>([
    [
      'malformed float',
      { 'max-scale-up-rate': 'not a float' },
      'max-scale-up-rate',
      'failed to parse "max-scale-up-rate"',
    ],
    ['malformed duration', { 'stable-window': 'not a duration' }, 'stable-window', 'failed to parse "stable-window"'],
    ['malformed bool', { 'enable-scale-to-zero': 'yes' }, 'enable-scale-to-zero', 'failed to parse'],
    ['malformed int', { 'min-scale': '1.5' }, 'min-scale', 'failed to parse "min-scale"'],
    [
      'tbc below -1',
      { 'target-burst-capacity': '-2' },
      'target-burst-capacity',
      'target-burst-capacity must be either non-negative or -1 (for unlimited), was: -2',
    ],
    [
      'target percentage 0',
      { 'container-concurrency-target-percentage': '0' },
      'container-concurrency-target-percentage',
      'is outside of valid range of (0, 100]',
    ],
    [
      'target percentage above 100',
      { 'container-concurrency-target-percentage': '200' },
      'container-concurrency-target-percentage',
      'is outside of valid range of (0, 100]',
    ],
    [
      'target below 0.01',
      { 'container-concurrency-target-percentage': '0.01', 'container-concurrency-target-default': '0.5' },
      'container-concurrency-target-default',
      "can't be less than 0.01",
    ],
    [
      'rps target below 0.01',
      { 'requests-per-second-target-default': '0.005' },
      'requests-per-second-target-default',
      'requests-per-second-target-default must be at least 0.01, was 0.005',
    ],
    [
      'scale-up rate exactly 1',
      { 'max-scale-up-rate': '1' },
      'max-scale-up-rate',
      'max-scale-up-rate = 1, must be greater than 1.0',
    ],
    [
      'scale-down rate below 1',
      { 'max-scale-down-rate': '0.5' },
      'max-scale-down-rate',
      'max-scale-down-rate = 0.5, must be greater than 1.0',
    ],
    [
      'stable window just below 6s',
      { 'stable-window': '5s' },
      'stable-window',
      'stable-window = 5s, must be in [6s; 1h0m0s] range',
    ],
    [
      'stable window just above 1h',
      { 'stable-window': '1h1s' },
      'stable-window',
      'stable-window = 1h0m1s, must be in [6s; 1h0m0s] range',
    ],
    [
      'stable window not in whole seconds',
      { 'stable-window': '61500ms' },
      'stable-window',
      'must be specified with at most second precision',
    ],
    [
      'panic window percentage below 1',
      { 'panic-window-percentage': '0.5' },
      'panic-window-percentage',
      'panic-window-percentage = 0.5, must be in [1, 100] interval',
    ],
    [
      'panic window percentage above 100',
      { 'panic-window-percentage': '101' },
      'panic-window-percentage',
      'must be in [1, 100] interval',
    ],
    [
      'grace period 0',
      { 'scale-to-zero-grace-period': '0s' },
      'scale-to-zero-grace-period',
      'scale-to-zero-grace-period must be at least 6s, was: 0s',
    ],
    [
      'negative pod retention',
      { 'scale-to-zero-pod-retention-period': '-1s' },
      'scale-to-zero-pod-retention-period',
      'cannot be negative',
    ],
    [
      'negative scale-down delay',
      { 'scale-down-delay': '-1s' },
      'scale-down-delay',
      'scale-down-delay cannot be negative, was: -1s',
    ],
    [
      'scale-down delay with sub-second precision',
      { 'scale-down-delay': '1500ms' },
      'scale-down-delay',
      'must be specified with at most second precision',
    ],
    [
      'activator capacity below 1',
      { 'activator-capacity': '0.9' },
      'activator-capacity',
      'activator-capacity = 0.9, must be at least 1',
    ],
    [
      'initial scale 0 without allow-zero',
      { 'initial-scale': '0' },
      'initial-scale',
      'initial-scale = 0, must be at least 0 (or at least 1 when allow-zero-initial-scale is false)',
    ],
    [
      'negative initial scale',
      { 'initial-scale': '-1', 'allow-zero-initial-scale': 'true' },
      'initial-scale',
      'initial-scale = -1',
    ],
    ['negative min-scale', { 'min-scale': '-1' }, 'min-scale', 'min-scale = -1, must be at least 0'],
    ['negative max-scale', { 'max-scale': '-1' }, 'max-scale', 'max-scale = -1, must be in [0, max-scale-limit] range'],
    [
      'max-scale above max-scale-limit',
      { 'max-scale': '11', 'max-scale-limit': '10' },
      'max-scale',
      'max-scale = 11, must be in [0, max-scale-limit] range',
    ],
    [
      'negative max-scale-limit',
      { 'max-scale-limit': '-1' },
      'max-scale-limit',
      'max-scale-limit = -1, must be at least 0',
    ],
    [
      'min-scale above max-scale',
      { 'min-scale': '5', 'max-scale': '4' },
      'min-scale',
      'min-scale (5) must be less than max-scale (4)',
    ],
  ])('rejects %s', (_name, data, key, message) => {
    const e = errorOf(() => parseAutoscalerConfig(data));
    expect(e.key).toBe(key);
    expect(e.message).toContain(message);
  });
});

describe('Go durations', () => {
  it.each<[string, number | undefined]>([
    ['60s', 60_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['500ms', 500],
    ['0', 0],
    ['0s', 0],
    ['-1s', -1000],
    ['1h1m1s', 3_661_000],
    ['60', undefined],
    ['', undefined],
    ['s', undefined],
    ['1d', undefined],
  ])('%j is %s ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
});

describe('config-deployment and config-defaults', () => {
  it('progress-deadline defaults to 600 s', () => {
    expect(parseDeploymentConfig({})).toEqual(defaultDeploymentConfig());
    expect(parseDeploymentConfig({}).progressDeadlineMs).toBe(600_000);
    expect(parseDeploymentConfig({ 'progress-deadline': '120s' }).progressDeadlineMs).toBe(120_000);
  });

  it('rejects a non-positive progress deadline', () => {
    expect(errorOf(() => parseDeploymentConfig({ 'progress-deadline': '0s' })).key).toBe('progress-deadline');
  });

  it('config-defaults has Knative defaults', () => {
    expect(parseDefaultsConfig({})).toEqual(defaultDefaultsConfig());
    const d = defaultDefaultsConfig();
    expect(d.revisionTimeoutSeconds).toBe(300);
    expect(d.maxRevisionTimeoutSeconds).toBe(600);
    expect(d.revisionResponseStartTimeoutSeconds).toBe(300);
    expect(d.revisionIdleTimeoutSeconds).toBe(0);
    expect(d.containerConcurrency).toBe(0);
    expect(d.containerConcurrencyMaxLimit).toBe(1000);
  });

  it('the response-start timeout follows the revision timeout unless set', () => {
    expect(parseDefaultsConfig({ 'revision-timeout-seconds': '100' }).revisionResponseStartTimeoutSeconds).toBe(100);
    expect(
      parseDefaultsConfig({ 'revision-timeout-seconds': '100', 'revision-response-start-timeout-seconds': '50' })
        .revisionResponseStartTimeoutSeconds,
    ).toBe(50);
  });

  it.each<[string, Record<string, string>, string]>([
    ['revision timeout above the maximum', { 'revision-timeout-seconds': '601' }, 'revision-timeout-seconds'],
    ['container concurrency above the limit', { 'container-concurrency': '1001' }, 'container-concurrency'],
    ['negative container concurrency', { 'container-concurrency': '-1' }, 'container-concurrency'],
    [
      'idle timeout above the revision timeout',
      { 'revision-idle-timeout-seconds': '301' },
      'revision-idle-timeout-seconds',
    ],
  ])('config-defaults rejects %s', (_name, data, key) => {
    expect(errorOf(() => parseDefaultsConfig(data)).key).toBe(key);
  });
});

// Knative pkg/autoscaler/config/config_test.go TestNewConfig, case by case.
describe('TestNewConfig', () => {
  const def = defaultAutoscalerConfig();
  it.each<[string, Record<string, string>, ReturnType<typeof defaultAutoscalerConfig> | 'error']>([
    ['default', {}, def],
    ['actual (only the _example key)', { _example: '# comments only' }, def],
    [
      'overridden',
      {
        'enable-scale-to-zero': 'true',
        'max-scale-down-rate': '3.0',
        'max-scale-up-rate': '1.01',
        'container-concurrency-target-percentage': '0.71',
        'container-concurrency-target-default': '10.5',
        'requests-per-second-target-default': '10.11',
        'target-burst-capacity': '12345',
        'scale-down-delay': '15m',
        'stable-window': '5m',
        'tick-interval': '2s',
        'panic-window-percentage': '10',
        'panic-threshold-percentage': '200',
        'pod-autoscaler-class': 'some.class',
        'activator-capacity': '905',
        'scale-to-zero-pod-retention-period': '2m3s',
      },
      {
        ...def,
        targetBurstCapacity: 12345,
        containerConcurrencyTargetDefault: 10.5,
        containerConcurrencyTargetFraction: 0.71,
        rpsTargetDefault: 10.11,
        maxScaleDownRate: 3,
        maxScaleUpRate: 1.01,
        scaleDownDelayMs: 15 * 60_000,
        stableWindowMs: 5 * 60_000,
        activatorCapacity: 905,
        podAutoscalerClass: 'some.class',
        scaleToZeroPodRetentionPeriodMs: 123_000,
      },
    ],
    [
      'minimum',
      {
        'max-scale-up-rate': '1.001',
        'container-concurrency-target-percentage': '0.5',
        'container-concurrency-target-default': '10.0',
        'target-burst-capacity': '0',
        'stable-window': '5m',
        'tick-interval': '2s',
        'panic-window-percentage': '10',
        'panic-threshold-percentage': '200',
        'activator-capacity': '1',
      },
      {
        ...def,
        containerConcurrencyTargetFraction: 0.5,
        containerConcurrencyTargetDefault: 10,
        maxScaleUpRate: 1.001,
        targetBurstCapacity: 0,
        stableWindowMs: 5 * 60_000,
        activatorCapacity: 1,
      },
    ],
    [
      'concurrency target percentage as percent',
      { 'container-concurrency-target-percentage': '55' },
      { ...def, containerConcurrencyTargetFraction: 0.55 },
    ],
    ['with -1 tbc', { 'target-burst-capacity': '-1' }, { ...def, targetBurstCapacity: -1 }],
    ['with toggles on strange casing', { 'enable-scale-to-zero': 'TRUE' }, def],
    ['with toggles explicitly flipped', { 'enable-scale-to-zero': 'false' }, { ...def, enableScaleToZero: false }],
    [
      'with explicit grace period',
      { 'enable-scale-to-zero': 'false', 'scale-to-zero-grace-period': '33s' },
      { ...def, enableScaleToZero: false, scaleToZeroGracePeriodMs: 33_000 },
    ],
    ['malformed float', { 'max-scale-up-rate': 'not a float' }, 'error'],
    ['invalid scale-down-delay', { 'scale-down-delay': '-1m23s' }, 'error'],
    ['invalid pod retention period', { 'scale-to-zero-pod-retention-period': '-4m11s' }, 'error'],
    ['malformed duration', { 'stable-window': 'not a duration' }, 'error'],
    ['invalid target burst capacity', { 'target-burst-capacity': '-11' }, 'error'],
    ['invalid target %, too small', { 'container-concurrency-target-percentage': '-42' }, 'error'],
    ['invalid target %, too big', { 'container-concurrency-target-percentage': '142.4' }, 'error'],
    ['invalid RPS target, too small', { 'requests-per-second-target-default': '-5.25' }, 'error'],
    ['max scale up rate 1.0', { 'max-scale-up-rate': '1' }, 'error'],
    ['max down down rate negative', { 'max-scale-down-rate': '-55' }, 'error'],
    ['max down down rate 1.0', { 'max-scale-down-rate': '1' }, 'error'],
    ['stable window too big', { 'stable-window': '1h1s' }, 'error'],
    ['stable window too small', { 'stable-window': '1s' }, 'error'],
    ['stable not seconds', { 'stable-window': '61984ms' }, 'error'],
    ['scale-down-delay not seconds', { 'scale-down-delay': '61984ms' }, 'error'],
    ['activator-capacity invalid', { 'activator-capacity': '0.95' }, 'error'],
    ['panic window percentage too small', { 'panic-window-percentage': '0.1' }, 'error'],
    [
      'panic window percentage too big',
      { 'stable-window': '12s', 'panic-window': '3s', 'panic-window-percentage': '110' },
      'error',
    ],
    [
      'TU*CC < 0.01',
      { 'container-concurrency-target-percentage': '1', 'container-concurrency-target-default': '0.001' },
      'error',
    ],
    ['grace window too small', { 'stable-window': '12s', 'scale-to-zero-grace-period': '4s' }, 'error'],
    ['with prohibited default initial scale', { 'allow-zero-initial-scale': 'false', 'initial-scale': '0' }, 'error'],
    ['with negative default initial scale', { 'allow-zero-initial-scale': 'false', 'initial-scale': '-1' }, 'error'],
    [
      'with non-parseable default initial scale',
      { 'allow-zero-initial-scale': 'false', 'initial-scale': 'invalid' },
      'error',
    ],
    [
      'with valid default initial scale',
      { 'allow-zero-initial-scale': 'true', 'initial-scale': '0' },
      { ...def, allowZeroInitialScale: true, initialScale: 0 },
    ],
    ['with non-parseable allow-zero-initial-scale', { 'allow-zero-initial-scale': 'invalid' }, 'error'],
    ['with negative default max scale', { 'max-scale': '-1' }, 'error'],
    ['with valid default max scale', { 'max-scale': '10' }, { ...def, maxScale: 10 }],
  ])('%s', (_name, data, want) => {
    if (want === 'error') expect(() => parseAutoscalerConfig(data)).toThrow(ConfigError);
    else expect(parseAutoscalerConfig(data)).toEqual(want);
  });
});
