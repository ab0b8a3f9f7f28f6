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
