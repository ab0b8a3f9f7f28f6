/**
 * The simulator behind the Backend seam: time passes only when the runner asks, so a run takes
 * as long as the computer needs, not as long as the scenario says.
 */

import seedrandom from 'seedrandom';
import { admit } from '../model/admission.js';
import type { ConfigMap, KubeObject } from '../model/api/types.js';
import type { LogHeader } from '../model/events.js';
import { webhookDeniedMessage } from '../model/rules/fielderror.js';
import { resourceForKind } from '../model/rules/resources.js';
import { undecodableMessage } from '../model/rules/schema.js';
import { SIM_EPOCH_MS } from '../model/rules/time.js';
import { ResultsCollector } from '../results/results.js';
import { SimCluster } from '../sim/cluster.js';
import type { ClosedLoopClients } from '../sim/load/closedLoop.js';
import { forkRandom } from '../sim/load/rng.js';
import { buildLoad } from '../sim/load/spec.js';
import { type Arrival, type ArrivalSource, makeArrival } from '../sim/load/types.js';
import type { EventLog } from '../sim/log.js';
import type { SimSettings } from '../sim/settings.js';
import { StoreError, typeOf } from '../sim/store.js';
import { T } from '../sim/types.js';
import { type ApplyResult, type Backend, BackendError, type HttpRequest, type HttpResponse } from './backend.js';

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
}

export class SimBackend implements Backend {
  readonly kind = 'sim' as const;
  readonly cluster: SimCluster;
  readonly results = new ResultsCollector();
  private readonly namespace: string;
  private readonly seed: number;
  private lastTarget: string | undefined = undefined;
  private lastHost = '';
  private lastTargetRoutes = -1;

  constructor(options: SimBackendOptions) {
    this.cluster = new SimCluster({
      seed: options.seed,
      ...(options.settings ? { settings: options.settings } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    this.namespace = options.namespace;
    this.seed = options.seed;
    this.cluster.onArrived((revision) => this.results.arrived(revision));
    this.cluster.onCompleted((req, status, latencyMs) =>
      this.results.request(
        status,
        latencyMs,
        req.cold,
        this.cluster.now(),
        req.revision,
        req.startedAt > 0 ? req.startedAt : undefined,
      ),
    );
    // The event types ResultsCollector.observe folds (the others need not be built for it).
    this.cluster.log.subscribe((line) => this.results.observe(line), ResultsCollector.OBSERVED);
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

  async configure(configMaps: Record<string, Record<string, string>>): Promise<void> {
    for (const [name, data] of Object.entries(configMaps)) {
      try {
        this.cluster.setConfigMap(name, data);
      } catch (e) {
        throw new BackendError(`configmap "${name}": ${(e as Error).message}`);
      }
    }
  }

  async apply(objects: KubeObject[], fileLabel: string): Promise<ApplyResult[]> {
    const results: ApplyResult[] = [];
    for (const obj of objects) results.push(this.applyOne(obj, fileLabel));
    return results;
  }

  private applyOne(input: KubeObject, fileLabel: string): ApplyResult {
    const store = this.cluster.store;
    const type = typeOf(input);
    const resource = resourceForKind(input.apiVersion, input.kind);
    if (!resource) {
      throw new BackendError(
        `error: resource mapping not found for name: "${input.metadata.name}" namespace: "${input.metadata.namespace ?? ''}" from "${fileLabel}": no matches for kind "${input.kind}" in version "${input.apiVersion}"\nensure CRDs are installed first`,
      );
    }
    const namespace = resource.namespaced ? (input.metadata.namespace ?? this.namespace) : undefined;
    const reference = `${resource.group ? `${resource.singular}.${resource.group}` : resource.singular}/${input.metadata.name}`;
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
    let obj: KubeObject = structuredClone(input);
    obj.metadata = { ...obj.metadata, ...(namespace ? { namespace } : {}) };
    obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [LAST_APPLIED]: `${JSON.stringify(input)}\n` };
    const admission = admit(obj, { autoscaler: this.cluster.config.autoscaler, config: this.cluster.config.defaults });
    if (!admission.object) {
      const verb = existing ? 'patching' : 'creating';
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

  async delete(resourceId: string, namespace: string, name: string): Promise<string> {
    const gone = this.cluster.store.remove(resourceId, namespace, name);
    if (!gone) throw new BackendError(`Error from server (NotFound): ${resourceId} "${name}" not found`, 404);
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
    this.cluster.send(host, this.cluster.settings.app.serviceTimeMs, (r) => {
      response = {
        status: r.status,
        body: r.body,
        latencyMs: r.latencyMs,
        cold: r.cold,
        ...(r.revision ? { revision: r.revision } : {}),
        ...(r.pod ? { pod: r.pod } : {}),
      };
    });
    // curl waits; the cluster answers within the revision timeout at the latest.
    this.cluster.engine.runUntilCondition(() => response !== undefined, this.cluster.now() + 30 * 60_000);
    const result = response ?? { status: 0, body: '', latencyMs: Number.NaN };
    return result;
  }

  async startLoad(phases: unknown[], baseDir: string, defaultTarget?: string): Promise<void> {
    if (phases.length === 0) return;
    const built = buildLoad(phases, {
      random: forkRandom(seedrandom(`${this.seed}/load`)),
      baseDir,
      originMs: this.cluster.now(),
      ...(defaultTarget ? { defaultTarget } : {}),
    });
    this.pump(built.source);
    for (const clients of built.closedLoop) this.driveClosedLoop(clients);
  }

  /** Pulls one arrival at a time from the source: memory stays flat however long the load. */
  private pump(source: ArrivalSource): void {
    // The pump holds one arrival at a time (sent before the next is drawn), so a source that can
    // write into one (`nextInto`) reuses a single object: no allocation per request.
    const reused = source.nextInto ? makeArrival(0, 0, undefined) : undefined;
    const pull = (): Arrival | undefined =>
      reused !== undefined ? (source.nextInto!(reused) ? reused : undefined) : source.next();
    const next = pull();
    if (!next) return;
    const engine = this.cluster.engine;
    const cluster = this.cluster;
    // One callback for the whole source, the arrival as its argument: no closure per request.
    // An arrival due before anything else pending is sent at once (Engine.tryAdvance); the others
    // wait in an engine lane of their own (arrivals come in time order), not in the heap. Both
    // deliver everything in the same order as the heap would.
    const lane = engine.lane();
    const fire = (first: Arrival) => {
      let arrival = first;
      for (;;) {
        cluster.send(this.arrivalHost(arrival.target), arrival.serviceMs, undefined, arrival.clientId ?? -1);
        const following = pull();
        if (!following) return;
        const at = Math.max(following.atMs, engine.now());
        if (!engine.tryAdvance(at)) {
          engine.callInLane(lane, at, fire, following);
          return;
        }
        arrival = following;
      }
    };
    engine.call(Math.max(next.atMs, engine.now()), fire, next);
  }

  private sendArrival(arrival: Arrival, onDone?: () => void): void {
    const host = this.arrivalHost(arrival.target);
    this.cluster.send(host, arrival.serviceMs, onDone ? () => onDone() : undefined, arrival.clientId ?? -1);
  }

  private driveClosedLoop(clients: ClosedLoopClients): void {
    const schedule = (arrival: Arrival) => {
      this.cluster.engine.at(Math.max(arrival.atMs, this.cluster.now()), () =>
        this.sendArrival(arrival, () => {
          const next = clients.onResponse(arrival.clientId ?? 0, this.cluster.now());
          if (next) schedule(next);
        }),
      );
    };
    for (const arrival of clients.start()) schedule(arrival);
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
    this.cluster.engine.runUntil(Math.max(t, this.cluster.now()));
  }

  async waitUntil(done: () => boolean, deadline: number): Promise<boolean> {
    const engine = this.cluster.engine;
    while (!done()) {
      if (engine.now() >= deadline) return false;
      engine.runUntil(Math.min(deadline, engine.now() + WAIT_RESOLUTION_MS));
    }
    return true;
  }

  async close(): Promise<void> {}
}

function hostOf(target: string | undefined): string | undefined {
  if (!target) return undefined;
  try {
    return new URL(target.includes('://') ? target : `http://${target}`).host;
  } catch {
    return undefined;
  }
}
