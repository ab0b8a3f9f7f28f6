/**
 * The HPA's replica calculation for a resource metric (kubernetes pkg/controller/podautoscaler,
 * replica_calculator.go, as documented in "Horizontal Pod Autoscaling: Algorithm details"):
 * desired = ceil(current × current value / target value), nothing done within the 10 %
 * tolerance; pods being deleted or failed are ignored; for CPU, pods not yet ready (or whose
 * metric predates their readiness) are set aside; pods without a metric are set aside; when some
 * were set aside the ratio is computed again assuming the missing ones at 100 % of the target on
 * a scale-down and 0 % on a scale-up (unready ones at 0 % on a scale-up), and if that reverses
 * the direction or falls within the tolerance, nothing is done.
 */
import { HPA_CPU_INITIALIZATION_PERIOD_MS, HPA_INITIAL_READINESS_DELAY_MS, HPA_TOLERANCE } from './spec.js';

/** A pod of the scale target as the HPA sees it. */
export interface HpaPod {
  readonly name: string;
  readonly phase: 'Pending' | 'Running' | 'Failed';
  readonly deleting: boolean;
  /** Its Ready condition (absent: none yet) and when it last changed. */
  readonly ready?: { readonly status: boolean; readonly sinceMs: number };
  /** When the kubelet started it (absent: not started). */
  readonly startMs?: number;
  /** Its containers' requests of the resource (undefined: a container without one). */
  readonly requests: readonly { readonly container: string; readonly value?: number | undefined }[];
  /** Its usage from the metrics API, when it has one. */
  readonly metric?: { readonly value: number; readonly timestampMs: number; readonly windowMs: number };
}

export type ReplicaResult =
  | {
      readonly ok: true;
      readonly replicas: number;
      /** For CPU: the average utilization in percent of the requests (what the HPA status shows). */
      readonly utilization?: number;
      /** The average usage per pod (CPU millicores, memory bytes). */
      readonly averageValue: number;
    }
  | { readonly ok: false; readonly error: string };

interface Grouped {
  readyCount: number;
  unready: Set<string>;
  missing: Set<string>;
  metrics: Map<string, number>;
}

function groupPods(pods: readonly HpaPod[], cpu: boolean, nowMs: number): Grouped {
  const g: Grouped = { readyCount: 0, unready: new Set(), missing: new Set(), metrics: new Map() };
  for (const pod of pods) {
    if (pod.deleting || pod.phase === 'Failed') continue;
    if (pod.phase === 'Pending') {
      g.unready.add(pod.name);
      continue;
    }
    const metric = pod.metric;
    if (!metric) {
      g.missing.add(pod.name);
      continue;
    }
    if (cpu) {
      let unready: boolean;
      if (!pod.ready || pod.startMs === undefined) unready = true;
      else if (pod.startMs + HPA_CPU_INITIALIZATION_PERIOD_MS > nowMs) {
        // Still starting: a sample taken before one full window after readiness does not count.
        unready = !pod.ready.status || metric.timestampMs < pod.ready.sinceMs + metric.windowMs;
      } else {
        // Later, only a pod that has never been ready is set aside.
        unready = !pod.ready.status && pod.startMs + HPA_INITIAL_READINESS_DELAY_MS > pod.ready.sinceMs;
      }
      if (unready) {
        g.unready.add(pod.name);
        continue;
      }
    }
    g.readyCount++;
    g.metrics.set(pod.name, metric.value);
  }
  return g;
}

/** Utilization (percent) or average value of the metrics, and the ratio to the target. */
function ratioOf(
  metrics: ReadonlyMap<string, number>,
  requestOf: (pod: string) => number,
  target: { utilization: number } | { averageValue: number },
): { ratio: number; utilization?: number; average: number } {
  let usage = 0;
  let requested = 0;
  for (const [pod, v] of metrics) {
    usage += v;
    requested += requestOf(pod);
  }
  const average = metrics.size > 0 ? usage / metrics.size : 0;
  if ('utilization' in target) {
    const utilization = requested > 0 ? Math.trunc((usage * 100) / requested) : 0;
    return { ratio: utilization / target.utilization, utilization, average };
  }
  return { ratio: average / target.averageValue, average };
}

/**
 * Desired replicas for one resource metric. `target` is a utilization of the requests (CPU) or an
 * average value per pod (memory, bytes).
 */
export function resourceReplicas(options: {
  resource: 'cpu' | 'memory';
  currentReplicas: number;
  pods: readonly HpaPod[];
  target: { utilization: number } | { averageValue: number };
  nowMs: number;
}): ReplicaResult {
  const { resource, currentReplicas, pods, target, nowMs } = options;
  if (pods.length === 0) return { ok: false, error: 'no pods returned by selector while calculating replica count' };
  const g = groupPods(pods, resource === 'cpu', nowMs);
  if (g.metrics.size === 0) {
    return { ok: false, error: `did not receive metrics for targeted pods (pods might be unready)` };
  }
  const requests = new Map<string, number>();
  if ('utilization' in target) {
    for (const pod of pods) {
      let sum = 0;
      for (const c of pod.requests) {
        if (c.value === undefined) {
          return { ok: false, error: `missing request for ${resource} in container ${c.container} of Pod ${pod.name}` };
        }
        sum += c.value;
      }
      requests.set(pod.name, sum);
    }
  }
  const requestOf = (pod: string) => requests.get(pod) ?? 0;
  const first = ratioOf(g.metrics, requestOf, target);
  const scaleUpWithUnready = g.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= HPA_TOLERANCE) return result(currentReplicas, first);
    return result(Math.ceil(first.ratio * g.readyCount), first);
  }
  const metrics = new Map(g.metrics);
  const full = (pod: string) => ('utilization' in target ? requestOf(pod) : target.averageValue);
  if (g.missing.size > 0) {
    if (first.ratio < 1) for (const pod of g.missing) metrics.set(pod, full(pod));
    else if (first.ratio > 1) for (const pod of g.missing) metrics.set(pod, 0);
  }
  if (scaleUpWithUnready) for (const pod of g.unready) metrics.set(pod, 0);
  const again = ratioOf(metrics, requestOf, target);
  if (
    Math.abs(1 - again.ratio) <= HPA_TOLERANCE ||
    (first.ratio < 1 && again.ratio > 1) ||
    (first.ratio > 1 && again.ratio < 1)
  ) {
    return result(currentReplicas, first);
  }
  const replicas = Math.ceil(again.ratio * metrics.size);
  if ((again.ratio < 1 && replicas > currentReplicas) || (again.ratio > 1 && replicas < currentReplicas)) {
    return result(currentReplicas, first);
  }
  return result(replicas, first);
}

function result(replicas: number, r: { utilization?: number; average: number }): ReplicaResult {
  return {
    ok: true,
    replicas,
    ...(r.utilization !== undefined ? { utilization: r.utilization } : {}),
    averageValue: r.average,
  };
}
