/**
 * The live backend: the same Backend seam as the simulator, over a real API server (client-node
 * 1.x) and real time, made of one part per job (src/backends/live/):
 * - objects.ts: applying the scenario's objects with a run label, ConfigMaps, deletes, cleanup;
 * - watchLog.ts: watching what Knative does with them and writing it to the event log;
 * - traffic.ts: curl steps and the scenario's load as real HTTP requests through the ingress;
 * - clock.ts: run time, sleeps and waits that Ctrl-C (or a failed run) ends at once.
 * It also checks that a Knative controller acts on what was applied: a Knative object that still
 * has no status after `controllerTimeoutMs` ends the run with a message saying so.
 */
import { randomBytes } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../model/api/types.js';
import type { LogHeader } from '../model/events.js';
import { objectReference, type ResourceType } from '../model/rules/resources.js';
import { SIM_EPOCH_MS } from '../model/rules/time.js';
import { ResultsCollector } from '../results/results.js';
import type { LoadProgress } from '../sim/load/driver.js';
import { EventLog } from '../sim/log.js';
import type { ApplyResult, Backend, HttpRequest, HttpResponse } from './backend.js';
import { RunClock } from './live/clock.js';
import { KubeClient, LiveError, serverOf } from './live/kube.js';
import { LiveLifecycles } from './live/machines.js';
import { LiveObjects } from './live/objects.js';
import { ShadowAutoscaler } from './live/shadow.js';
import { LiveTraffic } from './live/traffic.js';
import { LiveWatches } from './live/watchLog.js';
import { KNSIM_VERSION } from './sim.js';

export { Interrupted } from './live/clock.js';
export { FIELD_MANAGER, RUN_LABEL } from './live/objects.js';
export { MAX_IN_FLIGHT } from './live/traffic.js';
export { WATCHED, type WatchedChange } from './live/watchLog.js';

/** How long Knative's controllers may take to give an applied object a status (then the run stops). */
export const CONTROLLER_TIMEOUT_MS = 30_000;

/** The kinds Knative Serving's controller reconciles as soon as they are applied. */
const RECONCILED = new Set([
  'services.serving.knative.dev',
  'configurations.serving.knative.dev',
  'routes.serving.knative.dev',
]);

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
  /** How long an applied Knative object may stay without a status (default 30 s). */
  controllerTimeoutMs?: number;
  /**
   * The shadow autoscaler (the model's KPA beside the cluster's, reading its metrics through the
   * pod proxy): on unless false.
   */
  shadow?: boolean;
  /** The cluster's autoscaler pods in knative-serving (else listed by their label). */
  autoscalerPods?: readonly string[];
  /** The shadow's tick (tests; Knative's is 2 s). */
  shadowTickMs?: number;
}

export class LiveBackend implements Backend {
  readonly kind = 'live' as const;
  readonly log: EventLog;
  readonly results: ResultsCollector;
  readonly runId: string;
  readonly namespace: string;
  private readonly clock = new RunClock();
  private readonly objects: LiveObjects;
  private readonly watches: LiveWatches;
  private readonly traffic: LiveTraffic;
  /** The model's lifecycle machines on the cluster's own transitions (narration, divergences). */
  private readonly lifecycles: LiveLifecycles;
  /** The model's KPA beside the cluster's (undefined when turned off). */
  private readonly shadow: ShadowAutoscaler | undefined;
  private closed = false;

  constructor(private readonly options: LiveBackendOptions) {
    this.namespace = options.namespace;
    this.results = new ResultsCollector(options.namespace);
    this.log = options.log ?? new EventLog();
    this.runId = options.runId ?? newRunId();
    this.results.follow(this.log);
    const info = (m: string) => options.info?.(m);
    this.watches = new LiveWatches({
      kc: options.kc,
      namespace: options.namespace,
      log: this.log,
      clock: this.clock,
      info,
      ...(options.watchBackoffMs !== undefined ? { backoffMs: options.watchBackoffMs } : {}),
      panicking: (revision) => this.shadow?.clusterPanicking(revision),
    });
    this.lifecycles = new LiveLifecycles({ emit: (e) => this.log.event(e) });
    this.watches.onChange((c) => this.lifecycles.observe(c.t, c.op, c.object));
    this.objects = new LiveObjects({
      kc: options.kc,
      namespace: options.namespace,
      runId: this.runId,
      ...(options.image ? { image: options.image } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.scenarioNamespace ? { scenarioNamespace: options.scenarioNamespace } : {}),
      onApplied: (resource, object) => this.expectController(resource, object),
    });
    this.traffic = new LiveTraffic({
      kc: options.kc,
      namespace: options.namespace,
      seed: options.seed,
      clock: this.clock,
      log: this.log,
      results: this.results,
      watches: this.watches,
      ...(options.target ? { target: options.target } : {}),
      ...(options.scenarioNamespace ? { scenarioNamespace: options.scenarioNamespace } : {}),
      info,
    });
    if (options.shadow !== false) {
      this.shadow = new ShadowAutoscaler({
        client: new KubeClient(options.kc),
        server: serverOf(options.kc),
        namespace: options.namespace,
        log: this.log,
        clock: this.clock,
        watches: this.watches,
        info,
        ...(options.autoscalerPods ? { autoscalerPods: options.autoscalerPods } : {}),
        ...(options.shadowTickMs !== undefined ? { tickMs: options.shadowTickMs } : {}),
      });
    }
  }

  /** Objects created by this run, in creation order. */
  get created(): LiveObjects['created'] {
    return this.objects.created;
  }

  now(): number {
    return this.clock.now();
  }

  /** Hears every change the watches report, after it is in the log (see LiveWatches.onChange). */
  onWatchChange(listener: Parameters<LiveWatches['onChange']>[0]): void {
    this.watches.onChange(listener);
  }

  async start(header: Omit<LogHeader, 'type' | 'format' | 'knsim' | 'backend' | 'epoch'>): Promise<void> {
    this.log.header({
      type: 'header',
      format: 1,
      knsim: KNSIM_VERSION,
      backend: 'live',
      epoch: new Date(this.clock.epochMs).toISOString(),
      ...header,
    });
    await this.objects.ensureNamespace();
    await this.watches.start(this.traffic);
    this.shadow?.start();
  }

  /** The runner's tables age objects against run time on the simulator's epoch (and the server's clock). */
  private shiftMs(): number {
    return SIM_EPOCH_MS - this.clock.epochMs - this.objects.serverOffsetMs;
  }

  async configure(configMaps: Record<string, Record<string, string>>): Promise<void> {
    this.clock.check();
    await this.objects.configure(configMaps);
    this.shadow?.configChanged();
  }

  async apply(objects: KubeObject[], fileLabel: string): Promise<ApplyResult[]> {
    this.clock.check();
    return this.objects.apply(objects, fileLabel);
  }

  async delete(resourceId: string, namespace: string, name: string): Promise<string> {
    return this.objects.delete(resourceId, namespace, name);
  }

  async list(resourceId: string, namespace?: string): Promise<KubeObject[]> {
    if (this.watches.has(resourceId)) return this.snapshot(resourceId, namespace);
    return this.objects.list(resourceId, namespace, this.shiftMs());
  }

  snapshot(resourceId: string, namespace?: string): KubeObject[] {
    if (!this.watches.has(resourceId)) return this.objects.lastListed(resourceId, namespace);
    return this.watches.snapshot(resourceId, namespace, this.shiftMs());
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    return this.traffic.request(req);
  }

  startLoad(phases: unknown[], baseDir: string, defaultTarget?: string): Promise<LoadProgress> {
    return this.traffic.startLoad(phases, baseDir, defaultTarget);
  }

  sleepUntil(t: number): Promise<void> {
    return this.clock.sleepUntil(t);
  }

  waitUntil(done: () => boolean, deadline: number): Promise<boolean> {
    return this.clock.waitUntil(done, deadline);
  }

  /** Ends any sleep, wait or request at once with `Interrupted` (Ctrl-C). */
  interrupt(): void {
    this.clock.interrupt();
  }

  /** Throws why the run could not go on (no controller acting), if that happened. */
  checkFailed(): void {
    const ended = this.clock.ended;
    if (ended && ended.name !== 'Interrupted') throw ended;
  }

  /**
   * A Knative object just applied must get a status from Knative's controller: when it has none
   * after the timeout (no controller runs, or its webhook/controller is broken), the run stops
   * (exit 3) instead of waiting out its steps.
   */
  private expectController(resource: ResourceType, applied: KubeObject): void {
    if (!RECONCILED.has(resource.id)) return;
    const timeout = this.options.controllerTimeoutMs ?? CONTROLLER_TIMEOUT_MS;
    const name = applied.metadata.name;
    const uid = applied.metadata.uid;
    this.clock.at(this.clock.now() + timeout, () => {
      let current: KubeObject | undefined;
      for (const o of this.watches.watched(resource.id)) if (o.metadata.name === name) current = o;
      if (!current || (uid !== undefined && current.metadata.uid !== uid)) return;
      const status = current.status as { conditions?: unknown[]; observedGeneration?: number } | undefined;
      if ((status?.conditions?.length ?? 0) > 0 || status?.observedGeneration !== undefined) return;
      const seconds = Math.round(timeout / 1000);
      this.clock.fail(
        new LiveError(
          `no Knative controller acted on ${objectReference(resource, name)}: it has no status ${seconds} s after it was applied. Is Knative Serving's controller running? (kubectl -n knative-serving get pods; kubectl -n knative-serving logs deploy/controller)`,
        ),
      );
    });
  }

  /** Stops load, samples and watches (the log stays open for the `end` line). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clock.close();
    this.shadow?.stop();
    this.watches.stop();
    this.lifecycles.stop();
    this.traffic.close();
  }

  /**
   * Deletes what this run created, newest first, each only if it still carries this run's label;
   * then anything else of the same types that carries the label and has no owner (an apply whose
   * answer was lost); then restores the knative-serving ConfigMaps it changed.
   * Returns one line per deleted or restored object.
   */
  async cleanup(): Promise<string[]> {
    await this.close();
    return this.objects.cleanup();
  }
}

function newRunId(): string {
  const d = new Date();
  const stamp = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
