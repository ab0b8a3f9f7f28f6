/**
 * The API server's guards against lost updates, in its own words: the uid a client sends must be
 * the stored object's (it may have been deleted and made again since the client read it), a
 * custom resource is only replaced at a resourceVersion (no unconditional update, unlike
 * ConfigMaps), and a uid never changes. Sources: k8s.io/apiserver's registry (generic/registry/
 * store.go Update, rest/update.go BeforeUpdate, rest/delete.go BeforeDelete) and
 * apiextensions-apiserver's customResourceStrategy (AllowUnconditionalUpdate is false).
 */
import type { KubeObject } from '../model/api/types.js';
import type { ResourceType } from '../model/rules/resources.js';
import type { DeleteOptions } from './options.js';
import { ApiError, apiError } from './status.js';

/** Knative's types are CustomResourceDefinitions on a cluster; the others are built in. */
export function isCustomResource(resource: ResourceType): boolean {
  return resource.group.endsWith('.knative.dev');
}

/**
 * The object's key in etcd, as a storage error names it: `/registry/<group>/<resource>/…` for a
 * custom resource, `/registry/<resource>/…` for a built-in type (core Services under
 * `services/specs`).
 */
function storageKey(resource: ResourceType, namespace: string | undefined, name: string): string {
  const prefix = isCustomResource(resource)
    ? `${resource.group}/${resource.plural}`
    : resource.plural === 'services' && resource.group === ''
      ? 'services/specs'
      : resource.plural;
  return `/registry/${prefix}/${namespace !== undefined ? `${namespace}/` : ''}${name}`;
}

/** `Service.serving.knative.dev`, `ConfigMap`: how BeforeUpdate and BeforeDelete name a kind. */
function groupKind(resource: ResourceType): string {
  return resource.group ? `${resource.kind}.${resource.group}` : resource.kind;
}

const groupOf = (resource: ResourceType) => (resource.group ? { group: resource.group } : {});

/**
 * The checks of a PUT before it is admitted, in the store's order: the uid in the body is a
 * precondition (409, the storage layer's words), then a custom resource needs a resourceVersion
 * (422). A stale resourceVersion is the caller's usual 409.
 */
export function checkReplace(resource: ResourceType, body: KubeObject, existing: KubeObject): void {
  const name = existing.metadata.name;
  const uid = body.metadata.uid;
  if (uid !== undefined && uid !== '' && uid !== existing.metadata.uid) {
    const key = storageKey(resource, existing.metadata.namespace, name);
    throw apiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${resource.id} "${name}": StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${uid}, UID in object meta: ${existing.metadata.uid ?? ''}`,
      { name, ...groupOf(resource), kind: resource.plural },
    );
  }
  const rv = body.metadata.resourceVersion;
  if ((rv === undefined || rv === '') && isCustomResource(resource)) {
    // The store names the resource where a kind would go (its TODO says so): services.serving.knative.dev.
    const detail = 'Invalid value: 0x0: must be specified for an update';
    throw apiError(422, 'Invalid', `${resource.id} "${name}" is invalid: metadata.resourceVersion: ${detail}`, {
      name,
      ...groupOf(resource),
      kind: resource.plural,
      causes: [{ reason: 'FieldValueInvalid', message: detail, field: 'metadata.resourceVersion' }],
    });
  }
}

/** A patch that would change the uid: BeforeUpdate's ValidateObjectMetaUpdate refuses it (422). */
export function checkUidUnchanged(resource: ResourceType, merged: KubeObject, existing: KubeObject): void {
  const uid = merged.metadata.uid;
  if (uid === undefined || uid === '' || uid === existing.metadata.uid) return;
  const name = existing.metadata.name;
  const detail = `Invalid value: ${JSON.stringify(uid)}: field is immutable`;
  throw apiError(422, 'Invalid', `${groupKind(resource)} "${name}" is invalid: metadata.uid: ${detail}`, {
    name,
    ...groupOf(resource),
    kind: resource.kind,
    causes: [{ reason: 'FieldValueInvalid', message: detail, field: 'metadata.uid' }],
  });
}

/** DeleteOptions.preconditions, checked as BeforeDelete checks them (before the storage layer). */
export function deletePreconditionFailure(
  resource: ResourceType,
  existing: KubeObject,
  options: DeleteOptions,
): ApiError | undefined {
  const name = existing.metadata.name;
  const failed = (detail: string) =>
    apiError(409, 'Conflict', `Operation cannot be fulfilled on ${groupKind(resource)} "${name}": ${detail}`, {
      name,
      ...groupOf(resource),
      kind: resource.kind,
    });
  const uid = existing.metadata.uid ?? '';
  if (options.uid !== undefined && options.uid !== uid) {
    return failed(
      `the UID in the precondition (${options.uid}) does not match the UID in record (${uid}). The object might have been deleted and then recreated`,
    );
  }
  const rv = existing.metadata.resourceVersion ?? '';
  if (options.resourceVersion !== undefined && options.resourceVersion !== rv) {
    return failed(
      `the ResourceVersion in the precondition (${options.resourceVersion}) does not match the ResourceVersion in record (${rv}). The object might have been modified`,
    );
  }
  return undefined;
}

/**
 * A create that carries a resourceVersion: etcd3's store refuses it (ErrResourceVersionSetOnCreate,
 * a plain error the API server answers as a 500 without a reason), after admission and never in a
 * dry run (the dry-run storage does not write). A value that is not a number is ignored, as the
 * versioner cannot read it (kubernetes/kubernetes#113847). kubectl create and apply strip it first.
 */
export function checkCreateResourceVersion(resourceVersion: unknown): void {
  if (typeof resourceVersion !== 'string' || !/^[0-9]+$/.test(resourceVersion) || /^0+$/.test(resourceVersion)) return;
  throw new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'resourceVersion should not be set on objects to be created',
    code: 500,
  });
}
