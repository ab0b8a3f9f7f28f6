/**
 * What Knative's defaulting webhook fills in before validation and storage, driven by the
 * `config-defaults` ConfigMap.
 *
 * - Traffic (Service only, and a Route owned by one): no traffic block →
 *   `[{latestRevision: true, percent: 100}]`; each target's `latestRevision` defaults to true
 *   when it has no `revisionName`, false otherwise; `percent` defaults to 0.
 * - Revision template spec: `timeoutSeconds` (absent or 0) → `revision-timeout-seconds` (300);
 *   `responseStartTimeoutSeconds` / `idleTimeoutSeconds` (absent) → `revision-response-start-timeout-seconds`
 *   / `revision-idle-timeout-seconds` only when that default is not 0 and below the timeout
 *   (knative/serving pkg/apis/serving/v1/revision_defaults.go; at the stock defaults, 300 and 0,
 *   neither is set);
 *   `containerConcurrency` → `container-concurrency` (0); `enableServiceLinks` → false.
 * - Containers: a lone unnamed container is `user-container`; with several, unnamed ones are
 *   `user-container-<n>`, n the lowest number no other container (or init container) uses;
 *   unnamed init containers likewise `init-container[-<n>]`. The serving container (the only
 *   one, or the one with ports) gets a readiness probe `{tcpSocket: {port: 0}, successThreshold: 1}`
 *   when it has none; any readiness probe gets successThreshold 1, and failureThreshold 3 and
 *   timeoutSeconds 1 when it sets periodSeconds; every container gets `resources: {}`.
 * - Optionally the creator/lastModifier annotations the webhook stamps with the requesting user.
 * Not modelled: resource requests/limits from config-defaults.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Configuration, Container, RevisionSpec, Route, Service, TrafficTarget } from '../api/types.js';
import { type DefaultsConfig, defaultDefaultsConfig } from '../kpa/config.js';

/** config-defaults is parsed once, in src/model/kpa/config.ts, next to Knative's other ConfigMaps. */
export type { DefaultsConfig } from '../kpa/config.js';
export { parseDefaultsConfig } from '../kpa/config.js';

export const DEFAULT_DEFAULTS_CONFIG: DefaultsConfig = defaultDefaultsConfig();

/** A traffic target with latestRevision and percent filled in. */
export function defaultTrafficTarget(target: TrafficTarget): TrafficTarget {
  return {
    ...target,
    latestRevision: target.latestRevision ?? !target.revisionName,
    percent: target.percent ?? 0,
  };
}

/**
 * Default a traffic list. `owned` is true for a Service's traffic (or a Route with a default
 * configuration): then an empty list means all traffic to the latest revision.
 */
function defaultTraffic(traffic: readonly TrafficTarget[] | undefined, owned: boolean): TrafficTarget[] | undefined {
  if ((!traffic || traffic.length === 0) && owned) return [{ latestRevision: true, percent: 100 }];
  return traffic?.map(defaultTrafficTarget);
}

/** Knative's init-container-name-template default. */
const INIT_CONTAINER_NAME = 'init-container';

/**
 * Names for the unnamed containers of a list: `base` for a lone one whose name is free, else
 * `base-<n>` with the lowest n not already taken by any container or init container of the pod
 * (knative/serving revision_defaults.go; TestRevisionDefaulting "multiple containers with some
 * names empty"). `taken` gains the names given.
 */
function defaultContainerNames(containers: readonly Container[], taken: Set<string>, base: string): string[] {
  let next = 0;
  return containers.map((c) => {
    if (c.name) return c.name;
    let name = base;
    if (containers.length > 1 || taken.has(name)) {
      do name = `${base}-${next++}`;
      while (taken.has(name));
    }
    taken.add(name);
    return name;
  });
}

type Probe = Record<string, unknown>;

/**
 * The readiness probe as defaulted: the serving container (the only one, or one with a port)
 * gets a TCP probe when it names no handler; any probe gets successThreshold 1, and Kubernetes'
 * failureThreshold 3 and timeoutSeconds 1 once it sets a periodSeconds (Knative leaves those to
 * the queue-proxy's aggressive probing otherwise).
 */
function defaultReadinessProbe(probe: Probe | undefined, serving: boolean): Probe | undefined {
  if (!probe && !serving) return undefined;
  const out: Probe = { ...(probe ?? {}) };
  if (serving && !out.tcpSocket && !out.httpGet && !out.exec && !out.grpc) out.tcpSocket = { port: 0 };
  if (!out.successThreshold) out.successThreshold = 1;
  if (out.periodSeconds) {
    if (!out.failureThreshold) out.failureThreshold = 3;
    if (!out.timeoutSeconds) out.timeoutSeconds = 1;
  }
  return out;
}

function defaultContainer(container: Container, name: string, all: readonly Container[]): Container {
  const out: Container = { ...container, name };
  const serving = all.length === 1 || (container.ports?.length ?? 0) > 0;
  const probe = defaultReadinessProbe(out.readinessProbe as Probe | undefined, serving);
  if (probe) out.readinessProbe = probe;
  if (out.resources === undefined) out.resources = {};
  return out;
}

/** Default a revision spec (a template's `spec`). */
export function defaultRevisionSpec(spec: RevisionSpec, cfg: DefaultsConfig = DEFAULT_DEFAULTS_CONFIG): RevisionSpec {
  const out: RevisionSpec = { ...spec };
  if (!out.timeoutSeconds) out.timeoutSeconds = cfg.revisionTimeoutSeconds;
  const timeout = out.timeoutSeconds;
  const below = (d: number) => d !== 0 && d < timeout;
  if (out.idleTimeoutSeconds === undefined && below(cfg.revisionIdleTimeoutSeconds))
    out.idleTimeoutSeconds = cfg.revisionIdleTimeoutSeconds;
  if (out.responseStartTimeoutSeconds === undefined && below(cfg.revisionResponseStartTimeoutSeconds))
    out.responseStartTimeoutSeconds = cfg.revisionResponseStartTimeoutSeconds;
  if (out.containerConcurrency === undefined) out.containerConcurrency = cfg.containerConcurrency;
  if (out.enableServiceLinks === undefined) out.enableServiceLinks = cfg.enableServiceLinks;
  const containers = spec.containers ?? [];
  const initContainers = Array.isArray(spec.initContainers) ? (spec.initContainers as Container[]) : [];
  const taken = new Set<string>([...containers, ...initContainers].flatMap((c) => (c.name ? [c.name] : [])));
  if (spec.containers) {
    const names = defaultContainerNames(containers, taken, cfg.userContainerName);
    out.containers = containers.map((c, i) => defaultContainer(c, names[i]!, containers));
  }
  if (initContainers.some((c) => !c.name)) {
    const names = defaultContainerNames(initContainers, taken, INIT_CONTAINER_NAME);
    out.initContainers = initContainers.map((c, i) => ({ ...c, name: names[i] }));
  }
  return out;
}

export interface DefaultingOptions {
  readonly config?: DefaultsConfig;
  /** The requesting user; when given, creator/lastModifier annotations are set as the webhook does. */
  readonly user?: string;
  /** The object as stored before this update (updates keep the creator). */
  readonly previous?: { metadata: { annotations?: Record<string, string> }; spec?: unknown };
}

const CREATOR = 'serving.knative.dev/creator';
const LAST_MODIFIER = 'serving.knative.dev/lastModifier';

/**
 * Knative's SetUserInfo: a create names the user creator and lastModifier (whatever the object
 * said); an update names the user lastModifier only when it changes the (defaulted) spec, and
 * leaves the annotations as they come otherwise (metadata_validation_test.go TestAnnotationUpdate,
 * service_defaults_test.go TestAnnotateUserInfo). An update keeps the stored creator, if any.
 */
function withUserAnnotations<T extends { metadata: { annotations?: Record<string, string> }; spec?: unknown }>(
  obj: T,
  options: DefaultingOptions,
): T {
  if (!options.user) return obj;
  const previous = options.previous;
  if (previous && isDeepStrictEqual(previous.spec, obj.spec)) return obj;
  const creator = previous ? previous.metadata.annotations?.[CREATOR] : options.user;
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: {
        ...obj.metadata.annotations,
        ...(creator !== undefined ? { [CREATOR]: creator } : {}),
        [LAST_MODIFIER]: options.user,
      },
    },
  };
}

/** A Service as the defaulting webhook returns it. The input is not modified. */
export function defaultService(svc: Service, options: DefaultingOptions = {}): Service {
  const cfg = options.config ?? DEFAULT_DEFAULTS_CONFIG;
  const copy = structuredClone(svc);
  const traffic = defaultTraffic(copy.spec.traffic, true);
  const out: Service = {
    ...copy,
    spec: {
      ...copy.spec,
      template: { ...copy.spec.template, spec: defaultRevisionSpec(copy.spec.template?.spec ?? {}, cfg) },
      ...(traffic ? { traffic } : {}),
    },
  };
  return withUserAnnotations(out, options);
}

/** A Configuration as the defaulting webhook returns it. */
export function defaultConfiguration(config: Configuration, options: DefaultingOptions = {}): Configuration {
  const cfg = options.config ?? DEFAULT_DEFAULTS_CONFIG;
  const copy = structuredClone(config);
  const out: Configuration = {
    ...copy,
    spec: {
      ...copy.spec,
      template: { ...copy.spec.template, spec: defaultRevisionSpec(copy.spec.template?.spec ?? {}, cfg) },
    },
  };
  return withUserAnnotations(out, options);
}

/**
 * A Route as the defaulting webhook returns it. A Route has no default configuration, not even
 * one a Service owns (the Service's reconciler names the configuration in each target it writes),
 * so an empty traffic list stays empty. The creator and lastModifier annotations are set only on
 * a Route that no object owns.
 */
export function defaultRoute(route: Route, options: DefaultingOptions = {}): Route {
  const copy = structuredClone(route);
  const traffic = defaultTraffic(copy.spec.traffic, false);
  const out: Route = { ...copy, spec: { ...copy.spec, ...(traffic ? { traffic } : {}) } };
  return (copy.metadata.ownerReferences ?? []).length > 0 ? out : withUserAnnotations(out, options);
}
