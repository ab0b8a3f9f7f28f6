/**
 * Scale bounds of a revision (reference §4 "Applying the decision", steps 2–4, and the last-pod
 * retention of handleScaleToZero): what an unreachable revision no longer honours.
 */
import type { DeciderSpec } from './spec.js';

/** The scale bounds in force: min is 0 when unreachable, max 0 means unlimited. */
export function scaleBounds(
  spec: DeciderSpec,
  reachable: boolean = spec.reachable,
): { minScale: number; maxScale: number } {
  return { minScale: reachable ? spec.minScale : 0, maxScale: spec.maxScale };
}

/** Clamps x to [min, max]; the upper bound applies only when max > 0. */
export function applyBounds(min: number, max: number, x: number): number {
  if (x < min) return min;
  if (max > 0 && x > max) return max;
  return x;
}

/** Last-pod retention in force: the annotation or config value, but 0 for an unreachable revision. */
export function lastPodRetentionMs(spec: DeciderSpec, reachable: boolean = spec.reachable): number {
  return reachable ? spec.scaleToZeroPodRetentionMs : 0;
}
