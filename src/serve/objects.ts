/**
 * API objects on their way in and out: the shape checks the API server's decoder makes,
 * apiVersion/kind/namespace/name against the URL, and the form the API returns.
 */
import type { KubeObject } from '../model/api/types.js';
import type { ResourceType } from '../model/rules/resources.js';
import { type ApiError, badRequest, invalid } from './status.js';

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Built-in kinds whose objects have no metadata.generation in a real cluster. */
const NO_GENERATION = new Set(['ConfigMap', 'Namespace', 'Pod', 'Endpoints', 'Event']);

/** The object as the API returns it (the store counts generations for every kind). */
export function present(obj: KubeObject): KubeObject {
  if (obj.apiVersion !== 'v1' || !NO_GENERATION.has(obj.kind) || obj.metadata.generation === undefined) return obj;
  const { generation: _generation, ...metadata } = obj.metadata;
  return { ...obj, metadata: metadata as KubeObject['metadata'] };
}

/** The API server's decoding error for a field of the wrong JSON type. */
export function undecodable(r: ResourceType, field: string, goType: string): ApiError {
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

export const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

/** Checks apiVersion/kind/namespace/name of a body against the URL and fills them in. */
export function normaliseObject(
  r: ResourceType,
  namespace: string | undefined,
  body: KubeObject,
  nameFromUrl?: string,
): KubeObject {
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
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = namespace;
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
