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

/**
 * A node of the schema: `'any'` accepts any value below it (the CRD preserves unknown fields or
 * knsim does not describe the type); a scalar names its OpenAPI type (`int-or-string` is
 * Kubernetes' IntOrString, as a probe's port or a resource quantity); a map takes any keys with
 * values of one schema (labels, annotations, nodeSelector: the CRD's `additionalProperties`).
 */
export type Schema = 'any' | Scalar | ObjectSchema | ArraySchema | MapSchema;
export type Scalar = 'string' | 'integer' | 'boolean' | 'int-or-string';
export interface ObjectSchema {
  readonly fields: Readonly<Record<string, Schema>>;
  /** Fields the CRD's schema lists as `required` (Kubernetes' fields without `omitempty`). */
  readonly required?: readonly string[];
  /** The CRD keeps fields it does not describe (`x-kubernetes-preserve-unknown-fields`). */
  readonly preserveUnknown?: boolean;
}
export interface ArraySchema {
  readonly items: Schema;
}
export interface MapSchema {
  readonly values: Schema;
}

const ANY = 'any' as const;
const S = 'string' as const;
const I = 'integer' as const;
const B = 'boolean' as const;
const IS = 'int-or-string' as const;
const obj = (fields: Record<string, Schema>, required?: readonly string[]): ObjectSchema =>
  required ? { fields, required } : { fields };
const list = (items: Schema): ArraySchema => ({ items });
const map = (values: Schema): MapSchema => ({ values });
const typed = (type: Scalar, ...names: string[]): Record<string, Schema> =>
  Object.fromEntries(names.map((n) => [n, type]));
const scalars = (...names: string[]): Record<string, Schema> => typed(S, ...names);
const integers = (...names: string[]): Record<string, Schema> => typed(I, ...names);
const booleans = (...names: string[]): Record<string, Schema> => typed(B, ...names);

const objectMeta = obj({
  ...scalars('name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion'),
  ...integers('generation', 'deletionGracePeriodSeconds'),
  // RFC 3339 text (kubectl's generated YAML writes `creationTimestamp: null`, which is dropped).
  ...scalars('creationTimestamp', 'deletionTimestamp'),
  labels: map(S),
  annotations: map(S),
  ownerReferences: list(
    obj({ ...scalars('apiVersion', 'kind', 'name', 'uid'), ...booleans('controller', 'blockOwnerDeletion') }, [
      'apiVersion',
      'kind',
      'name',
      'uid',
    ]),
  ),
  finalizers: list(S),
  managedFields: ANY,
});

const optional = booleans('optional');
const keySelector = obj({ ...scalars('name', 'key'), ...optional }, ['key']);
const envVar = obj(
  {
    ...scalars('name', 'value'),
    valueFrom: obj({
      configMapKeyRef: keySelector,
      secretKeyRef: keySelector,
      fieldRef: obj(scalars('apiVersion', 'fieldPath'), ['fieldPath']),
      resourceFieldRef: obj({ ...scalars('containerName', 'resource'), divisor: IS }, ['resource']),
      fileKeyRef: ANY,
    }),
  },
  ['name'],
);
const envFrom = obj({
  prefix: S,
  configMapRef: obj({ ...scalars('name'), ...optional }),
  secretRef: obj({ ...scalars('name'), ...optional }),
});
const port = obj({ ...scalars('name', 'protocol', 'hostIP'), ...integers('containerPort', 'hostPort') }, [
  'containerPort',
]);
/** A Probe's timing fields (core/v1 Probe, in its order), every one an integer. */
export const PROBE_TIMING_FIELDS = [
  'initialDelaySeconds',
  'timeoutSeconds',
  'periodSeconds',
  'successThreshold',
  'failureThreshold',
  'terminationGracePeriodSeconds',
] as const;
const httpHeader = obj(scalars('name', 'value'), ['name', 'value']);
const handler = {
  exec: obj({ command: list(S) }),
  httpGet: obj({ ...scalars('path', 'host', 'scheme'), port: IS, httpHeaders: list(httpHeader) }),
  tcpSocket: obj({ port: IS, host: S }),
  grpc: obj({ port: I, service: S }, ['port']),
};
const probe = obj({
  ...handler,
  ...integers(...PROBE_TIMING_FIELDS),
});
const lifecycleHandler = obj({ ...handler, sleep: obj(integers('seconds'), ['seconds']) });
/** Resource quantities: `cpu: 500m`, `memory: 1Gi`, `nvidia.com/gpu: 1` (a float is refused, as on a cluster). */
const quantities = map(IS);
const container = obj({
  ...scalars(
    'name',
    'image',
    'workingDir',
    'terminationMessagePath',
    'terminationMessagePolicy',
    'imagePullPolicy',
    'restartPolicy',
  ),
  ...booleans('stdin', 'stdinOnce', 'tty'),
  command: list(S),
  args: list(S),
  ports: list(port),
  env: list(envVar),
  envFrom: list(envFrom),
  resources: obj({ limits: quantities, requests: quantities, claims: list(obj(scalars('name', 'request'), ['name'])) }),
  resizePolicy: list(obj(scalars('resourceName', 'restartPolicy'), ['resourceName', 'restartPolicy'])),
  volumeMounts: list(
    obj(
      {
        ...scalars('name', 'mountPath', 'subPath', 'subPathExpr', 'mountPropagation', 'recursiveReadOnly'),
        ...booleans('readOnly'),
      },
      ['name', 'mountPath'],
    ),
  ),
  volumeDevices: list(obj(scalars('name', 'devicePath'), ['name', 'devicePath'])),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle: obj({ postStart: lifecycleHandler, preStop: lifecycleHandler, stopSignal: S }),
  securityContext: ANY,
});
const volume = obj(
  {
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
  },
  ['name'],
);
const revisionSpec = obj(
  {
    ...scalars(
      'serviceAccountName',
      'runtimeClassName',
      'priorityClassName',
      'schedulerName',
      'dnsPolicy',
      'preemptionPolicy',
      'hostname',
      'subdomain',
      'nodeName',
      'restartPolicy',
    ),
    ...integers(
      'containerConcurrency',
      'timeoutSeconds',
      'responseStartTimeoutSeconds',
      'idleTimeoutSeconds',
      'terminationGracePeriodSeconds',
      'priority',
      'activeDeadlineSeconds',
    ),
    ...booleans(
      'enableServiceLinks',
      'automountServiceAccountToken',
      'hostNetwork',
      'hostPID',
      'hostIPC',
      'shareProcessNamespace',
      'setHostnameAsFQDN',
      'hostUsers',
    ),
    containers: list(container),
    initContainers: list(container),
    volumes: list(volume),
    imagePullSecrets: list(obj(scalars('name'))),
    affinity: ANY,
    nodeSelector: map(S),
    tolerations: list(obj({ ...scalars('key', 'operator', 'value', 'effect'), ...integers('tolerationSeconds') })),
    topologySpreadConstraints: list(ANY),
    securityContext: ANY,
    hostAliases: list(obj({ ip: S, hostnames: list(S) })),
    dnsConfig: ANY,
    readinessGates: list(obj(scalars('conditionType'), ['conditionType'])),
    overhead: ANY,
    os: ANY,
    schedulingGates: ANY,
    resourceClaims: ANY,
  },
  ['containers'],
);
/** The revision template: Knative's CRD types a few fields of its metadata and keeps the others. */
const templateMetadata: ObjectSchema = {
  fields: { ...scalars('name', 'namespace', 'generateName'), labels: map(S), annotations: map(S), finalizers: list(S) },
  preserveUnknown: true,
};
const template = obj({ metadata: templateMetadata, spec: revisionSpec });
const trafficTarget = obj({
  ...scalars('tag', 'revisionName', 'configurationName', 'url'),
  latestRevision: B,
  percent: I,
});
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
  if (typeof schema === 'string' || value === null || value === undefined) return;
  if ('items' in schema) {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, schema.items, `${path}[${i}]`, out, drop);
    }
    return;
  }
  if (!isPlainObject(value)) return; // a wrong type is another error, not an unknown field
  if ('values' in schema) {
    for (const [key, v] of Object.entries(value)) walk(v, schema.values, `${path}.${key}`, out, drop);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const child = schema.fields[key];
    const childPath = path === '' ? key : `${path}.${key}`;
    if (child !== undefined) walk(v, child, childPath, out, drop);
    else if (!schema.preserveUnknown) {
      out.push(childPath);
      if (drop) delete value[key];
    }
  }
}

// ---- types and required fields (the CRD's structural schema, as the API server validates it) ----

/**
 * One violation of the schema, as the API server words it (apiextensions-apiserver turns
 * kube-openapi's results into field errors): `field` is the path (`<nil>` for an anyOf summary),
 * `detail` what follows it (`Invalid value: "object": spec.x in body must be of type array:
 * "object"`, `Required value`).
 */
export interface SchemaError {
  readonly field: string;
  readonly detail: string;
  readonly reason: 'FieldValueInvalid' | 'FieldValueRequired';
  /** Where in the object (keys and list indices), for a scenario to point at the line. */
  readonly at: readonly (string | number)[];
}

type Segments = readonly (string | number)[];

/** `['spec', 'containers', 0, 'env']` → `spec.containers[0].env`, as field paths are written. */
export function fieldPath(at: Segments): string {
  let out = '';
  for (const seg of at) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

/** The JSON type of a value, in OpenAPI's words (a whole number is an `integer`). */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value;
  return 'object';
}

function typeError(at: Segments, expected: string, actual: string): SchemaError {
  const path = fieldPath(at);
  return {
    field: path,
    detail: `Invalid value: "${actual}": ${path} in body must be of type ${expected}: "${actual}"`,
    reason: 'FieldValueInvalid',
    at,
  };
}

function isScalarOf(type: Scalar, value: unknown): boolean {
  const t = jsonType(value);
  if (type === 'int-or-string') return t === 'integer' || t === 'string';
  return t === type;
}

/**
 * Checks `value` against `schema`, recording violations in the order of the keys (sorted). A null where an
 * object's field belongs counts as absent: the API server prunes nulls of fields that are not
 * nullable before it validates (Kubernetes' generated YAML has `creationTimestamp: null`).
 */
function check(value: unknown, schema: Schema, at: Segments, out: SchemaError[]): void {
  if (schema === ANY || value === undefined) return;
  if (typeof schema === 'string') {
    if (isScalarOf(schema, value)) return;
    const actual = jsonType(value);
    if (schema === 'int-or-string') {
      // IntOrString is `anyOf: [integer, string]` with `x-kubernetes-int-or-string`: kube-openapi
      // reports the type of the whole, the anyOf, then its first branch.
      out.push(typeError(at, 'integer,string', actual), {
        field: '<nil>',
        detail: `Invalid value: "": "${fieldPath(at)}" must validate at least one schema (anyOf)`,
        reason: 'FieldValueInvalid',
        at,
      });
      out.push(typeError(at, 'integer', actual));
    } else out.push(typeError(at, schema, actual));
    return;
  }
  if ('items' in schema) {
    if (!Array.isArray(value)) {
      out.push(typeError(at, 'array', jsonType(value)));
      return;
    }
    for (const [i, v] of value.entries()) {
      // An item is not a field: a null item is a wrong type, not an absent one.
      if (v === null && schema.items !== ANY) out.push(typeError([...at, i], itemType(schema.items), 'null'));
      else check(v, schema.items, [...at, i], out);
    }
    return;
  }
  if (!isPlainObject(value)) {
    out.push(typeError(at, 'object', jsonType(value)));
    return;
  }
  if ('values' in schema) {
    for (const key of Object.keys(value).sort()) {
      if (value[key] !== null) check(value[key], schema.values, [...at, key], out);
    }
    return;
  }
  for (const name of schema.required ?? []) {
    if (value[name] === undefined || value[name] === null) {
      out.push({
        field: fieldPath([...at, name]),
        detail: 'Required value',
        reason: 'FieldValueRequired',
        at: [...at, name],
      });
    }
  }
  // kubectl sends JSON with its keys sorted (Go marshals maps so): the errors come in that order.
  for (const key of Object.keys(value).sort()) {
    const s = schema.fields[key];
    const v = value[key];
    if (s !== undefined && v !== null) check(v, s, [...at, key], out);
  }
}

function itemType(schema: Schema): string {
  if (typeof schema === 'string') return schema === 'int-or-string' ? 'integer,string' : schema;
  return 'items' in schema ? 'array' : 'object';
}

/**
 * What the API server finds wrong with a serving.knative.dev/v1 Service, Configuration or Route
 * against its CRD's structural schema: values of the wrong type (`containers` as a mapping, `env`
 * not a list, a string `containerConcurrency`) and required fields left out (a container port
 * without `containerPort`, an env var without `name`). Unknown fields are {@link unknownFields}'
 * job; other kinds have no errors here.
 */
export function schemaErrors(obj: unknown): SchemaError[] {
  const schema = schemaOf(obj);
  const out: SchemaError[] = [];
  if (schema) check(obj, schema, [], out);
  return out;
}

/** Deletes the null values of known object fields below `value` (the API server's pruning). */
function pruneNulls(value: unknown, schema: Schema): void {
  if (typeof schema === 'string' || !value || typeof value !== 'object') return;
  if ('items' in schema) {
    if (Array.isArray(value)) for (const v of value) pruneNulls(v, schema.items);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, v] of Object.entries(value)) {
    const s = 'values' in schema ? schema.values : schema.fields[key];
    if (s === undefined) continue;
    if (v === null) delete value[key];
    else pruneNulls(v, s);
  }
}

/** A copy of the object without the null values of its known fields (the input when it has none). */
export function dropNulls<T>(obj: T): T {
  const schema = schemaOf(obj);
  if (!schema || !hasNull(obj)) return obj;
  const copy = structuredClone(obj);
  pruneNulls(copy, schema);
  return copy;
}

function hasNull(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null) return true;
    if (typeof v === 'object' && v !== null) for (const c of Object.values(v)) stack.push(c);
  }
  return false;
}

/**
 * The API server's 422 text for schema errors: `Service.serving.knative.dev "x" is invalid:
 * <field>: <detail>`, several in brackets separated by ", " (apimachinery's aggregate).
 */
export function schemaInvalidMessage(kind: string, name: string, errors: readonly SchemaError[]): string {
  const each = errors.map((e) => `${e.field}: ${e.detail}`);
  return `${kind}.serving.knative.dev "${name}" is invalid: ${each.length === 1 ? each[0] : `[${each.join(', ')}]`}`;
}

/**
 * What kubectl prints for that 422 (it rebuilds the text from the Status' causes): `The Service
 * "x" is invalid: <field>: <detail>`, or a header line and one `* <field>: <detail>` line each.
 */
export function kubectlInvalidMessage(kind: string, name: string, errors: readonly SchemaError[]): string {
  const head = `The ${kind} "${name}" is invalid: `;
  const each = errors.map((e) => `${e.field}: ${e.detail}`);
  return each.length === 1 ? `${head}${each[0]}` : `${head}\n${each.map((e) => `* ${e}`).join('\n')}`;
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
