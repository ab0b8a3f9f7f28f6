/** Label and annotation keys Knative Serving puts on the objects it creates. */

export const LABEL_SERVICE = 'serving.knative.dev/service';
export const LABEL_SERVICE_UID = 'serving.knative.dev/serviceUID';
export const LABEL_CONFIGURATION = 'serving.knative.dev/configuration';
export const LABEL_CONFIGURATION_UID = 'serving.knative.dev/configurationUID';
export const LABEL_CONFIGURATION_GENERATION = 'serving.knative.dev/configurationGeneration';
export const LABEL_REVISION = 'serving.knative.dev/revision';
export const LABEL_REVISION_UID = 'serving.knative.dev/revisionUID';
export const LABEL_ROUTE = 'serving.knative.dev/route';
export const LABEL_ROUTING_STATE = 'serving.knative.dev/routingState';
export const ANNOTATION_ROUTING_STATE_MODIFIED = 'serving.knative.dev/routingStateModified';
/** The Routes that reference a Configuration or Revision, by name: sorted, comma-separated (`routesAnnotation`). */
export const ANNOTATION_ROUTES = 'serving.knative.dev/routes';

/** `networking.knative.dev/visibility: cluster-local` keeps a Route off the external ingress. */
export const LABEL_VISIBILITY = 'networking.knative.dev/visibility';
export const VISIBILITY_CLUSTER_LOCAL = 'cluster-local';

/** Deployment and pod label holding the pod-template-hash. */
export const LABEL_POD_TEMPLATE_HASH = 'pod-template-hash';

/**
 * The Revision annotations its PodAutoscaler (and Knative's other children of it) does not carry
 * (Knative's revision resources, excludeAnnotations): the labeler's and the GC's bookkeeping.
 */
const REVISION_ONLY_ANNOTATIONS = new Set([
  'serving.knative.dev/lastPinned',
  'serving.knative.dev/no-gc',
  ANNOTATION_ROUTING_STATE_MODIFIED,
  ANNOTATION_ROUTES,
]);

/** A Revision's annotations as its children carry them (Knative's makeAnnotations). */
export function revisionChildAnnotations(annotations: Readonly<Record<string, string>> | undefined) {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(annotations ?? {})) if (!REVISION_ONLY_ANNOTATIONS.has(k)) out[k] = v;
  return out;
}
