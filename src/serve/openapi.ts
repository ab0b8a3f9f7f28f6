/**
 * The OpenAPI v3 schemas of the custom resources (Knative's types), as the API server publishes
 * a CRD's structural schema under `/openapi/v3/apis/<group>/<version>`: what `kubectl explain
 * ksvc.spec.template` reads. Built from knsim's schema (src/model/rules/schema.ts, the one tree
 * of fields, types and required fields, which admission validates against too), with a
 * description of the Knative fields in knsim's words; Kubernetes' own types (PodSpec, Container,
 * …) are described by field name only where it helps.
 *
 * Only the custom resources get schemas: for built-in kinds kubectl would build strategic merge
 * patches from them, and the patch operations alone (discovery.ts) are what it needs.
 */
import { type Scalar, type Schema, SERVING_SCHEMAS } from '../model/rules/schema.js';

type OpenApi = Record<string, unknown>;

const OBJECT_META_REF = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** Descriptions in knsim's words, by dotted path below the kind, or by field name (`*.name`). */
const DESCRIPTIONS: Record<string, string> = {
  apiVersion: 'The version of the schema this object is written in (serving.knative.dev/v1).',
  kind: 'The kind of object this is, in CamelCase.',
  metadata: "The object's name, namespace, labels and annotations, and what the API server records about it.",
  status: "The state Knative's controllers last observed. Written by the controllers, not by clients.",
  'spec.template':
    'The template of the Revisions: each change to it makes the Configuration stamp out a new, immutable Revision.',
  'spec.template.metadata':
    "Labels and annotations of each new Revision. Annotations tune the Revision's autoscaler, e.g. autoscaling.knative.dev/target, min-scale, max-scale.",
  'spec.template.spec':
    "What each Revision runs: its containers, how many requests one replica handles at once, and the requests' timeouts.",
  'spec.template.spec.containers':
    "The containers of the Revision's pods. One of them serves requests on the port it declares (8080 when none).",
  'spec.template.spec.containerConcurrency':
    'The most requests one replica handles at the same time; 0 (the default) means no limit. The autoscaler and the activator respect it.',
  'spec.template.spec.timeoutSeconds':
    'The longest a request may take, in seconds, before its response must be complete (config-defaults revision-timeout-seconds when unset).',
  'spec.template.spec.responseStartTimeoutSeconds':
    'How long, in seconds, a request may wait for the first byte of its response.',
  'spec.template.spec.idleTimeoutSeconds':
    'How long, in seconds, a request may go without receiving any bytes of its response.',
  traffic:
    "How requests are shared between the Configuration's latest ready Revision and named Revisions, in percent, and which targets get a tag and their own URL.",
  'traffic.tag': 'A name for this target: it gets its own URL, <tag>-<route>.<namespace>.<domain>.',
  'traffic.revisionName': 'The Revision this target sends requests to.',
  'traffic.configurationName': 'The Configuration whose latest ready Revision this target follows (Routes only).',
  'traffic.latestRevision': 'Whether this target follows the latest ready Revision instead of naming one.',
  'traffic.percent': 'The share of requests this target receives, 0 to 100; the targets add up to 100.',
  'traffic.url': 'The URL of a tagged target (written by Knative).',
  '*.name': 'The name.',
  '*.image': 'The container image to run, as a registry reference (Knative resolves it to a digest).',
  '*.env': 'Environment variables of the container.',
  '*.ports': 'The ports the container listens on; for the serving container, the port requests arrive on.',
  '*.resources': 'CPU and memory the container requests and may not exceed.',
  '*.readinessProbe':
    'How queue-proxy checks that the container is ready for requests (a TCP check of its port by default).',
  '*.livenessProbe': 'How the kubelet checks that the container still works; it is restarted when the check fails.',
  '*.command': 'The entrypoint, replacing the image’s.',
  '*.args': 'Arguments to the entrypoint.',
  '*.volumeMounts': 'Where the pod’s volumes appear in the container.',
  '*.securityContext': 'Security settings of the container or pod.',
};

const KIND_DESCRIPTIONS: Record<string, string> = {
  Service:
    'A Knative Service: a Configuration and a Route kept together, so that each new version of the code is deployed as a Revision and receives traffic as the Service says.',
  Configuration:
    'A Configuration: the desired state of the code to run; each change to its template stamps out a new Revision.',
  Route: 'A Route: a URL and how its requests are split among Revisions.',
  Revision:
    "A Revision: an immutable snapshot of the code and configuration, run by a Deployment that Knative's autoscaler scales, to zero when idle.",
  PodAutoscaler: "A PodAutoscaler: the autoscaler's view of one Revision (desired and actual scale).",
  Metric: 'A Metric: what the autoscaler collects for one Revision.',
  ServerlessService:
    "A ServerlessService: whether a Revision's traffic goes through the activator (Proxy) or straight to its pods (Serve).",
  Ingress: "A KIngress: the Route's traffic as rules for the networking layer (Kourier).",
  Certificate: 'A Knative Certificate: the TLS certificate of a Route’s external domain.',
};

const SPEC_DESCRIPTIONS: Record<string, string> = {
  Service: 'The desired state: the template of the Revisions and how traffic is split among them.',
  Configuration: 'The desired state: the template of the Revisions.',
  Route: 'The desired state: how traffic is split among Revisions.',
  Revision: 'What the Revision runs (set from the Configuration’s template; immutable).',
};

function describe(path: string): string | undefined {
  const field = path.split('.').pop() ?? '';
  return DESCRIPTIONS[path] ?? DESCRIPTIONS[path.replace(/^spec\./, '')] ?? DESCRIPTIONS[`*.${field}`];
}

/** The OpenAPI type of a scalar of knsim's schema. */
function scalar(type: Scalar): OpenApi {
  switch (type) {
    case 'integer':
      return { type: 'integer', format: 'int64' };
    case 'boolean':
      return { type: 'boolean' };
    case 'int-or-string':
      return { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
    default:
      return { type: 'string' };
  }
}

/** knsim's schema tree as OpenAPI, with descriptions by path. */
function convert(schema: Schema | undefined, path: string): OpenApi {
  const description = describe(path);
  const withDescription = (o: OpenApi): OpenApi => (description ? { description, ...o } : o);
  if (schema === undefined || schema === 'any') {
    return withDescription({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  }
  if (typeof schema === 'string') return withDescription(scalar(schema));
  if ('items' in schema) return withDescription({ type: 'array', items: convert(schema.items, path) });
  if ('values' in schema) {
    return withDescription({ type: 'object', additionalProperties: convert(schema.values, `${path}.*`) });
  }
  const properties: Record<string, OpenApi> = {};
  for (const [name, child] of Object.entries(schema.fields)) {
    properties[name] = convert(child, path === '' ? name : `${path}.${name}`);
  }
  return withDescription({
    type: 'object',
    ...(schema.required?.length ? { required: [...schema.required] } : {}),
    properties,
    ...(schema.preserveUnknown ? { 'x-kubernetes-preserve-unknown-fields': true } : {}),
  });
}

const condition: OpenApi = {
  type: 'object',
  description: 'One aspect of the state: its type, True/False/Unknown, why and since when.',
  required: ['type', 'status'],
  properties: {
    type: { type: 'string', description: 'What the condition is about (Ready, ConfigurationsReady, …).' },
    status: { type: 'string', description: 'True, False or Unknown.' },
    reason: { type: 'string', description: 'A CamelCase word for why the condition is what it is.' },
    message: { type: 'string', description: 'A sentence for people about the condition.' },
    severity: { type: 'string', description: 'Error (the default), Warning or Info.' },
    lastTransitionTime: { type: 'string', format: 'date-time', description: 'When the status last changed.' },
  },
};

function status(kind: string): OpenApi {
  const common: Record<string, OpenApi> = {
    conditions: { type: 'array', description: 'The conditions of the object; Ready sums them up.', items: condition },
    observedGeneration: {
      type: 'integer',
      format: 'int64',
      description: 'The generation of the spec the controller last acted on.',
    },
    annotations: { type: 'object', additionalProperties: { type: 'string' }, description: 'Notes of the controllers.' },
  };
  const url = { type: 'string', description: 'Where the object is reachable from outside the cluster.' };
  const address = {
    type: 'object',
    description: 'Where the object is reachable inside the cluster.',
    properties: { url: { type: 'string' } },
  };
  const traffic = {
    type: 'array',
    description: 'How traffic is split now, with the revisions resolved.',
    items: convert(trafficTarget(), 'traffic'),
  };
  const latest = {
    latestCreatedRevisionName: { type: 'string', description: 'The last Revision stamped out from the template.' },
    latestReadyRevisionName: { type: 'string', description: 'The last Revision that became ready.' },
  };
  const byKind: Record<string, Record<string, OpenApi>> = {
    Service: { ...latest, url, address, traffic },
    Configuration: latest,
    Route: { url, address, traffic },
    Revision: {
      actualReplicas: { type: 'integer', format: 'int32', description: 'How many replicas are ready.' },
      desiredReplicas: { type: 'integer', format: 'int32', description: 'How many replicas the autoscaler wants.' },
      containerStatuses: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    },
  };
  return {
    type: 'object',
    description: describe('status'),
    properties: { ...common, ...(byKind[kind] ?? {}) },
    'x-kubernetes-preserve-unknown-fields': true,
  };
}

/** The schema of one kind: apiVersion, kind, metadata, spec, status. */
function kindSchema(group: string, version: string, kind: string, spec: Schema | undefined): OpenApi {
  const specSchema = convert(spec, 'spec');
  return {
    type: 'object',
    description: KIND_DESCRIPTIONS[kind] ?? kind,
    properties: {
      apiVersion: { type: 'string', description: describe('apiVersion') },
      kind: { type: 'string', description: describe('kind') },
      metadata: { description: describe('metadata'), allOf: [{ $ref: `#/components/schemas/${OBJECT_META_REF}` }] },
      spec: { ...specSchema, description: SPEC_DESCRIPTIONS[kind] ?? 'The desired state.' },
      status: status(kind),
    },
    'x-kubernetes-group-version-kind': [{ group, version, kind }],
  };
}

const objectMeta: OpenApi = {
  type: 'object',
  description:
    'What every persisted object has: its name and namespace, labels, annotations and the server’s bookkeeping.',
  properties: {
    name: { type: 'string', description: 'The name, unique among objects of its kind in the namespace.' },
    generateName: {
      type: 'string',
      description: 'A prefix the server completes into a unique name when name is empty.',
    },
    namespace: { type: 'string', description: 'The namespace the object lives in.' },
    labels: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Keys and values to select objects by.',
    },
    annotations: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Keys and values for tools and people.',
    },
    uid: { type: 'string', description: 'The unique id the server gave the object.' },
    resourceVersion: {
      type: 'string',
      description: 'The version of the object, for optimistic concurrency and watches.',
    },
    generation: { type: 'integer', format: 'int64', description: 'A counter of changes to the desired state.' },
    creationTimestamp: { type: 'string', format: 'date-time', description: 'When the object was created.' },
    deletionTimestamp: { type: 'string', format: 'date-time', description: 'When the object is to be deleted.' },
    ownerReferences: {
      type: 'array',
      description: 'The objects this one belongs to; it is deleted with its controller.',
      items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    finalizers: { type: 'array', items: { type: 'string' }, description: 'What must happen before the object goes.' },
    managedFields: {
      type: 'array',
      description: 'Which field manager owns which fields (server-side apply).',
      items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
};

/** A traffic target in knsim's schema. */
function trafficTarget(): Schema | undefined {
  const spec = SERVING_SCHEMAS.Route?.fields.spec as { fields?: Record<string, Schema> } | undefined;
  const traffic = spec?.fields?.traffic as { items?: Schema } | undefined;
  return traffic?.items;
}

/** The revision template's spec in knsim's schema (what a Revision's spec is). */
function revisionSpec(): Schema | undefined {
  const config = SERVING_SCHEMAS.Configuration;
  const spec = config?.fields.spec as { fields?: Record<string, Schema> } | undefined;
  const template = spec?.fields?.template as { fields?: Record<string, Schema> } | undefined;
  return template?.fields?.spec;
}

/**
 * The component schemas of a group version's custom resources, keyed as the API server keys
 * them (`dev.knative.serving.v1.Service`); undefined for built-in groups.
 */
export function crdSchemas(
  group: string,
  version: string,
  kinds: readonly string[],
): Record<string, OpenApi> | undefined {
  if (!group.endsWith('knative.dev')) return undefined;
  const prefix = `${group.split('.').reverse().join('.')}.${version}`;
  const out: Record<string, OpenApi> = { [OBJECT_META_REF]: objectMeta };
  for (const kind of kinds) {
    const spec =
      group === 'serving.knative.dev'
        ? kind === 'Revision'
          ? revisionSpec()
          : SERVING_SCHEMAS[kind]?.fields.spec
        : undefined;
    out[`${prefix}.${kind}`] = kindSchema(group, version, kind, spec);
  }
  return out;
}
