/**
 * The KPA for one revision: the metric windows the collector fills, the decider ticked by an
 * autoscaler machine every 2 s (or when poked), and the PodAutoscaler reconciler that turns
 * decisions into replicas, PA conditions and the SKS mode. Every rule is a pure function of
 * src/model/kpa; this class only keeps state between ticks and talks to the store.
 */
import { type Actor, createActor } from 'xstate';
import type { Deployment, PodAutoscaler, Revision, ServerlessService } from '../../model/api/types.js';
import type { KpaTickContext, KpaTickEvent } from '../../model/events.js';
import {
  computeActiveCondition,
  computeScale,
  type DeciderSpec,
  type DeciderState,
  decide,
  explainDecision,
  explainScale,
  MetricWindow,
  minReadyPods,
  newDeciderState,
  numActivators,
  type PAState,
  resolveDeciderSpec,
  type ScaleDecision,
  type SKSMode,
  shouldPoke,
  sksModeFor,
} from '../../model/kpa/index.js';
import { autoscalerMachine } from '../../model/machines/autoscaler.js';
import {
  applyConditions,
  type ConditionUpdate,
  getCondition,
  PODAUTOSCALER_CONDITION_SET,
  paScaleTargetInitialized,
  paSksReady,
} from '../../model/rules/conditions.js';
import { deploymentName, privateServiceName } from '../../model/rules/naming.js';
import { reachabilityOf } from '../../model/rules/routing.js';
import { parseIso } from '../../model/rules/time.js';
import type { SimContext } from '../context.js';
import { ownerRef } from '../context.js';
import type { RevisionDataplane, Stat } from '../dataplane/revision.js';
import { T } from '../types.js';
import type { ClusterConfig } from './clusterConfig.js';

/** How often the KPA's asynchronous activator probe retries (reference §4). */
const PROBE_RETRY_MS = 1_000;

const PA_STATE_OF: Record<string, PAState> = { True: 'Active', Unknown: 'Activating', False: 'Inactive' };

export interface ReadyPodCounter {
  readyPods(): number;
}

/**
 * What the KPA and the data plane looked like right after a tick, written with it (as the
 * `context` field of the `kpa.tick` event) so that a log explains itself: `knsim explain` reads it.
 */
export class RevisionAutoscaler {
  spec: DeciderSpec;
  private stable!: MetricWindow;
  private panic!: MetricWindow;
  private state: DeciderState;
  private readonly actor: Actor<typeof autoscalerMachine>;
  private proxySinceMs: number | null = null;
  private sksMode: SKSMode = 'Proxy';
  private requeue: ReturnType<SimContext['engine']['after']> | null = null;
  private lastScale: ScaleDecision | undefined;
  private lastScaleAtMs: number | null = null;
  private stopped = false;
  /** Panic state as last reported, for the log. */
  private panicking = false;

  constructor(
    private readonly ctx: SimContext,
    private readonly config: () => ClusterConfig,
    readonly namespace: string,
    readonly revision: string,
    private readonly dataplane: RevisionDataplane,
    private readonly pods: ReadyPodCounter,
  ) {
    this.spec = this.resolveSpec();
    this.makeWindows();
    this.state = newDeciderState(this.spec, this.pods.readyPods(), ctx.now());
    this.panicking = this.state.panicTimeMs !== null;
    this.actor = createActor(autoscalerMachine, {
      clock: ctx.engine.clock,
      input: { revision, panicking: this.panicking },
    });
    this.actor.on('tick', () => this.tick());
    this.actor.start();
  }

  /** Whether the decider is panicking (for samples). */
  get inPanic(): boolean {
    return this.panicking;
  }

  get mode(): SKSMode {
    return this.sksMode;
  }

  stop(): void {
    this.stopped = true;
    this.actor.send({ type: 'autoscaler.stop' });
    this.ctx.engine.cancel(this.requeue);
  }

  private resolveSpec(): DeciderSpec {
    const rev = this.ctx.store.get<Revision>(T.revision, this.namespace, this.revision);
    const config = this.config();
    return resolveDeciderSpec({
      config: config.autoscaler,
      annotations: rev?.metadata.annotations ?? {},
      containerConcurrency: rev?.spec.containerConcurrency ?? 0,
      reachability: rev ? reachabilityOf(rev) : '',
      deployment: config.deployment,
    });
  }

  private makeWindows(): void {
    this.stable = new MetricWindow(this.spec.stableWindowMs, this.spec.aggregation);
    this.panic = new MetricWindow(this.spec.panicWindowMs, this.spec.aggregation);
  }

  /**
   * Re-reads config, annotations and reachability (they can change while the revision lives).
   * A new window length resizes the windows and keeps their recent data, as Knative's collector
   * does when the Metric changes; a new aggregation algorithm starts them afresh.
   */
  refreshSpec(): void {
    const next = this.resolveSpec();
    const algorithmChanged = next.aggregation !== this.spec.aggregation;
    this.spec = next;
    if (algorithmChanged) {
      this.makeWindows();
      return;
    }
    const now = this.ctx.now();
    this.stable.resize(next.stableWindowMs, now);
    this.panic.resize(next.panicWindowMs, now);
  }

  // ---- the collector (reference §2) ----

  /**
   * One stat from the scraper or the activator, already net of proxied requests. Like Knative's
   * autoscaler, every stat is recorded and then offered to Poke: a non-zero concurrency for a
   * revision whose last decision was 0 makes the decider tick at once.
   */
  record(stat: Stat): void {
    const now = this.ctx.now();
    const value = this.spec.metric === 'rps' ? stat.requests : stat.concurrency;
    this.stable.record(now, value);
    this.panic.record(now, value);
    if (!this.stopped && shouldPoke(this.state.desiredScale, stat.concurrency)) {
      this.actor.send({ type: 'autoscaler.poke' });
    }
  }

  /** The activator's immediate stat on a first request (concurrency 1): pokes the decider at zero. */
  firstRequest(): void {
    this.record({ concurrency: 1, requests: 1 });
  }

  // ---- the decider ----

  private tick(): void {
    if (this.stopped) return;
    const now = this.ctx.now();
    const readyPods = this.pods.readyPods();
    const noScrapeTarget = this.spec.targetBurstCapacity === -1;
    const empty = this.stable.isEmpty(now);
    const observation =
      empty && !noScrapeTarget
        ? { readyPods, error: 'no data' }
        : { readyPods, stable: this.stable.average(now), panic: this.panic.average(now) };
    const previous = this.state;
    const decision = decide(this.spec, previous, observation, now);
    this.state = decision.state;
    const record = decision.record;
    if (record.panicking !== this.panicking) {
      this.panicking = record.panicking;
      this.actor.send({ type: record.panicking ? 'decider.panicked' : 'decider.calmed' });
      this.ctx.emit({ t: now, type: 'panic', revision: this.revision, panicking: record.panicking });
    }
    const valid = decision.result.valid;
    const changed =
      valid &&
      (decision.result.desiredPodCount !== previous.desiredScale ||
        decision.result.excessBurstCapacity >= 0 !== previous.excessBurstCapacity >= 0);
    if (changed) this.reconcile();
    // The event's context and explanation cost store reads and text: built only for a reader
    // (a kept or streamed log, or a listener of kpa.tick events). Nothing else depends on them.
    if (!this.ctx.log.wants('kpa.tick')) return;
    const context = this.tickContext(now, readyPods, changed);
    const explain = explainDecision(record, changed ? this.lastScale : undefined);
    if (!changed && this.lastScale) {
      const lines = explainScale(this.lastScale);
      const at = formatRunTime(this.lastScaleAtMs ?? now);
      explain.push(
        ...lines.map(
          (l) => `KPA not re-run (decision and activator side unchanged); its last scale step, at ${at}: ${l}`,
        ),
      );
    }
    explain.push(describeContext(context));
    const event: KpaTickEvent = {
      t: now,
      type: 'kpa.tick',
      revision: this.revision,
      decision: record as unknown as Record<string, unknown>,
      ...(this.lastScale ? { scale: this.lastScale as unknown as Record<string, unknown> } : {}),
      explain,
      context,
    };
    this.ctx.emit(event);
  }

  /** The PA, SKS and Deployment as they are now, for the tick event. */
  private tickContext(now: number, readyPods: number, reconciled: boolean): KpaTickContext {
    const pa = this.ctx.store.get<PodAutoscaler>(T.podAutoscaler, this.namespace, this.revision);
    const active = getCondition(pa?.status?.conditions, 'Active');
    const paState = PA_STATE_OF[active?.status ?? 'Unknown'] ?? 'Activating';
    const since = active?.lastTransitionTime ? parseIso(active.lastTransitionTime) : now;
    const deployment = this.ctx.store.get<Deployment>(T.deployment, this.namespace, deploymentName(this.revision));
    const sks = this.ctx.store.get<ServerlessService>(T.sks, this.namespace, this.revision);
    return {
      readyPods,
      replicas: deployment?.spec.replicas ?? 0,
      paState,
      paStateForMs: Math.max(0, now - since),
      sksMode: this.sksMode,
      activatorInPath: this.dataplane.activatorInPath,
      activators: sks?.spec.numActivators ?? 0,
      reconciled,
      scaleAtMs: this.lastScaleAtMs,
      minScale: this.spec.reachable ? this.spec.minScale : 0,
      maxScale: this.spec.maxScale,
    };
  }

  // ---- the PodAutoscaler reconciler (reference §4) ----

  reconcile(): void {
    if (this.stopped) return;
    const { ctx } = this;
    const now = ctx.now();
    const pa = ctx.store.get<PodAutoscaler>(T.podAutoscaler, this.namespace, this.revision);
    if (!pa) return;
    this.refreshSpec();
    const sks = this.ensureSks(pa);
    const readyPods = this.pods.readyPods();
    const depName = deploymentName(this.revision);
    const deployment = ctx.store.get<Deployment>(T.deployment, this.namespace, depName);
    const active = getCondition(pa.status?.conditions, 'Active');
    const paState = PA_STATE_OF[active?.status ?? 'Unknown'] ?? 'Activating';
    const paStateSinceMs = active?.lastTransitionTime ? parseIso(active.lastTransitionTime) : now;
    const initialized = getCondition(pa.status?.conditions, 'ScaleTargetInitialized')?.status === 'True';

    const scale = computeScale({
      spec: this.spec,
      desired: this.state.desiredScale,
      paState,
      paStateSinceMs,
      scaleTargetInitialized: initialized,
      currentReplicas: deployment?.spec.replicas ?? 0,
      sksMode: this.sksMode,
      proxySinceMs: this.proxySinceMs,
      activatorProbeOk: this.sksMode === 'Proxy',
      nowMs: now,
    });
    this.lastScale = scale;
    this.lastScaleAtMs = now;

    if (scale.apply && scale.replicas !== undefined && deployment) {
      const from = deployment.spec.replicas ?? 0;
      ctx.store.update({ ...deployment, spec: { ...deployment.spec, replicas: scale.replicas } });
      ctx.emit({ t: now, type: 'scale', revision: this.revision, from, to: scale.replicas, reason: scale.gate });
    }

    const minReady = minReadyPods(this.spec, initialized);
    const activeCondition = computeActiveCondition({ want: scale.want, readyPods, minReady, paState });
    const updates: (ConditionUpdate | undefined)[] = [];
    if (!activeCondition.unchanged) {
      updates.push({
        type: 'Active',
        status: activeCondition.status,
        ...(activeCondition.reason ? { reason: activeCondition.reason } : {}),
        ...(activeCondition.message ? { message: activeCondition.message } : {}),
      });
    }
    const serviceName = sks.status?.serviceName ?? this.revision;
    updates.push(paScaleTargetInitialized(readyPods, minReady, serviceName));
    updates.push(paSksReady(getCondition(sks.status?.conditions, 'Ready')));
    const conditions = applyConditions(PODAUTOSCALER_CONDITION_SET, pa.status?.conditions, updates, ctx.timestamp());
    const previousDesired = pa.status?.desiredScale;
    const desiredScale =
      scale.want < 0 && previousDesired !== undefined && previousDesired >= 0 ? previousDesired : scale.want;
    ctx.store.updateStatus(T.podAutoscaler, this.namespace, this.revision, {
      observedGeneration: pa.metadata.generation,
      conditions,
      serviceName,
      metricsServiceName: privateServiceName(this.revision),
      ...(desiredScale >= 0 ? { desiredScale } : {}),
      actualScale: readyPods,
    });

    this.updateSks(sks, scale.want, readyPods);

    this.ctx.engine.cancel(this.requeue);
    this.requeue = null;
    const again = scale.startProbe ? PROBE_RETRY_MS : scale.requeueAfterMs;
    if (again !== undefined && again > 0) {
      this.requeue = ctx.engine.after(again, () => {
        this.requeue = null;
        this.reconcile();
      });
    }
  }

  private ensureSks(pa: PodAutoscaler): ServerlessService {
    const existing = this.ctx.store.get<ServerlessService>(T.sks, this.namespace, this.revision);
    if (existing) return existing;
    const created = this.ctx.store.create<ServerlessService>({
      apiVersion: 'networking.internal.knative.dev/v1alpha1',
      kind: 'ServerlessService',
      metadata: {
        name: this.revision,
        namespace: this.namespace,
        labels: { ...(pa.metadata.labels ?? {}) },
        ownerReferences: [ownerRef(pa)],
      },
      spec: {
        mode: 'Proxy',
        numActivators: 2,
        objectRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName(this.revision) },
        protocolType: 'http1',
      },
    });
    this.setMode('Proxy');
    return created;
  }

  /**
   * SKS mode (reference §4): Serve only when pods are wanted and the excess burst capacity is
   * non-negative; the SKS reconciler forces Proxy while the private service has no ready pod.
   */
  private updateSks(sks: ServerlessService, want: number, readyPods: number): void {
    const paState =
      PA_STATE_OF[
        getCondition(
          this.ctx.store.get<PodAutoscaler>(T.podAutoscaler, this.namespace, this.revision)?.status?.conditions,
          'Active',
        )?.status ?? 'Unknown'
      ];
    let mode = sksModeFor(want, this.state.excessBurstCapacity, paState);
    if (readyPods === 0) mode = 'Proxy';
    const activators = numActivators({
      readyPods,
      totalValue: this.spec.totalValue,
      targetBurstCapacity: this.spec.targetBurstCapacity,
      activatorCapacity: this.spec.activatorCapacity,
    });
    if (sks.spec.mode !== mode || sks.spec.numActivators !== activators) {
      this.ctx.store.update({ ...sks, spec: { ...sks.spec, mode, numActivators: activators } });
    }
    const readyCondition =
      readyPods > 0
        ? { type: 'Ready', status: 'True' as const }
        : { type: 'Ready', status: 'Unknown' as const, reason: 'NoHealthyBackends', message: 'No healthy backends' };
    this.ctx.store.updateStatus(T.sks, this.namespace, this.revision, {
      observedGeneration: sks.metadata.generation,
      serviceName: this.revision,
      privateServiceName: privateServiceName(this.revision),
      conditions: applyConditions(
        { happy: 'Ready', dependents: [] },
        sks.status?.conditions,
        [readyCondition],
        this.ctx.timestamp(),
      ),
    });
    if (mode !== this.sksMode) {
      this.setMode(mode);
      this.ctx.emit({ t: this.ctx.now(), type: 'sks', revision: this.revision, mode, activators });
    }
  }

  private setMode(mode: SKSMode): void {
    this.sksMode = mode;
    this.dataplane.activatorInPath = mode === 'Proxy';
    if (mode === 'Proxy') this.proxySinceMs ??= this.ctx.now();
    else this.proxySinceMs = null;
  }
}

/** Milliseconds as seconds with at most one decimal: `64 s`, `122.5 s`. */
function formatRunTime(ms: number): string {
  const s = Math.round(ms / 100) / 10;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** One line with the KPA's and the data plane's state after a tick. */
export function describeContext(c: KpaTickContext): string {
  const pa = `PA ${c.paState} for ${formatRunTime(c.paStateForMs)}`;
  const sks =
    c.sksMode === 'Proxy'
      ? `SKS Proxy (the activator is in the path, ${c.activators} activators)`
      : 'SKS Serve (requests go straight to the pods)';
  const bounds =
    c.minScale > 0 || c.maxScale > 0 ? `, bounds [${c.minScale}, ${c.maxScale > 0 ? c.maxScale : 'unlimited'}]` : '';
  return `state: ${pa}; ${sks}; deployment ${c.replicas} replica${c.replicas === 1 ? '' : 's'}, ${c.readyPods} ready${bounds}`;
}
