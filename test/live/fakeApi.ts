/**
 * A tiny Kubernetes API server on node:http (port 0) for the live backend's tests: discovery,
 * SelfSubjectAccessReview, list/get/watch/apply/merge-patch/create/delete on an in-memory store
 * with resourceVersions and a watch history. Failure switches: refuse credentials (401), no
 * Knative (discovery without serving.knative.dev), deny access, drop watch connections, and
 * expire old resourceVersions (410 Gone as an ERROR event or as an HTTP status).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../../src/model/api/types.js';
import { RESOURCE_TYPES, type ResourceType } from '../../src/model/rules/resources.js';

export interface FakeApiOptions {
  /** 401 for every request. */
  unauthorized?: boolean;
  /** Discovery without the Knative groups. */
  noKnative?: boolean;
  /** SelfSubjectAccessReview answers allowed=false for these verbs. */
  denyVerbs?: string[];
  /** SelfSubjectAccessReview itself, and lists of Knative Services, answer 403. */
  forbidden?: boolean;
  /** How an expired resourceVersion is reported: an ERROR event in the stream (default) or HTTP 410. */
  goneAs?: 'event' | 'http';
  /** Answers `…/pods/<name>[:port]/proxy/<path>` (default: 404). */
  proxy?: (namespace: string, pod: string, rest: string) => { status: number; body: string };
}

interface Parsed {
  resource: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
}

interface Watcher {
  key: string;
  selector: string | undefined;
  res: http.ServerResponse;
}

interface HistoryEntry {
  rv: number;
  key: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  obj: KubeObject;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  contentType: string | undefined;
}

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  readonly deletes: string[] = [];
  readonly store = new Map<string, Map<string, KubeObject>>();
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  /** Called after every change (a fake controller hooks in here). */
  readonly listeners: ((type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject) => void)[] = [];
  private rv = 100;
  /** Watches asking for a resourceVersion below this get 410 Gone. */
  minRv = 0;
  private server: http.Server | undefined;
  port = 0;

  constructor(readonly options: FakeApiOptions = {}) {
    this.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    this.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'knative-serving' } });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /**
   * An API server restart: every connection cut, connections refused for `downMs`, then the same
   * address serves again with the same objects and history (watches can resume).
   */
  async restart(downMs: number): Promise<void> {
    const port = this.port;
    await this.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.start(port);
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  kubeConfig(): k8s.KubeConfig {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'test-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'u', namespace: 'default' }],
      currentContext: 'fake',
    });
    return kc;
  }

  kubeconfigYaml(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: fake\n  cluster:\n    server: ${this.url}\n    insecure-skip-tls-verify: true`,
      'users:',
      '- name: u\n  user:\n    token: test-token',
      'contexts:',
      '- name: fake\n  context:\n    cluster: fake\n    user: u\n    namespace: default',
      'current-context: fake',
      '',
    ].join('\n');
  }

  // ---------- test controls ----------

  static keyOf(resource: ResourceType, namespace: string | undefined): string {
    return `${resource.id}/${resource.namespaced ? (namespace ?? '') : ''}`;
  }

  /** Creates or replaces an object (as a controller would), notifying watches. */
  put(input: KubeObject): KubeObject {
    const resource = RESOURCE_TYPES.find((r) => r.apiVersion === input.apiVersion && r.kind === input.kind);
    if (!resource) throw new Error(`fake: unknown kind ${input.apiVersion} ${input.kind}`);
    const key = FakeApiServer.keyOf(resource, input.metadata.namespace);
    let bucket = this.store.get(key);
    if (!bucket) {
      bucket = new Map();
      this.store.set(key, bucket);
    }
    const existing = bucket.get(input.metadata.name);
    const obj = structuredClone(input);
    obj.metadata.resourceVersion = String(++this.rv);
    obj.metadata.uid = existing?.metadata.uid ?? `uid-${this.rv}`;
    obj.metadata.creationTimestamp =
      existing?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    bucket.set(obj.metadata.name, obj);
    this.notify(key, existing ? 'MODIFIED' : 'ADDED', obj);
    return obj;
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const resource = RESOURCE_TYPES.find((r) => r.apiVersion === apiVersion && r.kind === kind)!;
    return this.store.get(FakeApiServer.keyOf(resource, namespace))?.get(name);
  }

  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): boolean {
    const resource = RESOURCE_TYPES.find((r) => r.apiVersion === apiVersion && r.kind === kind)!;
    const key = FakeApiServer.keyOf(resource, namespace);
    const obj = this.store.get(key)?.get(name);
    if (!obj) return false;
    this.store.get(key)!.delete(name);
    const gone = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    this.notify(key, 'DELETED', gone);
    // Garbage collection: dependents go with their owner.
    for (const bucket of [...this.store.values()]) {
      for (const o of [...bucket.values()]) {
        if ((o.metadata.ownerReferences ?? []).some((r) => r.uid === obj.metadata.uid)) {
          this.remove(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
        }
      }
    }
    return true;
  }

  /** Every object in the store carrying this label. */
  labelled(label: string, value: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const bucket of this.store.values()) {
      for (const o of bucket.values()) if (o.metadata.labels?.[label] === value) out.push(o);
    }
    return out;
  }

  /** Cuts every open watch stream (the client must resume from its last resourceVersion). */
  dropWatches(): void {
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
  }

  /** Forgets the history: resuming from any version seen so far answers 410 Gone. */
  expireHistory(): void {
    this.minRv = this.rv;
    this.history.length = 0;
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  // ---------- HTTP ----------

  private notify(key: string, type: HistoryEntry['type'], obj: KubeObject): void {
    this.history.push({ rv: Number(obj.metadata.resourceVersion), key, type, obj: structuredClone(obj) });
    for (const w of this.watchers) {
      if (w.key !== key || !matches(obj, w.selector)) continue;
      w.res.write(`${JSON.stringify({ type, object: obj })}\n`);
    }
    for (const l of this.listeners) l(type, obj);
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private status(res: http.ServerResponse, code: number, reason: string, message: string): void {
    this.send(res, code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): unknown {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    this.requests.push({
      method: req.method ?? 'GET',
      path,
      query: url.search,
      contentType: req.headers['content-type'],
    });
    if (this.options.unauthorized || req.headers.authorization !== 'Bearer test-token') {
      this.status(res, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    if (path === '/version') return this.send(res, 200, { major: '1', minor: '30', gitVersion: 'v1.30.0-fake' });
    if (path === '/api') return this.send(res, 200, { kind: 'APIVersions', versions: ['v1'] });
    if (path === '/apis') return this.send(res, 200, this.groups());
    if (path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews' && req.method === 'POST') {
      if (this.options.forbidden) return this.status(res, 403, 'Forbidden', 'selfsubjectaccessreviews is forbidden');
      const review = JSON.parse(body) as { spec: { resourceAttributes: { verb: string } } };
      const allowed = !(this.options.denyVerbs ?? []).includes(review.spec.resourceAttributes.verb);
      return this.send(res, 201, {
        ...review,
        status: { allowed, ...(allowed ? {} : { reason: 'RBAC: access denied' }) },
      });
    }
    const proxied = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/proxy(\/.*)?$/.exec(path);
    if (proxied) {
      const answer = this.options.proxy?.(proxied[1]!, decodeURIComponent(proxied[2]!), proxied[3] ?? '/');
      if (!answer) return this.status(res, 404, 'NotFound', `pods "${proxied[2]}" not found`);
      if (answer.status === 403) return this.status(res, 403, 'Forbidden', answer.body);
      res.writeHead(answer.status, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(answer.body);
      return;
    }
    const discovery = this.resourceList(path);
    if (discovery) return this.send(res, 200, discovery);
    const parsed = parsePath(path, !this.options.noKnative);
    if (!parsed) return this.status(res, 404, 'NotFound', `the server could not find the requested resource`);
    if (this.options.forbidden && parsed.resource.group === 'serving.knative.dev') {
      return this.status(res, 403, 'Forbidden', `services.serving.knative.dev is forbidden: User "u" cannot list`);
    }
    const key = FakeApiServer.keyOf(parsed.resource, parsed.namespace);
    const bucket = this.store.get(key) ?? new Map<string, KubeObject>();
    const method = req.method ?? 'GET';
    if (!parsed.name) {
      if (method === 'GET' && url.searchParams.get('watch') === 'true') return this.watch(res, key, url);
      if (method === 'GET') {
        const selector = url.searchParams.get('labelSelector') ?? undefined;
        const items = [...bucket.values()].filter((o) => matches(o, selector));
        return this.send(res, 200, {
          kind: `${parsed.resource.kind}List`,
          apiVersion: parsed.resource.apiVersion,
          metadata: { resourceVersion: String(this.rv) },
          items,
        });
      }
      if (method === 'POST') {
        const obj = JSON.parse(body) as KubeObject;
        if (bucket.has(obj.metadata.name))
          return this.status(res, 409, 'AlreadyExists', `"${obj.metadata.name}" already exists`);
        const created = this.put({
          ...obj,
          apiVersion: parsed.resource.apiVersion,
          kind: parsed.resource.kind,
          metadata: { ...obj.metadata, ...(parsed.namespace ? { namespace: parsed.namespace } : {}) },
        });
        return this.send(res, 201, created);
      }
      return this.status(res, 405, 'MethodNotAllowed', 'method not allowed');
    }
    const existing = bucket.get(parsed.name);
    const notFound = () => this.status(res, 404, 'NotFound', `${parsed.resource.id} "${parsed.name}" not found`);
    switch (method) {
      case 'GET':
        return existing ? this.send(res, 200, existing) : notFound();
      case 'DELETE': {
        if (!existing) return notFound();
        this.deletes.push(`${parsed.resource.id}/${parsed.namespace ?? ''}/${parsed.name}`);
        this.remove(parsed.resource.apiVersion, parsed.resource.kind, parsed.namespace, parsed.name);
        return this.send(res, 200, { kind: 'Status', status: 'Success' });
      }
      case 'PATCH': {
        const patch = JSON.parse(body) as Record<string, unknown>;
        const type = req.headers['content-type'] ?? '';
        let next: KubeObject;
        if (type.startsWith('application/apply-patch')) {
          if (url.searchParams.get('fieldManager') !== 'knsim') {
            return this.status(res, 400, 'BadRequest', 'fieldManager is required for apply requests');
          }
          const applied = patch as unknown as KubeObject;
          next = existing
            ? {
                ...existing,
                ...applied,
                metadata: {
                  ...existing.metadata,
                  // Server-side apply: the one applier here (knsim) owns the labels, so labels it
                  // set before and leaves out now are removed.
                  labels: { ...(applied.metadata.labels ?? {}) },
                  annotations: { ...(existing.metadata.annotations ?? {}), ...(applied.metadata.annotations ?? {}) },
                },
              }
            : { ...applied, metadata: { ...applied.metadata } };
          if (existing && JSON.stringify({ ...next, metadata: {} }) === JSON.stringify({ ...existing, metadata: {} })) {
            return this.send(res, 200, existing);
          }
        } else if (type.startsWith('application/merge-patch')) {
          if (!existing) return notFound();
          next = mergePatch(existing, patch) as KubeObject;
        } else {
          return this.status(res, 415, 'UnsupportedMediaType', `unsupported patch type ${type}`);
        }
        const saved = this.put({
          ...next,
          apiVersion: parsed.resource.apiVersion,
          kind: parsed.resource.kind,
          metadata: {
            ...next.metadata,
            name: parsed.name,
            ...(parsed.namespace ? { namespace: parsed.namespace } : {}),
          },
        });
        return this.send(res, existing ? 200 : 201, saved);
      }
      default:
        return this.status(res, 405, 'MethodNotAllowed', 'method not allowed');
    }
  }

  private watch(res: http.ServerResponse, key: string, url: URL): unknown {
    const selector = url.searchParams.get('labelSelector') ?? undefined;
    const from = Number(url.searchParams.get('resourceVersion') ?? '0');
    if (from > 0 && from < this.minRv) {
      if (this.options.goneAs === 'http') {
        return this.status(res, 410, 'Expired', `too old resource version: ${from} (${this.minRv})`);
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        `${JSON.stringify({
          type: 'ERROR',
          object: {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            message: `too old resource version: ${from}`,
            reason: 'Expired',
            code: 410,
          },
        })}\n`,
      );
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    if (from === 0) {
      for (const o of this.store.get(key)?.values() ?? []) {
        if (matches(o, selector)) res.write(`${JSON.stringify({ type: 'ADDED', object: o })}\n`);
      }
    } else {
      for (const h of this.history) {
        if (h.rv > from && h.key === key && matches(h.obj, selector))
          res.write(`${JSON.stringify({ type: h.type, object: h.obj })}\n`);
      }
    }
    const watcher: Watcher = { key, selector, res };
    this.watchers.add(watcher);
    res.on('close', () => this.watchers.delete(watcher));
  }

  private groups(): unknown {
    const groups = new Map<string, string>();
    for (const r of RESOURCE_TYPES) {
      if (r.group === '') continue;
      if (this.options.noKnative && r.group.includes('knative')) continue;
      groups.set(r.group, r.version);
    }
    groups.set('authorization.k8s.io', 'v1');
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, version]) => ({
        name,
        versions: [{ groupVersion: `${name}/${version}`, version }],
        preferredVersion: { groupVersion: `${name}/${version}`, version },
      })),
    };
  }

  private resourceList(path: string): unknown {
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
    if (!m) return undefined;
    const group = m[1] ? '' : m[2]!;
    const version = m[1] ?? m[3]!;
    if (this.options.noKnative && group.includes('knative')) return undefined;
    const resources = RESOURCE_TYPES.filter((r) => r.group === group && r.version === version);
    if (resources.length === 0) return undefined;
    return {
      kind: 'APIResourceList',
      groupVersion: group ? `${group}/${version}` : version,
      resources: resources.map((r) => ({
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        shortNames: r.shortNames,
      })),
    };
  }
}

function parsePath(path: string, knative: boolean): Parsed | undefined {
  const m =
    /^\/api\/v1(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(path) ??
    /^\/apis\/[^/]+\/[^/]+(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (!m) return undefined;
  const group = path.startsWith('/api/') ? '' : path.split('/')[2]!;
  if (!knative && group.includes('knative')) return undefined;
  // `/api/v1/namespaces/x` is the Namespace x itself.
  if (group === '' && m[1] === undefined && m[2] === 'namespaces') {
    return { resource: RESOURCE_TYPES.find((r) => r.id === 'namespaces')!, namespace: undefined, name: m[3] };
  }
  if (group === '' && m[1] !== undefined && m[2] === undefined) return undefined;
  const resource = RESOURCE_TYPES.find((r) => r.group === group && r.plural === m[2]);
  if (!resource) return undefined;
  return { resource, namespace: m[1], name: m[3] ? decodeURIComponent(m[3]) : undefined };
}

function matches(obj: KubeObject, selector: string | undefined): boolean {
  if (!selector) return true;
  const labels = obj.metadata.labels ?? {};
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return v === undefined ? k! in labels : labels[k!] === v;
  });
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
