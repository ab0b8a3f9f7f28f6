/**
 * Controllers reconcile an object some time after it changed (informer and workqueue latency),
 * once per burst of changes: a key already queued is not queued again.
 */
import type { Engine } from './engine.js';

export type Reconciler = (namespace: string, name: string) => void;

/** The names of one type and namespace waiting for their reconcile. */
interface Pending {
  readonly namespace: string;
  readonly names: Set<string>;
}

/** One queued key and its reconciler: what the engine hands back when the reconcile is due. */
interface Queued {
  readonly pending: Pending;
  readonly name: string;
  readonly reconciler: Reconciler;
}

/** The reconcile of a queued key (one function for all: no closure made per key queued). */
function due(q: Queued): void {
  q.pending.names.delete(q.name);
  q.reconciler(q.pending.namespace, q.name);
}

export class WorkQueue {
  /**
   * Queued keys by type, namespace, then name: not a joined `type/namespace/name` string, which was
   * built and hashed on every enqueue (the strings a caller passes are mostly the same ones each
   * time, their hashes kept).
   */
  private readonly pending = new Map<string, Map<string, Pending>>();
  private readonly reconcilers = new Map<string, Reconciler>();
  /**
   * The engine's lane of each delay: a delay is the same for every key queued with it, so its
   * reconciles come due in the order they were queued and wait in the lane's FIFO, not in the
   * engine's heap (a fleet's start queues ≈ 70 reconciles a Service). Delivered at the same
   * (time, sequence) as through the heap.
   */
  private readonly lanes = new Map<number, number>();

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
    let pending = byNamespace.get(namespace);
    if (pending === undefined) {
      pending = { namespace, names: new Set() };
      byNamespace.set(namespace, pending);
    }
    if (pending.names.has(name)) return;
    pending.names.add(name);
    // As `engine.after(delayMs, …)` schedules it.
    const delay = Math.max(0, delayMs);
    let lane = this.lanes.get(delay);
    if (lane === undefined) {
      lane = this.engine.lane();
      this.lanes.set(delay, lane);
    }
    this.engine.callInLane(lane, this.engine.now() + delay, due, { pending, name, reconciler });
  }
}
