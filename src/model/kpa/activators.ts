/**
 * How many activator pods a revision's public endpoints point at while the SKS is in Proxy mode
 * (reference §4 "SKS mode and activators").
 */

/** A revision is always given at least this many activators. */
const MIN_ACTIVATORS = 2;

export interface ActivatorsInput {
  readonly readyPods: number;
  /** Per-pod total capacity (DeciderSpec.totalValue). */
  readonly totalValue: number;
  readonly targetBurstCapacity: number;
  /** Concurrent requests one activator is assumed to take (`activator-capacity`). */
  readonly activatorCapacity: number;
}

/**
 * TBC 0 → 2. Otherwise max(2, ceil((ready × total + max(TBC, 0)) / capacity)); TBC −1 covers
 * only the ready pods' capacity. At the defaults: ready 0 → 3, 1 → 4, 3 → 6.
 */
export function numActivators(input: ActivatorsInput): number {
  if (input.targetBurstCapacity === 0) return MIN_ACTIVATORS;
  let capacity = input.readyPods * input.totalValue;
  if (input.targetBurstCapacity > 0) capacity += input.targetBurstCapacity;
  return Math.max(MIN_ACTIVATORS, Math.ceil(capacity / input.activatorCapacity));
}
