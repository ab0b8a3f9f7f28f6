/**
 * Decider spec resolution: turns the cluster config, a revision's autoscaling annotations, its
 * containerConcurrency and the PA's reachability into the one object the decider and the KPA
 * scale step read. The rule for every knob is the same: start from the ConfigMap value and let a
 * valid annotation win. Unparseable annotations are ignored here (validation rejects them
 * earlier).
 */

import {
  AGGREGATION_WEIGHTED_EXPONENTIAL,
  AGGREGATION_WEIGHTED_EXPONENTIAL_ALT,
  annotationDurationMs,
  annotationFloat,
  annotationInt,
  annotationString,
  METRIC_CONCURRENCY,
  METRIC_CPU,
  METRIC_RPS,
  PROGRESS_DEADLINE_ANNOTATION,
} from './annotations.js';
import type { AutoscalerConfig, DeploymentConfig } from './config.js';
import { AUTOSCALING_LIMITS, defaultDeploymentConfig, HPA_CLASS } from './config.js';
import { parseGoDuration } from './duration.js';

/** How the window averages are computed (annotation `metric-aggregation-algorithm`). */
export type AggregationAlgorithm = 'linear' | 'weighted-exponential';

/** PodAutoscaler `spec.reachability`; "" means unknown and behaves like Reachable. */
export type Reachability = 'Reachable' | 'Unreachable' | '';

/** Extra time on top of the progress deadline before an activating PA is given up on. */
const ACTIVATION_TIMEOUT_BUFFER_MS = 30_000;

/** Everything the decider and the KPA scale step need for one revision. Durations in ms. */
export interface DeciderSpec {
  /** Autoscaler class, `kpa.autoscaling.knative.dev` unless annotated. */
  readonly autoscalerClass: string;
  /** Metric the decision uses: `concurrency` (default) or `rps` (`cpu`/`memory` only for the HPA). */
  readonly metric: string;
  /** Desired metric value per pod: max(0.01, total × utilisation). Default 70. */
  readonly targetValue: number;
  /** The per-pod "total" capacity before utilisation: CC, the default (100), or the target annotation. */
  readonly totalValue: number;
  /** Utilisation fraction applied to totalValue (0.7 by default). */
  readonly targetUtilization: number;
  /** Panic when desired panic pods / max(1, ready) reaches this factor (percentage / 100, default 2). */
  readonly panicThreshold: number;
  /** At most ceil(rate × ready) pods per decision. */
  readonly maxScaleUpRate: number;
  /** At least floor(ready / rate) pods per decision while reachable. */
  readonly maxScaleDownRate: number;
  /** Stable averaging window (config `stable-window` or annotation `window`). */
  readonly stableWindowMs: number;
  /** Panic averaging window: stable × pct / 100 rounded to the nearest second, at least 1 s. */
  readonly panicWindowMs: number;
  /** Scale-downs are held for this long (sliding max); 0 = off. */
  readonly scaleDownDelayMs: number;
  /** Spare capacity to keep before the activator leaves the path; 0 and -1 are special. */
  readonly targetBurstCapacity: number;
  /** A non-zero decision is lifted to at least this; 1 means off. */
  readonly activationScale: number;
  /** Replicas a new revision starts with. */
  readonly initialScale: number;
  /** False when the PA is Unreachable (no routes): no min-scale, no scale-down limits. */
  readonly reachable: boolean;
  /** Window averaging algorithm. */
  readonly aggregation: AggregationAlgorithm;
  /** Configured lower bound (annotation or config). The scale step ignores it when unreachable. */
  readonly minScale: number;
  /** Configured upper bound, 0 = unlimited. */
  readonly maxScale: number;
  /** `scale-to-zero-grace-period`. */
  readonly scaleToZeroGracePeriodMs: number;
  /** Last-pod retention (annotation or config); the scale step uses 0 when unreachable. */
  readonly scaleToZeroPodRetentionMs: number;
  /** `enable-scale-to-zero`. */
  readonly enableScaleToZero: boolean;
  /** `activator-capacity`. */
  readonly activatorCapacity: number;
  /** How long an activating PA may wait for pods: progress deadline + 30 s (630 s by default). */
  readonly activationTimeoutMs: number;
}

export interface DeciderSpecInput {
  readonly config: AutoscalerConfig;
  /** The PA's (= revision's) annotations. */
  readonly annotations: Readonly<Record<string, string>>;
  /** The revision's `containerConcurrency`; 0 = unlimited. */
  readonly containerConcurrency: number;
  readonly reachability: Reachability;
  /** `config-deployment`; defaults (progress deadline 600 s) when omitted. */
  readonly deployment?: DeploymentConfig;
}

/** Resolves the decider spec for one revision (reference §3 "Spec resolution"). */
export function resolveDeciderSpec(input: DeciderSpecInput): DeciderSpec {
  const { config, annotations, containerConcurrency, reachability } = input;
  const deployment = input.deployment ?? defaultDeploymentConfig();

  const autoscalerClass = annotationString(annotations, 'class') ?? config.podAutoscalerClass;
  const metric = annotationString(annotations, 'metric') ?? defaultMetric(autoscalerClass);
  const { target, total, utilization } = resolveMetricTarget(config, annotations, metric, containerConcurrency);

  const stableWindowMs = annotationDurationMs(annotations, 'window') ?? config.stableWindowMs;
  const panicWindowPercentage = annotationFloat(annotations, 'panicWindowPercentage') ?? config.panicWindowPercentage;
  const panicThresholdPercentage =
    annotationFloat(annotations, 'panicThresholdPercentage') ?? config.panicThresholdPercentage;

  const progressDeadlineMs =
    parseDurationOrUndefined(annotations[PROGRESS_DEADLINE_ANNOTATION]) ?? deployment.progressDeadlineMs;

  return {
    autoscalerClass,
    metric,
    targetValue: target,
    totalValue: total,
    targetUtilization: utilization,
    panicThreshold: panicThresholdPercentage / 100,
    maxScaleUpRate: config.maxScaleUpRate,
    maxScaleDownRate: config.maxScaleDownRate,
    stableWindowMs,
    panicWindowMs: panicWindowFor(stableWindowMs, panicWindowPercentage),
    scaleDownDelayMs: annotationDurationMs(annotations, 'scaleDownDelay') ?? config.scaleDownDelayMs,
    targetBurstCapacity: annotationFloat(annotations, 'targetBurstCapacity') ?? config.targetBurstCapacity,
    activationScale: annotationInt(annotations, 'activationScale') ?? 1,
    initialScale: resolveInitialScale(config, annotations),
    reachable: reachability !== 'Unreachable',
    aggregation: resolveAggregation(annotations),
    minScale: annotationInt(annotations, 'minScale') ?? config.minScale,
    maxScale: annotationInt(annotations, 'maxScale') ?? config.maxScale,
    scaleToZeroGracePeriodMs: config.scaleToZeroGracePeriodMs,
    scaleToZeroPodRetentionMs:
      annotationDurationMs(annotations, 'scaleToZeroPodRetentionPeriod') ?? config.scaleToZeroPodRetentionPeriodMs,
    enableScaleToZero: config.enableScaleToZero,
    activatorCapacity: config.activatorCapacity,
    activationTimeoutMs: progressDeadlineMs + ACTIVATION_TIMEOUT_BUFFER_MS,
  };
}

/** `concurrency` for the KPA, `cpu` for the HPA. */
function defaultMetric(autoscalerClass: string): string {
  return autoscalerClass === HPA_CLASS ? METRIC_CPU : METRIC_CONCURRENCY;
}

/**
 * The per-pod target and total for a metric.
 * - total: CC if > 0, else `container-concurrency-target-default`; for rps
 *   `requests-per-second-target-default`. A `target` annotation replaces it, capped at CC for
 *   concurrency when CC > 0.
 * - utilisation: the config fraction (concurrency) or the internal 0.7 (rps); the
 *   `target-utilization-percentage` annotation overrides both.
 * - target = max(0.01, total × utilisation).
 */
function resolveMetricTarget(
  config: AutoscalerConfig,
  annotations: Readonly<Record<string, string>>,
  metric: string,
  containerConcurrency: number,
): { target: number; total: number; utilization: number } {
  let total: number;
  let utilization: number;
  if (metric === METRIC_RPS) {
    total = config.rpsTargetDefault;
    utilization = config.targetUtilization;
  } else {
    total = containerConcurrency > 0 ? containerConcurrency : config.containerConcurrencyTargetDefault;
    utilization = config.containerConcurrencyTargetFraction;
  }
  const annotated = annotationFloat(annotations, 'target');
  if (annotated !== undefined) {
    total =
      metric === METRIC_CONCURRENCY && containerConcurrency > 0 ? Math.min(annotated, containerConcurrency) : annotated;
  }
  const tu = annotationFloat(annotations, 'targetUtilizationPercentage');
  if (tu !== undefined) utilization = tu / 100;
  return { target: Math.max(AUTOSCALING_LIMITS.targetMin, total * utilization), total, utilization };
}

/** Panic window = stable × pct / 100, rounded to the nearest second (half away from zero), at least 1 s. */
function panicWindowFor(stableWindowMs: number, panicWindowPercentage: number): number {
  // Work in whole nanoseconds like Go's time.Duration, then round to seconds.
  const ns = Math.trunc((stableWindowMs * 1e6 * panicWindowPercentage) / 100);
  const seconds = Math.sign(ns) * Math.round(Math.abs(ns) / 1e9);
  return Math.max(seconds * 1000, AUTOSCALING_LIMITS.bucketSizeMs);
}

/** The initial scale: the annotation, unless absent or 0 without allow-zero-initial-scale. */
export function resolveInitialScale(config: AutoscalerConfig, annotations: Readonly<Record<string, string>>): number {
  const v = annotationInt(annotations, 'initialScale');
  if (v === undefined || (v === 0 && !config.allowZeroInitialScale)) return config.initialScale;
  return v;
}

function resolveAggregation(annotations: Readonly<Record<string, string>>): AggregationAlgorithm {
  const v = annotationString(annotations, 'metricAggregationAlgorithm');
  return v === AGGREGATION_WEIGHTED_EXPONENTIAL || v === AGGREGATION_WEIGHTED_EXPONENTIAL_ALT
    ? 'weighted-exponential'
    : 'linear';
}

function parseDurationOrUndefined(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseGoDuration(text);
}
