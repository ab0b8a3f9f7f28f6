/**
 * The Service reconciler: a Service owns a Configuration and a Route of its own name, copies
 * spec.template into the Configuration and spec.traffic into the Route, and reports their
 * readiness (reference §6).
 */
import type {
  Configuration,
  KubeObject,
  Revision,
  Route,
  Service,
  ServiceStatus,
  TrafficTarget,
} from '../../model/api/types.js';
import { type ServiceLifecycleEmitted, serviceLifecycleMachine } from '../../model/machines/service.js';
import { DEFAULT_DEFAULTS_CONFIG, type DefaultsConfig, defaultRevisionSpec } from '../../model/rules/defaults.js';
import { ANNOTATION_ROUTES, LABEL_SERVICE } from '../../model/rules/labels.js';
import { serviceRouteStep } from '../../model/rules/naming.js';
import { routesAnnotation } from '../../model/rules/routing.js';
import type { SimContext } from '../context.js';
import { ownerRef } from '../context.js';
import { sameButStatus } from '../store.js';
import { T } from '../types.js';
import { divergeAt, MachinesByObject, narrate } from './lifecycle.js';

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
 * The Service's Configuration: its template, over the stored one's metadata when there is one.
 * Its routes annotation lists the Service's Route besides those already there (Knative's
 * MakeConfigurationFromExisting), so a Service's write never takes it off behind the labeler.
 */
function configurationFor(svc: Service, existing?: Configuration): Configuration {
  const child = childMeta(svc);
  const annotations = child.annotations ?? existing?.metadata.annotations ?? {};
  const routes = routesAnnotation(existing?.metadata.annotations?.[ANNOTATION_ROUTES], svc.metadata.name, true);
  const metadata = { ...child, annotations: { ...annotations, [ANNOTATION_ROUTES]: routes ?? svc.metadata.name } };
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: existing ? { ...existing.metadata, ...metadata } : metadata,
    spec: { template: structuredClone(svc.spec.template) },
  };
}

/** The Service's Route: its traffic, over the stored one's metadata when there is one. */
function routeFor(svc: Service, existing?: Route): Route {
  const metadata = childMeta(svc);
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Route',
    metadata: existing ? { ...existing.metadata, ...metadata } : metadata,
    spec: { traffic: routeTrafficFor(svc) },
  };
}

/** What a Service's reconcile applied: the Service, and its children as it left them. */
interface Applied {
  readonly svc: Service;
  readonly config: Configuration;
  /** Absent when that reconcile left the Route alone (a BYO revision name: see serviceRouteStep). */
  readonly route: Route | undefined;
}

/**
 * The Service reconciler. It applies the Service's spec to its Configuration and Route (Knative
 * does that in every state), then hands them to the Service's lifecycle machine, which decides
 * the conditions; the reconciler writes the status the machine emits, with the fields copied
 * from the children.
 */
export class ServiceController {
  private readonly machines = new MachinesByObject(
    serviceLifecycleMachine,
    () => this.ctx.engine,
    ({ namespace, name }) =>
      (e) =>
        this.told(namespace, name, e),
  );
  /**
   * What the last reconcile of each Service (by `namespace/name`) applied to its Configuration and
   * Route: the Service it applied, and the two as that reconcile left them in the store.
   */
  private readonly applied = new Map<string, Applied>();
  /**
   * Tests: called with each child whose update a reconcile leaves out as changing nothing, and
   * the update left out (which must give the stored child back: no write).
   */
  static verify: ((stored: KubeObject, update: () => KubeObject) => void) | undefined;

  constructor(
    private readonly ctx: SimContext,
    private readonly defaults: () => DefaultsConfig = () => DEFAULT_DEFAULTS_CONFIG,
  ) {}

  reconcile(namespace: string, name: string): void {
    const { ctx } = this;
    const svc = ctx.store.get<Service>(T.service, namespace, name);
    if (!svc || svc.metadata.deletionTimestamp) {
      if (!svc) {
        this.machines.forget(namespace, name);
        this.applied.delete(`${namespace}/${name}`);
      }
      return;
    }

    // A Service reconciled again (its own status writes and its children's queue it) applies
    // what it applied last time. When the Service differs from the one applied then only in its
    // status, and a child from what that reconcile left only in its status (the children's own
    // reconcilers write theirs), applying the spec again gives the child back as it is: the
    // update is left out (most of a Service's reconciles at its start; no write, no event).
    const key = `${namespace}/${name}`;
    const last = this.applied.get(key);
    const again = last !== undefined && sameButStatus(svc, last.svc);
    const existingConfig = ctx.store.get<Configuration>(T.configuration, namespace, name);
    const config = this.applyChild(existingConfig, again ? last.config : undefined, (e) => configurationFor(svc, e));
    // With a BYO revision name the Route waits for the Configuration, and is left alone while the
    // name is taken (the same decision as the Configuration's, on the same defaulted spec).
    const byo = config.spec.template.metadata?.name;
    const step = byo
      ? serviceRouteStep(config, ctx.store.get<Revision>(T.revision, namespace, byo), () =>
          defaultRevisionSpec(config.spec.template.spec, this.defaults()),
        )
      : undefined;
    const existingRoute = ctx.store.get<Route>(T.route, namespace, name);
    const route =
      step === undefined || step.step === 'reconcile'
        ? this.applyChild(existingRoute, again ? last.route : undefined, (e) => routeFor(svc, e))
        : undefined;
    const revisionNameTaken = step?.step === 'revisionNameTaken' ? step.name : undefined;
    this.applied.set(key, { svc, config, route });

    // The send and the status write read the Service and, besides it, its Configuration and Route
    // as they are now: a reconcile with all three as the last one left them (the Service's own
    // status write queues it again) is a repeat the machine need not be sent.
    const inputs = { configuration: config, route, revisionNameTaken };
    if (!this.machines.repeats(svc, inputs)) {
      this.machines.send(
        svc,
        () => ({ name }),
        {
          type: 'service.reconcile',
          previous: svc.status?.conditions,
          configuration: config,
          ...(route ? { route } : {}),
          ...(revisionNameTaken !== undefined ? { revisionNameTaken } : {}),
          nowIso: ctx.timestamp(),
        },
        (e) => {
          if (e.type !== 'status') {
            this.told(namespace, name, e);
            return;
          }
          // A Route left alone keeps what the Service last said of it (Knative returns before
          // propagating the Route's status).
          const routeStatus = route ? route.status : svc.status;
          const status: ServiceStatus = {
            observedGeneration: svc.metadata.generation,
            conditions: e.conditions,
            ...(config.status?.latestCreatedRevisionName
              ? { latestCreatedRevisionName: config.status.latestCreatedRevisionName }
              : {}),
            ...(config.status?.latestReadyRevisionName
              ? { latestReadyRevisionName: config.status.latestReadyRevisionName }
              : {}),
            ...(routeStatus?.url ? { url: routeStatus.url } : {}),
            ...(routeStatus?.address ? { address: routeStatus.address } : {}),
            ...(routeStatus?.traffic ? { traffic: routeStatus.traffic } : {}),
          };
          ctx.store.updateStatus(T.service, namespace, name, status);
        },
      );
      this.machines.sent(svc, ctx.store.get<Service>(T.service, namespace, name), inputs);
    }
    this.machines.reconciled(svc, this.ctx.now());
  }

  /**
   * Creates or updates a child from `build`, or leaves the update out when the child is as the
   * last reconcile applying the same Service left it (`left`), but for its status.
   */
  private applyChild<C extends KubeObject>(
    existing: C | undefined,
    left: C | undefined,
    build: (existing?: C) => C,
  ): C {
    const { store } = this.ctx;
    if (!existing) return store.create(build());
    if (left && this.asLeft(existing, left)) {
      ServiceController.verify?.(existing, () => store.update(build(existing)));
      return existing;
    }
    return store.update(build(existing));
  }

  /** Whether a child is as a reconcile applying the same Service left it, but for its status (a seam for tests). */
  private asLeft(stored: KubeObject, left: KubeObject): boolean {
    return sameButStatus(stored, left);
  }

  /** What the Service's machine tells besides its status (which only a reconcile's send writes). */
  private told(namespace: string, name: string, e: ServiceLifecycleEmitted): void {
    if (e.type === 'milestone') narrate(this.ctx, e);
    else if (e.type === 'divergence') divergeAt(this.ctx, 'Service', namespace, name, e);
  }
}
