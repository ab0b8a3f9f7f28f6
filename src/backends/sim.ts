/**
 * The simulator behind the Backend seam: time passes only when the runner asks, so a run takes
 * as long as the computer needs, not as long as the scenario says.
 */

import { admit, controllerOwnedCreateRefusal, controllerOwnedSpecRefusal } from '../model/admission.js';
import type { ConfigMap, KubeObject } from '../model/api/types.js';
import type { LogHeader } from '../model/events.js';
import { hostOf } from '../model/rules/domain.js';
import { SERVING_VALIDATION_WEBHOOK, webhookDeniedMessage } from '../model/rules/fielderror.js';
import { objectReference, resourceForKind } from '../model/rules/resources.js';
import { kubectlInvalidMessage, undecodableMessage } from '../model/rules/schema.js';
import { SIM_EPOCH_MS } from '../model/rules/time.js';
import { ResultsCollector } from '../results/results.js';
import { SimCluster } from '../sim/cluster.js';
import { engineLoadClock, type LoadProgress, type LoadSender, startLoad } from '../sim/load/driver.js';
import type { EventLog } from '../sim/log.js';
import type { AccessLines } from '../sim/podLogs.js';
import type { SimSettings } from '../sim/settings.js';
import { StoreError, typeOf } from '../sim/store.js';
import { T } from '../sim/types.js';
import {
  type ApplyOptions,
  type ApplyResult,
  type Backend,
  BackendError,
  type HttpRequest,
  type HttpResponse,
} from './backend.js';
import { Pacer, type RunLimits, type StopRequest } from './limits.js';

export const KNSIM_VERSION = '0.1.0';

/** kubectl's last-applied annotation, set by client-side apply. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** How far a waiting step moves time between checks of its condition. */
const WAIT_RESOLUTION_MS = 100;

export interface SimBackendOptions {
  seed: number;
  namespace: string;
  settings?: SimSettings;
  log?: EventLog;
  /** Bounds on the run's work (defaults: DEFAULT_RUN_LIMITS). */
  limits?: Partial<RunLimits>;
  /** Aborted (reason SIGINT or SIGTERM) to stop the run at the next slice. */
  stop?: StopRequest;
  /** The app's access lines in the pod logs: 'record' (default) or 'off' when nothing reads them. */
  accessLines?: AccessLines;
}

/** How much simulated time passes between two checks of the limits and the stop signal. */
const SLICE_MS = 100;

export class SimBackend implements Backend {
  readonly kind = 'sim' as const;
  readonly cluster: SimCluster;
  readonly results: ResultsCollector;
  private readonly namespace: string;
  private readonly seed: number;
  private lastTarget: string | undefined = undefined;
  private lastHost = '';
  private lastTargetRoutes = -1;
  private readonly pacer: Pacer;

  constructor(options: SimBackendOptions) {
    this.results = new ResultsCollector(options.namespace);
    this.cluster = new SimCluster({
      seed: options.seed,
      namespace: options.namespace,
      ...(options.settings ? { settings: options.settings } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.accessLines ? { accessLines: options.accessLines } : {}),
    });
    this.namespace = options.namespace;
    this.seed = options.seed;
    this.cluster.onArrived((revision, slot) => this.results.arrived(revision, slot));
    this.cluster.onCompleted((req) => this.results.ended(req));
    this.results.follow(this.cluster.log);
    const engine = this.cluster.engine;
    this.pacer = new Pacer(
      {
        now: () => engine.now(),
        events: () => engine.delivered,
        requests: () => this.results.sent,
        inFlight: () => this.results.waiting,
      },
      options.limits,
      options.stop,
    );
  }

  get log(): EventLog {
    return this.cluster.log;
  }

  now(): number {
    return this.cluster.now();
  }

  async start(header: Omit<LogHeader, 'type' | 'format' | 'knsim' | 'backend' | 'epoch'>): Promise<void> {
    this.cluster.log.header({
      type: 'header',
      format: 1,
      knsim: KNSIM_VERSION,
      backend: 'sim',
      epoch: new Date(SIM_EPOCH_MS).toISOString(),
      ...header,
    });
  }

  async podLogs(
    namespace: string,
    pod: string,
    container: string,
    options: { tailLines?: number; timestamps?: boolean },
  ): Promise<string> {
    return this.cluster.podLogs.read(namespace, pod, container, this.cluster.now(), options);
  }

  async configure(configMaps: Record<string, Record<string, string>>): Promise<void> {
    for (const [name, data] of Object.entries(configMaps)) {
      try {
        this.cluster.setConfigMap(name, data);
      } catch (e) {
        throw new BackendError(`configmap "${name}": ${(e as Error).message}`);
      }
    }
  }

  async apply(objects: KubeObject[], fileLabel: string, options: ApplyOptions = {}): Promise<ApplyResult[]> {
    const results: ApplyResult[] = [];
    for (const obj of objects) results.push(this.applyOne(obj, fileLabel, options.client === 'kn'));
    return results;
  }

  private applyOne(input: KubeObject, fileLabel: string, byKn = false): ApplyResult {
    const store = this.cluster.store;
    const type = typeOf(input);
    const resource = resourceForKind(input.apiVersion, input.kind);
    if (!resource) {
      throw new BackendError(
        `error: resource mapping not found for name: "${input.metadata.name}" namespace: "${input.metadata.namespace ?? ''}" from "${fileLabel}": no matches for kind "${input.kind}" in version "${input.apiVersion}"\nensure CRDs are installed first`,
      );
    }
    const namespace = resource.namespaced ? (input.metadata.namespace ?? this.namespace) : undefined;
    const reference = objectReference(resource, input.metadata.name);
    const existing = store.get(type, namespace, input.metadata.name);
    if (input.kind === 'ConfigMap' && namespace === 'knative-serving') {
      try {
        this.cluster.setConfigMap(input.metadata.name, ((input as ConfigMap).data ?? {}) as Record<string, string>);
      } catch (e) {
        throw new BackendError(
          `Error from server (BadRequest): error when ${existing ? 'patching' : 'creating'} "${fileLabel}": admission webhook "config.webhook.serving.knative.dev" denied the request: validation failed: ${(e as Error).message}`,
        );
      }
      return { reference, outcome: existing ? 'configured' : 'created' };
    }
    // Knative's controllers make Revisions, PodAutoscalers, SKSs, KIngresses, Certificates: a
    // client may not create them, nor change their spec (the same rule as knsim serve's).
    const ownedRefusal = existing
      ? controllerOwnedSpecRefusal(resource.id, resource.plural, input, existing)
      : controllerOwnedCreateRefusal(resource.id);
    if (ownedRefusal !== undefined) {
      throw existing
        ? new BackendError(
            `Error from server (BadRequest): error when patching "${fileLabel}": admission webhook "${SERVING_VALIDATION_WEBHOOK}" denied the request: ${ownedRefusal}`,
          )
        : new BackendError(
            `Error from server (MethodNotAllowed): error when creating "${fileLabel}": ${ownedRefusal}`,
            405,
          );
    }
    let obj: KubeObject = structuredClone(input);
    obj.metadata = { ...obj.metadata, ...(namespace ? { namespace } : {}) };
    // kubectl's client-side apply records what it applied; kn creates and updates without it.
    if (!byKn) {
      obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [LAST_APPLIED]: `${JSON.stringify(input)}\n` };
    }
    const admission = admit(obj, {
      autoscaler: this.cluster.config.autoscaler,
      config: this.cluster.config.defaults,
      // An update is checked against the stored object (a BYO revision name must change with its template).
      ...(existing ? { previous: existing } : {}),
      features: this.cluster.config.features,
    });
    if (!admission.object) {
      const verb = existing ? 'patching' : 'creating';
      if (admission.schemaErrors?.length) {
        // kubectl rebuilds the API server's 422 from its causes: `The Service "x" is invalid: …`.
        throw new BackendError(kubectlInvalidMessage(input.kind, input.metadata.name, admission.schemaErrors), 422);
      }
      if (admission.unknownFields?.length) {
        // kubectl asks for strict field validation: the API server refuses to decode the object.
        const version = input.apiVersion.split('/').pop() ?? input.apiVersion;
        throw new BackendError(
          `Error from server (BadRequest): error when ${verb} "${fileLabel}": ${undecodableMessage(input.kind, version, admission.unknownFields)}`,
        );
      }
      throw new BackendError(webhookDeniedMessage(verb, fileLabel, admission.errors));
    }
    obj = admission.object;
    try {
      if (!existing) {
        store.create(obj);
        return { reference, outcome: 'created' };
      }
      const updated = store.update({ ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } });
      return { reference, outcome: updated === existing ? 'unchanged' : 'configured' };
    } catch (e) {
      if (e instanceof StoreError) throw new BackendError(`Error from server (${e.reason}): ${e.message}`, 409);
      throw e;
    }
  }

  /**
   * `kubectl delete` (background propagation): the object goes at once, or, when it carries a
   * finalizer (a Route: Knative's labeler), it is marked and goes once its controller has
   * finalized it. kubectl waits for that (`--wait` is on by default), and so does this: simulated
   * time runs until the object is gone.
   */
  async delete(resourceId: string, namespace: string, name: string): Promise<string> {
    const { store } = this.cluster;
    if (!store.get(resourceId, namespace, name)) {
      throw new BackendError(`Error from server (NotFound): ${resourceId} "${name}" not found`, 404);
    }
    const { object, removed } = store.delete(resourceId, namespace, name);
    if (removed) return name;
    const uid = object.metadata.uid;
    const gone = () => store.get(resourceId, namespace, name)?.metadata.uid !== uid;
    const engine = this.cluster.engine;
    const limit = engine.now() + 30 * 60_000;
    while (!engine.runUntilCondition(gone, this.pacer.sliceTo(Math.min(limit, engine.now() + SLICE_MS)))) {
      if (engine.now() >= limit) break;
      const pause = this.pacer.pace();
      if (pause) await pause;
    }
    return name;
  }

  async list(resourceId: string, namespace?: string): Promise<KubeObject[]> {
    return this.snapshot(resourceId, namespace);
  }

  snapshot(resourceId: string, namespace?: string): KubeObject[] {
    return this.cluster.store.list(resourceId, namespace);
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.url);
    const host = req.headers.Host ?? req.headers.host ?? url.host;
    let response: HttpResponse | undefined;
    this.cluster.send(
      host,
      this.cluster.settings.app.serviceTimeMs,
      (r) => {
        response = {
          status: r.status,
          body: r.body,
          latencyMs: r.latencyMs,
          cold: r.cold,
          ...(r.revision ? { revision: r.revision } : {}),
          ...(r.pod ? { pod: r.pod } : {}),
        };
      },
      -1,
      req.timeoutMs ?? 0,
      req.headers,
    );
    // curl waits; the cluster answers within the revision timeout at the latest.
    const engine = this.cluster.engine;
    const limit = engine.now() + 30 * 60_000;
    const answered = () => response !== undefined;
    while (!engine.runUntilCondition(answered, this.pacer.sliceTo(Math.min(limit, engine.now() + SLICE_MS)))) {
      if (engine.now() >= limit) break;
      const pause = this.pacer.pace();
      if (pause) await pause;
    }
    const result = response ?? { status: 0, body: '', latencyMs: Number.NaN };
    return result;
  }

  async startLoad(phases: unknown[], baseDir: string, defaultTarget?: string): Promise<LoadProgress> {
    const engine = this.cluster.engine;
    const clock = engineLoadClock(engine);
    const sender: LoadSender = {
      // The arrival itself carries its numbers (no number boxed per request: `sendArrival`).
      send: (arrival, answered) => this.cluster.sendArrival(this.arrivalHost(arrival.target), arrival, answered),
    };
    return startLoad(
      phases,
      { seed: this.seed, baseDir, originMs: engine.now(), ...(defaultTarget ? { defaultTarget } : {}) },
      clock,
      sender,
    );
  }

  /** The host an arrival's target addresses; cached per target (URL parsing per request is slow). */
  private arrivalHost(target: string | undefined): string {
    if (target === this.lastTarget && this.lastTargetRoutes === this.cluster.routesVersion) return this.lastHost;
    const host = hostOf(target) ?? this.defaultHost();
    this.lastTarget = target;
    this.lastHost = host;
    this.lastTargetRoutes = this.cluster.routesVersion;
    return host;
  }

  private defaultHost(): string {
    const route = this.cluster.store.list(T.route, this.namespace)[0] as { status?: { url?: string } } | undefined;
    return hostOf(route?.status?.url) ?? '';
  }

  async sleepUntil(t: number): Promise<void> {
    const engine = this.cluster.engine;
    const end = Math.max(t, engine.now());
    // In slices, so that limits and signals are heard; at least once (what is due now runs).
    do {
      engine.runUntil(this.pacer.sliceTo(Math.min(end, engine.now() + SLICE_MS)));
      const pause = this.pacer.pace();
      if (pause) await pause;
    } while (engine.now() < end);
  }

  async waitUntil(done: () => boolean, deadline: number): Promise<boolean> {
    const engine = this.cluster.engine;
    while (!done()) {
      if (engine.now() >= deadline) return false;
      engine.runUntil(this.pacer.sliceTo(Math.min(deadline, engine.now() + WAIT_RESOLUTION_MS)));
      const pause = this.pacer.pace();
      if (pause) await pause;
    }
    return true;
  }

  async close(): Promise<void> {}
}
