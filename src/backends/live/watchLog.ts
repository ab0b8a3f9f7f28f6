/**
 * Watch to log: list-then-watch of every type a Knative run touches in the namespace, each change
 * written to the event log as the simulator writes it (`object`, and the `pod`, `scale` and `sks`
 * events derived from objects), one `sample` per revision per second, and the watches' objects
 * for synchronous snapshots. A dropped connection (an API server restart) is told in one line
 * when every watch is back, however many watches dropped and however often each retried.
 */
import type * as k8s from '@kubernetes/client-node';
import type { KubeObject, Pod, PodAutoscaler, ServerlessService } from '../../model/api/types.js';
import type { PodPhase } from '../../model/events.js';
import { type ResourceType, resourceById } from '../../model/rules/resources.js';
import type { EventLog } from '../../sim/log.js';
import type { RunClock } from './clock.js';
import { paScale, podPhaseOf, revisionOf, shiftTimes, sksMode, stripManagedFields } from './derive.js';
import { describeKubeError, LiveError, serverOf, statusOf } from './kube.js';
import { type ConnectionChange, ResilientWatch, type WatchOp } from './watcher.js';

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

/** A watch lost this long, with some still not back, is told once while it lasts. */
const STILL_LOST_MS = 15_000;

/** One change the cluster reported, as a watch saw it (run time `t`; the object as the cluster has it). */
export interface WatchedChange {
  readonly t: number;
  readonly resource: ResourceType;
  readonly op: WatchOp;
  readonly object: KubeObject;
}

/** Our own clients' load on a revision in the second that ends now (for samples). */
export interface LoadFigures {
  /** Requests sent to the revision since the last `newSecond`. */
  arrivals(revision: string): number;
  /** The samples of a second are written: count arrivals afresh. */
  newSecond(): void;
  /** Requests in flight to the revision, and of those the ones sent cold (held by the activator). */
  inFlight(revision: string): { inFlight: number; held: number };
}

export interface LiveWatchesOptions {
  kc: k8s.KubeConfig;
  namespace: string;
  log: EventLog;
  clock: RunClock;
  info: (message: string) => void;
  /** Watch reconnect delay (tests). */
  backoffMs?: number;
  /** The cluster's panic mode for a revision, when its autoscaler's metrics tell it (for samples). */
  panicking?: (revision: string) => boolean | undefined;
}

export class LiveWatches {
  private readonly watches = new Map<string, ResilientWatch>();
  private readonly podPhases = new Map<string, PodPhase>();
  private readonly paDesired = new Map<string, number | undefined>();
  private readonly sksModes = new Map<string, string | undefined>();
  private readonly hooks: ((change: WatchedChange) => void)[] = [];
  /** Watches whose stream is lost now, and since when; what the first loss said. */
  private readonly lost = new Set<string>();
  private lostSince = 0;
  private lostWhy = '';
  private relisted = 0;
  private toldStillLost = false;
  private load: LoadFigures | undefined;
  private stopped = false;

  constructor(private readonly options: LiveWatchesOptions) {}

  /**
   * Hears every change every watch reports, after it is in the log (to run the model's machines on
   * the cluster's own transitions). Listeners must not throw.
   */
  onChange(listener: (change: WatchedChange) => void): void {
    this.hooks.push(listener);
  }

  /** Lists and watches every type of WATCHED (optional ones only where the cluster has them), then samples every second. */
  async start(load: LoadFigures): Promise<void> {
    const { kc, namespace } = this.options;
    this.load = load;
    for (const w of WATCHED) {
      const resource = resourceById(w.id);
      if (!resource) continue;
      const watch = new ResilientWatch(kc, resource, {
        namespace,
        ...(w.labelSelector ? { labelSelector: w.labelSelector } : {}),
        onEvent: (op, obj) => this.onObject(resource, op, obj),
        onConnection: (change) => this.onConnection(resource.id, change),
        ...(this.options.backoffMs !== undefined ? { backoffMs: this.options.backoffMs } : {}),
      });
      try {
        await watch.start();
        this.watches.set(resource.id, watch);
      } catch (e) {
        watch.stop();
        if (w.optional && (statusOf(e) === 404 || statusOf(e) === 403)) {
          this.options.info(`not watching ${resource.id}: ${describeKubeError(e, serverOf(kc))}`);
          continue;
        }
        this.stop();
        throw new LiveError(describeKubeError(e, serverOf(kc), `watching ${resource.id}`));
      }
    }
    this.scheduleSample();
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watches.values()) w.stop();
  }

  has(resourceId: string): boolean {
    return this.watches.has(resourceId);
  }

  /** The watch's own objects (no copies, the cluster's timestamps): for the hot paths. */
  watched(resourceId: string): Iterable<KubeObject> {
    return this.watches.get(resourceId)?.objects.values() ?? [];
  }

  /** Copies of a watched type's objects in `namespace`, timestamps shifted by `shiftMs`. */
  snapshot(resourceId: string, namespace: string | undefined, shiftMs: number): KubeObject[] {
    const out: KubeObject[] = [];
    for (const o of this.watched(resourceId)) {
      if (namespace && (o.metadata.namespace ?? this.options.namespace) !== namespace) continue;
      out.push(shiftTimes(stripManagedFields(o), shiftMs));
    }
    return out;
  }

  private onObject(resource: ResourceType, op: WatchOp, raw: KubeObject): void {
    const { log, clock } = this.options;
    const obj = stripManagedFields(raw);
    const t = clock.now();
    const namespace = obj.metadata.namespace ?? this.options.namespace;
    log.event({ t, type: 'object', op, kind: obj.kind, namespace, name: obj.metadata.name, object: obj });
    switch (resource.id) {
      case 'pods': {
        const revision = revisionOf(obj) ?? '';
        const phase: PodPhase = op === 'deleted' ? 'Gone' : podPhaseOf(obj as Pod);
        const before = this.podPhases.get(obj.metadata.name);
        if (phase !== before) {
          log.event({ t, type: 'pod', pod: obj.metadata.name, revision, phase });
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
          log.event({ t, type: 'scale', revision: name, from: before ?? 0, to: desired, reason: 'desired' });
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
          log.event({ t, type: 'sks', revision: name, mode, activators: sks.spec?.numActivators ?? 0 });
        }
        this.sksModes.set(name, mode);
        break;
      }
    }
    if (this.hooks.length > 0) {
      const change: WatchedChange = { t, resource, op, object: obj };
      for (const hook of this.hooks) hook(change);
    }
    clock.wake();
  }

  /** Sums up the watches' connections: one line when all are back after a loss, one if it lasts. */
  private onConnection(resourceId: string, change: ConnectionChange): void {
    const { clock, info } = this.options;
    if (change.state === 'lost') {
      if (this.lost.size === 0) {
        this.lostSince = clock.now();
        this.lostWhy = change.why;
        this.relisted = 0;
        this.toldStillLost = false;
        clock.call(this.lostSince + STILL_LOST_MS, (since) => this.stillLost(since), this.lostSince);
      }
      this.lost.add(resourceId);
      return;
    }
    if (!this.lost.delete(resourceId)) return;
    if (change.relisted) this.relisted++;
    if (this.lost.size > 0 || this.stopped) return;
    const took = ((clock.now() - this.lostSince) / 1000).toFixed(1);
    const relisted =
      this.relisted > 0 ? `; ${this.relisted} listed again after 410 Gone, changes meanwhile reported` : '';
    info(
      `the API server's watch connections dropped at ${(this.lostSince / 1000).toFixed(1)} s (${this.lostWhy}); all ${this.watches.size} resumed after ${took} s${relisted}`,
    );
  }

  private stillLost(since: number): void {
    if (this.stopped || this.lost.size === 0 || since !== this.lostSince || this.toldStillLost) return;
    this.toldStillLost = true;
    this.options.info(
      `the API server's watch connections dropped at ${(since / 1000).toFixed(1)} s (${this.lostWhy}); ${this.lost.size} of ${this.watches.size} still reconnecting`,
    );
  }

  /** One sample per whole second of run time, stamped when written so `t` never goes backwards. */
  private scheduleSample(next = (Math.floor(this.options.clock.now() / 1000) + 1) * 1000): void {
    const { clock } = this.options;
    clock.call(
      next,
      (at) => {
        if (this.stopped) return;
        this.writeSamples(clock.now());
        this.scheduleSample(Math.max(at + 1000, (Math.floor(clock.now() / 1000) + 1) * 1000));
      },
      next,
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
      const { inFlight, held } = this.load?.inFlight(revision) ?? { inFlight: 0, held: 0 };
      const deployment = [...this.watched('deployments.apps')].find((d) => revisionOf(d) === revision) as
        | { spec?: { replicas?: number } }
        | undefined;
      const desired = this.paDesired.get(revision) ?? deployment?.spec?.replicas ?? ready + pending;
      this.options.log.event({
        t,
        type: 'sample',
        revision,
        rps: this.load?.arrivals(revision) ?? 0,
        concurrency: inFlight,
        desired,
        ready,
        pending,
        terminating,
        activatorQueue: held,
        queueProxyQueue: 0,
        inFlight,
        panic: this.options.panicking?.(revision) ?? false,
        activatorInPath: this.sksModes.get(revision) === 'Proxy',
      });
    }
    this.load?.newSecond();
  }
}
