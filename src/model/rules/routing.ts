/**
 * A revision's routing state and what it means for its PodAutoscaler (reference §6): `active`
 * while a Route sends it traffic, `reserve` once none does, `pending` before any Route has
 * looked at it. The PA is Reachable when active, Unreachable when reserve (no min-scale, no
 * scale-down limits), and Unknown ("") otherwise.
 */
import type { Configuration, Reachability, Revision, TrafficTarget } from '../api/types.js';
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

/** How the labeler finds the objects a Route's traffic names. */
export interface RouteReferences {
  readonly revision: (name: string) => Revision | undefined;
  readonly configuration: (name: string) => Configuration | undefined;
}

/**
 * The revisions a Route references, which the labeler marks `active` (Knative's labeler,
 * SyncLabels): each existing revision its status and spec traffic name, and for every target
 * that follows the latest revision (its own Configuration, or the one that owns its revision)
 * that Configuration's latest *created* revision: a new revision is active before it is ready,
 * "so that there is a smooth transition", and a newer one leaves it (reserve) even if it never
 * became ready.
 */
export function referencedRevisions(
  spec: readonly TrafficTarget[] | undefined,
  status: readonly TrafficTarget[] | undefined,
  refs: RouteReferences,
): Set<string> {
  const revisions = new Set<string>();
  for (const target of [...(status ?? []), ...(spec ?? [])]) {
    let configName = target.configurationName;
    if (target.revisionName) {
      const rev = refs.revision(target.revisionName);
      if (!rev) continue;
      revisions.add(target.revisionName);
      const owner = rev.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'Configuration');
      if (owner) configName = owner.name;
    }
    if (!configName) continue;
    const latestCreated = refs.configuration(configName)?.status?.latestCreatedRevisionName;
    // A target without latestRevision follows the latest when it names no revision (the default).
    if (latestCreated && (target.latestRevision ?? !target.revisionName)) revisions.add(latestCreated);
  }
  return revisions;
}
