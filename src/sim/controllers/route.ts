/**
 * The Route reconciler: resolves spec traffic to revisions (latestRevision follows the
 * Configuration's latest ready revision) and hands the result to the Route's machine, which
 * programs the ingress (it owns that delay) and decides the conditions; the reconciler writes
 * the status the machine emits, with URL and traffic, and labels revisions with their routing
 * state.
 */
import type { Configuration, KubeObject, Revision, Route, RouteStatus } from '../../model/api/types.js';
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
  finalizerUpdateEvent,
  ROUTE_FINALIZER,
  ROUTE_FINALIZER_AGENT,
  withFinalizer,
  withoutFinalizer,
} from '../../model/rules/finalizers.js';
import { ANNOTATION_ROUTES, ANNOTATION_ROUTING_STATE_MODIFIED, LABEL_ROUTING_STATE } from '../../model/rules/labels.js';
import { routeReferenced, routesAnnotation, routingStateOf } from '../../model/rules/routing.js';
import { resolveTraffic } from '../../model/rules/traffic.js';
import type { SimContext } from '../context.js';
import type { EventRecorder } from '../recorder.js';
import { finalizersOf } from '../store.js';
import { BY_ROUTES_ANNOTATION, T } from '../types.js';
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
    private readonly recorder: EventRecorder,
  ) {}

  reconcile(namespace: string, name: string): void {
    const { ctx } = this;
    const found = ctx.store.get<Route>(T.route, namespace, name);
    if (!found || found.metadata.deletionTimestamp) {
      this.machines.forget(namespace, name);
      if (found) this.finalize(found);
      return;
    }
    const route = this.withFinalizer(found);
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
    this.syncRoutingMeta(
      namespace,
      route.metadata.name,
      routeReferenced(route.spec.traffic, traffic, { revision, configuration }),
    );
  }

  /**
   * The labeler's finalizer, patched in (appended) when the Route lacks it, as Knative's generated
   * reconciler does before each ReconcileKind of a reconciler that implements `Finalizer`.
   */
  private withFinalizer(route: Route): Route {
    if (finalizersOf(route).includes(ROUTE_FINALIZER)) return route;
    const finalizers = withFinalizer(route.metadata.finalizers, ROUTE_FINALIZER);
    const updated = this.ctx.store.update<Route>({
      ...route,
      metadata: { ...route.metadata, finalizers, resourceVersion: undefined },
    });
    this.finalizerUpdated(updated);
    return updated;
  }

  /**
   * The labeler's FinalizeKind on a Route being deleted (run at each of its reconciles, as
   * Knative's generated reconciler runs it): ClearRoutingMeta (the Route's name leaves the routes
   * annotation of every revision and configuration, a revision no other Route names turns
   * reserve), then its finalizer comes off; the API server removes the Route when it was the last.
   */
  private finalize(route: Route): void {
    const { namespace = '', name } = route.metadata;
    this.syncRoutingMeta(namespace, name, { revisions: new Set(), configurations: new Set() });
    if (!finalizersOf(route).includes(ROUTE_FINALIZER)) return;
    const metadata = {
      ...route.metadata,
      finalizers: withoutFinalizer(route.metadata.finalizers, ROUTE_FINALIZER),
      resourceVersion: undefined,
    };
    this.finalizerUpdated(this.ctx.store.update<Route>({ ...route, metadata }));
  }

  private finalizerUpdated(route: Route): void {
    const e = finalizerUpdateEvent(route.metadata.name);
    this.recorder.record(route, e.type, e.reason, e.message, { component: ROUTE_FINALIZER_AGENT });
  }

  /**
   * Knative's labeler (syncRoutingMeta): the Route's name goes into the routes annotation of
   * every revision and configuration it references and out of those it no longer does (found by
   * that annotation); a revision's routingState follows its annotation (`routingStateOf`).
   */
  private syncRoutingMeta(
    namespace: string,
    route: string,
    referenced: { revisions: Set<string>; configurations: Set<string> },
  ): void {
    this.annotate<Revision>(T.revision, namespace, route, referenced.revisions, true);
    this.annotate<Configuration>(T.configuration, namespace, route, referenced.configurations, false);
  }

  /** One merge of the labeler's patch per object whose metadata changes, in name order. */
  private annotate<O extends KubeObject>(
    type: string,
    namespace: string,
    route: string,
    referenced: ReadonlySet<string>,
    routingState: boolean,
  ): void {
    const { store } = this.ctx;
    const names = new Set(referenced);
    for (const o of store.byIndex<O>(type, BY_ROUTES_ANNOTATION, `${namespace}/${route}`)) names.add(o.metadata.name);
    for (const name of [...names].sort()) {
      const o = store.get<O>(type, namespace, name);
      if (!o) continue;
      const annotations = { ...(o.metadata.annotations ?? {}) };
      const labels = { ...(o.metadata.labels ?? {}) };
      const before = annotations[ANNOTATION_ROUTES];
      const routes = routesAnnotation(before, route, referenced.has(name));
      if (routes === undefined) delete annotations[ANNOTATION_ROUTES];
      else annotations[ANNOTATION_ROUTES] = routes;
      let changed = routes !== before;
      if (routingState && labels[LABEL_ROUTING_STATE] !== routingStateOf(routes)) {
        labels[LABEL_ROUTING_STATE] = routingStateOf(routes);
        annotations[ANNOTATION_ROUTING_STATE_MODIFIED] = this.ctx.timestamp();
        changed = true;
      }
      if (changed) store.update({ ...o, metadata: { ...o.metadata, labels, annotations } });
    }
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
