/** Resource type ids (as in src/model/rules/resources.ts) the simulator files objects under. */
export const T = {
  service: 'services.serving.knative.dev',
  configuration: 'configurations.serving.knative.dev',
  route: 'routes.serving.knative.dev',
  revision: 'revisions.serving.knative.dev',
  podAutoscaler: 'podautoscalers.autoscaling.internal.knative.dev',
  sks: 'serverlessservices.networking.internal.knative.dev',
  pod: 'pods',
  deployment: 'deployments.apps',
  configMap: 'configmaps',
  namespace: 'namespaces',
} as const;

/** Store indexes the controllers look objects up by (src/sim/store.ts `addIndex`). */
/** Revisions by `namespace/configuration` (their serving.knative.dev/configuration label). */
export const REVISIONS_BY_CONFIGURATION = 'configuration';
/** Routes by `namespace/configuration/name` and `namespace/revision/name`: what their spec.traffic names. */
export const ROUTES_BY_TARGET = 'target';
/** Revisions and Configurations by `namespace/route` for each Route in their serving.knative.dev/routes annotation. */
export const BY_ROUTES_ANNOTATION = 'routes';
/** Owned objects by their owners' uids (garbage collection). */
export const BY_OWNER = 'owner';
/** Pods by `namespace/revision` (their serving.knative.dev/revision label). */
export const PODS_BY_REVISION = 'revision';
