/**
 * The KPA for one revision, as a host of the model: the metric windows the collector fills, the
 * decider ticked by the autoscaler machine every 2 s (or when poked), and the PodAutoscaler
 * reconciler that turns decisions into replicas, PA conditions and the SKS.
 *
 * Every rule is the model's (src/model/kpa, src/model/rules/sks.ts) and every mode is a machine's
 * (src/model/machines): the PodAutoscaler machine owns the PA's Active state and the decider's
 * panic, the SKS machine owns Proxy/Serve. This class keeps what the rules need between calls
 * (windows, decider state), sends the machines what the rules found, and performs the side
 * effects they ask for: store writes, the data plane's routing, log events.
 */
import type { Deployment, PodAutoscaler, Revision, ServerlessService } from '../../model/api/types.js';
import { ACTIVATOR_FIRST_REQUEST_STAT, containerConcurrencyOf } from '../../model/dataplane.js';
import type { KpaScaleInputs, KpaTickContext, KpaTickEvent, StatEvent } from '../../model/events.js';
import {
  computeScale,
  type DeciderSpec,
  type DeciderState,
  type DeciderWindows,
  type DecisionRecord,
  decide,
  explainDecision,
  explainScale,
  idleUntilRecorded,
  METRIC_RPS,
  minReadyPods,
  newDeciderState,
  newDeciderWindows,
  numActivators,
  observeWindows,
  resolveDeciderSpec,
  type ScaleDecision,
  type SKSMode,
  type Stat,
  shouldPoke,
  shouldTriggerReconcile,
  sksModeFor,
  statValues,
  updateDeciderWindows,
} from '../../model/kpa/index.js';
import {
  type AutoscalerEmitted,
  type AutoscalerEvent,
  autoscalerMachine,
  EMITTED_POKE_TICK,
  POKE,
  pokeTicks,
  TICK_INTERVAL_MS,
} from '../../model/machines/autoscaler.js';
import {
  type ActiveConditionSet,
  isPanicking,
  paScaledStep,
  paStateOf,
  podAutoscalerMachine,
} from '../../model/machines/podAutoscaler.js';
import { type SksEvent, type SksSnapshot, sksMachine, sksModeOf, sksReconcileMoves } from '../../model/machines/sks.js';
import {
  applyConditions,
  type ConditionUpdate,
  conditionsIdempotent,
  getCondition,
  PODAUTOSCALER_CONDITION_SET,
  paScaleTargetInitialized,
  paSksReady,
} from '../../model/rules/conditions.js';
import { deploymentName, privateServiceName } from '../../model/rules/naming.js';
import { reachabilityOf } from '../../model/rules/routing.js';
import {
  activatorEndpointsCondition,
  activatorSubset,
  newServerlessService,
  SKS_CONDITION_SET,
  sksReadyCondition,
} from '../../model/rules/sks.js';
import { parseIso } from '../../model/rules/time.js';
import { ActorFailures, type SnapshotView } from '../actors.js';
import type { SimContext } from '../context.js';
import { ownerRef } from '../context.js';
import type { RevisionDataplane } from '../dataplane/revision.js';
import type { ActorClock, Engine } from '../engine.js';
import { MachineHost, ownListener, ownSettled, RestingMachine } from '../machineHost.js';
import { T } from '../types.js';
import type { ClusterConfig } from './clusterConfig.js';
import { UnchangedStatus } from './statusMemo.js';

/**
 * The delay from `nowMs` to the first tick of the grid `lastTickMs + k·interval` after `nowMs`,
 * and that tick's time. The grid times are summed one interval at a time, as a clock re-armed at
 * each tick computes them (the same doubles). The delay is exact (nowMs + delay is the tick's
 * time) when nowMs ≥ interval: the difference of two doubles within a factor of two is exact.
 */
export function nextTickDelay(
  lastTickMs: number,
  nowMs: number,
  interval = TICK_INTERVAL_MS,
): { delayMs: number; atMs: number } {
  let at = lastTickMs;
  while (at <= nowMs) at += interval;
  return { delayMs: at - nowMs, atMs: at };
}

/**
 * The PodAutoscaler's and the SKS's machines have no timer (an actor of theirs ran without the
 * engine's clock): a clock that refuses one, so that a timer added to them fails loudly here.
 */
const NO_TIMERS: ActorClock = {
  setTimeout: () => {
    throw new Error('the PodAutoscaler and SKS machines are hosted without a clock');
  },
  clearTimeout: () => {},
};

/**
 * The hosts of every revision's PodAutoscaler and SKS machines (no actor each: src/sim/machineHost.ts);
 * each machine's own listener is told what it emits.
 */
const paHost = new MachineHost(podAutoscalerMachine, () => NO_TIMERS, ownListener);
const sksHost = new MachineHost(sksMachine, () => NO_TIMERS, ownListener);

/**
 * The host of a run's autoscaler tickers (one per engine: its timers are the engine's). After
 * each timer's transition the ticker's own `settled` sends what its tick decided (see `toTicker`).
 */
const tickerHosts = new WeakMap<Engine, MachineHost<typeof autoscalerMachine>>();

function tickerHostOf(engine: Engine): MachineHost<typeof autoscalerMachine> {
  let host = tickerHosts.get(engine);
  if (!host) {
    const { clock } = engine;
    // Its guards, delays and emits read only the context and the event: a still transition (the
    // timer's tick: emit it, arm the next) is repeated without XState (see `repeatStill`).
    host = new MachineHost(autoscalerMachine, () => clock, ownListener, { settled: ownSettled, repeatStill: true });
    tickerHosts.set(engine, host);
  }
  return host;
}

/** What a tick sends the ticker when its decider can only say "no data" until the next stat. */
const IDLE: AutoscalerEvent = Object.freeze({ type: 'autoscaler.idle' });

/** How often the KPA's asynchronous activator probe retries (reference §4). */
const PROBE_RETRY_MS = 1_000;

export interface ReadyPodCounter {
  readyPods(): number;
}

export class RevisionAutoscaler {
  spec: DeciderSpec;
  /** Bumped with each spec change; logged with the decisions and scale steps that used it. */
  private specVersion = 1;
  private windows: DeciderWindows;
  private decider: DeciderState;
  /** The decider's loop (the autoscaler machine, hosted without an actor on the engine's clock). */
  private readonly ticker: RestingMachine<typeof autoscalerMachine>;
  /**
   * What a tick decided to send the ticker (its `autoscaler.idle`), sent once the tick's
   * transition is over: the host has no mailbox (src/sim/machineHost.ts), and an event sent from
   * the tick's listener would be taken before the rest of the tick's actions (the timer it re-arms).
   */
  private toTicker: AutoscalerEvent | undefined;
  private readonly pa: RestingMachine<typeof podAutoscalerMachine>;
  /** Made with the SKS object (the first reconcile); until then the revision is in Proxy mode. */
  private sks: RestingMachine<typeof sksMachine> | undefined;
  private requeue: ReturnType<SimContext['engine']['after']> | null = null;
  private lastScale: ScaleDecision | undefined;
  private lastScaleAtMs: number | null = null;
  /** The Active condition the PA machine set while handling the current `pa.scaled`. */
  private activeUpdate: ConditionUpdate | undefined;
  /** A reconcile is running inside a decider tick (its scale step is logged as such). */
  private inTick = false;
  /** The last valid decision (what Knative's autoscaler exports as its metrics). */
  lastDecision: DecisionRecord | undefined;
  /** Errors of the machines and of this class's listeners, thrown where they happened. */
  private readonly failures = new ActorFailures();
  /** The PodAutoscaler's and the SKS's status writes that would change nothing (see UnchangedStatus). */
  private readonly paStatus = new UnchangedStatus();
  private readonly sksStatus = new UnchangedStatus();
  /** How the log names the revision (`namespace/name` outside the run's namespace). */
  private readonly logName: string;
  /** The time of the ticker's last timer tick (its start before the first): the grid it keeps. */
  private lastTimerTickMs: number;
  /** The ticker's one listener of its ticks (a poke's tick is handed to it directly, see `record`). */
  private readonly onTick: (e: AutoscalerEmitted) => void;

  constructor(
    private readonly ctx: SimContext,
    private readonly config: () => ClusterConfig,
    readonly namespace: string,
    readonly revision: string,
    private readonly dataplane: RevisionDataplane,
    private readonly pods: ReadyPodCounter,
  ) {
    this.logName = ctx.logName(namespace, revision);
    this.lastTimerTickMs = ctx.now();
    this.spec = this.resolveSpec();
    this.windows = newDeciderWindows(this.spec);
    const readyPods = this.pods.readyPods();
    this.decider = newDeciderState(this.spec, readyPods, ctx.now());
    this.logSpec(readyPods);
    const { failures } = this;
    const panicking = this.decider.panicTimeMs !== null;
    this.pa = new RestingMachine(
      paHost,
      { revision, panicking },
      failures.listener((e) => {
        if (e.type === 'pa.active') this.activeUpdate = activeUpdateOf(e);
        else this.ctx.emit({ t: this.ctx.now(), type: 'panic', revision: this.logName, panicking: e.panicking });
      }),
    );
    // What a tick throws comes out of the ticker's send, or of the engine's callback of its timer.
    const onTick = (e: AutoscalerEmitted): void => {
      if (e.reason === 'timer') this.lastTimerTickMs = this.ctx.now();
      this.tick();
    };
    this.onTick = onTick;
    // A tick runs inside the ticker's transition: once its timer's transition is over, the tick's
    // decision is sent and the machines can rest.
    this.ticker = new RestingMachine(tickerHostOf(ctx.engine), { revision }, onTick, () => this.settle());
    failures.throwIfAny();
  }

  /** The KPA's last want (−1 when it had none), as Knative exports it as requested pods. */
  get want(): number | undefined {
    return this.lastScale?.want;
  }

  /** Whether the decider is panicking (the PodAutoscaler machine's decider region). */
  get inPanic(): boolean {
    return isPanicking(this.pa.snapshot());
  }

  /** The SKS mode (the SKS machine's state; Proxy before the SKS exists). */
  get sksMode(): SKSMode {
    return this.sks ? sksModeOf(this.sks.snapshot()) : 'Proxy';
  }

  private get stopped(): boolean {
    return this.ticker.snapshot().status !== 'active';
  }

  /** The ticker sleeps (the autoscaler machine's `idle`): woken by a stat or a new spec. */
  private get asleep(): boolean {
    return this.ticker.snapshot().value === 'idle';
  }

  stop(): void {
    this.ticker.send({ type: 'autoscaler.stop' });
    this.ticker.stop();
    this.pa.stop();
    this.sks?.stop();
    this.ctx.engine.cancel(this.requeue);
  }

  /**
   * What the spec was last resolved from: the Revision's spec, annotations and labels (the
   * reachability label) and the cluster config. The spec is a function of these; a ConfigMap
   * change makes a new config, and a write of the Revision's metadata or spec new objects of
   * them, while a status write (1,203 of a diurnal-24h day) keeps all three.
   */
  private specFrom: SpecSources | undefined;

  private resolveSpec(): DeciderSpec {
    const rev = this.ctx.store.get<Revision>(T.revision, this.namespace, this.revision);
    const config = this.config();
    this.specFrom = specSources(rev, config);
    return resolveDeciderSpec({
      config: config.autoscaler,
      annotations: rev?.metadata.annotations ?? {},
      containerConcurrency: containerConcurrencyOf(rev?.spec),
      reachability: rev ? reachabilityOf(rev) : '',
      deployment: config.deployment,
    });
  }

  /**
   * Re-reads config, annotations and reachability (they can change while the revision lives).
   * The windows follow the Metric (`updateDeciderWindows`); the decider keeps its state, as
   * Knative's Update only swaps the spec.
   */
  refreshSpec(): void {
    const from = this.specFrom;
    if (
      from &&
      sameSources(from, this.ctx.store.get<Revision>(T.revision, this.namespace, this.revision), this.config())
    ) {
      return;
    }
    const next = this.resolveSpec();
    if (sameSpec(next, this.spec)) return;
    this.windows = updateDeciderWindows(this.windows, this.spec, next, this.ctx.now());
    this.spec = next;
    this.specVersion++;
    this.logSpec();
    this.wake();
  }

  /**
   * Resumes a sleeping ticker on its grid. Its skipped ticks would each have said "no data" and
   * changed nothing; the next one comes at the grid time it would have come at anyway.
   */
  private wake(): void {
    if (!this.asleep) return;
    const now = this.ctx.now();
    const { delayMs, atMs } = nextTickDelay(this.lastTimerTickMs, now);
    if (now + delayMs !== atMs) throw new Error(`autoscaler ${this.logName}: tick grid lost at ${now} ms`);
    this.ticker.send({ type: 'autoscaler.wake', delayMs });
  }

  /** The spec as a `kpa.spec` event (only when the log is read: a written log always is). */
  private logSpec(readyPods?: number): void {
    if (!this.ctx.log.wants('kpa.spec')) return;
    this.ctx.emit({
      t: this.ctx.now(),
      type: 'kpa.spec',
      revision: this.logName,
      version: this.specVersion,
      spec: this.spec,
      ...(readyPods !== undefined ? { readyPods } : {}),
    });
  }

  // ---- the collector (reference §2) ----

  /**
   * One stat from the scraper or the activator. Like Knative's autoscaler, every stat is
   * recorded (net of proxied requests, `statValues`) and then offered to Poke: a non-zero
   * concurrency for a revision whose last decision was 0 makes the decider tick at once.
   */
  record(stat: Stat, source: StatEvent['source']): void {
    const now = this.ctx.now();
    if (this.ctx.log.wants('stat')) {
      this.ctx.emit({ t: now, type: 'stat', revision: this.logName, source, ...stat });
    }
    const values = statValues(stat);
    const value = this.spec.metric === METRIC_RPS ? values.rps : values.concurrency;
    this.windows.stable.record(now, value);
    this.windows.panic.record(now, value);
    this.wake();
    if (!this.stopped && shouldPoke(this.decider.desiredScale, stat.averageConcurrency)) {
      // A poke only emits a tick to `onTick` (pokeTicks): handed to it without the event.
      if (pokeTicks(this.ticker)) this.onTick(EMITTED_POKE_TICK);
      else this.ticker.send(POKE);
      this.settle();
    }
  }

  /** After a tick's transition: sends the ticker what the tick decided, then rests if asleep. */
  private settle(): void {
    const event = this.toTicker;
    if (event) {
      this.toTicker = undefined;
      this.ticker.send(event);
    }
    this.restIfAsleep();
  }

  /**
   * A sleeping ticker's machines (ticker, PodAutoscaler, SKS) keep only their snapshots until a
   * stat or a new spec wakes it (called once the ticker's event is over, never inside it).
   */
  private restIfAsleep(): void {
    if (!this.asleep) return;
    this.ticker.rest();
    this.pa.rest();
    this.sks?.rest();
    // Asleep means the stable window is empty; the panic window (shorter) is too, or keeps its buckets.
    const now = this.ctx.now();
    this.windows.stable.rest(now);
    this.windows.panic.rest(now);
  }

  /** The activator's immediate stat on a first request (concurrency 1): pokes the decider at zero. */
  firstRequest(): void {
    this.record(ACTIVATOR_FIRST_REQUEST_STAT, 'activator');
  }

  // ---- the decider ----

  private tick(): void {
    if (this.stopped) return;
    const now = this.ctx.now();
    const readyPods = this.pods.readyPods();
    const spec = this.spec;
    const specVersion = this.specVersion;
    const observation = observeWindows(
      this.windows.stable,
      this.windows.panic,
      readyPods,
      now,
      spec.targetBurstCapacity !== -1,
    );
    const previous = this.decider;
    const decision = decide(spec, previous, observation, now);
    this.decider = decision.state;
    const record = decision.record;
    if (record.valid) this.lastDecision = record;
    if (record.panicEntered || record.panicExited) {
      this.pa.send({ type: record.panicEntered ? 'decider.panicked' : 'decider.calmed' });
      this.failures.throwIfAny();
    }
    const reconciled = decision.result.valid && shouldTriggerReconcile(previous, decision.state);
    if (reconciled) {
      this.inTick = true;
      try {
        this.reconcile();
      } finally {
        this.inTick = false;
      }
    }
    // The event's context and explanation cost store reads and text: built only for a reader
    // (a kept or streamed log, or a listener of kpa.tick events). Nothing else depends on them.
    if (!this.ctx.log.wants('kpa.tick')) {
      // Nobody reads ticks, and until the next stat each would be this "no data" one: sleep.
      // (Not before the grid's first 2 s: the resumed tick's time must be exact, see wake.)
      if (
        !reconciled &&
        this.lastTimerTickMs >= TICK_INTERVAL_MS &&
        idleUntilRecorded(this.windows.stable, now, spec.targetBurstCapacity !== -1)
      ) {
        this.toTicker = IDLE;
      }
      return;
    }
    const context = this.tickContext(now, readyPods, reconciled);
    const explain = explainDecision(record, reconciled ? this.lastScale : undefined);
    if (!reconciled && this.lastScale) {
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
      revision: this.logName,
      decision: { ...record },
      ...(this.lastScale ? { scale: { ...this.lastScale } } : {}),
      explain,
      context,
      specVersion,
    };
    this.ctx.emit(event);
  }

  /** The PA, SKS and Deployment as they are now, for the tick event. */
  private tickContext(now: number, readyPods: number, reconciled: boolean): KpaTickContext {
    const pa = this.ctx.store.get<PodAutoscaler>(T.podAutoscaler, this.namespace, this.revision);
    const active = getCondition(pa?.status?.conditions, 'Active');
    const since = active?.lastTransitionTime ? parseIso(active.lastTransitionTime) : now;
    const deployment = this.ctx.store.get<Deployment>(T.deployment, this.namespace, deploymentName(this.revision));
    const sks = this.ctx.store.get<ServerlessService>(T.sks, this.namespace, this.revision);
    const sksMode = this.sksMode;
    return {
      readyPods,
      replicas: deployment?.spec.replicas ?? 0,
      paState: paStateOf(this.pa.snapshot()),
      paStateForMs: Math.max(0, now - since),
      sksMode,
      activatorInPath: sksMode === 'Proxy',
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
    const sksMachineNow = this.sksSnapshot();
    const readyPods = this.pods.readyPods();
    const depName = deploymentName(this.revision);
    const deployment = ctx.store.get<Deployment>(T.deployment, this.namespace, depName);
    const active = getCondition(pa.status?.conditions, 'Active');
    const initialized = getCondition(pa.status?.conditions, 'ScaleTargetInitialized')?.status === 'True';
    const sksMode = sksModeOf(sksMachineNow);
    const inputs: KpaScaleInputs = {
      desired: this.decider.desiredScale,
      paState: paStateOf(this.pa.snapshot()),
      // The Active condition's lastTransitionTime, as Knative reads "active for" / "inactive for".
      paStateSinceMs: active?.lastTransitionTime ? parseIso(active.lastTransitionTime) : now,
      scaleTargetInitialized: initialized,
      currentReplicas: deployment?.spec.replicas ?? 0,
      sksMode,
      proxySinceMs: sksMachineNow.context.proxySinceMs,
      activatorProbeOk: sksMode === 'Proxy',
      nowMs: now,
    };
    const scale = computeScale({ spec: this.spec, ...inputs });
    this.lastScale = scale;
    this.lastScaleAtMs = now;
    if (ctx.log.wants('kpa.scale')) {
      ctx.emit({
        t: now,
        type: 'kpa.scale',
        revision: this.logName,
        specVersion: this.specVersion,
        ...(this.inTick ? { byTick: true } : {}),
        inputs,
        scale: { ...scale },
      });
    }

    if (scale.apply && scale.replicas !== undefined && deployment) {
      const from = deployment.spec.replicas ?? 0;
      ctx.store.update({ ...deployment, spec: { ...deployment.spec, replicas: scale.replicas } });
      ctx.emit({ t: now, type: 'scale', revision: this.logName, from, to: scale.replicas, reason: scale.gate });
    }

    const minReady = minReadyPods(this.spec, initialized);
    this.activeUpdate = undefined;
    const scaled = { type: 'pa.scaled', want: scale.want, readyPods, minReady } as const;
    const step = paScaledStep(this.pa.snapshot(), scaled);
    if (step.moves) {
      // The machine moves: it emits the condition (pa.active sets activeUpdate).
      this.pa.send(scaled);
      this.failures.throwIfAny();
    } else if (step.condition) {
      // The state stays and the machine would only emit this condition: left out (a resting PA stays at rest).
      this.activeUpdate = activeUpdateOf(step.condition);
    }
    const updates: (ConditionUpdate | undefined)[] = [this.activeUpdate];
    this.activeUpdate = undefined;
    const serviceName = sks.status?.serviceName ?? this.revision;
    updates.push(paScaleTargetInitialized(readyPods, minReady, serviceName));
    updates.push(paSksReady(getCondition(sks.status?.conditions, 'Ready')));
    const previousDesired = pa.status?.desiredScale;
    const desiredScale =
      scale.want < 0 && previousDesired !== undefined && previousDesired >= 0 ? previousDesired : scale.want;
    const statusInputs = [pa.metadata.generation, serviceName, desiredScale, readyPods, ...updates];
    const makeStatus = () => ({
      observedGeneration: pa.metadata.generation,
      conditions: applyConditions(PODAUTOSCALER_CONDITION_SET, pa.status?.conditions, updates, ctx.timestamp()),
      serviceName,
      metricsServiceName: privateServiceName(this.revision),
      ...(desiredScale >= 0 ? { desiredScale } : {}),
      actualScale: readyPods,
    });
    const storedPa = ctx.store.get<PodAutoscaler>(T.podAutoscaler, this.namespace, this.revision)?.status;
    if (this.paStatus.unchanged(storedPa, pa.status, statusInputs)) {
      UnchangedStatus.verify?.('PodAutoscaler', storedPa, makeStatus);
    } else {
      const after = ctx.store.updateStatus<PodAutoscaler>(T.podAutoscaler, this.namespace, this.revision, makeStatus());
      this.paStatus.wrote(pa.status, after.status, statusInputs, conditionsIdempotent(updates));
    }

    this.updateSks(sks, scale.want, readyPods);

    const again = scale.startProbe ? PROBE_RETRY_MS : scale.requeueAfterMs;
    // A requeue already due sooner stands: the workqueue's AddAfter keeps an item's earliest time
    // (client-go delaying_queue), so a reconcile in between does not put off the activation timeout.
    if (again !== undefined && again > 0 && this.requeue?.fn && this.requeue.at <= ctx.now() + again) return;
    this.ctx.engine.cancel(this.requeue);
    this.requeue = null;
    if (again !== undefined && again > 0) {
      this.requeue = ctx.engine.after(again, () => {
        this.requeue = null;
        this.reconcile();
      });
    }
  }

  /** The SKS machine's state, resting or not (the machine is made on first use). */
  private sksSnapshot(): SnapshotView<SksSnapshot> {
    return this.sksOf().snapshot();
  }

  private sksOf(): RestingMachine<typeof sksMachine> {
    if (!this.sks) {
      // The SKS is made in Proxy mode, its activator endpoints in place from now on.
      this.sks = new RestingMachine(
        sksHost,
        { revision: this.revision, nowMs: this.ctx.now() },
        this.failures.listener((e) => {
          this.dataplane.setActivatorInPath(e.mode === 'Proxy');
        }),
      );
      this.failures.throwIfAny();
    }
    return this.sks;
  }

  private ensureSks(pa: PodAutoscaler): ServerlessService {
    const existing = this.ctx.store.get<ServerlessService>(T.sks, this.namespace, this.revision);
    if (existing) return existing;
    const created = this.ctx.store.create<ServerlessService>(newServerlessService(pa, ownerRef(pa), 'Proxy', 2));
    this.followActivators(2);
    this.sksOf();
    return created;
  }

  /** numActivators the data plane's activators last followed (several activators only). */
  private followedActivators = -1;

  /**
   * With several activators, the ones behind the public Service are the SKS reconciler's subset
   * of numActivators (`activatorSubset`); each activator learns its index among them from the
   * public Endpoints. The informers' delay is not modelled: the data plane follows at once.
   */
  private followActivators(activators: number): void {
    if (this.dataplane.activatorCount === 1 || activators === this.followedActivators) return;
    this.followedActivators = activators;
    this.dataplane.setActivatorSubset(activatorSubset(this.dataplane.activatorIps(), activators, this.revision));
  }

  /**
   * The SKS spec the KPA writes (the mode it asks for, `sksModeFor`, and `numActivators`), the
   * mode the SKS machine settles in (the SKS reconciler's rule), and the SKS's Ready condition.
   */
  private updateSks(sks: ServerlessService, want: number, readyPods: number): void {
    const paState = paStateOf(this.pa.snapshot());
    const requested = sksModeFor(want, this.decider.excessBurstCapacity, paState);
    const activators = numActivators({
      readyPods,
      totalValue: this.spec.totalValue,
      targetBurstCapacity: this.spec.targetBurstCapacity,
      activatorCapacity: this.spec.activatorCapacity,
    });
    this.followActivators(activators);
    const before = sksModeOf(this.sksSnapshot());
    const event: SksEvent = {
      type: 'sks.reconcile',
      requested,
      readyEndpoints: readyPods,
      activatorEndpoints: activators,
      nowMs: this.ctx.now(),
    };
    // An event that cannot move the machine is left out (a resting machine stays at rest).
    if (sksReconcileMoves(this.sksSnapshot(), event)) {
      this.sksOf().send(event);
      this.failures.throwIfAny();
    }
    const mode = sksModeOf(this.sksSnapshot());
    if (sks.spec.mode !== mode || sks.spec.numActivators !== activators) {
      this.ctx.store.update({ ...sks, spec: { ...sks.spec, mode, numActivators: activators } });
    }
    const ready = sksReadyCondition(readyPods);
    const activatorBacked = activatorEndpointsCondition(requested, readyPods);
    const statusInputs = [sks.metadata.generation, ready, activatorBacked.status];
    const makeStatus = () => ({
      observedGeneration: sks.metadata.generation,
      serviceName: this.revision,
      privateServiceName: privateServiceName(this.revision),
      conditions: applyConditions(
        SKS_CONDITION_SET,
        sks.status?.conditions,
        [ready, activatorBacked],
        this.ctx.timestamp(),
      ),
    });
    const stored = this.ctx.store.get<ServerlessService>(T.sks, this.namespace, this.revision)?.status;
    if (this.sksStatus.unchanged(stored, sks.status, statusInputs)) {
      UnchangedStatus.verify?.('ServerlessService', stored, makeStatus);
    } else {
      const after = this.ctx.store.updateStatus<ServerlessService>(T.sks, this.namespace, this.revision, makeStatus());
      this.sksStatus.wrote(sks.status, after.status, statusInputs, conditionsIdempotent([ready, activatorBacked]));
    }
    if (mode !== before) {
      this.ctx.emit({ t: this.ctx.now(), type: 'sks', revision: this.logName, mode, activators });
    }
  }
}

/** The PA's Active condition as the status update the reconcile writes. */
function activeUpdateOf(e: ActiveConditionSet): ConditionUpdate {
  return {
    type: 'Active',
    status: e.status,
    ...(e.reason ? { reason: e.reason } : {}),
    ...(e.message ? { message: e.message } : {}),
  };
}

/** Two specs are the same when every field is (they are flat records of plain values). */
function sameSpec(a: DeciderSpec, b: DeciderSpec): boolean {
  for (const key of Object.keys(a) as (keyof DeciderSpec)[]) {
    if (a[key] !== b[key]) return false;
  }
  return true;
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

/** The objects a decider spec is resolved from (see `specFrom`). */
interface SpecSources {
  readonly found: boolean;
  readonly spec: Revision['spec'] | undefined;
  readonly annotations: Revision['metadata']['annotations'];
  readonly labels: Revision['metadata']['labels'];
  readonly config: ClusterConfig;
}

function specSources(rev: Revision | undefined, config: ClusterConfig): SpecSources {
  return {
    found: rev !== undefined,
    spec: rev?.spec,
    annotations: rev?.metadata.annotations,
    labels: rev?.metadata.labels,
    config,
  };
}

function sameSources(from: SpecSources, rev: Revision | undefined, config: ClusterConfig): boolean {
  return (
    from.config === config &&
    from.found === (rev !== undefined) &&
    from.spec === rev?.spec &&
    from.annotations === rev?.metadata.annotations &&
    from.labels === rev?.metadata.labels
  );
}
