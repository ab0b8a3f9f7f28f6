/**
 * The Route reconciler: resolves spec traffic to revisions (latestRevision follows the
 * Configuration's latest ready revision) and hands the result to the Route's machine, which
 * programs the ingress (it owns that delay) and decides the conditions; the reconciler writes
 * the status the machine emits, with URL and traffic, and labels revisions with their routing
 * state.
 */
import { type Actor, createActor, type Snapshot } from 'xstate';
import type { Configuration, Revision, Route, RouteStatus } from '../../model/api/types.js';
import { routeMachine } from '../../model/machines/route.js';
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
import { ActorsByObject, diverge, narrate } from './lifecycle.js';

export class RouteController {
  private readonly actors = new ActorsByObject<Actor<typeof routeMachine>>(() => this.ctx.engine);

  constructor(
    private readonly ctx: SimContext,
    private readonly domain: () => { domain: DomainConfig; network: NetworkConfig },
  ) {}

  reconcile(namespace: string, name: string): void {
    const { ctx } = this;
    const route = ctx.store.get<Route>(T.route, namespace, name);
    if (!route || route.metadata.deletionTimestamp) {
      this.actors.forget(namespace, name);
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
    if (!this.actors.repeats(route, inputs)) {
      const actor = this.actors.of(route, (snapshot) => this.start(route, snapshot));
      const sub = actor.on(
        'status',
        this.actors.failures.listener(({ conditions }) => {
          const status: RouteStatus = {
            observedGeneration: route.metadata.generation,
            conditions,
            url,
            address: { url: address },
            ...(traffic ? { traffic } : {}),
          };
          ctx.store.updateStatus(T.route, namespace, name, status);
        }),
      );
      actor.send({ type: 'route.reconcile', previous: route.status?.conditions, observed, nowIso: ctx.timestamp() });
      sub.unsubscribe();
      this.actors.failures.throwIfAny();
      this.actors.sent(route, ctx.store.get<Route>(T.route, namespace, name), inputs);
    }
    this.actors.reconciled(route, this.ctx.now());
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

  private start(route: Route, snapshot?: Snapshot<unknown>): Actor<typeof routeMachine> {
    const { name } = route.metadata;
    const namespace = route.metadata.namespace ?? '';
    const actor = this.actors.failures.watch(
      createActor(routeMachine, {
        clock: this.actors.failures.clock(this.ctx.engine.clock),
        ...(snapshot ? { snapshot } : {}),
        input: { name, ingressProgrammingMs: this.ctx.settings.ingressProgrammingMs },
      }),
    );
    actor.on(
      'ingress.programmed',
      this.actors.failures.listener(() => this.ctx.enqueue(T.route, namespace, name)),
    );
    actor.on(
      'milestone',
      this.actors.failures.listener((m) => narrate(this.ctx, m)),
    );
    actor.on(
      'divergence',
      this.actors.failures.listener((d) => diverge(this.ctx, route, d)),
    );
    return actor.start();
  }
}
