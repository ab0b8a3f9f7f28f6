/**
 * The resource types a user can name on the kubectl command line, as API discovery describes
 * them, and kubectl's rules for resolving what was typed (`ksvc`, `rev`, `po`, `deploy`,
 * `services.serving.knative.dev`, `Pod`, …) to one of them.
 *
 * As in kubectl, a plain `service`/`services`/`svc` means the core Kubernetes Service; the
 * Knative one is `ksvc`, `kservice` or the group-qualified name.
 */

export interface ResourceType {
  /** Canonical id used across knsim: `<plural>` for the core group, `<plural>.<group>` otherwise. */
  readonly id: string;
  readonly kind: string;
  /** `v1` for the core group, otherwise `<group>/<version>`. */
  readonly apiVersion: string;
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly namespaced: boolean;
  /** API discovery verbs. */
  readonly verbs: readonly string[];
}

/** What every type here supports, as API discovery lists it. */
const STANDARD_VERBS: readonly string[] = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

function resource(
  kind: string,
  group: string,
  version: string,
  plural: string,
  shortNames: readonly string[],
  categories: readonly string[],
  namespaced = true,
  verbs: readonly string[] = STANDARD_VERBS,
): ResourceType {
  return {
    id: group === '' ? plural : `${plural}.${group}`,
    kind,
    apiVersion: group === '' ? version : `${group}/${version}`,
    group,
    version,
    plural,
    singular: kind.toLowerCase(),
    shortNames,
    categories,
    namespaced,
    verbs,
  };
}

const SERVING = 'serving.knative.dev';
const AUTOSCALING = 'autoscaling.internal.knative.dev';
const NETWORKING = 'networking.internal.knative.dev';
const KNATIVE_SERVING_CATEGORIES = ['all', 'knative', 'serving'] as const;

/**
 * Every resource type knsim knows, in kubectl's resolution priority order: the core group
 * first, then apps, then Knative (so `services` resolves to core Services, as in kubectl).
 */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  resource('Pod', '', 'v1', 'pods', ['po'], ['all']),
  resource('Service', '', 'v1', 'services', ['svc'], ['all']),
  resource('Endpoints', '', 'v1', 'endpoints', ['ep'], []),
  resource('ConfigMap', '', 'v1', 'configmaps', ['cm'], []),
  resource('Namespace', '', 'v1', 'namespaces', ['ns'], [], false),
  resource('Node', '', 'v1', 'nodes', ['no'], [], false),
  resource('Event', '', 'v1', 'events', ['ev'], []),
  // None exist in a simulated cluster; `kubectl describe namespace` lists them.
  resource('ResourceQuota', '', 'v1', 'resourcequotas', ['quota'], []),
  resource('LimitRange', '', 'v1', 'limitranges', ['limits'], []),
  // None exist either; kubectl's default prune allowlist (`kubectl apply --prune`) names them
  // and fails when discovery does not know one, and `kubectl get all` asks for them.
  resource('PersistentVolumeClaim', '', 'v1', 'persistentvolumeclaims', ['pvc'], []),
  resource('PersistentVolume', '', 'v1', 'persistentvolumes', ['pv'], [], false),
  resource('ReplicationController', '', 'v1', 'replicationcontrollers', ['rc'], ['all']),
  resource('Secret', '', 'v1', 'secrets', [], []),
  resource('EndpointSlice', 'discovery.k8s.io', 'v1', 'endpointslices', [], []),
  resource('Deployment', 'apps', 'v1', 'deployments', ['deploy'], ['all']),
  resource('ReplicaSet', 'apps', 'v1', 'replicasets', ['rs'], ['all']),
  resource('DaemonSet', 'apps', 'v1', 'daemonsets', ['ds'], ['all']),
  resource('StatefulSet', 'apps', 'v1', 'statefulsets', ['sts'], ['all']),
  resource('HorizontalPodAutoscaler', 'autoscaling', 'v2', 'horizontalpodautoscalers', ['hpa'], ['all']),
  resource('Job', 'batch', 'v1', 'jobs', [], ['all']),
  resource('CronJob', 'batch', 'v1', 'cronjobs', ['cj'], ['all']),
  resource('Ingress', 'networking.k8s.io', 'v1', 'ingresses', ['ing'], []),
  // `kubectl auth can-i` and `kubectl auth whoami` ask through these; they can only be created.
  resource('SelfSubjectAccessReview', 'authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', [], [], false, [
    'create',
  ]),
  resource('SelfSubjectRulesReview', 'authorization.k8s.io', 'v1', 'selfsubjectrulesreviews', [], [], false, [
    'create',
  ]),
  resource('SelfSubjectReview', 'authentication.k8s.io', 'v1', 'selfsubjectreviews', [], [], false, ['create']),
  resource('Service', SERVING, 'v1', 'services', ['kservice', 'ksvc'], KNATIVE_SERVING_CATEGORIES),
  resource('Configuration', SERVING, 'v1', 'configurations', ['config', 'cfg'], KNATIVE_SERVING_CATEGORIES),
  resource('Route', SERVING, 'v1', 'routes', ['rt'], KNATIVE_SERVING_CATEGORIES),
  resource('Revision', SERVING, 'v1', 'revisions', ['rev'], KNATIVE_SERVING_CATEGORIES),
  resource(
    'PodAutoscaler',
    AUTOSCALING,
    'v1alpha1',
    'podautoscalers',
    ['kpa', 'pa'],
    ['knative-internal', 'autoscaling'],
  ),
  resource('Metric', AUTOSCALING, 'v1alpha1', 'metrics', [], ['knative-internal', 'autoscaling']),
  resource(
    'ServerlessService',
    NETWORKING,
    'v1alpha1',
    'serverlessservices',
    ['sks'],
    ['knative-internal', 'networking'],
  ),
  resource('Ingress', NETWORKING, 'v1alpha1', 'ingresses', ['kingress', 'king'], ['knative-internal', 'networking']),
  resource('Certificate', NETWORKING, 'v1alpha1', 'certificates', ['kcert'], ['knative-internal', 'networking']),
];

/**
 * The order API discovery lists resource types in, which is the order `kubectl get all` prints
 * its sections in: the core group, then apps, then the other built-in groups, then the CRD groups
 * by name; inside a group, resources by name (`pods` before `services`; Knative's
 * `configurations`, `revisions`, `routes`, `services`).
 */
export function discoveryOrder(types: readonly ResourceType[]): ResourceType[] {
  // Built-in groups come before the CRDs' (autoscaling and batch are built in without the .k8s.io suffix).
  const groupRank = (g: string) =>
    g === '' ? 0 : g === 'apps' ? 1 : g.endsWith('.k8s.io') || g === 'autoscaling' || g === 'batch' ? 2 : 3;
  return [...types].sort((a, b) => {
    const byRank = groupRank(a.group) - groupRank(b.group);
    if (byRank !== 0) return byRank;
    if (a.group !== b.group) return a.group < b.group ? -1 : 1;
    return a.plural < b.plural ? -1 : a.plural > b.plural ? 1 : 0;
  });
}

/** Look a resource type up by its canonical id (`pods`, `services.serving.knative.dev`). */
export function resourceById(id: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((r) => r.id === id);
}

/** The resource type of an object with this apiVersion and kind. */
export function resourceForKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((r) => r.apiVersion === apiVersion && r.kind === kind);
}

/** kubectl's message when nothing matches what the user typed. */
function unknownResourceTypeMessage(typed: string): string {
  return `error: the server doesn't have a resource type "${typed}"`;
}

export type ResolveResult = { ok: true; resource: ResourceType } | { ok: false; error: string };

/**
 * Resolve a resource type as typed on the kubectl command line. Accepted, case-insensitively:
 * plural (`pods`), singular (`pod`), short names (`po`, `ksvc`), and group-qualified forms
 * `<plural|singular|short>.<group>` or `<plural>.<version>.<group>`
 * (`services.serving.knative.dev`, `ksvc.serving.knative.dev`, `revisions.v1.serving.knative.dev`).
 * Unqualified names that several groups share go to the first in priority order (core wins).
 */
export function resolveResourceName(typed: string): ResolveResult {
  const arg = typed.toLowerCase();
  const matchesName = (r: ResourceType, name: string): boolean =>
    name === r.plural || name === r.singular || r.shortNames.includes(name);
  for (const r of RESOURCE_TYPES) {
    if (matchesName(r, arg)) return { ok: true, resource: r };
  }
  for (const r of RESOURCE_TYPES) {
    if (r.group === '') continue;
    if (arg === `${r.plural}.${r.version}.${r.group}`) return { ok: true, resource: r };
    const suffix = `.${r.group}`;
    if (arg.endsWith(suffix) && matchesName(r, arg.slice(0, -suffix.length))) return { ok: true, resource: r };
  }
  return { ok: false, error: unknownResourceTypeMessage(typed) };
}

/**
 * The resource types in a category (`all`, `knative`, `serving`, `knative-internal`, …), in
 * discovery order as kubectl expands them.
 */
export function resourcesInCategory(category: string): ResourceType[] {
  return discoveryOrder(RESOURCE_TYPES.filter((r) => r.categories.includes(category)));
}

/** kubectl's message for `kubectl get <type> <name>` when the object does not exist. */
export function notFoundMessage(r: ResourceType, name: string): string {
  return `Error from server (NotFound): ${r.id} "${name}" not found`;
}

/** What `kubectl apply`/`create` prints for an object: `service.serving.knative.dev/knservice created`. */
export function objectReference(r: ResourceType, name: string): string {
  return r.group === '' ? `${r.singular}/${name}` : `${r.singular}.${r.group}/${name}`;
}

/**
 * kubectl delete's line for an object it deleted (DeleteOptions.PrintObj without `-o name`): the
 * lowercase kind, qualified by its group, and the quoted name, as `pod "x" deleted` or
 * `route.serving.knative.dev "x" deleted`.
 */
export function deletedLine(r: ResourceType, name: string): string {
  const kind = r.kind.toLowerCase();
  return `${r.group === '' ? kind : `${kind}.${r.group}`} "${name}" deleted`;
}
