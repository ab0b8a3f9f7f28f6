/**
 * The Kubernetes side of the live backend: loading a kubeconfig, API paths for the resource
 * types knsim knows, and turning client-node failures into one clear sentence.
 *
 * client-node 1.x (object-parameter API): a non-2xx reply throws `ApiException` with `.code`
 * and a string `.body`; a network failure throws node-fetch's `FetchError` with an errno `.code`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import fetch from 'node-fetch';
import { parse as parseYaml } from 'yaml';
import { fileErrorMessage, UserError } from '../../io/errors.js';
import type { KubeObject } from '../../model/api/types.js';
import { RESOURCE_TYPES, type ResourceType, resourceById, resourceForKind } from '../../model/rules/resources.js';

export interface KubeConfigOptions {
  /** A kubeconfig file (default: $KUBECONFIG or ~/.kube/config). */
  kubeconfig?: string;
  /** A context name in it (default: the current context). */
  context?: string;
}

/** A failure of the up-front checks or of a cluster call, in words meant for the user (exit 3: a cluster problem). */
export class LiveError extends UserError {
  constructor(message: string, exitCode = 3) {
    super(message, exitCode);
  }
}

/** A kubeconfig file as the user named it: `--kubeconfig F`, `$KUBECONFIG F` or `kubeconfig F`. */
interface KubeconfigFile {
  path: string;
  label: string;
}

/** A problem with the kubeconfig the user gave: bad input, exit 2 (not a cluster check). */
function kubeconfigError(message: string): LiveError {
  return new LiveError(message, 2);
}

/**
 * The files to read, in kubectl's order: --kubeconfig, else every file in $KUBECONFIG that
 * exists (kubectl skips missing ones), else ~/.kube/config if it exists; undefined when there is
 * none (client-node then tries the in-cluster service account, else http://localhost:8080).
 */
function kubeconfigFiles(options: KubeConfigOptions): KubeconfigFile[] | undefined {
  if (options.kubeconfig) return [{ path: options.kubeconfig, label: `--kubeconfig ${options.kubeconfig}` }];
  const env = process.env.KUBECONFIG;
  if (env) {
    const listed = env.split(delimiter).filter((f) => f !== '');
    const present = listed.filter((f) => existsSync(f));
    if (listed.length > 0 && present.length === 0) {
      throw kubeconfigError(`$KUBECONFIG names no file that exists (${listed.join(delimiter)})`);
    }
    if (present.length > 0) return present.map((f) => ({ path: f, label: `$KUBECONFIG ${f}` }));
  }
  const home = join(homedir(), '.kube', 'config');
  return existsSync(home) ? [{ path: home, label: `kubeconfig ${home}` }] : undefined;
}

/** One kubeconfig file, read and checked; errors name the file (and the line of a YAML error). */
function readKubeconfigFile(file: KubeconfigFile): k8s.KubeConfig {
  let text: string;
  try {
    text = readFileSync(file.path, 'utf8');
  } catch (e) {
    // `--kubeconfig /x: cannot open: no such file or directory`
    throw kubeconfigError(fileErrorMessage(e, file.label) ?? `${file.label}: cannot read: ${(e as Error).message}`);
  }
  const kc = new k8s.KubeConfig();
  // client-node parses with js-yaml; its own messages end in a multi-line code snippet.
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    doc = {}; // let js-yaml (below) have its say
  }
  if (doc === null || doc === undefined) return kc; // an empty file: nothing in it
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw kubeconfigError(
      `${file.label}: not a kubeconfig (expected a mapping with clusters, contexts and users, got ${
        Array.isArray(doc) ? 'a list' : `a ${typeof doc}`
      })`,
    );
  }
  try {
    kc.loadFromString(text);
  } catch (e) {
    const err = e as Error & { reason?: string; mark?: { line: number; column: number } };
    if (err.name === 'YAMLException' && err.mark) {
      throw kubeconfigError(
        `${file.label}:${err.mark.line + 1}:${err.mark.column + 1}: YAML syntax error: ${err.reason ?? 'invalid YAML'}`,
      );
    }
    throw kubeconfigError(`${file.label}: not a valid kubeconfig: ${firstLine(err.message)}`);
  }
  kc.makePathsAbsolute(dirname(file.path));
  return kc;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? text;
}

/** kubectl's merge of several kubeconfig files: the first file to set a name (or the current context) wins. */
function mergeKubeconfigs(configs: k8s.KubeConfig[]): k8s.KubeConfig {
  if (configs.length === 1 && configs[0]) return configs[0];
  const firstByName = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Set<string>();
    return lists.flat().filter((x) => !seen.has(x.name) && seen.add(x.name));
  };
  const merged = new k8s.KubeConfig();
  merged.loadFromOptions({
    clusters: firstByName(configs.map((c) => c.clusters)),
    users: firstByName(configs.map((c) => c.users)),
    contexts: firstByName(configs.map((c) => c.contexts)),
    currentContext: configs.map((c) => c.getCurrentContext()).find((name) => !!name),
  });
  return merged;
}

function names(list: { name: string }[]): string {
  return list.map((x) => x.name).join(', ') || 'none';
}

/**
 * The kubeconfig of a live run, with the context chosen and checked. Every problem with the
 * files or the context is one line naming the file (or flag), exit 2.
 */
export function loadKubeConfig(options: KubeConfigOptions = {}): k8s.KubeConfig {
  const files = kubeconfigFiles(options);
  let kc: k8s.KubeConfig;
  if (files) kc = mergeKubeconfigs(files.map(readKubeconfigFile));
  else {
    kc = new k8s.KubeConfig();
    try {
      kc.loadFromDefault(); // no file: the in-cluster service account, else http://localhost:8080
    } catch (e) {
      throw kubeconfigError(
        `no kubeconfig, and the in-cluster service account cannot be used: ${firstLine((e as Error).message)}`,
      );
    }
  }
  // The files as the user named them: `--kubeconfig F`, `$KUBECONFIG a:b`, `kubeconfig ~/.kube/config`.
  const where = !files
    ? 'the kubeconfig'
    : files.length === 1 && files[0]
      ? files[0].label
      : `$KUBECONFIG ${files.map((f) => f.path).join(delimiter)}`;
  const contexts = () => `contexts: ${names(kc.getContexts())}`;
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      throw kubeconfigError(`--context "${options.context}": no such context in ${where} (${contexts()})`);
    }
    kc.setCurrentContext(options.context);
  }
  const current = kc.getCurrentContext();
  if (!current) {
    throw kubeconfigError(
      `${where}: no current context (current-context is not set); choose one with --context (${contexts()})`,
    );
  }
  const context = kc.getContextObject(current);
  if (!context) {
    throw kubeconfigError(
      `${where}: current-context "${current}" is not one of its contexts (${contexts()}); choose one with --context`,
    );
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw kubeconfigError(
      `${where}: context "${current}" names cluster "${context.cluster}", which is not in it (clusters: ${names(kc.getClusters())})`,
    );
  }
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

  /**
   * A GET answered with text (a pod's /metrics through the API server's proxy), bounded in time
   * and size; a non-2xx answer throws an ApiException as `request` does.
   */
  async text(path: string, options: { timeoutMs: number; maxBytes: number }): Promise<string> {
    const init = (await this.kc.applyToFetchOptions({})) as unknown as FetchInit & { size?: number };
    init.method = 'GET';
    init.timeout = options.timeoutMs;
    init.size = options.maxBytes;
    init.headers.set('Accept', 'text/plain;version=0.0.4;q=1,*/*;q=0.1');
    const res = await fetch(serverOf(this.kc) + path, init as unknown as Parameters<typeof fetch>[1]);
    const text = await res.text();
    if (res.status < 200 || res.status >= 300) {
      throw new k8s.ApiException(res.status, `HTTP ${res.status} GET ${path}`, text, {});
    }
    return text;
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
