/**
 * Knative's admission webhooks in one place: defaulting, then validation, for the
 * serving.knative.dev kinds, including the autoscaling annotations of revision templates checked
 * against the cluster's config-autoscaler, and the PodSpec fields config-features gates. Any API front end (the simulator's backend,
 * `knsim serve`) admits objects through here, so they reject the same things with the same words.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Configuration, KubeObject, Route, Service } from './api/types.js';
import { type AutoscalerConfig, validateAutoscalingAnnotations } from './kpa/index.js';
import { type DefaultingOptions, defaultConfiguration, defaultRoute, defaultService } from './rules/defaults.js';
import type { FeaturesConfig } from './rules/features.js';
import type { FieldError } from './rules/fielderror.js';
import { dropNulls, dropUnknownFields, type SchemaError, schemaErrors, unknownFields } from './rules/schema.js';
import { validateConfiguration, validateRoute, validateService, verifyTemplateNameChange } from './rules/validation.js';

/**
 * The API server's field validation (the `fieldValidation` query parameter): `Strict` refuses an
 * object with unknown fields (kubectl's default), `Warn` and `Ignore` drop them (Warn also tells
 * the client).
 */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface AdmissionContext extends DefaultingOptions {
  autoscaler: AutoscalerConfig;
  /** config-features: which gated PodSpec fields the webhook lets through (Knative's defaults when absent). */
  features?: FeaturesConfig;
  /** Default `Strict`, as kubectl asks. */
  fieldValidation?: FieldValidation;
}

export interface AdmissionResult {
  /** The object as it would be stored (defaulted), when admitted. */
  object?: KubeObject;
  errors: FieldError[];
  /**
   * Fields the kind's schema does not know (`spec.template.spec.containers[0].imgae`), in
   * document order. With `Strict` they refuse the object before any webhook sees it (no
   * `object`, no `errors`); with `Warn`/`Ignore` they are dropped from the stored object.
   */
  unknownFields?: string[];
  /**
   * What the CRD's structural schema refuses (values of the wrong type, required fields left
   * out): the API server answers 422 Invalid before any validating webhook (no `object`, no
   * `errors`).
   */
  schemaErrors?: SchemaError[];
}

const SERVING = 'serving.knative.dev/v1';

function templateAnnotationErrors(
  annotations: Record<string, string> | undefined,
  config: AutoscalerConfig,
): FieldError[] {
  return validateAutoscalingAnnotations(annotations ?? {}, config).map((e) => ({
    ...e,
    // An error about several annotations lists their paths joined with ", ".
    path: e.path
      .split(', ')
      .map((p) => `spec.template.${p}`)
      .join(', '),
  }));
}

/**
 * Knative's own objects, made by its controllers from a Service or Configuration: clients may read
 * them and change their labels and annotations, not create them or change their spec.
 */
const CONTROLLER_OWNED: ReadonlySet<string> = new Set([
  'revisions.serving.knative.dev',
  'podautoscalers.autoscaling.internal.knative.dev',
  'metrics.autoscaling.internal.knative.dev',
  'serverlessservices.networking.internal.knative.dev',
  'ingresses.networking.internal.knative.dev',
  'certificates.networking.internal.knative.dev',
]);

/**
 * Why a client may not create an object of this resource type (its id, `revisions.serving.knative.dev`),
 * or undefined when it may.
 */
export function controllerOwnedCreateRefusal(resourceId: string): string | undefined {
  return CONTROLLER_OWNED.has(resourceId)
    ? `knsim: ${resourceId} are made by Knative's controllers; create a Service or Configuration instead`
    : undefined;
}

/**
 * Why a client's write of an object Knative's controllers made is refused (its spec, anything but
 * metadata and status, changed), or undefined when it is not refused.
 */
export function controllerOwnedSpecRefusal(
  resourceId: string,
  plural: string,
  input: KubeObject,
  existing: KubeObject,
): string | undefined {
  if (!CONTROLLER_OWNED.has(resourceId)) return undefined;
  const { apiVersion: _a, kind: _k, metadata: _m, status: _s, ...spec } = input;
  const { apiVersion: _a2, kind: _k2, metadata: _m2, status: _s2, ...oldSpec } = existing;
  if (isDeepStrictEqual(spec, oldSpec)) return undefined;
  return `Immutable fields changed (-old +new): spec\nknsim: the spec of ${plural} is set by Knative's controllers`;
}

/** Admits (defaults and validates) a serving.knative.dev object; other kinds pass unchanged. */
export function admit(input: KubeObject, ctx: AdmissionContext): AdmissionResult {
  if (input.apiVersion !== SERVING) return { object: input, errors: [] };
  // The API server decodes the object against the CRD's schema before calling any webhook.
  const unknown = unknownFields(input);
  if (unknown.length > 0 && (ctx.fieldValidation ?? 'Strict') === 'Strict') {
    return { errors: [], unknownFields: unknown };
  }
  const known = unknown.length > 0 ? dropUnknownFields(input) : input;
  const invalid = schemaErrors(known);
  if (invalid.length > 0)
    return { errors: [], schemaErrors: invalid, ...(unknown.length > 0 ? { unknownFields: unknown } : {}) };
  const result = admitKnown(asDecoded(dropNulls(known)), ctx);
  return unknown.length > 0 ? { ...result, unknownFields: unknown } : result;
}

/**
 * The object as Knative's webhook sees it once decoded into its Go types: the metadata, the spec,
 * the revision template and its spec are structs, present (empty) even when the manifest leaves
 * them out, so a Service without `spec` is refused for its missing containers, as on a cluster.
 */
function asDecoded(obj: KubeObject): KubeObject {
  const o = obj as KubeObject & { spec?: { template?: { spec?: unknown } } };
  const hasTemplate = o.kind === 'Service' || o.kind === 'Configuration';
  if (o.metadata && o.spec && (!hasTemplate || o.spec.template?.spec)) return obj;
  const spec = { ...(o.spec ?? {}) };
  if (hasTemplate) spec.template = { ...(spec.template ?? {}), spec: spec.template?.spec ?? {} };
  return { ...obj, metadata: o.metadata ?? {}, spec } as KubeObject;
}

function admitKnown(obj: KubeObject, ctx: AdmissionContext): AdmissionResult {
  let object: KubeObject;
  let errors: FieldError[];
  const cfg = ctx.config;
  switch (obj.kind) {
    case 'Service': {
      const svc = defaultService(obj as Service, ctx);
      object = svc;
      errors = [
        ...validateService(svc, cfg, ctx.features),
        ...templateAnnotationErrors(svc.spec.template?.metadata?.annotations, ctx.autoscaler),
        ...verifyTemplateNameChange(svc.spec.template, (ctx.previous as Service | undefined)?.spec?.template),
      ];
      break;
    }
    case 'Configuration': {
      const config = defaultConfiguration(obj as Configuration, ctx);
      object = config;
      errors = [
        ...validateConfiguration(config, cfg, ctx.features),
        ...templateAnnotationErrors(config.spec.template?.metadata?.annotations, ctx.autoscaler),
        ...verifyTemplateNameChange(config.spec.template, (ctx.previous as Configuration | undefined)?.spec?.template),
      ];
      break;
    }
    case 'Route': {
      const route = defaultRoute(obj as Route, ctx);
      object = route;
      errors = validateRoute(route);
      break;
    }
    default:
      return { object: obj, errors: [] };
  }
  return errors.length > 0 ? { errors } : { object, errors };
}
