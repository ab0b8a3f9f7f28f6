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
 *   `user-container-<index>`. The serving container (the only one, or the one with ports) gets a
 *   readiness probe `{tcpSocket: {port: 0}, successThreshold: 1}` when it has none, and
 *   `resources: {}`.
 * - Optionally the creator/lastModifier annotations the webhook stamps with the requesting user.
 * Not modelled: resource requests/limits from config-defaults.
 */
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

function defaultContainer(
  container: Container,
  index: number,
  all: readonly Container[],
  cfg: DefaultsConfig,
): Container {
  const out: Container = { ...container };
  if (!out.name) out.name = all.length > 1 ? `${cfg.userContainerName}-${index}` : cfg.userContainerName;
  const serving = all.length === 1 || (container.ports?.length ?? 0) > 0;
  if (serving) {
    const probe = { ...((out.readinessProbe as Record<string, unknown> | undefined) ?? {}) };
    if (!probe.tcpSocket && !probe.httpGet && !probe.exec && !probe.grpc) probe.tcpSocket = { port: 0 };
    if (!probe.successThreshold) probe.successThreshold = 1;
    out.readinessProbe = probe;
  }
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
  if (spec.containers) out.containers = containers.map((c, i) => defaultContainer(c, i, containers, cfg));
  return out;
}

export interface DefaultingOptions {
  readonly config?: DefaultsConfig;
  /** The requesting user; when given, creator/lastModifier annotations are set as the webhook does. */
  readonly user?: string;
  /** The object as stored before this update (updates keep the creator). */
  readonly previous?: { metadata: { annotations?: Record<string, string> } };
}

function withUserAnnotations<T extends { metadata: { annotations?: Record<string, string> } }>(
  obj: T,
  options: DefaultingOptions,
): T {
  if (!options.user) return obj;
  const creator = options.previous?.metadata.annotations?.['serving.knative.dev/creator'] ?? options.user;
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: {
        ...obj.metadata.annotations,
        'serving.knative.dev/creator': creator,
        'serving.knative.dev/lastModifier': options.user,
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
