/**
 * Controllers reconcile an object some time after it changed (informer and workqueue latency),
 * once per burst of changes: a key already queued is not queued again.
 */
import type { Engine } from './engine.js';

export type Reconciler = (namespace: string, name: string) => void;

export class WorkQueue {
  /**
   * Queued keys by type, namespace, then name: not a joined `type/namespace/name` string, which was
   * built and hashed on every enqueue (the strings a caller passes are mostly the same ones each
   * time, their hashes kept).
   */
  private readonly pending = new Map<string, Map<string, Set<string>>>();
  private readonly reconcilers = new Map<string, Reconciler>();

  constructor(
    private readonly engine: Engine,
    private readonly delayMs: number,
  ) {}

  register(type: string, reconciler: Reconciler): void {
    this.reconcilers.set(type, reconciler);
  }

  enqueue(type: string, namespace: string, name: string, delayMs = this.delayMs): void {
    const reconciler = this.reconcilers.get(type);
    if (!reconciler) return;
    let byNamespace = this.pending.get(type);
    if (byNamespace === undefined) {
      byNamespace = new Map();
      this.pending.set(type, byNamespace);
    }
    let names = byNamespace.get(namespace);
    if (names === undefined) {
      names = new Set();
      byNamespace.set(namespace, names);
    }
    if (names.has(name)) return;
    names.add(name);
    const queued = names;
    this.engine.after(delayMs, () => {
      queued.delete(name);
      reconciler(namespace, name);
    });
  }
}
