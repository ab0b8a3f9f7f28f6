/**
 * A revision's routing state and what it means for its PodAutoscaler (reference §6): `active`
 * while a Route sends it traffic, `reserve` once none does, `pending` before any Route has
 * looked at it. The PA is Reachable when active, Unreachable when reserve (no min-scale, no
 * scale-down limits), and Unknown ("") otherwise.
 */
import type { Reachability, Revision } from '../api/types.js';
import { LABEL_ROUTING_STATE } from './labels.js';

export type RoutingState = 'active' | 'reserve' | 'pending';

/** The PodAutoscaler's spec.reachability for a revision. */
export function reachabilityOf(rev: Revision): Reachability {
  const state = rev.metadata.labels?.[LABEL_ROUTING_STATE];
  if (state === 'active') return 'Reachable';
  if (state === 'reserve') return 'Unreachable';
  return '';
}

/**
 * The next routing state of a revision the Route looked at: active when it is routed; reserve
 * when it was active and no longer is; otherwise unchanged (a new revision stays pending).
 */
export function nextRoutingState(current: string | undefined, routed: boolean): string | undefined {
  if (routed) return 'active';
  if (current === 'active') return 'reserve';
  return current;
}
