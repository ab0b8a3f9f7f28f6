/**
 * A namespace's deletion as the API server and the namespace controller do it: the Namespace
 * is marked (deletionTimestamp, phase Terminating) and stays listed while its content goes; new
 * content is refused (the NamespaceLifecycle admission plugin's 403); once its last pod is gone,
 * what is left (the Events about what was in it) goes and the Namespace with it. Without this the
 * Namespace vanished at once and the Events of its pods, written as they terminated, stayed in a
 * namespace that no longer existed.
 */
import type { KubeObject } from '../model/api/types.js';
import { RESOURCE_TYPES, type ResourceType } from '../model/rules/resources.js';
import type { ObjectStore } from '../sim/store.js';
import { T } from '../sim/types.js';
import { apiError } from './status.js';

export class NamespaceTermination {
  /** Namespaces being deleted, by name. */
  private readonly terminating = new Set<string>();

  /**
   * @param store the cluster's store
   * @param removable whether the API may remove objects of a type (the simulator's controllers
   *   own the others and remove them through their owners)
   */
  constructor(
    private readonly store: () => ObjectStore,
    private readonly removable: (resource: ResourceType) => boolean,
  ) {}

  /** Starts deleting a namespace: marks it Terminating and deletes what the API may delete in it. */
  begin(name: string): KubeObject | undefined {
    const store = this.store();
    store.markDeleting(T.namespace, undefined, name);
    const marked = store.updateStatus(T.namespace, undefined, name, { phase: 'Terminating' });
    this.terminating.add(name);
    this.empty(name);
    this.settle();
    return store.get(T.namespace, undefined, name) ?? marked;
  }

  /** The 403 for new content in a namespace being deleted, if it is. */
  refusal(resource: ResourceType, namespace: string, name: string) {
    if (!this.terminating.has(namespace)) return undefined;
    return apiError(
      403,
      'Forbidden',
      `${resource.id} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      { name, ...(resource.group ? { group: resource.group } : {}), kind: resource.plural },
    );
  }

  /** Finishes the deletions whose pods are all gone (called as simulated time moves on). */
  settle(): void {
    if (this.terminating.size === 0) return;
    const store = this.store();
    for (const ns of [...this.terminating]) {
      this.empty(ns);
      // Objects held by finalizers (a Route until Knative's labeler has finalized it) are waited for too.
      if (store.count(T.pod, ns) > 0 || this.finalizing(ns)) continue;
      for (const e of store.list('events', ns)) store.remove('events', ns, e.metadata.name);
      store.remove(T.namespace, undefined, ns);
      this.terminating.delete(ns);
    }
  }

  private empty(ns: string): void {
    const store = this.store();
    // Knative's top-level objects first: the garbage collector takes their children along.
    const order = [...RESOURCE_TYPES].filter((r) => r.namespaced).reverse();
    for (const r of order) {
      if (!this.removable(r)) continue;
      // DELETEs, as the namespace controller sends them: finalizers are honoured.
      for (const o of store.list(r.id, ns)) {
        if (o.metadata.deletionTimestamp === undefined) store.delete(r.id, ns, o.metadata.name);
      }
    }
  }

  /** Whether an object the API may delete is still there, marked, waiting for its finalizers. */
  private finalizing(ns: string): boolean {
    const store = this.store();
    for (const r of RESOURCE_TYPES) {
      if (!r.namespaced || !this.removable(r)) continue;
      if (store.list(r.id, ns).some((o) => o.metadata.deletionTimestamp !== undefined)) return true;
    }
    return false;
  }
}
