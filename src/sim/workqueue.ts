/**
 * Controllers reconcile an object some time after it changed (informer and workqueue latency),
 * once per burst of changes: a key already queued is not queued again.
 */
import type { Engine } from './engine.js';

export type Reconciler = (namespace: string, name: string) => void;

export class WorkQueue {
  private readonly pending = new Set<string>();
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
    const key = `${type}\u0000${namespace}\u0000${name}`;
    if (this.pending.has(key)) return;
    this.pending.add(key);
    this.engine.after(delayMs, () => {
      this.pending.delete(key);
      reconciler(namespace, name);
    });
  }
}
