/**
 * The Kubernetes API over the simulated cluster's object store: discovery, get, list, create,
 * update, patch, delete, the status subresource and watch, with Status objects for errors.
 * Only JSON is spoken (YAML bodies are accepted); Tables are served to `kubectl get`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { ConfigMap, Configuration, KubeObject, Route, Service } from '../model/api/types.js';
import { defaultConfiguration, defaultRoute } from '../model/rules/defaults.js';
import { type FieldError, formatFieldErrors, SERVING_VALIDATION_WEBHOOK } from '../model/rules/fielderror.js';
import { RESOURCE_TYPES, type ResourceType } from '../model/rules/resources.js';
import { admitService, validateConfiguration, validateRoute } from '../model/rules/validation.js';
import type { SimCluster } from '../sim/cluster.js';
import { withConfigMap } from '../sim/controllers/clusterConfig.js';
import { StoreError } from '../sim/store.js';
import { T } from '../sim/types.js';
import {
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  apiVersions,
  hasStatus,
  openApiV3Document,
  openApiV3Index,
  SERVER_VERSION,
} from './discovery.js';
import { applyMerge, jsonPatch, mergePatch, stripDirectives } from './patch.js';
import { decodeProtobufObject } from './protobuf.js';
import {
  type FieldSelector,
  parseFieldSelector,
  parseLabelSelector,
  type Selector,
  SelectorError,
} from './selectors.js';
import { ApiError, alreadyExists, apiError, badRequest, conflict, invalid, notFound, statusObject } from './status.js';
import { toTable, wantsTable } from './table.js';
import type { HistoryEvent, WatchHub } from './watch.js';

/** Largest request body accepted (the API server's limit is 3 MiB). */
const MAX_BODY = 3 * 1024 * 1024;

/** Types the simulator's controllers own entirely: reading is fine, writing would desynchronise them. */
const READ_ONLY = new Set(['pods', 'deployments.apps', 'replicasets.apps', 'endpoints', 'events']);

/**
 * Knative's own objects, made by its controllers from a Service/Configuration: clients may read
 * them and change their labels and annotations, not create them or change their spec.
 */
const CONTROLLER_OWNED = new Set([
  'revisions.serving.knative.dev',
  'podautoscalers.autoscaling.internal.knative.dev',
  'metrics.autoscaling.internal.knative.dev',
  'serverlessservices.networking.internal.knative.dev',
]);

/** Namespaces a real cluster refuses to delete. */
const UNDELETABLE_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

/** The user the Knative webhook records as creator/lastModifier. */
const USER = 'kubernetes-admin';

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

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
}

interface Target {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Legacy `/watch/` path prefix. */
  watchPath: boolean;
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(isObject(body) && isObject(body.metadata) ? present(body as KubeObject) : body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function webhookDenied(message: string): ApiError {
  return apiError(
    400,
    'BadRequest',
    `admission webhook "${SERVING_VALIDATION_WEBHOOK}" denied the request: ${message}`,
  );
}

function configWebhookDenied(message: string): ApiError {
  return apiError(
    400,
    'BadRequest',
    `admission webhook "config.webhook.serving.knative.dev" denied the request: validation failed: ${message}`,
  );
}

/** Built-in kinds whose objects have no metadata.generation in a real cluster. */
const NO_GENERATION = new Set(['ConfigMap', 'Namespace', 'Pod', 'Endpoints', 'Event']);

/** The object as the API returns it (the store counts generations for every kind). */
export function present(obj: KubeObject): KubeObject {
  if (obj.apiVersion !== 'v1' || !NO_GENERATION.has(obj.kind) || obj.metadata.generation === undefined) return obj;
  const { generation: _generation, ...metadata } = obj.metadata;
  return { ...obj, metadata: metadata as KubeObject['metadata'] };
}

/** The API server's decoding error for a field of the wrong JSON type. */
function undecodable(r: ResourceType, field: string, goType: string): ApiError {
  return badRequest(
    `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: json: cannot unmarshal into Go struct field ${r.kind}.${field} of type ${goType}`,
  );
}

const isStringMap = (v: unknown) => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

/** ObjectMeta fields must have their Go types, or the object never reaches storage. */
function checkMetaShape(r: ResourceType, meta: Record<string, unknown>): void {
  for (const k of ['name', 'generateName', 'namespace', 'resourceVersion', 'uid']) {
    if (meta[k] !== undefined && typeof meta[k] !== 'string') undecodableThrow(r, `metadata.${k}`, 'string');
  }
  for (const k of ['labels', 'annotations']) {
    if (meta[k] !== undefined && meta[k] !== null && !isStringMap(meta[k])) {
      undecodableThrow(r, `metadata.${k}`, 'map[string]string');
    }
  }
  const owners = meta.ownerReferences;
  if (owners !== undefined && owners !== null) {
    const ok =
      Array.isArray(owners) &&
      owners.every(
        (o) =>
          isObject(o) &&
          ['apiVersion', 'kind', 'name', 'uid'].every((k) => typeof o[k] === 'string') &&
          (o.controller === undefined || typeof o.controller === 'boolean') &&
          (o.blockOwnerDeletion === undefined || typeof o.blockOwnerDeletion === 'boolean'),
      );
    if (!ok) undecodableThrow(r, 'metadata.ownerReferences', '[]v1.OwnerReference');
  }
  const finalizers = meta.finalizers;
  if (finalizers !== undefined && finalizers !== null) {
    if (!Array.isArray(finalizers) || !finalizers.every((f) => typeof f === 'string')) {
      undecodableThrow(r, 'metadata.finalizers', '[]string');
    }
  }
  for (const k of ['labels', 'annotations', 'ownerReferences', 'finalizers']) if (meta[k] === null) delete meta[k];
}

function undecodableThrow(r: ResourceType, field: string, goType: string): never {
  throw undecodable(r, field, goType);
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

export class KubeApi {
  private readonly cluster: SimCluster;
  private readonly hub: WatchHub;
  private readonly openWatches = new Set<() => void>();
  /** Watch event lines by event and event type, shared by all watchers. */
  private readonly serialized = new WeakMap<HistoryEvent, Map<string, string>>();

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
      if (e instanceof ApiError) send(res, e.code, e.status);
      else send(res, 500, statusObject(500, 'InternalError', `knsim: ${(e as Error).message ?? String(e)}`));
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
    if (this.options.requireToken() && auth !== `Bearer ${this.options.token}`) {
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
    if (segments[0] === 'openapi') return this.openapi(segments, res);
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

  private openapi(segments: string[], res: ServerResponse): void {
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
    if (parts.length > 3) throw notFoundPath();
    if (subresource !== undefined && !(subresource === 'status' && hasStatus(resource))) throw notFoundPath();
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
    const dryRun = query.getAll('dryRun').includes('All');
    if (t.resource.namespaced && t.namespace === undefined) {
      // /api/v1/pods: listing and watching across namespaces only.
      if (t.name !== undefined) throw apiError(404, 'NotFound', 'the server could not find the requested resource');
      if (method !== 'GET') throw this.methodNotAllowed(method, t);
    }
    if (t.name === undefined) {
      if (method === 'GET' && watch) return this.watch(t, query, req, res);
      if (method === 'GET') return this.list(t, query, req, res);
      if (method === 'POST') {
        const body = await this.readObject(req);
        const created = this.create(t, body, dryRun);
        return send(res, 201, created);
      }
      if (method === 'DELETE') return send(res, 200, this.deleteCollection(t, query));
      throw this.methodNotAllowed(method, t);
    }
    if (method === 'GET' && watch) {
      // watch of a single object: a field selector on its name
      const q = new URLSearchParams(query);
      q.set('fieldSelector', `metadata.name=${t.name}`);
      return this.watch({ ...t, name: undefined } as Target, q, req, res);
    }
    switch (method) {
      case 'GET': {
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
        const body = await this.readObject(req);
        return send(res, 200, this.replace(t, body, dryRun));
      }
      case 'PATCH': {
        const body = await this.readBody(req);
        return this.patch(t, body, req.headers['content-type'] ?? '', query, dryRun, res);
      }
      case 'DELETE': {
        await this.readBody(req); // DeleteOptions: propagation is always background here
        return send(res, 200, this.delete(t, dryRun));
      }
      default:
        throw this.methodNotAllowed(method, t);
    }
  }

  private methodNotAllowed(method: string, t: Target): ApiError {
    return apiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, {
      ...(t.resource.group ? { group: t.resource.group } : {}),
      kind: t.resource.plural,
      ...(t.name ? { name: t.name } : {}),
      causes: [{ message: `${method} is not supported` }],
    });
  }

  // ---- bodies ----

  private readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          // Answer now; the rest of the body is read and dropped.
          if (chunks.length > 0) chunks.length = 0;
          reject(apiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  private parse(body: Buffer, contentType: string): unknown {
    const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    if (type === 'application/vnd.kubernetes.protobuf') {
      try {
        return decodeProtobufObject(body);
      } catch (e) {
        if (e instanceof ApiError) throw e;
        throw apiError(415, 'UnsupportedMediaType', `knsim: ${(e as Error).message}; send JSON or YAML`);
      }
    }
    if (type !== '' && !type.includes('json') && !type.includes('yaml')) {
      throw apiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
      );
    }
    const text = body.toString('utf8');
    try {
      if (type.includes('yaml')) return parseYaml(text);
      return JSON.parse(text);
    } catch (e) {
      throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message.split('\n')[0]}`);
    }
  }

  private async readObject(req: IncomingMessage): Promise<KubeObject> {
    const contentType = req.headers['content-type'] ?? 'application/json';
    const body = this.parse(await this.readBody(req), contentType);
    if (!isObject(body)) throw badRequest("couldn't get version/kind; json parse error: not a JSON object");
    return body as KubeObject;
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

  private matching(t: Target, query: URLSearchParams): KubeObject[] {
    const { labels, fields } = this.selectors(t, query);
    return this.store()
      .list(t.resource.id, t.resource.namespaced ? t.namespace : undefined)
      .filter((o) => labels(o.metadata.labels) && fields(o));
  }

  private list(t: Target, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    let items = this.matching(t, query);
    const rv = String(this.store().resourceVersion());
    // Chunking (kubectl get sends limit=500): items are in (namespace, name) order, and the
    // continue token names the last one returned. Later pages show the current state, not a
    // snapshot at the first page's resourceVersion.
    const token = query.get('continue');
    if (token) {
      let after: string;
      try {
        after = String(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')).after);
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
      items = items.filter((o) => keyOf(o) > after);
    }
    const limit = Number(query.get('limit') ?? '0');
    const listMeta: Record<string, unknown> = { resourceVersion: rv };
    if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
      listMeta.remainingItemCount = items.length - limit;
      items = items.slice(0, limit);
      listMeta.continue = Buffer.from(JSON.stringify({ after: keyOf(items[items.length - 1]!) })).toString('base64url');
    }
    if (wantsTable(req.headers.accept)) {
      const table = toTable(t.resource, items, {
        nowMs: this.cluster.now(),
        resourceVersion: rv,
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

  private assertWritable(t: Target): void {
    if (READ_ONLY.has(t.resource.id)) {
      throw apiError(
        405,
        'MethodNotAllowed',
        `knsim: ${t.resource.id} are managed by the simulator and cannot be changed through the API`,
        { ...(t.resource.group ? { group: t.resource.group } : {}), kind: t.resource.plural },
      );
    }
  }

  /** Checks apiVersion/kind/namespace/name of a body against the URL and fills them in. */
  private normalise(t: Target, body: KubeObject, nameFromUrl?: string): KubeObject {
    const r = t.resource;
    if (body.apiVersion !== undefined && body.apiVersion !== r.apiVersion) {
      throw badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${r.apiVersion})`,
      );
    }
    if (body.kind !== undefined && body.kind !== r.kind) {
      throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${r.kind})`);
    }
    if (body.metadata !== undefined && !isObject(body.metadata)) throw undecodable(r, 'metadata', 'ObjectMeta');
    const meta: Record<string, unknown> = isObject(body.metadata) ? { ...body.metadata } : {};
    checkMetaShape(r, meta);
    const obj = { ...body, apiVersion: r.apiVersion, kind: r.kind, metadata: meta } as KubeObject;
    if (r.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== t.namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = t.namespace;
    } else {
      delete obj.metadata.namespace;
    }
    if (nameFromUrl !== undefined) {
      if (meta.name !== undefined && meta.name !== nameFromUrl) {
        throw badRequest(
          `the name of the object (${String(meta.name)}) does not match the name on the URL (${nameFromUrl})`,
        );
      }
      obj.metadata.name = nameFromUrl;
    }
    if (!obj.metadata.name && typeof meta.generateName === 'string' && meta.generateName !== '') {
      obj.metadata.name = `${meta.generateName}${randomSuffix()}`;
    }
    const name = obj.metadata.name;
    if (typeof name !== 'string' || name === '') {
      throw invalid(r, '', 'metadata.name', 'Required value: name or generateName is required');
    }
    if (name.length > 253 || !NAME_RE.test(name)) {
      throw invalid(
        r,
        name,
        'metadata.name',
        `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      );
    }
    return obj;
  }

  private requireNamespace(t: Target): void {
    if (!t.resource.namespaced) return;
    const ns = t.namespace ?? '';
    if (!this.store().get(T.namespace, undefined, ns)) {
      throw apiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    }
  }

  /** Admission: Knative's webhooks for Services and for knative-serving ConfigMaps. */
  private admit(t: Target, obj: KubeObject, previous?: KubeObject): KubeObject {
    if (t.resource.id === T.service) {
      let admission: ReturnType<typeof admitService>;
      try {
        admission = admitService(obj as Service, { user: USER, ...(previous ? { previous } : {}) });
      } catch (e) {
        throw webhookDenied(`validation failed: ${(e as Error).message}`);
      }
      if (!admission.object) throw webhookDenied(`validation failed: ${formatFieldErrors(admission.errors)}`);
      return admission.object;
    }
    if (t.resource.id === T.configuration || t.resource.id === T.route) {
      const ownedByService = (obj.metadata.ownerReferences ?? []).some((o) => o.kind === 'Service');
      let errors: FieldError[];
      try {
        if (t.resource.id === T.configuration) {
          const defaulted = defaultConfiguration(obj as Configuration, { user: USER });
          errors = validateConfiguration(defaulted);
          if (errors.length === 0) return defaulted;
        } else {
          const defaulted = defaultRoute(obj as Route, { user: USER, ownedByService });
          errors = validateRoute(defaulted, { ownedByService });
          if (errors.length === 0) return defaulted;
        }
      } catch (e) {
        throw webhookDenied(`validation failed: ${(e as Error).message}`);
      }
      throw webhookDenied(`validation failed: ${formatFieldErrors(errors)}`);
    }
    if (t.resource.id === T.configMap && t.namespace === 'knative-serving') {
      try {
        withConfigMap(this.cluster.config, obj.metadata.name, this.configData(obj));
      } catch (e) {
        throw configWebhookDenied((e as Error).message);
      }
    }
    return obj;
  }

  private configData(obj: KubeObject): Record<string, string> {
    const data = (obj as ConfigMap).data;
    return isObject(data) ? (data as Record<string, string>) : {};
  }

  /**
   * After a write: knative-serving ConfigMaps change the simulation's settings (validated in
   * admit). Deleting one brings Knative's defaults back.
   */
  private afterWrite(t: Target, obj: KubeObject | undefined, deleted = false): void {
    if (t.resource.id !== T.configMap || t.namespace !== 'knative-serving' || !obj) return;
    this.cluster.applyConfigData(obj.metadata.name, deleted ? {} : this.configData(obj));
  }

  private storeCall<R>(t: Target, name: string, fn: () => R): R {
    try {
      return fn();
    } catch (e) {
      if (e instanceof StoreError) {
        if (e.reason === 'NotFound') throw notFound(t.resource, name);
        if (e.reason === 'AlreadyExists') throw alreadyExists(t.resource, name);
        if (e.reason === 'Conflict') throw conflict(t.resource, name);
        throw invalid(t.resource, name, 'metadata', e.message);
      }
      throw e;
    }
  }

  private create(t: Target, body: KubeObject, dryRun: boolean, fieldManager?: string): KubeObject {
    this.assertWritable(t);
    if (CONTROLLER_OWNED.has(t.resource.id)) {
      throw apiError(
        405,
        'MethodNotAllowed',
        `knsim: ${t.resource.id} are made by Knative's controllers; create a Service or Configuration instead`,
        { ...(t.resource.group ? { group: t.resource.group } : {}), kind: t.resource.plural },
      );
    }
    let obj = this.normalise(t, body);
    this.requireNamespace(t);
    const name = obj.metadata.name;
    if (this.store().get(t.resource.id, t.namespace, name)) throw alreadyExists(t.resource, name);
    for (const k of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp']) {
      delete obj.metadata[k];
    }
    delete obj.status;
    if (fieldManager) obj.metadata.managedFields = this.managedFields(fieldManager, 'Apply', t);
    obj = this.admit(t, obj);
    if (t.resource.id === T.namespace) obj.status = { phase: 'Active' };
    if (dryRun) return obj;
    const created = this.storeCall(t, name, () => this.store().create(obj));
    if (t.resource.id === T.namespace) {
      // a namespace's status is set with the object
      return this.store().updateStatus(T.namespace, undefined, name, { phase: 'Active' });
    }
    this.afterWrite(t, created);
    return created;
  }

  private managedFields(manager: string, operation: string, t: Target): unknown[] {
    return [
      {
        manager,
        operation,
        apiVersion: t.resource.apiVersion,
        time: new Date(this.cluster.now() + Date.UTC(2026, 0, 1)).toISOString().replace(/\.\d+Z$/, 'Z'),
        fieldsType: 'FieldsV1',
        fieldsV1: {},
      },
    ];
  }

  /** PUT, for the object or its status. */
  private replace(t: Target, body: KubeObject, dryRun: boolean): KubeObject {
    const name = t.name ?? '';
    const existing = this.mustGet(t);
    const obj = this.normalise(t, body, name);
    if (t.subresource === 'status') {
      const rv = obj.metadata.resourceVersion;
      if (rv && rv !== existing.metadata.resourceVersion) throw conflict(t.resource, name);
      if (dryRun) return { ...existing, status: obj.status };
      return this.storeCall(t, name, () => this.store().updateStatus(t.resource.id, t.namespace, name, obj.status));
    }
    this.assertWritable(t);
    return this.update(t, obj, existing, dryRun);
  }

  private update(t: Target, input: KubeObject, existing: KubeObject, dryRun: boolean): KubeObject {
    const name = existing.metadata.name;
    let obj = input;
    if (CONTROLLER_OWNED.has(t.resource.id)) {
      const { apiVersion: _a, kind: _k, metadata: _m, status: _s, ...spec } = input;
      const { apiVersion: _a2, kind: _k2, metadata: _m2, status: _s2, ...oldSpec } = existing;
      if (!isDeepStrictEqual(spec, oldSpec)) {
        throw webhookDenied(
          `Immutable fields changed (-old +new): spec\nknsim: the spec of ${t.resource.plural} is set by Knative's controllers`,
        );
      }
    }
    if (t.resource.group === 'serving.knative.dev' && input.spec !== undefined && !isObject(input.spec)) {
      throw undecodable(t.resource, 'spec', `v1.${t.resource.kind}Spec`);
    }
    const rv = obj.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== existing.metadata.resourceVersion) throw conflict(t.resource, name);
    obj = this.admit(t, obj, existing);
    if (dryRun) return { ...obj, status: existing.status };
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
    const patch = this.parse(text, type === 'application/apply-patch+yaml' ? 'application/yaml' : 'application/json');
    if (type === 'application/apply-patch+yaml') {
      const manager = query.get('fieldManager');
      if (!manager)
        throw badRequest(
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        );
      if (!isObject(patch)) throw badRequest('error decoding YAML: not an object');
      const existing = this.store().get(t.resource.id, t.namespace, name);
      if (!existing) {
        if (t.subresource === 'status') throw notFound(t.resource, name);
        const created = this.create(t, this.normalise(t, patch as KubeObject, name), dryRun, manager);
        send(res, 201, created);
        return;
      }
      const merged = applyMerge(existing, patch) as KubeObject;
      merged.metadata.managedFields = this.managedFields(manager, 'Apply', t);
      send(res, 200, this.writePatched(t, existing, merged, dryRun));
      return;
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

  private writePatched(t: Target, existing: KubeObject, merged: KubeObject, dryRun: boolean): KubeObject {
    const name = existing.metadata.name;
    const obj = this.normalise(t, merged, name);
    if (t.subresource === 'status') {
      if (dryRun) return obj;
      return this.storeCall(t, name, () => this.store().updateStatus(t.resource.id, t.namespace, name, obj.status));
    }
    this.assertWritable(t);
    return this.update(t, obj, existing, dryRun);
  }

  private delete(t: Target, dryRun: boolean): unknown {
    this.assertWritable(t);
    const name = t.name ?? '';
    const existing = this.mustGet(t);
    if (t.resource.id === T.namespace && UNDELETABLE_NAMESPACES.has(name)) {
      throw apiError(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, {
        name,
        kind: 'namespaces',
      });
    }
    if (dryRun) return existing;
    if (t.resource.id === T.namespace) this.emptyNamespace(name);
    const gone = this.store().remove(t.resource.id, t.namespace, name);
    this.afterWrite(t, gone, true);
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

  private emptyNamespace(ns: string): void {
    // Knative's top-level objects first: the garbage collector takes their children along.
    const order = [...RESOURCE_TYPES].filter((r) => r.namespaced).reverse();
    for (const r of order) {
      if (READ_ONLY.has(r.id)) continue;
      for (const o of this.store().list(r.id, ns)) this.store().remove(r.id, ns, o.metadata.name);
    }
  }

  private deleteCollection(t: Target, query: URLSearchParams): unknown {
    this.assertWritable(t);
    const items = this.matching(t, query);
    for (const o of items) {
      const gone = this.store().remove(t.resource.id, o.metadata.namespace, o.metadata.name);
      this.afterWrite({ ...t, namespace: o.metadata.namespace } as Target, gone, true);
    }
    return {
      kind: `${t.resource.kind}List`,
      apiVersion: t.resource.apiVersion,
      metadata: { resourceVersion: String(this.store().resourceVersion()) },
      items,
    };
  }

  // ---- watch ----

  private watch(t: Target, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    const { labels, fields } = this.selectors(t, query);
    const namespace = t.resource.namespaced ? t.namespace : undefined;
    const matches = (o: KubeObject | undefined) =>
      o !== undefined &&
      (namespace === undefined || o.metadata.namespace === namespace) &&
      labels(o.metadata.labels) &&
      fields(o);
    const table = wantsTable(req.headers.accept);
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
      let lines = this.serialized.get(e);
      if (!lines) {
        lines = new Map();
        this.serialized.set(e, lines);
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
      const tableObj = toTable(t.resource, [o], {
        nowMs: this.cluster.now(),
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
      this.openWatches.delete(close);
      res.end();
    };
    this.openWatches.add(close);
    res.on('close', close);
    res.on('error', close);

    const initialEvents = query.get('sendInitialEvents') === 'true';
    let since: number;
    if (rvParam === '' || rvParam === '0' || initialEvents) {
      this.hub.flush();
      since = this.store().resourceVersion();
      for (const o of this.store().list(t.resource.id, namespace)) if (matches(o)) write('ADDED', encode(o));
      if (initialEvents && bookmarks) {
        // The watch-list protocol: the initial state ends with an annotated bookmark.
        write('BOOKMARK', {
          kind: t.resource.kind,
          apiVersion: t.resource.apiVersion,
          metadata: { resourceVersion: String(since), annotations: { 'k8s.io/initial-events-end': 'true' } },
        });
      }
    } else {
      since = Number(rvParam);
    }
    const sub = this.hub.subscribe({ type: t.resource.id, deliver }, since);
    if (!sub.ok) {
      write('ERROR', statusObject(410, 'Expired', `too old resource version: ${since} (${sub.floor})`));
      close();
      return;
    }
    unsubscribe = sub.unsubscribe;
    if (bookmarks) {
      const kind = t.resource.kind;
      const apiVersion = t.resource.apiVersion;
      bookmarkTimer = setInterval(() => {
        this.hub.flush();
        write('BOOKMARK', { kind, apiVersion, metadata: { resourceVersion: String(this.store().resourceVersion()) } });
      }, this.options.bookmarkIntervalMs ?? 5000);
    }
    if (timeoutSeconds > 0) timeoutTimer = setTimeout(close, timeoutSeconds * 1000);
  }
}
