/**
 * The Service reconciler: a Service owns a Configuration and a Route of its own name, copies
 * spec.template into the Configuration and spec.traffic into the Route, and reports their
 * readiness (reference §6).
 */
import { type Actor, createActor, type Snapshot } from 'xstate';
import type { Configuration, Route, Service, ServiceStatus, TrafficTarget } from '../../model/api/types.js';
import { serviceLifecycleMachine } from '../../model/machines/service.js';
import { LABEL_SERVICE } from '../../model/rules/labels.js';
import type { SimContext } from '../context.js';
import { ownerRef } from '../context.js';
import { T } from '../types.js';
import { ActorsByObject, diverge, narrate } from './lifecycle.js';

/** kubectl's client-side apply bookkeeping is not copied to children. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function childMeta(svc: Service) {
  const annotations = { ...(svc.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  return {
    name: svc.metadata.name,
    namespace: svc.metadata.namespace,
    labels: { ...(svc.metadata.labels ?? {}), [LABEL_SERVICE]: svc.metadata.name },
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    ownerReferences: [ownerRef(svc)],
  };
}

/** The Route's traffic: a target without a revision follows the Service's own Configuration. */
export function routeTrafficFor(svc: Service): TrafficTarget[] {
  const traffic = svc.spec.traffic ?? [{ latestRevision: true, percent: 100 }];
  return traffic.map((t) => (t.revisionName ? { ...t } : { ...t, configurationName: svc.metadata.name }));
}

/**
 * The Service reconciler. It applies the Service's spec to its Configuration and Route (Knative
 * does that in every state), then hands them to the Service's lifecycle machine, which decides
 * the conditions; the reconciler writes the status the machine emits, with the fields copied
 * from the children.
 */
export class ServiceController {
  private readonly actors = new ActorsByObject<Actor<typeof serviceLifecycleMachine>>(() => this.ctx.engine);

  constructor(private readonly ctx: SimContext) {}

  reconcile(namespace: string, name: string): void {
    const { ctx } = this;
    const svc = ctx.store.get<Service>(T.service, namespace, name);
    if (!svc || svc.metadata.deletionTimestamp) {
      if (!svc) this.actors.forget(namespace, name);
      return;
    }

    const configSpec: Configuration = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Configuration',
      metadata: childMeta(svc),
      spec: { template: structuredClone(svc.spec.template) },
    };
    const existingConfig = ctx.store.get<Configuration>(T.configuration, namespace, name);
    const config = existingConfig
      ? ctx.store.update({ ...configSpec, metadata: { ...existingConfig.metadata, ...configSpec.metadata } })
      : ctx.store.create(configSpec);

    const routeSpec: Route = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Route',
      metadata: childMeta(svc),
      spec: { traffic: routeTrafficFor(svc) },
    };
    const existingRoute = ctx.store.get<Route>(T.route, namespace, name);
    const route = existingRoute
      ? ctx.store.update({ ...routeSpec, metadata: { ...existingRoute.metadata, ...routeSpec.metadata } })
      : ctx.store.create(routeSpec);

    const actor = this.actors.of(svc, (snapshot) => this.start(svc, snapshot));
    const sub = actor.on(
      'status',
      this.actors.failures.listener(({ conditions }) => {
        const status: ServiceStatus = {
          observedGeneration: svc.metadata.generation,
          conditions,
          ...(config.status?.latestCreatedRevisionName
            ? { latestCreatedRevisionName: config.status.latestCreatedRevisionName }
            : {}),
          ...(config.status?.latestReadyRevisionName
            ? { latestReadyRevisionName: config.status.latestReadyRevisionName }
            : {}),
          ...(route.status?.url ? { url: route.status.url } : {}),
          ...(route.status?.address ? { address: route.status.address } : {}),
          ...(route.status?.traffic ? { traffic: route.status.traffic } : {}),
        };
        ctx.store.updateStatus(T.service, namespace, name, status);
      }),
    );
    actor.send({
      type: 'service.reconcile',
      previous: svc.status?.conditions,
      configuration: config,
      route,
      nowIso: ctx.timestamp(),
    });
    sub.unsubscribe();
    this.actors.failures.throwIfAny();
    this.actors.reconciled(svc, this.ctx.now());
  }

  private start(svc: Service, snapshot?: Snapshot<unknown>): Actor<typeof serviceLifecycleMachine> {
    const actor = this.actors.failures.watch(
      createActor(serviceLifecycleMachine, {
        clock: this.actors.failures.clock(this.ctx.engine.clock),
        ...(snapshot ? { snapshot } : {}),
        input: { name: svc.metadata.name },
      }),
    );
    actor.on(
      'milestone',
      this.actors.failures.listener((m) => narrate(this.ctx, m)),
    );
    actor.on(
      'divergence',
      this.actors.failures.listener((d) => diverge(this.ctx, svc, d)),
    );
    return actor.start();
  }
}
