/**
 * The event recorder: core/v1 Event objects in the store, as client-go's recorder writes them,
 * so `kubectl get events`, the Events section of `kubectl describe` and watches on events show
 * what the kubelet, the scheduler, the Deployment/ReplicaSet controllers and Knative's
 * controllers said.
 *
 * - Names are `<object>.<hex of the Unix time in ns>`, as the recorder makes them (one more
 *   nanosecond when two events of an object fall on the same instant).
 * - A repeat of an event (same object, type, reason, message and source) within ten minutes
 *   updates the existing one: `count` + 1 and a new `lastTimestamp`, as the event correlator does.
 * - Events expire an hour after they were last seen (kube-apiserver's default `--event-ttl`).
 * - Writes are deferred to the current instant's end of the engine queue: recording may happen
 *   while the store is telling its watchers about another change.
 */
import type { KubeObject } from '../model/api/types.js';
import { eventName } from '../model/rules/naming.js';
import { isoAt, SIM_EPOCH_MS } from '../model/rules/time.js';
import type { Engine } from './engine.js';
import type { ObjectStore } from './store.js';

export type EventType = 'Normal' | 'Warning';

/** Who reports: `kubelet` on a node, `deployment-controller`, Knative's `service-controller`. */
export interface EventSource {
  component: string;
  host?: string;
}

export interface RecordOptions {
  /** `spec.containers{user-container}` for a container's events. */
  fieldPath?: string;
  /**
   * Written the events.k8s.io/v1 way, as the scheduler does: `eventTime` and the reporting
   * controller/instance, no `source`, `firstTimestamp`, `lastTimestamp` or `count`.
   */
  eventsV1?: { action: string; reportingInstance: string };
}

/** A repeat within this long updates the earlier event (client-go's correlator). */
const AGGREGATE_MS = 10 * 60 * 1000;
/** kube-apiserver's --event-ttl default. */
export const EVENT_TTL_MS = 60 * 60 * 1000;
/** How often expired events are looked for. */
const SWEEP_MS = 60 * 1000;

const EVENTS = 'events';

interface Recorded {
  name: string;
  namespace: string;
  lastMs: number;
}

export class EventRecorder {
  private readonly pending: (() => void)[] = [];
  private flushScheduled = false;
  /** Events by their aggregation key, for repeats and expiry. */
  private readonly byKey = new Map<string, Recorded>();
  /** The last nanosecond used per object, so that names never collide. */
  private readonly lastNanos = new Map<string, bigint>();
  private sweepScheduled = false;

  constructor(
    private readonly engine: Engine,
    private readonly store: ObjectStore,
  ) {}

  /** Records an event about `obj` now. */
  record(
    obj: KubeObject,
    type: EventType,
    reason: string,
    message: string,
    source: EventSource,
    options: RecordOptions = {},
  ): void {
    const at = this.engine.now();
    const involved = {
      kind: obj.kind,
      namespace: obj.metadata.namespace ?? 'default',
      name: obj.metadata.name,
      uid: obj.metadata.uid ?? '',
      apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion ?? '',
      ...(options.fieldPath ? { fieldPath: options.fieldPath } : {}),
    };
    this.pending.push(() => this.write(at, involved, type, reason, message, source, options));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.engine.after(0, () => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const work = this.pending.splice(0);
    for (const w of work) w();
  }

  private write(
    at: number,
    involved: Record<string, string> & { namespace: string; name: string; uid: string },
    type: EventType,
    reason: string,
    message: string,
    source: EventSource,
    options: RecordOptions,
  ): void {
    const key = [
      involved.uid,
      involved.kind,
      involved.name,
      involved.fieldPath ?? '',
      type,
      reason,
      message,
      source.component,
      source.host ?? '',
    ].join('\u0000');
    const seen = this.byKey.get(key);
    const stamp = isoAt(at);
    if (seen && at - seen.lastMs <= AGGREGATE_MS && !options.eventsV1) {
      const existing = this.store.get(EVENTS, seen.namespace, seen.name) as
        | (KubeObject & { count?: number })
        | undefined;
      if (existing) {
        seen.lastMs = at;
        this.store.update({
          ...existing,
          metadata: { ...existing.metadata, resourceVersion: undefined },
          count: (existing.count ?? 1) + 1,
          lastTimestamp: stamp,
        } as KubeObject);
        return;
      }
    }
    const name = eventName(involved.name, this.nanos(`${involved.namespace}/${involved.name}`, at));
    const common = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: involved.namespace },
      involvedObject: involved,
      reason,
      message,
      type,
    };
    const event = options.eventsV1
      ? {
          ...common,
          source: {},
          firstTimestamp: null,
          lastTimestamp: null,
          eventTime: microTime(at),
          action: options.eventsV1.action,
          reportingComponent: source.component,
          reportingInstance: options.eventsV1.reportingInstance,
        }
      : {
          ...common,
          source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
          firstTimestamp: stamp,
          lastTimestamp: stamp,
          count: 1,
          eventTime: null,
          reportingComponent: source.component,
          reportingInstance: source.host ?? '',
        };
    if (this.store.get(EVENTS, involved.namespace, name)) return;
    this.store.create(event as unknown as KubeObject);
    this.byKey.set(key, { name, namespace: involved.namespace, lastMs: at });
    this.scheduleSweep();
  }

  /** Unix time in nanoseconds of simulated instant `at`, unique per object. */
  private nanos(object: string, at: number): bigint {
    // Simulated time has fractions of a millisecond: keep microseconds.
    let n = BigInt(Math.floor((SIM_EPOCH_MS + at) * 1000)) * 1000n;
    const last = this.lastNanos.get(object);
    if (last !== undefined && n <= last) n = last + 1n;
    this.lastNanos.set(object, n);
    return n;
  }

  private scheduleSweep(): void {
    if (this.sweepScheduled) return;
    this.sweepScheduled = true;
    this.engine.after(SWEEP_MS, () => {
      this.sweepScheduled = false;
      this.sweep();
    });
  }

  /** Removes events last seen more than the TTL ago; keeps sweeping while any are left. */
  private sweep(): void {
    const now = this.engine.now();
    for (const [key, r] of this.byKey) {
      if (now - r.lastMs < EVENT_TTL_MS) continue;
      this.byKey.delete(key);
      this.store.remove(EVENTS, r.namespace, r.name);
    }
    for (const [object, last] of this.lastNanos) {
      if (BigInt(SIM_EPOCH_MS + now - EVENT_TTL_MS) * 1_000_000n > last) this.lastNanos.delete(object);
    }
    if (this.byKey.size > 0) this.scheduleSweep();
  }
}

/** metav1.MicroTime as the API serves it: `2026-01-01T00:00:05.123000Z`. */
function microTime(at: number): string {
  return new Date(SIM_EPOCH_MS + at).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
