/**
 * The event recorder as it was before issue 10's Events round (main d4d2102), kept for
 * test/sim/recorderSame.test.ts: the recorder of src/sim/recorder.ts must store the very same
 * Events (names, fields and their order, resourceVersions, watch events) as this one.
 */
import type { KubeObject } from '../../src/model/api/types.js';
import { eventName } from '../../src/model/rules/naming.js';
import { isoAt, SIM_EPOCH_MS } from '../../src/model/rules/time.js';
import type { Engine } from '../../src/sim/engine.js';
import type { ObjectStore } from '../../src/sim/store.js';

type EventType = 'Normal' | 'Warning';

/** Who reports: `kubelet` on a node, `deployment-controller`, Knative's `service-controller`. */
interface EventSource {
  component: string;
  host?: string;
}

interface RecordOptions {
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
const EVENT_TTL_MS = 60 * 60 * 1000;
/** How often expired events are looked for. */
const SWEEP_MS = 60 * 1000;

const EVENTS = 'events';

interface Recorded {
  name: string;
  namespace: string;
  lastMs: number;
  /** Its aggregation key's hash; -1 for an events.k8s.io event, never counted up on. */
  hash: number;
}

/** What makes two events the same event (client-go's event key), as stored and as about to be written. */
interface EventKey {
  involved: Record<string, string> & { namespace: string; name: string; uid: string };
  type: EventType;
  reason: string;
  message: string;
  source: EventSource;
}

export class OldEventRecorder {
  private readonly pending: (() => void)[] = [];
  private flushScheduled = false;
  /**
   * The latest core/v1 event of each aggregation key, filed by a hash of the key (a number, not
   * the key's several hundred bytes of text); a hit is checked against the stored event.
   */
  private readonly byHash = new Map<number, Recorded[]>();
  /** Every event kept, in the order written, for expiry. */
  private readonly kept = new Set<Recorded>();
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
    const wanted: EventKey = { involved, type, reason, message, source };
    const hash = keyHash(wanted);
    const similar = options.eventsV1 ? undefined : this.byHash.get(hash);
    let seen: Recorded | undefined;
    let existing: (KubeObject & { count?: number }) | undefined;
    for (const r of similar ?? []) {
      const stored = this.store.get(EVENTS, r.namespace, r.name) as (KubeObject & { count?: number }) | undefined;
      if (stored && sameEvent(stored as unknown as StoredEvent, wanted)) {
        seen = r;
        existing = stored;
        break;
      }
    }
    const stamp = isoAt(at);
    if (seen && existing && at - seen.lastMs <= AGGREGATE_MS) {
      seen.lastMs = at;
      this.store.update({
        ...existing,
        metadata: { ...existing.metadata, resourceVersion: undefined },
        count: (existing.count ?? 1) + 1,
        lastTimestamp: stamp,
      } as KubeObject);
      return;
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
    // Built for this write alone (its involvedObject too: `record` made it for this event), and
    // nothing here keeps or changes it: the store keeps it as it is.
    this.store.createHandedOver(event as unknown as KubeObject);
    const recorded: Recorded = { name, namespace: involved.namespace, lastMs: at, hash: options.eventsV1 ? -1 : hash };
    this.kept.add(recorded);
    if (!options.eventsV1) {
      // The new event takes the key over: a repeat counts up on it, and the old one (too old to
      // count up on) stays kept until it expires.
      if (similar === undefined) this.byHash.set(hash, [recorded]);
      else if (seen) similar[similar.indexOf(seen)] = recorded;
      else similar.push(recorded);
    }
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
    for (const r of this.kept) {
      if (now - r.lastMs < EVENT_TTL_MS) continue;
      this.kept.delete(r);
      this.forgetKey(r);
      this.store.remove(EVENTS, r.namespace, r.name);
    }
    const expired = BigInt(Math.floor(SIM_EPOCH_MS + now - EVENT_TTL_MS)) * 1_000_000n;
    for (const [object, last] of this.lastNanos) {
      if (expired > last) this.lastNanos.delete(object);
    }
    if (this.kept.size > 0) this.scheduleSweep();
  }

  /** An expired event leaves the aggregation index, if it still holds its key there. */
  private forgetKey(r: Recorded): void {
    const similar = this.byHash.get(r.hash);
    const at = similar ? similar.indexOf(r) : -1;
    if (at < 0) return;
    similar!.splice(at, 1);
    if (similar!.length === 0) this.byHash.delete(r.hash);
  }
}

/** The fields of a stored core/v1 Event the aggregation key reads. */
interface StoredEvent {
  involvedObject: EventKey['involved'];
  type: EventType;
  reason: string;
  message: string;
  source?: EventSource;
}

/** FNV-1a over the aggregation key's fields (uid, kind, name, fieldPath, type, reason, message, source). */
function keyHash(k: EventKey): number {
  let h = 0x811c9dc5;
  const parts = [
    k.involved.uid,
    k.involved.kind ?? '',
    k.involved.name,
    k.involved.fieldPath ?? '',
    k.type,
    k.reason,
    k.message,
    k.source.component,
    k.source.host ?? '',
  ];
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      h ^= part.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xffff; // between fields, a code unit no field holds
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Whether the stored event is the event `k` (client-go's event key: every field of it equal). */
function sameEvent(stored: StoredEvent, k: EventKey): boolean {
  const o = stored.involvedObject;
  return (
    o.uid === k.involved.uid &&
    o.kind === k.involved.kind &&
    o.name === k.involved.name &&
    (o.fieldPath ?? '') === (k.involved.fieldPath ?? '') &&
    stored.type === k.type &&
    stored.reason === k.reason &&
    stored.message === k.message &&
    stored.source?.component === k.source.component &&
    (stored.source?.host ?? '') === (k.source.host ?? '')
  );
}

/** metav1.MicroTime as the API serves it: `2026-01-01T00:00:05.123000Z`. */
function microTime(at: number): string {
  return new Date(SIM_EPOCH_MS + at).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
