/**
 * The `scale` subresource of Deployments: an autoscaling/v1 Scale that mirrors the Deployment's
 * spec.replicas, which `kubectl scale deployment` reads and patches. On a cluster with Knative the
 * write goes through and the PodAutoscaler's next reconcile puts the revision's scale back; here
 * the same happens, as the simulator's KPA reconciles on any change of its Deployment. Shapes
 * and words from k8s.io/api autoscaling/v1 Scale and pkg/apis/autoscaling/validation
 * (ValidateScale: replicas must be non-negative).
 */
import type { KubeObject } from '../model/api/types.js';
import type { ResourceType } from '../model/rules/resources.js';
import { ageSince } from '../model/rules/time.js';
import { isObject } from './objects.js';
import { apiError } from './status.js';

/** The types that have a scale subresource here (Knative's CRDs declare none). */
export function hasScale(resource: ResourceType): boolean {
  return resource.id === 'deployments.apps';
}

export interface Scale {
  kind: 'Scale';
  apiVersion: 'autoscaling/v1';
  metadata: KubeObject['metadata'];
  spec: { replicas: number };
  status: { replicas: number; selector?: string };
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** A selector as labels.Selector.String() prints it: requirements sorted by key. */
function selectorString(sel: LabelSelector | undefined): string {
  const parts: [string, string][] = [];
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) parts.push([k, `${k}=${v}`]);
  for (const e of sel?.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    const values = [...(e.values ?? [])].sort().join(',');
    if (op === 'in' || op === 'notin') parts.push([e.key, `${e.key} ${op} (${values})`]);
    else if (op === 'exists') parts.push([e.key, e.key]);
    else if (op === 'doesnotexist') parts.push([e.key, `!${e.key}`]);
  }
  return parts
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map((p) => p[1])
    .join(',');
}

/** The Scale of a Deployment: its identity, its spec.replicas, its status's replicas and selector. */
export function scaleOf(deployment: KubeObject): Scale {
  const d = deployment as KubeObject & {
    spec?: { replicas?: number; selector?: LabelSelector };
    status?: { replicas?: number };
  };
  const { name, namespace, uid, resourceVersion, creationTimestamp } = d.metadata;
  const selector = selectorString(d.spec?.selector);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(uid !== undefined ? { uid } : {}),
      ...(resourceVersion !== undefined ? { resourceVersion } : {}),
      ...(creationTimestamp !== undefined ? { creationTimestamp } : {}),
    },
    spec: { replicas: d.spec?.replicas ?? 1 },
    status: { replicas: d.status?.replicas ?? 0, ...(selector !== '' ? { selector } : {}) },
  };
}

/** The replicas a written Scale asks for, refused as ValidateScale refuses them. */
export function requestedReplicas(scale: unknown, name: string): number {
  const spec = isObject(scale) ? scale.spec : undefined;
  const replicas = isObject(spec) ? spec.replicas : undefined;
  if (replicas === undefined || replicas === null) return 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
    throw apiError(
      400,
      'BadRequest',
      'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal into Go struct field ScaleSpec.spec.replicas of type int32',
    );
  }
  if (replicas < 0) {
    const detail = `Invalid value: ${replicas}: must be greater than or equal to 0`;
    throw apiError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: ${detail}`, {
      name,
      group: 'autoscaling',
      kind: 'Scale',
      causes: [{ reason: 'FieldValueInvalid', message: detail, field: 'spec.replicas' }],
    });
  }
  return replicas;
}

/**
 * `kubectl get deployment x --subresource=scale`: the API server's Scale printer (pkg/printers
 * internalversion: Name, Desired, Available, Age; the Name column without the `name` format).
 */
export function scaleTable(
  scale: Scale,
  nowMs: number,
  resourceVersion: string,
  includeObject: string | null,
): unknown {
  const include = includeObject ?? 'Metadata';
  const def = (name: string, type: string, description: string) => ({
    name,
    type,
    format: '',
    description,
    priority: 0,
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: [
      def('Name', 'string', 'Name must be unique within a namespace.'),
      def('Desired', 'integer', 'replicas is the desired number of instances for the scaled object.'),
      def('Available', 'integer', 'replicas is the actual number of observed instances of the scaled object.'),
      def(
        'Age',
        'string',
        'CreationTimestamp is a timestamp representing the server time when this object was created.',
      ),
    ],
    rows: [
      {
        cells: [
          scale.metadata.name,
          scale.spec.replicas,
          scale.status.replicas,
          ageSince(scale.metadata.creationTimestamp, nowMs),
        ],
        ...(include === 'None'
          ? {}
          : {
              object:
                include === 'Object'
                  ? scale
                  : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: scale.metadata },
            }),
      },
    ],
  };
}
