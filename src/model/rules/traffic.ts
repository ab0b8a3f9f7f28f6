/**
 * Route traffic: from `spec.traffic` (what the user asked for) to `status.traffic` (concrete
 * revisions) and the Route's AllTrafficAssigned condition, then picking a revision per request.
 *
 * Rules:
 * - A target with `revisionName` is pinned: the revision must exist and be Ready.
 * - A target with `configurationName` (the Service fills in its own name for targets without a
 *   revision; {@link TrafficContext.defaultConfigurationName} does the same here) goes to that
 *   Configuration's `latestReadyRevisionName`: a newer revision gets traffic only once Ready, and
 *   a failing newer revision leaves traffic where it was.
 * - Problems, reported on AllTrafficAssigned (reason `RevisionMissing` unless noted):
 *   Configuration with no ready revision yet → Unknown "Configuration "X" is waiting for a Revision to become ready.";
 *   … and failed → False "Configuration "X" does not have any ready Revision.";
 *   pinned revision not ready → Unknown "Revision "R" is not yet ready.";
 *   … failed → False "Revision "R" failed to become ready.";
 *   target that does not exist → False `ConfigurationMissing`/`RevisionMissing`
 *   "Configuration "X" referenced in traffic not found.".
 *   Every target is looked at; the first problem is reported unless a later one is a failure
 *   (False), which then replaces it. With any problem no traffic is resolved.
 * - `status.traffic` lists revision names (never configuration names); entries with the same
 *   tag, revision and latestRevision flag are merged by adding their percents; tagged entries get
 *   their tag URL.
 */
import type { Condition, Configuration, Revision, TrafficTarget } from '../api/types.js';
import type { Random } from '../random.js';
import type { ConditionUpdate } from './conditions.js';
import { DEFAULT_NETWORK_CONFIG, type DomainConfig, type NetworkConfig, routeUrl } from './domain.js';
import { type FeaturesConfig, isEnabled } from './features.js';
import { LABEL_CONFIGURATION } from './labels.js';

/**
 * The objects a rule may look up by name: a list (searched), or a lookup (a store's own: a
 * namespace with many objects is not listed for each reconcile).
 */
export type ByName<T extends { metadata: { name: string } }> = readonly T[] | ((name: string) => T | undefined);

function finder<T extends { metadata: { name: string } }>(objects: ByName<T>): (name: string) => T | undefined {
  return typeof objects === 'function' ? objects : (name) => objects.find((o) => o.metadata.name === name);
}

export interface TrafficContext {
  readonly configurations: ByName<Configuration>;
  readonly revisions: ByName<Revision>;
  /** Configuration for targets that name neither a revision nor a configuration (the Service's own). */
  readonly defaultConfigurationName?: string;
  /** The Route, to compute tag URLs. Without it tagged targets get no `url`. */
  readonly route?: {
    readonly name: string;
    readonly namespace: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly domainConfig?: DomainConfig;
  readonly network?: NetworkConfig;
}

/** A target of `status.traffic`: always a revision name, percent filled in. */
export interface ResolvedTarget extends TrafficTarget {
  revisionName: string;
  percent: number;
}

export interface TrafficResolution {
  /** The new `status.traffic`, or undefined when some target is not usable (keep the old one). */
  readonly traffic?: ResolvedTarget[];
  readonly allTrafficAssigned: ConditionUpdate;
  /** References that do not exist. */
  readonly missing: readonly { kind: 'Configuration' | 'Revision'; name: string }[];
}

interface TargetProblem {
  readonly condition: ConditionUpdate;
  readonly failure: boolean;
}

function problem(status: 'Unknown' | 'False', reason: string, message: string): TargetProblem {
  return { condition: { type: 'AllTrafficAssigned', status, reason, message }, failure: status === 'False' };
}

function readyStatus(obj: { status?: { conditions?: Condition[] } }): Condition['status'] {
  return obj.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
}

/** Resolve a Route's spec traffic against the Configurations and Revisions that exist. */
export function resolveTraffic(spec: readonly TrafficTarget[] | undefined, ctx: TrafficContext): TrafficResolution {
  let firstProblem: TargetProblem | undefined;
  const note = (p: TargetProblem) => {
    if (!firstProblem || p.failure) firstProblem = p;
  };
  const missing: { kind: 'Configuration' | 'Revision'; name: string }[] = [];
  const notFound = (kind: 'Configuration' | 'Revision', name: string) => {
    missing.push({ kind, name });
    note(problem('False', `${kind}Missing`, `${kind} "${name}" referenced in traffic not found.`));
  };
  const config = finder(ctx.configurations);
  const revision = finder(ctx.revisions);

  const resolved: ResolvedTarget[] = [];
  for (const target of spec ?? []) {
    const percent = target.percent ?? 0;
    const latestRevision = target.latestRevision ?? !target.revisionName;
    if (target.revisionName) {
      const rev = revision(target.revisionName);
      if (!rev) {
        notFound('Revision', target.revisionName);
        continue;
      }
      const ready = readyStatus(rev);
      if (ready !== 'True') {
        note(
          ready === 'False'
            ? problem('False', 'RevisionMissing', `Revision "${rev.metadata.name}" failed to become ready.`)
            : problem('Unknown', 'RevisionMissing', `Revision "${rev.metadata.name}" is not yet ready.`),
        );
        continue;
      }
      const owner = rev.metadata.labels?.[LABEL_CONFIGURATION];
      if (owner && !config(owner)) {
        notFound('Configuration', owner);
        continue;
      }
      resolved.push(statusTarget(target, rev.metadata.name, percent, latestRevision));
      continue;
    }
    const configName = target.configurationName || ctx.defaultConfigurationName;
    if (!configName) continue;
    const cfg = config(configName);
    if (!cfg) {
      notFound('Configuration', configName);
      continue;
    }
    const latestReady = cfg.status?.latestReadyRevisionName;
    if (!latestReady) {
      note(
        readyStatus(cfg) === 'False'
          ? problem('False', 'RevisionMissing', `Configuration "${configName}" does not have any ready Revision.`)
          : problem(
              'Unknown',
              'RevisionMissing',
              `Configuration "${configName}" is waiting for a Revision to become ready.`,
            ),
      );
      continue;
    }
    if (!revision(latestReady)) {
      notFound('Revision', latestReady);
      continue;
    }
    resolved.push(statusTarget(target, latestReady, percent, latestRevision));
  }

  if (firstProblem) return { allTrafficAssigned: firstProblem.condition, missing };
  return {
    traffic: withTagUrls(mergeTargets(resolved), ctx),
    allTrafficAssigned: { type: 'AllTrafficAssigned', status: 'True' },
    missing,
  };
}

function statusTarget(
  target: TrafficTarget,
  revisionName: string,
  percent: number,
  latestRevision: boolean,
): ResolvedTarget {
  return { ...(target.tag ? { tag: target.tag } : {}), revisionName, latestRevision, percent };
}

function mergeTargets(targets: readonly ResolvedTarget[]): ResolvedTarget[] {
  const out: ResolvedTarget[] = [];
  for (const t of targets) {
    const same = out.find(
      (o) =>
        (o.tag ?? '') === (t.tag ?? '') && o.revisionName === t.revisionName && o.latestRevision === t.latestRevision,
    );
    if (same) same.percent += t.percent;
    else out.push({ ...t });
  }
  return out;
}

function withTagUrls(targets: ResolvedTarget[], ctx: TrafficContext): ResolvedTarget[] {
  const route = ctx.route;
  if (!route || !ctx.domainConfig) return targets;
  const domainConfig = ctx.domainConfig;
  return targets.map((t) =>
    t.tag
      ? {
          ...t,
          url: routeUrl({ ...route, tag: t.tag }, domainConfig, ctx.network ?? DEFAULT_NETWORK_CONFIG),
        }
      : t,
  );
}

/**
 * The weighted choice the ingress makes for a Route's main URL, prepared once per Route change
 * (the per-request pick then only walks two arrays): every target with a revision and a
 * positive percent, tagged ones included (the ingress splits the main host over every target),
 * in status order.
 */
export interface TrafficSplit {
  readonly revisions: readonly string[];
  readonly percents: readonly number[];
  /** Sum of `percents`. */
  readonly total: number;
}

/** The split of a Route's `status.traffic`. */
export function trafficSplit(targets: readonly TrafficTarget[]): TrafficSplit {
  const revisions: string[] = [];
  const percents: number[] = [];
  let total = 0;
  for (const t of targets) {
    const percent = t.percent ?? 0;
    if (!t.revisionName || percent <= 0) continue;
    revisions.push(t.revisionName);
    percents.push(percent);
    total += percent;
  }
  return { revisions, percents, total };
}

/**
 * The revision serving one request, by percent: an index into `split.revisions`, or −1 when no
 * target has a positive percent. One draw of `random` per pick (none for an empty split).
 */
export function pickRevision(split: TrafficSplit, random: Random): number {
  if (split.total <= 0) return -1;
  let point = random() * split.total;
  const percents = split.percents;
  const n = percents.length;
  // One target takes every request (the walk returns 0 for any point); the draw above is made
  // all the same, so the stream's next draws stay what they were.
  if (n === 1) return 0;
  for (let i = 0; i < n; i++) {
    point -= percents[i]!;
    if (point < 0) return i;
  }
  return n - 1;
}

/** The revision a tag's URL reaches (all of that tag's traffic), if the tag exists. */
export function targetForTag(targets: readonly TrafficTarget[], tag: string): string | undefined {
  return targets.find((t) => t.tag === tag && t.revisionName)?.revisionName;
}

/** The request header that names a tag (knative.dev/networking pkg/http/header `RouteTagKey`). */
export const ROUTE_TAG_HEADER = 'Knative-Serving-Tag';
const ROUTE_TAG_HEADER_LOWER = ROUTE_TAG_HEADER.toLowerCase();

/** The value of a request's `Knative-Serving-Tag` header (a header's name has no case), if it has one. */
function routeTagHeader(headers: Readonly<Record<string, string>> | undefined): string | undefined {
  if (headers === undefined) return undefined;
  for (const name in headers) if (name.toLowerCase() === ROUTE_TAG_HEADER_LOWER) return headers[name];
  return undefined;
}

/**
 * The tags a request may name by header on a Route's own hosts, each with the revision that then
 * takes it: with `tag-header-based-routing` Enabled, Knative's route reconciler puts before the
 * default split of every rule of the default target one path per tag, matching the header
 * `Knative-Serving-Tag` exactly (resources/ingress.go, `makeTagBasedRoutingIngressPaths`); a
 * tag's own hosts get none. Undefined when the flag is not Enabled, the host is a tag's, or the
 * Route has no tag: every request then takes the split. A header naming no tag falls through to
 * the split as well (the docs' "Tag Header Based Routing": no header, or a value that is not a
 * tag, goes to the default target).
 */
export function headerRoutedTags(
  targets: readonly TrafficTarget[],
  features: FeaturesConfig,
  hostTag: string | undefined,
): ReadonlyMap<string, string> | undefined {
  if (hostTag !== undefined || !isEnabled(features, 'tag-header-based-routing')) return undefined;
  let tags: Map<string, string> | undefined;
  for (const t of targets) {
    if (!t.tag || !t.revisionName || tags?.has(t.tag)) continue;
    tags ??= new Map();
    tags.set(t.tag, t.revisionName);
  }
  return tags;
}

/**
 * The revision a request to a Route's own host goes to because of its tag header, or undefined
 * when the split decides (no header, or a value that is exactly no tag's: Envoy's exact match).
 */
export function headerRoutedRevision(
  tags: ReadonlyMap<string, string> | undefined,
  headers: Readonly<Record<string, string>> | undefined,
): string | undefined {
  if (tags === undefined) return undefined;
  const tag = routeTagHeader(headers);
  return tag === undefined ? undefined : tags.get(tag);
}
