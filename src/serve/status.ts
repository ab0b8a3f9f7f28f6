/** Kubernetes `Status` objects (metav1.Status) and the error that carries one through a handler. */
import type { ResourceType } from '../model/rules/resources.js';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'InternalError';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  /** Sent with a Retry-After header of the same number (responsewriters.ErrorNegotiated). */
  retryAfterSeconds?: number;
}

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  /** ListMeta: only an expired continue token's replacement is ever set. */
  metadata: { continue?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export function statusObject(code: number, reason: StatusReason, message: string, details?: StatusDetails): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** Thrown inside request handlers; the server answers with its Status. */
export class ApiError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }

  get code(): number {
    return this.status.code;
  }
}

export function apiError(code: number, reason: StatusReason, message: string, details?: StatusDetails): ApiError {
  return new ApiError(statusObject(code, reason, message, details));
}

/** `services.serving.knative.dev "x" not found`, the wording kubectl prints after "Error from server (NotFound): ". */
export function notFound(resource: ResourceType, name: string): ApiError {
  return apiError(404, 'NotFound', `${resource.id} "${name}" not found`, {
    name,
    ...(resource.group ? { group: resource.group } : {}),
    kind: resource.plural,
  });
}

export function alreadyExists(resource: ResourceType, name: string): ApiError {
  return apiError(409, 'AlreadyExists', `${resource.id} "${name}" already exists`, {
    name,
    ...(resource.group ? { group: resource.group } : {}),
    kind: resource.plural,
  });
}

export function conflict(resource: ResourceType, name: string): ApiError {
  return apiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${resource.id} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, ...(resource.group ? { group: resource.group } : {}), kind: resource.plural },
  );
}

/** 422 Invalid: `Service.serving.knative.dev "x" is invalid: metadata.name: Required value: …`. */
export function invalid(
  resource: ResourceType,
  name: string,
  field: string,
  detail: string,
  reason = 'FieldValueInvalid',
): ApiError {
  const kind = resource.group ? `${resource.kind}.${resource.group}` : resource.kind;
  return apiError(422, 'Invalid', `${kind} "${name}" is invalid: ${field}: ${detail}`, {
    name,
    ...(resource.group ? { group: resource.group } : {}),
    kind: resource.kind,
    causes: [{ reason, message: detail, field }],
  });
}

export function badRequest(message: string): ApiError {
  return apiError(400, 'BadRequest', message);
}
