/**
 * The KPA reconciler's scale step (reference §4): turns the decider's desired count into the
 * replicas to apply, through the scale bounds, initial scale and the scale-to-zero gates, and
 * computes the PA's Active condition and the SKS mode. Pure: the PA's condition, the SKS and the
 * activator probe come in as plain values together with `nowMs`.
 */

import {
  MESSAGE_NO_TRAFFIC,
  MESSAGE_QUEUED,
  MESSAGE_TIMED_OUT,
  REASON_NO_TRAFFIC,
  REASON_QUEUED,
  REASON_TIMED_OUT,
} from '../rules/conditions.js';
import { applyBounds, lastPodRetentionMs, scaleBounds } from './bounds.js';
import type { DeciderSpec, Reachability } from './spec.js';

/** The PA's Active condition: True = Active, Unknown = Activating, False = Inactive. */
export type PAState = 'Active' | 'Activating' | 'Inactive';

/** ServerlessService mode: pods behind the public service (Serve) or activators (Proxy). */
export type SKSMode = 'Serve' | 'Proxy';

/** Re-check delay after marking a PA inactive while the SKS is already in Proxy mode. */
const PROXY_REQUEUE_MS = 3_000;

/** Why the scale step produced its value; machine-readable, used for explanations. */
export type ScaleGate =
  /** Desired unknown (−1) and the PA is not activating: nothing to do. */
  | 'no-metrics'
  /** The desired count applied as is. */
  | 'desired'
  /** The desired count was raised to min-scale or lowered to max-scale. */
  | 'bounds'
  /** The desired count was raised to initial-scale (scale target not yet initialised). */
  | 'initial-scale'
  /** enable-scale-to-zero is false: 0 became 1. */
  | 'scale-to-zero-disabled'
  /** Activating and still within the activation timeout: wait, apply nothing. */
  | 'activating'
  /** Activating for longer than the activation timeout: give up and scale to 0. */
  | 'activation-timeout'
  /** Active for less than the stable window: hold 1 pod. */
  | 'stable-window'
  /** Active for at least the stable window: report 0 without applying, PA becomes Inactive. */
  | 'mark-inactive'
  /** Inactive but the activator is not yet confirmed in the path: probe, do not scale. */
  | 'probe-pending'
  /** Inactive for at least max(grace period, retention): scale to 0. */
  | 'scale-to-zero'
  /** Inactive for less than the last-pod retention: wait. */
  | 'retention'
  /** The activator has been in the path for the whole grace period: scale to 0 at once. */
  | 'fast-path'
  /** Waiting for the activator to have been in the path for the grace period. */
  | 'grace-period';

export interface ScaleInput {
  readonly spec: DeciderSpec;
  /** The PA's current reachability; overrides `spec.reachable` when given. */
  readonly reachability?: Reachability;
  /** The decider's desired count (its last valid DesiredScale); −1 = unknown. */
  readonly desired: number;
  /** PA Active condition. */
  readonly paState: PAState;
  /** When the Active condition last changed (its lastTransitionTime). */
  readonly paStateSinceMs: number;
  /** PA ScaleTargetInitialized is True. */
  readonly scaleTargetInitialized: boolean;
  /** The Deployment's current spec.replicas. */
  readonly currentReplicas: number;
  /** Current SKS mode. */
  readonly sksMode: SKSMode;
  /** Since when the SKS has had activator endpoints (ActivatorEndpointsPopulated True), or null. */
  readonly proxySinceMs: number | null;
  /** Whether probing the public service reaches the activator (ignored when TBC = −1). */
  readonly activatorProbeOk: boolean;
  readonly nowMs: number;
}

export interface ScaleDecision {
  /** The value the scale step returns (PA desiredScale); −1 = unknown. */
  readonly want: number;
  /** The replicas the step decided to set, when it decided to set any (else undefined). */
  readonly replicas?: number | undefined;
  /** True when the Deployment must be patched (replicas set and different from the current). */
  readonly apply: boolean;
  /** Re-run the step after this long (undefined: no requeue). */
  readonly requeueAfterMs?: number | undefined;
  /** Start the asynchronous activator probe (every 1 s, up to 45 s). */
  readonly startProbe: boolean;
  readonly gate: ScaleGate;
  /** The effective lower bound (0 when unreachable; raised by initial scale before init). */
  readonly minScale: number;
  /** The upper bound, 0 = unlimited. */
  readonly maxScale: number;
  /** The decider's desired count before bounds. */
  readonly desired: number;
  /** The count after bounds. */
  readonly bounded: number;
  /** Bounds changed the desired count. */
  readonly boundsApplied: boolean;
  /** min-scale was raised to initial-scale. */
  readonly initialScaleApplied: boolean;
  readonly paState: PAState;
  /** How long the PA has been in its current Active state. */
  readonly paStateForMs: number;
  /** How long the SKS has had activator endpoints (0 if none). */
  readonly proxyForMs: number;
  readonly stableWindowMs: number;
  readonly gracePeriodMs: number;
  /** Last-pod retention in force (0 when unreachable). */
  readonly retentionMs: number;
  readonly activationTimeoutMs: number;
}

/** What the scale-to-zero gates decided. */
interface Outcome {
  readonly want: number;
  /** Set when the step applies a value. */
  readonly replicas: number | undefined;
  readonly gate: ScaleGate;
  readonly requeueAfterMs?: number | undefined;
  readonly startProbe?: boolean;
}

/** The KPA scale step (reference §4 "Applying the decision" and "handleScaleToZero"). */
export function computeScale(input: ScaleInput): ScaleDecision {
  const { spec, desired, paState, nowMs } = input;
  const reachable = input.reachability === undefined ? spec.reachable : input.reachability !== 'Unreachable';
  const paStateForMs = nowMs - input.paStateSinceMs;
  const proxyForMs = input.proxySinceMs === null ? 0 : nowMs - input.proxySinceMs;
  const bounds = scaleBounds(spec, reachable);
  const maxScale = bounds.maxScale;
  let minScale = bounds.minScale;
  const retentionMs = lastPodRetentionMs(spec, reachable);

  // 2–4. Bounds, with initial scale raising the minimum until the scale target is initialised.
  let initialScaleApplied = false;
  let bounded = desired;
  if (desired >= 0 || paState === 'Activating') {
    if (spec.initialScale > 1 && !input.scaleTargetInitialized && reachable && minScale < spec.initialScale) {
      minScale = spec.initialScale;
      initialScaleApplied = true;
    }
    bounded = applyBounds(minScale, maxScale, desired);
  }
  const boundsApplied = bounded !== desired;

  const outcome = scaleOutcome(input, {
    bounded,
    boundsApplied,
    initialScaleApplied: initialScaleApplied && bounded === minScale,
    paStateForMs,
    proxyForMs,
    retentionMs,
  });

  // One object literal: this runs on every reconcile.
  return {
    want: outcome.want,
    replicas: outcome.replicas,
    apply: outcome.replicas !== undefined && outcome.replicas !== input.currentReplicas,
    requeueAfterMs: outcome.requeueAfterMs,
    startProbe: outcome.startProbe ?? false,
    gate: outcome.gate,
    minScale,
    maxScale,
    desired,
    bounded,
    boundsApplied,
    initialScaleApplied,
    paState,
    paStateForMs,
    proxyForMs,
    stableWindowMs: spec.stableWindowMs,
    gracePeriodMs: spec.scaleToZeroGracePeriodMs,
    retentionMs,
    activationTimeoutMs: spec.activationTimeoutMs,
  };
}

function scaleOutcome(
  input: ScaleInput,
  v: {
    bounded: number;
    boundsApplied: boolean;
    initialScaleApplied: boolean;
    paStateForMs: number;
    proxyForMs: number;
    retentionMs: number;
  },
): Outcome {
  const { spec, desired, paState } = input;
  const { bounded, paStateForMs, proxyForMs, retentionMs } = v;
  const grace = spec.scaleToZeroGracePeriodMs;

  // 1. Unknown and not activating: nothing to do.
  if (desired < 0 && paState !== 'Activating') return { want: desired, replicas: undefined, gate: 'no-metrics' };

  // 5. Anything but zero is applied.
  if (bounded !== 0) {
    const gate: ScaleGate = !v.boundsApplied ? 'desired' : v.initialScaleApplied ? 'initial-scale' : 'bounds';
    return { want: bounded, replicas: bounded, gate };
  }

  // handleScaleToZero.
  if (!spec.enableScaleToZero) return { want: 1, replicas: 1, gate: 'scale-to-zero-disabled' };

  if (paState === 'Activating') {
    if (paStateForMs > spec.activationTimeoutMs) return { want: 0, replicas: 0, gate: 'activation-timeout' };
    return { want: -1, replicas: undefined, gate: 'activating', requeueAfterMs: spec.activationTimeoutMs };
  }

  if (paState === 'Active') {
    if (paStateForMs >= spec.stableWindowMs) {
      const requeueAfterMs = input.sksMode === 'Proxy' ? PROXY_REQUEUE_MS : undefined;
      return { want: 0, replicas: undefined, gate: 'mark-inactive', requeueAfterMs };
    }
    return { want: 1, replicas: 1, gate: 'stable-window', requeueAfterMs: spec.stableWindowMs - paStateForMs };
  }

  // Inactive: the activator must be in the path (always so with TBC −1).
  if (spec.targetBurstCapacity !== -1 && !input.activatorProbeOk) {
    return { want: 0, replicas: undefined, gate: 'probe-pending', startProbe: true };
  }
  if (paStateForMs >= Math.max(grace, retentionMs)) return { want: 0, replicas: 0, gate: 'scale-to-zero' };
  if (retentionMs > 0 && paStateForMs < retentionMs) {
    return { want: 0, replicas: undefined, gate: 'retention', requeueAfterMs: retentionMs - paStateForMs };
  }
  const remaining = grace - proxyForMs;
  if (remaining <= 0) return { want: 0, replicas: 0, gate: 'fast-path' };
  return { want: 0, replicas: undefined, gate: 'grace-period', requeueAfterMs: remaining };
}

/** Pods that must be ready for the PA to count as active (and for ScaleTargetInitialized). */
export function minReadyPods(spec: DeciderSpec, scaleTargetInitialized: boolean): number {
  const { minScale } = scaleBounds(spec);
  return scaleTargetInitialized ? Math.max(minScale, 1) : Math.max(minScale, spec.initialScale);
}

export interface ActiveConditionInput {
  /** The value the scale step returned. */
  readonly want: number;
  readonly readyPods: number;
  /** From {@link minReadyPods}. */
  readonly minReady: number;
  /** The PA's current Active state. */
  readonly paState: PAState;
}

export interface ActiveCondition {
  readonly status: 'True' | 'False' | 'Unknown';
  /** '' for True, or when unchanged. */
  readonly reason: string;
  readonly message: string;
  /** True when the condition is left as it was (ready enough, nothing wanted, already inactive). */
  readonly unchanged: boolean;
  readonly paState: PAState;
}

const STATUS_OF: Readonly<Record<PAState, ActiveCondition['status']>> = {
  Active: 'True',
  Activating: 'Unknown',
  Inactive: 'False',
};

/**
 * The Active condition a scale step sets. (At module level: the PodAutoscaler machine's guards
 * ask `computeActiveCondition` up to four times a reconcile, and under tsx a named function
 * made per call costs a `__name` call each time.)
 */
function settingActive(state: PAState, reason: string, message: string): ActiveCondition {
  return { status: STATUS_OF[state], reason, message, unchanged: false, paState: state };
}

/** The PA's Active condition after a scale step (reference §4 table). */
export function computeActiveCondition(input: ActiveConditionInput): ActiveCondition {
  const { want, readyPods, minReady, paState } = input;
  if (want === 0 || minReady === 0) {
    if (paState === 'Activating' && minReady > 0) return settingActive('Inactive', REASON_TIMED_OUT, MESSAGE_TIMED_OUT);
    return settingActive('Inactive', REASON_NO_TRAFFIC, MESSAGE_NO_TRAFFIC);
  }
  if (readyPods < minReady) {
    if (want > 0 || paState !== 'Inactive') return settingActive('Activating', REASON_QUEUED, MESSAGE_QUEUED);
    return settingActive('Inactive', REASON_NO_TRAFFIC, MESSAGE_NO_TRAFFIC);
  }
  if (want > 0 || paState !== 'Inactive') return settingActive('Active', '', '');
  return { status: STATUS_OF[paState], reason: '', message: '', unchanged: true, paState };
}

/**
 * SKS mode: Proxy when want is 0, when EBC < 0, or when want is −1 and the PA is inactive;
 * otherwise Serve. Without `paState` an unknown want (−1) is treated as Proxy.
 */
export function sksModeFor(want: number, excessBurstCapacity: number, paState?: PAState): SKSMode {
  if (want === 0 || excessBurstCapacity < 0) return 'Proxy';
  if (want < 0 && (paState === undefined || paState === 'Inactive')) return 'Proxy';
  return 'Serve';
}
