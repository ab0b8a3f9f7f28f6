/**
 * Kubernetes' garbage collector (pkg/controller/garbagecollector) over the simulated store, as
 * far as knsim's objects go. It watches the store and acts an informer's latency later, as the
 * real one acts on its graph after its informers told it:
 *
 * - an owner gone: each dependent that has no other owner left is deleted, with the policy its
 *   own finalizers give (background unless it carries `orphan` or `foregroundDeletion`); one that
 *   still has a live owner only loses the reference to the gone one;
 * - an owner marked with `orphan` (a DELETE with propagationPolicy Orphan): its reference is
 *   taken off every dependent, then the finalizer off the owner, which then goes;
 * - an owner marked with `foregroundDeletion` (propagationPolicy Foreground): its dependents
 *   are deleted (in the foreground again when they have dependents of their own, so the tree
 *   goes from its leaves up), and once none that blocks its deletion (`blockOwnerDeletion`) is
 *   left, the finalizer comes off and the owner goes last.
 *
 * An object that carries a finalizer of its own (a Route: Knative's labeler) stays until its
 * controller takes it off; only then do its dependents go.
 */
import type { KubeObject, OwnerReference } from '../../model/api/types.js';
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN } from '../../model/rules/finalizers.js';
import type { Engine } from '../engine.js';
import { finalizersOf, type ObjectStore, type StoreEvent, typeOf } from '../store.js';
import { BY_OWNER } from '../types.js';

export class GarbageCollector {
  /** Work queued for an informer's latency later, by what it is about (one entry per burst). */
  private readonly queued = new Set<string>();
  /** Uids of owners marked for a foreground deletion, still there. */
  private readonly waiting = new Set<string>();

  /**
   * @param ownedTypes types whose objects are filed by owner uid (the store's BY_OWNER index)
   * @param neverOwners types whose objects own nothing (no look for their dependents)
   */
  constructor(
    private readonly store: ObjectStore,
    private readonly engine: Engine,
    private readonly delayMs: number,
    private readonly ownedTypes: readonly string[],
    private readonly neverOwners: ReadonlySet<string>,
  ) {}

  observe(e: StoreEvent, type: string): void {
    const obj = e.object;
    const meta = obj.metadata;
    if (e.op === 'deleted') {
      const uid = meta.uid;
      if (uid !== undefined) this.waiting.delete(uid);
      if (uid !== undefined && !this.neverOwners.has(type) && this.hasDependents(uid)) {
        const namespace = meta.namespace;
        this.later(`gone/${uid}`, () => this.ownerGone(uid, namespace));
      }
      // A dependent gone: an owner waiting for it in the foreground may go now.
      if (this.waiting.size > 0 && meta.ownerReferences !== undefined) {
        for (const ref of meta.ownerReferences) {
          if (!this.waiting.has(ref.uid)) continue;
          const ownerType = typeOf(ref);
          const namespace = meta.namespace;
          this.later(`fg/${ref.uid}`, () => this.foreground(ownerType, namespace, ref.name, ref.uid));
        }
      }
      return;
    }
    if (meta.deletionTimestamp === undefined || this.neverOwners.has(type) || meta.finalizers === undefined) return;
    const finalizers = finalizersOf(obj);
    const uid = meta.uid ?? '';
    const namespace = meta.namespace;
    const name = meta.name;
    if (finalizers.includes(FINALIZER_ORPHAN)) {
      this.later(`orphan/${uid}`, () => this.orphan(type, namespace, name, uid));
    } else if (finalizers.includes(FINALIZER_FOREGROUND)) {
      this.waiting.add(uid);
      this.later(`fg/${uid}`, () => this.foreground(type, namespace, name, uid));
    }
  }

  private later(key: string, fn: () => void): void {
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.engine.after(this.delayMs, () => {
      this.queued.delete(key);
      fn();
    });
  }

  /** The dependents of the owner with this uid, type by type, each type's by namespace and name. */
  private dependents(uid: string, namespace: string | undefined): { type: string; object: KubeObject }[] {
    const out: { type: string; object: KubeObject }[] = [];
    for (const type of this.ownedTypes) {
      for (const object of this.store.byIndex(type, BY_OWNER, uid)) {
        if (namespace === undefined || object.metadata.namespace === namespace) out.push({ type, object });
      }
    }
    return out;
  }

  private hasDependents(uid: string): boolean {
    for (const type of this.ownedTypes) if (this.store.byIndex(type, BY_OWNER, uid).length > 0) return true;
    return false;
  }

  /** The owner an owner reference names, when that very incarnation (its uid) is still stored. */
  private live(ref: OwnerReference, namespace: string | undefined): KubeObject | undefined {
    const owner = this.store.get(typeOf(ref), namespace, ref.name);
    return owner?.metadata.uid === ref.uid ? owner : undefined;
  }

  private ownerGone(uid: string, namespace: string | undefined): void {
    for (const { type, object } of this.dependents(uid, namespace)) {
      const refs = object.metadata.ownerReferences ?? [];
      const solid = refs.filter((r) => r.uid !== uid && this.live(r, object.metadata.namespace) !== undefined);
      if (solid.length > 0) {
        this.setOwners(
          object,
          refs.filter((r) => r.uid !== uid),
        );
        continue;
      }
      // Its own finalizers give the policy: no propagation asked.
      this.store.delete(type, object.metadata.namespace, object.metadata.name);
    }
  }

  private orphan(type: string, namespace: string | undefined, name: string, uid: string): void {
    const owner = this.store.get(type, namespace, name);
    if (owner?.metadata.uid !== uid || !finalizersOf(owner).includes(FINALIZER_ORPHAN)) return;
    for (const { object } of this.dependents(uid, namespace)) {
      this.setOwners(
        object,
        (object.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid),
      );
    }
    this.takeOff(type, owner, FINALIZER_ORPHAN);
  }

  private foreground(type: string, namespace: string | undefined, name: string, uid: string): void {
    const owner = this.store.get(type, namespace, name);
    if (owner?.metadata.uid !== uid || !finalizersOf(owner).includes(FINALIZER_FOREGROUND)) {
      this.waiting.delete(uid);
      return;
    }
    for (const { type: t, object } of this.dependents(uid, namespace)) {
      if (object.metadata.deletionTimestamp !== undefined) continue;
      const own = object.metadata.uid;
      this.store.delete(
        t,
        object.metadata.namespace,
        object.metadata.name,
        own !== undefined && this.hasDependents(own) ? 'Foreground' : undefined,
      );
    }
    // Looked at again as each dependent goes (observe).
    if (this.dependents(uid, namespace).some((d) => blocks(d.object, uid))) return;
    this.waiting.delete(uid);
    this.takeOff(type, owner, FINALIZER_FOREGROUND);
  }

  private setOwners(object: KubeObject, refs: OwnerReference[]): void {
    const metadata = { ...object.metadata, resourceVersion: undefined } as KubeObject['metadata'];
    if (refs.length > 0) metadata.ownerReferences = refs;
    else delete metadata.ownerReferences;
    this.store.update({ ...object, metadata });
  }

  /** The collector's patch that takes its finalizer off (the others keep their order). */
  private takeOff(type: string, owner: KubeObject, finalizer: string): void {
    const current = this.store.get(type, owner.metadata.namespace, owner.metadata.name) ?? owner;
    const left = finalizersOf(current).filter((f) => f !== finalizer);
    const metadata = { ...current.metadata, resourceVersion: undefined } as KubeObject['metadata'];
    if (left.length > 0) metadata.finalizers = left;
    else delete metadata.finalizers;
    this.store.update({ ...current, metadata });
  }
}

function blocks(dependent: KubeObject, uid: string): boolean {
  return dependent.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion === true) ?? false;
}
