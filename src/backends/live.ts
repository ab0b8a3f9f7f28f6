/**
 * The live backend: the same Backend seam as the simulator, over a real API server (client-node
 * 1.x) and real time. It applies the scenario's objects with server-side apply and a run label,
 * watches what Knative does with them, sends the scenario's load as real HTTP requests through
 * the cluster's ingress, and writes the same event log as the simulator. Its `cleanup()` deletes
 * exactly the objects it created (checked by the run label), in reverse order.
 */

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import * as k8s from '@kubernetes/client-node';
import seedrandom from 'seedrandom';
import type { KubeObject, Pod, PodAutoscaler, Route, ServerlessService } from '../model/api/types.js';
import type { LogHeader, PodPhase } from '../model/events.js';
import { type ResourceType, resourceById } from '../model/rules/resources.js';
import { SIM_EPOCH_MS } from '../model/rules/time.js';
import { ResultsCollector, requestOutcome } from '../results/results.js';
import type { ClosedLoopClients } from '../sim/load/closedLoop.js';
import { forkRandom } from '../sim/load/rng.js';
import { buildLoad } from '../sim/load/spec.js';
import type { Arrival, ArrivalSource } from '../sim/load/types.js';
import { EventLog } from '../sim/log.js';
import { type ApplyResult, type Backend, BackendError, type HttpRequest, type HttpResponse } from './backend.js';
import { paScale, podPhaseOf, revisionForHost, revisionOf, shiftTimes, sksMode } from './live/derive.js';
import { sendHttp } from './live/http.js';
import { resolveGateway } from './live/ingress.js';
import { describeKubeError, KubeClient, LiveError, serverOf, statusMessage, statusOf } from './live/kube.js';
import { ResilientWatch } from './live/watcher.js';
import { KNSIM_VERSION } from './sim.js';

/** The label on every object knsim creates: `knsim.dev/run=<run id>`. */
export const RUN_LABEL = 'knsim.dev/run';
export const FIELD_MANAGER = 'knsim';

/** What the live backend watches, and how it narrows each watch. */
export const WATCHED: readonly { id: string; labelSelector?: string; optional?: boolean }[] = [
  { id: 'services.serving.knative.dev' },
  { id: 'configurations.serving.knative.dev' },
  { id: 'routes.serving.knative.dev' },
  { id: 'revisions.serving.knative.dev' },
  { id: 'podautoscalers.autoscaling.internal.knative.dev', optional: true },
  { id: 'serverlessservices.networking.internal.knative.dev', optional: true },
  { id: 'deployments.apps', labelSelector: 'serving.knative.dev/revision' },
  { id: 'pods', labelSelector: 'serving.knative.dev/revision' },
];

/** How often an arrival without a target looks for a route URL again. */
const NO_ROUTE_RETRY_MS = 100;
/** How long a curl step waits for the watches to show the pod that answered. */
const SETTLE_MS = 2_000;
/** How often `waitUntil` checks its condition. */
const WAIT_POLL_MS = 50;
/** A curl step waits at most this long (Knative's max revision timeout is 600 s). */
const CURL_TIMEOUT_MS = 660_000;
/** Load requests give up after this long (Knative's default revision timeout is 300 s). */
const LOAD_TIMEOUT_MS = 330_000;
/** At most this many load requests in flight; arrivals beyond it count as client errors. */
export const MAX_IN_FLIGHT = 1_000;

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export interface LiveBackendOptions {
  kc: k8s.KubeConfig;
  namespace: string;
  seed: number;
  /** Base URL of the ingress; resolved from config-network and the gateway Service when absent. */
  target?: string;
  log?: EventLog;
  runId?: string;
  /** Replace the image of every Knative Service container (the seed's image is a stand-in). */
  image?: string;
  /** Extra environment for every Knative Service container. */
  env?: Record<string, string>;
  /**
   * The namespace the scenario was written for, when the run goes elsewhere (`--namespace`):
   * objects in it move to `namespace`, and hosts `<name>.<it>.<domain>` become `<name>.<namespace>.<domain>`.
   */
  scenarioNamespace?: string;
  /** Diagnostics: reconnects, relists, cleanup progress. */
  info?: (message: string) => void;
  /** Watch reconnect delay (tests). */
  watchBackoffMs?: number;
}

interface Created {
  resource: ResourceType;
  namespace: string | undefined;
  name: string;
}

const CONFIGMAPS = resourceById('configmaps')!;
const NAMESPACES = resourceById('namespaces')!;

interface InFlight {
  revision: string | undefined;
  cold: boolean;
}

export class LiveBackend implements Backend {
  readonly kind = 'live' as const;
  readonly log: EventLog;
  readonly results = new ResultsCollector();
  readonly runId: string;
  readonly namespace: string;
  /** Objects created by this run, in creation order. */
  readonly created: Created[] = [];
  private readonly kc: k8s.KubeConfig;
  private readonly api: KubeClient;
  private readonly seed: number;
  private readonly options: LiveBackendOptions;
  private readonly t0 = performance.now();
  private epochMs = Date.now();
  /** Server clock minus local clock, when they differ by more than 2 s. */
  private serverOffsetMs = 0;
  private target: string | undefined;
  private readonly watches = new Map<string, ResilientWatch>();
  private readonly listed = new Map<string, KubeObject[]>();
  private readonly podPhases = new Map<string, PodPhase>();
  private readonly paDesired = new Map<string, number | undefined>();
  private readonly sksModes = new Map<string, string | undefined>();
  private readonly configBackup = new Map<string, Record<string, string> | null>();
  private createdNamespace = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private sampleTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Map<number, InFlight>();
  private readonly arrivalsThisSecond = new Map<string, number>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  private requestId = 0;
  /** Aborted on Ctrl-C and on close: every request in flight ends at once. */
  private readonly aborter = new AbortController();
  private closed = false;
  private interrupted = false;
  private readonly wakeups = new Set<() => void>();

  constructor(options: LiveBackendOptions) {
    this.options = options;
    this.kc = options.kc;
    this.api = new KubeClient(options.kc);
    this.namespace = options.namespace;
    this.seed = options.seed;
    this.target = options.target;
    this.log = options.log ?? new EventLog();
    this.runId = options.runId ?? newRunId();
    this.log.subscribe((line) => this.results.observe(line));
  }

  now(): number {
    return Math.round(performance.now() - this.t0);
  }

  private info(message: string): void {
    this.options.info?.(message);
  }

  // ---------- start, watches, samples ----------

  async start(header: Omit<LogHeader, 'type' | 'format' | 'knsim' | 'backend' | 'epoch'>): Promise<void> {
    this.epochMs = Date.now() - this.now();
    this.log.header({
      type: 'header',
      format: 1,
      knsim: KNSIM_VERSION,
      backend: 'live',
      epoch: new Date(this.epochMs).toISOString(),
      ...header,
    });
    await this.ensureNamespace();
    for (const w of WATCHED) {
      const resource = resourceById(w.id);
      if (!resource) continue;
      const watch = new ResilientWatch(this.kc, resource, {
        namespace: this.namespace,
        ...(w.labelSelector ? { labelSelector: w.labelSelector } : {}),
        onEvent: (op, obj) => this.onObject(resource, op, obj),
        onInfo: (m) => this.info(m),
        ...(this.options.watchBackoffMs !== undefined ? { backoffMs: this.options.watchBackoffMs } : {}),
      });
      try {
        await watch.start();
        this.watches.set(resource.id, watch);
      } catch (e) {
        watch.stop();
        if (w.optional && (statusOf(e) === 404 || statusOf(e) === 403)) {
          this.info(`not watching ${resource.id}: ${describeKubeError(e, serverOf(this.kc))}`);
          continue;
        }
        this.stopWatches();
        throw new LiveError(describeKubeError(e, serverOf(this.kc), `watching ${resource.id}`));
      }
    }
    this.scheduleSample();
  }

  private async ensureNamespace(): Promise<void> {
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    try {
      await core.readNamespace({ name: this.namespace });
    } catch (e) {
      if (statusOf(e) === 403) return; // may not read namespaces; the namespace checks already passed
      if (statusOf(e) !== 404)
        throw new LiveError(describeKubeError(e, serverOf(this.kc), `reading namespace ${this.namespace}`));
      try {
        await core.createNamespace({
          body: { metadata: { name: this.namespace, labels: { [RUN_LABEL]: this.runId } } },
          fieldManager: FIELD_MANAGER,
        });
      } catch (err) {
        throw new LiveError(
          `namespace "${this.namespace}" does not exist and cannot be created: ${describeKubeError(err, serverOf(this.kc), `creating namespace ${this.namespace}`)}`,
        );
      }
      this.createdNamespace = true;
    }
  }

  private onObject(resource: ResourceType, op: 'added' | 'modified' | 'deleted', raw: KubeObject): void {
    const obj = stripManagedFields(raw);
    const t = this.now();
    const namespace = obj.metadata.namespace ?? this.namespace;
    this.log.event({ t, type: 'object', op, kind: obj.kind, namespace, name: obj.metadata.name, object: obj });
    switch (resource.id) {
      case 'pods': {
        const revision = revisionOf(obj) ?? '';
        const phase: PodPhase = op === 'deleted' ? 'Gone' : podPhaseOf(obj as Pod);
        const before = this.podPhases.get(obj.metadata.name);
        if (phase !== before) {
          this.log.event({ t, type: 'pod', pod: obj.metadata.name, revision, phase });
          if (phase === 'Gone') this.podPhases.delete(obj.metadata.name);
          else this.podPhases.set(obj.metadata.name, phase);
        }
        break;
      }
      case 'podautoscalers.autoscaling.internal.knative.dev': {
        const name = obj.metadata.name;
        if (op === 'deleted') {
          this.paDesired.delete(name);
          break;
        }
        const { desired: reported } = paScale(obj as PodAutoscaler);
        // −1: the autoscaler has no decision yet (e.g. just restarted).
        const desired = reported !== undefined && reported >= 0 ? reported : undefined;
        const before = this.paDesired.get(name);
        if (desired !== undefined && desired !== before) {
          this.log.event({ t, type: 'scale', revision: name, from: before ?? 0, to: desired, reason: 'desired' });
        }
        this.paDesired.set(name, desired ?? before);
        break;
      }
      case 'serverlessservices.networking.internal.knative.dev': {
        const name = obj.metadata.name;
        if (op === 'deleted') {
          this.sksModes.delete(name);
          break;
        }
        const sks = obj as ServerlessService;
        const mode = sksMode(sks);
        if (mode && mode !== this.sksModes.get(name)) {
          this.log.event({ t, type: 'sks', revision: name, mode, activators: sks.spec?.numActivators ?? 0 });
        }
        this.sksModes.set(name, mode);
        break;
      }
    }
    this.wake();
  }

  /** The watch's own objects (no copies, real timestamps): for the hot paths. */
  private watched(resourceId: string): Iterable<KubeObject> {
    return this.watches.get(resourceId)?.objects.values() ?? [];
  }

  /** One sample per whole second of run time: never early (a timer may fire a millisecond
   * early; it is set again), stamped when written so `t` never goes backwards in the log. */
  private scheduleSample(next = (Math.floor(this.now() / 1000) + 1) * 1000): void {
    if (this.closed) return;
    this.sampleTimer = setTimeout(
      () => {
        this.sampleTimer = undefined;
        if (this.closed) return;
        if (this.now() < next) {
          this.scheduleSample(next);
          return;
        }
        this.writeSamples(this.now());
        this.scheduleSample(Math.max(next + 1000, (Math.floor(this.now() / 1000) + 1) * 1000));
      },
      Math.max(0, next - this.now()),
    );
  }

  /** One `sample` per revision: pods by phase from the watch, desired from the PA, load from our own clients. */
  private writeSamples(t: number): void {
    const revisions = new Set<string>();
    for (const r of this.watched('revisions.serving.knative.dev')) revisions.add(r.metadata.name);
    const pods = [...this.watched('pods')] as Pod[];
    for (const revision of revisions) {
      let ready = 0;
      let pending = 0;
      let terminating = 0;
      for (const p of pods) {
        if (revisionOf(p) !== revision) continue;
        const phase = podPhaseOf(p);
        if (phase === 'Ready') ready++;
        else if (phase === 'Terminating') terminating++;
        else pending++;
      }
      let inFlight = 0;
      let held = 0;
      for (const r of this.inFlight.values()) {
        if (r.revision !== revision) continue;
        inFlight++;
        if (r.cold) held++;
      }
      const deployment = [...this.watched('deployments.apps')].find((d) => revisionOf(d) === revision) as
        | { spec?: { replicas?: number } }
        | undefined;
      const desired = this.paDesired.get(revision) ?? deployment?.spec?.replicas ?? ready + pending;
      this.log.event({
        t,
        type: 'sample',
        revision,
        rps: this.arrivalsThisSecond.get(revision) ?? 0,
        concurrency: inFlight,
        desired,
        ready,
        pending,
        terminating,
        activatorQueue: held,
        queueProxyQueue: 0,
        inFlight,
        panic: false,
        activatorInPath: this.sksModes.get(revision) === 'Proxy',
      });
    }
    this.arrivalsThisSecond.clear();
  }

  // ---------- configuration and objects ----------

  async configure(configMaps: Record<string, Record<string, string>>): Promise<void> {
    this.checkInterrupted();
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    for (const [name, data] of Object.entries(configMaps)) {
      let before: Record<string, string> | null = null;
      let exists = true;
      try {
        before = (await core.readNamespacedConfigMap({ name, namespace: 'knative-serving' })).data ?? {};
      } catch (e) {
        if (statusOf(e) !== 404) {
          throw new BackendError(
            `configmap "${name}": ${describeKubeError(e, serverOf(this.kc), `reading knative-serving/${name}`)}`,
          );
        }
        exists = false;
      }
      if (!this.configBackup.has(name)) this.configBackup.set(name, before);
      // The scenario's data replaces the map's (what the simulator does), keeping `_example`.
      const patch: Record<string, string | null> = {};
      for (const key of Object.keys(before ?? {})) if (key !== '_example') patch[key] = null;
      Object.assign(patch, data);
      try {
        if (exists) {
          await this.api.mergePatch(CONFIGMAPS, 'knative-serving', name, { data: patch }, FIELD_MANAGER);
        } else {
          await core.createNamespacedConfigMap({
            namespace: 'knative-serving',
            body: { metadata: { name, labels: { [RUN_LABEL]: this.runId } }, data },
            fieldManager: FIELD_MANAGER,
          });
          this.created.push({ resource: CONFIGMAPS, namespace: 'knative-serving', name });
        }
      } catch (e) {
        throw new BackendError(
          `configmap "${name}": ${describeKubeError(e, serverOf(this.kc), `updating knative-serving/${name}`)}`,
        );
      }
    }
  }

  async apply(objects: KubeObject[], fileLabel: string): Promise<ApplyResult[]> {
    this.checkInterrupted();
    const results: ApplyResult[] = [];
    for (const obj of objects) results.push(await this.applyOne(obj, fileLabel));
    return results;
  }

  private async applyOne(input: KubeObject, fileLabel: string): Promise<ApplyResult> {
    let resource: ResourceType | undefined;
    try {
      resource = await this.api.resourceFor(input.apiVersion, input.kind);
    } catch (e) {
      throw this.applyError(e, 'creating', fileLabel, input);
    }
    if (!resource) throw this.applyError({ code: 404 }, 'creating', fileLabel, input);
    const namespaced = resource.namespaced;
    const moved = this.options.scenarioNamespace;
    const own = input.metadata.namespace;
    const namespace = namespaced ? (own === undefined || own === moved ? this.namespace : own) : undefined;
    const group = input.apiVersion.includes('/') ? input.apiVersion.split('/')[0] : '';
    const reference = `${input.kind.toLowerCase()}${group ? `.${group}` : ''}/${input.metadata.name}`;
    if (input.kind === 'ConfigMap' && namespace === 'knative-serving') {
      await this.configure({ [input.metadata.name]: (input as { data?: Record<string, string> }).data ?? {} });
      return { reference, outcome: 'configured' };
    }
    let existing: KubeObject | undefined;
    try {
      existing = await this.api.get(resource, namespace, input.metadata.name);
    } catch (e) {
      if (statusOf(e) !== 404) throw this.applyError(e, existing ? 'patching' : 'creating', fileLabel, input);
    }
    // Label what this run creates, and keep the label on what it created earlier: server-side apply
    // would drop a field this manager set before and leaves out now.
    const ours = existing === undefined || existing.metadata.labels?.[RUN_LABEL] === this.runId;
    const body = this.prepare(input, namespace, ours);
    let applied: KubeObject;
    try {
      applied = await this.api.apply(resource, namespace, body, FIELD_MANAGER);
    } catch (e) {
      throw this.applyError(e, existing ? 'patching' : 'creating', fileLabel, input);
    }
    if (!existing) {
      this.calibrate(applied);
      this.created.push({ resource, namespace, name: input.metadata.name });
      return { reference, outcome: 'created' };
    }
    return {
      reference,
      outcome: applied.metadata?.resourceVersion === existing.metadata.resourceVersion ? 'unchanged' : 'configured',
    };
  }

  /**
   * The server's clock against ours, from the creation time of an object just created (1 s
   * resolution, so offsets under 2 s are ignored): a cluster with a skewed clock, or knsim serve
   * whose clock is simulated, still gets the right AGE in kubectl tables.
   */
  private calibrate(created: KubeObject): void {
    if (this.serverOffsetMs !== 0) return;
    const at = Date.parse(created.metadata?.creationTimestamp ?? '');
    if (!Number.isFinite(at)) return;
    const offset = at - Date.now();
    if (Math.abs(offset) > 2_000) this.serverOffsetMs = offset;
  }

  /** The object as applied: namespace set, the run label on what this run owns, image and env overrides. */
  private prepare(input: KubeObject, namespace: string | undefined, ours: boolean): KubeObject {
    const obj = structuredClone(input);
    obj.metadata = { ...obj.metadata, ...(namespace ? { namespace } : {}) };
    if (ours) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [RUN_LABEL]: this.runId };
    if (input.apiVersion === 'serving.knative.dev/v1' && (input.kind === 'Service' || input.kind === 'Configuration')) {
      const spec = (obj as { spec?: { template?: { spec?: { containers?: Record<string, unknown>[] } } } }).spec;
      for (const c of spec?.template?.spec?.containers ?? []) {
        if (this.options.image) c.image = this.options.image;
        if (this.options.env && Object.keys(this.options.env).length > 0) {
          const env = ((c.env as { name: string; value?: string }[] | undefined) ?? []).filter(
            (e) => !(e.name in (this.options.env ?? {})),
          );
          for (const [name, value] of Object.entries(this.options.env)) env.push({ name, value });
          c.env = env;
        }
      }
    }
    return obj;
  }

  private applyError(e: unknown, verb: 'creating' | 'patching', fileLabel: string, input: KubeObject): Error {
    const status = statusOf(e);
    if (status === undefined)
      return new LiveError(describeKubeError(e, serverOf(this.kc), `applying ${input.kind} ${input.metadata.name}`));
    if (status === 404) {
      return new BackendError(
        `error: resource mapping not found for name: "${input.metadata.name}" namespace: "${input.metadata.namespace ?? ''}" from "${fileLabel}": no matches for kind "${input.kind}" in version "${input.apiVersion}"\nensure CRDs are installed first`,
        404,
      );
    }
    const reason = statusReason(e) ?? (status === 403 ? 'Forbidden' : status === 409 ? 'Conflict' : 'BadRequest');
    return new BackendError(
      `Error from server (${reason}): error when ${verb} "${fileLabel}": ${statusMessage(e) ?? `HTTP ${status}`}`,
      status,
    );
  }

  async delete(resourceId: string, namespace: string, name: string): Promise<string> {
    const r = resourceById(resourceId);
    if (!r) throw new BackendError(`error: the server doesn't have a resource type "${resourceId}"`);
    try {
      await this.api.delete(r, r.namespaced ? namespace : undefined, name);
    } catch (e) {
      if (statusOf(e) === 404)
        throw new BackendError(`Error from server (NotFound): ${resourceId} "${name}" not found`, 404);
      throw new BackendError(
        `Error from server: ${describeKubeError(e, serverOf(this.kc), `deleting ${resourceId} ${name}`)}`,
        statusOf(e) ?? 500,
      );
    }
    return name;
  }

  async list(resourceId: string, namespace?: string): Promise<KubeObject[]> {
    if (this.watches.has(resourceId)) return this.snapshot(resourceId, namespace);
    const r = resourceById(resourceId);
    if (!r) return [];
    try {
      const body = await this.api.list(r, r.namespaced ? namespace : undefined);
      const shift = SIM_EPOCH_MS - this.epochMs - this.serverOffsetMs;
      const items = (body.items ?? []).map((o) => shiftTimes(stripManagedFields(o), shift));
      this.listed.set(`${resourceId}/${namespace ?? ''}`, items);
      return items;
    } catch (e) {
      if (statusOf(e) === 404) return [];
      throw new BackendError(
        `Error from server: ${describeKubeError(e, serverOf(this.kc), `listing ${resourceId}`)}`,
        statusOf(e) ?? 500,
      );
    }
  }

  snapshot(resourceId: string, namespace?: string): KubeObject[] {
    const watch = this.watches.get(resourceId);
    if (!watch) return this.listed.get(`${resourceId}/${namespace ?? ''}`) ?? [];
    const shift = SIM_EPOCH_MS - this.epochMs - this.serverOffsetMs;
    const out: KubeObject[] = [];
    for (const o of watch.objects.values()) {
      if (namespace && (o.metadata.namespace ?? this.namespace) !== namespace) continue;
      out.push(shiftTimes(stripManagedFields(o), shift));
    }
    return out;
  }

  // ---------- requests and load ----------

  private async ingressBase(): Promise<string> {
    if (!this.target) {
      const found = await resolveGateway(this.kc);
      this.info(`sending requests to ${found.url} (${found.ingressClass}, ${found.how})`);
      this.target = found.url;
    }
    return this.target;
  }

  private rewriteHost(host: string): string {
    const from = this.options.scenarioNamespace;
    if (!from || from === this.namespace) return host;
    return host.replace(`.${from}.`, `.${this.namespace}.`);
  }

  /** Whether a request to this host would find no ready pod (the activator will hold it). */
  private revisionState(host: string): { revision: string | undefined; cold: boolean } {
    const routes = [...this.watched('routes.serving.knative.dev')] as Route[];
    const revision = revisionForHost(routes, host);
    if (!revision) return { revision, cold: false };
    let ready = false;
    for (const p of this.watched('pods')) {
      if (revisionOf(p) === revision && podPhaseOf(p as Pod) === 'Ready') {
        ready = true;
        break;
      }
    }
    return { revision, cold: !ready };
  }

  /** One real request, logged as arrived and done (the ingress tells us nothing in between). */
  private async send(
    url: string,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    timeoutMs: number,
    extraHeaders: Record<string, string> = {},
  ): Promise<HttpResponse & { id: number }> {
    const base = await this.ingressBase();
    const parsed = new URL(url.includes('://') ? url : `http://${url}`);
    const host = this.rewriteHost(headers.Host ?? headers.host ?? parsed.host);
    const id = ++this.requestId;
    const { revision, cold } = this.revisionState(host);
    const sentAt = performance.now();
    const at = this.now();
    this.inFlight.set(id, { revision, cold });
    if (revision) this.arrivalsThisSecond.set(revision, (this.arrivalsThisSecond.get(revision) ?? 0) + 1);
    const asked = Number(extraHeaders['X-Knsim-Service-Ms']);
    this.log.event({
      t: at,
      type: 'request',
      phase: 'arrived',
      id,
      ...(revision ? { revision } : {}),
      ...(Number.isFinite(asked) ? { serviceMs: asked } : {}),
    });
    this.results.arrived(revision);
    if (cold) this.log.event({ t: at, type: 'request', phase: 'held', id, ...(revision ? { revision } : {}) });
    const r = await sendHttp({
      base,
      host,
      method,
      path: `${parsed.pathname}${parsed.search}`,
      headers: { ...headers, ...extraHeaders },
      ...(body !== undefined ? { body } : {}),
      timeoutMs,
      agent: this.agent,
      signal: this.aborter.signal,
    });
    const latencyMs = performance.now() - sentAt;
    this.inFlight.delete(id);
    const outcome = requestOutcome(r.status);
    this.log.event({
      t: this.now(),
      type: 'request',
      phase: 'done',
      id,
      ...(revision ? { revision } : {}),
      status: r.status,
      latencyMs,
      cold,
      outcome,
    });
    this.results.request(r.status, latencyMs, cold, this.now(), revision);
    this.wake();
    return {
      id,
      status: r.status,
      body: r.status === 0 ? `curl: (7) ${r.error ?? 'failed'}` : r.body,
      latencyMs,
      cold,
      ...(revision ? { revision } : {}),
    };
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    this.checkInterrupted();
    const { id: _id, ...response } = await this.send(req.url, req.method, req.headers, req.body, CURL_TIMEOUT_MS);
    this.checkInterrupted();
    // The answer can come back before the watch reports the pod that gave it as Ready: let the
    // watches catch up (briefly) so the next step sees the pod.
    if (response.status >= 200 && response.status < 400 && response.revision) {
      const revision = response.revision;
      const readyPod = () =>
        [...this.watched('pods')].some((p) => revisionOf(p) === revision && podPhaseOf(p as Pod) === 'Ready');
      await this.waitUntil(readyPod, this.now() + SETTLE_MS);
    }
    return response;
  }

  async startLoad(phases: unknown[], baseDir: string, defaultTarget?: string): Promise<void> {
    if (phases.length === 0) return;
    await this.ingressBase();
    const built = buildLoad(phases, {
      random: forkRandom(seedrandom(`${this.seed}/load`)),
      baseDir,
      ...(defaultTarget ? { defaultTarget } : {}),
    });
    this.pump(built.source);
    for (const clients of built.closedLoop) this.driveClosedLoop(clients);
  }

  private defaultUrl(): string {
    const route = [...this.watched('routes.serving.knative.dev')].find((r) => (r as Route).status?.url) as
      | Route
      | undefined;
    return route?.status?.url ?? '';
  }

  /** Runs `fn` at run time `t` (never before: a timer that fires early is set again). */
  private at(t: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (this.closed) return;
        if (this.now() < t) this.at(t, fn);
        else fn();
      },
      Math.max(0, t - this.now()),
    );
    this.timers.add(timer);
  }

  /** Sends every arrival that is due, then sleeps until the next one: one timer at a time. */
  private pump(source: ArrivalSource): void {
    let next = source.next();
    const fire = () => {
      while (next && next.atMs <= this.now()) {
        this.sendArrival(next);
        next = source.next();
      }
      if (next) this.at(next.atMs, fire);
      else source.close?.();
    };
    if (next) this.at(next.atMs, fire);
  }

  private sendArrival(arrival: Arrival, onDone?: () => void): void {
    if (this.inFlight.size >= MAX_IN_FLIGHT) {
      // Bounded: past the limit the arrival is counted as a client-side failure, not sent.
      const id = ++this.requestId;
      this.log.event({
        t: this.now(),
        type: 'request',
        phase: 'done',
        id,
        status: 0,
        latencyMs: 0,
        cold: false,
        outcome: 'unanswered',
        error: `not sent: ${MAX_IN_FLIGHT} requests in flight`,
      });
      this.results.request(0, 0, false, this.now());
      onDone?.();
      return;
    }
    const target = arrival.target ?? this.defaultUrl();
    if (!target) {
      // No route has a URL yet (the service is still being created): wait for one.
      this.at(this.now() + NO_ROUTE_RETRY_MS, () => this.sendArrival(arrival, onDone));
      return;
    }
    const url = target.includes('://') ? target : `http://${target}`;
    void this.send(
      url,
      arrival.kind === 'event' ? 'POST' : 'GET',
      {},
      arrival.kind === 'event' ? '{}' : undefined,
      LOAD_TIMEOUT_MS,
      {
        'X-Knsim-Service-Ms': String(Math.round(arrival.serviceMs)),
        ...(arrival.kind === 'event'
          ? {
              'Content-Type': 'application/json',
              'Ce-Specversion': '1.0',
              'Ce-Type': 'knsim.load',
              'Ce-Source': 'knsim',
              'Ce-Id': String(this.requestId + 1),
            }
          : {}),
      },
    ).then(
      () => onDone?.(),
      () => onDone?.(),
    );
  }

  private driveClosedLoop(clients: ClosedLoopClients): void {
    const schedule = (arrival: Arrival) => {
      this.at(arrival.atMs, () =>
        this.sendArrival(arrival, () => {
          if (this.closed) return;
          const next = clients.onResponse(arrival.clientId ?? 0, this.now());
          if (next) schedule(next);
        }),
      );
    };
    for (const arrival of clients.start()) schedule(arrival);
  }

  // ---------- time ----------

  private checkInterrupted(): void {
    if (this.interrupted) throw new Interrupted();
  }

  /** Ends any sleep or wait at once with `Interrupted` (Ctrl-C). */
  interrupt(): void {
    this.interrupted = true;
    this.aborter.abort();
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.wakeups]) w();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolvePromise) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeups.delete(done);
        resolvePromise();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wakeups.add(done);
    });
  }

  async sleepUntil(t: number): Promise<void> {
    while (this.now() < t) {
      this.checkInterrupted();
      await new Promise<void>((resolvePromise) => {
        const done = () => {
          clearTimeout(timer);
          this.wakeups.delete(onWake);
          resolvePromise();
        };
        const onWake = () => {
          if (this.interrupted) done();
        };
        const timer = setTimeout(done, Math.max(1, t - this.now()));
        this.wakeups.add(onWake);
      });
    }
    this.checkInterrupted();
  }

  async waitUntil(done: () => boolean, deadline: number): Promise<boolean> {
    for (;;) {
      this.checkInterrupted();
      if (done()) return true;
      if (this.now() >= deadline) return false;
      await this.pause(Math.min(WAIT_POLL_MS, deadline - this.now()));
    }
  }

  // ---------- the end ----------

  private stopWatches(): void {
    for (const w of this.watches.values()) w.stop();
  }

  /** Stops load, samples and watches (the log stays open for the `end` line). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.sampleTimer) clearTimeout(this.sampleTimer);
    this.stopWatches();
    this.aborter.abort();
    this.agent.destroy();
    this.wake();
  }

  /**
   * Deletes what this run created, newest first, each only if it still carries this run's label;
   * then anything else of the same types that carries the label and has no owner (an apply whose
   * answer was lost); then restores the knative-serving ConfigMaps it changed.
   * Returns one line per deleted or restored object.
   */
  async cleanup(): Promise<string[]> {
    await this.close();
    const done: string[] = [];
    const problems: string[] = [];
    const selector = `${RUN_LABEL}=${this.runId}`;
    const describe = (c: Created) => `${c.resource.singular} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`;
    const deleteOne = async (c: Created) => {
      try {
        const current = await this.api.get(c.resource, c.namespace, c.name);
        if (current.metadata.labels?.[RUN_LABEL] !== this.runId) return;
        await this.api.delete(c.resource, c.namespace, c.name);
        done.push(`deleted ${describe(c)}`);
      } catch (e) {
        if (statusOf(e) === 404) return;
        problems.push(`${describe(c)}: ${describeKubeError(e, serverOf(this.kc))}`);
      }
    };
    const toDelete = [...this.created].reverse();
    for (const c of toDelete) await deleteOne(c);
    // Anything else of those types with this run's label and no owner (an apply whose answer was lost).
    const scopes = new Map<string, Created>();
    for (const c of toDelete) scopes.set(`${c.resource.id}/${c.namespace ?? ''}`, c);
    for (const scope of scopes.values()) {
      try {
        const body = await this.api.list(scope.resource, scope.namespace, { labelSelector: selector });
        for (const item of body.items ?? []) {
          if ((item.metadata.ownerReferences ?? []).length > 0) continue;
          if (item.metadata.labels?.[RUN_LABEL] !== this.runId) continue;
          await deleteOne({ ...scope, name: item.metadata.name });
        }
      } catch (e) {
        if (statusOf(e) !== 404)
          problems.push(`listing ${scope.resource.id}: ${describeKubeError(e, serverOf(this.kc))}`);
      }
    }
    for (const [name, before] of [...this.configBackup].reverse()) {
      if (before === null) continue; // created by this run: deleted above
      try {
        const now =
          ((await this.api.get(CONFIGMAPS, 'knative-serving', name)) as { data?: Record<string, string> }).data ?? {};
        const patch: Record<string, string | null> = {};
        for (const key of Object.keys(now)) if (!(key in before)) patch[key] = null;
        Object.assign(patch, before);
        await this.api.mergePatch(CONFIGMAPS, 'knative-serving', name, { data: patch }, FIELD_MANAGER);
        done.push(`restored configmap knative-serving/${name}`);
      } catch (e) {
        problems.push(`restoring configmap knative-serving/${name}: ${describeKubeError(e, serverOf(this.kc))}`);
      }
    }
    if (this.createdNamespace) {
      await deleteOne({ resource: NAMESPACES, namespace: undefined, name: this.namespace });
    }
    if (problems.length > 0) {
      throw new LiveError(`cleanup left objects behind (label ${selector}):\n  ${problems.join('\n  ')}`);
    }
    return done;
  }
}

function newRunId(): string {
  const d = new Date();
  const stamp = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function statusReason(e: unknown): string | undefined {
  const body = (e as { body?: unknown })?.body;
  if (typeof body !== 'string') return undefined;
  try {
    const r = (JSON.parse(body) as { reason?: unknown }).reason;
    return typeof r === 'string' && r !== '' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** managedFields are large and say nothing the log needs. */
function stripManagedFields(obj: KubeObject): KubeObject {
  if (!obj.metadata || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _m, ...metadata } = obj.metadata;
  return { ...obj, metadata: metadata as KubeObject['metadata'] };
}
