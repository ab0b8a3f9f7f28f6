/** What Knative's admission webhooks do to a write, and which objects clients may change. */
import {
  admit as admitObject,
  controllerOwnedCreateRefusal,
  controllerOwnedSpecRefusal,
  type FieldValidation,
} from '../model/admission.js';
import type { ConfigMap, KubeObject } from '../model/api/types.js';
import { formatFieldErrors, SERVING_VALIDATION_WEBHOOK } from '../model/rules/fielderror.js';
import type { ResourceType } from '../model/rules/resources.js';
import { schemaInvalidMessage, strictDecodingOrder, undecodableMessage } from '../model/rules/schema.js';
import type { SimCluster } from '../sim/cluster.js';
import { withConfigMap } from '../sim/controllers/clusterConfig.js';
import { unsimulatedAutoscaling } from '../sim/simulated.js';
import { T } from '../sim/types.js';
import { ADMIN_USER } from './auth.js';
import { isObject } from './objects.js';
import { type ApiError, apiError } from './status.js';

/** The user the Knative webhook records as creator/lastModifier. */
const USER = ADMIN_USER;

/** Controller-made objects: labels and annotations may change, the spec may not. */
export function checkControllerOwnedSpec(resource: ResourceType, input: KubeObject, existing: KubeObject): void {
  const refusal = controllerOwnedSpecRefusal(resource.id, resource.plural, input, existing);
  if (refusal !== undefined) throw webhookDenied(refusal);
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

/**
 * How a write asks for unknown fields to be treated (its `fieldValidation` query parameter), and
 * where the warnings of `Warn` go (each becomes a `Warning` response header).
 */
export interface FieldValidationRequest {
  mode: FieldValidation;
  warn(text: string): void;
}

/**
 * The `fieldValidation` query parameter: `Strict`, `Warn` or `Ignore`; absent means `Warn`, the
 * API server's default (kubectl sends `Strict`). Anything else is refused, as the API server
 * refuses invalid options (`options` names them: CreateOptions, UpdateOptions, PatchOptions).
 */
export function fieldValidationMode(value: string | null, options: string): FieldValidation {
  if (value === null || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw apiError(
    400,
    'BadRequest',
    `${options}.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: ${JSON.stringify(value)}: supported values: "", "Ignore", "Strict", "Warn"`,
  );
}

/**
 * Admission: the API server's decoding against the schema (unknown fields), then Knative's
 * defaulting and validating webhooks for Services, Configurations and Routes, and the config
 * webhook for knative-serving ConfigMaps. Returns the object to store. `decoded` runs once the
 * body is decoded, before any validation: where the store checks an update's preconditions.
 */
export function admit(
  cluster: SimCluster,
  resource: ResourceType,
  namespace: string | undefined,
  obj: KubeObject,
  previous?: KubeObject,
  validation?: FieldValidationRequest,
  decoded?: () => void,
): KubeObject {
  // Controller-made objects (Revisions) are not admitted as a client's: their writes change labels only.
  if (resource.group === 'serving.knative.dev' && controllerOwnedCreateRefusal(resource.id) === undefined) {
    let admission: ReturnType<typeof admitObject>;
    const mode = validation?.mode ?? 'Warn';
    try {
      admission = admitObject(obj, {
        autoscaler: cluster.config.autoscaler,
        config: cluster.config.defaults,
        features: cluster.config.features,
        user: USER,
        fieldValidation: mode,
        ...(previous ? { previous } : {}),
      });
    } catch (e) {
      throw webhookDenied(`validation failed: ${(e as Error).message}`);
    }
    const unknown = admission.unknownFields ?? [];
    if (mode === 'Strict' && unknown.length > 0) {
      const version = obj.apiVersion.split('/').pop() ?? obj.apiVersion;
      throw apiError(400, 'BadRequest', undecodableMessage(obj.kind, version, unknown));
    }
    decoded?.();
    if (admission.schemaErrors?.length) {
      throw apiError(422, 'Invalid', schemaInvalidMessage(obj.kind, obj.metadata?.name ?? '', admission.schemaErrors), {
        name: obj.metadata?.name ?? '',
        group: resource.group,
        kind: obj.kind,
        causes: admission.schemaErrors.map((e) => ({ reason: e.reason, message: e.detail, field: e.field })),
      });
    }
    if (!admission.object) throw webhookDenied(`validation failed: ${formatFieldErrors(admission.errors)}`);
    // The simulator behind this API runs only what it simulates (src/sim/simulated.ts).
    const unsimulated = unsimulatedAutoscaling(admission.object);
    if (unsimulated.length > 0) {
      throw webhookDenied(
        `validation failed: ${unsimulated.map((u) => `${u.message}: ${u.path.join('.')}`).join('; ')}`,
      );
    }
    if (mode === 'Warn') for (const path of strictDecodingOrder(unknown)) validation?.warn(`unknown field "${path}"`);
    return admission.object;
  }
  decoded?.();
  if (resource.id === T.configMap && namespace === 'knative-serving') {
    try {
      withConfigMap(cluster.config, obj.metadata.name, configData(obj));
    } catch (e) {
      throw configWebhookDenied((e as Error).message);
    }
  }
  return obj;
}

/** A ConfigMap's data (empty when missing or malformed). */
export function configData(obj: KubeObject): Record<string, string> {
  const data = (obj as ConfigMap).data;
  return isObject(data) ? (data as Record<string, string>) : {};
}
