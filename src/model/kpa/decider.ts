/**
 * The KPA decision (reference §3): a pure function of the spec, the decider's explicit state, one
 * observation and the time. Ticking, logging and metrics stay outside; the caller runs
 * {@link decide} every 2 s (and when poked) and keeps the returned state.
 */

import { excessBurstCapacityFor, initialExcessBurstCapacity } from './burstCapacity.js';
import type { DelayWindowState } from './delayWindow.js';
import { currentDelayMax, newDelayWindow, recordDelay } from './delayWindow.js';
import type { DeciderSpec } from './spec.js';

/** What Knative hides inside its autoscaler object, made explicit. */
export interface DeciderState {
  /** Time of the last over-threshold tick while panicking; null when not panicking. */
  readonly panicTimeMs: number | null;
  /** Highest count decided during the current panic (no scale-down in panic). */
  readonly maxPanicPods: number;
  /**
   * Sliding max for the scale-down delay, made with the decider when its delay was > 0 and kept
   * as it is across spec updates (Knative's Update only swaps the spec); null otherwise.
   */
  readonly delayWindow: DelayWindowState | null;
  /** Last valid decision (Decider status DesiredScale); −1 until the first valid tick. */
  readonly desiredScale: number;
  /** Last valid excess burst capacity (Decider status); starts at {@link initialExcessBurstCapacity}. */
  readonly excessBurstCapacity: number;
}

/** The inputs of one tick. */
export interface Observation {
  /** Running, Ready, not terminating pods. */
  readonly readyPods: number;
  /** Average of the decision metric over the stable window (revision-wide total). */
  readonly stable?: number;
  /** Average over the panic window. */
  readonly panic?: number;
  /** Set when the metric or pod count could not be read, e.g. `no data`: the tick is invalid. */
  readonly error?: string;
}

/** Mirrors Knative's ScaleResult. */
export interface ScaleResult {
  readonly desiredPodCount: number;
  readonly excessBurstCapacity: number;
  /** False when there was no usable data; the caller keeps its previous decision. */
  readonly valid: boolean;
}

/** Every input and intermediate value of one tick; JSON-serialisable, written to the event log. */
export interface DecisionRecord {
  readonly nowMs: number;
  readonly metric: string;
  readonly readyPods: number;
  /** max(1, readyPods): the pod count the rates and the panic test use. */
  readonly readyPodsForRates: number;
  readonly observedStable: number | null;
  readonly observedPanic: number | null;
  readonly target: number;
  readonly total: number;
  readonly stableWindowMs: number;
  readonly panicWindowMs: number;
  readonly panicThreshold: number;
  readonly maxScaleUpRate: number;
  readonly maxScaleDownRate: number;
  readonly reachable: boolean;
  readonly maxScaleUp: number;
  readonly maxScaleDown: number;
  /** ceil(stable / target). */
  readonly desiredStable: number | null;
  /** ceil(panic / target). */
  readonly desiredPanic: number | null;
  /** desiredStable clamped to [maxScaleDown, maxScaleUp], then activation-scale. */
  readonly stableCount: number | null;
  readonly panicCount: number | null;
  readonly activationScale: number;
  readonly activationScaleApplied: boolean;
  /** desiredPanic / readyPodsForRates. */
  readonly panicRatio: number | null;
  readonly overPanicThreshold: boolean;
  readonly wasPanicking: boolean;
  readonly panicking: boolean;
  readonly panicEntered: boolean;
  readonly panicExited: boolean;
  readonly panicExtended: boolean;
  readonly panicTimeMs: number | null;
  readonly maxPanicPods: number;
  /** The count before the scale-down delay. */
  readonly undelayed: number | null;
  /** The delay of the decider's scale-down window (0 without one: the delay was 0 when it was made). */
  readonly scaleDownDelayMs: number;
  /** The count after the scale-down delay, or null when no delay applies. */
  readonly delayed: number | null;
  readonly targetBurstCapacity: number;
  readonly desiredPodCount: number;
  readonly excessBurstCapacity: number;
  readonly valid: boolean;
  readonly invalidReason: string | null;
}

export interface Decision {
  readonly result: ScaleResult;
  readonly state: DeciderState;
  readonly record: DecisionRecord;
}

/**
 * A new decider's state. It starts in panic when more than one pod is ready, so an autoscaler
 * restart keeps the current scale until data has accumulated; maxPanicPods = ready pods. The
 * scale-down delay window is made here, for the delay in force now, and only here.
 */
export function newDeciderState(spec: DeciderSpec, readyPods: number, nowMs = 0): DeciderState {
  return {
    panicTimeMs: readyPods > 1 ? nowMs : null,
    maxPanicPods: readyPods,
    delayWindow: spec.scaleDownDelayMs > 0 ? newDelayWindow(spec.scaleDownDelayMs) : null,
    desiredScale: -1,
    excessBurstCapacity: initialExcessBurstCapacity(spec),
  };
}

/** The values of one tick that are not read straight from the spec. */
interface TickValues {
  readonly readyPods: number;
  readonly r: number;
  readonly observedStable: number | null;
  readonly observedPanic: number | null;
  readonly maxScaleUp: number;
  readonly maxScaleDown: number;
  readonly desiredStable: number | null;
  readonly desiredPanic: number | null;
  readonly stableCount: number | null;
  readonly panicCount: number | null;
  readonly activationScaleApplied: boolean;
  readonly panicRatio: number | null;
  readonly overPanicThreshold: boolean;
  readonly wasPanicking: boolean;
  readonly panicking: boolean;
  readonly panicEntered: boolean;
  readonly panicExited: boolean;
  readonly panicExtended: boolean;
  readonly panicTimeMs: number | null;
  readonly maxPanicPods: number;
  readonly undelayed: number | null;
  readonly scaleDownDelayMs: number;
  readonly delayed: number | null;
  readonly desiredPodCount: number;
  readonly excessBurstCapacity: number;
  readonly valid: boolean;
  readonly invalidReason: string | null;
}

/**
 * The record as one object literal. (Spreading a shared base into a large literal is very slow
 * in V8, and this runs on every tick.)
 */
function makeRecord(spec: DeciderSpec, nowMs: number, v: TickValues): DecisionRecord {
  return {
    nowMs,
    metric: spec.metric,
    readyPods: v.readyPods,
    readyPodsForRates: v.r,
    observedStable: v.observedStable,
    observedPanic: v.observedPanic,
    target: spec.targetValue,
    total: spec.totalValue,
    stableWindowMs: spec.stableWindowMs,
    panicWindowMs: spec.panicWindowMs,
    panicThreshold: spec.panicThreshold,
    maxScaleUpRate: spec.maxScaleUpRate,
    maxScaleDownRate: spec.maxScaleDownRate,
    reachable: spec.reachable,
    maxScaleUp: v.maxScaleUp,
    maxScaleDown: v.maxScaleDown,
    desiredStable: v.desiredStable,
    desiredPanic: v.desiredPanic,
    stableCount: v.stableCount,
    panicCount: v.panicCount,
    activationScale: spec.activationScale,
    activationScaleApplied: v.activationScaleApplied,
    panicRatio: v.panicRatio,
    overPanicThreshold: v.overPanicThreshold,
    wasPanicking: v.wasPanicking,
    panicking: v.panicking,
    panicEntered: v.panicEntered,
    panicExited: v.panicExited,
    panicExtended: v.panicExtended,
    panicTimeMs: v.panicTimeMs,
    maxPanicPods: v.maxPanicPods,
    undelayed: v.undelayed,
    scaleDownDelayMs: v.scaleDownDelayMs,
    delayed: v.delayed,
    targetBurstCapacity: spec.targetBurstCapacity,
    desiredPodCount: v.desiredPodCount,
    excessBurstCapacity: v.excessBurstCapacity,
    valid: v.valid,
    invalidReason: v.invalidReason,
  };
}

/** One decider tick (reference §3 steps 1–13). */
export function decide(spec: DeciderSpec, state: DeciderState, obs: Observation, nowMs: number): Decision {
  const readyPods = obs.readyPods;
  const r = Math.max(1, readyPods);

  // Steps 1–2: without a pod count or metric values the tick is invalid and changes nothing.
  const invalidReason =
    obs.error ??
    (obs.stable === undefined || obs.panic === undefined ? 'no data' : undefined) ??
    (!Number.isFinite(readyPods) || readyPods < 0 ? 'invalid ready pod count' : undefined);
  if (invalidReason !== undefined || obs.stable === undefined || obs.panic === undefined) {
    const panicking = state.panicTimeMs !== null;
    return {
      result: { desiredPodCount: 0, excessBurstCapacity: 0, valid: false },
      state,
      record: makeRecord(spec, nowMs, {
        readyPods,
        r,
        observedStable: obs.stable ?? null,
        observedPanic: obs.panic ?? null,
        maxScaleUp: 0,
        maxScaleDown: 0,
        desiredStable: null,
        desiredPanic: null,
        stableCount: null,
        panicCount: null,
        activationScaleApplied: false,
        panicRatio: null,
        overPanicThreshold: false,
        wasPanicking: panicking,
        panicking,
        panicEntered: false,
        panicExited: false,
        panicExtended: false,
        panicTimeMs: state.panicTimeMs,
        maxPanicPods: state.maxPanicPods,
        undelayed: null,
        scaleDownDelayMs: state.delayWindow?.delayMs ?? 0,
        delayed: null,
        desiredPodCount: 0,
        excessBurstCapacity: 0,
        valid: false,
        invalidReason: invalidReason ?? 'no data',
      }),
    };
  }
  const stable = obs.stable;
  const panic = obs.panic;

  // Steps 3–4: rate limits. The ceil guarantees at least one more pod; an unreachable revision
  // may drop to zero at once.
  const maxScaleUp = Math.ceil(spec.maxScaleUpRate * r);
  const maxScaleDown = spec.reachable ? Math.floor(r / spec.maxScaleDownRate) : 0;

  // Steps 5–6: pods wanted by each window, clamped to the rate limits.
  const desiredStable = Math.ceil(stable / spec.targetValue);
  const desiredPanic = Math.ceil(panic / spec.targetValue);
  let stableCount = Math.min(Math.max(desiredStable, maxScaleDown), maxScaleUp);
  let panicCount = Math.min(Math.max(desiredPanic, maxScaleDown), maxScaleUp);

  // Step 7: activation scale lifts a non-zero want; a zero is never lifted.
  let activationScaleApplied = false;
  if (spec.activationScale > 1) {
    if (desiredStable > 0 && stableCount < spec.activationScale) {
      stableCount = spec.activationScale;
      activationScaleApplied = true;
    }
    if (desiredPanic > 0 && panicCount < spec.activationScale) {
      panicCount = spec.activationScale;
      activationScaleApplied = true;
    }
  }

  // Steps 8–9: panic starts or is extended on every over-threshold tick, and ends once a full
  // stable window has passed since the last one.
  const panicRatio = desiredPanic / r;
  const overPanicThreshold = panicRatio >= spec.panicThreshold;
  const wasPanicking = state.panicTimeMs !== null;
  let panicTimeMs = state.panicTimeMs;
  let maxPanicPods = state.maxPanicPods;
  let panicExited = false;
  if (overPanicThreshold) {
    panicTimeMs = nowMs;
  } else if (panicTimeMs !== null && panicTimeMs + spec.stableWindowMs < nowMs) {
    panicTimeMs = null;
    maxPanicPods = 0;
    panicExited = true;
  }
  const panicking = panicTimeMs !== null;

  // Step 10: in panic take the larger window's want and never go below the panic maximum.
  let desired = stableCount;
  if (panicking) {
    const want = Math.max(stableCount, panicCount);
    maxPanicPods = Math.max(maxPanicPods, want);
    desired = maxPanicPods;
  }

  // Step 11: scale-down delay (reachable revisions only), through the window the decider was
  // made with: a spec update neither creates, resizes nor removes it.
  const undelayed = desired;
  let delayWindow = state.delayWindow;
  let delayed: number | null = null;
  if (spec.reachable && delayWindow !== null) {
    delayWindow = recordDelay(delayWindow, nowMs, desired);
    delayed = currentDelayMax(delayWindow);
    desired = delayed;
  }

  // Step 12: excess burst capacity, from the panic value and the real ready count.
  const excessBurstCapacity = excessBurstCapacityFor(spec, readyPods, panic);

  return {
    result: { desiredPodCount: desired, excessBurstCapacity, valid: true },
    state: { panicTimeMs, maxPanicPods, delayWindow, desiredScale: desired, excessBurstCapacity },
    record: makeRecord(spec, nowMs, {
      readyPods,
      r,
      observedStable: stable,
      observedPanic: panic,
      maxScaleUp,
      maxScaleDown,
      desiredStable,
      desiredPanic,
      stableCount,
      panicCount,
      activationScaleApplied,
      panicRatio,
      overPanicThreshold,
      wasPanicking,
      panicking,
      panicEntered: !wasPanicking && overPanicThreshold,
      panicExited,
      panicExtended: wasPanicking && overPanicThreshold,
      panicTimeMs,
      maxPanicPods,
      undelayed,
      scaleDownDelayMs: delayWindow?.delayMs ?? 0,
      delayed,
      desiredPodCount: desired,
      excessBurstCapacity,
      valid: true,
      invalidReason: null,
    }),
  };
}

/**
 * Poke: a stat with non-zero concurrency for a revision whose last decision was 0 makes the
 * decider run at once instead of waiting for the next tick.
 */
export function shouldPoke(lastDesired: number, statConcurrency: number): boolean {
  return lastDesired === 0 && statConcurrency !== 0;
}

/**
 * After a valid tick the KPA is re-triggered only if the desired scale changed or the sign of
 * the excess burst capacity flipped (0 counts as non-negative).
 */
export function shouldTriggerReconcile(
  previous: { readonly desiredScale: number; readonly excessBurstCapacity: number },
  next: { readonly desiredScale: number; readonly excessBurstCapacity: number },
): boolean {
  return (
    previous.desiredScale !== next.desiredScale || previous.excessBurstCapacity < 0 !== next.excessBurstCapacity < 0
  );
}
