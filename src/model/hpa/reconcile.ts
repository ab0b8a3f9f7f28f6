/**
 * One sync of the HPA controller for one HorizontalPodAutoscaler (kubernetes
 * pkg/controller/podautoscaler/horizontal.go, reconcileAutoscaler): the bounds first, then the
 * metric's replica count (replicas.ts) normalized by the behaviour (behavior.ts); what it sets in
 * the status (conditions AbleToScale, ScalingActive, ScalingLimited; current metrics) and the
 * events it records, in the controller's words.
 */
import { EMPTY_HISTORY, type HpaHistory, normalizeWithBehavior, recordRescale } from './behavior.js';
import { type HpaPod, resourceReplicas } from './replicas.js';
import type { HpaSpec } from './spec.js';

export interface HpaCondition {
  readonly type: 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

export interface MetricStatus {
  readonly type: 'Resource';
  readonly resource: {
    readonly name: 'cpu' | 'memory';
    readonly current: { readonly averageUtilization?: number; readonly averageValue: string };
  };
}

export interface HpaSync {
  /** The replicas to set on the target (undefined: leave it). */
  readonly scaleTo?: number;
  readonly desiredReplicas: number;
  readonly currentReplicas: number;
  readonly conditions: readonly HpaCondition[];
  readonly currentMetrics: readonly MetricStatus[] | undefined;
  readonly events: readonly {
    readonly type: 'Normal' | 'Warning';
    readonly reason: string;
    readonly message: string;
  }[];
  readonly history: HpaHistory;
  /** The ScalingActive mode, for the lifecycle machine. */
  readonly mode: 'active' | 'failing' | 'disabled';
}

/** A Quantity in DecimalSI from milli-units, as the API server writes it (`12m`, `350`, `32M`). */
export function decimalQuantity(milli: number): string {
  const m = Math.round(milli);
  if (m % 1000 !== 0) return `${m}m`;
  let units = m / 1000;
  if (units === 0) return '0';
  const suffixes = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let i = 0;
  while (i < suffixes.length - 1 && units % 1000 === 0) {
    units /= 1000;
    i++;
  }
  return `${units}${suffixes[i]}`;
}

/** A memory target (`100Mi`) in bytes. */
function bytesOfMi(averageValue: string): number {
  return Number.parseInt(averageValue, 10) * 1024 * 1024;
}

export function syncHpa(options: {
  spec: HpaSpec;
  /** The target's spec.replicas. */
  currentReplicas: number;
  /** The desired count the status had (kept when the metric fails). */
  previousDesired: number;
  pods: readonly HpaPod[];
  history: HpaHistory | undefined;
  nowMs: number;
}): HpaSync {
  const { spec, currentReplicas: current, pods, nowMs } = options;
  const history = options.history ?? EMPTY_HISTORY;
  const metric = spec.metrics[0]!.resource;
  const cpu = metric.name === 'cpu';
  const what = cpu ? 'cpu resource utilization (percentage of request)' : 'memory resource';
  const ableToScale = (reason: string, message: string): HpaCondition => ({
    type: 'AbleToScale',
    status: 'True',
    reason,
    message,
  });
  if (current === 0 && spec.minReplicas !== 0) {
    return {
      desiredReplicas: 0,
      currentReplicas: 0,
      conditions: [
        ableToScale('SucceededGetScale', "the HPA controller was able to get the target's current scale"),
        {
          type: 'ScalingActive',
          status: 'False',
          reason: 'ScalingDisabled',
          message: 'scaling is disabled since the replica count of the target is zero',
        },
      ],
      currentMetrics: undefined,
      events: [],
      history,
      mode: 'disabled',
    };
  }
  let desired: number;
  let rescaleReason: string;
  let conditions: HpaCondition[];
  let currentMetrics: MetricStatus[] | undefined;
  let next = history;
  if (current > spec.maxReplicas) {
    desired = spec.maxReplicas;
    rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
    conditions = [];
  } else if (current < spec.minReplicas) {
    desired = spec.minReplicas;
    rescaleReason = 'Current number of replicas below Spec.MinReplicas';
    conditions = [];
  } else {
    const target =
      metric.target.type === 'Utilization'
        ? { utilization: metric.target.averageUtilization }
        : { averageValue: bytesOfMi(metric.target.averageValue) };
    const r = resourceReplicas({ resource: metric.name, currentReplicas: current, pods, target, nowMs });
    if (!r.ok) {
      const err = `failed to get ${metric.name} ${cpu ? 'utilization' : 'usage'}: ${r.error}`;
      return {
        desiredReplicas: options.previousDesired,
        currentReplicas: current,
        conditions: [
          ableToScale('SucceededGetScale', "the HPA controller was able to get the target's current scale"),
          {
            type: 'ScalingActive',
            status: 'False',
            reason: 'FailedGetResourceMetric',
            message: `the HPA was unable to compute the replica count: ${err}`,
          },
        ],
        currentMetrics: undefined,
        events: [
          { type: 'Warning', reason: 'FailedGetResourceMetric', message: err },
          {
            type: 'Warning',
            reason: 'FailedComputeMetricsReplicas',
            message: `invalid metrics (1 invalid out of 1), first error is: failed to get ${metric.name} resource metric value: ${err}`,
          },
        ],
        history,
        mode: 'failing',
      };
    }
    currentMetrics = [
      {
        type: 'Resource',
        resource: {
          name: metric.name,
          current: {
            ...(r.utilization !== undefined ? { averageUtilization: r.utilization } : {}),
            averageValue: decimalQuantity(r.averageValue * 1000),
          },
        },
      },
    ];
    const normalized = normalizeWithBehavior({
      desired: r.replicas,
      current,
      min: spec.minReplicas,
      max: spec.maxReplicas,
      behavior: spec.behavior,
      history,
      nowMs,
    });
    desired = normalized.replicas;
    rescaleReason = r.replicas > current ? `${what} above target` : 'All metrics below target';
    next = { ...history, recommendations: normalized.recommendations };
    conditions = [
      ableToScale(normalized.ableToScale.reason, normalized.ableToScale.message),
      {
        type: 'ScalingActive',
        status: 'True',
        reason: 'ValidMetricFound',
        message: `the HPA was able to successfully calculate a replica count from ${what}`,
      },
      {
        type: 'ScalingLimited',
        status: normalized.limited.status ? 'True' : 'False',
        reason: normalized.limited.reason,
        message: normalized.limited.message,
      },
    ];
  }
  const rescale = desired !== current;
  if (rescale) {
    const longest = Math.max(
      ...spec.behavior.scaleUp.policies.map((p) => p.periodSeconds),
      ...spec.behavior.scaleDown.policies.map((p) => p.periodSeconds),
    );
    next = recordRescale(next, current, desired, nowMs, longest * 1000);
    conditions = [
      ableToScale('SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`),
      ...conditions.filter((c) => c.type !== 'AbleToScale'),
    ];
  }
  return {
    ...(rescale ? { scaleTo: desired } : {}),
    desiredReplicas: desired,
    currentReplicas: current,
    conditions,
    currentMetrics,
    events: rescale
      ? [{ type: 'Normal', reason: 'SuccessfulRescale', message: `New size: ${desired}; reason: ${rescaleReason}` }]
      : [],
    history: next,
    mode: 'active',
  };
}

/** `kubectl get hpa`'s TARGETS (the API server's printer): `cpu: 45%/80%`, `memory: 30Mi/100Mi`, `<unknown>` before a metric. */
export function hpaTargets(spec: HpaSpec | undefined, current: readonly MetricStatus[] | undefined): string {
  const metric = spec?.metrics[0]?.resource;
  if (!metric) return '<none>';
  const status = current?.[0]?.resource.current;
  if (metric.target.type === 'Utilization') {
    const now = status?.averageUtilization !== undefined ? `${status.averageUtilization}%` : '<unknown>';
    return `${metric.name}: ${now}/${metric.target.averageUtilization}%`;
  }
  return `${metric.name}: ${status?.averageValue ?? '<unknown>'}/${metric.target.averageValue}`;
}
