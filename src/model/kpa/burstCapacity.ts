/**
 * Excess burst capacity (reference §3 step 12 and "Decider lifetime"): how much spare capacity a
 * revision has beyond the target burst capacity; negative keeps the activator in the path.
 */
import type { DeciderSpec } from './spec.js';

/**
 * Excess burst capacity of a new decider, before any data: 0 if TBC = 0, −1 if TBC = −1,
 * otherwise trunc(initialScale × total − TBC) (−111 at the defaults).
 */
export function initialExcessBurstCapacity(spec: DeciderSpec): number {
  if (spec.targetBurstCapacity === 0) return 0;
  if (spec.targetBurstCapacity < 0) return -1;
  return Math.trunc(spec.initialScale * spec.totalValue - spec.targetBurstCapacity);
}

/**
 * EBC = floor(ready × total − TBC − panic), from the panic value and the real ready count (not
 * max(1, ready)); 0 when TBC = 0, −1 when TBC = −1.
 */
export function excessBurstCapacityFor(spec: DeciderSpec, readyPods: number, observedPanic: number): number {
  if (spec.targetBurstCapacity === 0) return 0;
  if (spec.targetBurstCapacity < 0) return -1;
  return Math.floor(readyPods * spec.totalValue - spec.targetBurstCapacity - observedPanic);
}
