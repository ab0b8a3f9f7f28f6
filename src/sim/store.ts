/**
 * The simulated API server's storage: objects by kind, namespace and name, with the
 * bookkeeping the real API server does (uid, resourceVersion, generation on spec change,
 * creationTimestamp, deletionTimestamp) and a synchronous watch.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../model/api/types.js';
import {
  deletionFinalizers,
  newFinalizersRefusal,
  type Propagation,
  sameFinalizers,
} from '../model/rules/finalizers.js';
import { resourceForKind } from '../model/rules/resources.js';
import { Interner } from './intern.js';

export type WatchOp = 'added' | 'modified' | 'deleted';

export interface StoreEvent {
  op: WatchOp;
  object: KubeObject;
  resourceVersion: number;
}

export type StoreListener = (event: StoreEvent) => void;

/**
 * Which resource types (ids, as `typeOf` gives them) a watcher takes: asked once per type and
 * watcher set, so its answer for a type must never change.
 */
export type StoreKinds = (type: string) => boolean;

export class StoreError extends Error {
  constructor(
    readonly reason: 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid',
    message: string,
    /** For an Invalid: the field the API server names, and its message without the field. */
    readonly field?: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** An object's finalizers (none when the field is missing or not a list). */
export function finalizersOf(obj: KubeObject): readonly string[] {
  const f = obj.metadata.finalizers;
  return Array.isArray(f) ? (f as string[]) : [];
}

export interface StoreOptions {
  /** Current time as an RFC 3339 string. */
  timestamp: () => string;
  /** A fresh uid for this object (the simulator draws uids of some kinds from their own stream). */
  uid: (obj: KubeObject) => string;
}

/** Type ids by apiVersion, then kind (the resource table is fixed: a lookup is a scan of it). */
const typeIds = new Map<string, Map<string, string>>();

export function typeOf(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): string {
  let byKind = typeIds.get(obj.apiVersion);
  if (byKind === undefined) {
    byKind = new Map();
    typeIds.set(obj.apiVersion, byKind);
  }
  let id = byKind.get(obj.kind);
  if (id === undefined) {
    id = resourceForKind(obj.apiVersion, obj.kind)?.id ?? `${obj.kind}.${obj.apiVersion}`;
    byKind.set(obj.kind, id);
  }
  return id;
}

/**
 * `isDeepStrictEqual` for the plain data of API objects (objects, arrays, primitives), much
 * faster on them; anything else (a Date, a Map, a class instance, a null prototype) falls back
 * to it. Same answers: keys are compared as sets (an undefined-valued key is a key), primitives
 * by Object.is (NaN equals NaN, 0 and -0 differ).
 */
export function dataEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const pa = Object.getPrototypeOf(a);
  if (pa !== Object.getPrototypeOf(b)) return isDeepStrictEqual(a, b);
  if (pa === Array.prototype) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return isDeepStrictEqual(a, b);
    // Elements first: two that differ make any two arrays differ (isDeepStrictEqual compares
    // them too), so only equal ones need the look at their keys (an allocation per array).
    for (let i = 0; i < x.length; i++) if (!dataEqual(x[i], y[i])) return false;
    return (plainArray(x) && plainArray(y)) || isDeepStrictEqual(a, b);
  }
  if (pa !== Object.prototype) return isDeepStrictEqual(a, b);
  // `a`'s fields first, as the arrays' elements: one missing from `b` or different there makes
  // the objects differ for isDeepStrictEqual too (~14,000 of the ~24,000 compares of two objects
  // a day of diurnal-24h), so only objects equal so far pay for `b`'s keys and both symbol arrays.
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  for (const k of keys) {
    // The same value (most fields of a write that changes a few): no call.
    const u = x[k];
    if (Object.is(u, y[k])) {
      if (!Object.hasOwn(y, k)) return false;
    } else if (typeof u !== 'object' || u === null || !Object.hasOwn(y, k) || !dataEqual(u, y[k])) return false;
  }
  if (keys.length !== Object.keys(y).length) return false;
  if (Object.getOwnPropertySymbols(a).length > 0 || Object.getOwnPropertySymbols(b).length > 0) {
    return isDeepStrictEqual(a, b);
  }
  return true;
}

/** An array with only its indices as own keys (no holes, no extra properties). */
function plainArray(a: unknown[]): boolean {
  return Object.keys(a).length === a.length && Object.getOwnPropertySymbols(a).length === 0;
}

/**
 * `structuredClone` for the plain data of API objects (the same copy: keys in order, undefined
 * values kept), much faster on them; anything else is copied by structuredClone. Frozen data is
 * not copied: it cannot change, so the copy shares it (a writer that freezes what it writes
 * again and again, like a revision's pod addresses, writes references, not copies).
 */
export function cloneData<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  const proto = Object.getPrototypeOf(v);
  if (proto === Array.prototype) {
    const a = v as unknown as unknown[];
    if (!plainArray(a)) return structuredClone(v);
    const out = new Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      out[i] = typeof x !== 'object' || x === null ? x : cloneData(x);
    }
    return out as T;
  }
  if (proto !== Object.prototype || Object.getOwnPropertySymbols(v).length > 0) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    out[k] = typeof x !== 'object' || x === null ? x : cloneData(x);
  }
  return out as T;
}

/**
 * `cloneData(v)`, except that a part of `v` that is the very object at the same place in `old`
 * (a stored object's own) is kept, not copied. A reconciler's update spreads the stored object
 * and changes a field or two (a Deployment's replicas, an Endpoints' addresses); the rest (a
 * ReplicaSet's selector and template metadata, a Deployment's strategy) was copied on every write.
 */
export function cloneSharing(v: unknown, old: unknown): unknown {
  if (v === old) return v;
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  if (typeof old !== 'object' || old === null) return cloneData(v);
  const proto = Object.getPrototypeOf(v);
  if (proto === Array.prototype) {
    const a = v as unknown[];
    if (!plainArray(a) || !Array.isArray(old)) return cloneData(v);
    const out = new Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      out[i] = typeof x !== 'object' || x === null || x === old[i] ? x : cloneSharing(x, old[i]);
    }
    return out;
  }
  if (proto !== Object.prototype || Array.isArray(old) || Object.getOwnPropertySymbols(v).length > 0) {
    return cloneData(v);
  }
  const o = old as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // A primitive, or the very object the stored one holds here (most fields of a write): kept
  // without a call.
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof x !== 'object' || x === null) out[k] = x;
    else {
      const was = Object.hasOwn(o, k) ? o[k] : undefined;
      out[k] = x === was ? x : cloneSharing(x, was);
    }
  }
  return out;
}

/**
 * Types whose objects keep their parts as written (see `Interner`): pods and Events come and go
 * with every cold start and scale to zero, and a pod's spec shares its frozen template already;
 * holding their parts once would cost each write its walk for memory that is soon free anyway.
 */
const NOT_INTERNED: ReadonlySet<string> = new Set(['pods', 'events']);

/** Fields that are not spec: changing only these never bumps metadata.generation. */
const NON_SPEC_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'status']);

/**
 * Whether the spec fields (every field but {@link NON_SPEC_FIELDS}) of `a` and `b` are the
 * same: `dataEqual` of the two objects holding only those fields, without making them.
 */
export function sameSpec(a: KubeObject, b: KubeObject): boolean {
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  let n = 0;
  for (const k of Object.keys(x)) {
    if (NON_SPEC_FIELDS.has(k)) continue;
    n++;
    if (!Object.hasOwn(y, k) || !dataEqual(x[k], y[k])) return false;
  }
  for (const k of Object.keys(y)) if (!NON_SPEC_FIELDS.has(k)) n--;
  return n === 0;
}

/**
 * Whether `a` and `b`, two versions of one stored object, differ at most in their status and
 * resourceVersion: every other top-level field is the very same object or value, and so is every
 * field of the metadata but resourceVersion. The store never changes a stored object in place,
 * and a write shares only what it leaves as it was (a status write shares all but the status; an
 * update copies what it changes, and moves the generation with the spec), so the two then hold
 * equal data everywhere but there. False when it cannot tell (a field written again as an equal
 * copy): the caller does what it did without the shortcut.
 */
export function sameButStatus(a: KubeObject, b: KubeObject): boolean {
  if (a === b) return true;
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  return (
    sameFieldsBut(x, y, 'status', 'metadata') &&
    typeof x.metadata === 'object' &&
    x.metadata !== null &&
    typeof y.metadata === 'object' &&
    y.metadata !== null &&
    sameFieldsBut(x.metadata as Record<string, unknown>, y.metadata as Record<string, unknown>, 'resourceVersion')
  );
}

/** The same own keys, holding the very same values, but `except` and `also`. */
function sameFieldsBut(x: Record<string, unknown>, y: Record<string, unknown>, except: string, also = except): boolean {
  let n = 0;
  for (const k of Object.keys(x)) {
    if (k === except || k === also) continue;
    n++;
    if (x[k] !== y[k] || !Object.hasOwn(y, k)) return false;
  }
  for (const k of Object.keys(y)) if (k !== except && k !== also) n--;
  return n === 0;
}

/** Orders objects as the API server lists them: by namespace, then name. */
function byNamespaceThenName(a: KubeObject, b: KubeObject): number {
  const na = a.metadata.namespace ?? '';
  const nb = b.metadata.namespace ?? '';
  if (na !== nb) return na < nb ? -1 : 1;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** Orders `namespace/name` ids as {@link byNamespaceThenName} orders their objects. */
function compareIds(a: string, b: string): number {
  const sa = a.indexOf('/');
  const sb = b.indexOf('/');
  const na = a.slice(0, sa);
  const nb = b.slice(0, sb);
  if (na !== nb) return na < nb ? -1 : 1;
  const ma = a.slice(sa + 1);
  const mb = b.slice(sb + 1);
  return ma < mb ? -1 : ma > mb ? 1 : 0;
}

/** Where `id` is in ids ordered by {@link compareIds}, or -(where it would go) - 1. */
function idPosition(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = compareIds(ids[mid]!, id);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return -lo - 1;
}

/** The objects of one type in one namespace, by name, with their names in order once asked for. */
class Bucket {
  readonly byName = new Map<string, KubeObject>();
  /**
   * The `namespace/name` id of each name an index key with more than one object has filed:
   * made once, not built and hashed again on every write of the object (an object alone under
   * its keys, as most are, needs none).
   */
  readonly ids = new Map<string, string>();
  /** Names in order; dropped when a name comes or goes (a changed object keeps its place). */
  sorted: string[] | null = null;

  id(namespace: string, name: string): string {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = `${namespace}/${name}`;
      this.ids.set(name, id);
    }
    return id;
  }

  names(): string[] {
    if (this.sorted === null) this.sorted = [...this.byName.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return this.sorted;
  }
}

/**
 * A secondary index of one type: the keys `keysOf` gives an object (an owner's uid, a label's
 * value), each to the objects that have it. Kept as objects are written, so a controller's
 * lookup costs what it finds, not what the store holds.
 *
 * A key with one object holds that object itself (an owner's uid names one child: 15 of a quiet
 * Service's 16 filed objects), a key with more an {@link IndexEntry}. The keys an object is filed
 * under are not kept: they are `keysOf` of the stored object (a function of its metadata and
 * spec, which the store never changes in place), asked again when it is written or removed.
 */
interface Index {
  readonly keysOf: (obj: KubeObject) => readonly string[];
  /** key → its object, or its objects when there are several */
  readonly entries: Map<string, KubeObject | IndexEntry>;
}

/** The objects filed under one index key (two or more), with their ids in list order once asked for. */
class IndexEntry {
  /** namespace/name → object */
  readonly objects = new Map<string, KubeObject>();
  /** Ids by namespace then name, once asked for; an id that goes is taken out. */
  sorted: string[] | null = null;
  /**
   * Ids that came since `sorted` was made, in the order they came, merged into it at the next
   * lookup: a revision's thousands of new pods each cost a splice into the sorted ids (a move of
   * half of them), where the lookups come a few times a second at most.
   */
  added: string[] = [];
}

/** `sorted` with `added` (sorted here) merged in, by {@link compareIds}. */
function mergeIds(sorted: readonly string[], added: string[]): string[] {
  added.sort(compareIds);
  const out = new Array<string>(sorted.length + added.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < sorted.length && j < added.length) {
    out[k++] = compareIds(sorted[i]!, added[j]!) <= 0 ? sorted[i++]! : added[j++]!;
  }
  while (i < sorted.length) out[k++] = sorted[i++]!;
  while (j < added.length) out[k++] = added[j++]!;
  return out;
}

/** Whether two objects of one type are the same object (namespace and name), any version. */
function sameObject(a: KubeObject, b: KubeObject): boolean {
  return a.metadata.name === b.metadata.name && (a.metadata.namespace ?? '') === (b.metadata.namespace ?? '');
}

export class ObjectStore {
  /**
   * The objects by type, then namespace, then name. The type is the resource type id (`pods`,
   * `services.serving.knative.dev`), so the core and the Knative Service never collide; `type`
   * parameters below take that id. Not by a joined `type/namespace/name` key: the strings a
   * caller passes are the same ones each time, their hashes kept, where a joined key was a new
   * string to build and hash on every get and write. Listing one namespace never walks the others.
   */
  private readonly byType = new Map<string, Map<string, Bucket>>();
  /** Namespaces of each type in order, for listing across namespaces (dropped when one comes or goes). */
  private readonly namespacesInOrder = new Map<string, string[]>();
  private readonly indexes = new Map<string, Map<string, Index>>();
  private readonly listeners = new Map<StoreListener, StoreKinds | undefined>();
  /**
   * Per type, whether some watcher takes it (dropped when a watcher comes or goes): a write of a
   * type nobody takes builds and sends no event (the simulation's Kubernetes Events: 7,280
   * writes a day of diurnal-24h, which the cluster never looks at).
   */
  private readonly taken = new Map<string, boolean>();
  private rv = 0;
  /** Equal parts of the objects written, held once (see intern.ts). */
  private readonly interner = new Interner();

  constructor(private readonly options: StoreOptions) {}

  /**
   * The parts below the top-level fields of a copy the store just made (`obj`'s own, shared
   * with no one) held once with their equals; `old`: the stored version, whose top-level fields
   * `obj` may hold as they are (walked already when they were written).
   */
  private internParts(obj: KubeObject, old?: KubeObject): void {
    const o = obj as unknown as Record<string, unknown>;
    const before = old as unknown as Record<string, unknown> | undefined;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (typeof v === 'object' && v !== null && (before === undefined || v !== before[k])) {
        this.interner.internParts(v, before === undefined);
      }
    }
  }

  resourceVersion(): number {
    return this.rv;
  }

  /** The object of a type with this namespace (or none: cluster-scoped) and name. */
  get<T extends KubeObject = KubeObject>(type: string, namespace: string | undefined, name: string): T | undefined {
    return this.byType
      .get(type)
      ?.get(namespace ?? '')
      ?.byName.get(name) as T | undefined;
  }

  /** Objects of a kind, in one namespace or all, sorted by namespace then name as the API server lists them. */
  list<T extends KubeObject = KubeObject>(type: string, namespace?: string): T[] {
    const ofType = this.byType.get(type);
    if (!ofType) return [];
    const out: T[] = [];
    if (namespace !== undefined) {
      const bucket = ofType.get(namespace);
      if (bucket) for (const name of bucket.names()) out.push(bucket.byName.get(name) as T);
      return out;
    }
    let namespaces = this.namespacesInOrder.get(type);
    if (!namespaces) {
      namespaces = [...ofType.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      this.namespacesInOrder.set(type, namespaces);
    }
    for (const ns of namespaces) {
      const bucket = ofType.get(ns)!;
      for (const name of bucket.names()) out.push(bucket.byName.get(name) as T);
    }
    return out;
  }

  /** How many objects of a kind there are in one namespace (or all), without listing them. */
  count(type: string, namespace?: string): number {
    const ofType = this.byType.get(type);
    if (!ofType) return 0;
    if (namespace !== undefined) return ofType.get(namespace)?.byName.size ?? 0;
    let n = 0;
    for (const bucket of ofType.values()) n += bucket.byName.size;
    return n;
  }

  /**
   * Files every object of `type` (those there now and those written later) under the keys
   * `keysOf` gives it, for {@link byIndex}. A name is registered once per type. `keysOf` reads
   * the object's metadata and spec, never its status: a status write keeps the object's keys
   * (`updateStatus` only puts the new object under them).
   */
  addIndex(type: string, name: string, keysOf: (obj: KubeObject) => readonly string[]): void {
    let ofType = this.indexes.get(type);
    if (!ofType) {
      ofType = new Map();
      this.indexes.set(type, ofType);
    }
    if (ofType.has(name)) throw new Error(`index ${name} of ${type} is registered twice`);
    const index: Index = { keysOf, entries: new Map() };
    ofType.set(name, index);
    for (const obj of this.list(type)) this.fileIn(type, index, obj, undefined);
  }

  /** The id `namespace/name` of a stored object, as its bucket keeps it. */
  private idOf(type: string, obj: KubeObject): string {
    const ns = obj.metadata.namespace ?? '';
    const bucket = this.byType.get(type)?.get(ns);
    return bucket ? bucket.id(ns, obj.metadata.name) : `${ns}/${obj.metadata.name}`;
  }

  /** The objects of `type` filed under `key` in the index `name`, sorted by namespace then name. */
  byIndex<T extends KubeObject = KubeObject>(type: string, name: string, key: string): T[] {
    const index = this.indexes.get(type)?.get(name);
    if (!index) throw new Error(`no index ${name} of ${type}`);
    const found = index.entries.get(key);
    if (!found) return [];
    if (!(found instanceof IndexEntry)) return [found as T];
    const { objects } = found;
    if (found.sorted === null) {
      const inOrder = [...objects.values()];
      if (inOrder.length > 1) inOrder.sort(byNamespaceThenName);
      found.sorted = inOrder.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      found.added = [];
    } else if (found.added.length > 0) {
      found.sorted = mergeIds(found.sorted, found.added);
      found.added = [];
    }
    const ids = found.sorted;
    const out = new Array<T>(ids.length);
    for (let i = 0; i < ids.length; i++) out[i] = objects.get(ids[i]!) as T;
    return out;
  }

  /**
   * Files `obj` under its keys; `old`: the stored version it replaces, whose keys it leaves. A
   * status write keeps the keys (`keysOf` never reads the status): no `old`, nothing to leave.
   */
  private fileIn(type: string, index: Index, obj: KubeObject, old: KubeObject | undefined): void {
    const keys = index.keysOf(obj);
    if (old) for (const k of index.keysOf(old)) if (!keys.includes(k)) this.unfileKey(type, index, k, old);
    for (const k of keys) this.fileKey(type, index, k, obj);
  }

  private fileKey(type: string, index: Index, key: string, obj: KubeObject): void {
    const { entries } = index;
    const found = entries.get(key);
    if (found === undefined) {
      entries.set(key, obj);
      return;
    }
    if (!(found instanceof IndexEntry)) {
      if (sameObject(found, obj)) {
        entries.set(key, obj);
        return;
      }
      // A second object under the key: both go into an entry.
      const entry = new IndexEntry();
      entry.objects.set(this.idOf(type, found), found);
      entry.objects.set(this.idOf(type, obj), obj);
      entries.set(key, entry);
      return;
    }
    const id = this.idOf(type, obj);
    if (found.sorted !== null && !found.objects.has(id)) found.added.push(id);
    found.objects.set(id, obj);
  }

  /** Takes `obj` (any version of it) out from under `key`. */
  private unfileKey(type: string, index: Index, key: string, obj: KubeObject): void {
    const { entries } = index;
    const found = entries.get(key);
    if (found === undefined) return;
    if (!(found instanceof IndexEntry)) {
      if (sameObject(found, obj)) entries.delete(key);
      return;
    }
    const id = this.idOf(type, obj);
    if (!found.objects.delete(id)) return;
    if (found.objects.size === 1) {
      // One object left: the key holds it alone again.
      for (const last of found.objects.values()) entries.set(key, last);
    } else if (found.sorted !== null) {
      const at = idPosition(found.sorted, id);
      if (at >= 0) found.sorted.splice(at, 1);
      else {
        const came = found.added.indexOf(id);
        if (came >= 0) found.added.splice(came, 1);
        else {
          found.sorted = null;
          found.added = [];
        }
      }
    }
  }

  create<T extends KubeObject>(input: T): T {
    return this.createFrom(input, false);
  }

  /**
   * `create`, for an input the caller hands over: built for this write alone, no part of it
   * shared with anything the caller (or anyone) keeps, read or changes afterwards. The store
   * keeps it as it is instead of copying it (the recorder's Events, built afresh for each
   * write). The stored object is the same as `create` stores.
   */
  createHandedOver<T extends KubeObject>(input: T): T {
    return this.createFrom(input, true);
  }

  private createFrom<T extends KubeObject>(input: T, handedOver: boolean): T {
    const type = typeOf(input);
    if (this.get(type, input.metadata.namespace, input.metadata.name) !== undefined) {
      throw new StoreError('AlreadyExists', `${input.kind} "${input.metadata.name}" already exists`);
    }
    const obj = handedOver ? input : cloneData(input);
    if (!handedOver && !NOT_INTERNED.has(type)) this.internParts(obj);
    obj.metadata.uid = this.options.uid(obj);
    obj.metadata.generation = 1;
    obj.metadata.creationTimestamp = this.options.timestamp();
    obj.metadata.resourceVersion = String(++this.rv);
    this.put(type, obj);
    this.emit(type, 'added', obj);
    return obj;
  }

  /**
   * Replaces an object's metadata and spec (not status). The generation moves only when the
   * spec changed, as the API server does. Returns the stored object (unchanged input gives the
   * same object back and no event).
   */
  update<T extends KubeObject>(input: T): T {
    const type = typeOf(input);
    const old = this.get(type, input.metadata.namespace, input.metadata.name);
    if (!old) throw new StoreError('NotFound', `${input.kind} "${input.metadata.name}" not found`);
    if (
      input.metadata.resourceVersion !== undefined &&
      input.metadata.resourceVersion !== '' &&
      input.metadata.resourceVersion !== old.metadata.resourceVersion
    ) {
      throw new StoreError(
        'Conflict',
        `Operation cannot be fulfilled on ${input.kind} "${input.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    // The object as it would be stored, compared before it is copied: most updates (a
    // reconciler writing what is already there) change nothing and need no copy.
    const meta = {
      ...input.metadata,
      uid: old.metadata.uid,
      creationTimestamp: old.metadata.creationTimestamp,
      generation: old.metadata.generation,
      resourceVersion: old.metadata.resourceVersion,
    };
    const deleting = old.metadata.deletionTimestamp !== undefined;
    if (deleting) {
      // Once set, only the API server moves these; a write may take finalizers off, never add one.
      meta.deletionTimestamp = old.metadata.deletionTimestamp;
      if (old.metadata.deletionGracePeriodSeconds !== undefined) {
        meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      }
      const refusal = newFinalizersRefusal(finalizersOf(old), finalizersOf(input));
      if (refusal !== undefined) {
        throw new StoreError(
          'Invalid',
          `${input.kind} "${input.metadata.name}" is invalid: metadata.finalizers: ${refusal}`,
          'metadata.finalizers',
          refusal,
        );
      }
    }
    const shallow = { ...input, metadata: meta } as KubeObject;
    if (old.status !== undefined) shallow.status = old.status;
    else delete shallow.status;
    if (dataEqual(shallow, old)) return old as T;
    // The copy: every field but the status kept from the stored object (as before, by reference),
    // and what the input took over from the stored object (the same object at the same place:
    // the store's already, never changed in place) shared with it, as a status write shares the
    // spec. The metadata is a new object (`meta`), so the generation and resourceVersion set
    // below never touch the stored object's.
    const next = {} as Record<string, unknown>;
    const before = old as unknown as Record<string, unknown>;
    for (const k of Object.keys(shallow)) {
      next[k] =
        k === 'status' ? shallow.status : cloneSharing((shallow as unknown as Record<string, unknown>)[k], before[k]);
    }
    const stored = next as unknown as KubeObject;
    if (!NOT_INTERNED.has(type)) this.internParts(stored, old);
    if (!sameSpec(stored, old)) stored.metadata.generation = (old.metadata.generation ?? 1) + 1;
    // The last finalizer of an object whose deletion waited only for its finalizers
    // (shouldDeleteDuringUpdate): the write is the deletion, with no modified event first.
    if (deleting && finalizersOf(stored).length === 0 && old.metadata.deletionGracePeriodSeconds === 0) {
      return this.removeAs(type, stored) as T;
    }
    stored.metadata.resourceVersion = String(++this.rv);
    this.put(type, stored);
    this.emit(type, 'modified', stored);
    return stored as T;
  }

  /**
   * `update` of the stored object with some of its fields set to primitive values: what
   * `update({ ...stored, metadata: { ...stored.metadata, resourceVersion: undefined }, ...fields })`
   * stores, with the same generation, resourceVersion and watch event, without copying and
   * comparing the whole object (the recorder's count-up of an Event: `count` and `lastTimestamp`
   * of ~600 Events a day of diurnal-24h). The fields are spec as the API server sees it (not
   * apiVersion, kind, metadata or status): a change moves the generation.
   */
  setFields<T extends KubeObject>(
    type: string,
    namespace: string | undefined,
    name: string,
    fields: Readonly<Record<string, string | number | boolean | null>>,
  ): T {
    const old = this.get(type, namespace, name);
    if (!old) throw new StoreError('NotFound', `${type} "${name}" not found`);
    const before = old as unknown as Record<string, unknown>;
    let changed = false;
    for (const k of Object.keys(fields)) {
      if (NON_SPEC_FIELDS.has(k)) throw new Error(`setFields cannot set ${k}`);
      if (!Object.hasOwn(before, k) || !Object.is(before[k], fields[k])) changed = true;
    }
    const meta = old.metadata;
    // `update` drops a status key holding undefined and adds the bookkeeping keys a stored
    // object's metadata lacks (written by create, always there): what differs goes through it.
    if (
      (Object.hasOwn(before, 'status') && old.status === undefined) ||
      !Object.hasOwn(meta, 'uid') ||
      !Object.hasOwn(meta, 'creationTimestamp') ||
      !Object.hasOwn(meta, 'generation') ||
      !Object.hasOwn(meta, 'resourceVersion')
    ) {
      return this.update({ ...old, metadata: { ...meta, resourceVersion: undefined }, ...fields } as T);
    }
    if (!changed) return old as T;
    const next = { ...old, ...fields, metadata: { ...meta } } as KubeObject;
    next.metadata.generation = (meta.generation ?? 1) + 1;
    next.metadata.resourceVersion = String(++this.rv);
    this.put(type, next);
    this.emit(type, 'modified', next);
    return next as T;
  }

  /**
   * Writes the status subresource; no event when nothing changed. `handedOver`: the caller gives
   * the status up, as `createHandedOver`'s input (built for this write alone, no part of it kept,
   * read or changed by anyone afterwards): the store keeps it as it is instead of copying it.
   */
  updateStatus<T extends KubeObject>(
    kind: string,
    namespace: string | undefined,
    name: string,
    status: unknown,
    handedOver = false,
  ): T {
    const old = this.get(kind, namespace, name);
    if (!old) throw new StoreError('NotFound', `${kind} "${name}" not found`);
    if (dataEqual(old.status, status)) return old as T;
    // What the new status took over from the stored one (the very object at the same place:
    // the store's, never changed in place) is shared, as `update` shares it.
    const next = {
      ...old,
      status: handedOver ? status : cloneSharing(status, old.status),
      metadata: { ...old.metadata },
    } as KubeObject;
    if (!handedOver && !NOT_INTERNED.has(kind) && typeof next.status === 'object' && next.status !== null) {
      this.interner.internParts(next.status, false);
    }
    next.metadata.resourceVersion = String(++this.rv);
    this.put(kind, next, true);
    this.emit(kind, 'modified', next);
    return next as T;
  }

  /**
   * A pod's binding subresource: its node (`spec.nodeName`, which moves no generation) and the
   * status the binding brings, in one write. `handedOver` as for {@link updateStatus}.
   */
  bind(
    kind: string,
    namespace: string | undefined,
    name: string,
    nodeName: string,
    status: unknown,
    handedOver = false,
  ): KubeObject {
    const old = this.get(kind, namespace, name);
    if (!old) throw new StoreError('NotFound', `${kind} "${name}" not found`);
    const spec = (old as { spec?: Record<string, unknown> }).spec ?? {};
    const next = {
      ...old,
      spec: { ...spec, nodeName },
      status: handedOver ? status : cloneSharing(status, old.status),
      metadata: { ...old.metadata },
    } as KubeObject;
    next.metadata.resourceVersion = String(++this.rv);
    this.put(kind, next);
    this.emit(kind, 'modified', next);
    return next;
  }

  /** Marks an object as being deleted (it stays listed until `remove`). */
  markDeleting(
    kind: string,
    namespace: string | undefined,
    name: string,
    gracePeriodSeconds?: number,
  ): KubeObject | undefined {
    const old = this.get(kind, namespace, name);
    if (!old || old.metadata.deletionTimestamp) return old;
    const next = {
      ...old,
      metadata: {
        ...old.metadata,
        deletionTimestamp: this.options.timestamp(),
        ...(gracePeriodSeconds !== undefined ? { deletionGracePeriodSeconds: gracePeriodSeconds } : {}),
      },
    };
    next.metadata.resourceVersion = String(++this.rv);
    this.put(kind, next);
    this.emit(kind, 'modified', next);
    return next;
  }

  /**
   * A DELETE as the API server does it (no grace period: everything but pods): an object with no
   * finalizer left once the propagation policy has put the garbage collector's own on or off
   * (`deletionFinalizers`) goes at once; one with finalizers stays, marked (deletionTimestamp,
   * deletionGracePeriodSeconds 0, its generation moved by one), until a write takes the last
   * off. A second DELETE of a marked object only changes its garbage-collector finalizers (a
   * Background after a Foreground takes `foregroundDeletion` off). Returns the object as it is
   * now (the removed one, or the marked one) and whether it is gone.
   */
  delete(
    type: string,
    namespace: string | undefined,
    name: string,
    propagation?: Propagation,
  ): { object: KubeObject; removed: boolean } {
    const old = this.get(type, namespace, name);
    if (!old) throw new StoreError('NotFound', `${type} "${name}" not found`);
    const finalizers = deletionFinalizers(finalizersOf(old), propagation);
    if (old.metadata.deletionTimestamp !== undefined) {
      if (sameFinalizers(finalizers, finalizersOf(old))) return { object: old, removed: false };
      // The API server's own write (not a client's update): it may put the collector's
      // finalizer on, which a client may not.
      const metadata = { ...old.metadata } as KubeObject['metadata'];
      if (finalizers.length > 0) metadata.finalizers = finalizers;
      else delete metadata.finalizers;
      const next = { ...old, metadata } as KubeObject;
      if (finalizers.length === 0) return { object: this.removeAs(type, next), removed: true };
      metadata.resourceVersion = String(++this.rv);
      this.put(type, next);
      this.emit(type, 'modified', next);
      return { object: next, removed: false };
    }
    if (finalizers.length === 0) return { object: this.remove(type, namespace, name)!, removed: true };
    const metadata = {
      ...old.metadata,
      deletionTimestamp: this.options.timestamp(),
      deletionGracePeriodSeconds: 0,
      finalizers,
    } as KubeObject['metadata'];
    // markAsDeleting: the generation moves for kinds without graceful deletion.
    if ((old.metadata.generation ?? 0) > 0) metadata.generation = old.metadata.generation! + 1;
    metadata.resourceVersion = String(++this.rv);
    const next = { ...old, metadata } as KubeObject;
    this.put(type, next);
    this.emit(type, 'modified', next);
    return { object: next, removed: false };
  }

  remove(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const old = this.get(kind, namespace, name);
    if (!old) return undefined;
    return this.removeAs(kind, old);
  }

  /** Removes the stored object `last` is a version of; the deleted event carries `last`. */
  private removeAs(kind: string, last: KubeObject): KubeObject {
    const namespace = last.metadata.namespace;
    const name = last.metadata.name;
    const old = this.get(kind, namespace, name)!;
    const ofType = this.byType.get(kind);
    const bucket = ofType?.get(namespace ?? '');
    // Out of the indexes first, while the bucket still has the object's id.
    const indexes = this.indexes.get(kind);
    if (indexes)
      for (const index of indexes.values()) for (const k of index.keysOf(old)) this.unfileKey(kind, index, k, old);
    if (bucket) {
      bucket.byName.delete(name);
      bucket.ids.delete(name);
      bucket.sorted = null;
      if (bucket.byName.size === 0) {
        ofType!.delete(namespace ?? '');
        this.namespacesInOrder.delete(kind);
      }
    }
    const gone = { ...last, metadata: { ...last.metadata, resourceVersion: String(++this.rv) } };
    this.emit(kind, 'deleted', gone);
    return gone;
  }

  /** Stores `obj`; `sameKeys`: its index keys are the stored object's (a status write). */
  private put(type: string, obj: KubeObject, sameKeys = false): void {
    let ofType = this.byType.get(type);
    if (!ofType) {
      ofType = new Map();
      this.byType.set(type, ofType);
    }
    const ns = obj.metadata.namespace ?? '';
    let bucket = ofType.get(ns);
    if (!bucket) {
      bucket = new Bucket();
      ofType.set(ns, bucket);
      this.namespacesInOrder.delete(type);
    }
    const old = bucket.byName.get(obj.metadata.name);
    if (old === undefined) bucket.sorted = null;
    bucket.byName.set(obj.metadata.name, obj);
    const indexes = this.indexes.get(type);
    if (!indexes) return;
    for (const index of indexes.values()) this.fileIn(type, index, obj, sameKeys ? undefined : old);
  }

  /**
   * Calls `listener` after each write, of the types `kinds` takes (all when not given), in the
   * order the writes happen. Returns the call that stops it.
   */
  watch(listener: StoreListener, kinds?: StoreKinds): () => void {
    this.listeners.set(listener, kinds);
    this.taken.clear();
    return () => {
      this.listeners.delete(listener);
      this.taken.clear();
    };
  }

  private emit(type: string, op: WatchOp, object: KubeObject): void {
    let taken = this.taken.get(type);
    if (taken === undefined) {
      taken = false;
      for (const kinds of this.listeners.values()) if (kinds === undefined || kinds(type)) taken = true;
      this.taken.set(type, taken);
    }
    if (!taken) return;
    const event = { op, object, resourceVersion: this.rv };
    for (const [l, kinds] of this.listeners) if (kinds === undefined || kinds(type)) l(event);
  }
}
