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

/** The Route names in a `serving.knative.dev/routes` annotation (Knative's GetListAnnValue). */
export function routesIn(annotation: string | undefined): string[] {
  return annotation ? annotation.split(',') : [];
}

/**
 * The `serving.knative.dev/routes` annotation once the labeler has added `route` (it references
 * the object) or removed it (Knative's updateRouteAnnotation): unchanged when already so, else
 * the names sorted and comma-separated, and undefined (the annotation removed) when none is left.
 */
export function routesAnnotation(current: string | undefined, route: string, referenced: boolean): string | undefined {
  const routes = new Set(routesIn(current));
  if (routes.has(route) === referenced) return current;
  if (referenced) routes.add(route);
  else routes.delete(route);
  return routes.size === 0 ? undefined : [...routes].sort().join(',');
}

/**
 * A revision's routing state from its routes annotation (Knative's markRoutingState): active
 * while any Route lists it, reserve once none does. Only the labeler sets it, so a revision no
 * Route has looked at keeps the `pending` it was created with.
 */
export function routingStateOf(routes: string | undefined): RoutingState {
  return routes ? 'active' : 'reserve';
}

/** How the labeler finds the objects a Route's traffic names. */
export interface RouteReferences {
  readonly revision: (name: string) => Revision | undefined;
  readonly configuration: (name: string) => Configuration | undefined;
}

/** What a Route references, which the labeler annotates with the Route's name. */
export interface RouteReferenced {
  readonly revisions: Set<string>;
  readonly configurations: Set<string>;
}

/**
 * The revisions and configurations a Route references (Knative's labeler, syncRoutingMeta):
 * each existing revision its status and spec traffic name, and each existing configuration they
 * name or that owns a named revision; for every target that follows the latest revision, that
 * Configuration's latest *created* revision too: a new revision is active before it is ready,
 * "so that there is a smooth transition", and a newer one leaves it (reserve) even if it never
 * became ready.
 */
export function routeReferenced(
  spec: readonly TrafficTarget[] | undefined,
  status: readonly TrafficTarget[] | undefined,
  refs: RouteReferences,
): RouteReferenced {
  const revisions = new Set<string>();
  const configurations = new Set<string>();
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
    const config = refs.configuration(configName);
    if (!config) continue;
    configurations.add(configName);
    const latestCreated = config.status?.latestCreatedRevisionName;
    // A target without latestRevision follows the latest when it names no revision (the default).
    if (latestCreated && (target.latestRevision ?? !target.revisionName)) revisions.add(latestCreated);
  }
  return { revisions, configurations };
}
