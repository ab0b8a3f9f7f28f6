/**
 * The HPA controller's normalization of a desired replica count with its behaviour (kubernetes
 * pkg/controller/podautoscaler/horizontal.go): stabilization (scale up no further than the
 * lowest recommendation of the scale-up window, down no further than the highest of the
 * scale-down window, default 5 minutes), then the scaling policies' rate limits (by default up
 * by 4 pods or 100 % per 15 s, whichever is more; down by 100 % per 15 s), then min and max.
 */
import { MAX_INT32, type ScalingRules } from './spec.js';

export interface Recommendation {
  readonly atMs: number;
  readonly replicas: number;
}

export interface ScaleEvent {
  readonly atMs: number;
  /** Pods added (scale-up history) or removed (scale-down history). */
  readonly change: number;
}

export interface HpaHistory {
  readonly recommendations: readonly Recommendation[];
  readonly scaleUps: readonly ScaleEvent[];
  readonly scaleDowns: readonly ScaleEvent[];
}

export const EMPTY_HISTORY: HpaHistory = { recommendations: [], scaleUps: [], scaleDowns: [] };

export interface Normalized {
  readonly replicas: number;
  /** AbleToScale's reason and message. */
  readonly ableToScale: { readonly reason: string; readonly message: string };
  /** ScalingLimited: status, reason, message. */
  readonly limited: { readonly status: boolean; readonly reason: string; readonly message: string };
  readonly recommendations: readonly Recommendation[];
}

/** Pods added (or removed) within the last `periodSeconds`. */
function changeInPeriod(events: readonly ScaleEvent[], periodSeconds: number, nowMs: number): number {
  let n = 0;
  for (const e of events) if (e.atMs > nowMs - periodSeconds * 1000) n += e.change;
  return n;
}

export function scaleUpLimit(current: number, history: HpaHistory, rules: ScalingRules, nowMs: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  let result = rules.selectPolicy === 'Min' ? MAX_INT32 : -MAX_INT32 - 1;
  for (const p of rules.policies) {
    const start =
      current -
      changeInPeriod(history.scaleUps, p.periodSeconds, nowMs) +
      changeInPeriod(history.scaleDowns, p.periodSeconds, nowMs);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = rules.selectPolicy === 'Min' ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

export function scaleDownLimit(current: number, history: HpaHistory, rules: ScalingRules, nowMs: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  let result = rules.selectPolicy === 'Min' ? -MAX_INT32 - 1 : MAX_INT32;
  for (const p of rules.policies) {
    const start =
      current +
      changeInPeriod(history.scaleDowns, p.periodSeconds, nowMs) -
      changeInPeriod(history.scaleUps, p.periodSeconds, nowMs);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    // For scale-down "Max" means the policy allowing the most change: the lowest limit.
    result = rules.selectPolicy === 'Min' ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

export function normalizeWithBehavior(options: {
  desired: number;
  current: number;
  min: number;
  max: number;
  behavior: { scaleUp: ScalingRules; scaleDown: ScalingRules };
  history: HpaHistory;
  nowMs: number;
}): Normalized {
  const { desired, current, min, max, behavior, history, nowMs } = options;
  // Stabilization over the recommendations of the windows, this one included.
  const upCutoff = nowMs - behavior.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoff = nowMs - behavior.scaleDown.stabilizationWindowSeconds * 1000;
  let upRecommendation = desired;
  let downRecommendation = desired;
  const kept: Recommendation[] = [];
  for (const r of history.recommendations) {
    if (r.atMs > upCutoff) upRecommendation = Math.min(upRecommendation, r.replicas);
    if (r.atMs > downCutoff) downRecommendation = Math.max(downRecommendation, r.replicas);
    if (r.atMs > upCutoff || r.atMs > downCutoff) kept.push(r);
  }
  let stabilized = current;
  if (stabilized < upRecommendation) stabilized = upRecommendation;
  if (stabilized > downRecommendation) stabilized = downRecommendation;
  const recommendations = [...kept, { atMs: nowMs, replicas: desired }];
  const ableToScale =
    stabilized !== desired
      ? stabilized < desired
        ? {
            reason: 'ScaleUpStabilized',
            message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
          }
        : {
            reason: 'ScaleDownStabilized',
            message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
          }
      : { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
  let replicas = stabilized;
  let limited = {
    status: false,
    reason: 'DesiredWithinRange',
    message: 'the desired count is within the acceptable range',
  };
  if (stabilized > current) {
    const limit = Math.max(current, scaleUpLimit(current, history, behavior.scaleUp, nowMs));
    const allowed = Math.min(max, limit);
    if (stabilized > allowed) {
      replicas = allowed;
      limited =
        max > limit
          ? {
              status: true,
              reason: 'ScaleUpLimit',
              message: 'the desired replica count is increasing faster than the maximum scale rate',
            }
          : {
              status: true,
              reason: 'TooManyReplicas',
              message: 'the desired replica count is more than the maximum replica count',
            };
    }
  } else if (stabilized < current) {
    const limit = Math.min(current, scaleDownLimit(current, history, behavior.scaleDown, nowMs));
    const allowed = Math.max(min, limit);
    if (stabilized < allowed) {
      replicas = allowed;
      limited =
        min < limit
          ? {
              status: true,
              reason: 'ScaleDownLimit',
              message: 'the desired replica count is decreasing faster than the maximum scale rate',
            }
          : {
              status: true,
              reason: 'TooFewReplicas',
              message: 'the desired replica count is less than the minimum replica count',
            };
    }
  }
  return { replicas, ableToScale, limited, recommendations };
}

/** The history after a rescale from `from` to `to` (events older than the longest period dropped). */
export function recordRescale(
  history: HpaHistory,
  from: number,
  to: number,
  nowMs: number,
  keepMs: number,
): HpaHistory {
  const fresh = (e: ScaleEvent) => e.atMs > nowMs - keepMs;
  const scaleUps = history.scaleUps.filter(fresh);
  const scaleDowns = history.scaleDowns.filter(fresh);
  if (to > from) scaleUps.push({ atMs: nowMs, change: to - from });
  else if (to < from) scaleDowns.push({ atMs: nowMs, change: from - to });
  return { ...history, scaleUps, scaleDowns };
}
