/**
 * The HPA class for one revision, as a host of the model: Knative's HPA reconciler (the
 * HorizontalPodAutoscaler made from the PodAutoscaler, the SKS always in Serve mode, the PA
 * Active and initialized once its pods serve) and kube-controller-manager's HPA controller (the
 * model's lifecycle machine src/model/machines/hpa.ts, every 15 s, on the metrics a
 * metrics-server would give: each pod's CPU rate over the last sync period and its memory).
 * No scale to zero: the HPA's minimum is at least 1.
 */
import type { Deployment, Pod, PodAutoscaler, ServerlessService } from '../../model/api/types.js';
import { containerRequests } from '../../model/cluster/containers.js';
import { hpaSyncDecision } from '../../model/events.js';
import type { HpaHistory } from '../../model/hpa/behavior.js';
import type { HpaCondition, HpaSync } from '../../model/hpa/reconcile.js';
import type { HpaPod } from '../../model/hpa/replicas.js';
import { type HpaSpec, hpaInputsFor, hpaSpec } from '../../model/hpa/spec.js';
import type { Stat } from '../../model/kpa/index.js';
import { type HpaEmitted, type HpaMachineEvent, type HpaObservation, hpaMachine } from '../../model/machines/hpa.js';
import {
  applyConditions,
  getCondition,
  PODAUTOSCALER_CONDITION_SET,
  paScaleTargetInitialized,
  paSksReady,
} from '../../model/rules/conditions.js';
import { LABEL_REVISION } from '../../model/rules/labels.js';
import { deploymentName, privateServiceName } from '../../model/rules/naming.js';
import {
  activatorEndpointsCondition,
  newServerlessService,
  SKS_CONDITION_SET,
  sksReadyCondition,
} from '../../model/rules/sks.js';
import { parseIso } from '../../model/rules/time.js';
import type { SimContext } from '../context.js';
import { ownerRef } from '../context.js';
import type { RevisionDataplane } from '../dataplane/revision.js';
import type { Engine } from '../engine.js';
import { MachineHost, ownListener, ownSettled, RestingMachine } from '../machineHost.js';
import type { EventRecorder } from '../recorder.js';
import { T } from '../types.js';
import type { ClusterConfig } from './clusterConfig.js';

export const HPAS = 'horizontalpodautoscalers.autoscaling';
const SOURCE = { component: 'horizontal-pod-autoscaler' };

/**
 * The host of a run's HPA machines (one per engine: their sync timers are the engine's). After
 * each timer's transition the machine's own `settled` sends it what its listener observed.
 */
const hpaHosts = new WeakMap<Engine, MachineHost<typeof hpaMachine>>();

function hpaHostOf(engine: Engine): MachineHost<typeof hpaMachine> {
  let host = hpaHosts.get(engine);
  if (!host) {
    const { clock } = engine;
    host = new MachineHost(hpaMachine, () => clock, ownListener, { settled: ownSettled });
    hpaHosts.set(engine, host);
  }
  return host;
}

export interface ReadyPods {
  readyPods(): number;
}

export class HpaAutoscaler {
  /** What autoscaler views show: the HPA's metric; it never panics and makes no KPA decision. */
  readonly spec: { metric: string };
  readonly inPanic = false;
  readonly lastDecision = undefined;
  want = -1;
  /** kube-controller-manager's loop for this HPA (the HPA machine, hosted without an actor: it never rests). */
  private readonly machine: RestingMachine<typeof hpaMachine>;
  /**
   * The observation the machine asked for, sent to it once the transition that asked is over (the
   * host has no mailbox: src/sim/machineHost.ts; an actor took it after its sync timer was re-armed).
   */
  private toMachine: HpaMachineEvent | undefined;
  private readonly logName: string;
  /** Each pod's CPU time (core-ms) at the last sync, for its rate (the metrics-server's view). */
  private readonly lastCpu = new Map<string, { coreMs: number; atMs: number }>();
  /** What the sync under way was given: logged with its decision (`hpa.sync`). */
  private observed: { observation: HpaObservation; history: HpaHistory | undefined } | undefined;

  constructor(
    private readonly ctx: SimContext,
    private readonly config: () => ClusterConfig,
    readonly namespace: string,
    readonly revision: string,
    private readonly dataplane: RevisionDataplane,
    private readonly pods: ReadyPods,
    private readonly recorder: EventRecorder,
  ) {
    this.logName = ctx.logName(namespace, revision);
    // The SKS is in Serve mode from the start: the activator is never in an HPA revision's path.
    dataplane.setActivatorInPath(false);
    this.spec = { metric: this.hpaSpec()?.metrics[0]?.resource.name ?? 'cpu' };
    // What the machine's rules or these listeners throw comes out of its send, or of the engine's
    // callback of its timer.
    const listener = (e: HpaEmitted): void => {
      if (e.type === 'observe') {
        const observation = this.observe();
        if (!observation) return;
        this.observed = { observation, history: this.machine.snapshot().context.history };
        this.toMachine = { type: 'hpa.observed', observation };
      } else {
        this.logSync(e.sync);
        this.apply(e.sync);
      }
    };
    this.machine = new RestingMachine(hpaHostOf(ctx.engine), { name: revision }, listener, () => this.settle());
    // A new HPA is synced at once: its first `observe` came with the machine's start.
    this.settle();
  }

  /** Sends the machine the observation it asked for, once the transition that asked is over. */
  private settle(): void {
    const event = this.toMachine;
    if (!event) return;
    this.toMachine = undefined;
    this.machine.send(event);
  }

  record(_stat: Stat, _source: string): void {}

  firstRequest(): void {}

  refreshSpec(): void {}

  /** Its revision is gone: the HPA machine's loop was stopped. */
  private get stopped(): boolean {
    const snapshot = this.machine.snapshot();
    return snapshot.status !== 'active' || (snapshot.value as { loop: string }).loop === 'stopped';
  }

  stop(): void {
    this.machine.send({ type: 'hpa.stop' });
    this.machine.stop();
  }

  private hpaSpec(): HpaSpec | undefined {
    const pa = this.ctx.store.get<PodAutoscaler>(T.podAutoscaler, this.namespace, this.revision);
    if (!pa) return undefined;
    return hpaSpec(
      hpaInputsFor(pa.metadata.annotations ?? {}, this.config().autoscaler, deploymentName(this.revision)),
    );
  }

  // ---- Knative's HPA reconciler ----

  reconcile(): void {
    if (this.stopped) return;
    const { ctx } = this;
    const pa = ctx.store.get<PodAutoscaler>(T.podAutoscaler, this.namespace, this.revision);
    if (!pa) return;
    const spec = this.hpaSpec()!;
    const hpa = ctx.store.get(HPAS, this.namespace, this.revision);
    if (!hpa) {
      ctx.store.create({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: {
          name: this.revision,
          namespace: this.namespace,
          labels: { ...(pa.metadata.labels ?? {}) },
          annotations: { ...(pa.metadata.annotations ?? {}) },
          ownerReferences: [ownerRef(pa)],
        },
        spec,
      } as never);
    } else if (JSON.stringify(hpa.spec) !== JSON.stringify(spec)) {
      ctx.store.update({ ...hpa, spec } as never);
    }
    const readyPods = this.pods.readyPods();
    const sks = this.ensureSks(pa, readyPods);
    const hpaStatus = (ctx.store.get(HPAS, this.namespace, this.revision)?.status ?? {}) as {
      currentReplicas?: number;
      desiredReplicas?: number;
    };
    const sksReady = getCondition(sks.status?.conditions, 'Ready');
    const minReady = Math.max(1, spec.minReplicas);
    const conditions = applyConditions(
      PODAUTOSCALER_CONDITION_SET,
      pa.status?.conditions,
      [
        { type: 'Active', status: 'True' },
        paSksReady(sksReady),
        sksReady?.status === 'True'
          ? paScaleTargetInitialized(hpaStatus.currentReplicas ?? 0, minReady, this.revision)
          : undefined,
      ],
      ctx.timestamp(),
    );
    this.want = hpaStatus.desiredReplicas ?? -1;
    ctx.store.updateStatus(T.podAutoscaler, this.namespace, this.revision, {
      observedGeneration: pa.metadata.generation,
      conditions,
      serviceName: this.revision,
      metricsServiceName: privateServiceName(this.revision),
      ...(hpaStatus.desiredReplicas !== undefined ? { desiredScale: hpaStatus.desiredReplicas } : {}),
      ...(hpaStatus.currentReplicas !== undefined ? { actualScale: hpaStatus.currentReplicas } : {}),
    });
  }

  private ensureSks(pa: PodAutoscaler, readyPods: number): ServerlessService {
    const { ctx } = this;
    let sks = ctx.store.get<ServerlessService>(T.sks, this.namespace, this.revision);
    if (!sks) {
      sks = ctx.store.create<ServerlessService>(newServerlessService(pa, ownerRef(pa), 'Serve', 0));
      ctx.emit({ t: ctx.now(), type: 'sks', revision: this.logName, mode: 'Serve', activators: 0 });
    }
    return ctx.store.updateStatus<ServerlessService>(T.sks, this.namespace, this.revision, {
      observedGeneration: sks.metadata.generation,
      serviceName: this.revision,
      privateServiceName: privateServiceName(this.revision),
      conditions: applyConditions(
        SKS_CONDITION_SET,
        sks.status?.conditions,
        // The HPA class always asks for Serve: the activator backs the revision only while no pod is ready.
        [sksReadyCondition(readyPods), activatorEndpointsCondition(sks.spec.mode, readyPods)],
        ctx.timestamp(),
      ),
    });
  }

  // ---- the HPA controller ----

  /** What the HPA controller reads: its spec, the target's replicas, the pods and their metrics. */
  private observe(): HpaObservation | undefined {
    const { ctx } = this;
    const hpa = ctx.store.get(HPAS, this.namespace, this.revision);
    const deployment = ctx.store.get<Deployment>(T.deployment, this.namespace, deploymentName(this.revision));
    if (!hpa || !deployment) return undefined;
    const spec = hpa.spec as HpaSpec;
    const now = ctx.now();
    const resource = spec.metrics[0]!.resource.name;
    const memory = ctx.settings.app.memory ?? { baseBytes: 0, perRequestBytes: 0 };
    const pods: HpaPod[] = [];
    const seen = new Set<string>();
    for (const pod of ctx.store.list<Pod>(T.pod, this.namespace)) {
      if (pod.metadata.labels?.[LABEL_REVISION] !== this.revision) continue;
      const name = pod.metadata.name;
      seen.add(name);
      const status = pod.status as
        | {
            phase?: string;
            startTime?: string;
            conditions?: { type: string; status: string; lastTransitionTime?: string }[];
          }
        | undefined;
      const readyCondition = status?.conditions?.find((c) => c.type === 'Ready');
      const running = status?.phase === 'Running';
      let metric: HpaPod['metric'];
      if (running) {
        const usage = this.dataplane.podUsage(name, memory);
        if (resource === 'memory') metric = { value: usage.memoryBytes, timestampMs: now, windowMs: 15_000 };
        else {
          const last = this.lastCpu.get(name);
          this.lastCpu.set(name, { coreMs: usage.cpuCoreMs, atMs: now });
          if (last && now > last.atMs) {
            metric = {
              value: ((usage.cpuCoreMs - last.coreMs) / (now - last.atMs)) * 1000,
              timestampMs: now,
              windowMs: now - last.atMs,
            };
          }
        }
      }
      pods.push({
        name,
        phase: running ? 'Running' : 'Pending',
        deleting: pod.metadata.deletionTimestamp !== undefined,
        ...(readyCondition
          ? {
              ready: {
                status: readyCondition.status === 'True',
                sinceMs: readyCondition.lastTransitionTime ? parseIso(readyCondition.lastTransitionTime) : now,
              },
            }
          : {}),
        ...(status?.startTime ? { startMs: parseIso(status.startTime) } : {}),
        requests: (pod.spec.containers ?? []).map((c) => {
          const r = containerRequests((c as { resources?: never }).resources);
          return { container: c.name ?? '', value: resource === 'cpu' ? r.cpuMillis : r.memoryBytes };
        }),
        ...(metric ? { metric } : {}),
      });
    }
    for (const name of this.lastCpu.keys()) if (!seen.has(name)) this.lastCpu.delete(name);
    const hpaStatus = hpa.status as { desiredReplicas?: number } | undefined;
    return {
      spec,
      currentReplicas: deployment.spec.replicas ?? 0,
      previousDesired: hpaStatus?.desiredReplicas ?? 0,
      pods,
      nowMs: now,
    };
  }

  /** The sync as an `hpa.sync` event: its inputs and decision, for `knsim verify` to replay. */
  private logSync(sync: HpaSync): void {
    const observed = this.observed;
    this.observed = undefined;
    if (!observed || !this.ctx.log.wants('hpa.sync')) return;
    const { observation, history } = observed;
    this.ctx.emit({
      t: observation.nowMs,
      type: 'hpa.sync',
      revision: this.logName,
      inputs: {
        spec: observation.spec,
        currentReplicas: observation.currentReplicas,
        previousDesired: observation.previousDesired,
        pods: observation.pods,
        ...(history ? { history } : {}),
      },
      decision: hpaSyncDecision(sync),
    });
  }

  /** Writes what a sync decided: the HPA's status and events, and the target's new scale. */
  private apply(sync: HpaSync): void {
    const { ctx } = this;
    const hpa = ctx.store.get(HPAS, this.namespace, this.revision);
    const deployment = ctx.store.get<Deployment>(T.deployment, this.namespace, deploymentName(this.revision));
    if (!hpa || !deployment) return;
    const now = ctx.timestamp();
    const previous =
      (hpa.status as
        | { conditions?: (HpaCondition & { lastTransitionTime: string })[]; lastScaleTime?: string }
        | undefined) ?? {};
    const conditions = sync.conditions.map((c) => {
      const old = previous.conditions?.find((p) => p.type === c.type);
      return { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now };
    });
    if (sync.scaleTo !== undefined) {
      const from = deployment.spec.replicas ?? 0;
      ctx.store.update({ ...deployment, spec: { ...deployment.spec, replicas: sync.scaleTo } });
      ctx.emit({ t: ctx.now(), type: 'scale', revision: this.logName, from, to: sync.scaleTo, reason: 'hpa' });
    }
    const replicas = (
      ctx.store.get<Deployment>(T.deployment, this.namespace, deploymentName(this.revision))?.status as
        | { replicas?: number }
        | undefined
    )?.replicas;
    ctx.store.updateStatus(HPAS, this.namespace, this.revision, {
      ...(sync.scaleTo !== undefined
        ? { lastScaleTime: now }
        : previous.lastScaleTime
          ? { lastScaleTime: previous.lastScaleTime }
          : {}),
      currentReplicas: replicas ?? sync.currentReplicas,
      desiredReplicas: sync.desiredReplicas,
      ...(sync.currentMetrics ? { currentMetrics: sync.currentMetrics } : {}),
      conditions,
    });
    const updated = ctx.store.get(HPAS, this.namespace, this.revision)!;
    for (const e of sync.events) this.recorder.record(updated, e.type, e.reason, e.message, SOURCE);
    ctx.enqueue(T.podAutoscaler, this.namespace, this.revision);
  }
}
