/**
 * A list-then-watch of one resource type in one namespace that survives a real network:
 * - it resumes from the last resourceVersion it saw (bookmarks included) after a dropped stream;
 * - on 410 Gone (the version is too old: an ERROR event or an HTTP 410) it lists again and
 *   reports the difference against what it knew (added, modified, deleted), so no change is lost;
 * - it keeps the objects it knows, by name, for synchronous snapshots.
 */
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../../model/api/types.js';
import type { ResourceType } from '../../model/rules/resources.js';
import { collectionPath, KubeClient, statusOf } from './kube.js';

export type WatchOp = 'added' | 'modified' | 'deleted';

export interface WatchOptions {
  namespace: string;
  labelSelector?: string;
  fieldSelector?: string;
  onEvent: (op: WatchOp, obj: KubeObject) => void;
  /** Diagnostics (each reconnect and relist); not user output. */
  onInfo?: (message: string) => void;
  /**
   * The stream was lost (`lost`, with why) or is open again (`resumed`; `relisted` after a 410):
   * one watch's view of a connection, for whoever sums up all watches in one line.
   */
  onConnection?: (change: ConnectionChange) => void;
  /** First reconnect delay (doubles up to maxBackoffMs). Default 250 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /**
   * A stream that has said nothing (not even a bookmark) for this long is reopened from the last
   * resourceVersion: a connection can die without either side noticing. Default 5 minutes.
   */
  idleRestartMs?: number;
}

export type ConnectionChange =
  | { readonly state: 'lost'; readonly why: string }
  | { readonly state: 'resumed'; readonly relisted: boolean };

interface ListBody {
  metadata?: { resourceVersion?: string };
  items?: KubeObject[];
}

export class ResilientWatch {
  readonly objects = new Map<string, KubeObject>();
  /** How often the stream was reopened, and how often a 410 forced a new list. */
  readonly stats = { connects: 0, reconnects: 0, relists: 0, events: 0 };
  private resourceVersion = '';
  private controller: AbortController | undefined;
  private generation = 0;
  private stopped = false;
  private gone = false;
  /** Between a lost stream and the next open one. */
  private lost = false;
  private relistedWhileLost = false;
  private backoff: number;
  private timer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lastActivity = Date.now();
  private readonly watch: k8s.Watch;
  private readonly api: KubeClient;

  constructor(
    kc: k8s.KubeConfig,
    readonly resource: ResourceType,
    private readonly options: WatchOptions,
  ) {
    this.watch = new k8s.Watch(kc);
    this.api = new KubeClient(kc);
    this.backoff = options.backoffMs ?? 250;
  }

  /** Lists (reporting every object as added), then starts watching. */
  async start(): Promise<void> {
    await this.list();
    await this.connect();
    const idle = this.options.idleRestartMs ?? 300_000;
    this.watchdog = setInterval(
      () => {
        if (this.stopped || !this.controller || Date.now() - this.lastActivity < idle) return;
        this.options.onInfo?.(
          `${this.resource.id}: no word from the watch for ${Math.round(idle / 1000)} s, reopening it`,
        );
        this.lastActivity = Date.now();
        this.controller.abort();
      },
      Math.max(10, Math.min(30_000, idle / 4)),
    );
    this.watchdog.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.controller?.abort();
  }

  private path(): string {
    return collectionPath(this.resource, this.options.namespace);
  }

  private async list(): Promise<void> {
    const body: ListBody = await this.api.list(this.resource, this.options.namespace, {
      labelSelector: this.options.labelSelector,
      fieldSelector: this.options.fieldSelector,
    });
    const seen = new Set<string>();
    for (const raw of body.items ?? []) {
      const obj = raw;
      const name = obj.metadata.name;
      seen.add(name);
      const known = this.objects.get(name);
      this.objects.set(name, obj);
      if (!known) this.emit('added', obj);
      else if (known.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emit('modified', obj);
    }
    for (const [name, obj] of [...this.objects]) {
      if (seen.has(name)) continue;
      this.objects.delete(name);
      this.emit('deleted', obj);
    }
    this.resourceVersion = body.metadata?.resourceVersion ?? '';
  }

  private emit(op: WatchOp, obj: KubeObject): void {
    this.stats.events++;
    this.options.onEvent(op, obj);
  }

  /** Opens the stream; true when it is open (an error may have closed it at once: false). */
  private async connect(): Promise<boolean> {
    if (this.stopped) return false;
    const generation = ++this.generation;
    this.stats.connects++;
    const params: Record<string, string | boolean> = { allowWatchBookmarks: true };
    if (this.resourceVersion) params.resourceVersion = this.resourceVersion;
    if (this.options.labelSelector) params.labelSelector = this.options.labelSelector;
    if (this.options.fieldSelector) params.fieldSelector = this.options.fieldSelector;
    const controller = await this.watch.watch(
      this.path(),
      params,
      (type: string, obj: KubeObject) => {
        if (generation !== this.generation) return;
        this.onWatchEvent(type, obj);
      },
      (err: unknown) => {
        if (generation !== this.generation || this.stopped) return;
        this.onDone(err);
      },
    );
    if (generation === this.generation) {
      this.controller = controller;
      this.lastActivity = Date.now();
      return true;
    }
    controller.abort();
    return false;
  }

  private onWatchEvent(type: string, obj: KubeObject): void {
    this.lastActivity = Date.now();
    if (type === 'ERROR') {
      const code = (obj as unknown as { code?: number }).code;
      if (code === 410) this.gone = true;
      this.options.onInfo?.(
        `${this.resource.id}: watch error ${code ?? ''} ${(obj as { message?: string }).message ?? ''}`,
      );
      this.controller?.abort();
      return;
    }
    const rv = obj?.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (type === 'BOOKMARK') return;
    this.backoff = this.options.backoffMs ?? 250;
    const full = {
      ...obj,
      apiVersion: obj.apiVersion ?? this.resource.apiVersion,
      kind: obj.kind ?? this.resource.kind,
    };
    const name = full.metadata.name;
    if (type === 'DELETED') {
      this.objects.delete(name);
      this.emit('deleted', full);
    } else if (type === 'ADDED' || type === 'MODIFIED') {
      const known = this.objects.has(name);
      this.objects.set(name, full);
      this.emit(known ? 'modified' : 'added', full);
    }
  }

  private onDone(err: unknown): void {
    const gone = this.gone || statusOf(err) === 410;
    this.gone = false;
    this.generation++;
    this.stats.reconnects++;
    const delay = gone ? 0 : this.backoff;
    if (!gone) this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs ?? 5_000);
    const why = gone ? 'expired (410 Gone)' : err ? `closed (${(err as Error).message ?? err})` : 'closed';
    this.options.onInfo?.(
      `${this.resource.id}: watch ${gone ? 'expired (410 Gone), listing again' : `${why}, resuming from ${this.resourceVersion || 'the start'}`}`,
    );
    this.setLost(why);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.reopen(gone);
    }, delay);
  }

  private setLost(why: string): void {
    if (this.lost) return;
    this.lost = true;
    this.options.onConnection?.({ state: 'lost', why });
  }

  private async reopen(relist: boolean): Promise<void> {
    if (this.stopped) return;
    try {
      if (relist) {
        this.stats.relists++;
        await this.list();
        this.relistedWhileLost = true;
      }
      const open = await this.connect();
      if (open && !this.stopped && this.lost) {
        this.lost = false;
        this.options.onConnection?.({ state: 'resumed', relisted: this.relistedWhileLost });
        this.relistedWhileLost = false;
      }
    } catch (e) {
      if (this.stopped) return;
      // The list itself failed (410 again, or the network): try again later, listing afresh.
      this.options.onInfo?.(`${this.resource.id}: ${relist ? 'list' : 'watch'} failed: ${(e as Error).message}`);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.reopen(true);
      }, this.backoff);
      this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs ?? 5_000);
    }
  }
}
