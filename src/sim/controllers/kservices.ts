/**
 * The Kubernetes Services and Endpoints a cluster with Knative shows:
 *
 * - `kubernetes` in `default`, the API server's own Service, as on every cluster;
 * - per revision, the two Services Knative's ServerlessService reconciler makes: `<rev>` (public,
 *   no selector, its Endpoints written by the SKS reconciler: the revision's pods in Serve mode,
 *   the activators in Proxy mode) and `<rev>-private` (selecting the revision's pods, its
 *   Endpoints kept by the Kubernetes endpoints controller), both owned by the SKS.
 *
 * They mirror the simulation; nothing in it reads them.
 */
import type { KubeObject, Pod, ServerlessService } from '../../model/api/types.js';
import { LABEL_REVISION } from '../../model/rules/labels.js';
import { privateServiceName, publicServiceName } from '../../model/rules/naming.js';
import { NODE_IP, NODE_NAME, QUEUE_PORTS } from '../../model/rules/podspec.js';
import { activatorSubset } from '../../model/rules/sks.js';
import { activatorIps } from '../../model/throttler.js';
import type { SimContext } from '../context.js';
import { ownerRef } from '../context.js';
import type { StoreEvent } from '../store.js';
import { PODS_BY_REVISION, T } from '../types.js';
import { PodAddresses, type PodEndpoints, type RevisionAddresses } from './podAddresses.js';
import { MadeFrom, UnchangedStatus } from './statusMemo.js';

export const CORE_SERVICES = 'services';
export const ENDPOINTS = 'endpoints';
export const ENDPOINT_SLICES = 'endpointslices.discovery.k8s.io';
/** The work-queue key type this controller reconciles revisions under. */
export const REVISION_SERVICES = 'knsim.revision-services';

const SKS_LABEL = 'networking.internal.knative.dev/serverlessservice';
const SERVICE_TYPE_LABEL = 'networking.internal.knative.dev/serviceType';

interface ServicePort {
  name: string;
  port: number;
  targetPort: number | string;
}

const PUBLIC_PORTS: ServicePort[] = [
  { name: 'http', port: 80, targetPort: QUEUE_PORTS.http },
  { name: 'https', port: 443, targetPort: QUEUE_PORTS.https },
];

const PRIVATE_PORTS: ServicePort[] = [
  ...PUBLIC_PORTS,
  { name: 'http-autometric', port: QUEUE_PORTS.autometric, targetPort: 'http-autometric' },
  { name: 'http-usermetric', port: QUEUE_PORTS.usermetric, targetPort: 'http-usermetric' },
  { name: 'http-queueadm', port: QUEUE_PORTS.admin, targetPort: QUEUE_PORTS.admin },
  { name: 'http-istio', port: QUEUE_PORTS.http, targetPort: QUEUE_PORTS.http },
];

/** The endpoint port of a service port (named target ports resolve to queue-proxy's ports). */
function endpointPort(p: ServicePort): { name: string; port: number; protocol: string } {
  const port = typeof p.targetPort === 'number' ? p.targetPort : p.port;
  return { name: p.name, port, protocol: 'TCP' };
}

export { activatorIps };

/** Between two lists in what an object is made of (no pod entry is this). */
const BETWEEN = Symbol('between');

export class KubernetesServices {
  /** Each Endpoints and EndpointSlice this controller stored, with what it was made of. */
  private readonly madeFrom = new MadeFrom();

  private nextIp = 100;
  /** Each revision's pods with an address, kept as they change (see podAddresses.ts). */
  private readonly addresses = new PodAddresses();
  /** Per revision (`namespace/name`), what its last reconcile read and left in the store. */
  private readonly written = new Map<string, Written>();

  constructor(
    private readonly ctx: SimContext,
    private readonly enqueue: (ns: string, revision: string) => void,
  ) {}

  /** The `kubernetes` Service and its Endpoints, which every cluster has. */
  start(): void {
    if (this.ctx.store.get(CORE_SERVICES, 'default', 'kubernetes')) return;
    const labels = { component: 'apiserver', provider: 'kubernetes' };
    this.ctx.store.create(
      this.service(
        'default',
        'kubernetes',
        labels,
        undefined,
        [{ name: 'https', port: 443, targetPort: 8443 }],
        undefined,
        '10.96.0.1',
      ),
    );
    this.ctx.store.create({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
      },
      subsets: [{ addresses: [{ ip: NODE_IP }], ports: [{ name: 'https', port: 8443, protocol: 'TCP' }] }],
    });
    this.ctx.store.create({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [NODE_IP], conditions: { ready: true } }],
      ports: [{ name: 'https', port: 8443, protocol: 'TCP' }],
    });
  }

  /**
   * Store changes that concern a revision's Services or Endpoints. It must see every pod event
   * from the first reconcile of a revision on: the revision's pod addresses are kept from them.
   */
  observe(e: StoreEvent, type: string): void {
    if (type === T.sks) {
      this.enqueue(e.object.metadata.namespace ?? 'default', e.object.metadata.name);
    } else if (type === T.pod) {
      this.addresses.observe(e);
      const revision = e.object.metadata.labels?.[LABEL_REVISION];
      if (revision) this.enqueue(e.object.metadata.namespace ?? 'default', revision);
    }
  }

  reconcile(ns: string, revision: string): void {
    const store = this.ctx.store;
    const sks = store.get<ServerlessService>(T.sks, ns, revision);
    const privateName = privateServiceName(revision);
    const key = `${ns}/${revision}`;
    if (!sks) {
      this.written.delete(key);
      this.addresses.forget(key);
      // The public Service and Endpoints go with the SKS (owner); the private Endpoints with their Service.
      if (store.get(ENDPOINTS, ns, privateName)) store.remove(ENDPOINTS, ns, privateName);
      return;
    }
    const publicName = publicServiceName(revision);
    if (!store.get(CORE_SERVICES, ns, publicName)) {
      store.create(this.service(ns, publicName, serviceLabels(sks, revision, 'Public'), sks, PUBLIC_PORTS));
    }
    if (!store.get(CORE_SERVICES, ns, privateName)) {
      const revisionUid = sks.metadata.labels?.['serving.knative.dev/revisionUID'];
      store.create(
        this.service(
          ns,
          privateName,
          serviceLabels(sks, revision, 'Private'),
          sks,
          PRIVATE_PORTS,
          revisionUid ? { 'serving.knative.dev/revisionUID': revisionUid } : undefined,
        ),
      );
    }
    // Each pod's entries are made once per stored version of the pod, frozen, and shared by
    // every write until the pod changes: the store keeps frozen data as it is (no copy), so a
    // write costs a reference per pod, not a copy of every pod's address.
    const addresses = this.addresses.of(ns, key, () => store.byIndex<Pod>(T.pod, PODS_BY_REVISION, key));
    // What is written is a function of the SKS, the two Services and the pods' entries: when
    // they are the objects the last reconcile read, and what it wrote is still what is stored,
    // writing again would change nothing (half of a day's reconciles: a pod's write that does
    // not move its address or readiness, an SKS status write).
    const last = this.written.get(key);
    const publicService = store.get(CORE_SERVICES, ns, publicName);
    const privateService = store.get(CORE_SERVICES, ns, privateName);
    if (
      last &&
      last.sks === sks &&
      last.publicService === publicService &&
      last.privateService === privateService &&
      last.addresses === addresses &&
      last.version === addresses.version &&
      last.stored.every((obj, i) => store.get(obj.type, ns, obj.name) === last.objects[i])
    ) {
      return;
    }
    // The lists, made when an object is written (most reconciles that get here write them all).
    let lists: EndpointLists | undefined;
    const made = (): EndpointLists => {
      lists ??= endpointLists(addresses.entries());
      return lists;
    };
    // Each object is written only when what it is made of moved (see `write`): in a reconcile
    // that writes, one of the two Endpoints and one of the two slices often stays as it was. The
    // pods' entries are named by their list and its version (all of them) or ready version (the
    // ready ones), not listed: equal versions of one list, equal entries.
    const labels = sks.metadata.labels;
    this.write(ENDPOINTS, ns, privateName, [labels, addresses, addresses.version], () =>
      endpointsBody(
        ns,
        privateName,
        serviceLabels(sks, revision, 'Private'),
        undefined,
        subsets(PRIVATE_PORTS, made().ready, made().notReady),
      ),
    );
    const proxy = sks.spec.mode === 'Proxy';
    const numActivators = sks.spec.numActivators ?? 1;
    // With one activator (the default) the list keeps its numActivators addresses, as it always
    // had; with several, it is the SKS's subset of them (reference §4).
    const replicas = this.ctx.settings.activators;
    const activators = () =>
      (replicas > 1
        ? activatorSubset(activatorIps(replicas), numActivators, revision)
        : activatorIps(numActivators)
      ).map((ip) => ({ ip }));
    this.write(
      ENDPOINTS,
      ns,
      publicName,
      proxy
        ? [labels, sks.metadata.uid, numActivators]
        : [labels, sks.metadata.uid, BETWEEN, addresses, addresses.readyVersion],
      () =>
        endpointsBody(
          ns,
          publicName,
          serviceLabels(sks, revision, 'Public'),
          sks,
          proxy ? subsets(PUBLIC_PORTS, activators(), []) : subsets(PUBLIC_PORTS, made().ready, []),
        ),
    );
    // The EndpointSlices kubectl describe reads: the private one from the endpointslice
    // controller, the public one mirrored from the SKS's Endpoints. A slice is made of its
    // Service (labels, uid) and its endpoints.
    this.write(
      ENDPOINT_SLICES,
      ns,
      sliceName(privateName),
      [privateService, addresses, addresses.version],
      () =>
        privateService &&
        sliceBody(
          ns,
          privateService,
          'endpointslice-controller.k8s.io',
          PRIVATE_PORTS,
          Object.freeze([...made().readySlices, ...made().notReadySlices]),
        ),
    );
    this.write(
      ENDPOINT_SLICES,
      ns,
      sliceName(publicName),
      proxy ? [publicService, numActivators] : [publicService, BETWEEN, addresses, addresses.readyVersion],
      () =>
        publicService &&
        sliceBody(
          ns,
          publicService,
          'endpointslicemirroring-controller.k8s.io',
          PUBLIC_PORTS,
          proxy ? activators().map((a) => slice(a, true)) : made().readySlices,
        ),
    );
    const stored = [
      { type: ENDPOINTS, name: privateName },
      { type: ENDPOINTS, name: publicName },
      { type: ENDPOINT_SLICES, name: sliceName(privateName) },
      { type: ENDPOINT_SLICES, name: sliceName(publicName) },
    ];
    this.written.set(key, {
      sks,
      publicService,
      privateService,
      addresses,
      version: addresses.version,
      stored,
      objects: stored.map((o) => store.get(o.type, ns, o.name)),
    });
  }

  /**
   * Writes an Endpoints or EndpointSlice (`make` gives its body, or nothing to write) unless the
   * stored one is one this controller stored from the same `madeOf`: writing it again would
   * change nothing. A change by anyone else stores a new object, which is not in `madeFrom`.
   */
  private write(
    type: string,
    ns: string,
    name: string,
    madeOf: readonly unknown[],
    make: () => KubeObject | undefined,
  ): void {
    const store = this.ctx.store;
    const existing = store.get(type, ns, name);
    if (existing && this.madeFrom.same(existing, madeOf)) {
      UnchangedStatus.verify?.(type, existing, () => {
        const body = make();
        return body && { ...body, metadata: { ...existing.metadata, labels: body.metadata.labels } };
      });
      return;
    }
    const body = make();
    if (!body) return;
    const stored = existing
      ? store.update({ ...body, metadata: { ...existing.metadata, labels: body.metadata.labels } })
      : store.create(body);
    this.madeFrom.wrote(stored, madeOf);
  }

  private service(
    ns: string,
    name: string,
    labels: Record<string, string>,
    owner: KubeObject | undefined,
    ports: ServicePort[],
    selector?: Record<string, string>,
    clusterIP = this.allocate(),
  ): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name,
        namespace: ns,
        labels,
        ...(owner
          ? { annotations: { ...(owner.metadata.annotations ?? {}) }, ownerReferences: [ownerRef(owner)] }
          : {}),
      },
      spec: {
        clusterIP,
        clusterIPs: [clusterIP],
        internalTrafficPolicy: 'Cluster',
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: 'TCP', targetPort: p.targetPort })),
        ...(selector ? { selector } : {}),
        sessionAffinity: 'None',
        type: 'ClusterIP',
      },
      status: { loadBalancer: {} },
    };
  }

  /** A cluster IP from the service range (10.96.0.0/12), in order. */
  private allocate(): string {
    const n = this.nextIp++;
    return `10.${96 + ((n >> 16) & 15)}.${(n >> 8) & 255}.${n & 255}`;
  }
}

/**
 * The labels of a revision's public or private Service and Endpoints. (This and the two below
 * are module functions, not closures made per reconcile: under tsx each named closure costs a
 * `__name` call.)
 */
function serviceLabels(sks: ServerlessService, revision: string, type: string): Record<string, string> {
  return { ...(sks.metadata.labels ?? {}), [SKS_LABEL]: revision, [SERVICE_TYPE_LABEL]: type };
}

/** An Endpoints object. */
function endpointsBody(
  ns: string,
  name: string,
  labels: Record<string, string>,
  owner: KubeObject | undefined,
  subsets: object[],
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: ns, labels, ...(owner ? { ownerReferences: [ownerRef(owner)] } : {}) },
    ...(subsets.length > 0 ? { subsets } : {}),
  } as KubeObject;
}

/** The EndpointSlice of a Service. */
function sliceBody(
  ns: string,
  owner: KubeObject,
  managedBy: string,
  ports: ServicePort[],
  endpoints: readonly object[],
): KubeObject {
  const service = owner.metadata.name;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: sliceName(service),
      namespace: ns,
      labels: {
        ...(owner.metadata.labels ?? {}),
        'endpointslice.kubernetes.io/managed-by': managedBy,
        'kubernetes.io/service-name': service,
      },
      ownerReferences: [ownerRef(owner)],
    },
    addressType: 'IPv4',
    ...(endpoints.length > 0 ? { endpoints } : {}),
    ports: ports.map(endpointPort),
  } as KubeObject;
}

/** An Endpoints' subsets: none without addresses, else one with the ports. */
function subsets(ports: ServicePort[], addresses: readonly object[], notReadyAddresses: readonly object[]): object[] {
  return addresses.length + notReadyAddresses.length === 0
    ? []
    : [
        {
          ...(addresses.length > 0 ? { addresses } : {}),
          ...(notReadyAddresses.length > 0 ? { notReadyAddresses } : {}),
          ports: ports.map(endpointPort),
        },
      ];
}

/** An EndpointSlice entry for an address (a pod's carries its node and reference). */
function slice(a: { ip: string; targetRef?: unknown }, isReady: boolean): object {
  return {
    addresses: [a.ip],
    conditions: { ready: isReady, serving: isReady, terminating: false },
    ...(a.targetRef ? { nodeName: NODE_NAME, targetRef: a.targetRef } : {}),
  };
}

/** What a revision's last reconcile read (the SKS, its Services, its pods' entries) and left stored. */
interface Written {
  sks: ServerlessService;
  publicService: KubeObject | undefined;
  privateService: KubeObject | undefined;
  /** The revision's pods' entries, at this version. */
  addresses: RevisionAddresses;
  version: number;
  /** The Endpoints and EndpointSlices it writes, and the stored objects they were after it. */
  stored: { type: string; name: string }[];
  objects: (KubeObject | undefined)[];
}

/** A revision's pods' entries, ready and not, as its Endpoints and slices list them (frozen). */
interface EndpointLists {
  ready: readonly PodEndpoints['address'][];
  notReady: readonly PodEndpoints['address'][];
  readySlices: readonly PodEndpoints['slice'][];
  notReadySlices: readonly PodEndpoints['slice'][];
}

/**
 * The lists, frozen as their entries are: the store keeps a frozen part as it is, where it
 * copied each list (and its interner listed each list's keys) on every write, a walk of every
 * pod's entry twice a second while thousands of pods come and go.
 */
function endpointLists(entries: readonly PodEndpoints[]): EndpointLists {
  const ready: PodEndpoints['address'][] = [];
  const notReady: PodEndpoints['address'][] = [];
  const readySlices: PodEndpoints['slice'][] = [];
  const notReadySlices: PodEndpoints['slice'][] = [];
  for (const entry of entries) {
    (entry.ready ? ready : notReady).push(entry.address);
    (entry.ready ? readySlices : notReadySlices).push(entry.slice);
  }
  return {
    ready: Object.freeze(ready),
    notReady: Object.freeze(notReady),
    readySlices: Object.freeze(readySlices),
    notReadySlices: Object.freeze(notReadySlices),
  };
}

/** The EndpointSlice of a Service: its name and a stable suffix (made once per Service name). */
const sliceNames = new Map<string, string>();

function sliceName(service: string): string {
  let name = sliceNames.get(service);
  if (name === undefined) {
    name = `${service}-${stableSuffix(service)}`;
    sliceNames.set(service, name);
  }
  return name;
}

/** Five name characters that stay the same for the same seed (an EndpointSlice's suffix). */
function stableSuffix(seed: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let h = 0x811c9dc5;
  let out = '';
  for (let i = 0; i < 5; i++) {
    for (const c of `${seed}/${i}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    out += alphabet[h % alphabet.length];
  }
  return out;
}
