/**
 * Per-revision autoscaling annotations (`autoscaling.knative.dev/*`): looking them up (kebab-case
 * first, then the legacy camelCase alias), reading them leniently for spec resolution, and
 * validating them with Knative-style field errors.
 */

import type { FieldError } from '../rules/fielderror.js';
import type { AutoscalerConfig } from './config.js';
import { AUTOSCALING_LIMITS, HPA_CLASS, KPA_CLASS } from './config.js';
import { formatGoDuration, parseGoDuration } from './duration.js';
import { parseGoFloat, parseGoInt32 } from './goValues.js';

export const AUTOSCALING_GROUP = 'autoscaling.knative.dev';

/** Each annotation as `[canonical, ...legacy aliases]`; lookups try them in this order. */
export const ANNOTATION_KEYS = {
  class: ['autoscaling.knative.dev/class'],
  metric: ['autoscaling.knative.dev/metric'],
  target: ['autoscaling.knative.dev/target'],
  minScale: ['autoscaling.knative.dev/min-scale', 'autoscaling.knative.dev/minScale'],
  maxScale: ['autoscaling.knative.dev/max-scale', 'autoscaling.knative.dev/maxScale'],
  initialScale: ['autoscaling.knative.dev/initial-scale', 'autoscaling.knative.dev/initialScale'],
  activationScale: ['autoscaling.knative.dev/activation-scale'],
  targetUtilizationPercentage: [
    'autoscaling.knative.dev/target-utilization-percentage',
    'autoscaling.knative.dev/targetUtilizationPercentage',
  ],
  targetBurstCapacity: ['autoscaling.knative.dev/target-burst-capacity', 'autoscaling.knative.dev/targetBurstCapacity'],
  window: ['autoscaling.knative.dev/window'],
  panicWindowPercentage: [
    'autoscaling.knative.dev/panic-window-percentage',
    'autoscaling.knative.dev/panicWindowPercentage',
  ],
  panicThresholdPercentage: [
    'autoscaling.knative.dev/panic-threshold-percentage',
    'autoscaling.knative.dev/panicThresholdPercentage',
  ],
  scaleDownDelay: ['autoscaling.knative.dev/scale-down-delay', 'autoscaling.knative.dev/scaleDownDelay'],
  scaleToZeroPodRetentionPeriod: ['autoscaling.knative.dev/scale-to-zero-pod-retention-period'],
  metricAggregationAlgorithm: [
    'autoscaling.knative.dev/metric-aggregation-algorithm',
    'autoscaling.knative.dev/metricAggregationAlgorithm',
  ],
} as const satisfies Record<string, readonly string[]>;

export type AnnotationName = keyof typeof ANNOTATION_KEYS;

/** The progress-deadline annotation (a Go duration) that overrides `config-deployment`. */
export const PROGRESS_DEADLINE_ANNOTATION = 'serving.knative.dev/progress-deadline';

export const METRIC_CONCURRENCY = 'concurrency';
export const METRIC_RPS = 'rps';
export const METRIC_CPU = 'cpu';

const AGGREGATION_LINEAR = 'linear';
export const AGGREGATION_WEIGHTED_EXPONENTIAL = 'weighted-exponential';
/** Older spelling of the weighted-exponential algorithm, still accepted. */
export const AGGREGATION_WEIGHTED_EXPONENTIAL_ALT = 'weightedExponential';

type Annotations = Readonly<Record<string, string>>;

/** The key that is present (canonical first) and its value, or undefined. */
function lookupAnnotation(annotations: Annotations, name: AnnotationName): { key: string; value: string } | undefined {
  for (const key of ANNOTATION_KEYS[name]) {
    const value = annotations[key];
    if (value !== undefined) return { key, value };
  }
  return undefined;
}

/** The annotation as a float, or undefined when absent or unparseable (Knative ignores it then). */
export function annotationFloat(annotations: Annotations, name: AnnotationName): number | undefined {
  const a = lookupAnnotation(annotations, name);
  if (a === undefined) return undefined;
  const v = parseGoFloat(a.value);
  return v === undefined || Number.isNaN(v) ? undefined : v;
}

/** The annotation as an int32, or undefined when absent or unparseable. */
export function annotationInt(annotations: Annotations, name: AnnotationName): number | undefined {
  const a = lookupAnnotation(annotations, name);
  return a === undefined ? undefined : parseGoInt32(a.value);
}

/** The annotation as a Go duration in ms, or undefined when absent or unparseable. */
export function annotationDurationMs(annotations: Annotations, name: AnnotationName): number | undefined {
  const a = lookupAnnotation(annotations, name);
  return a === undefined ? undefined : parseGoDuration(a.value);
}

/** The annotation as a string, or undefined. */
export function annotationString(annotations: Annotations, name: AnnotationName): string | undefined {
  return lookupAnnotation(annotations, name)?.value;
}

// ---------------------------------------------------------------------------------------------
// Validation

export type { FieldError } from '../rules/fielderror.js';

const ANNOTATIONS_PATH = 'metadata.annotations.';
const MAX_INT32 = 2147483647;

function invalidValue(value: string | number, key: string): FieldError {
  return { path: ANNOTATIONS_PATH + key, message: `invalid value: ${value}` };
}

function outOfBounds(value: string | number, lower: string | number, upper: string | number, key: string): FieldError {
  return { path: ANNOTATIONS_PATH + key, message: `expected ${lower} <= ${value} <= ${upper}` };
}

function generic(message: string, key: string): FieldError {
  return { path: ANNOTATIONS_PATH + key, message };
}

/**
 * Validates the autoscaling annotations of a revision (or service template) against the cluster
 * config. Returns every problem found; an empty list means valid.
 */
export function validateAutoscalingAnnotations(annotations: Annotations, config: AutoscalerConfig): FieldError[] {
  return [
    ...validateClass(annotations),
    ...validateMinMaxScale(annotations, config),
    ...validateFloats(annotations),
    ...validateWindow(annotations),
    ...validateLastPodRetention(annotations),
    ...validateScaleDownDelay(annotations),
    ...validateMetric(annotations),
    ...validateAlgorithm(annotations),
    ...validateInitialScale(annotations, config),
  ];
}

function classOf(annotations: Annotations): string {
  return annotationString(annotations, 'class') ?? KPA_CLASS;
}

function validateClass(annotations: Annotations): FieldError[] {
  const a = lookupAnnotation(annotations, 'class');
  if (a === undefined) return [];
  // Classes outside our domain belong to custom autoscalers and are left alone.
  const ours = a.value.endsWith(AUTOSCALING_GROUP);
  return ours && a.value !== KPA_CLASS && a.value !== HPA_CLASS ? [invalidValue(a.value, a.key)] : [];
}

/** A non-negative int32 annotation: 0 when absent; errors for bad text or negatives. */
function intGE0(annotations: Annotations, name: AnnotationName, errors: FieldError[]): number {
  const a = lookupAnnotation(annotations, name);
  if (a === undefined) return 0;
  if (!/^[+-]?\d+$/.test(a.value)) {
    errors.push(invalidValue(a.value, a.key));
    return 0;
  }
  const n = Number(a.value);
  if (n < 0 || n > MAX_INT32) {
    errors.push(outOfBounds(a.value, 0, MAX_INT32, a.key));
    return 0;
  }
  return n;
}

function validateMinMaxScale(annotations: Annotations, config: AutoscalerConfig): FieldError[] {
  const errors: FieldError[] = [];
  const min = intGE0(annotations, 'minScale', errors);
  const max = intGE0(annotations, 'maxScale', errors);
  const maxKey = lookupAnnotation(annotations, 'maxScale')?.key;
  const [minCanonical] = ANNOTATION_KEYS.minScale;
  const [maxCanonical] = ANNOTATION_KEYS.maxScale;

  if (max !== 0 && max < min) {
    errors.push({
      path: `${ANNOTATIONS_PATH}${maxCanonical}, ${ANNOTATIONS_PATH}${minCanonical}`,
      message: `max-scale=${max} is less than min-scale=${min}`,
    });
  }
  // With a max-scale-limit every max-scale must be in [1, limit]; unlimited (0) is rejected too.
  if (maxKey !== undefined && config.maxScaleLimit > 0 && (max < 1 || max > config.maxScaleLimit)) {
    errors.push(outOfBounds(max, 1, config.maxScaleLimit, maxKey));
  }

  const act = lookupAnnotation(annotations, 'activationScale');
  if (act !== undefined) {
    const v = parseGoInt32(act.value);
    if (v === undefined) {
      errors.push(invalidValue(act.value, act.key));
    } else if (v < 2) {
      errors.push(outOfBounds(v, 2, MAX_INT32, act.key));
    } else {
      if (v < min) {
        errors.push({
          path: `${ANNOTATIONS_PATH}${act.key}, ${ANNOTATIONS_PATH}${minCanonical}`,
          message: `activation-scale=${v} is less than min-scale=${min}`,
        });
      }
      if (max !== 0 && v > max) {
        errors.push({
          path: `${ANNOTATIONS_PATH}${maxCanonical}, ${ANNOTATIONS_PATH}${act.key}`,
          message: `max-scale=${max} is less than activation-scale=${v}`,
        });
      }
    }
  }
  return errors;
}

function validateFloats(annotations: Annotations): FieldError[] {
  const errors: FieldError[] = [];
  const L = AUTOSCALING_LIMITS;
  const ranged = (name: AnnotationName, lo: number, hi: number): void => {
    const a = lookupAnnotation(annotations, name);
    if (a === undefined) return;
    const v = parseGoFloat(a.value);
    if (v === undefined) errors.push(invalidValue(a.value, a.key));
    else if (!(v >= lo && v <= hi)) errors.push(outOfBounds(a.value, lo, hi, a.key));
  };
  ranged('panicWindowPercentage', L.panicWindowPercentageMin, L.panicWindowPercentageMax);
  ranged('panicThresholdPercentage', L.panicThresholdPercentageMin, L.panicThresholdPercentageMax);

  const target = lookupAnnotation(annotations, 'target');
  if (target !== undefined) {
    const v = parseGoFloat(target.value);
    if (v === undefined || !(v >= L.targetMin)) {
      errors.push(generic(`target ${target.value} should be at least ${L.targetMin}`, target.key));
    }
  }
  ranged('targetUtilizationPercentage', 1, 100);

  const tbc = lookupAnnotation(annotations, 'targetBurstCapacity');
  if (tbc !== undefined) {
    const v = parseGoFloat(tbc.value);
    if (v === undefined || Number.isNaN(v) || (v < 0 && v !== -1)) errors.push(invalidValue(tbc.value, tbc.key));
  }
  return errors;
}

function validateWindow(annotations: Annotations): FieldError[] {
  const a = lookupAnnotation(annotations, 'window');
  if (a === undefined) return [];
  const ms = parseGoDuration(a.value);
  const L = AUTOSCALING_LIMITS;
  if (ms === undefined) return [invalidValue(a.value, a.key)];
  if (ms < L.windowMinMs || ms > L.windowMaxMs) {
    return [outOfBounds(a.value, formatGoDuration(L.windowMinMs), formatGoDuration(L.windowMaxMs), a.key)];
  }
  if (ms % 1000 !== 0) return [generic('must be specified with at most second precision', a.key)];
  return [];
}

function validateLastPodRetention(annotations: Annotations): FieldError[] {
  const a = lookupAnnotation(annotations, 'scaleToZeroPodRetentionPeriod');
  if (a === undefined) return [];
  const ms = parseGoDuration(a.value);
  if (ms === undefined) return [invalidValue(a.value, a.key)];
  const max = AUTOSCALING_LIMITS.scaleToZeroPodRetentionMaxMs;
  if (ms < 0 || ms > max) return [outOfBounds(a.value, formatGoDuration(0), formatGoDuration(max), a.key)];
  return [];
}

function validateScaleDownDelay(annotations: Annotations): FieldError[] {
  const a = lookupAnnotation(annotations, 'scaleDownDelay');
  if (a === undefined) return [];
  const ms = parseGoDuration(a.value);
  if (ms === undefined) return [invalidValue(a.value, a.key)];
  const max = AUTOSCALING_LIMITS.scaleDownDelayMaxMs;
  if (ms < 0 || ms > max) return [outOfBounds(a.value, formatGoDuration(0), formatGoDuration(max), a.key)];
  if (ms % 1000 !== 0) return [generic('must be specified with at most second precision', a.key)];
  return [];
}

function validateMetric(annotations: Annotations): FieldError[] {
  const a = lookupAnnotation(annotations, 'metric');
  if (a === undefined) return [];
  const cls = classOf(annotations);
  if (cls === KPA_CLASS) {
    if (a.value === METRIC_CONCURRENCY || a.value === METRIC_RPS) return [];
  } else if (cls === HPA_CLASS) {
    // The HPA takes cpu, memory, or the name of a custom metric: anything but empty.
    if (a.value !== '') return [];
  } else {
    // Other classes belong to custom autoscalers.
    return [];
  }
  return [invalidValue(a.value, a.key)];
}

function validateAlgorithm(annotations: Annotations): FieldError[] {
  // Only checked when the class annotation says KPA explicitly (as Knative does): custom
  // autoscalers may have their own algorithms.
  if (annotationString(annotations, 'class') !== KPA_CLASS) return [];
  const a = lookupAnnotation(annotations, 'metricAggregationAlgorithm');
  if (a === undefined) return [];
  if (
    a.value === AGGREGATION_LINEAR ||
    a.value === AGGREGATION_WEIGHTED_EXPONENTIAL ||
    a.value === AGGREGATION_WEIGHTED_EXPONENTIAL_ALT
  ) {
    return [];
  }
  return [invalidValue(a.value, a.key)];
}

function validateInitialScale(annotations: Annotations, config: AutoscalerConfig): FieldError[] {
  const a = lookupAnnotation(annotations, 'initialScale');
  if (a === undefined) return [];
  const v = /^[+-]?\d+$/.test(a.value) ? Number(a.value) : Number.NaN;
  if (Number.isNaN(v)) return [invalidValue(a.value, a.key)];
  // Knative words these two in the path (annotation_validation.go validateInitialScale).
  if (v < 0) return [invalidValue(a.value, `${a.key} must be greater than 0`)];
  if (v === 0 && !config.allowZeroInitialScale) return [invalidValue(a.value, `${a.key}=0 not allowed by cluster`)];
  return [];
}
