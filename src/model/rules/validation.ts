/**
 * Knative's validating webhook for Services, Configurations and Routes (the common rules), with
 * Knative's messages and field paths. Validate the object *after* defaulting (defaults.ts), as the
 * webhook does; `admit` (admission.ts) does both, as the API server calls them.
 *
 * Covered: metadata.name (DNS-1035, ≤ 63) and generateName; autoscaling annotations misplaced on
 * the Service/Configuration; the visibility label; a Route's or Configuration's
 * `serving.knative.dev/service` label (the Service named must own it); the revision template's BYO name (DNS-1035 and
 * the `<parent>-` prefix); containers (none, ports across containers, duplicate and reserved names,
 * image required and parseable, reserved ports, port name/protocol/range, env names);
 * timeoutSeconds (0..max-revision-timeout-seconds); responseStartTimeoutSeconds and
 * idleTimeoutSeconds (0..the revision's timeoutSeconds: a longer one could never fire, since the
 * timeout ends the wait for the first byte; knsim's check, in the webhook's words); containerConcurrency (0..1000); traffic (each
 * percent 0..100, sum 100, latestRevision vs revisionName, revisionName vs configurationName, tags
 * DNS-1035 and unique, no url in spec).
 * Also: readiness and liveness probes (one handler; a readiness probe's counts, and no
 * failureThreshold/timeoutSeconds with periodSeconds 0), hostPort/hostIP, the env names reserved
 * in sidecars too (K_SERVICE, K_CONFIGURATION, K_REVISION), env valueFrom.fieldRef (its feature
 * flag is off by default), envFrom (one of configMapRef/secretRef each), terminationMessagePolicy.
 * And the container and pod fields Knative's field masks always refuse (lifecycle, stdin, tty,
 * volumeDevices; terminationGracePeriodSeconds, nodeName, …; automountServiceAccountToken true).
 * The fields config-features gates (features.ts): the PodSpec fields of the masks, env
 * fieldRef/resourceFieldRef, more than one container, init containers, emptyDir and
 * persistentVolumeClaim volumes, sidecar probes (multi-container-probing); and probe ports (a
 * serving container's named port must be its own, a sidecar's probe must name one).
 * Not covered here: autoscaling annotation values (admission.ts); the contents of volumes,
 * security contexts and resources; the dry-run feature; immutable revisions. startupProbe is let
 * through unchecked, as Knative does.
 * On update, a BYO revision name must change with its template (verifyTemplateNameChange).
 */
import type {
  Configuration,
  Container,
  ObjectMeta,
  RevisionSpec,
  RevisionTemplateSpec,
  Route,
  Service,
  TrafficTarget,
} from '../api/types.js';
import { DEFAULT_DEFAULTS_CONFIG, type DefaultsConfig } from './defaults.js';
import {
  DEFAULT_FEATURES_CONFIG,
  type FeaturesConfig,
  GATED_POD_FIELDS,
  GATED_VOLUME_SOURCES,
  isEnabled,
  maskAllows,
} from './features.js';
import {
  disallowedField,
  type FieldError,
  invalidKeyName,
  invalidValue,
  missingField,
  missingOneOf,
  multipleOneOf,
  outOfBounds,
  pathlessError,
  via,
} from './fielderror.js';
import { LABEL_SERVICE, LABEL_VISIBILITY, VISIBILITY_CLUSTER_LOCAL } from './labels.js';
import { isValidByoRevisionName, MAX_NAME_LENGTH, revisionNamePrefix } from './naming.js';
import { PROBE_TIMING_FIELDS } from './schema.js';
import { revisionTemplateShortDiff } from './shortdiff.js';

// ---- Kubernetes name rules (apimachinery validation) ----

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_MESSAGE =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, " +
  "and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is " +
  "'[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const QUALIFIED_NAME_MESSAGE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " +
  "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is " +
  "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/** Problems with a DNS-1035 label, as apimachinery words them (empty when valid). */
function dns1035LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > MAX_NAME_LENGTH) errs.push(`must be no more than ${MAX_NAME_LENGTH} characters`);
  if (!DNS1035_LABEL.test(value)) errs.push(DNS1035_MESSAGE);
  return errs;
}

/** A generateName prefix is checked without its trailing dash. */
function dns1035PrefixErrors(value: string): string[] {
  return dns1035LabelErrors(value.endsWith('-') ? value.slice(0, -1) : value);
}

/** Problems with a qualified name (`revisionName`, `configurationName`), name part only. */
function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const name = value.includes('/') ? value.slice(value.lastIndexOf('/') + 1) : value;
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > MAX_NAME_LENGTH) errs.push(`name part must be no more than ${MAX_NAME_LENGTH} characters`);
  if (name.length > 0 && !QUALIFIED_NAME.test(name)) errs.push(QUALIFIED_NAME_MESSAGE);
  return errs;
}

/** Go's %v of a []string: `[a b]`. */
function goList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

// ---- metadata ----

/** knative.dev/pkg ValidateObjectMetadata: paths relative to `metadata`. */
function validateObjectMeta(meta: Partial<ObjectMeta>): FieldError[] {
  const generateName = typeof meta.generateName === 'string' ? meta.generateName : '';
  if (generateName) {
    const msgs = dns1035PrefixErrors(generateName);
    if (msgs.length > 0) return [{ path: 'generateName', message: `not a DNS 1035 label prefix: ${goList(msgs)}` }];
  }
  const name = meta.name ?? '';
  if (name) {
    const msgs = dns1035LabelErrors(name);
    if (msgs.length > 0) return [{ path: 'name', message: `not a DNS 1035 label: ${goList(msgs)}` }];
  }
  if (!name && !generateName) return [{ path: 'name', message: 'name or generateName is required' }];
  return [];
}

const AUTOSCALING_GROUP = 'autoscaling.knative.dev';

function validateNoAutoscalingAnnotations(annotations: Readonly<Record<string, string>> | undefined): FieldError[] {
  return Object.keys(annotations ?? {})
    .filter((key) => key.startsWith(AUTOSCALING_GROUP))
    .map((key) =>
      invalidKeyName(key, '', 'autoscaling annotations must be put under "spec.template.metadata.annotations" to work'),
    );
}

function validateVisibilityLabel(labels: Readonly<Record<string, string>> | undefined): FieldError[] {
  const value = labels?.[LABEL_VISIBILITY];
  return value !== undefined && value !== VISIBILITY_CLUSTER_LOCAL ? [invalidValue(value, LABEL_VISIBILITY)] : [];
}

/**
 * A Route or Configuration labelled `serving.knative.dev/service: X` must be owned by the Service
 * X (an ownerReference of kind Service named X): only a Service's reconciler may claim one for
 * it. Paths relative to `metadata.labels`.
 */
function validateServiceLabelOwner(meta: Partial<ObjectMeta>): FieldError[] {
  const service = meta.labels?.[LABEL_SERVICE];
  if (service === undefined) return [];
  const owned = (meta.ownerReferences ?? []).some((ref) => ref.kind === 'Service' && ref.name === service);
  return owned ? [] : [missingField(LABEL_SERVICE)];
}

// ---- containers ----

/** Ports the queue-proxy and Knative's profiling use. */
const RESERVED_PORTS: readonly number[] = [8008, 8012, 8013, 8022, 9090, 9091];
const RESERVED_CONTAINER_NAMES: readonly string[] = ['queue-proxy'];
/** Set by Knative in every container; PORT only in the serving one, so a sidecar may set its own. */
const RESERVED_ENV_VARS: readonly string[] = ['K_SERVICE', 'K_CONFIGURATION', 'K_REVISION'];
const RESERVED_SERVING_ENV_VARS: readonly string[] = ['PORT', ...RESERVED_ENV_VARS];
const VALID_PORT_NAMES: readonly string[] = ['', 'h2c', 'http1'];

const REPOSITORY_CHARS = /^[a-z0-9_\-./]+$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Why an image reference would not parse (go-containerregistry, weak validation), or undefined.
 * `[registry[:port]/]repository[:tag][@sha256:digest]`, repository in lower case.
 */
export function imageReferenceError(image: string): string | undefined {
  const bad = `could not parse reference: ${image}`;
  let rest = image;
  const at = rest.indexOf('@');
  if (at >= 0) {
    if (!DIGEST.test(rest.slice(at + 1))) return bad;
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    if (!TAG.test(rest.slice(colon + 1))) return bad;
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const repository = hasRegistry ? parts.slice(1).join('/') : parts.length === 1 ? `library/${rest}` : rest;
  if (hasRegistry && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(first)) return bad;
  if (repository.length < 2 || repository.length > 255 || !REPOSITORY_CHARS.test(repository)) return bad;
  return undefined;
}

const MAX_INT32 = 2147483647;
const TERMINATION_MESSAGE_POLICIES: readonly string[] = ['File', 'FallbackToLogsOnError'];
const PROBE_HANDLERS: readonly string[] = ['httpGet', 'tcpSocket', 'exec', 'grpc'];

/**
 * A probe's port (paths relative to the handler). The serving container's probes may name a port
 * by number freely (the queue-proxy probes it, on any port), but a port *name* must be the
 * serving port's own; a sidecar's probes (multi-container-probing) must say which port, as
 * nothing defaults it.
 */
function probePortErrors(port: unknown, servingPort: string | undefined): FieldError[] {
  const str = typeof port === 'string' ? port : '';
  const num = typeof port === 'number' ? port : 0;
  if (servingPort === undefined) {
    return str === '' && num === 0 ? [invalidValue(str || num, 'port', 'Probe port must be specified')] : [];
  }
  return str !== '' && str !== servingPort ? [invalidValue(str, 'port', 'Probe port must match container port')] : [];
}

/**
 * A probe as the webhook sees it after defaulting (paths relative to the probe): exactly one
 * handler; for a readiness probe, periodSeconds 0 means Knative's own aggressive probing, which
 * takes no failureThreshold or timeoutSeconds, and the counts are bounded.
 * `servingPort` is the name of the serving container's port (`http` when it names none) for the
 * serving container's probes, undefined for a sidecar's: see {@link probePortErrors}.
 */
function validateProbe(value: unknown, readiness: boolean, servingPort: string | undefined): FieldError[] {
  if (!value || typeof value !== 'object') return [];
  const probe = value as Record<string, unknown>;
  const errs: FieldError[] = [];
  const handlers = PROBE_HANDLERS.filter((h) => probe[h] !== undefined && probe[h] !== null);
  if (handlers.length === 0) errs.push(...missingOneOf(...PROBE_HANDLERS));
  else if (handlers.length > 1) errs.push(...multipleOneOf(...handlers));
  for (const handler of ['httpGet', 'tcpSocket'] as const) {
    if (probe[handler] && typeof probe[handler] === 'object') {
      const port = (probe[handler] as { port?: unknown }).port;
      errs.push(...via(handler, probePortErrors(port, servingPort)));
    }
  }
  if (!readiness) return errs;
  const num = (field: string) => (typeof probe[field] === 'number' ? (probe[field] as number) : 0);
  const atLeast = (field: string, lower: number) => {
    if (num(field) < lower) errs.push(outOfBounds(num(field), lower, MAX_INT32, field));
  };
  atLeast('periodSeconds', 0);
  atLeast('initialDelaySeconds', 0);
  atLeast('successThreshold', 1);
  if (num('periodSeconds') === 0) {
    for (const field of ['failureThreshold', 'timeoutSeconds']) {
      if (num(field) !== 0) errs.push({ path: field, message: `${field} is disallowed when periodSeconds is zero` });
    }
  } else {
    atLeast('timeoutSeconds', 1);
    atLeast('failureThreshold', 1);
  }
  return errs;
}

/**
 * Container and pod fields Knative's field masks never let through (fieldmask.go ContainerMask,
 * PodSpecMask); the ones a config-features flag can allow are in features.ts.
 */
const DISALLOWED_CONTAINER_FIELDS: readonly string[] = ['lifecycle', 'stdin', 'stdinOnce', 'tty', 'volumeDevices'];
const DISALLOWED_POD_FIELDS: readonly string[] = [
  'restartPolicy',
  'terminationGracePeriodSeconds',
  'activeDeadlineSeconds',
  'nodeName',
  'hostname',
  'subdomain',
  'priority',
  'readinessGates',
];

/** A field set to something other than its zero value (Go's CheckDisallowedFields). */
function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
}

function disallowedFields(obj: Readonly<Record<string, unknown>>, fields: readonly string[]): FieldError[] {
  return fields.filter((f) => isSet(obj[f])).map((f) => disallowedField(f));
}

/** Any container port (paths relative to it): not a reserved one, in range, no host binding. */
function basicPortErrors(port: NonNullable<Container['ports']>[number]): FieldError[] {
  const errs: FieldError[] = [];
  const p = port.containerPort ?? 0;
  if (RESERVED_PORTS.includes(p)) {
    errs.push(
      invalidValue(`${p} is a reserved port`, 'containerPort', `${p} is a reserved port, please use a different value`),
    );
  }
  if (p < 0 || p > 65535) errs.push(outOfBounds(p, 0, 65535, 'containerPort'));
  // A revision's pods are reached through the queue-proxy only.
  const host = port as { hostPort?: number; hostIP?: string };
  if (host.hostPort) errs.push(disallowedField('hostPort'));
  if (host.hostIP) errs.push(disallowedField('hostIP'));
  return errs;
}

/** Which part a container plays in the pod: its probes and ports are checked accordingly. */
type ContainerRole =
  /** The container with the port (or the only one); `port` its port's name, `http` when unnamed. */
  { readonly kind: 'serving'; readonly port: string } | { readonly kind: 'sidecar' } | { readonly kind: 'init' };

/**
 * A sidecar's liveness and readiness probes: refused field by field unless multi-container-probing
 * is Enabled (Knative masks them against an empty probe: the handler shows as the probe's own
 * path), else checked as the serving container's are, but with a port of their own.
 */
function sidecarProbeErrors(container: Container, features: FeaturesConfig): FieldError[] {
  const probes = [
    ['livenessProbe', container.livenessProbe, false],
    ['readinessProbe', container.readinessProbe, true],
  ] as const;
  if (isEnabled(features, 'multi-container-probing')) {
    return probes.flatMap(([field, probe, readiness]) => via(field, validateProbe(probe, readiness, undefined)));
  }
  return probes.flatMap(([field, value]) => {
    if (!value || typeof value !== 'object') return [];
    const probe = value as Record<string, unknown>;
    const handler = PROBE_HANDLERS.some((h) => probe[h] !== undefined && probe[h] !== null);
    return via(field, [...(handler ? [disallowedField('')] : []), ...disallowedFields(probe, PROBE_TIMING_FIELDS)]);
  });
}

/** Probes and lifecycle hooks make no sense in a container that runs to completion first. */
const NOT_IN_INIT_CONTAINER: readonly string[] = ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle'];

function probeErrors(container: Container, role: ContainerRole, features: FeaturesConfig): FieldError[] {
  switch (role.kind) {
    case 'serving':
      return [
        ...via('readinessProbe', validateProbe(container.readinessProbe, true, role.port)),
        ...via('livenessProbe', validateProbe(container.livenessProbe, false, role.port)),
      ];
    case 'sidecar':
      return sidecarProbeErrors(container, features);
    case 'init':
      return NOT_IN_INIT_CONTAINER.filter((f) => (container as Record<string, unknown>)[f] != null).map((f) => ({
        path: f,
        message: 'field not allowed in an init container',
      }));
  }
}

/**
 * A container; paths relative to it. startupProbe is not checked: Knative lets it through in
 * serving containers and sidecars alike without looking inside (knative/serving#16256).
 */
function validateContainer(container: Container, role: ContainerRole, features: FeaturesConfig): FieldError[] {
  const serving = role.kind === 'serving';
  const errs: FieldError[] = disallowedFields(container, DISALLOWED_CONTAINER_FIELDS);
  if (container.name && RESERVED_CONTAINER_NAMES.includes(container.name)) {
    errs.push({ path: 'name', message: `"${container.name}" is a reserved container name` });
  }
  (container.env ?? []).forEach((env, i) => {
    if (!env.name) errs.push(missingField(`env[${i}].name`));
    else if ((serving ? RESERVED_SERVING_ENV_VARS : RESERVED_ENV_VARS).includes(env.name)) {
      errs.push({ path: `env[${i}].name`, message: `"${env.name}" is a reserved environment variable` });
    }
    // The pod's own fields, kubernetes.podspec-fieldref (off by default).
    const valueFrom = (env as { valueFrom?: { fieldRef?: unknown; resourceFieldRef?: unknown } }).valueFrom;
    if (!maskAllows(features, 'kubernetes.podspec-fieldref')) {
      if (valueFrom?.fieldRef) errs.push(disallowedField(`env[${i}].valueFrom.fieldRef`));
      if (valueFrom?.resourceFieldRef) errs.push(disallowedField(`env[${i}].valueFrom.resourceFieldRef`));
    }
  });
  for (const source of (container.envFrom as { configMapRef?: unknown; secretRef?: unknown }[] | undefined) ?? []) {
    const refs = (['configMapRef', 'secretRef'] as const).filter((r) => source?.[r]);
    if (refs.length !== 1) {
      const paths = ['envFrom.configMapRef', 'envFrom.secretRef'];
      errs.push(...(refs.length === 0 ? missingOneOf(...paths) : multipleOneOf(...paths)));
    }
  }
  const policy = container.terminationMessagePolicy;
  if (typeof policy === 'string' && policy !== '' && !TERMINATION_MESSAGE_POLICIES.includes(policy)) {
    errs.push(invalidValue(policy, 'terminationMessagePolicy'));
  }
  if (!container.image) {
    errs.push(missingField('image'));
  } else {
    const problem = imageReferenceError(container.image);
    if (problem) {
      errs.push({
        path: 'image',
        message: 'Failed to parse image reference',
        details: `image: "${container.image}", error: ${problem}`,
      });
    }
  }
  errs.push(...probeErrors(container, role, features));
  if (role.kind === 'init') {
    (container.ports ?? []).forEach((p) => {
      errs.push(...via('ports', basicPortErrors(p)));
    });
    return errs;
  }
  const port = container.ports?.[0];
  if (port) {
    errs.push(...via('ports', basicPortErrors(port)));
    if (port.protocol && port.protocol !== 'TCP') errs.push(invalidValue(port.protocol, 'ports.protocol'));
    if (!VALID_PORT_NAMES.includes(port.name ?? '')) {
      errs.push({
        path: 'ports',
        message: `Port name ${port.name} is not allowed`,
        details: "Name must be empty, or one of: 'h2c', 'http1'",
      });
    }
  }
  return errs;
}

function validateContainers(containers: readonly Container[] | undefined, features: FeaturesConfig): FieldError[] {
  const list = containers ?? [];
  const errs: FieldError[] = [];
  const portCount = list.reduce((n, c) => n + (c.ports?.length ?? 0), 0);
  if (portCount === 0 && list.length > 1) errs.push(missingField('containers[*].ports'));
  if (portCount > 1) {
    errs.push({
      path: 'containers[*].ports',
      message: 'more than one container port is set',
      details: 'Only a single port is allowed across all containers',
    });
  }
  if (list.length === 0) return [...errs, missingField('containers')];
  if (list.length > 1 && !isEnabled(features, 'multi-container')) {
    return [...errs, pathlessError(`multi-container is off, but found ${list.length} containers`)];
  }
  // The serving port: the first port of the (last) container with ports; Knative names it `http`.
  const servingPort = list.reduce((name, c) => (c.ports?.length ? c.ports[0]?.name || 'http' : name), 'http');
  const seen = new Set<string>();
  list.forEach((c, i) => {
    if (list.length > 1) {
      const name = c.name ?? '';
      if (seen.has(name)) errs.push({ path: `containers[${i}].name`, message: `duplicate container name "${name}"` });
      seen.add(name);
    }
    const serving = list.length === 1 || (c.ports?.length ?? 0) > 0;
    const role: ContainerRole = serving ? { kind: 'serving', port: servingPort } : { kind: 'sidecar' };
    errs.push(...via(`containers[${i}]`, validateContainer(c, role, features)));
  });
  return errs;
}

// ---- revision spec and template ----

/**
 * The PodSpec fields a config-features flag gates, and what follows the mask for init containers
 * and volumes (k8s_validation.go); paths relative to the spec.
 */
function validateFeatureFields(spec: RevisionSpec, features: FeaturesConfig): FieldError[] {
  const pod = spec as Record<string, unknown>;
  const errs = GATED_POD_FIELDS.filter(([field, key]) => !maskAllows(features, key) && isSet(pod[field])).map(
    ([field]) => disallowedField(field),
  );
  const volumes = Array.isArray(pod.volumes) ? (pod.volumes as Record<string, unknown>[]) : [];
  volumes.forEach((volume, i) => {
    errs.push(...via(`volumes[${i}]`, validateVolumeFeatures(volume ?? {}, features)));
  });
  const init = Array.isArray(pod.initContainers) ? (pod.initContainers as Container[]) : [];
  if (init.length > 0) {
    if (!isEnabled(features, 'kubernetes.podspec-init-containers')) {
      errs.push(pathlessError(`pod spec support for init-containers is off, but found ${init.length} init containers`));
    } else {
      errs.push(...validateInitContainers(init, spec.containers ?? [], features));
    }
  }
  return errs;
}

/**
 * A volume's sources against their flags (paths relative to the volume). Only the gates: knsim
 * does not check the volumes themselves (sources, names, mounts).
 */
function validateVolumeFeatures(volume: Record<string, unknown>, features: FeaturesConfig): FieldError[] {
  const errs = GATED_VOLUME_SOURCES.filter(([field, key]) => !maskAllows(features, key) && isSet(volume[field])).map(
    ([field]) => disallowedField(field),
  );
  const claim = volume.persistentVolumeClaim as { claimName?: string; readOnly?: boolean } | undefined;
  if (claim && typeof claim === 'object') {
    const name = claim.claimName ?? '';
    if (!isEnabled(features, 'kubernetes.podspec-persistent-volume-claim')) {
      errs.push(
        pathlessError(`Persistent volume claim support is disabled, but found persistent volume claim ${name}`),
      );
    }
    if (!claim.readOnly && !isEnabled(features, 'kubernetes.podspec-persistent-volume-write')) {
      errs.push(
        pathlessError(
          `Persistent volume write support is disabled, but found persistent volume claim ${name} that is not read-only`,
        ),
      );
    }
  }
  if (volume.emptyDir != null && !isEnabled(features, 'kubernetes.podspec-volumes-emptydir')) {
    errs.push(pathlessError(`EmptyDir volume support is disabled, but found EmptyDir volume ${volume.name ?? ''}`));
  }
  return errs;
}

/**
 * Init containers, once kubernetes.podspec-init-containers lets them in. Knative reports their
 * errors under `containers[i]` (its ViaFieldIndex("containers", i)), not `initContainers[i]`.
 */
function validateInitContainers(
  init: readonly Container[],
  containers: readonly Container[],
  features: FeaturesConfig,
): FieldError[] {
  const names = new Set(containers.map((c) => c.name));
  return init.flatMap((c, i) => [
    ...(names.has(c.name)
      ? [{ path: `containers[${i}].name`, message: `duplicate container name "${c.name ?? ''}"` }]
      : []),
    ...via(`containers[${i}]`, validateContainer(c, { kind: 'init' }, features)),
  ]);
}

/** A revision spec; paths relative to the spec. */
function validateRevisionSpec(
  spec: RevisionSpec,
  cfg: DefaultsConfig = DEFAULT_DEFAULTS_CONFIG,
  features: FeaturesConfig = DEFAULT_FEATURES_CONFIG,
): FieldError[] {
  const errs = [
    ...disallowedFields(spec, DISALLOWED_POD_FIELDS),
    ...validateFeatureFields(spec, features),
    ...validateContainers(spec.containers, features),
  ];
  // Only false: a revision's pods do not talk to the API server unless the user says so.
  if (spec.automountServiceAccountToken === true) errs.push(disallowedField('automountServiceAccountToken'));
  const timeout = spec.timeoutSeconds;
  if (timeout !== undefined && timeout !== 0 && (timeout < 0 || timeout > cfg.maxRevisionTimeoutSeconds)) {
    errs.push(outOfBounds(timeout, 0, cfg.maxRevisionTimeoutSeconds, 'timeoutSeconds'));
  }
  const limit = timeout || cfg.revisionTimeoutSeconds;
  for (const field of ['responseStartTimeoutSeconds', 'idleTimeoutSeconds'] as const) {
    const v = spec[field];
    if (v !== undefined && (v < 0 || v > limit)) errs.push(outOfBounds(v, 0, limit, field));
  }
  const cc = spec.containerConcurrency;
  if (cc !== undefined) {
    const min = cfg.allowContainerConcurrencyZero ? 0 : 1;
    if (cc < min || cc > cfg.containerConcurrencyMaxLimit) {
      errs.push(outOfBounds(cc, min, cfg.containerConcurrencyMaxLimit, 'containerConcurrency'));
    }
  }
  return errs;
}

/**
 * A revision template; paths relative to the template. `parent` is the owning Service's or
 * Configuration's metadata: a BYO revision name must start with `<parent name>-`, and is not
 * allowed when the parent itself uses generateName.
 */
function validateRevisionTemplate(
  template: RevisionTemplateSpec | undefined,
  parent: Partial<ObjectMeta>,
  cfg: DefaultsConfig = DEFAULT_DEFAULTS_CONFIG,
  features: FeaturesConfig = DEFAULT_FEATURES_CONFIG,
): FieldError[] {
  if (!template?.spec) return [missingField('spec')];
  const errs = via('spec', validateRevisionSpec(template.spec, cfg, features));
  const generateName = typeof template.metadata?.generateName === 'string' ? template.metadata.generateName : '';
  if (generateName) {
    const msgs = dns1035PrefixErrors(generateName);
    if (msgs.length > 0)
      errs.push(invalidValue(`not a DNS 1035 label prefix: ${goList(msgs)}`, 'metadata.generateName'));
  }
  const name = template.metadata?.name ?? '';
  if (name) {
    const msgs = dns1035LabelErrors(name);
    const parentGenerateName = typeof parent.generateName === 'string' ? parent.generateName : '';
    const parentName = parent.name ?? '';
    if (msgs.length > 0) errs.push(invalidValue(`not a DNS 1035 label: ${goList(msgs)}`, 'metadata.name'));
    else if (!parent.name && parentGenerateName) errs.push(disallowedField('metadata.name'));
    else if (!isValidByoRevisionName(parentName, name))
      errs.push(invalidValue(`"${name}" must have prefix "${revisionNamePrefix(parentName)}"`, 'metadata.name'));
  }
  return errs;
}

// ---- traffic ----

interface TrafficValidationContext {
  /** In a Service's own traffic list: targets must not name a configuration (the Service's is the default). */
  readonly hasDefaultConfigurationName: boolean;
}

/** One spec traffic target; paths relative to the target. */
function validateTrafficTarget(target: TrafficTarget, ctx: TrafficValidationContext): FieldError[] {
  const errs: FieldError[] = [];
  const revisionName = target.revisionName ?? '';
  const configurationName = target.configurationName ?? '';
  if (target.latestRevision !== undefined && (revisionName !== '') === target.latestRevision) {
    errs.push({
      path: 'latestRevision',
      message: `may not set revisionName "${revisionName}" when latestRevision is ${target.latestRevision}`,
    });
  }
  if (ctx.hasDefaultConfigurationName && configurationName) {
    errs.push(disallowedField('configurationName'));
  } else if (revisionName && configurationName) {
    errs.push(...multipleOneOf('revisionName', 'configurationName'));
  } else if (revisionName) {
    const msgs = qualifiedNameErrors(revisionName);
    if (msgs.length > 0) errs.push(invalidKeyName(revisionName, 'revisionName', msgs.join(', ')));
  } else if (configurationName) {
    const msgs = qualifiedNameErrors(configurationName);
    if (msgs.length > 0) errs.push(invalidKeyName(configurationName, 'configurationName', msgs.join(', ')));
  } else if (!ctx.hasDefaultConfigurationName) {
    errs.push(...missingOneOf('revisionName', 'configurationName'));
  }
  const percent = target.percent;
  if (percent !== undefined && (percent < 0 || percent > 100)) errs.push(outOfBounds(percent, 0, 100, 'percent'));
  if (target.url) errs.push(disallowedField('url'));
  return errs;
}

/** A spec traffic list; paths relative to the list (`[0].percent`, and '' for the sum). */
function validateTrafficList(
  traffic: readonly TrafficTarget[] | undefined,
  ctx: TrafficValidationContext,
): FieldError[] {
  const errs: FieldError[] = [];
  const tags = new Map<string, number>();
  let sum = 0;
  (traffic ?? []).forEach((t, i) => {
    errs.push(...via(`[${i}]`, validateTrafficTarget(t, ctx)));
    sum += t.percent ?? 0;
    if (!t.tag) return;
    const msgs = dns1035LabelErrors(t.tag);
    // Knative attaches this one as `tag[i]` (its ViaFieldIndex("tag", i)).
    if (msgs.length > 0) errs.push(invalidValue(`not a DNS 1035 label: ${goList(msgs)}`, `tag[${i}]`));
    const first = tags.get(t.tag);
    if (first !== undefined) {
      const message = `Multiple definitions for "${t.tag}"`;
      errs.push({ path: `[${i}].tag`, message }, { path: `[${first}].tag`, message });
    } else {
      tags.set(t.tag, i);
    }
  });
  if (sum !== 100) errs.push({ path: '', message: `Traffic targets sum to ${sum}, want 100` });
  return errs;
}

// ---- kinds ----

/** A (defaulted) Service, against config-defaults and config-features. */
export function validateService(
  svc: Service,
  cfg: DefaultsConfig = DEFAULT_DEFAULTS_CONFIG,
  features: FeaturesConfig = DEFAULT_FEATURES_CONFIG,
): FieldError[] {
  const meta = via('metadata', [
    ...validateObjectMeta(svc.metadata),
    ...via('labels', validateVisibilityLabel(svc.metadata.labels)),
    ...via('annotations', validateNoAutoscalingAnnotations(svc.metadata.annotations)),
  ]);
  const spec = via('spec', [
    ...via('template', validateRevisionTemplate(svc.spec?.template, svc.metadata, cfg, features)),
    ...via('traffic', validateTrafficList(svc.spec?.traffic, { hasDefaultConfigurationName: true })),
  ]);
  return [...meta, ...spec];
}

/** A (defaulted) Configuration, against config-defaults and config-features. */
export function validateConfiguration(
  config: Configuration,
  cfg: DefaultsConfig = DEFAULT_DEFAULTS_CONFIG,
  features: FeaturesConfig = DEFAULT_FEATURES_CONFIG,
): FieldError[] {
  const meta = via('metadata', [
    ...validateObjectMeta(config.metadata),
    ...via('labels', validateServiceLabelOwner(config.metadata)),
    ...via('annotations', validateNoAutoscalingAnnotations(config.metadata.annotations)),
  ]);
  return [
    ...meta,
    ...via('spec.template', validateRevisionTemplate(config.spec?.template, config.metadata, cfg, features)),
  ];
}

/**
 * A (defaulted) Route. Its targets have no default configuration, whoever owns it: only a
 * Service's own traffic list does.
 */
export function validateRoute(route: Route): FieldError[] {
  const meta = via('metadata', [
    ...validateObjectMeta(route.metadata),
    ...via('labels', [...validateVisibilityLabel(route.metadata.labels), ...validateServiceLabelOwner(route.metadata)]),
  ]);
  const ctx = { hasDefaultConfigurationName: false };
  return [...meta, ...via('spec.traffic', validateTrafficList(route.spec?.traffic, ctx))];
}

// ---- updates ----

/**
 * Knative's VerifyNameChange, on the update of a Service or Configuration: a template that brings
 * its own revision name (BYO) must change that name whenever anything else in it changes, since
 * the name stands for one immutable Revision. Refused with the changes, `-old +new`, in
 * kmp.ShortDiff's form (shortdiff.ts). A template without a name, or with a new one, passes.
 */
export function verifyTemplateNameChange(
  current: RevisionTemplateSpec | undefined,
  previous: RevisionTemplateSpec | undefined,
): FieldError[] {
  const name = current?.metadata?.name ?? '';
  if (name === '' || name !== (previous?.metadata?.name ?? '')) return [];
  const diff = revisionTemplateShortDiff(previous, current);
  if (diff === '') return [];
  return [
    {
      path: 'spec.template.metadata.name',
      message: 'Saw the following changes without a name change (-old +new)',
      details: diff,
    },
  ];
}
