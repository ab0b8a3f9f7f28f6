/**
 * Knative's admission webhooks in one place: defaulting, then validation, for the
 * serving.knative.dev kinds, including the autoscaling annotations of revision templates checked
 * against the cluster's config-autoscaler. Any API front end (the simulator's backend,
 * `knsim serve`) admits objects through here, so they reject the same things with the same words.
 */
import type { Configuration, KubeObject, Route, Service } from './api/types.js';
import { type AutoscalerConfig, validateAutoscalingAnnotations } from './kpa/index.js';
import { type DefaultingOptions, defaultConfiguration, defaultRoute, defaultService } from './rules/defaults.js';
import type { FieldError } from './rules/fielderror.js';
import { validateConfiguration, validateRoute, validateService } from './rules/validation.js';

export interface AdmissionContext extends DefaultingOptions {
  autoscaler: AutoscalerConfig;
}

export interface AdmissionResult {
  /** The object as it would be stored (defaulted), when admitted. */
  object?: KubeObject;
  errors: FieldError[];
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

/** Admits (defaults and validates) a serving.knative.dev object; other kinds pass unchanged. */
export function admit(obj: KubeObject, ctx: AdmissionContext): AdmissionResult {
  if (obj.apiVersion !== SERVING) return { object: obj, errors: [] };
  let object: KubeObject;
  let errors: FieldError[];
  const cfg = ctx.config;
  switch (obj.kind) {
    case 'Service': {
      const svc = defaultService(obj as Service, ctx);
      object = svc;
      errors = [
        ...validateService(svc, cfg),
        ...templateAnnotationErrors(svc.spec.template?.metadata?.annotations, ctx.autoscaler),
      ];
      break;
    }
    case 'Configuration': {
      const config = defaultConfiguration(obj as Configuration, ctx);
      object = config;
      errors = [
        ...validateConfiguration(config, cfg),
        ...templateAnnotationErrors(config.spec.template?.metadata?.annotations, ctx.autoscaler),
      ];
      break;
    }
    case 'Route': {
      // A Route that belongs to a Service has a default configuration to send traffic to.
      const ownedByService = (obj.metadata.ownerReferences ?? []).some((o) => o.kind === 'Service');
      const route = defaultRoute(obj as Route, { ...ctx, ownedByService });
      object = route;
      errors = validateRoute(route, { ownedByService });
      break;
    }
    default:
      return { object: obj, errors: [] };
  }
  return errors.length > 0 ? { errors } : { object, errors };
}
