/**
 * What Knative's route reconciler makes for a Route besides its status, as a cluster with
 * Kourier shows it:
 *
 * - the placeholder Kubernetes Service `<route>` (type ExternalName, pointing at Kourier's
 *   internal gateway), so that `<route>.<ns>.svc.cluster.local` resolves;
 * - the KIngress `<route>` (`ingresses.networking.internal.knative.dev`), the Route's traffic as
 *   rules per host with weighted splits to the revisions' Services;
 * - with `external-domain-tls: Enabled` in config-network, the Certificate `route-<uid>` of the
 *   external domain;
 * - and the route-controller's events about them ("Created placeholder service", "Created
 *   Ingress").
 *
 * They are written from the Route the simulation keeps (the simulated ingress routes requests
 * from the Route itself); all are owned by the Route and go with it.
 */
import type { KubeObject, Route } from '../../model/api/types.js';
import { hostOf, type NetworkConfig } from '../../model/rules/domain.js';
import { type FeaturesConfig, isEnabled } from '../../model/rules/features.js';
import { LABEL_SERVICE } from '../../model/rules/labels.js';
import { certificateName, ingressName, placeholderServiceName } from '../../model/rules/naming.js';
import { ROUTE_TAG_HEADER } from '../../model/rules/traffic.js';
import type { SimContext } from '../context.js';
import { ownerRef } from '../context.js';
import type { EventRecorder } from '../recorder.js';
import type { StoreEvent } from '../store.js';
import { T } from '../types.js';
import { CORE_SERVICES } from './kservices.js';

export const INGRESSES = 'ingresses.networking.internal.knative.dev';
export const CERTIFICATES = 'certificates.networking.internal.knative.dev';
/** The work-queue key type this controller reconciles Routes under. */
export const ROUTE_NETWORKING = 'knsim.route-networking';

/** Kourier's gateways, as its KIngresses report them. */
export const KOURIER_INTERNAL = 'kourier-internal.kourier-system.svc.cluster.local';
const KOURIER_EXTERNAL = 'kourier.kourier-system.svc.cluster.local';
const INGRESS_CLASS = 'kourier.ingress.networking.knative.dev';
const ROUTE_CONTROLLER = { component: 'route-controller' };

interface TrafficStatus {
  revisionName?: string;
  percent?: number;
  tag?: string;
  url?: string;
}

export class RouteNetworking {
  constructor(
    private readonly ctx: SimContext,
    private readonly recorder: EventRecorder,
    private readonly network: () => NetworkConfig,
    private readonly enqueue: (ns: string, route: string) => void,
    private readonly features: () => FeaturesConfig,
  ) {}

  observe(e: StoreEvent, type: string): void {
    if (type === T.route && e.op !== 'deleted')
      this.enqueue(e.object.metadata.namespace ?? 'default', e.object.metadata.name);
  }

  reconcile(ns: string, name: string): void {
    const route = this.ctx.store.get<Route>(T.route, ns, name);
    if (!route || route.metadata.deletionTimestamp) return;
    this.placeholder(route);
    this.ingress(route);
    this.certificate(route);
  }

  private labels(route: Route): Record<string, string> {
    const service = route.metadata.labels?.[LABEL_SERVICE];
    return {
      'serving.knative.dev/route': route.metadata.name,
      'serving.knative.dev/routeNamespace': route.metadata.namespace ?? 'default',
      ...(service ? { [LABEL_SERVICE]: service } : {}),
    };
  }

  private placeholder(route: Route): void {
    const ns = route.metadata.namespace ?? 'default';
    const name = placeholderServiceName(route.metadata.name);
    if (this.ctx.store.get(CORE_SERVICES, ns, name)) return;
    const service = this.ctx.store.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns, labels: this.labels(route), ownerReferences: [ownerRef(route)] },
      spec: {
        externalName: KOURIER_INTERNAL,
        ports: [{ name: 'http2', port: 80, protocol: 'TCP', targetPort: 80 }],
        sessionAffinity: 'None',
        type: 'ExternalName',
      },
      status: { loadBalancer: {} },
    });
    this.recorder.record(
      route,
      'Normal',
      'Created',
      `Created placeholder service "${service.metadata.name}"`,
      ROUTE_CONTROLLER,
    );
  }

  /** The KIngress rules: the cluster-local hosts and the external host, each with the weighted splits. */
  private ingressSpec(route: Route): Record<string, unknown> {
    const ns = route.metadata.namespace ?? 'default';
    const name = route.metadata.name;
    const traffic = ((route.status as { traffic?: TrafficStatus[] } | undefined)?.traffic ?? []).filter(
      (t) => t.revisionName && (t.percent ?? 0) > 0,
    );
    const split = (revisionName: string, percent: number | undefined) => ({
      appendHeaders: { 'Knative-Serving-Namespace': ns, 'Knative-Serving-Revision': revisionName },
      percent,
      serviceName: revisionName,
      serviceNamespace: ns,
      servicePort: 80,
    });
    const splits = traffic.map((t) => split(t.revisionName!, t.percent));
    const local = [`${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`];
    const rules: unknown[] = [];
    if (splits.length > 0) {
      const paths: unknown[] = [{ splits }];
      // tag-header-based-routing: a path per tag, matched on the header before the default split,
      // which then marks its requests as the default route's (Knative's makeIngressSpec).
      if (isEnabled(this.features(), 'tag-header-based-routing')) {
        const tags = new Map<string, string>();
        for (const t of (route.status as { traffic?: TrafficStatus[] } | undefined)?.traffic ?? []) {
          if (t.tag && t.revisionName && !tags.has(t.tag)) tags.set(t.tag, t.revisionName);
        }
        paths.length = 0;
        for (const tag of [...tags.keys()].sort()) {
          paths.push({ headers: { [ROUTE_TAG_HEADER]: { exact: tag } }, splits: [split(tags.get(tag)!, 100)] });
        }
        paths.push({ appendHeaders: { 'Knative-Serving-Default-Route': 'true' }, splits });
      }
      rules.push({ hosts: local, http: { paths }, visibility: 'ClusterLocal' });
      const external = hostOf(route.status?.url);
      if (external && !external.endsWith('.svc.cluster.local')) {
        rules.push({ hosts: [external], http: { paths }, visibility: 'ExternalIP' });
      }
    }
    return { httpOption: 'Enabled', rules };
  }

  private ingress(route: Route): void {
    const store = this.ctx.store;
    const ns = route.metadata.namespace ?? 'default';
    const name = ingressName(route.metadata.name);
    const spec = this.ingressSpec(route);
    const existing = store.get(INGRESSES, ns, name);
    let ingress: KubeObject;
    if (!existing) {
      ingress = store.create({
        apiVersion: 'networking.internal.knative.dev/v1alpha1',
        kind: 'Ingress',
        metadata: {
          name,
          namespace: ns,
          labels: this.labels(route),
          annotations: {
            ...Object.fromEntries(
              Object.entries(route.metadata.annotations ?? {}).filter(([k]) => k.startsWith('serving.knative.dev/')),
            ),
            'networking.knative.dev/ingress.class': INGRESS_CLASS,
          },
          ownerReferences: [ownerRef(route)],
        },
        spec,
      });
      this.recorder.record(route, 'Normal', 'Created', `Created Ingress "${name}"`, ROUTE_CONTROLLER);
    } else {
      ingress = store.update({ ...existing, metadata: { ...existing.metadata, resourceVersion: undefined }, spec });
    }
    const programmed = ((spec.rules as unknown[]) ?? []).length > 0;
    const now = this.ctx.timestamp();
    const previous = (
      ingress.status as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } | undefined
    )?.conditions;
    const condition = (type: string) => {
      const status = programmed ? 'True' : 'Unknown';
      const old = previous?.find((c) => c.type === type);
      return { type, status, lastTransitionTime: old?.status === status ? (old.lastTransitionTime ?? now) : now };
    };
    store.updateStatus(INGRESSES, ns, name, {
      conditions: [condition('LoadBalancerReady'), condition('NetworkConfigured'), condition('Ready')],
      observedGeneration: ingress.metadata.generation,
      privateLoadBalancer: { ingress: [{ domainInternal: KOURIER_INTERNAL }] },
      publicLoadBalancer: { ingress: [{ domainInternal: KOURIER_EXTERNAL }] },
    });
  }

  private certificate(route: Route): void {
    if (!this.network().externalDomainTls) return;
    const host = hostOf(route.status?.url);
    if (!host || host.endsWith('.svc.cluster.local')) return;
    const store = this.ctx.store;
    const ns = route.metadata.namespace ?? 'default';
    const name = certificateName(route.metadata.uid ?? route.metadata.name);
    if (store.get(CERTIFICATES, ns, name)) return;
    store.create({
      apiVersion: 'networking.internal.knative.dev/v1alpha1',
      kind: 'Certificate',
      metadata: {
        name,
        namespace: ns,
        labels: { 'serving.knative.dev/route': route.metadata.name },
        annotations: { 'networking.knative.dev/certificate.class': 'cert-manager.certificate.networking.knative.dev' },
        ownerReferences: [ownerRef(route)],
      },
      spec: { dnsNames: [host], domain: host.split('.').slice(1).join('.'), secretName: name },
    });
    store.updateStatus(CERTIFICATES, ns, name, {
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: this.ctx.timestamp() }],
      notAfter: '2027-01-01T00:00:00Z',
      observedGeneration: 1,
    });
    this.recorder.record(route, 'Normal', 'Created', `Created Certificate ${ns}/${name}`, ROUTE_CONTROLLER);
  }
}
