/**
 * The simulated cluster: one engine, one object store, Knative's controllers, the data plane
 * and the event log, all driven by a seed. Same seed and inputs, same log.
 */
import seedrandom from 'seedrandom';
import type { KubeObject, Pod, Revision, Route } from '../model/api/types.js';
import { oomKillAtFor } from '../model/cluster/containers.js';
import { containerConcurrencyOf } from '../model/dataplane.js';
import { md5Hex } from '../model/digest.js';
import type { LogEvent, PodPhase, SampleEvent } from '../model/events.js';
import { ANNOTATION_KEYS } from '../model/kpa/annotations.js';
import { HPA_CLASS } from '../model/kpa/config.js';
import type { DecisionRecord } from '../model/kpa/decider.js';
import type { Random } from '../model/random.js';
import { LABEL_REVISION } from '../model/rules/labels.js';
import { deploymentName, namespacedName } from '../model/rules/naming.js';
import { isoAt } from '../model/rules/time.js';
import {
  headerRoutedRevision,
  headerRoutedTags,
  pickRevision,
  type TrafficSplit,
  targetForTag,
  trafficSplit,
} from '../model/rules/traffic.js';
import { revisionTimeouts } from '../model/timeouts.js';
import { RevisionSlot, requestOutcome } from '../results/results.js';
import type { RandomStreams, SimContext } from './context.js';
import { RevisionAutoscaler } from './controllers/autoscaler.js';
import { type ClusterConfig, defaultClusterConfig, withConfigMap } from './controllers/clusterConfig.js';
import { ConfigurationController } from './controllers/configuration.js';
import { DeploymentController, imageSize, type PodCounts } from './controllers/deployment.js';
import { GarbageCollector } from './controllers/garbageCollector.js';
import { HPAS, HpaAutoscaler } from './controllers/hpa.js';
import { CERTIFICATES, INGRESSES, ROUTE_NETWORKING, RouteNetworking } from './controllers/ingress.js';
import { KnativeEvents } from './controllers/knativeEvents.js';
import {
  CORE_SERVICES,
  ENDPOINT_SLICES,
  ENDPOINTS,
  KubernetesServices,
  REVISION_SERVICES,
} from './controllers/kservices.js';
import { REPLICA_SETS, ReplicaSetController } from './controllers/replicaset.js';
import { RevisionController } from './controllers/revision.js';
import { RouteController } from './controllers/route.js';
import { ServiceController } from './controllers/service.js';
import { type SimRequest, STATUS_OK } from './dataplane/request.js';
import { type DataplaneHooks, REQ_NEW, type RequestCounts, RevisionDataplane } from './dataplane/revision.js';
import { Engine } from './engine.js';
import { HostIndex } from './hostIndex.js';
import { addControllerIndexes, routesTargeting } from './indexes.js';
import { type HopSampler, networkHop } from './load/network.js';
import { forkRandom } from './load/rng.js';
import { EventLog, type StandingSamples } from './log.js';
import { ClusterNodes } from './nodes/cluster.js';
import { NODES } from './nodes/state.js';
import { type AccessLines, type AccessLog, PodLogs } from './podLogs.js';
import { EventRecorder } from './recorder.js';
import { defaultSimSettings, imageCrash, imageHang, type SimSettings } from './settings.js';
import { ObjectStore, type StoreEvent, typeOf } from './store.js';
import { ROUTES_BY_TARGET, T } from './types.js';
import { WorkQueue } from './workqueue.js';

export interface ClusterOptions {
  seed: number;
  /** The run's namespace: the log names its revisions bare, others as `namespace/name`. Default `default`. */
  namespace?: string;
  settings?: SimSettings;
  log?: EventLog;
  /**
   * Whether the app's access lines (one a request) go to the pod logs: 'record' (default) when
   * something may read them (`kubectl logs`, `knsim serve`), 'off' when nothing can.
   */
  accessLines?: AccessLines;
}

/**
 * What completion listeners see of a request that ended (a request no route matched has no
 * revision), during their call only: its status, latency and time are fields, so that no number
 * is boxed on the way (results.ts `EndedRequest`).
 */
export interface CompletedRequest {
  readonly revision: string | undefined;
  /** Its revision's slot for the results (its revision runtime's; undefined when no route matched). */
  readonly slot: RevisionSlot | undefined;
  readonly cold: boolean;
  /** When the user container started on it (0 if it never did). */
  readonly startedAt: number;
  /** The status the client got (0: none). */
  readonly status: number;
  readonly latencyMs: number;
  readonly endedAt: number;
}

type CompletionListener = (req: CompletedRequest) => void;
/**
 * Called as a request enters the ingress with its revision (as the log names it) and that
 * revision's slot for the results; both undefined when no route matched.
 */
type ArrivalListener = (revision: string | undefined, slot: RevisionSlot | undefined) => void;

/** How long the ingress takes to answer 404 to a host no route matches (a round trip on the node). */
const NOT_FOUND_MS = 1;

/** Answered requests kept for reuse at most (as many as were in flight at once, up to this). */
const MAX_SPARE_REQUESTS = 4096;

/**
 * A request with every field (one hidden class on the hot path); `sendArrival` sets them all.
 * Made by a constructor, not an object literal: the literal's fields started as small integers
 * and took doubles later, and a day's 57 k new requests each took 0.75–9 µs (the literal's
 * pretenured site and its outdated map, one runtime call each; 70–110 ms of self time in
 * profiles), against 20–90 ns here.
 */
class BlankRequest implements SimRequest {
  id = 0;
  arrivedAt = 0;
  serviceMs = 0;
  hopMs = 0;
  revision = '';
  slot: RevisionSlot | undefined = undefined;
  cold = false;
  viaActivator = false;
  pod: string | undefined = undefined;
  endpoint: SimRequest['endpoint'] = undefined;
  startedAt = 0;
  dueMs = 0;
  deadline = Number.POSITIVE_INFINITY;
  timeoutBody = '';
  clientDeadline = Number.POSITIVE_INFINITY;
  state = REQ_NEW;
  timerSet = false;
  end: SimRequest['end'] = 'answered';
  clientId = -1;
  done: SimRequest['done'] = undefined;
  status = 0;
  latencyMs = 0;
  endedAt = 0;
  /** Its index in the cluster's pool of requests (`SimCluster.pooled`), −1 when in none. */
  pooledAt = -1;
}

export function blankRequest(): SimRequest {
  return new BlankRequest();
}

/** What a request is sent with (`SimCluster.sendArrival`): the load driver's `Arrival` has these fields. */
export interface Outgoing {
  serviceMs: number;
  /** The closed-loop client that sent it (absent: none). */
  clientId?: number | undefined;
  /** The client gives up after this long (ms; 0 or absent: never). */
  timeoutMs?: number | undefined;
  /** The request's headers the ingress reads (a tag header); absent: none. */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** A request no route matched, waiting for its 404. */
interface NotFound {
  readonly id: number;
  readonly done: ((result: RequestResult) => void) | undefined;
  readonly recorded: boolean;
}

export interface RequestResult {
  status: number;
  body: string;
  latencyMs: number;
  cold: boolean;
  revision?: string;
  pod?: string;
}

/** One revision's autoscaler, as its exported metrics show it. */
export interface AutoscalerView {
  namespace: string;
  revision: string;
  labels: Readonly<Record<string, string>>;
  metric: string;
  /** The last valid decision (undefined before the first). */
  decision: DecisionRecord | undefined;
  panicking: boolean;
  want: number | undefined;
  ready: number;
  pending: number;
  terminating: number;
}

interface RevisionRuntime {
  namespace: string;
  /** The revision's Deployment name. */
  deployment: string;
  dataplane: RevisionDataplane;
  /** The KPA, or the HPA class's reconciler and HPA controller (`autoscaling.knative.dev/class`). */
  autoscaler: RevisionAutoscaler | HpaAutoscaler;
  /** The pods' CPU time (core-ms) at the last per-second sample. */
  cpuAtLastSample?: number;
  /** The quiet sample that stands for it every second (no pods, no requests): see `secondly`. */
  standing?: SampleEvent;
  /** Its pods or its Deployment changed since it stood. */
  changed: boolean;
  /**
   * Its Deployment's `spec.replicas` as stored (0 without one), kept with every write to it
   * (`onStoreEvent`): each second's sample reads it, and a lookup by key was a string and a map
   * probe per revision per second.
   */
  desired: number;
  /** Its slot for the results (src/results/results.ts `RevisionSlot`), handed with each of its requests. */
  readonly slot: RevisionSlot;
  /** Its place in the order revisions started (the order of `SimCluster.revisions`, which samples follow). */
  readonly seq: number;
  /** In the per-second scan (`SimCluster.scanned`): every revision that does not stand, and any woken since. */
  scanned: boolean;
}

/**
 * What a host resolves to, cached per host (the ingress's view only changes with a Route, a
 * ConfigMap or a revision runtime): a tag's revision, or the Route's weighted targets.
 */
interface HostRoute {
  namespace: string;
  /** Set for a tag's URL: all its traffic goes to this revision ('' when the tag has none). */
  tagRevision: string | undefined;
  tagRuntime: RevisionRuntime | undefined;
  /** The Route's main-URL split (src/model/rules/traffic.ts), and the runtime of each of its revisions. */
  split: TrafficSplit;
  runtimes: (RevisionRuntime | undefined)[];
  /**
   * The tags a `Knative-Serving-Tag` header may name on this host and their revisions
   * (tag-header-based-routing); undefined when headers do not route here.
   */
  headerTags: ReadonlyMap<string, string> | undefined;
}

/**
 * Kinds that only show what a cluster shows (ReplicaSets, Kubernetes Services, Endpoints, Events,
 * KIngresses, Certificates): owned objects among them are collected with their owners; none of
 * them wakes a controller of the simulation.
 */
const SHOWN_TYPES = new Set<string>([
  REPLICA_SETS,
  CORE_SERVICES,
  ENDPOINTS,
  ENDPOINT_SLICES,
  'events',
  INGRESSES,
  CERTIFICATES,
  NODES,
  HPAS,
]);

/** Kinds whose objects have owners to be collected with (events have none: they expire). */
const GC_TYPES = [
  T.configuration,
  T.route,
  T.revision,
  T.deployment,
  T.podAutoscaler,
  T.sks,
  ...[...SHOWN_TYPES].filter((t) => t !== 'events' && t !== NODES),
];

/** A version-4 UUID from four draws (events are many; the names stream keeps its own way). */
function shownUid(r: Random): string {
  const a = hexWord(r);
  const b = hexWord(r);
  const c = hexWord(r);
  const d = hexWord(r);
  // Joined, not a template: one flat string instead of a chain of V8 cons strings (≈ 250 bytes
  // more for each of the many objects and events that keep a uid).
  return [
    a,
    '-',
    b.slice(0, 4),
    '-4',
    b.slice(4, 7),
    '-',
    '89ab'[parseInt(c[0]!, 16) & 3],
    c.slice(1, 4),
    '-',
    c.slice(4),
    d,
  ].join('');
}

/** Two hex digits of each byte. */
const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Eight hex digits from one draw: `Math.floor(r() * 2 ** 32).toString(16).padStart(8, '0')`,
 * byte by byte from a table (V8's radix conversion of a number above 2^31 was most of a uid's
 * cost, four per object and Event a run makes). A module function: as a closure made per uid it
 * also cost a `__name` call under tsx.
 */
export function hexWord(r: Random): string {
  const x = Math.floor(r() * 2 ** 32);
  return HEX_BYTE[x >>> 24]! + HEX_BYTE[(x >>> 16) & 255]! + HEX_BYTE[(x >>> 8) & 255]! + HEX_BYTE[x & 255]!;
}

/**
 * `n` hex digits, one draw each. (A module function: the closures it replaces, two per digit
 * group and one per digit, cost a `__name` call each under tsx, for every pod a run makes.)
 */
function hexDrawn(r: Random, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += Math.floor(r() * 16).toString(16);
  return out;
}

/** A node's uid from its name (no draw: nodes must not move the names or uids drawn after them). */
function nodeUid(name: string): string {
  const hex = md5Hex(`node/${name}`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** How long Endpoints updates are batched. */
const ENDPOINTS_BATCH_MS = 500;

/** Kinds that own nothing in a simulated cluster. */
const NEVER_OWNERS = new Set<string>([
  T.pod,
  'events',
  ENDPOINTS,
  ENDPOINT_SLICES,
  T.configMap,
  T.namespace,
  INGRESSES,
  CERTIFICATES,
  NODES,
]);

/**
 * What the cluster's store watch takes: every type but Kubernetes Events, which the recorder
 * writes and nothing in the cluster reads from a watch (not logged, own nothing, wake no
 * controller, make no Event of their own): the store then builds and sends no event for them.
 */
export const clusterWatches = (type: string): boolean => type !== 'events';

/** Kinds whose changes are worth an `object` event in the log (pods are logged by phase too). */
const LOGGED_TYPES = new Set<string>([T.service, T.configuration, T.route, T.revision, T.podAutoscaler, T.sks, T.pod]);

export class SimCluster {
  readonly engine = new Engine();
  readonly store: ObjectStore;
  readonly log: EventLog;
  readonly settings: SimSettings;
  readonly random: RandomStreams;
  /** The run's namespace (how the log names revisions: `namespacedName`). */
  readonly namespace: string;
  config: ClusterConfig = defaultClusterConfig();
  private readonly queue: WorkQueue;
  private readonly ctx: SimContext;
  private readonly deployments: DeploymentController;
  private readonly services: ServiceController;
  private readonly configurations: ConfigurationController;
  private readonly revisionController: RevisionController;
  private readonly routes: RouteController;
  /** Events (core/v1) of the kubelet, the scheduler and the controllers. */
  readonly recorder: EventRecorder;
  /** The nodes, the scheduler, the kubelets' image managers (and the cluster-autoscaler). */
  readonly nodes: ClusterNodes;
  /** What `kubectl logs` shows: the app's and queue-proxy's lines per pod. */
  readonly podLogs: PodLogs;
  /** `podLogs.recordsAccess`, read once a request. */
  private readonly recordsAccess: boolean;
  /** The size of the app's answer, for its access lines. */
  private readonly responseBytes: number;
  private readonly kubernetesServices: KubernetesServices;
  private readonly routeNetworking: RouteNetworking;
  private readonly knativeEvents: KnativeEvents;
  private readonly garbageCollector: GarbageCollector;
  private readonly revisions = new Map<string, RevisionRuntime>();
  /** Revision runtimes by their Deployment's `namespace/name` (a write to it ends a standing sample). */
  private readonly runtimeByDeployment = new Map<string, RevisionRuntime>();
  /** Who takes the standing samples, how many stand, and the time of the last per-second tick. */
  private standingReader: StandingSamples | undefined;
  private standingCount = 0;
  /**
   * The revisions `secondly` looks at, in `seq` order: a standing revision leaves it, and what can
   * end its standing (a pod, its Deployment, a first request, the activator's path) puts it back,
   * so a fleet of quiet revisions costs nothing a second. While `secondly` runs, `scan` is the
   * list it walks and `scanAt` its place in it.
   */
  private scanned: RevisionRuntime[] = [];
  private scan: RevisionRuntime[] | undefined;
  private scanAt = 0;
  private revisionSeq = 0;
  private lastTickAt = 0;
  /** routeFor's answers by host; cleared whenever a Route, a ConfigMap or a revision runtime changes. */
  private readonly hostRoutes = new Map<string, HostRoute | null>();
  /** The host `hostRoute` resolved last, and its answer (cleared with `hostRoutes`). */
  private lastHost: string | undefined = undefined;
  private lastHostRoute: HostRoute | null = null;
  /** Which Route answers a host (kept with every Route write; made anew when the domain config changes). */
  private hostIndex = new HostIndex(this.config);
  /** Bumped on every Route change (lets callers cache what they derive from Routes). */
  routesVersion = 0;
  private requestIds = 0;
  /** Scratch counts for DeploymentController.countPods (read at once, never kept). */
  private readonly podCounts: PodCounts = { ready: 0, pending: 0, terminating: 0 };
  /** What a revision's data plane counts into for its sample, every second. */
  private readonly requestCounts: RequestCounts = { concurrency: 0, queued: 0, inFlight: 0 };
  /** The networking layer's added latency per request (src/sim/load/network.ts). */
  private readonly hopLatency: HopSampler;
  /** Where `hopLatency` writes each request's draw. */
  private readonly hop = new Float64Array(1);
  /** Listeners for every completed request (results, load feedback). */
  private readonly completionListeners = new Set<CompletionListener>();
  /** The same, as an array (iterated per request). */
  private completionList: CompletionListener[] = [];
  /** What `send` hands `sendArrival` (filled per call). */
  private readonly outgoing: {
    serviceMs: number;
    clientId: number;
    timeoutMs: number;
    headers: Readonly<Record<string, string>> | undefined;
  } = {
    serviceMs: 0,
    clientId: -1,
    timeoutMs: 0,
    headers: undefined,
  };
  /**
   * Every request this cluster made and may reuse, each at its `pooledAt` (a slot given up is
   * undefined until a new request takes it).
   */
  private readonly pooled: (BlankRequest | undefined)[] = [];
  /** Slots of `pooled` given up (a request that could not be reused), for the next new ones. */
  private readonly freePooled: number[] = [];
  /**
   * Answered requests ready for reuse, by their index in `pooled`: the first `spareCount`, a
   * stack. Indices in a typed array, not the requests in an array: storing an object into an
   * array costs a write barrier, one a request (the stack's push and pop took 49–50 samples of a
   * day's profile, 25–26 this way).
   */
  private readonly spareAt = new Int32Array(MAX_SPARE_REQUESTS);
  private spareCount = 0;
  /** Sees every request as it enters the ingress, with the revision it is routed to (results count them). */
  private arrivalList: ArrivalListener[] = [];
  /**
   * What every revision's data plane tells the cluster: one object for all, each call naming its
   * data plane (a set of closures made per revision held ≈ 0.4 KB a revision as built, ≈ 2 KB
   * through tsx, whose kept names give every closure a property table of its own).
   */
  private readonly dataplaneHooks: DataplaneHooks = {
    firstRequest: (_revision, dp) => {
      const rt = this.revisions.get(`${dp.namespace}/${dp.name}`);
      if (!rt) return;
      this.wake(rt);
      rt.autoscaler.firstRequest();
    },
    pathChanged: (dp) => {
      const rt = this.revisions.get(`${dp.namespace}/${dp.name}`);
      if (rt) this.wake(rt);
    },
    completed: (req, status, body, dp) => this.complete(dp.namespace, req, status, body),
    oomKilled: (pod, dp) => this.deployments.oomKill(dp.namespace, deploymentName(dp.name), pod),
    held: (req, dp) => {
      if (this.log.recordsRequest(req.id)) {
        this.log.event({ t: this.engine.now(), type: 'request', phase: 'held', id: req.id, revision: dp.revision });
      }
    },
    dispatched: (req, dp) => {
      if (this.log.recordsRequest(req.id)) {
        this.log.event({
          t: this.engine.now(),
          type: 'request',
          phase: 'dispatched',
          id: req.id,
          revision: dp.revision,
          ...(req.pod ? { pod: req.pod } : {}),
        });
      }
    },
  };

  constructor(options: ClusterOptions) {
    const root = seedrandom(String(options.seed));
    this.random = {
      names: forkRandom(root),
      pods: forkRandom(root),
      routing: forkRandom(root),
      network: forkRandom(root),
      objects: forkRandom(root),
      scheduler: forkRandom(root),
    };
    this.settings = options.settings ?? defaultSimSettings();
    this.podLogs = new PodLogs(options.accessLines);
    this.recordsAccess = this.podLogs.recordsAccess;
    this.namespace = options.namespace ?? 'default';
    const home = this.namespace;
    this.log = options.log ?? new EventLog();
    this.store = new ObjectStore({
      timestamp: () => isoAt(this.engine.now()),
      uid: (obj) =>
        typeOf(obj) === NODES
          ? nodeUid(obj.metadata.name)
          : SHOWN_TYPES.has(typeOf(obj))
            ? shownUid(this.random.objects)
            : this.uid(this.random.names),
    });
    addControllerIndexes(this.store, GC_TYPES);
    this.queue = new WorkQueue(this.engine, this.settings.reconcileDelayMs);
    this.hopLatency = networkHop(this.settings.networking);
    this.ctx = {
      engine: this.engine,
      store: this.store,
      random: this.random,
      settings: this.settings,
      log: this.log,
      enqueue: (type, ns, name) => this.queue.enqueue(type, ns, name),
      emit: (event: LogEvent) => this.log.event(event),
      now: () => this.engine.now(),
      timestamp: () => isoAt(this.engine.now()),
      logName: (ns, name) => namespacedName(ns, name, home),
    };
    this.recorder = new EventRecorder(this.engine, this.store);
    this.nodes = new ClusterNodes(this.ctx, this.recorder, imageSize);
    this.deployments = new DeploymentController(
      this.ctx,
      {
        podPhase: (ns, revision, pod, phase) => this.onPodPhase(ns, revision, pod, phase),
        podBusyForMs: (ns, revision, pod) => this.revisions.get(`${ns}/${revision}`)?.dataplane.podBusyForMs(pod) ?? 0,
        appExited: (ns, revision, pod) => this.revisions.get(`${ns}/${revision}`)?.dataplane.podExited(pod),
        appHung: (ns, revision, pod) => this.revisions.get(`${ns}/${revision}`)?.dataplane.podHung(pod),
      },
      { replicaSets: new ReplicaSetController(this.ctx, this.recorder), recorder: this.recorder, logs: this.podLogs },
      this.nodes,
    );
    this.nodes.evictor = { evict: (key) => this.deployments.evict(key) };
    // Endpoints follow pods in batches (many pods start at once in a burst); nothing in the
    // simulation reads them.
    this.kubernetesServices = new KubernetesServices(this.ctx, (ns, name) =>
      this.queue.enqueue(REVISION_SERVICES, ns, name, ENDPOINTS_BATCH_MS),
    );
    this.routeNetworking = new RouteNetworking(
      this.ctx,
      this.recorder,
      () => this.config.network,
      (ns, name) => this.queue.enqueue(ROUTE_NETWORKING, ns, name),
      () => this.config.features,
    );
    this.garbageCollector = new GarbageCollector(
      this.store,
      this.engine,
      this.settings.reconcileDelayMs,
      GC_TYPES,
      NEVER_OWNERS,
    );
    this.knativeEvents = new KnativeEvents(this.recorder, (type, ns, name) => this.store.get(type, ns, name));
    this.services = new ServiceController(this.ctx, () => this.config.defaults);
    this.configurations = new ConfigurationController(this.ctx, () => this.config.defaults);
    this.revisionController = new RevisionController(this.ctx, () => this.config);
    this.routes = new RouteController(
      this.ctx,
      () => ({ domain: this.config.domain, network: this.config.network }),
      this.recorder,
    );
    this.queue.register(T.service, (ns, name) => this.services.reconcile(ns, name));
    this.queue.register(T.configuration, (ns, name) => this.configurations.reconcile(ns, name));
    this.queue.register(T.route, (ns, name) => this.routes.reconcile(ns, name));
    this.queue.register(T.revision, (ns, name) => this.reconcileRevision(ns, name));
    this.queue.register(T.deployment, (ns, name) => this.deployments.reconcile(ns, name));
    this.queue.register(T.podAutoscaler, (ns, name) => this.revisions.get(`${ns}/${name}`)?.autoscaler.reconcile());
    this.queue.register(REVISION_SERVICES, (ns, name) => this.kubernetesServices.reconcile(ns, name));
    this.queue.register(ROUTE_NETWORKING, (ns, name) => this.routeNetworking.reconcile(ns, name));
    this.kubernetesServices.start();
    this.store.watch((e) => this.onStoreEvent(e), clusterWatches);
    this.responseBytes = Buffer.byteLength(`${this.settings.app.response}\n`);
    this.scheduleSecondly();
  }

  now(): number {
    return this.engine.now();
  }

  private uid(r: Random): string {
    // Joined (drawn in the same order), for one flat string: see shownUid.
    return [
      hexDrawn(r, 8),
      '-',
      hexDrawn(r, 4),
      '-4',
      hexDrawn(r, 3),
      '-',
      '89ab'[Math.floor(r() * 4)],
      hexDrawn(r, 3),
      '-',
      hexDrawn(r, 12),
    ].join('');
  }

  // ---- configuration ----

  /** Applies a knative-serving ConfigMap; throws the parser's error for a bad value. */
  setConfigMap(name: string, data: Record<string, string>): void {
    this.config = withConfigMap(this.config, name, data);
    const existing = this.store.get(T.configMap, 'knative-serving', name);
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'knative-serving' }, data };
    if (existing) this.store.update({ ...cm, metadata: { ...existing.metadata } });
    else this.store.create(cm);
    for (const route of this.store.list<Route>(T.route)) {
      this.queue.enqueue(T.route, route.metadata.namespace ?? 'default', route.metadata.name);
    }
    this.resyncAutoscalers();
    this.forgetHostRoutes();
    this.hostIndex = new HostIndex(this.config, this.store.list<Route>(T.route));
  }

  /**
   * Applies a knative-serving ConfigMap's data to the simulation without writing the ConfigMap
   * (for `knsim serve`, whose API server has already stored the object); throws the parser's
   * error for a bad value.
   */
  applyConfigData(name: string, data: Record<string, string>): void {
    this.config = withConfigMap(this.config, name, data);
    for (const route of this.store.list<Route>(T.route)) {
      this.queue.enqueue(T.route, route.metadata.namespace ?? 'default', route.metadata.name);
    }
    this.resyncAutoscalers();
    this.forgetHostRoutes();
    this.hostIndex = new HostIndex(this.config, this.store.list<Route>(T.route));
  }

  /**
   * A changed config-autoscaler reaches every PodAutoscaler at once, as Knative's global resync
   * on a ConfigMap change does: new windows now, and a reconcile with the new bounds and gates
   * (turning scale to zero on, or shortening the stable window, takes effect without new traffic).
   */
  private resyncAutoscalers(): void {
    for (const [key, rt] of this.revisions) {
      rt.autoscaler.refreshSpec();
      this.queue.enqueue(T.podAutoscaler, rt.namespace, key.slice(rt.namespace.length + 1));
    }
  }

  // ---- controllers wiring ----

  private onStoreEvent(e: StoreEvent): void {
    const obj = e.object;
    const type = typeOf(obj);
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name;
    if (type === T.route) {
      this.forgetHostRoutes();
      this.routesVersion++;
      if (e.op === 'deleted') this.hostIndex.remove(obj as Route);
      else this.hostIndex.put(obj as Route);
    }
    if (type === T.deployment) {
      const rt = this.runtimeByDeployment.get(`${ns}/${name}`);
      if (rt) {
        if (this.standingCount > 0) rt.changed = true;
        this.wake(rt);
        rt.desired = e.op === 'deleted' ? 0 : replicasOf(obj);
      }
    }
    if (LOGGED_TYPES.has(type)) {
      this.log.event({
        t: this.engine.now(),
        type: 'object',
        op: e.op,
        kind: obj.kind,
        namespace: ns,
        name,
        object: obj,
      });
    }
    this.kubernetesServices.observe(e, type);
    this.routeNetworking.observe(e, type);
    this.knativeEvents.observe(e, type);
    this.garbageCollector.observe(e, type);
    if (e.op === 'deleted') this.revisionGone(obj);
    // What only shows what a cluster shows never wakes the simulation's controllers.
    if (SHOWN_TYPES.has(type)) return;
    this.queue.enqueue(type, ns, name);
    for (const owner of obj.metadata.ownerReferences ?? []) {
      const ownerType = typeOf({ apiVersion: owner.apiVersion, kind: owner.kind });
      this.queue.enqueue(ownerType, ns, owner.name);
    }
    // Revisions feed the Routes that send traffic to them or their Configuration (readiness
    // moves latestRevision traffic), and the Configuration.
    if (type === T.revision) {
      for (const route of routesTargeting(this.store, obj as Revision)) {
        this.queue.enqueue(T.route, ns, route.metadata.name);
      }
    }
    // …and so do their Configurations (latestReadyRevisionName), as Knative's route controller
    // tracks the Configurations its Routes name.
    if (type === T.configuration) {
      for (const route of this.store.byIndex<Route>(T.route, ROUTES_BY_TARGET, `${ns}/configuration/${name}`)) {
        this.queue.enqueue(T.route, ns, route.metadata.name);
      }
    }
    if (type === T.deployment || type === T.sks) {
      const revision = obj.metadata.labels?.[LABEL_REVISION] ?? obj.metadata.name;
      this.queue.enqueue(T.podAutoscaler, ns, revision);
      this.queue.enqueue(T.revision, ns, revision);
    }
    if (type === T.podAutoscaler) this.queue.enqueue(T.revision, ns, name);
  }

  /** A Revision gone: its runtime (dataplane, autoscaler) stops. */
  private revisionGone(owner: KubeObject): void {
    if (typeOf(owner) === T.revision) {
      const key = `${owner.metadata.namespace}/${owner.metadata.name}`;
      const rt = this.revisions.get(key);
      if (rt) {
        rt.autoscaler.stop();
        if (rt.standing) this.sit(rt);
        this.unscan(rt);
        this.runtimeByDeployment.delete(`${rt.namespace}/${rt.deployment}`);
      }
      this.revisions.delete(key);
      this.forgetHostRoutes();
    }
  }

  private reconcileRevision(ns: string, name: string): void {
    const healthy = this.revisionController.reconcile(ns, name);
    if (healthy && !this.revisions.has(`${ns}/${name}`)) this.startRevisionRuntime(ns, name);
  }

  private startRevisionRuntime(ns: string, name: string): void {
    const rev = this.store.get<Revision>(T.revision, ns, name);
    if (!rev) return;
    const logName = this.ctx.logName(ns, name);
    const dataplane = new RevisionDataplane(
      logName,
      containerConcurrencyOf(rev.spec),
      revisionTimeouts(rev.spec, this.config.defaults.revisionTimeoutSeconds),
      this.engine,
      this.random.routing,
      this.dataplaneHooks,
      this.settings.app.workers,
      this.settings.app.responseStartMs,
      this.settings.app.cpu,
      this.settings.activators,
    );
    // Only a revision whose app exits (on its own, or killed for its memory as requests pile up
    // in it) keeps its pods' requests by pod, for the exit to fail them.
    const user = rev.spec.containers?.[0];
    const oomAt = oomKillAtFor(user, this.settings.app.memory);
    dataplane.namespace = ns;
    dataplane.name = name;
    if (imageCrash(this.settings, user) || imageHang(this.settings, user) || oomAt < Number.POSITIVE_INFINITY) {
      dataplane.appsMayExit = true;
      dataplane.appPort = user?.ports?.[0]?.containerPort ?? 8080;
      if (oomAt > 0) dataplane.oomAt = oomAt;
    }
    const depName = deploymentName(name);
    const readyPods = new ReadyPods(this.deployments, ns, depName, this.podCounts);
    const autoscaler =
      rev.metadata.annotations?.[ANNOTATION_KEYS.class[0]] === HPA_CLASS
        ? new HpaAutoscaler(this.ctx, () => this.config, ns, name, dataplane, readyPods, this.recorder)
        : new RevisionAutoscaler(this.ctx, () => this.config, ns, name, dataplane, readyPods);
    const runtime: RevisionRuntime = {
      namespace: ns,
      deployment: depName,
      dataplane,
      autoscaler,
      changed: false,
      desired: replicasOf(this.store.get(T.deployment, ns, depName)),
      slot: new RevisionSlot(),
      seq: this.revisionSeq++,
      scanned: false,
    };
    this.revisions.set(`${ns}/${name}`, runtime);
    this.wake(runtime);
    this.runtimeByDeployment.set(`${ns}/${depName}`, runtime);
    this.forgetHostRoutes();
    this.queue.enqueue(T.podAutoscaler, ns, name);
  }

  /** A pod's phase reaches its own revision's data plane only: the runtime of `namespace/revision`. */
  private onPodPhase(namespace: string, revision: string, pod: string, phase: PodPhase): void {
    const rt = this.revisions.get(`${namespace}/${revision}`);
    if (!rt) return;
    rt.changed = true;
    this.wake(rt);
    if (phase === 'Ready') {
      const cpu = this.settings.app.cpu > 0 ? this.nodes.scheduler.cpuOf(`${namespace}/${pod}`) : undefined;
      // Several activators cut their slices of the pods in IP order.
      const ip = this.settings.activators > 1 ? this.store.get<Pod>(T.pod, namespace, pod)?.status?.podIP : undefined;
      rt.dataplane.podReady(pod, cpu, ip);
      // The activator finds the pod on its next probe (every 200 ms).
      const period = this.settings.activatorProbePeriodMs;
      const delay = period - (this.engine.now() % period) + 1;
      this.engine.after(delay, () => rt.dataplane.podProbed(pod));
    } else if (phase === 'Running') {
      // Back from Ready: the kubelet saw its app exit (a new pod's Running finds no endpoint).
      rt.dataplane.podUnready(pod);
    } else if (phase === 'Terminating') {
      rt.dataplane.podTerminating(pod);
    } else if (phase === 'Gone') {
      rt.dataplane.podGone(pod);
    }
    this.queue.enqueue(T.podAutoscaler, namespace, revision);
  }

  // ---- every second: stats to the autoscaler, a sample to the log ----

  private scheduleSecondly(): void {
    // `after(1000, …)` in its order (the same sequence number), without a closure and a handle
    // made every simulated second: nothing cancels it.
    this.engine.call(this.engine.now() + 1000, this.secondlyThen, this);
  }

  private readonly secondlyThen = (cluster: SimCluster): void => {
    cluster.secondly();
    cluster.scheduleSecondly();
  };

  /**
   * Every revision's stats and sample. A revision with no pods, no requests and no change
   * samples the same every second; when the only reader of samples takes a missing one as the
   * last (`EventLog.standingSamples`: the results, with no --log, --csv or screen), that sample
   * stands instead and the revision costs a few field reads a second until a request, a pod or
   * its Deployment changes (`test/sim/standing.test.ts` proves the results identical).
   */
  private secondly(): void {
    const now = this.engine.now();
    const reader = this.log.standingSamples();
    if (this.standingCount > 0 && reader !== this.standingReader) {
      for (const rt of this.revisions.values()) if (rt.standing) this.sit(rt);
    }
    this.standingReader = reader;
    reader?.tick(now);
    const scan = this.scanned;
    this.scanned = [];
    this.scan = scan;
    for (let i = 0; i < scan.length; i++) {
      this.scanAt = i;
      const rt = scan[i]!;
      const { dataplane, autoscaler } = rt;
      if (rt.standing) {
        if (
          !rt.changed &&
          dataplane.arrivalsThisSecond === 0 &&
          dataplane.heldRequests() === 0 &&
          dataplane.activatorInPath === rt.standing.activatorInPath
        ) {
          rt.scanned = false;
          continue;
        }
        this.sit(rt);
      }
      let activatorStat = dataplane.activatorReport();
      if (activatorStat) autoscaler.record(activatorStat, 'activator');
      // With several activators each reports its own; the collector adds them up.
      for (let i = 1; i < dataplane.activatorCount; i++) {
        const stat = dataplane.activatorReport(i);
        if (stat) autoscaler.record(stat, 'activator');
        activatorStat ??= stat;
      }
      const scraped = dataplane.scrape();
      if (scraped) autoscaler.record(scraped, 'scraper');
      const { ready, pending, terminating } = this.deployments.countPods(rt.namespace, rt.deployment, this.podCounts);
      const desired = rt.desired;
      const requests = dataplane.countRequests(this.requestCounts);
      const sample: SampleEvent = {
        t: now,
        type: 'sample',
        revision: dataplane.revision,
        rps: dataplane.arrivalsThisSecond,
        concurrency: requests.concurrency,
        desired,
        ready,
        pending,
        terminating,
        activatorQueue: dataplane.heldRequests(),
        queueProxyQueue: requests.queued,
        inFlight: requests.inFlight,
        panic: autoscaler.inPanic,
        activatorInPath: dataplane.activatorInPath,
      };
      // The app's CPU and memory last (only for an app that has them: no spread of an empty object).
      if (this.settings.app.cpu > 0 || this.settings.app.memory) this.addUsage(rt, sample);
      this.log.event(sample);
      dataplane.arrivalsThisSecond = 0;
      if (reader && !activatorStat && !scraped && isQuiet(sample) && (rt.cpuAtLastSample ?? 0) === 0) {
        rt.standing = sample;
        rt.changed = false;
        this.standingCount++;
        reader.stand(sample);
        rt.scanned = false;
        continue;
      }
      this.scanned.push(rt);
    }
    this.scan = undefined;
    this.lastTickAt = now;
  }

  /**
   * Back into the per-second scan, in `seq` order: during a scan, after the revision at hand if it
   * comes after it (the scan reaches it this second, as a walk over every revision would), else
   * among those already scanned.
   */
  private wake(rt: RevisionRuntime): void {
    if (rt.scanned) return;
    rt.scanned = true;
    const scan = this.scan;
    if (scan && rt.seq > scan[this.scanAt]!.seq) {
      insertBySeq(scan, rt, this.scanAt + 1);
      return;
    }
    insertBySeq(this.scanned, rt, 0);
  }

  /** Out of the scan for good (its revision is gone). */
  private unscan(rt: RevisionRuntime): void {
    rt.scanned = false;
    this.scanned = this.scanned.filter((r) => r !== rt);
    if (this.scan) {
      const at = this.scan.indexOf(rt);
      if (at > this.scanAt) this.scan.splice(at, 1);
    }
  }

  /** A standing revision samples again from this tick: it stood through the last one. */
  private sit(rt: RevisionRuntime): void {
    this.wake(rt);
    rt.standing = undefined;
    this.standingCount--;
    this.standingReader?.sit(rt.dataplane.revision, this.lastTickAt);
    // Its reports cover the time since that tick, as if it had reported (nothing) at each.
    rt.dataplane.resumeReports(this.lastTickAt);
  }

  /** The sample's CPU and memory fields, for an app that computes or whose memory is given. */
  private addUsage(rt: RevisionRuntime, sample: SampleEvent): void {
    const app = this.settings.app;
    const memory = app.memory ?? { baseBytes: 0, perRequestBytes: 0 };
    let cpu = 0;
    let bytes = 0;
    for (const pod of rt.dataplane.podNames()) {
      const u = rt.dataplane.podUsage(pod, memory);
      cpu += u.cpuCoreMs;
      bytes += u.memoryBytes;
    }
    // CPU: what the pods used since the last sample (pods that left take theirs with them).
    const millis = Math.max(0, cpu - (rt.cpuAtLastSample ?? 0));
    rt.cpuAtLastSample = cpu;
    if (app.cpu > 0) sample.cpuMillis = Math.round(millis);
    if (app.memory) sample.memoryBytes = bytes;
  }

  // ---- the ingress ----

  /** Which revision a request for `host` goes to (by the Route's traffic split or tag), if any. */
  routeFor(host: string): { revision: string; namespace: string } | undefined {
    const hr = this.hostRoute(host);
    if (!hr) return undefined;
    const revision = hr.tagRevision ?? hr.split.revisions[pickRevision(hr.split, this.random.routing)];
    if (!revision) return undefined;
    return { revision, namespace: hr.namespace };
  }

  /** Forgets every host's resolution (a Route, a ConfigMap or a revision runtime changed). */
  private forgetHostRoutes(): void {
    this.hostRoutes.clear();
    this.lastHost = undefined;
    this.lastHostRoute = null;
  }

  /** The cached resolution of a host (hostMatches over every Route is far too slow per request). */
  private hostRoute(host: string): HostRoute | null {
    // Most requests in a row are for the host of the one before (a load phase's target).
    if (host === this.lastHost) return this.lastHostRoute;
    let cached = this.hostRoutes.get(host);
    if (cached === undefined) cached = this.resolveHost(host);
    this.lastHost = host;
    this.lastHostRoute = cached;
    return cached;
  }

  private resolveHost(host: string): HostRoute | null {
    const match = this.hostIndex.match(host);
    let hr: HostRoute | null = null;
    if (match) {
      const traffic = match.route.status?.traffic ?? [];
      const split = trafficSplit(traffic);
      const namespace = match.route.metadata.namespace ?? 'default';
      const tagRevision = match.tag ? (targetForTag(traffic, match.tag) ?? '') : undefined;
      hr = {
        namespace,
        tagRevision,
        tagRuntime: tagRevision ? this.revisions.get(`${namespace}/${tagRevision}`) : undefined,
        split,
        runtimes: split.revisions.map((r) => this.revisions.get(`${namespace}/${r}`)),
        headerTags: headerRoutedTags(traffic, this.config.features, match.tag),
      };
    }
    // Bounded (hosts nobody serves are cached too), with room for every Route's hosts.
    if (this.hostRoutes.size >= 1024 + 8 * this.hostIndex.size) this.forgetHostRoutes();
    this.hostRoutes.set(host, hr);
    return hr;
  }

  /**
   * Sends a request into the cluster now. `done` is called when it is answered (possibly much
   * later in simulated time), or with status 0 when its client gives up after `timeoutMs` (0: it
   * waits for ever), as curl -m and hey -t do. Unknown hosts get the ingress's 404. `headers`:
   * the request's, of which the ingress reads a `Knative-Serving-Tag`.
   */
  send(
    host: string,
    serviceMs: number,
    done?: (result: RequestResult) => void,
    clientId = -1,
    timeoutMs = 0,
    headers?: Readonly<Record<string, string>>,
  ): void {
    const out = this.outgoing;
    out.serviceMs = serviceMs;
    out.clientId = clientId;
    out.timeoutMs = timeoutMs;
    out.headers = headers;
    this.sendArrival(host, out, done);
  }

  /**
   * `send` with the request's numbers in the fields of `arrival` (the load driver's, reused per
   * request): a number passed as an argument to a function the compiler does not inline is boxed,
   * one object per call, and `send` is too large to inline. `clientId` absent: -1; `timeoutMs`
   * absent or 0: the client waits for ever.
   */
  sendArrival(host: string, arrival: Outgoing, done?: (result: RequestResult) => void): void {
    const serviceMs = arrival.serviceMs;
    const timeoutMs = arrival.timeoutMs ?? 0;
    const clientId = arrival.clientId ?? -1;
    const now = this.engine.now();
    const id = ++this.requestIds;
    const hr = this.hostRoute(host);
    let revision: string | undefined;
    let runtime: RevisionRuntime | undefined;
    if (hr) {
      if (hr.tagRevision !== undefined) {
        revision = hr.tagRevision || undefined;
        runtime = hr.tagRuntime;
      } else {
        // A tag header is matched before the split (no draw is made for it).
        const tagged = hr.headerTags === undefined ? undefined : headerRoutedRevision(hr.headerTags, arrival.headers);
        if (tagged !== undefined) {
          revision = tagged;
          runtime = this.revisions.get(`${hr.namespace}/${tagged}`);
        } else {
          const i = pickRevision(hr.split, this.random.routing);
          if (i >= 0) {
            revision = hr.split.revisions[i];
            runtime = hr.runtimes[i];
          }
        }
      }
      // The log's name for it: `namespace/name` outside the run's namespace.
      if (runtime) revision = runtime.dataplane.revision;
      else if (revision) revision = this.ctx.logName(hr.namespace, revision);
    }
    const recorded = this.log.recordsRequest(id);
    if (recorded) this.logArrived(id, revision, serviceMs);
    const arrivals = this.arrivalList;
    const slot = runtime?.slot;
    for (let i = 0; i < arrivals.length; i++) arrivals[i]!(slot ? revision : undefined, slot);
    if (!revision || !runtime) {
      // The ingress answers 404 after a round trip, like any answer: a closed-loop client moves on
      // then (answering in the same instant never let simulated time pass: `hey` at a host with no
      // route ran forever).
      this.engine.call(now + NOT_FOUND_MS, this.notFoundBound, { id, done, recorded });
      return;
    }
    // A request answered earlier is reused when it can be (`complete`): 8.6 M a day are otherwise
    // as many objects (~300 bytes each, its numbers boxed) for the garbage collector. Every field
    // is set here.
    const req = this.spareCount > 0 ? this.pooled[this.spareAt[--this.spareCount]!]! : this.pooledRequest();
    const hop = this.hop;
    this.hopLatency(this.random.network, hop);
    const hopMs = hop[0]!;
    req.id = id;
    req.arrivedAt = now;
    req.serviceMs = serviceMs;
    req.hopMs = hopMs;
    req.revision = revision;
    req.slot = runtime.slot;
    req.cold = false;
    req.viaActivator = false;
    req.pod = undefined;
    req.endpoint = undefined;
    req.startedAt = 0;
    req.deadline = Number.POSITIVE_INFINITY;
    req.timeoutBody = '';
    // An answer must be on its way back by then to reach the client within its timeout.
    req.clientDeadline = timeoutMs > 0 ? now + Math.max(0, timeoutMs - hopMs) : Number.POSITIVE_INFINITY;
    req.state = REQ_NEW;
    req.timerSet = false;
    req.end = 'answered';
    req.clientId = clientId;
    req.done = done ? this.answerTo(done) : undefined;
    runtime.dataplane.receive(req);
  }

  /**
   * What a request's `done` hands its sender. Made here, not in `send`: a closure in `send` would
   * make every call allocate the context it captures, with or without a sender to answer.
   */
  private answerTo(done: (result: RequestResult) => void): NonNullable<SimRequest['done']> {
    return (r: SimRequest, status: number, body: string) =>
      done({
        status,
        body: status === STATUS_OK && body === '' ? this.settings.app.response : body,
        latencyMs: this.engine.now() - r.arrivedAt + r.hopMs,
        cold: r.cold,
        revision: r.revision,
        ...(r.pod ? { pod: r.pod } : {}),
      });
  }

  // The log's request events are built apart from the per-request path (most runs keep none, or
  // one in many): `sendArrival` and `complete` stay small enough for the compiler to inline into.

  private logArrived(id: number, revision: string | undefined, serviceMs: number): void {
    this.log.event({
      t: this.engine.now(),
      type: 'request',
      phase: 'arrived',
      id,
      ...(revision ? { revision } : {}),
      serviceMs,
    });
  }

  /** `req` ended (its status, latency and time in its fields). */
  private logDone(req: SimRequest): void {
    const { status, latencyMs } = req;
    this.log.event({
      t: req.endedAt,
      type: 'request',
      phase: 'done',
      id: req.id,
      revision: req.revision,
      ...(req.pod ? { pod: req.pod } : {}),
      status,
      latencyMs,
      cold: req.cold,
      outcome: requestOutcome(status),
      // The client gave up (its own timeout).
      ...(status === 0 ? { error: `no answer within ${Math.round(latencyMs)} ms` } : {}),
    });
  }

  onArrived(listener: ArrivalListener): void {
    this.arrivalList = [...this.arrivalList, listener];
  }

  private readonly notFoundBound = (r: NotFound): void => this.notFound(r);
  /** What completion listeners see of a request no route matched (its time set per call). */
  private readonly unrouted = {
    revision: undefined,
    slot: undefined,
    cold: false,
    startedAt: 0,
    status: 404,
    latencyMs: NOT_FOUND_MS,
    endedAt: 0,
  };

  private notFound(r: NotFound): void {
    const t = this.engine.now();
    if (r.recorded) {
      this.log.event({
        t,
        type: 'request',
        phase: 'done',
        id: r.id,
        status: 404,
        latencyMs: NOT_FOUND_MS,
        outcome: 'error',
      });
    }
    const unrouted = this.unrouted;
    unrouted.endedAt = t;
    const listeners = this.completionList;
    for (let i = 0; i < listeners.length; i++) listeners[i]!(unrouted);
    r.done?.({ status: 404, body: '', latencyMs: NOT_FOUND_MS, cold: false });
  }

  onCompleted(listener: CompletionListener): () => void {
    this.completionListeners.add(listener);
    this.completionList = [...this.completionListeners];
    return () => {
      const had = this.completionListeners.delete(listener);
      this.completionList = [...this.completionListeners];
      return had;
    };
  }

  private complete(namespace: string, req: SimRequest, status: number, body: string): void {
    const now = this.engine.now();
    const latencyMs = now - req.arrivedAt + req.hopMs;
    req.status = status;
    req.latencyMs = latencyMs;
    req.endedAt = now;
    // The app writes an access line for each request it answers (to the log its endpoint notes),
    // when the run has a reader for it.
    if (this.recordsAccess && req.pod !== undefined && status === STATUS_OK) {
      const notes = req.endpoint;
      if (notes === undefined) this.podLogs.answered(namespace, req.pod, now, status, this.responseBytes);
      else {
        let access = notes.accessLog as AccessLog | undefined;
        if (access === undefined) notes.accessLog = access = this.podLogs.accessLog(namespace, req.pod);
        if (access !== undefined) this.podLogs.answeredIn(access, req, this.responseBytes);
      }
    }
    if (this.log.recordsRequest(req.id)) this.logDone(req);
    const listeners = this.completionList;
    for (let i = 0; i < listeners.length; i++) listeners[i]!(req);
    req.done?.(req, status, body);
    // The answered request may be reused by the next `send` unless a deadline timer still holds
    // it (a request that waited in a queue: its timer comes later and reads its state). Listeners
    // and `done` read a request only during their call; the data plane reads it until its
    // completion handler returns, and no `send` happens inside one. (Here, not in a method of its
    // own: that one was not inlined, one call a request.)
    const at = (req as BlankRequest).pooledAt;
    if (!(at >= 0)) return;
    if (!req.timerSet && this.spareCount < MAX_SPARE_REQUESTS) {
      req.done = undefined;
      req.endpoint = undefined;
      this.spareAt[this.spareCount++] = at;
    } else {
      // Not reused: it leaves the pool (its slot goes to a new request).
      (req as BlankRequest).pooledAt = -1;
      this.pooled[at] = undefined;
      this.freePooled.push(at);
    }
  }

  /** A new request, in the pool. */
  private pooledRequest(): BlankRequest {
    const req = new BlankRequest();
    const at = this.freePooled.length > 0 ? this.freePooled.pop()! : this.pooled.length;
    this.pooled[at] = req;
    req.pooledAt = at;
    return req;
  }

  /**
   * A client's deletion of a pod (the API server's graceful deletion, its grace period settled):
   * the pod goes the way a scale-down's victim goes and its ReplicaSet replaces it. False when
   * no Deployment of the simulation runs the pod (knative-serving's own pods).
   */
  deletePod(namespace: string, name: string, gracePeriodSeconds: number): boolean {
    return this.deployments.deleteRequested(namespace, name, gracePeriodSeconds);
  }

  // ---- views ----

  pods(namespace: string): Pod[] {
    return this.store.list<Pod>(T.pod, namespace);
  }

  runtime(namespace: string, revision: string): RevisionRuntime | undefined {
    return this.revisions.get(`${namespace}/${revision}`);
  }

  /** Each revision's autoscaler as Knative's exports it (its metrics): for `knsim serve`'s pod proxy. */
  autoscalerViews(): AutoscalerView[] {
    const out: AutoscalerView[] = [];
    for (const [key, rt] of this.revisions) {
      const revision = key.slice(rt.namespace.length + 1);
      const counts = this.deployments.countPods(rt.namespace, rt.deployment, { ready: 0, pending: 0, terminating: 0 });
      out.push({
        namespace: rt.namespace,
        revision,
        labels: this.store.get(T.revision, rt.namespace, revision)?.metadata.labels ?? {},
        metric: rt.autoscaler.spec.metric,
        decision: rt.autoscaler.lastDecision,
        panicking: rt.autoscaler.inPanic,
        want: rt.autoscaler.want,
        ready: counts.ready,
        pending: counts.pending,
        terminating: counts.terminating,
      });
    }
    return out;
  }
}

/** A Deployment's `spec.replicas` (0 when it has none, or there is no Deployment). */
function replicasOf(deployment: KubeObject | undefined): number {
  return (deployment as ({ spec?: { replicas?: number } } & KubeObject) | undefined)?.spec?.replicas ?? 0;
}

/** A sample with nothing in it: the same every second until a request, a pod or a new scale. */
/** Puts `rt` into `list` (sorted by `seq`) at its place, no earlier than `from`. */
function insertBySeq(list: RevisionRuntime[], rt: RevisionRuntime, from: number): void {
  let lo = from;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.seq < rt.seq) lo = mid + 1;
    else hi = mid;
  }
  if (lo === list.length) list.push(rt);
  else list.splice(lo, 0, rt);
}

function isQuiet(s: SampleEvent): boolean {
  return (
    s.rps === 0 &&
    s.concurrency === 0 &&
    s.desired === 0 &&
    s.ready === 0 &&
    s.pending === 0 &&
    s.terminating === 0 &&
    s.activatorQueue === 0 &&
    s.queueProxyQueue === 0 &&
    s.inFlight === 0 &&
    !s.panic &&
    (s.cpuMillis ?? 0) === 0 &&
    (s.memoryBytes ?? 0) === 0
  );
}

/** A revision's ready pods, as its autoscaler asks for them: an object, where a closure per revision cost more. */
class ReadyPods {
  constructor(
    private readonly deployments: DeploymentController,
    private readonly namespace: string,
    private readonly deployment: string,
    private readonly counts: PodCounts,
  ) {}

  readyPods(): number {
    return this.deployments.countPods(this.namespace, this.deployment, this.counts).ready;
  }
}
