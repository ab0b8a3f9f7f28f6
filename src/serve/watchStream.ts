/** Watch streams: one HTTP response per watch, fed by the WatchHub. */
import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../model/api/types.js';
import type { ResourceType } from '../model/rules/resources.js';
import type { FieldSelector, Selector } from '../model/rules/selectors.js';
import type { ObjectStore } from '../sim/store.js';
import { present } from './objects.js';
import { badRequest, statusObject } from './status.js';
import { toTable, wantsTable } from './table.js';
import type { HistoryEvent, WatchHub } from './watch.js';

export interface WatchContext {
  hub: WatchHub;
  store: ObjectStore;
  /** Simulated now, for Table AGE cells. */
  now: () => number;
  /** Closers of the open streams (server shutdown ends them all). */
  open: Set<() => void>;
  /** Event lines by event and event type, shared by all watchers. */
  serialized: WeakMap<HistoryEvent, Map<string, string>>;
  /** How often watches with allowWatchBookmarks get a BOOKMARK (wall-clock ms). */
  bookmarkIntervalMs: number;
}

/**
 * Serves one watch: newline-delimited JSON events (Tables for `kubectl get -w`), from the
 * current state (resourceVersion "" or "0", or sendInitialEvents) or from a resourceVersion
 * still in the history, else a single ERROR event with a 410 Expired Status.
 */
export function serveWatch(
  ctx: WatchContext,
  resource: ResourceType,
  namespace: string | undefined,
  selectors: { labels: Selector; fields: FieldSelector },
  query: URLSearchParams,
  accept: string | undefined,
  res: ServerResponse,
): void {
  const { labels, fields } = selectors;
  const matches = (o: KubeObject | undefined) =>
    o !== undefined &&
    (namespace === undefined || o.metadata.namespace === namespace) &&
    labels(o.metadata.labels) &&
    fields(o);
  const table = wantsTable(accept);
  const rvParam = query.get('resourceVersion') ?? '';
  const bookmarks = query.get('allowWatchBookmarks') === 'true' && !table;
  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '0');
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) {
    throw badRequest(`invalid resource version: strconv.ParseUint: parsing "${rvParam}": invalid syntax`);
  }

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache',
  });
  res.flushHeaders();
  let headersSent = false;
  let closed = false;
  const writeLine = (line: string) => {
    if (closed) return;
    res.write(line);
    // A client that does not read: drop it rather than buffer without bound.
    if (res.writableLength > 64 * 1024 * 1024) close();
  };
  const write = (type: string, object: unknown) => writeLine(`${JSON.stringify({ type, object })}\n`);
  /** JSON events are the same bytes for every watcher: serialise each once. */
  const writeEvent = (type: string, e: HistoryEvent) => {
    if (table) return write(type, encode(e.object));
    let lines = ctx.serialized.get(e);
    if (!lines) {
      lines = new Map();
      ctx.serialized.set(e, lines);
    }
    let line = lines.get(type);
    if (line === undefined) {
      line = `${JSON.stringify({ type, object: present(e.object) })}\n`;
      lines.set(type, line);
    }
    writeLine(line);
  };
  const encode = (o: KubeObject): unknown => {
    if (!table) return present(o);
    const tableObj = toTable(resource, [o], {
      nowMs: ctx.now(),
      resourceVersion: o.metadata.resourceVersion ?? '',
      noHeaders: headersSent,
      ...(query.get('includeObject') ? { includeObject: query.get('includeObject') ?? '' } : {}),
    });
    headersSent = true;
    return tableObj;
  };
  const deliver = (e: HistoryEvent) => {
    const now = matches(e.object);
    if (e.type === 'MODIFIED') {
      const before = matches(e.previous);
      if (now && before) writeEvent('MODIFIED', e);
      else if (now) writeEvent('ADDED', e);
      else if (before) writeEvent('DELETED', e);
    } else if (now) {
      writeEvent(e.type, e);
    }
  };

  let unsubscribe: () => void = () => {};
  let bookmarkTimer: NodeJS.Timeout | undefined;
  let timeoutTimer: NodeJS.Timeout | undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    if (timeoutTimer) clearTimeout(timeoutTimer);
    ctx.open.delete(close);
    res.end();
  };
  ctx.open.add(close);
  res.on('close', close);
  res.on('error', close);

  const initialEvents = query.get('sendInitialEvents') === 'true';
  let since: number;
  if (rvParam === '' || rvParam === '0' || initialEvents) {
    ctx.hub.flush();
    since = ctx.store.resourceVersion();
    for (const o of ctx.store.list(resource.id, namespace)) if (matches(o)) write('ADDED', encode(o));
    if (initialEvents && bookmarks) {
      // The watch-list protocol: the initial state ends with an annotated bookmark.
      write('BOOKMARK', {
        kind: resource.kind,
        apiVersion: resource.apiVersion,
        metadata: { resourceVersion: String(since), annotations: { 'k8s.io/initial-events-end': 'true' } },
      });
    }
  } else {
    since = Number(rvParam);
  }
  const sub = ctx.hub.subscribe({ type: resource.id, deliver }, since);
  if (!sub.ok) {
    write('ERROR', statusObject(410, 'Expired', `too old resource version: ${since} (${sub.floor})`));
    close();
    return;
  }
  unsubscribe = sub.unsubscribe;
  if (bookmarks) {
    const kind = resource.kind;
    const apiVersion = resource.apiVersion;
    bookmarkTimer = setInterval(() => {
      ctx.hub.flush();
      write('BOOKMARK', { kind, apiVersion, metadata: { resourceVersion: String(ctx.store.resourceVersion()) } });
    }, ctx.bookmarkIntervalMs);
  }
  if (timeoutSeconds > 0) timeoutTimer = setTimeout(close, timeoutSeconds * 1000);
}

/** A watch that ends before it starts: one ERROR event with `status`, as the API server streams it. */
export function watchError(res: ServerResponse, status: unknown): void {
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache',
  });
  res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
}
