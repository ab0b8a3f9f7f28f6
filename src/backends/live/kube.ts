/**
 * The Kubernetes side of the live backend: loading a kubeconfig, API paths for the resource
 * types knsim knows, and turning client-node failures into one clear sentence.
 *
 * client-node 1.x (object-parameter API): a non-2xx reply throws `ApiException` with `.code`
 * and a string `.body`; a network failure throws node-fetch's `FetchError` with an errno `.code`.
 */
import * as k8s from '@kubernetes/client-node';
import fetch from 'node-fetch';
import type { KubeObject } from '../../model/api/types.js';
import { RESOURCE_TYPES, type ResourceType, resourceById, resourceForKind } from '../../model/rules/resources.js';

export interface KubeConfigOptions {
  /** A kubeconfig file (default: $KUBECONFIG or ~/.kube/config). */
  kubeconfig?: string;
  /** A context name in it (default: the current context). */
  context?: string;
}

/** A failure of the up-front checks or of a cluster call, in words meant for the user. */
export class LiveError extends Error {
  constructor(
    message: string,
    readonly exitCode = 3,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export function loadKubeConfig(options: KubeConfigOptions = {}): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw new LiveError(
      `cannot read the kubeconfig${options.kubeconfig ? ` ${options.kubeconfig}` : ''}: ${(e as Error).message}`,
    );
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      throw new LiveError(
        `context "${options.context}" is not in the kubeconfig (contexts: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        })`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new LiveError('the kubeconfig has no current cluster (set a context with --context)');
  // client-node 1.x refuses plain http:// unless TLS verification is off (stack.md P3); there
  // is no TLS to verify on http, so say so for it.
  if (cluster.server.startsWith('http://') && !cluster.skipTLSVerify) {
    const clusters = kc.clusters.map((c) => (c.name === cluster.name ? { ...c, skipTLSVerify: true } : c));
    kc.loadFromOptions({
      clusters,
      users: kc.users,
      contexts: kc.contexts,
      currentContext: kc.getCurrentContext(),
    });
  }
  return kc;
}

export function serverOf(kc: k8s.KubeConfig): string {
  return kc.getCurrentCluster()?.server ?? '(no server)';
}

/** `/api/v1/namespaces/default/pods`, `/apis/serving.knative.dev/v1/namespaces/default/services`. */
export function collectionPath(r: ResourceType, namespace?: string): string {
  const root = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return r.namespaced && namespace ? `${root}/namespaces/${namespace}/${r.plural}` : `${root}/${r.plural}`;
}

export function objectPath(r: ResourceType, namespace: string | undefined, name: string): string {
  return `${collectionPath(r, namespace)}/${encodeURIComponent(name)}`;
}

export function resourceOf(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): ResourceType | undefined {
  return resourceForKind(obj.apiVersion, obj.kind);
}

export function resourceOrThrow(id: string): ResourceType {
  const r = resourceById(id);
  if (!r) throw new LiveError(`unknown resource type ${id}`);
  return r;
}

export { RESOURCE_TYPES };

/** The HTTP status of a client-node failure (ApiException, watch error), if it has one. */
export function statusOf(e: unknown): number | undefined {
  if (e instanceof k8s.ApiException) return e.code;
  if (e && typeof e === 'object') {
    const o = e as { code?: unknown; statusCode?: unknown };
    if (typeof o.statusCode === 'number') return o.statusCode;
    if (typeof o.code === 'number') return o.code;
  }
  return undefined;
}

/** The `message` of a Kubernetes Status body, if the error carries one. */
export function statusMessage(e: unknown): string | undefined {
  const body = (e as { body?: unknown })?.body;
  if (typeof body !== 'string') {
    const m = (body as { message?: unknown } | undefined)?.message;
    return typeof m === 'string' ? m : undefined;
  }
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return body.trim() || undefined;
  }
}

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed and not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate cannot be verified',
};

/** A network-level failure (FetchError and friends): the errno code, or undefined. */
export function networkCode(e: unknown): string | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const o = e as { code?: unknown; errno?: unknown; cause?: unknown; name?: unknown; type?: unknown };
  if (e instanceof k8s.ApiException) return undefined;
  if (typeof o.code === 'string') return o.code;
  if (typeof o.errno === 'string') return o.errno;
  if (o.name === 'TimeoutError' || o.type === 'request-timeout') return 'ETIMEDOUT';
  if (o.cause) return networkCode(o.cause);
  return undefined;
}

/** One sentence for a failed call to the cluster. */
export function describeKubeError(e: unknown, server: string, what = 'the request'): string {
  const net = networkCode(e);
  if (net) return `cannot reach the cluster at ${server}: ${NETWORK_WORDS[net] ?? net.toLowerCase()}`;
  const status = statusOf(e);
  const message = statusMessage(e);
  if (status === 401) {
    return `the cluster at ${server} rejected the credentials (401 Unauthorized): check the user in the kubeconfig (token, certificate or login)`;
  }
  if (status === 403) return `no permission for ${what} (403 Forbidden)${message ? `: ${message}` : ''}`;
  if (status !== undefined) return `${what} failed (HTTP ${status})${message ? `: ${message}` : ''}`;
  return `${what} failed: ${(e as Error)?.message ?? String(e)}`;
}

/** Rejects after `ms` with an ETIMEDOUT-like error (client-node 1.x has no request timeout). */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`timed out after ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface ListOptions {
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  limit?: number;
}

export interface ObjectList {
  metadata?: { resourceVersion?: string };
  items?: KubeObject[];
}

/**
 * Object calls over client-node's own transport (the kubeconfig's auth and TLS through
 * `applyToFetchOptions`, node-fetch as client-node's Watch uses it), with untyped JSON bodies.
 *
 * Why not `KubernetesObjectApi`: in 1.4.0 it (de)serialises bodies by `<Version><Kind>`, so a
 * `serving.knative.dev/v1` Service is treated as a core `V1Service` and its `spec.template` is
 * silently dropped on create, patch and read.
 */
export class KubeClient {
  constructor(
    readonly kc: k8s.KubeConfig,
    /** Per call (object calls are small; watches do not go through here). */
    readonly timeoutMs = 30_000,
  ) {}

  async request<T>(
    method: string,
    path: string,
    options: {
      body?: unknown;
      contentType?: string;
      query?: Record<string, string | number | boolean | undefined>;
    } = {},
  ): Promise<T> {
    const url = new URL(serverOf(this.kc) + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const init = (await this.kc.applyToFetchOptions({})) as unknown as FetchInit;
    init.method = method;
    // node-fetch's own timeout: a hung API server fails the call (FetchError request-timeout).
    init.timeout = this.timeoutMs;
    init.headers.set('Accept', 'application/json');
    if (options.body !== undefined) {
      init.headers.set('Content-Type', options.contentType ?? 'application/json');
      init.body = JSON.stringify(options.body);
    }
    const res = await fetch(url.toString(), init as unknown as Parameters<typeof fetch>[1]);
    const text = await res.text();
    if (res.status < 200 || res.status >= 300) {
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        headers[k] = v;
      });
      throw new k8s.ApiException(res.status, `HTTP ${res.status} ${method} ${path}`, text, headers);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private readonly discovered = new Map<string, ResourceType | undefined>();

  /** The resource type of a kind: knsim's table first, else API discovery (undefined if not served). */
  async resourceFor(apiVersion: string, kind: string): Promise<ResourceType | undefined> {
    const known = resourceForKind(apiVersion, kind);
    if (known) return known;
    const key = `${apiVersion}/${kind}`;
    if (this.discovered.has(key)) return this.discovered.get(key);
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    let found: ResourceType | undefined;
    try {
      const list = await this.request<{
        resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
      }>('GET', group ? `/apis/${group}/${version}` : `/api/${version}`);
      const r = (list.resources ?? []).find((x) => x.kind === kind && !x.name.includes('/'));
      if (r) {
        found = {
          id: group ? `${r.name}.${group}` : r.name,
          kind,
          apiVersion,
          group: group ?? '',
          version: version ?? '',
          plural: r.name,
          singular: kind.toLowerCase(),
          shortNames: [],
          categories: [],
          namespaced: r.namespaced,
          verbs: r.verbs ?? [],
        };
      }
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
    this.discovered.set(key, found);
    return found;
  }

  get(r: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.request('GET', objectPath(r, namespace, name));
  }

  async list(r: ResourceType, namespace: string | undefined, options: ListOptions = {}): Promise<ObjectList> {
    const body = await this.request<ObjectList>('GET', collectionPath(r, namespace), { query: { ...options } });
    // Items of a list carry no apiVersion/kind.
    body.items = (body.items ?? []).map((o) => ({ ...o, apiVersion: r.apiVersion, kind: r.kind }));
    return body;
  }

  /** Server-side apply: PATCH application/apply-patch+yaml, fieldManager, force. */
  apply(r: ResourceType, namespace: string | undefined, obj: KubeObject, fieldManager: string): Promise<KubeObject> {
    return this.request('PATCH', objectPath(r, namespace, obj.metadata.name), {
      body: obj,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager, force: true },
    });
  }

  mergePatch(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    fieldManager: string,
  ): Promise<KubeObject> {
    return this.request('PATCH', objectPath(r, namespace, name), {
      body: patch,
      contentType: 'application/merge-patch+json',
      query: { fieldManager },
    });
  }

  create(r: ResourceType, namespace: string | undefined, obj: KubeObject, fieldManager: string): Promise<KubeObject> {
    return this.request('POST', collectionPath(r, namespace), { body: obj, query: { fieldManager } });
  }

  delete(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    propagationPolicy = 'Background',
  ): Promise<unknown> {
    return this.request('DELETE', objectPath(r, namespace, name), {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy },
    });
  }
}

interface FetchInit {
  method?: string;
  timeout?: number;
  body?: string;
  headers: { set(name: string, value: string): void };
}
