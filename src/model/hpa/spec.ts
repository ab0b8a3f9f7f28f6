/**
 * The HorizontalPodAutoscaler Knative's HPA class makes for a PodAutoscaler (knative/serving
 * pkg/reconciler/autoscaling/hpa/resources/hpa.go), with the API server's autoscaling/v2
 * defaults applied (kubernetes pkg/apis/autoscaling/v2/defaults.go): min-scale (at least 1) and
 * max-scale (else MaxInt32) as its bounds, `cpu` as an average utilization of the requests
 * (`autoscaling.knative.dev/target`, rounded up; 80 % when no target is given) or `memory` as an
 * average value (the target in MiB), the `window` annotation as both stabilization windows, and
 * the default scaling policies.
 */
import { annotationDurationMs, annotationFloat, annotationInt, annotationString } from '../kpa/annotations.js';

export const HPA_TOLERANCE = 0.1;
/** `--horizontal-pod-autoscaler-sync-period`. */
export const HPA_SYNC_PERIOD_MS = 15_000;
/** `--horizontal-pod-autoscaler-cpu-initialization-period`. */
export const HPA_CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
/** `--horizontal-pod-autoscaler-initial-readiness-delay`. */
export const HPA_INITIAL_READINESS_DELAY_MS = 30_000;
/** The scale-down stabilization window when none is given. */
const HPA_DEFAULT_DOWNSCALE_STABILIZATION_S = 300;
/** autoscaling/v2's default target when an HPA names no metric. */
const HPA_DEFAULT_CPU_UTILIZATION = 80;
export const MAX_INT32 = 2147483647;

export type ScalingPolicy = { type: 'Pods' | 'Percent'; value: number; periodSeconds: number };
export type SelectPolicy = 'Max' | 'Min' | 'Disabled';

export interface ScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: SelectPolicy;
  policies: ScalingPolicy[];
}

/** The one metric Knative's HPA class sets: CPU utilization or memory average value. */
export type HpaMetric =
  | { type: 'Resource'; resource: { name: 'cpu'; target: { type: 'Utilization'; averageUtilization: number } } }
  | { type: 'Resource'; resource: { name: 'memory'; target: { type: 'AverageValue'; averageValue: string } } };

export interface HpaSpec {
  scaleTargetRef: { apiVersion: string; kind: string; name: string };
  minReplicas: number;
  maxReplicas: number;
  metrics: HpaMetric[];
  behavior: { scaleUp: ScalingRules; scaleDown: ScalingRules };
}

/** The default behaviour (autoscaling/v2 defaults). */
export function defaultScaleUp(stabilizationWindowSeconds = 0): ScalingRules {
  return {
    stabilizationWindowSeconds,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

export function defaultScaleDown(stabilizationWindowSeconds = HPA_DEFAULT_DOWNSCALE_STABILIZATION_S): ScalingRules {
  return {
    stabilizationWindowSeconds,
    selectPolicy: 'Max',
    policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}

export interface HpaInputs {
  /** The Deployment the PA scales. */
  deployment: string;
  minScale: number;
  /** 0: no limit. */
  maxScale: number;
  metric: 'cpu' | 'memory';
  /** `autoscaling.knative.dev/target`, if given. */
  target: number | undefined;
  /** `autoscaling.knative.dev/window` in seconds, if given. */
  windowSeconds: number | undefined;
}

export function hpaSpec(i: HpaInputs): HpaSpec {
  const window = i.windowSeconds;
  let metrics: HpaMetric[];
  if (i.metric === 'memory' && i.target !== undefined) {
    metrics = [
      {
        type: 'Resource',
        resource: { name: 'memory', target: { type: 'AverageValue', averageValue: `${Math.trunc(i.target)}Mi` } },
      },
    ];
  } else {
    // No target: Knative leaves the metrics out and the API server defaults them to 80 % CPU.
    const utilization =
      i.metric === 'cpu' && i.target !== undefined ? Math.ceil(i.target) : HPA_DEFAULT_CPU_UTILIZATION;
    metrics = [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: utilization } } },
    ];
  }
  return {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: i.deployment },
    minReplicas: Math.max(1, i.minScale),
    maxReplicas: i.maxScale > 0 ? i.maxScale : MAX_INT32,
    metrics,
    behavior: {
      scaleUp: defaultScaleUp(window ?? 0),
      scaleDown: defaultScaleDown(window ?? HPA_DEFAULT_DOWNSCALE_STABILIZATION_S),
    },
  };
}

/** What Knative's HPA reconciler reads from a PodAutoscaler's annotations and config-autoscaler. */
export function hpaInputsFor(
  annotations: Readonly<Record<string, string>>,
  config: { readonly minScale: number; readonly maxScale: number },
  deployment: string,
): HpaInputs {
  const metric = annotationString(annotations, 'metric') === 'memory' ? 'memory' : 'cpu';
  const windowMs = annotationDurationMs(annotations, 'window');
  return {
    deployment,
    minScale: annotationInt(annotations, 'minScale') ?? config.minScale,
    maxScale: annotationInt(annotations, 'maxScale') ?? config.maxScale,
    metric,
    target: annotationFloat(annotations, 'target'),
    windowSeconds: windowMs !== undefined ? Math.trunc(windowMs / 1000) : undefined,
  };
}
