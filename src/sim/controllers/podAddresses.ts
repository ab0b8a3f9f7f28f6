/**
 * A revision's pods as its Endpoints and EndpointSlices list them (each pod with an IP and not
 * being deleted, by name, as the store's index of the revision's pods orders them), kept as the
 * pods change instead of read from the store on each reconcile. With thousands of pods a
 * reconcile read every stored pod (its metadata, its status, its entries by pod): ≈ 0.5 µs a pod
 * in cache misses alone, twice a second during churn. Kept here, a reconcile reads one array.
 *
 * A revision's list is made from the store the first time it is asked for (so pods stored before
 * anyone watched are in it); from then on each pod event moves only that pod.
 */
import type { Pod } from '../../model/api/types.js';
import { LABEL_REVISION } from '../../model/rules/labels.js';
import { NODE_NAME } from '../../model/rules/podspec.js';
import type { StoreEvent } from '../store.js';

/** A pod's entries: its address in the Endpoints, its endpoint in the EndpointSlice (frozen). */
export interface PodEndpoints {
  readonly ready: boolean;
  readonly address: { ip: string; nodeName: string; targetRef: object };
  readonly slice: object;
}

/** A pod's address in its revision's Endpoints and its entry in the EndpointSlice, frozen. */
export function podEndpoints(p: Pod, ns: string): PodEndpoints {
  const ready = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const targetRef = Object.freeze({ kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid ?? '' });
  const address = Object.freeze({ ip: p.status?.podIP as string, nodeName: NODE_NAME, targetRef });
  const slice = Object.freeze({
    addresses: Object.freeze([address.ip]),
    conditions: Object.freeze({ ready, serving: ready, terminating: false }),
    nodeName: NODE_NAME,
    targetRef,
  });
  return { ready, address, slice };
}

/** Whether a stored pod is listed: it has an IP and is not being deleted. */
function listed(p: Pod): boolean {
  return !p.metadata.deletionTimestamp && !!p.status?.podIP;
}

/**
 * One revision's listed pods: names in order, their entries at the same places. A pod that comes
 * or goes is not spliced in or out at once (a move of thousands of references, with the GC's
 * write barrier on each, for every pod's start and end): one that goes leaves a gap, one that
 * comes waits in `added`, and both are merged in one pass when the entries are next read (a
 * reconcile, at most twice a second, which reads them all anyway). A pod whose stored version
 * changes gets its new entries in place.
 */
export class RevisionAddresses {
  private names: string[] = [];
  /** `undefined`: the pod at this place went (its name stays until the next merge). */
  private list: (PodEndpoints | undefined)[] = [];
  /** Pods listed since the last merge, not in `names`. */
  private readonly added = new Map<string, PodEndpoints>();
  private gaps = 0;
  /** Moves on every change of the list: equal versions of one list, equal entries. */
  version = 0;
  /**
   * Moves on every change of the ready entries (one comes, goes or is made again): equal ready
   * versions of one list, equal ready entries in the same order (what the public Endpoints and
   * slice list), whatever the not-ready ones did.
   */
  readyVersion = 0;

  constructor(
    /** The pods' namespace (their entries' targetRef). */
    private readonly namespace: string,
    pods: readonly Pod[],
  ) {
    // The store's index lists them in order already.
    for (const p of pods) {
      if (!listed(p)) continue;
      this.names.push(p.metadata.name);
      this.list.push(podEndpoints(p, namespace));
    }
  }

  /** The listed pods' entries, in order (read, never kept: the next change moves them). */
  entries(): readonly PodEndpoints[] {
    if (this.added.size > 0 || this.gaps > 0) this.merge();
    return this.list as PodEndpoints[];
  }

  /** The stored pod as it is now (its entries made for this version), or gone. */
  put(p: Pod): void {
    this.set(p.metadata.name, listed(p) ? p : undefined);
  }

  remove(name: string): void {
    this.set(name, undefined);
  }

  private set(name: string, p: Pod | undefined): void {
    const at = position(this.names, name);
    let before: PodEndpoints | undefined;
    let after: PodEndpoints | undefined;
    if (at >= 0) {
      before = this.list[at];
      if (p) {
        if (before === undefined) this.gaps--;
        after = podEndpoints(p, this.namespace);
        this.list[at] = after;
      } else if (before !== undefined) {
        this.list[at] = undefined;
        this.gaps++;
      } else return;
    } else if (p) {
      before = this.added.get(name);
      after = podEndpoints(p, this.namespace);
      this.added.set(name, after);
    } else {
      before = this.added.get(name);
      if (before === undefined) return;
      this.added.delete(name);
    }
    this.version++;
    if (before?.ready || after?.ready) this.readyVersion++;
  }

  /** The gaps closed and the added pods in their places, in one pass. */
  private merge(): void {
    // The default sort orders strings by UTF-16 code units, as `<` does (and the store's index).
    const incoming = [...this.added.keys()].sort();
    const names: string[] = [];
    const list: PodEndpoints[] = [];
    let j = 0;
    for (let i = 0; i < this.names.length; i++) {
      const entry = this.list[i];
      if (entry === undefined) continue;
      const name = this.names[i]!;
      for (; j < incoming.length && incoming[j]! < name; j++) {
        names.push(incoming[j]!);
        list.push(this.added.get(incoming[j]!)!);
      }
      names.push(name);
      list.push(entry);
    }
    for (; j < incoming.length; j++) {
      names.push(incoming[j]!);
      list.push(this.added.get(incoming[j]!)!);
    }
    this.names = names;
    this.list = list;
    this.added.clear();
    this.gaps = 0;
  }
}

/** Where `name` is in `names` (ordered as the store orders names), or -(where it would go) - 1. */
function position(names: readonly string[], name: string): number {
  let lo = 0;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const at = names[mid]!;
    if (at < name) lo = mid + 1;
    else if (at > name) hi = mid;
    else return mid;
  }
  return -lo - 1;
}

/**
 * Every revision's `RevisionAddresses` that has been asked for, by the store's index key
 * (`namespace/revision`), kept from the pods' store events.
 */
export class PodAddresses {
  private readonly revisions = new Map<string, RevisionAddresses>();
  /**
   * The same lists by namespace then revision, and the list each listed pod is in by namespace
   * then name (one relabelled or no longer listed leaves it): a pod's store event (several in
   * each pod's life, thousands of pods) looks them up with the strings its object holds, where a
   * joined `namespace/name` key was a new string to build and hash on every event.
   */
  private readonly byNamespace = new Map<string, Map<string, RevisionAddresses>>();
  private readonly listOf = new Map<string, Map<string, RevisionAddresses>>();

  /** The revision's list, made from `stored` (its pods in the store's order) the first time. */
  of(ns: string, key: string, stored: () => readonly Pod[]): RevisionAddresses {
    let list = this.revisions.get(key);
    if (list === undefined) {
      const pods = stored();
      list = new RevisionAddresses(ns, pods);
      this.revisions.set(key, list);
      inNamespace(this.byNamespace, ns).set(key.slice(ns.length + 1), list);
      for (const p of pods)
        if (listed(p)) inNamespace(this.listOf, p.metadata.namespace ?? '').set(p.metadata.name, list);
    }
    return list;
  }

  /** A revision's list is no longer asked for (its SKS went): pod events no longer keep it. */
  forget(key: string): void {
    const list = this.revisions.get(key);
    if (list === undefined) return;
    this.revisions.delete(key);
    for (const [ns, lists] of this.byNamespace) {
      for (const [revision, l] of lists) if (l === list) lists.delete(revision);
      if (lists.size === 0) this.byNamespace.delete(ns);
    }
    for (const [ns, pods] of this.listOf) {
      for (const [pod, l] of pods) if (l === list) pods.delete(pod);
      if (pods.size === 0) this.listOf.delete(ns);
    }
  }

  /** A pod's store event. */
  observe(e: StoreEvent): void {
    const p = e.object as Pod;
    const ns = p.metadata.namespace ?? '';
    const name = p.metadata.name;
    const pods = this.listOf.get(ns);
    const was = pods?.get(name);
    const revision = e.op === 'deleted' ? undefined : p.metadata.labels?.[LABEL_REVISION];
    const now = revision === undefined ? undefined : this.byNamespace.get(ns)?.get(revision);
    if (now !== undefined && listed(p)) {
      if (was !== undefined && was !== now) was.remove(name);
      now.put(p);
      if (was !== now) (pods ?? inNamespace(this.listOf, ns)).set(name, now);
    } else if (was !== undefined) {
      // Not listed (no IP yet, being deleted, gone) or in no list asked for.
      was.remove(name);
      pods!.delete(name);
      if (pods!.size === 0) this.listOf.delete(ns);
    }
  }
}

/** The map of `ns` in `maps`, made when missing. */
function inNamespace<V>(maps: Map<string, Map<string, V>>, ns: string): Map<string, V> {
  let m = maps.get(ns);
  if (m === undefined) {
    m = new Map();
    maps.set(ns, m);
  }
  return m;
}
