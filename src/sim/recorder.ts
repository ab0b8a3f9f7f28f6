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
 * - Events expire an hour after they were last seen (kube-apiserver's default `--event-ttl`),
 *   every one of them: an event a later repeat could no longer count up on (more than ten
 *   minutes on) expires in its turn.
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

/** The object an event is about, as the Event's `involvedObject` holds it. */
type Involved = Record<string, string> & { namespace: string; name: string; uid: string };

/** What makes two events the same event (client-go's event key), as stored and as about to be written. */
interface EventKey {
  involved: Involved;
  type: EventType;
  reason: string;
  message: string;
  source: EventSource;
}

/**
 * A record waiting for the end of its instant: one object of one shape (not a closure) per
 * record; it is also the key `write` looks the event up by.
 */
interface Pending extends EventKey {
  at: number;
  options: RecordOptions | undefined;
}

/**
 * An event kept, with the aggregation key it was recorded under as fields of its own (not the
 * record it was written from, whose time and options it no longer needs: ≈ 120 bytes an event
 * fewer, an Event per pod start and stop in a fleet).
 */
interface Recorded extends EventKey {
  name: string;
  namespace: string;
  /** When it was written: the kept events are in this order. */
  firstMs: number;
  lastMs: number;
  /** False for an events.k8s.io event, never counted up on. */
  counted: boolean;
}

/**
 * An object's events a repeat may count up on: a list while they are few (most objects have a
 * handful: a pod's Scheduled, Pulling, Pulled, Created, Started), scanned for the message; by
 * message once there are more than {@link LIST_MAX} (a ReplicaSet's `Created pod: …` of every
 * pod it makes). A Map of messages to lists cost an object ≈ 350 bytes more than its list.
 */
type OfObject = Recorded[] | Map<string, Recorded[]>;

/** The most events an object's list holds before they are filed by message. */
export const LIST_MAX = 8;

/** The last nanosecond used for an object's event names: microseconds and nanoseconds on top. */
interface LastNanos {
  micros: number;
  extra: number;
}

/**
 * The Unix time in ns of the last microsecond named, as a bigint: the events of one instant
 * (several a flush) share it instead of converting and multiplying again.
 */
const lastBase = { micros: Number.NaN, nanos: 0n };

/** Zeros that pad a millisecond to three digits, by its number of digits. */
const MS_PAD = ['', '00', '0', ''];

export class EventRecorder {
  private pending: Pending[] = [];
  private flushScheduled = false;
  /**
   * The latest core/v1 event of each aggregation key, filed by the uid of the object it is about
   * (a string whose hash V8 keeps), then by its message ({@link OfObject}): no hash of the key's
   * several hundred bytes of text per record. The few under one message are told apart by their
   * keys, and a hit is checked against the stored event.
   */
  private readonly byObject = new Map<string, OfObject>();
  /**
   * Every event kept, in the order written (so by `firstMs`), for expiry: a queue from
   * `keptHead` on. A list costs a kept event a pointer where a Set's table cost it ≈ 47 bytes
   * (mem14's heap snapshot: 0.40 MB for the 8,500 Events of 500 Services at a fleet's start), and
   * expiry only ever takes events from the front or leaves a few last seen later there.
   */
  private kept: (Recorded | undefined)[] = [];
  private keptHead = 0;
  /**
   * The last nanosecond used per object (namespace, then name: no joined string to build and
   * hash), so that names never collide: in numbers, not a bigint (the Unix time in ns does not
   * fit a double; its microseconds do).
   */
  private readonly lastNanos = new Map<string, Map<string, LastNanos>>();
  /**
   * The last `involvedObject` made: an object's events of one instant (a pod's Pulled, Created,
   * Started; a Route's two) share it while the object and field path are the same, where each
   * had its own (≈ 100 bytes; 8,502 of them for 4,002 distinct at a fleet's start, mem14).
   */
  private lastInvolved: Involved | undefined;
  private sweepScheduled = false;
  /**
   * No kept event was last seen before this (a bound: a count bump only moves an event's
   * `lastMs` on): a minute's sweep with nothing an hour old yet skips the scan.
   */
  private oldestMs = Number.POSITIVE_INFINITY;
  /** Made once: the engine calls them with no closure per flush or sweep. */
  private readonly flushNow = (): void => this.flush();
  private readonly sweepNow = (): void => {
    this.sweepScheduled = false;
    this.sweep();
  };

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
    options?: RecordOptions,
  ): void {
    const at = this.engine.now();
    const meta = obj.metadata;
    const fieldPath = options?.fieldPath;
    const namespace = meta.namespace ?? 'default';
    const uid = meta.uid ?? '';
    const resourceVersion = meta.resourceVersion ?? '';
    const last = this.lastInvolved;
    if (
      last !== undefined &&
      last.uid === uid &&
      last.name === meta.name &&
      last.namespace === namespace &&
      last.kind === obj.kind &&
      last.apiVersion === obj.apiVersion &&
      last.resourceVersion === resourceVersion &&
      last.fieldPath === (fieldPath || undefined)
    ) {
      this.pending.push({ involved: last, type, reason, message, source, at, options });
    } else {
      const involved = this.involved(obj, namespace, uid, resourceVersion, fieldPath);
      this.lastInvolved = involved;
      this.pending.push({ involved, type, reason, message, source, at, options });
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.engine.call(at, this.flushNow, undefined);
    }
  }

  /** A new `involvedObject`, frozen: the next events about the object as it is now share it. */
  private involved(
    obj: KubeObject,
    namespace: string,
    uid: string,
    resourceVersion: string,
    fieldPath: string | undefined,
  ): Involved {
    const meta = obj.metadata;
    const involved: Involved = fieldPath
      ? {
          kind: obj.kind,
          namespace,
          name: meta.name,
          uid,
          apiVersion: obj.apiVersion,
          resourceVersion,
          fieldPath,
        }
      : {
          kind: obj.kind,
          namespace,
          name: meta.name,
          uid,
          apiVersion: obj.apiVersion,
          resourceVersion,
        };
    return Object.freeze(involved);
  }

  private flush(): void {
    this.flushScheduled = false;
    const work = this.pending;
    this.pending = [];
    for (let i = 0; i < work.length; i++) this.write(work[i]!);
  }

  private write(p: Pending): void {
    const { at, involved, source, options } = p;
    const v1 = options?.eventsV1;
    const ofObject = v1 ? undefined : this.byObject.get(involved.uid);
    // The object's list, or its events of this message: scanned alike, in the order recorded.
    const similar = ofObject === undefined || Array.isArray(ofObject) ? ofObject : ofObject.get(p.message);
    let seen: Recorded | undefined;
    let existing: (KubeObject & { count?: number }) | undefined;
    if (similar !== undefined) {
      for (let i = 0; i < similar.length; i++) {
        const r = similar[i]!;
        // Recorded under another key: not this event (the stored event was written with its key).
        if (r.message !== p.message || !sameKey(r, p)) continue;
        const stored = this.store.get(EVENTS, r.namespace, r.name) as (KubeObject & { count?: number }) | undefined;
        if (stored && sameEvent(stored as unknown as StoredEvent, p)) {
          seen = r;
          existing = stored;
          break;
        }
      }
    }
    const stamp = isoAt(at);
    if (seen && existing && at - seen.lastMs <= AGGREGATE_MS) {
      seen.lastMs = at;
      // What `update` of the stored Event with these two fields stores, without a full copy.
      this.store.setFields(EVENTS, seen.namespace, seen.name, {
        count: (existing.count ?? 1) + 1,
        lastTimestamp: stamp,
      });
      return;
    }
    const namespace = involved.namespace;
    const name = this.name(involved.name, namespace, at);
    const from = storedSource(source);
    // One literal per kind of Event, its fields in the order client-go writes them.
    const event = v1
      ? {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: storedMetadata(name, namespace),
          involvedObject: involved,
          reason: p.reason,
          message: p.message,
          type: p.type,
          source: {},
          firstTimestamp: null,
          lastTimestamp: null,
          eventTime: microTime(at),
          action: v1.action,
          reportingComponent: source.component,
          reportingInstance: v1.reportingInstance,
        }
      : {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: storedMetadata(name, namespace),
          involvedObject: involved,
          reason: p.reason,
          message: p.message,
          type: p.type,
          source: from,
          firstTimestamp: stamp,
          lastTimestamp: stamp,
          count: 1,
          eventTime: null,
          reportingComponent: source.component,
          reportingInstance: source.host ?? '',
        };
    if (this.store.get(EVENTS, namespace, name)) return;
    // Built for this write alone (its involvedObject too: `record` made it for this event), and
    // nothing here keeps or changes it: the store keeps it as it is.
    this.store.createHandedOver(event as unknown as KubeObject);
    // One literal, its fields in one order: every kept event has the same hidden class.
    const recorded: Recorded = {
      name,
      namespace,
      firstMs: at,
      lastMs: at,
      counted: !v1,
      involved,
      type: p.type,
      reason: p.reason,
      message: p.message,
      source: from,
    };
    this.kept.push(recorded);
    if (at < this.oldestMs) this.oldestMs = at;
    if (!v1) {
      // The new event takes the key over: a repeat counts up on it, and the old one (too old to
      // count up on) stays kept until it expires.
      if (seen) similar![similar!.indexOf(seen)] = recorded;
      else this.file(involved.uid, ofObject, recorded);
    }
    this.scheduleSweep();
  }

  /** Files a new key's event under its object (`ofObject`: what the object has filed now). */
  private file(uid: string, ofObject: OfObject | undefined, recorded: Recorded): void {
    if (ofObject === undefined) this.byObject.set(uid, [recorded]);
    else if (!Array.isArray(ofObject)) {
      const similar = ofObject.get(recorded.message);
      if (similar !== undefined) similar.push(recorded);
      else ofObject.set(recorded.message, [recorded]);
    } else if (ofObject.length < LIST_MAX) {
      // A copy one longer: a list pushed to grows room for 16 more (a few hundred bytes each).
      const list = new Array<Recorded>(ofObject.length + 1);
      for (let i = 0; i < ofObject.length; i++) list[i] = ofObject[i]!;
      list[ofObject.length] = recorded;
      this.byObject.set(uid, list);
    } else {
      // By message from now on, each message's events in the order recorded.
      const byMessage = new Map<string, Recorded[]>();
      for (const r of ofObject) {
        const similar = byMessage.get(r.message);
        if (similar !== undefined) similar.push(r);
        else byMessage.set(r.message, [r]);
      }
      const similar = byMessage.get(recorded.message);
      if (similar !== undefined) similar.push(recorded);
      else byMessage.set(recorded.message, [recorded]);
      this.byObject.set(uid, byMessage);
    }
  }

  /**
   * The event's name: the object's name and the Unix time in nanoseconds of simulated instant
   * `at`, one nanosecond on from the object's last when they would collide.
   */
  private name(objectName: string, namespace: string, at: number): string {
    // Simulated time has fractions of a millisecond: keep microseconds.
    let micros = Math.floor((SIM_EPOCH_MS + at) * 1000);
    let extra = 0;
    let inNamespace = this.lastNanos.get(namespace);
    if (inNamespace === undefined) {
      inNamespace = new Map();
      this.lastNanos.set(namespace, inNamespace);
    }
    const last = inNamespace.get(objectName);
    if (last !== undefined && micros <= last.micros) {
      // Not later than the last: the last one and a nanosecond.
      micros = last.micros;
      extra = last.extra + 1;
      if (extra === 1000) {
        micros++;
        extra = 0;
      }
    }
    if (last === undefined) inNamespace.set(objectName, { micros, extra });
    else {
      last.micros = micros;
      last.extra = extra;
    }
    if (micros !== lastBase.micros) {
      lastBase.micros = micros;
      lastBase.nanos = BigInt(micros) * 1000n;
    }
    return eventName(objectName, extra === 0 ? lastBase.nanos : lastBase.nanos + BigInt(extra));
  }

  private scheduleSweep(): void {
    if (this.sweepScheduled) return;
    this.sweepScheduled = true;
    this.engine.call(this.engine.now() + SWEEP_MS, this.sweepNow, undefined);
  }

  /** Removes events last seen more than the TTL ago; keeps sweeping while any are left. */
  private sweep(): void {
    const now = this.engine.now();
    if (now - this.oldestMs >= EVENT_TTL_MS) this.expire(now);
    if (this.kept.length > this.keptHead) this.scheduleSweep();
  }

  /**
   * Removes, in the order written, the kept events last seen an hour ago or more. Only the events
   * written an hour ago or more are looked at: one written later was last seen later still.
   */
  private expire(now: number): void {
    let oldest = Number.POSITIVE_INFINITY;
    const kept = this.kept;
    // The events looked at and still kept (last seen within the hour), in their order: they go
    // back in front of the first one not looked at.
    let stay: Recorded[] | undefined;
    let i = this.keptHead;
    for (; i < kept.length; i++) {
      const r = kept[i]!;
      if (now - r.firstMs < EVENT_TTL_MS) {
        // This one and every later one: none last seen before it was written.
        if (r.firstMs < oldest) oldest = r.firstMs;
        break;
      }
      if (now - r.lastMs < EVENT_TTL_MS) {
        if (r.lastMs < oldest) oldest = r.lastMs;
        if (stay === undefined) stay = [r];
        else stay.push(r);
        continue;
      }
      this.forgetKey(r);
      this.store.remove(EVENTS, r.namespace, r.name);
    }
    const head = i - (stay?.length ?? 0);
    for (let k = this.keptHead; k < head; k++) kept[k] = undefined;
    if (stay !== undefined) for (let k = 0; k < stay.length; k++) kept[head + k] = stay[k]!;
    this.keptHead = head;
    // The front's holes given back once they are half the list: each event is moved once more.
    if (head > 0 && head * 2 >= kept.length) {
      this.kept = kept.slice(head);
      this.keptHead = 0;
    }
    this.oldestMs = oldest;
    // An object's last nanosecond older than the TTL can no longer collide: forget it. In
    // microseconds: the cut-off is whole milliseconds, so `cut ns > last ns` is `cut µs > last µs`.
    const expiredMicros = Math.floor(SIM_EPOCH_MS + now - EVENT_TTL_MS) * 1000;
    for (const [namespace, inNamespace] of this.lastNanos) {
      for (const [object, last] of inNamespace) {
        if (expiredMicros > last.micros) inNamespace.delete(object);
      }
      if (inNamespace.size === 0) this.lastNanos.delete(namespace);
    }
  }

  /** An expired event leaves the aggregation index, if it still holds its key there. */
  private forgetKey(r: Recorded): void {
    if (!r.counted) return;
    const uid = r.involved.uid;
    const ofObject = this.byObject.get(uid);
    if (ofObject === undefined) return;
    if (Array.isArray(ofObject)) {
      const at = ofObject.indexOf(r);
      if (at < 0) return;
      if (ofObject.length === 1) this.byObject.delete(uid);
      else ofObject.splice(at, 1);
      return;
    }
    const similar = ofObject.get(r.message);
    const at = similar ? similar.indexOf(r) : -1;
    if (at < 0) return;
    similar!.splice(at, 1);
    if (similar!.length > 0) return;
    ofObject.delete(r.message);
    if (ofObject.size === 0) this.byObject.delete(uid);
  }
}

/**
 * A stored Event's `source`, one frozen object per component and host (a fleet's Events share a
 * few dozen: the controllers', the kubelet's of each node), where each Event had its own. The
 * store never changes a stored object's parts in place; frozen, they cannot be.
 */
const sources = new Map<string, Map<string, Readonly<EventSource>>>();

function storedSource(source: EventSource): Readonly<EventSource> {
  let ofComponent = sources.get(source.component);
  if (ofComponent === undefined) {
    ofComponent = new Map();
    sources.set(source.component, ofComponent);
  }
  const host = source.host ?? '';
  let stored = ofComponent.get(host);
  if (stored === undefined) {
    stored = Object.freeze(
      source.host ? { component: source.component, host: source.host } : { component: source.component },
    );
    ofComponent.set(host, stored);
  }
  return stored;
}

/**
 * A new Event's metadata with room for the fields the store writes on create, in the order it
 * writes them (uid, generation, creationTimestamp, resourceVersion: test/sim/recorderSame.test.ts
 * compares the stored JSON): made with two fields, the object got its four more in a separate
 * array of properties (≈ 40 bytes an Event more).
 */
function storedMetadata(name: string, namespace: string): KubeObject['metadata'] {
  return { name, namespace, uid: '', generation: 0, creationTimestamp: '', resourceVersion: '' };
}

/** The fields of a stored core/v1 Event the aggregation key reads. */
interface StoredEvent {
  involvedObject: EventKey['involved'];
  type: EventType;
  reason: string;
  message: string;
  source?: EventSource;
}

/** Whether two records have the same aggregation key (client-go's event key: every field of it equal). */
function sameKey(a: EventKey, b: EventKey): boolean {
  const x = a.involved;
  const y = b.involved;
  return (
    a.reason === b.reason &&
    a.message === b.message &&
    x.uid === y.uid &&
    x.name === y.name &&
    x.kind === y.kind &&
    (x.fieldPath ?? '') === (y.fieldPath ?? '') &&
    a.type === b.type &&
    a.source.component === b.source.component &&
    (a.source.host ?? '') === (b.source.host ?? '')
  );
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
  // The whole milliseconds a Date keeps, then isoAt's second (formatted once a second, `…:05Z`)
  // and the milliseconds and three more digits of zeros: what `toISOString` gives (`…:05.123Z`)
  // with `000` before the `Z`, without a Date. In whole numbers: the second is exact.
  const ms = Math.floor(SIM_EPOCH_MS + at);
  const second = ms - (ms % 1000);
  const frac = ms - second;
  const text = isoAt(second - SIM_EPOCH_MS);
  return `${text.slice(0, -1)}.${MS_PAD[String(frac).length]}${frac}000Z`;
}
