/**
 * The known fields of serving.knative.dev/v1 Service, Configuration and Route, as the API
 * server's strict field validation sees them (kubectl 1.27+ sends `fieldValidation=Strict`):
 * a field the CRD's structural schema does not describe is an `unknown field "<path>"`.
 *
 * The tree is compact and generous: where Knative's CRD preserves unknown fields (the revision
 * template's metadata), where a value is a free map (labels, annotations, resource quantities,
 * nodeSelector) and where a Kubernetes type is large and rarely typed by hand (volume sources,
 * security contexts, affinity terms), anything is accepted. Better to accept a real field than to
 * reject it. `status` is not checked: the server ignores it on create.
 */

/** A node of the schema: `'any'` accepts any value below it. */
export type Schema = 'any' | 'scalar' | ObjectSchema | ArraySchema;
export interface ObjectSchema {
  readonly fields: Readonly<Record<string, Schema>>;
}
export interface ArraySchema {
  readonly items: Schema;
}

const ANY = 'any' as const;
const S = 'scalar' as const;
const obj = (fields: Record<string, Schema>): ObjectSchema => ({ fields });
const list = (items: Schema): ArraySchema => ({ items });
const scalars = (...names: string[]): Record<string, Schema> => Object.fromEntries(names.map((n) => [n, S]));

const objectMeta = obj({
  ...scalars(
    'name',
    'generateName',
    'namespace',
    'selfLink',
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
  ),
  labels: ANY,
  annotations: ANY,
  ownerReferences: list(obj(scalars('apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion'))),
  finalizers: list(S),
  managedFields: ANY,
});

const keySelector = obj(scalars('name', 'key', 'optional'));
const envVar = obj({
  ...scalars('name', 'value'),
  valueFrom: obj({
    configMapKeyRef: keySelector,
    secretKeyRef: keySelector,
    fieldRef: obj(scalars('apiVersion', 'fieldPath')),
    resourceFieldRef: obj(scalars('containerName', 'resource', 'divisor')),
    fileKeyRef: ANY,
  }),
});
const envFrom = obj({
  prefix: S,
  configMapRef: obj(scalars('name', 'optional')),
  secretRef: obj(scalars('name', 'optional')),
});
const port = obj(scalars('name', 'containerPort', 'protocol', 'hostIP', 'hostPort'));
const httpHeader = obj(scalars('name', 'value'));
const handler = {
  exec: obj({ command: list(S) }),
  httpGet: obj({ ...scalars('path', 'port', 'host', 'scheme'), httpHeaders: list(httpHeader) }),
  tcpSocket: obj(scalars('port', 'host')),
  grpc: obj(scalars('port', 'service')),
};
const probe = obj({
  ...handler,
  ...scalars(
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
    'terminationGracePeriodSeconds',
  ),
});
const lifecycleHandler = obj({ ...handler, sleep: obj(scalars('seconds')) });
const container = obj({
  ...scalars(
    'name',
    'image',
    'workingDir',
    'terminationMessagePath',
    'terminationMessagePolicy',
    'imagePullPolicy',
    'stdin',
    'stdinOnce',
    'tty',
    'restartPolicy',
  ),
  command: list(S),
  args: list(S),
  ports: list(port),
  env: list(envVar),
  envFrom: list(envFrom),
  resources: obj({ limits: ANY, requests: ANY, claims: list(obj(scalars('name', 'request'))) }),
  resizePolicy: list(obj(scalars('resourceName', 'restartPolicy'))),
  volumeMounts: list(
    obj(scalars('name', 'mountPath', 'subPath', 'subPathExpr', 'readOnly', 'mountPropagation', 'recursiveReadOnly')),
  ),
  volumeDevices: list(obj(scalars('name', 'devicePath'))),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle: obj({ postStart: lifecycleHandler, preStop: lifecycleHandler, stopSignal: S }),
  securityContext: ANY,
});
const volume = obj({
  name: S,
  // Volume sources: which ones Knative allows depends on its feature flags; their insides are
  // Kubernetes' own types, not checked here.
  ...Object.fromEntries(
    [
      'configMap',
      'secret',
      'emptyDir',
      'persistentVolumeClaim',
      'projected',
      'csi',
      'hostPath',
      'downwardAPI',
      'ephemeral',
      'image',
      'nfs',
    ].map((n) => [n, ANY]),
  ),
});
const revisionSpec = obj({
  ...scalars(
    'serviceAccountName',
    'containerConcurrency',
    'timeoutSeconds',
    'responseStartTimeoutSeconds',
    'idleTimeoutSeconds',
    'enableServiceLinks',
    'automountServiceAccountToken',
    'runtimeClassName',
    'priorityClassName',
    'schedulerName',
    'dnsPolicy',
    'hostNetwork',
    'hostPID',
    'hostIPC',
    'shareProcessNamespace',
    'terminationGracePeriodSeconds',
    'priority',
    'preemptionPolicy',
    'hostname',
    'subdomain',
    'setHostnameAsFQDN',
    'hostUsers',
    'nodeName',
    'activeDeadlineSeconds',
    'restartPolicy',
  ),
  containers: list(container),
  initContainers: list(container),
  volumes: list(volume),
  imagePullSecrets: list(obj(scalars('name'))),
  affinity: ANY,
  nodeSelector: ANY,
  tolerations: list(obj(scalars('key', 'operator', 'value', 'effect', 'tolerationSeconds'))),
  topologySpreadConstraints: list(ANY),
  securityContext: ANY,
  hostAliases: list(obj({ ip: S, hostnames: list(S) })),
  dnsConfig: ANY,
  readinessGates: list(obj(scalars('conditionType'))),
  overhead: ANY,
  os: ANY,
  schedulingGates: ANY,
  resourceClaims: ANY,
});
/** The revision template: Knative's CRD preserves unknown fields of its metadata. */
const template = obj({ metadata: ANY, spec: revisionSpec });
const trafficTarget = obj(scalars('tag', 'revisionName', 'configurationName', 'latestRevision', 'percent', 'url'));
const routeSpec = { traffic: list(trafficTarget) };

const root = (spec: ObjectSchema): ObjectSchema =>
  obj({ apiVersion: S, kind: S, metadata: objectMeta, spec, status: ANY });

/** The schema of each serving.knative.dev/v1 kind that clients write. */
export const SERVING_SCHEMAS: Readonly<Record<string, ObjectSchema>> = {
  Service: root(obj({ template, ...routeSpec })),
  Configuration: root(obj({ template })),
  Route: root(obj(routeSpec)),
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Records the unknown fields below `value` in `out`; with `drop`, also deletes them from `value`. */
function walk(value: unknown, schema: Schema, path: string, out: string[], drop: boolean): void {
  if (schema === ANY || schema === S || value === null || value === undefined) return;
  if ('items' in schema) {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, schema.items, `${path}[${i}]`, out, drop);
    }
    return;
  }
  if (!isPlainObject(value)) return; // a wrong type is another error, not an unknown field
  for (const [key, v] of Object.entries(value)) {
    const child = schema.fields[key];
    const childPath = path === '' ? key : `${path}.${key}`;
    if (child !== undefined) walk(v, child, childPath, out, drop);
    else {
      out.push(childPath);
      if (drop) delete value[key];
    }
  }
}

function schemaOf(obj: unknown): ObjectSchema | undefined {
  if (!isPlainObject(obj) || obj.apiVersion !== 'serving.knative.dev/v1') return undefined;
  return typeof obj.kind === 'string' ? SERVING_SCHEMAS[obj.kind] : undefined;
}

/**
 * The paths of the fields of a serving.knative.dev/v1 Service, Configuration or Route that its
 * schema does not know, in document order (`spec.template.spec.containers[0].imgae`). Other
 * kinds have none.
 */
export function unknownFields(obj: unknown): string[] {
  const schema = schemaOf(obj);
  const out: string[] = [];
  if (schema) walk(obj, schema, '', out, false);
  return out;
}

/** A copy of the object without its unknown fields (what `Warn` and `Ignore` store). */
export function dropUnknownFields<T>(obj: T): T {
  const schema = schemaOf(obj);
  if (!schema || unknownFields(obj).length === 0) return obj;
  const copy = structuredClone(obj);
  walk(copy, schema, '', [], true);
  return copy;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The order the API server lists unknown fields in: like apiextensions-apiserver, those of the
 * object sorted (byte order), then those of its metadata.
 */
export function strictDecodingOrder(paths: readonly string[]): string[] {
  const meta = paths.filter((p) => p.startsWith('metadata.'));
  const rest = paths.filter((p) => !p.startsWith('metadata.')).sort(compare);
  return [...rest, ...meta];
}

/** The API server's text: `strict decoding error: unknown field "a", unknown field "b"`. */
export function strictDecodingError(paths: readonly string[]): string {
  return `strict decoding error: ${strictDecodingOrder(paths)
    .map((p) => `unknown field "${p}"`)
    .join(', ')}`;
}

/** `<Kind> in version "v1" cannot be handled as a <Kind>: strict decoding error: …` (400 BadRequest). */
export function undecodableMessage(kind: string, version: string, paths: readonly string[]): string {
  return `${kind} in version "${version}" cannot be handled as a ${kind}: ${strictDecodingError(paths)}`;
}
