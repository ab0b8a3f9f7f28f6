/**
 * The Route reconciler: resolves spec traffic to revisions (latestRevision follows the
 * Configuration's latest ready revision) and hands the result to the Route's machine, which
 * programs the ingress (it owns that delay) and decides the conditions; the reconciler writes
 * the status the machine emits, with URL and traffic, and labels revisions with their routing
 * state.
 */
import type { Configuration, Revision, Route, RouteStatus } from '../../model/api/types.js';
import { type RouteEmitted, routeMachine } from '../../model/machines/route.js';
import {
  type DomainConfig,
  hostOf,
  isClusterLocalHost,
  type NetworkConfig,
  routeAddressUrl,
  routeRef,
  routeUrl,
} from '../../model/rules/domain.js';
import {
  ANNOTATION_ROUTING_STATE_MODIFIED,
  LABEL_CONFIGURATION,
  LABEL_ROUTING_STATE,
} from '../../model/rules/labels.js';
import { nextRoutingState, referencedRevisions } from '../../model/rules/routing.js';
import { resolveTraffic } from '../../model/rules/traffic.js';
import type { SimContext } from '../context.js';
import { REVISIONS_BY_CONFIGURATION, T } from '../types.js';
import { divergeAt, MachinesByObject, narrate } from './lifecycle.js';

export class RouteController {
  private readonly machines = new MachinesByObject(
    routeMachine,
    () => this.ctx.engine,
    ({ namespace, name }) =>
      (e) =>
        this.told(namespace, name, e),
  );

  constructor(
    private readonly ctx: SimContext,
    private readonly domain: () => { domain: DomainConfig; network: NetworkConfig },
  ) {}

  reconcile(namespace: string, name: string): void {
    const { ctx } = this;
    const route = ctx.store.get<Route>(T.route, namespace, name);
    if (!route || route.metadata.deletionTimestamp) {
      this.machines.forget(namespace, name);
      return;
    }
    const { domain, network } = this.domain();
    const ref = routeRef(route.metadata);
    const revision = (n: string) => ctx.store.get<Revision>(T.revision, namespace, n);
    const configuration = (n: string) => ctx.store.get<Configuration>(T.configuration, namespace, n);
    const resolution = resolveTraffic(route.spec.traffic, {
      configurations: configuration,
      revisions: revision,
      route: ref,
      domainConfig: domain,
      network,
    });
    const traffic = resolution.traffic ?? route.status?.traffic;
    const url = routeUrl(ref, domain, network);
    const address = routeAddressUrl(ref, network);
    const observed = {
      traffic: resolution.traffic ? JSON.stringify(resolution.traffic) : undefined,
      allTrafficAssigned: resolution.allTrafficAssigned,
      clusterLocal: isClusterLocalHost(hostOf(url) ?? ''),
    };
    // What the send and the status write depend on besides the Route itself (its conditions,
    // generation and last traffic); the status's traffic is the observation's, as JSON.
    const inputs = { observed, url, address };
    if (!this.machines.repeats(route, inputs)) {
      this.machines.send(
        route,
        () => ({ name, ingressProgrammingMs: ctx.settings.ingressProgrammingMs }),
        { type: 'route.reconcile', previous: route.status?.conditions, observed, nowIso: ctx.timestamp() },
        (e) => {
          if (e.type !== 'status') {
            this.told(namespace, name, e);
            return;
          }
          const status: RouteStatus = {
            observedGeneration: route.metadata.generation,
            conditions: e.conditions,
            url,
            address: { url: address },
            ...(traffic ? { traffic } : {}),
          };
          ctx.store.updateStatus(T.route, namespace, name, status);
        },
      );
      this.machines.sent(route, ctx.store.get<Route>(T.route, namespace, name), inputs);
    }
    this.machines.reconciled(route, this.ctx.now());
    this.labelRevisions(
      namespace,
      route,
      referencedRevisions(route.spec.traffic, traffic, { revision, configuration }),
    );
  }

  /** routingState: active while a Route references it (`referencedRevisions`), reserve once it no longer does. */
  private labelRevisions(namespace: string, route: Route, routed: Set<string>): void {
    const configs = new Set((route.spec.traffic ?? []).map((t) => t.configurationName).filter(Boolean));
    for (const rev of this.revisionsOf(namespace, configs, routed)) {
      const config = rev.metadata.labels?.[LABEL_CONFIGURATION] ?? '';
      if (!routed.has(rev.metadata.name) && !configs.has(config)) continue;
      const current = rev.metadata.labels?.[LABEL_ROUTING_STATE];
      const next = nextRoutingState(current, routed.has(rev.metadata.name));
      if (next === current) continue;
      this.ctx.store.update({
        ...rev,
        metadata: {
          ...rev.metadata,
          labels: { ...(rev.metadata.labels ?? {}), [LABEL_ROUTING_STATE]: next ?? 'pending' },
          annotations: {
            ...(rev.metadata.annotations ?? {}),
            [ANNOTATION_ROUTING_STATE_MODIFIED]: this.ctx.timestamp(),
          },
        },
      });
    }
  }

  /**
   * The namespace's revisions of these configurations or with these names, in the store's
   * order (the revisions' configuration index, not a list of the namespace).
   */
  private revisionsOf(
    namespace: string,
    configs: ReadonlySet<string | undefined>,
    names: ReadonlySet<string>,
  ): Revision[] {
    const found = new Map<string, Revision>();
    for (const config of configs) {
      for (const rev of this.ctx.store.byIndex<Revision>(
        T.revision,
        REVISIONS_BY_CONFIGURATION,
        `${namespace}/${config}`,
      )) {
        found.set(rev.metadata.name, rev);
      }
    }
    for (const name of names) {
      const rev = this.ctx.store.get<Revision>(T.revision, namespace, name);
      if (rev) found.set(name, rev);
    }
    return [...found.values()].sort((a, b) =>
      a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0,
    );
  }

  /** What the Route's machine tells besides its status (which only a reconcile's send writes). */
  private told(namespace: string, name: string, e: RouteEmitted): void {
    switch (e.type) {
      case 'ingress.programmed':
        this.ctx.enqueue(T.route, namespace, name);
        break;
      case 'milestone':
        narrate(this.ctx, e);
        break;
      case 'divergence':
        divergeAt(this.ctx, 'Route', namespace, name, e);
        break;
    }
  }
}
