/**
 * Watch fan-out with a bounded history per resource type, so a client can resume from a
 * resourceVersion it has seen. Store events are collected and delivered once the current
 * synchronous work is over, sorted by resourceVersion: a listener that writes to the store from
 * inside another listener would otherwise let a later event overtake an earlier one.
 */
import type { KubeObject } from '../model/api/types.js';
import { RESOURCE_TYPES } from '../model/rules/resources.js';
import type { ObjectStore, StoreEvent } from '../sim/store.js';
import { typeOf } from '../sim/store.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface HistoryEvent {
  rv: number;
  type: WatchEventType;
  object: KubeObject;
  /** The object as it was before this event (for selector transitions). */
  previous?: KubeObject;
}

export interface Watcher {
  readonly type: string;
  /** Called for each event of `type`, in resourceVersion order. */
  deliver(event: HistoryEvent): void;
}

const OPS: Record<StoreEvent['op'], WatchEventType> = { added: 'ADDED', modified: 'MODIFIED', deleted: 'DELETED' };

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

class TypeHistory {
  readonly events: HistoryEvent[] = [];
  /** Events at or below this resourceVersion are gone from the history. */
  floor: number;
  readonly last = new Map<string, KubeObject>();
  readonly watchers = new Set<Watcher>();

  constructor(floor: number) {
    this.floor = floor;
  }
}

export class WatchHub {
  private readonly types = new Map<string, TypeHistory>();
  private pending: { rv: number; type: string; op: WatchEventType; object: KubeObject }[] = [];
  private scheduled = false;
  private readonly startRv: number;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: ObjectStore,
    /** Events kept per resource type. */
    private readonly capacity = 2000,
  ) {
    this.startRv = store.resourceVersion();
    for (const r of RESOURCE_TYPES) this.history(r.id);
    this.unsubscribe = store.watch((e) => this.onStoreEvent(e));
  }

  close(): void {
    this.unsubscribe();
    for (const h of this.types.values()) h.watchers.clear();
  }

  private history(type: string): TypeHistory {
    let h = this.types.get(type);
    if (!h) {
      h = new TypeHistory(this.startRv);
      for (const o of this.store.list(type)) h.last.set(keyOf(o), o);
      this.types.set(type, h);
    }
    return h;
  }

  private onStoreEvent(e: StoreEvent): void {
    const rv = Number(e.object.metadata.resourceVersion);
    this.pending.push({ rv, type: typeOf(e.object), op: OPS[e.op], object: e.object });
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Delivers collected events (also called before serving a watch, so history is current). */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending.sort((a, b) => a.rv - b.rv);
    this.pending = [];
    for (const p of batch) {
      const h = this.history(p.type);
      const key = keyOf(p.object);
      const previous = h.last.get(key);
      if (p.op === 'DELETED') h.last.delete(key);
      else h.last.set(key, p.object);
      const event: HistoryEvent = { rv: p.rv, type: p.op, object: p.object, ...(previous ? { previous } : {}) };
      h.events.push(event);
      if (h.events.length > this.capacity) {
        const dropped = h.events.splice(0, h.events.length - this.capacity);
        h.floor = dropped[dropped.length - 1]!.rv;
      }
      for (const w of h.watchers) w.deliver(event);
    }
  }

  /**
   * Starts a watcher from `sinceRv` (exclusive): replays the history after it, then live events.
   * Returns false (and registers nothing) when that resourceVersion is older than the history.
   */
  subscribe(watcher: Watcher, sinceRv: number): { ok: true; unsubscribe: () => void } | { ok: false; floor: number } {
    this.flush();
    const h = this.history(watcher.type);
    if (sinceRv < h.floor) return { ok: false, floor: h.floor };
    for (const e of h.events) if (e.rv > sinceRv) watcher.deliver(e);
    h.watchers.add(watcher);
    return { ok: true, unsubscribe: () => h.watchers.delete(watcher) };
  }

  /**
   * The events of `type` after `rv`, oldest first, for a list read at `rv` (an exact read, a later
   * page); undefined when the history no longer reaches back to it (compacted, as etcd would say).
   */
  since(type: string, rv: number): readonly HistoryEvent[] | undefined {
    this.flush();
    const h = this.history(type);
    if (rv < h.floor) return undefined;
    return h.events.filter((e) => e.rv > rv);
  }

  watcherCount(): number {
    let n = 0;
    for (const h of this.types.values()) n += h.watchers.size;
    return n;
  }
}
