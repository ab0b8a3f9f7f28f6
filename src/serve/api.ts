/**
 * The Kubernetes API over the simulated cluster's object store: discovery, get, list, create,
 * update, patch, delete, the status subresource and watch, with Status objects for errors.
 * Only JSON is spoken (YAML bodies are accepted); Tables are served to `kubectl get`.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { controllerOwnedCreateRefusal } from '../model/admission.js';
import type { KubeObject, Pod } from '../model/api/types.js';
import type { MetricsNaming } from '../model/observability.js';
import { newFinalizersRefusal } from '../model/rules/finalizers.js';
import { RESOURCE_TYPES, type ResourceType, resourceById } from '../model/rules/resources.js';
import {
  type FieldSelector,
  parseFieldSelector,
  parseLabelSelector,
  type Selector,
  SelectorError,
} from '../model/rules/selectors.js';
import { isoAt } from '../model/rules/time.js';
import type { SimCluster } from '../sim/cluster.js';
import { logTimestamp } from '../sim/podLogs.js';
import { dataEqual, finalizersOf, StoreError } from '../sim/store.js';
import { T } from '../sim/types.js';
import {
  admit,
  checkControllerOwnedSpec,
  configData,
  type FieldValidationRequest,
  fieldValidationMode,
} from './admission.js';
import { REVIEW_TYPES, review } from './auth.js';
import { parseBody, readBody, readObject, send } from './body.js';
import {
  checkCreateResourceVersion,
  checkReplace,
  checkUidUnchanged,
  deletePreconditionFailure,
} from './concurrency.js';
import { checkDeploymentUpdate } from './deployments.js';
import {
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  apiVersions,
  hasStatus,
  OPENAPI_V2_PROTOBUF,
  openApiV2Document,
  openApiV2Protobuf,
  openApiV3Document,
  openApiV3Index,
  SERVER_VERSION,
} from './discovery.js';
import {
  applyManagedFields,
  type FieldManagerRequest,
  type ManagedFieldsEntry,
  requestManager,
  updateManagedFields,
} from './fieldManager.js';
import { futureRevision, listRead, reached, tooLargeResourceVersion } from './freshness.js';
import { continueTooOld, decodeContinue, encodeContinue, listTooOld, stateAt } from './listHistory.js';
import { NamespaceTermination } from './namespaces.js';
import { isObject, keyOf, normaliseObject, present, undecodable } from './objects.js';
import { type DeleteOptions, deleteOptions, queryDryRun } from './options.js';
import { applyMerge, jsonPatch, mergePatch, stripDirectives } from './patch.js';
import { markedForDeletion, podGracePeriod } from './podDeletion.js';
import { podProxyAnswer, proxyTarget } from './podProxy.js';
import { hasScale, requestedReplicas, scaleOf, scaleTable } from './scale.js';
import { ApiError, alreadyExists, apiError, badRequest, conflict, invalid, notFound, statusObject } from './status.js';
import { toTable, wantsTable } from './table.js';
import type { HistoryEvent, WatchHub } from './watch.js';
import { serveWatch, watchError } from './watchStream.js';

/** Types the simulator's controllers own entirely: reading is fine, writing would desynchronise them. */
const READ_ONLY = new Set([
  'pods',
  'deployments.apps',
  'replicasets.apps',
  'endpoints',
  'endpointslices.discovery.k8s.io',
  'events',
]);

/**
 * Read-only types a client may still update (PUT, patch): a revision's Deployment, as `kubectl
 * rollout restart` does. Knative's revision reconciler then puts its template back
 * (src/sim/controllers/revision.ts `restoreTemplate`), as on a cluster.
 */
const UPDATABLE = new Set(['deployments.apps']);

/** What needs a container runtime: kubectl exec, attach (and run -i), port-forward, cp (exec tar). */
const PROCESS_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

/**
 * The refusal of `kubectl exec`, `attach`, `port-forward` and `cp`: the simulated pods run no
 * processes. Said in knsim's words (a cluster has no such answer), as the 400 kubectl prints as
 * `Error from server (BadRequest): …`, rather than the 404 of a path the server does not know.
 */
function noProcesses(subresource: string, pod: string): ApiError {
  const what = subresource === 'portforward' ? 'port-forward' : subresource;
  return badRequest(
    `knsim: pod "${pod}" is simulated: it runs no processes, so ${what} has nothing to connect to (see docs/serve.md, What does not work)`,
  );
}

/** Pods: deleted through the simulation (deletePod), though otherwise read-only. */
const T_POD = resourceById('pods')!;

/** Compares a credential without leaking, through timing, how much of it matched. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The label the API server puts on every namespace (its name). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Namespaces a real cluster refuses to delete. */
const UNDELETABLE_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export interface KubeApiOptions {
  cluster: SimCluster;
  hub: WatchHub;
  token: string;
  /** Whether requests must carry the bearer token (kubectl sends it only over https). */
  requireToken: () => boolean;
  /** Brings the simulation up to the current wall-clock time before a request is served. */
  catchUp: () => void;
  /** host:port clients use, for /api's serverAddressByClientCIDRs. */
  serverAddress: () => string;
  /** How often watches with allowWatchBookmarks get a BOOKMARK (wall-clock ms). */
  bookmarkIntervalMs?: number;
  /** The names the simulated autoscaler's metrics are served under (default: OpenTelemetry's, Knative 1.19+). */
  metricsNaming?: MetricsNaming;
}

interface Target {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Legacy `/watch/` path prefix. */
  watchPath: boolean;
  /** pods/<name>/proxy/<path>: the path sent to the pod. */
  proxyPath?: string;
}

export class KubeApi {
  private readonly cluster: SimCluster;
  private readonly hub: WatchHub;
  private readonly openWatches = new Set<() => void>();
  /** Watch event lines by event and event type, shared by all watchers. */
  private readonly serialized = new WeakMap<HistoryEvent, Map<string, string>>();
  /** Namespaces being deleted (Terminating until their pods are gone). */
  private readonly namespaces = new NamespaceTermination(
    () => this.store(),
    (r) => !READ_ONLY.has(r.id),
  );
  /** The fieldValidation of the write being handled (see `writing`). */
  private validation: FieldValidationRequest | undefined = undefined;
  /** The field manager of the write being handled (see `writing`). */
  private manager = 'unknown';

  constructor(private readonly options: KubeApiOptions) {
    this.cluster = options.cluster;
    this.hub = options.hub;
  }

  /** Ends every open watch (server shutdown). */
  closeWatches(): void {
    for (const close of [...this.openWatches]) close();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof ApiError) {
        const retry = e.status.details?.retryAfterSeconds;
        if (retry !== undefined && retry > 0) res.setHeader('Retry-After', String(retry));
        send(res, e.code, e.status);
      } else send(res, 500, statusObject(500, 'InternalError', `knsim: ${(e as Error).message ?? String(e)}`));
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';

    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    if (path === '/version') return send(res, 200, SERVER_VERSION);

    const auth = req.headers.authorization ?? '';
    if (this.options.requireToken() && !sameSecret(auth, `Bearer ${this.options.token}`)) {
      throw apiError(401, 'Unauthorized', 'Unauthorized');
    }

    let segments: string[];
    try {
      segments = path
        .split('/')
        .filter((s) => s !== '')
        .map(decodeURIComponent);
    } catch {
      throw badRequest(`malformed path: ${path}`);
    }
    if (segments[0] === 'openapi') return this.openapi(segments, req.headers.accept, res);
    if (segments[0] !== 'api' && segments[0] !== 'apis') {
      throw apiError(404, 'NotFound', 'the server could not find the requested resource');
    }

    let group: string;
    let version: string | undefined;
    let rest: string[];
    if (segments[0] === 'api') {
      group = '';
      version = segments[1];
      rest = segments.slice(2);
      if (!version) return send(res, 200, apiVersions(this.options.serverAddress()));
    } else {
      group = segments[1] ?? '';
      version = segments[2];
      rest = segments.slice(3);
      if (!group) return send(res, 200, apiGroupList());
      if (!version) {
        const doc = apiGroupDocument(group);
        if (!doc) throw apiError(404, 'NotFound', 'the server could not find the requested resource');
        return send(res, 200, doc);
      }
    }
    if (rest.length === 0) {
      const doc = apiResourceList(group, version);
      if (!doc) throw apiError(404, 'NotFound', 'the server could not find the requested resource');
      return send(res, 200, doc);
    }
    const target = this.target(group, version, rest);
    this.options.catchUp();
    await this.resourceRequest(method, target, url.searchParams, req, res);
  }

  private openapi(segments: string[], accept: string | undefined, res: ServerResponse): void {
    if (segments[1] === 'v2' && segments.length === 2) {
      // client-go asks for the protobuf encoding only; curl and browsers get JSON.
      if ((accept ?? '').includes('protobuf')) {
        const body = openApiV2Protobuf();
        res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTOBUF, 'Content-Length': body.length });
        res.end(body);
        return;
      }
      send(res, 200, openApiV2Document());
      return;
    }
    if (segments[1] === 'v3') {
      const doc = segments.length === 2 ? openApiV3Index() : openApiV3Document(segments.slice(2).join('/'));
      if (doc) {
        send(res, 200, doc);
        return;
      }
    }
    throw apiError(404, 'NotFound', 'the server could not find the requested resource');
  }

  private target(group: string, version: string, rest: string[]): Target {
    const types = RESOURCE_TYPES.filter((r) => r.group === group && r.version === version);
    const notFoundPath = () => apiError(404, 'NotFound', 'the server could not find the requested resource');
    if (types.length === 0) throw notFoundPath();
    let parts = rest;
    let watchPath = false;
    if (parts[0] === 'watch') {
      watchPath = true;
      parts = parts.slice(1);
    }
    const find = (plural: string | undefined) => types.find((t) => t.plural === plural);
    let namespace: string | undefined;
    // /namespaces/<ns>/<plural>/... for namespaced types; /namespaces/<name>[/status] is the Namespace itself.
    if (parts[0] === 'namespaces' && parts.length >= 3 && find(parts[2])?.namespaced) {
      namespace = parts[1];
      parts = parts.slice(2);
    }
    const resource = find(parts[0]);
    if (!resource) throw notFoundPath();
    if (resource.namespaced === false && namespace !== undefined) throw notFoundPath();
    const name = parts[1];
    const subresource = parts[2];
    if (subresource === 'proxy' && resource.id === 'pods' && name !== undefined) {
      // pods/<name>[:port]/proxy/<path>: the rest of the path goes to the pod.
      return {
        resource,
        ...(namespace !== undefined ? { namespace } : {}),
        name,
        subresource,
        proxyPath: `/${parts.slice(3).join('/')}`,
        watchPath,
      };
    }
    if (parts.length > 3) throw notFoundPath();
    if (
      resource.id === 'pods' &&
      name !== undefined &&
      subresource !== undefined &&
      PROCESS_SUBRESOURCES.has(subresource)
    ) {
      throw noProcesses(subresource, name);
    }
    const known =
      (subresource === 'status' && hasStatus(resource)) ||
      (subresource === 'log' && resource.id === 'pods') ||
      (subresource === 'scale' && hasScale(resource));
    if (subresource !== undefined && !known) throw notFoundPath();
    return {
      resource,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(name !== undefined ? { name } : {}),
      ...(subresource !== undefined ? { subresource } : {}),
      watchPath,
    };
  }

  private async resourceRequest(
    method: string,
    t: Target,
    query: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const watch = t.watchPath || query.get('watch') === 'true' || query.get('watch') === '1';
    if (REVIEW_TYPES.has(t.resource.id)) {
      // Access and identity reviews: answered, never stored.
      if (method !== 'POST' || t.name !== undefined) throw this.methodNotAllowed(method, t);
      return send(res, 201, review(t.resource.id, await readObject(req)));
    }
    if (t.resource.namespaced && t.namespace === undefined) {
      // /api/v1/pods: listing and watching across namespaces only.
      if (t.name !== undefined) throw apiError(404, 'NotFound', 'the server could not find the requested resource');
      if (method !== 'GET') throw this.methodNotAllowed(method, t);
    }
    if (t.name === undefined) {
      if (method === 'GET' && watch) return this.watch(t, query, req, res);
      if (method === 'GET') {
        const read = listRead(query);
        if (read.kind === 'notOlderThan') await this.notOlderThan(String(read.rv));
        if (read.kind === 'exact' && read.rv > this.store().resourceVersion()) throw futureRevision();
        return this.list(t, query, req, res, read.kind === 'exact' ? read.rv : -1);
      }
      if (method === 'POST') {
        const body = await readObject(req);
        const dryRun = queryDryRun(query, 'CreateOptions');
        const created = this.writing(req, query, res, 'CreateOptions', () => this.create(t, body, dryRun));
        return send(res, 201, created);
      }
      if (method === 'DELETE') {
        const options = deleteOptions(query, await readBody(req), req.headers['content-type']);
        return send(res, 200, this.deleteCollection(t, query, options));
      }
      throw this.methodNotAllowed(method, t);
    }
    if (t.subresource === 'log') {
      if (method !== 'GET') throw this.methodNotAllowed(method, t);
      return this.podLog(t, query, req, res);
    }
    if (t.subresource === 'proxy') {
      if (method !== 'GET' && method !== 'HEAD') throw this.methodNotAllowed(method, t);
      return this.podProxy(t, method, res);
    }
    if (t.subresource === 'scale' && !(method === 'GET' && watch)) return this.scale(method, t, query, req, res);
    if (method === 'GET' && watch) {
      // watch of a single object: a field selector on its name
      const q = new URLSearchParams(query);
      q.set('fieldSelector', `metadata.name=${t.name}`);
      return this.watch({ ...t, name: undefined } as Target, q, req, res);
    }
    switch (method) {
      case 'GET': {
        await this.notOlderThan(query.get('resourceVersion') ?? '');
        const obj = this.mustGet(t);
        if (wantsTable(req.headers.accept)) {
          return send(
            res,
            200,
            toTable(t.resource, [obj], {
              nowMs: this.cluster.now(),
              resourceVersion: String(this.cluster.store.resourceVersion()),
              ...(query.get('includeObject') ? { includeObject: query.get('includeObject') ?? '' } : {}),
            }),
          );
        }
        return send(res, 200, obj);
      }
      case 'PUT': {
        const body = await readObject(req);
        const dryRun = queryDryRun(query, 'UpdateOptions');
        return send(
          res,
          200,
          this.writing(req, query, res, 'UpdateOptions', () => this.replace(t, body, dryRun)),
        );
      }
      case 'PATCH': {
        const body = await readBody(req);
        const dryRun = queryDryRun(query, 'PatchOptions');
        return this.writing(req, query, res, 'PatchOptions', () =>
          this.patch(t, body, req.headers['content-type'] ?? '', query, dryRun, res),
        );
      }
      case 'DELETE': {
        // dryRun, preconditions and an Orphan propagation are honoured.
        const options = deleteOptions(query, await readBody(req), req.headers['content-type']);
        if (t.resource.id === T.pod) return send(res, 200, this.deletePod(t.namespace ?? '', this.mustGet(t), options));
        return send(res, 200, this.delete(t, options));
      }
      default:
        throw this.methodNotAllowed(method, t);
    }
  }

  /**
   * Runs one write with its `fieldValidation` (what admission does with unknown fields); the
   * warnings of `Warn` become `Warning` headers (`299 - "unknown field \"spec.x\""`), which
   * kubectl prints as `Warning: unknown field "spec.x"`. Writes are synchronous once the body is
   * read, so one request's setting cannot leak into another's. The same goes for the request's
   * field manager (`fieldManager`, else the user agent's first word).
   */
  private writing<R>(
    req: IncomingMessage,
    query: URLSearchParams,
    res: ServerResponse,
    options: string,
    fn: () => R,
  ): R {
    const mode = fieldValidationMode(query.get('fieldValidation'), options);
    const fieldManager = query.get('fieldManager');
    if (fieldManager !== null && fieldManager.length > 128) {
      throw apiError(
        422,
        'Invalid',
        `${options}.meta.k8s.io "" is invalid: fieldManager: Invalid value: ${JSON.stringify(fieldManager)}: must be less than 128 characters`,
      );
    }
    this.validation = { mode, warn: (text) => res.appendHeader('Warning', `299 - ${JSON.stringify(text)}`) };
    this.manager = requestManager(fieldManager, req.headers['user-agent']);
    try {
      return fn();
    } finally {
      this.validation = undefined;
      this.manager = 'unknown';
    }
  }

  /** What the field manager needs to know about the write being handled. */
  private ownership(t: Target, subresource?: string): FieldManagerRequest {
    return {
      manager: this.manager,
      apiVersion: t.resource.apiVersion,
      nowMs: this.cluster.now(),
      ...(subresource ? { subresource } : {}),
    };
  }

  private methodNotAllowed(method: string, t: Target): ApiError {
    return apiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, {
      ...(t.resource.group ? { group: t.resource.group } : {}),
      kind: t.resource.plural,
      ...(t.name ? { name: t.name } : {}),
      causes: [{ message: `${method} is not supported` }],
    });
  }

  // ---- reads ----

  private store() {
    return this.cluster.store;
  }

  private mustGet(t: Target): KubeObject {
    const obj = this.store().get(t.resource.id, t.namespace, t.name ?? '');
    if (!obj) throw notFound(t.resource, t.name ?? '');
    return obj;
  }

  /**
   * A read "not older than" a resourceVersion (get and list with `resourceVersion=N`): the watch
   * cache waits for N to arrive, then gives up with a 504 (freshness.ts).
   */
  private async notOlderThan(rv: string): Promise<void> {
    if (!/^\d+$/.test(rv)) return;
    const wanted = Number(rv);
    const store = this.store();
    if (wanted <= store.resourceVersion()) return;
    if (await reached(wanted, () => store.resourceVersion(), this.options.catchUp)) return;
    throw tooLargeResourceVersion(wanted, store.resourceVersion());
  }

  private selectors(t: Target, query: URLSearchParams): { labels: Selector; fields: FieldSelector } {
    try {
      return {
        labels: parseLabelSelector(query.get('labelSelector')),
        fields: parseFieldSelector(query.get('fieldSelector'), t.resource.kind),
      };
    } catch (e) {
      if (e instanceof SelectorError) throw badRequest(e.message);
      throw e;
    }
  }

  private matching(t: Target, query: URLSearchParams, objects?: readonly KubeObject[]): KubeObject[] {
    const { labels, fields } = this.selectors(t, query);
    return (objects ?? this.store().list(t.resource.id, t.resource.namespaced ? t.namespace : undefined)).filter(
      (o) => labels(o.metadata.labels) && fields(o),
    );
  }

  /**
   * The objects of a list read at `rv` (an exact read or a later page), from the watch history;
   * undefined when it no longer reaches back that far.
   */
  private objectsAt(t: Target, rv: number): KubeObject[] | undefined {
    const events = this.hub.since(t.resource.id, rv);
    if (events === undefined) return undefined;
    const ns = t.resource.namespaced ? t.namespace : undefined;
    const current = this.store().list(t.resource.id, ns);
    return stateAt(current, events, (o) => ns === undefined || o.metadata.namespace === ns);
  }

  /**
   * `exactRv`: an exact read's resourceVersion (-1: the latest). Chunking (kubectl get sends
   * limit=500): items are in (namespace, name) order; the continue token names the last one
   * returned and the resourceVersion the first page was read at, so later pages show that state,
   * as etcd serves them, while the history reaches back to it (then 410, listHistory.ts).
   */
  private list(t: Target, query: URLSearchParams, req: IncomingMessage, res: ServerResponse, exactRv = -1): void {
    const storeRv = this.store().resourceVersion();
    const text = query.get('continue');
    const token = text ? decodeContinue(text) : undefined;
    const at = token ? token.rv : exactRv;
    let items: KubeObject[];
    let rv = storeRv;
    if (at >= 0 && at < storeRv) {
      const objects = this.objectsAt(t, at);
      if (objects === undefined) throw token ? continueTooOld(token.after) : listTooOld();
      items = this.matching(t, query, objects);
      rv = at;
    } else {
      items = this.matching(t, query);
    }
    if (token) items = items.filter((o) => keyOf(o) > token.after);
    const limit = Number(query.get('limit') ?? '0');
    const listMeta: Record<string, unknown> = { resourceVersion: String(rv) };
    if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
      listMeta.remainingItemCount = items.length - limit;
      items = items.slice(0, limit);
      // A token that goes on at the latest (rv -1, after a 410) stays so.
      const pageRv = token && token.rv < 0 ? -1 : rv;
      listMeta.continue = encodeContinue({ after: keyOf(items[items.length - 1]!), rv: pageRv });
    }
    if (wantsTable(req.headers.accept)) {
      const table = toTable(t.resource, items, {
        nowMs: this.cluster.now(),
        resourceVersion: String(rv),
        ...(query.get('includeObject') ? { includeObject: query.get('includeObject') ?? '' } : {}),
      }) as { metadata: Record<string, unknown> };
      table.metadata = listMeta;
      send(res, 200, table);
      return;
    }
    send(res, 200, {
      kind: `${t.resource.kind}List`,
      apiVersion: t.resource.apiVersion,
      metadata: listMeta,
      items: items.map(present),
    });
  }

  // ---- writes ----

  /** `update`: a PUT or patch, which a revision's Deployment takes (UPDATABLE). */
  private assertWritable(t: Target, update = false): void {
    if (READ_ONLY.has(t.resource.id) && !(update && UPDATABLE.has(t.resource.id))) {
      throw apiError(
        405,
        'MethodNotAllowed',
        `knsim: ${t.resource.id} are managed by the simulator and cannot be changed through the API`,
        { ...(t.resource.group ? { group: t.resource.group } : {}), kind: t.resource.plural },
      );
    }
  }

  /** A namespaced object is created in a namespace that exists and is not being deleted. */
  private requireNamespace(t: Target, name: string): void {
    if (!t.resource.namespaced) return;
    const ns = t.namespace ?? '';
    if (!this.store().get(T.namespace, undefined, ns)) {
      throw apiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    }
    const refusal = this.namespaces.refusal(t.resource, ns, name);
    if (refusal) throw refusal;
  }

  /** Finishes namespace deletions whose pods are gone: the server calls this as time moves on. */
  settleNamespaces(): void {
    this.namespaces.settle();
  }

  /**
   * After a write: knative-serving ConfigMaps change the simulation's settings (validated in
   * admit). Deleting one brings Knative's defaults back.
   */
  private afterWrite(t: Target, obj: KubeObject | undefined, deleted = false): void {
    if (t.resource.id !== T.configMap || t.namespace !== 'knative-serving' || !obj) return;
    this.cluster.applyConfigData(obj.metadata.name, deleted ? {} : configData(obj));
  }

  private storeCall<R>(t: Target, name: string, fn: () => R): R {
    try {
      return fn();
    } catch (e) {
      if (e instanceof StoreError) {
        if (e.reason === 'NotFound') throw notFound(t.resource, name);
        if (e.reason === 'AlreadyExists') throw alreadyExists(t.resource, name);
        if (e.reason === 'Conflict') throw conflict(t.resource, name);
        if (e.field !== undefined && e.detail !== undefined) {
          throw invalid(t.resource, name, e.field, e.detail, 'FieldValueForbidden');
        }
        throw invalid(t.resource, name, 'metadata', e.message);
      }
      throw e;
    }
  }

  /** POST, or a server-side apply that creates (`managed`: the Apply's managedFields). */
  private create(t: Target, body: KubeObject, dryRun: boolean, managed?: ManagedFieldsEntry[]): KubeObject {
    this.assertWritable(t);
    const refusal = controllerOwnedCreateRefusal(t.resource.id);
    if (refusal !== undefined) {
      throw apiError(405, 'MethodNotAllowed', refusal, {
        ...(t.resource.group ? { group: t.resource.group } : {}),
        kind: t.resource.plural,
      });
    }
    let obj = normaliseObject(t.resource, t.namespace, body);
    const name = obj.metadata.name;
    this.requireNamespace(t, name);
    if (this.store().get(t.resource.id, t.namespace, name)) throw alreadyExists(t.resource, name);
    const resourceVersion = obj.metadata.resourceVersion;
    for (const k of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp']) {
      delete obj.metadata[k];
    }
    delete obj.status;
    obj.metadata.managedFields = managed ?? updateManagedFields(undefined, obj, this.ownership(t));
    obj = admit(this.cluster, t.resource, t.namespace, obj, undefined, this.validation);
    if (t.resource.id === T.namespace) {
      obj.status = { phase: 'Active' };
      // The API server labels every namespace with its own name.
      obj.metadata.labels = { ...obj.metadata.labels, [NAMESPACE_NAME_LABEL]: name };
    }
    if (!dryRun) checkCreateResourceVersion(resourceVersion);
    if (dryRun) {
      // What would have been stored: the server fills in what it always does, nothing is kept.
      return {
        ...obj,
        metadata: { ...obj.metadata, uid: randomUUID(), creationTimestamp: isoAt(this.cluster.now()), generation: 1 },
      };
    }
    const created = this.storeCall(t, name, () => this.store().create(obj));
    if (t.resource.id === T.namespace) {
      // a namespace's status is set with the object
      return this.store().updateStatus(T.namespace, undefined, name, { phase: 'Active' });
    }
    this.afterWrite(t, created);
    return created;
  }

  /** PUT, for the object or its status. */
  private replace(t: Target, body: KubeObject, dryRun: boolean): KubeObject {
    const name = t.name ?? '';
    const existing = this.mustGet(t);
    const obj = normaliseObject(t.resource, t.namespace, body, name);
    if (t.subresource === 'status') {
      checkReplace(t.resource, obj, existing);
      const rv = obj.metadata.resourceVersion;
      if (rv && rv !== existing.metadata.resourceVersion) throw conflict(t.resource, name);
      if (dryRun) return { ...existing, status: obj.status };
      return this.storeCall(t, name, () => this.store().updateStatus(t.resource.id, t.namespace, name, obj.status));
    }
    this.assertWritable(t, true);
    return this.update(t, obj, existing, dryRun, undefined, () => checkReplace(t.resource, obj, existing));
  }

  /** An update of the object (not its status); `managed`: managedFields already decided (apply). */
  private update(
    t: Target,
    input: KubeObject,
    existing: KubeObject,
    dryRun: boolean,
    managed?: ManagedFieldsEntry[],
    preconditions?: () => void,
  ): KubeObject {
    const name = existing.metadata.name;
    let obj = input;
    checkControllerOwnedSpec(t.resource, input, existing);
    if (t.resource.id === 'deployments.apps') checkDeploymentUpdate(input, existing);
    if (t.resource.group === 'serving.knative.dev' && input.spec !== undefined && !isObject(input.spec)) {
      throw undecodable(t.resource, 'spec', `v1.${t.resource.kind}Spec`);
    }
    const rv = obj.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== existing.metadata.resourceVersion) throw conflict(t.resource, name);
    obj = { ...obj, metadata: { ...obj.metadata } };
    obj.metadata.managedFields = managed ?? updateManagedFields(existing, input, this.ownership(t));
    obj = admit(this.cluster, t.resource, t.namespace, obj, existing, this.validation, preconditions);
    if (dryRun) {
      // The store's refusal of a new finalizer on an object being deleted, without the store.
      const refusal =
        existing.metadata.deletionTimestamp !== undefined
          ? newFinalizersRefusal(finalizersOf(existing), finalizersOf(obj))
          : undefined;
      if (refusal !== undefined) throw invalid(t.resource, name, 'metadata.finalizers', refusal, 'FieldValueForbidden');
      return dryRunUpdate(obj, existing);
    }
    const updated = this.storeCall(t, name, () => this.store().update(obj));
    this.afterWrite(t, updated);
    return updated;
  }

  private patch(
    t: Target,
    text: Buffer,
    contentType: string,
    query: URLSearchParams,
    dryRun: boolean,
    res: ServerResponse,
  ): void {
    const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    const name = t.name ?? '';
    // As the real API server: no strategic merge patch for custom resources (Knative's types).
    const custom = t.resource.group !== '' && t.resource.group !== 'apps';
    const known = [
      'application/json-patch+json',
      'application/merge-patch+json',
      ...(custom ? [] : ['application/strategic-merge-patch+json']),
      'application/apply-patch+yaml',
    ];
    if (!known.includes(type)) {
      throw apiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${known.join(', ')}`,
      );
    }
    const patch = parseBody(text, type === 'application/apply-patch+yaml' ? 'application/yaml' : 'application/json');
    const force = query.get('force');
    if (type === 'application/apply-patch+yaml') {
      if (!query.get('fieldManager'))
        throw apiError(
          422,
          'Invalid',
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        );
      if (!isObject(patch)) throw badRequest('error decoding YAML: not an object');
      const applied = normaliseObject(t.resource, t.namespace, patch as KubeObject, name);
      delete applied.metadata.managedFields;
      const existing = this.store().get(t.resource.id, t.namespace, name);
      const result = applyManagedFields(
        existing,
        applied,
        this.ownership(t, t.subresource),
        force === 'true' || force === '1',
        (live, cfg) => applyMerge(live, cfg) as KubeObject,
      );
      if (!existing) {
        if (t.subresource === 'status') throw notFound(t.resource, name);
        send(res, 201, this.create(t, result.object, dryRun, result.managedFields));
        return;
      }
      send(res, 200, this.writePatched(t, existing, result.object, dryRun, result.managedFields));
      return;
    }
    if (force !== null) {
      throw apiError(
        422,
        'Invalid',
        'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
      );
    }
    const existing = this.mustGet(t);
    let merged: unknown;
    if (type === 'application/json-patch+json') merged = jsonPatch(existing, patch);
    else if (!isObject(patch))
      throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
    else
      merged = mergePatch(existing, type === 'application/strategic-merge-patch+json' ? stripDirectives(patch) : patch);
    if (!isObject(merged)) throw badRequest('the patch did not produce an object');
    send(res, 200, this.writePatched(t, existing, merged as KubeObject, dryRun));
  }

  private writePatched(
    t: Target,
    existing: KubeObject,
    merged: KubeObject,
    dryRun: boolean,
    managed?: ManagedFieldsEntry[],
  ): KubeObject {
    const name = existing.metadata.name;
    const obj = normaliseObject(t.resource, t.namespace, merged, name);
    checkUidUnchanged(t.resource, obj, existing);
    if (t.subresource === 'status') {
      if (dryRun) return obj;
      return this.storeCall(t, name, () => this.store().updateStatus(t.resource.id, t.namespace, name, obj.status));
    }
    this.assertWritable(t, true);
    return this.update(t, obj, existing, dryRun, managed);
  }

  private delete(t: Target, options: DeleteOptions): unknown {
    this.assertWritable(t);
    const name = t.name ?? '';
    const existing = this.mustGet(t);
    if (t.resource.id === T.namespace && UNDELETABLE_NAMESPACES.has(name)) {
      throw apiError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, {
        name,
        kind: 'namespaces',
      });
    }
    const failure = deletePreconditionFailure(t.resource, existing, options);
    if (failure) throw failure;
    if (options.dryRun) return existing;
    // A Namespace goes Terminating; it is removed once its content is gone (settleNamespaces).
    if (t.resource.id === T.namespace) return this.namespaces.begin(name);
    // The API server's delete: at once, or marked while finalizers (Knative's, or the garbage
    // collector's for Orphan and Foreground) hold it; the answer is then the marked object.
    const { object, removed } = this.storeCall(t, name, () =>
      this.store().delete(t.resource.id, t.namespace, name, options.propagation),
    );
    if (!removed) return object;
    this.afterWrite(t, object, true);
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name,
        ...(t.resource.group ? { group: t.resource.group } : {}),
        kind: t.resource.plural,
        uid: existing.metadata.uid,
      },
    };
  }

  /**
   * A pod's deletion: the API server settles the grace period (podGracePeriod) and marks the pod;
   * the simulation stops it as the kubelet would and its ReplicaSet replaces it. A grace period
   * of 0 (`--force --grace-period=0`, or a pod no node runs) takes the object out at once, while
   * its containers still stop. The answer is the pod, as the pod registry returns it.
   */
  private deletePod(namespace: string, existing: KubeObject, options: DeleteOptions): KubeObject {
    const name = existing.metadata.name;
    const failure = deletePreconditionFailure(T_POD, existing, options);
    if (failure) throw failure;
    const grace = podGracePeriod(existing as Pod, options.gracePeriodSeconds);
    if (options.dryRun) return markedForDeletion(existing, this.cluster.now(), grace);
    // A second deletion of a pod on its way out changes nothing (a shorter grace period is not taken).
    if (!existing.metadata.deletionTimestamp && !this.cluster.deletePod(namespace, name, grace)) {
      throw apiError(
        405,
        'MethodNotAllowed',
        `knsim: pod "${name}" is part of the simulated control plane, not of a revision's Deployment, and cannot be deleted`,
        { name, kind: 'pods' },
      );
    }
    const marked = this.store().get(T.pod, namespace, name) ?? existing;
    if (grace === 0) this.store().remove(T.pod, namespace, name);
    return marked;
  }

  /**
   * GET, PUT and PATCH of a Deployment's Scale. A write sets the Deployment's spec.replicas as the
   * API server's scale subresource does; the simulation sees it as any write to the Deployment
   * (its pods follow, and the revision's PodAutoscaler reconciles and sets its own scale back).
   */
  private async scale(
    method: string,
    t: Target,
    query: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const existing = this.mustGet(t);
    const current = scaleOf(existing);
    if (method === 'GET') {
      if (!wantsTable(req.headers.accept)) return send(res, 200, current);
      const rv = String(this.store().resourceVersion());
      return send(res, 200, scaleTable(current, this.cluster.now(), rv, query.get('includeObject')));
    }
    let wanted: unknown;
    let dryRun: boolean;
    if (method === 'PUT') {
      dryRun = queryDryRun(query, 'UpdateOptions');
      wanted = await readObject(req);
      const rv = isObject(wanted) && isObject(wanted.metadata) ? wanted.metadata.resourceVersion : undefined;
      if (typeof rv === 'string' && rv !== '' && rv !== existing.metadata.resourceVersion) {
        throw conflict(t.resource, existing.metadata.name);
      }
    } else if (method === 'PATCH') {
      dryRun = queryDryRun(query, 'PatchOptions');
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const known = [
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
      ];
      if (!known.includes(type)) {
        throw apiError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: ${known.join(', ')}`,
        );
      }
      const patch = parseBody(await readBody(req), 'application/json');
      if (type === 'application/json-patch+json') wanted = jsonPatch(current, patch);
      else if (!isObject(patch))
        throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
      else
        wanted = mergePatch(
          current,
          type === 'application/strategic-merge-patch+json' ? stripDirectives(patch) : patch,
        );
    } else {
      throw this.methodNotAllowed(method, t);
    }
    const replicas = requestedReplicas(wanted, existing.metadata.name);
    if (dryRun) return send(res, 200, { ...current, spec: { replicas } });
    const spec = (existing as KubeObject & { spec: object }).spec;
    const updated = this.store().update({ ...existing, spec: { ...spec, replicas } } as KubeObject);
    return send(res, 200, scaleOf(updated));
  }

  private deleteCollection(t: Target, query: URLSearchParams, options: DeleteOptions): unknown {
    const dryRun = options.dryRun;
    if (t.resource.id !== T.pod) this.assertWritable(t);
    const items = this.matching(t, query);
    if (t.resource.id === T.namespace) {
      const kept = items.find((o) => UNDELETABLE_NAMESPACES.has(o.metadata.name));
      if (kept) {
        throw apiError(
          403,
          'Forbidden',
          `namespaces "${kept.metadata.name}" is forbidden: this namespace may not be deleted`,
          { name: kept.metadata.name, kind: 'namespaces' },
        );
      }
    }
    if (t.resource.id === T.pod) {
      const marked = items.map((o) => this.deletePod(o.metadata.namespace ?? '', o, options));
      return {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(this.store().resourceVersion()) },
        items: marked,
      };
    }
    for (const o of dryRun ? [] : items) {
      if (t.resource.id === T.namespace) {
        this.namespaces.begin(o.metadata.name);
        continue;
      }
      const { object, removed } = this.store().delete(
        t.resource.id,
        o.metadata.namespace,
        o.metadata.name,
        options.propagation,
      );
      if (removed) this.afterWrite({ ...t, namespace: o.metadata.namespace } as Target, object, true);
    }
    return {
      kind: `${t.resource.kind}List`,
      apiVersion: t.resource.apiVersion,
      metadata: { resourceVersion: String(this.store().resourceVersion()) },
      items,
    };
  }

  // ---- logs ----

  /**
   * `GET …/pods/<name>/log` as the kubelet answers it: one container's lines (`container` is
   * required when the pod has several), `tailLines`, `sinceSeconds`, `timestamps`, `limitBytes`,
   * and `follow` (the connection stays open and new lines arrive until the pod is gone).
   */
  private podLog(t: Target, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    const pod = this.mustGet(t) as Pod;
    const name = pod.metadata.name;
    const containers = (pod.spec.containers ?? []).map((c) => c.name ?? '');
    let container = query.get('container') ?? '';
    if (container === '') {
      if (containers.length !== 1) {
        throw badRequest(
          `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`,
        );
      }
      container = containers[0]!;
    }
    if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
    if (query.get('previous') === 'true') {
      throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    }
    const state = pod.status?.containerStatuses?.find((c) => c.name === container)?.state;
    if (!state?.running && !state?.terminated) {
      throw badRequest(
        `container "${container}" in pod "${name}" is waiting to start: ${state?.waiting?.reason ?? 'ContainerCreating'}`,
      );
    }
    const number = (key: string) => {
      const v = query.get(key);
      if (v === null || v === '') return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw badRequest(`PodLogOptions "${key}" must be a non-negative integer`);
      return n;
    };
    const timestamps = query.get('timestamps') === 'true';
    const tailLines = number('tailLines');
    const sinceSeconds = number('sinceSeconds');
    const limitBytes = number('limitBytes');
    const logs = this.cluster.podLogs;
    let text = logs.read(t.namespace ?? 'default', name, container, this.cluster.now(), {
      ...(tailLines !== undefined ? { tailLines } : {}),
      ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
      timestamps,
    });
    if (limitBytes !== undefined) text = Buffer.from(text).subarray(0, limitBytes).toString('utf8');
    const follow = query.get('follow') === 'true';
    res.writeHead(200, {
      'Content-Type': 'text/plain',
      ...(follow ? {} : { 'Content-Length': Buffer.byteLength(text) }),
    });
    if (!follow) {
      res.end(text);
      return;
    }
    res.write(text);
    const ns = t.namespace ?? 'default';
    const stop = logs.follow(ns, name, (c, at, line) => {
      if (c === container) res.write(`${timestamps ? `${logTimestamp(at)} ` : ''}${line}\n`);
    });
    // The stream ends when the pod is gone (its logs with it) or the client leaves.
    const timer = setInterval(() => {
      if (!this.store().get('pods', ns, name)) close();
    }, 200);
    const close = () => {
      clearInterval(timer);
      stop();
      this.openWatches.delete(close);
      if (!res.writableEnded) res.end();
    };
    this.openWatches.add(close);
    req.on('close', close);
  }

  // ---- the pod proxy ----

  /** `GET …/pods/<name>[:port]/proxy/<path>`: what the pod's port answers (the metrics endpoints). */
  private podProxy(t: Target, method: string, res: ServerResponse): void {
    const { name, port } = proxyTarget(t.name ?? '');
    const pod = this.mustGet({ ...t, name }) as Pod;
    const answer = podProxyAnswer(pod, port, t.proxyPath ?? '/', this.cluster, this.options.metricsNaming ?? 'otel');
    res.writeHead(answer.status, {
      'Content-Type': answer.contentType,
      'Content-Length': Buffer.byteLength(answer.body),
    });
    res.end(method === 'HEAD' ? undefined : answer.body);
  }

  // ---- watch ----

  private async watch(t: Target, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The watch-list protocol's initial state is a read "not older than" resourceVersion: the
    // watch cache waits for it, and what does not arrive ends the stream with one ERROR event.
    const rv = query.get('resourceVersion') ?? '';
    const store = this.store();
    if (query.get('sendInitialEvents') === 'true' && /^\d+$/.test(rv) && Number(rv) > store.resourceVersion()) {
      if (!(await reached(Number(rv), () => store.resourceVersion(), this.options.catchUp))) {
        return watchError(res, tooLargeResourceVersion(Number(rv), store.resourceVersion()).status);
      }
    }
    serveWatch(
      {
        hub: this.hub,
        store: this.store(),
        now: () => this.cluster.now(),
        open: this.openWatches,
        serialized: this.serialized,
        bookmarkIntervalMs: this.options.bookmarkIntervalMs ?? 5000,
      },
      t.resource,
      t.resource.namespaced ? t.namespace : undefined,
      this.selectors(t, query),
      query,
      req.headers.accept,
      res,
    );
  }
}

/** The object an update would store, for a dry run: the server's metadata, the old status. */
function dryRunUpdate(obj: KubeObject, existing: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, metadata: _m, status: _s, ...spec } = obj;
  const { apiVersion: _a2, kind: _k2, metadata: _m2, status: _s2, ...oldSpec } = existing;
  const generation = (existing.metadata.generation ?? 1) + (dataEqual(spec, oldSpec) ? 0 : 1);
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      uid: existing.metadata.uid,
      creationTimestamp: existing.metadata.creationTimestamp,
      resourceVersion: existing.metadata.resourceVersion,
      generation,
    },
    ...(existing.status !== undefined ? { status: existing.status } : {}),
  } as KubeObject;
}
