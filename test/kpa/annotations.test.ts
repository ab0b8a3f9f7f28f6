import { describe, expect, it } from 'vitest';
import type { AutoscalerConfig } from '../../src/model/kpa/index.js';
import { validateAutoscalingAnnotations } from '../../src/model/kpa/index.js';
import { formatFieldErrors } from '../../src/model/rules/fielderror.js';
import { config } from './fixtures.js';

const A = 'autoscaling.knative.dev/';
const P = 'metadata.annotations.autoscaling.knative.dev/';
const KPA = 'kpa.autoscaling.knative.dev';

function errors(annotations: Record<string, string>, cfg: Partial<AutoscalerConfig> = {}): string[] {
  return validateAutoscalingAnnotations(annotations, config(cfg)).map((e) => formatFieldErrors([e]));
}

// Cases after Knative pkg/apis/autoscaling/annotation_validation_test.go.
describe('validateAutoscalingAnnotations', () => {
  it.each<[string, Record<string, string>, Partial<AutoscalerConfig>, string[]]>([
    ['empty annotations', {}, {}, []],
    ['unrelated annotations', { 'foo.dev/bar': 'baz' }, {}, []],
    // Scale bounds.
    ['min-scale is 0', { [`${A}min-scale`]: '0' }, {}, []],
    ['max-scale is 0', { [`${A}max-scale`]: '0' }, {}, []],
    ['min-scale is -1', { [`${A}min-scale`]: '-1' }, {}, [`expected 0 <= -1 <= 2147483647: ${P}min-scale`]],
    ['max-scale is -1', { [`${A}max-scale`]: '-1' }, {}, [`expected 0 <= -1 <= 2147483647: ${P}max-scale`]],
    ['minScale (legacy) is foo', { [`${A}minScale`]: 'foo' }, {}, [`invalid value: foo: ${P}minScale`]],
    ['maxScale (legacy) is bar', { [`${A}maxScale`]: 'bar' }, {}, [`invalid value: bar: ${P}maxScale`]],
    [
      'max-scale beyond int32',
      { [`${A}max-scale`]: '2147483648' },
      {},
      [`expected 0 <= 2147483648 <= 2147483647: ${P}max-scale`],
    ],
    ['min-scale 2, max-scale 5', { [`${A}min-scale`]: '2', [`${A}max-scale`]: '5' }, {}, []],
    ['min-scale 5, max-scale 5', { [`${A}min-scale`]: '5', [`${A}max-scale`]: '5' }, {}, []],
    [
      'min-scale 5, max-scale 2',
      { [`${A}min-scale`]: '5', [`${A}max-scale`]: '2' },
      {},
      [`max-scale=2 is less than min-scale=5: ${P}max-scale, ${P}min-scale`],
    ],
    ['min-scale 5, max-scale 0 (unlimited)', { [`${A}min-scale`]: '5', [`${A}max-scale`]: '0' }, {}, []],
    ['max-scale at max-scale-limit', { [`${A}max-scale`]: '1000' }, { maxScaleLimit: 1000 }, []],
    [
      'max-scale above max-scale-limit',
      { [`${A}max-scale`]: '1001' },
      { maxScaleLimit: 1000 },
      [`expected 1 <= 1001 <= 1000: ${P}max-scale`],
    ],
    [
      'max-scale 0 (unlimited) with a max-scale-limit',
      { [`${A}max-scale`]: '0' },
      { maxScaleLimit: 1000 },
      [`expected 1 <= 0 <= 1000: ${P}max-scale`],
    ],
    ['no max-scale with a max-scale-limit', {}, { maxScaleLimit: 1000 }, []],
    // Activation scale.
    ['activation-scale 2', { [`${A}activation-scale`]: '2' }, {}, []],
    [
      'activation-scale 1',
      { [`${A}activation-scale`]: '1' },
      {},
      [`expected 2 <= 1 <= 2147483647: ${P}activation-scale`],
    ],
    [
      'activation-scale not a number',
      { [`${A}activation-scale`]: 'x' },
      {},
      [`invalid value: x: ${P}activation-scale`],
    ],
    [
      'activation-scale equal to min and max',
      { [`${A}activation-scale`]: '3', [`${A}min-scale`]: '3', [`${A}max-scale`]: '3' },
      {},
      [],
    ],
    [
      'activation-scale below min-scale',
      { [`${A}activation-scale`]: '2', [`${A}min-scale`]: '3' },
      {},
      [`activation-scale=2 is less than min-scale=3: ${P}activation-scale, ${P}min-scale`],
    ],
    [
      'activation-scale above max-scale',
      { [`${A}activation-scale`]: '4', [`${A}max-scale`]: '3' },
      {},
      [`max-scale=3 is less than activation-scale=4: ${P}max-scale, ${P}activation-scale`],
    ],
    // Window.
    ['window 6s (minimum)', { [`${A}window`]: '6s' }, {}, []],
    ['window 1h (maximum)', { [`${A}window`]: '1h' }, {}, []],
    ['window 5s', { [`${A}window`]: '5s' }, {}, [`expected 6s <= 5s <= 1h0m0s: ${P}window`]],
    ['window 1h1s', { [`${A}window`]: '1h1s' }, {}, [`expected 6s <= 1h1s <= 1h0m0s: ${P}window`]],
    [
      'window with sub-second precision',
      { [`${A}window`]: '7500ms' },
      {},
      [`must be specified with at most second precision: ${P}window`],
    ],
    ['window not a duration', { [`${A}window`]: '60' }, {}, [`invalid value: 60: ${P}window`]],
    // Target and utilisation.
    ['target 0.01', { [`${A}target`]: '0.01' }, {}, []],
    ['target 0.001', { [`${A}target`]: '0.001' }, {}, [`target 0.001 should be at least 0.01: ${P}target`]],
    ['target not a number', { [`${A}target`]: 'x' }, {}, [`target x should be at least 0.01: ${P}target`]],
    ['utilization 1', { [`${A}target-utilization-percentage`]: '1' }, {}, []],
    ['utilization 100', { [`${A}target-utilization-percentage`]: '100' }, {}, []],
    [
      'utilization 0.5',
      { [`${A}target-utilization-percentage`]: '0.5' },
      {},
      [`expected 1 <= 0.5 <= 100: ${P}target-utilization-percentage`],
    ],
    [
      'utilization 101 (legacy key)',
      { [`${A}targetUtilizationPercentage`]: '101' },
      {},
      [`expected 1 <= 101 <= 100: ${P}targetUtilizationPercentage`],
    ],
    // Panic.
    ['panic window 1 %', { [`${A}panic-window-percentage`]: '1' }, {}, []],
    ['panic window 100 %', { [`${A}panic-window-percentage`]: '100' }, {}, []],
    [
      'panic window 0.5 %',
      { [`${A}panic-window-percentage`]: '0.5' },
      {},
      [`expected 1 <= 0.5 <= 100: ${P}panic-window-percentage`],
    ],
    [
      'panic window 101 % (legacy key)',
      { [`${A}panicWindowPercentage`]: '101' },
      {},
      [`expected 1 <= 101 <= 100: ${P}panicWindowPercentage`],
    ],
    [
      'panic window not a number',
      { [`${A}panic-window-percentage`]: 'x' },
      {},
      [`invalid value: x: ${P}panic-window-percentage`],
    ],
    ['panic threshold 110 %', { [`${A}panic-threshold-percentage`]: '110' }, {}, []],
    ['panic threshold 1000 %', { [`${A}panic-threshold-percentage`]: '1000' }, {}, []],
    [
      'panic threshold 109 %',
      { [`${A}panic-threshold-percentage`]: '109' },
      {},
      [`expected 110 <= 109 <= 1000: ${P}panic-threshold-percentage`],
    ],
    [
      'panic threshold 1001 % (legacy key)',
      { [`${A}panicThresholdPercentage`]: '1001' },
      {},
      [`expected 110 <= 1001 <= 1000: ${P}panicThresholdPercentage`],
    ],
    // Target burst capacity.
    ['TBC -1', { [`${A}target-burst-capacity`]: '-1' }, {}, []],
    ['TBC 0', { [`${A}target-burst-capacity`]: '0' }, {}, []],
    ['TBC -2', { [`${A}target-burst-capacity`]: '-2' }, {}, [`invalid value: -2: ${P}target-burst-capacity`]],
    [
      'TBC not a number (legacy key)',
      { [`${A}targetBurstCapacity`]: 'x' },
      {},
      [`invalid value: x: ${P}targetBurstCapacity`],
    ],
    // Initial scale.
    ['initial-scale 1', { [`${A}initial-scale`]: '1' }, {}, []],
    // Knative words these two in the path (annotation_validation.go validateInitialScale; metadata_validation_test.go).
    [
      'initial-scale 0 without allow-zero',
      { [`${A}initial-scale`]: '0' },
      {},
      [`invalid value: 0: ${P}initial-scale=0 not allowed by cluster`],
    ],
    ['initial-scale 0 with allow-zero', { [`${A}initial-scale`]: '0' }, { allowZeroInitialScale: true }, []],
    [
      'initialScale (legacy) -1',
      { [`${A}initialScale`]: '-1' },
      { allowZeroInitialScale: true },
      [`invalid value: -1: ${P}initialScale must be greater than 0`],
    ],
    // Retention and delay.
    ['retention 1h', { [`${A}scale-to-zero-pod-retention-period`]: '1h' }, {}, []],
    [
      'retention 1h1s',
      { [`${A}scale-to-zero-pod-retention-period`]: '1h1s' },
      {},
      [`expected 0s <= 1h1s <= 1h0m0s: ${P}scale-to-zero-pod-retention-period`],
    ],
    [
      'retention -1s',
      { [`${A}scale-to-zero-pod-retention-period`]: '-1s' },
      {},
      [`expected 0s <= -1s <= 1h0m0s: ${P}scale-to-zero-pod-retention-period`],
    ],
    [
      'retention not a duration',
      { [`${A}scale-to-zero-pod-retention-period`]: 'x' },
      {},
      [`invalid value: x: ${P}scale-to-zero-pod-retention-period`],
    ],
    ['scale-down-delay 1h', { [`${A}scale-down-delay`]: '1h' }, {}, []],
    [
      'scale-down-delay 1h1s',
      { [`${A}scale-down-delay`]: '1h1s' },
      {},
      [`expected 0s <= 1h1s <= 1h0m0s: ${P}scale-down-delay`],
    ],
    [
      'scale-down-delay 1.5s (legacy key)',
      { [`${A}scaleDownDelay`]: '1.5s' },
      {},
      [`must be specified with at most second precision: ${P}scaleDownDelay`],
    ],
    // Metric and class.
    ['metric rps on the KPA', { [`${A}metric`]: 'rps' }, {}, []],
    ['metric concurrency on the KPA', { [`${A}metric`]: 'concurrency', [`${A}class`]: KPA }, {}, []],
    ['metric cpu on the KPA', { [`${A}metric`]: 'cpu' }, {}, [`invalid value: cpu: ${P}metric`]],
    ['metric cpu on the HPA', { [`${A}metric`]: 'cpu', [`${A}class`]: 'hpa.autoscaling.knative.dev' }, {}, []],
    ['metric memory on the HPA', { [`${A}metric`]: 'memory', [`${A}class`]: 'hpa.autoscaling.knative.dev' }, {}, []],
    [
      'empty metric on the HPA',
      { [`${A}metric`]: '', [`${A}class`]: 'hpa.autoscaling.knative.dev' },
      {},
      [`invalid value: : ${P}metric`],
    ],
    ['any metric on a custom class', { [`${A}metric`]: 'queue-depth', [`${A}class`]: 'custom.example.com' }, {}, []],
    [
      'an unknown class in our domain',
      { [`${A}class`]: 'foo.autoscaling.knative.dev' },
      {},
      [`invalid value: foo.autoscaling.knative.dev: ${P}class`],
    ],
    // Aggregation algorithm (checked only when the class says KPA).
    ['algorithm linear', { [`${A}metric-aggregation-algorithm`]: 'linear', [`${A}class`]: KPA }, {}, []],
    [
      'algorithm weighted-exponential',
      { [`${A}metric-aggregation-algorithm`]: 'weighted-exponential', [`${A}class`]: KPA },
      {},
      [],
    ],
    [
      'algorithm weightedExponential',
      { [`${A}metricAggregationAlgorithm`]: 'weightedExponential', [`${A}class`]: KPA },
      {},
      [],
    ],
    [
      'algorithm bogus on the KPA',
      { [`${A}metric-aggregation-algorithm`]: 'bogus', [`${A}class`]: KPA },
      {},
      [`invalid value: bogus: ${P}metric-aggregation-algorithm`],
    ],
    [
      'algorithm bogus without a class annotation is not checked',
      { [`${A}metric-aggregation-algorithm`]: 'bogus' },
      {},
      [],
    ],
  ])('%s', (_name, annotations, cfg, want) => {
    expect(errors(annotations, cfg)).toEqual(want);
  });

  it('reports every problem, not just the first', () => {
    expect(errors({ [`${A}min-scale`]: '-1', [`${A}window`]: '5s', [`${A}target`]: '0' })).toHaveLength(3);
  });
});
