/**
 * The Route reconciler: resolves spec traffic to revisions (latestRevision follows the
 * Configuration's latest ready revision), programs the ingress (a route machine per Route owns
 * that delay), labels revisions with their routing state, and reports URL and conditions.
 */
import { type Actor, createActor } from 'xstate';
import type { Configuration, Revision, Route, RouteStatus } from '../../model/api/types.js';
import { routeMachine } from '../../model/machines/route.js';
import {
  applyConditions,
  ROUTE_CONDITION_SET,
  routeIngressReady,
  routeTlsNotEnabled,
} from '../../model/rules/conditions.js';
import {
  type DomainConfig,
  isClusterLocalHost,
  type NetworkConfig,
  routeAddressUrl,
  routeUrl,
} from '../../model/rules/domain.js';
import {
  ANNOTATION_ROUTING_STATE_MODIFIED,
  LABEL_CONFIGURATION,
  LABEL_ROUTING_STATE,
} from '../../model/rules/labels.js';
import { nextRoutingState } from '../../model/rules/routing.js';
import { resolveTraffic } from '../../model/rules/traffic.js';
import type { SimContext } from '../context.js';
import { T } from '../types.js';

interface IngressState {
  actor: Actor<typeof routeMachine>;
  requestedKey: string;
  programmedKey: string;
}

export class RouteController {
  private readonly ingresses = new Map<string, IngressState>();

  constructor(
    private readonly ctx: SimContext,
    private readonly domain: () => { domain: DomainConfig; network: NetworkConfig },
  ) {}

  reconcile(namespace: string, name: string): void {
    const { ctx } = this;
    const key = `${namespace}/${name}`;
    const route = ctx.store.get<Route>(T.route, namespace, name);
    if (!route || route.metadata.deletionTimestamp) {
      this.ingresses.get(key)?.actor.stop();
      this.ingresses.delete(key);
      return;
    }
    const { domain, network } = this.domain();
    const ref = { name, namespace, ...(route.metadata.labels ? { labels: route.metadata.labels } : {}) };
    const resolution = resolveTraffic(route.spec.traffic, {
      configurations: ctx.store.list<Configuration>(T.configuration, namespace),
      revisions: ctx.store.list<Revision>(T.revision, namespace),
      route: ref,
      domainConfig: domain,
      network,
    });
    const traffic = resolution.traffic ?? route.status?.traffic;
    const ingress = this.ingress(key, namespace, name);
    if (resolution.traffic) {
      const trafficKey = JSON.stringify(resolution.traffic);
      if (trafficKey !== ingress.requestedKey) {
        ingress.requestedKey = trafficKey;
        ingress.actor.send({ type: 'route.traffic', key: trafficKey });
      }
    }
    const programmed = ingress.programmedKey !== '' && ingress.programmedKey === ingress.requestedKey;
    const url = routeUrl(ref, domain, network);
    const conditions = applyConditions(
      ROUTE_CONDITION_SET,
      route.status?.conditions,
      [
        resolution.allTrafficAssigned,
        routeIngressReady(programmed ? { type: 'Ready', status: 'True' } : undefined),
        routeTlsNotEnabled(isClusterLocalHost(new URL(url).host)),
      ],
      ctx.timestamp(),
    );
    const status: RouteStatus = {
      observedGeneration: route.metadata.generation,
      conditions,
      url,
      address: { url: routeAddressUrl(ref, network) },
      ...(traffic ? { traffic } : {}),
    };
    ctx.store.updateStatus(T.route, namespace, name, status);
    if (traffic) this.labelRevisions(namespace, route, new Set(traffic.map((t) => t.revisionName ?? '')));
  }

  /** routingState: active while a Route sends traffic to it, reserve once it no longer does. */
  private labelRevisions(namespace: string, route: Route, routed: Set<string>): void {
    const configs = new Set((route.spec.traffic ?? []).map((t) => t.configurationName).filter(Boolean));
    for (const rev of this.ctx.store.list<Revision>(T.revision, namespace)) {
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

  private ingress(key: string, namespace: string, name: string): IngressState {
    let state = this.ingresses.get(key);
    if (!state) {
      const actor = createActor(routeMachine, {
        clock: this.ctx.engine.clock,
        input: { name, ingressProgrammingMs: this.ctx.settings.ingressProgrammingMs },
      });
      const created: IngressState = { actor, requestedKey: '', programmedKey: '' };
      actor.on('ingress.ready', ({ key: programmed }) => {
        created.programmedKey = programmed;
        this.ctx.enqueue(T.route, namespace, name);
      });
      actor.start();
      state = created;
      this.ingresses.set(key, state);
    }
    return state;
  }
}
