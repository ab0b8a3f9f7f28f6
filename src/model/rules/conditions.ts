/**
 * Knative status conditions.
 *
 * Generic part (knative.dev/pkg "living" condition sets): every kind has a top-level `Ready`
 * condition computed from its *dependent* conditions; other conditions (a Revision's `Active`)
 * are informational (severity `Info`) and do not affect Ready.
 * - Ready is True when every dependent is True.
 * - Otherwise it copies status, reason and message of an unhappy dependent: any False one beats
 *   every Unknown one, and among those the most recently changed wins (latest
 *   lastTransitionTime; within one update, the dependent applied later counts as more recent).
 * - A dependent never set counts as Unknown with no reason.
 * - lastTransitionTime is kept while a condition stays exactly the same (status, reason, message
 *   and severity, as Knative compares them); any change stamps `now`. So a new reason with the
 *   same status also moves the time — which is what the KPA's "active for" / "inactive for"
 *   clocks see.
 * - Conditions are stored sorted by type, as Knative does for kubectl.
 *
 * How controllers use it: the builders below turn observed facts into `ConditionUpdate`s for
 * dependents (they never set Ready themselves); `applyConditions(set, previous, updates, nowIso)`
 * writes them in order and recomputes Ready. A builder returning `undefined` means "leave the
 * condition as it is" (Knative does not touch it in that situation).
 */
import type {
  Condition,
  ConditionStatus,
  Configuration,
  Deployment,
  Pod,
  PodAutoscaler,
  Revision,
  Route,
  TrafficTarget,
} from '../api/types.js';
import { LABEL_CONFIGURATION_GENERATION } from './labels.js';

/** A condition as a controller decides it, before times and severity are filled in. */
export interface ConditionUpdate {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason?: string;
  readonly message?: string;
}

export interface ConditionSet {
  readonly happy: string;
  readonly dependents: readonly string[];
}

export const READY = 'Ready';

export const SERVICE_CONDITION_SET: ConditionSet = { happy: READY, dependents: ['ConfigurationsReady', 'RoutesReady'] };
export const CONFIGURATION_CONDITION_SET: ConditionSet = { happy: READY, dependents: [] };
export const ROUTE_CONDITION_SET: ConditionSet = {
  happy: READY,
  dependents: ['AllTrafficAssigned', 'IngressReady', 'CertificateProvisioned'],
};
/** `Active` is deliberately not a dependent: a revision scaled to zero stays Ready. */
export const REVISION_CONDITION_SET: ConditionSet = {
  happy: READY,
  dependents: ['ResourcesAvailable', 'ContainerHealthy'],
};
export const PODAUTOSCALER_CONDITION_SET: ConditionSet = {
  happy: READY,
  dependents: ['Active', 'ScaleTargetInitialized', 'SKSReady'],
};

// ---- generic helpers ----

export function getCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** A condition as `kubectl wait --for=condition=<type>` reads it (`waitCondition`). */
export interface WaitCondition {
  /** The condition (type matched case-insensitively), if the object has it. */
  readonly condition: { type?: unknown; status?: unknown; reason?: unknown; message?: unknown } | undefined;
  /** The object's metadata.generation, and the generation the condition speaks for. */
  readonly generation: number | undefined;
  readonly observedGeneration: number | undefined;
  /** The condition was written for an older generation: kubectl keeps waiting whatever it says. */
  readonly stale: boolean;
}

/**
 * What `kubectl wait --for=condition=<type>` sees of an object (k8s.io/kubectl
 * pkg/cmd/wait/condition.go, `checkCondition`): a condition whose generation — its own
 * `observedGeneration`, else `status.observedGeneration` — is below `metadata.generation` is
 * stale, and kubectl keeps waiting, so a wait after an applied change never returns on the old
 * generation's Ready. Without a generation or an observed one, the condition is taken as it is.
 */
export function waitCondition(
  obj: { metadata: { generation?: number }; status?: unknown },
  type: string,
): WaitCondition {
  const status = (obj.status ?? {}) as { conditions?: unknown; observedGeneration?: unknown };
  const conditions = Array.isArray(status.conditions)
    ? (status.conditions as { type?: unknown; observedGeneration?: unknown }[])
    : [];
  const wanted = type.toLowerCase();
  const condition = conditions.find((c) => typeof c.type === 'string' && c.type.toLowerCase() === wanted);
  const generation = obj.metadata.generation;
  const own = condition?.observedGeneration;
  const observed =
    typeof own === 'number'
      ? own
      : typeof status.observedGeneration === 'number'
        ? status.observedGeneration
        : undefined;
  return {
    condition,
    generation,
    observedGeneration: observed,
    stale: generation !== undefined && observed !== undefined && observed < generation,
  };
}

/** The status of a kind's Ready condition; Unknown when it has none yet. */
export function readyStatus(conditions: readonly Condition[] | undefined): ConditionStatus {
  return getCondition(conditions, READY)?.status ?? 'Unknown';
}

function sameCondition(a: Condition, b: Condition): boolean {
  return (
    a.status === b.status &&
    (a.reason ?? '') === (b.reason ?? '') &&
    (a.message ?? '') === (b.message ?? '') &&
    (a.severity ?? '') === (b.severity ?? '')
  );
}

/**
 * Two condition lists equal as data, as the store compares a status it is asked to write with the
 * stored one: the same conditions in the same order, each with the same fields (a field present
 * but undefined counts). Conditions of other prototypes than a plain object's are taken to differ.
 */
export function sameConditionList(a: readonly Condition[] | undefined, b: readonly Condition[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as unknown as Record<string, unknown>;
    const y = b[i] as unknown as Record<string, unknown>;
    if (x === y) continue;
    if (Object.getPrototypeOf(x) !== Object.prototype || Object.getPrototypeOf(y) !== Object.prototype) return false;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const k of keys) if (x[k] !== y[k] || !Object.hasOwn(y, k)) return false;
  }
  return true;
}

function byType(a: Condition, b: Condition): number {
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

function normalise(update: ConditionUpdate, severity: Condition['severity']): Condition {
  const c: Condition = { type: update.type, status: update.status };
  if (update.reason) c.reason = update.reason;
  if (update.message) c.message = update.message;
  if (severity) c.severity = severity;
  return c;
}

/**
 * Set one condition. Keeps the previous lastTransitionTime when nothing else changed; otherwise
 * stamps `nowIso`. Returns a new array sorted by type; the input is not modified.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  condition: ConditionUpdate & { severity?: Condition['severity'] },
  nowIso: string,
): Condition[] {
  const next = normalise(condition, condition.severity);
  const previous = getCondition(conditions, condition.type);
  next.lastTransitionTime = previous && sameCondition(previous, next) ? previous.lastTransitionTime : nowIso;
  const others = (conditions ?? []).filter((c) => c.type !== condition.type);
  // Conditions this module wrote are sorted already: the new one goes in its place, where the
  // (stable) sort of them with it appended would put it. Others are sorted.
  for (let i = 1; i < others.length; i++) {
    if (byType(others[i - 1]!, others[i]!) > 0) return [...others, next].sort(byType);
  }
  let at = 0;
  while (at < others.length && byType(others[at]!, next) <= 0) at++;
  others.splice(at, 0, next);
  return others;
}

export interface ReadySummary {
  readonly status: ConditionStatus;
  readonly reason?: string;
  readonly message?: string;
}

/**
 * The top-level status implied by the dependents: True when all are True; otherwise the most
 * recently changed False dependent, else the most recently changed Unknown one, else (some
 * dependent never set) Unknown without a reason. Equal times: the later one in `conditions`
 * counts as more recent.
 */
export function computeReady(
  conditions: readonly Condition[] | undefined,
  dependents: readonly string[],
): ReadySummary {
  // Each time parsed once, not once per comparison.
  const present: { c: Condition; index: number; t: number }[] = [];
  (conditions ?? []).forEach((c, index) => {
    if (dependents.includes(c.type)) present.push({ c, index, t: transitionTime(c) });
  });
  present.sort((a, b) => {
    if (a.t !== b.t) return b.t > a.t ? 1 : -1;
    return b.index - a.index;
  });
  const pick = present.find(({ c }) => c.status === 'False') ?? present.find(({ c }) => c.status === 'Unknown');
  if (pick) {
    const { status, reason, message } = pick.c;
    return { status, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
  }
  const seen = new Set(present.map(({ c }) => c.type));
  if (dependents.some((d) => !seen.has(d))) return { status: 'Unknown' };
  return { status: 'True' };
}

/**
 * A condition's lastTransitionTime in ms; one without a time that parses is the oldest. (At
 * module level: a function made on every `computeReady` call costs more than its work here.)
 */
function transitionTime(c: Condition): number {
  const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : Number.NaN;
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

function severityIn(set: ConditionSet, type: string): Condition['severity'] {
  return type === set.happy || set.dependents.includes(type) ? undefined : 'Info';
}

/**
 * Apply condition updates in order and recompute the happy condition from the dependents.
 * Updates to the happy condition itself are only honoured for sets without dependents (a
 * Configuration's Ready is set directly). Returns a new, type-sorted array.
 */
export function applyConditions(
  set: ConditionSet,
  previous: readonly Condition[] | undefined,
  updates: readonly (ConditionUpdate | undefined)[],
  nowIso: string,
): Condition[] {
  let conditions = previous ? previous.slice() : [];
  const applied: string[] = [];
  for (const update of updates) {
    if (!update) continue;
    if (update.type === set.happy && set.dependents.length > 0) continue;
    const severity = severityIn(set, update.type);
    if (!alreadySet(conditions, update, severity)) {
      conditions = setCondition(conditions, { ...update, severity }, nowIso);
    }
    applied.push(update.type);
  }
  if (set.dependents.length === 0) {
    if (!getCondition(conditions, set.happy))
      conditions = setCondition(conditions, { type: set.happy, status: 'Unknown' }, nowIso);
    return conditions;
  }
  // Order for tie-breaking: untouched conditions first, then the updates in the order applied.
  const untouched = conditions.filter((c) => !applied.includes(c.type));
  const touched = [...new Set(applied)].map((t) => getCondition(conditions, t)!);
  const happy = computeReady([...untouched, ...touched], set.dependents);
  const update = { type: set.happy, ...happy };
  return alreadySet(conditions, update, undefined) ? conditions : setCondition(conditions, update, nowIso);
}

/**
 * Whether `applyConditions(set, X, updates, later)` gives back X (equal data) for any X that
 * `applyConditions(set, previous, updates, now)` made, at any time `later`: so when no two updates
 * set the same condition. Each update then finds its condition as it left it (nothing after it in
 * the call sets that type again, and the happy condition a set with dependents computes is not
 * among them: such an update is ignored) and keeps it and its lastTransitionTime; the happy
 * condition is judged from the same dependents, in the same order, with the same times, so it is
 * found as it was. Two updates of one type are not: the first can flip the condition and the
 * second flip it back, stamped with the time of each call (a Revision's ResourcesAvailable True,
 * then Unknown `Deploying`). test/model/conditionsIdempotent.test.ts checks both.
 */
export function conditionsIdempotent(updates: readonly (ConditionUpdate | undefined)[]): boolean {
  for (let i = 0; i < updates.length; i++) {
    const type = updates[i]?.type;
    if (type === undefined) continue;
    for (let j = i + 1; j < updates.length; j++) if (updates[j]?.type === type) return false;
  }
  return true;
}

/**
 * Whether `setCondition(conditions, update with severity, now)` would give back a list equal to
 * `conditions` (field for field, in the same key order) whatever `now` is: the list is sorted
 * by type with one condition of each type, and the one of `update`'s type is the same condition
 * (so its lastTransitionTime is kept) with exactly the fields, in the order, that `normalise`
 * writes. Most reconciles set most conditions as they were (a PodAutoscaler's 2,991 a day write
 * nothing 1,787 times), and then the new objects and the sort are not needed.
 */
function alreadySet(
  conditions: readonly Condition[],
  update: ConditionUpdate,
  severity: Condition['severity'],
): boolean {
  let found: Condition | undefined;
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i]!;
    if (i > 0 && !(conditions[i - 1]!.type < c.type)) return false;
    if (c.type === update.type) found = c;
  }
  if (!found || Object.getPrototypeOf(found) !== Object.prototype) return false;
  if (found.status !== update.status) return false;
  const keys = Object.keys(found);
  if (keys[0] !== 'type' || keys[1] !== 'status') return false;
  let at = 2;
  if (update.reason) {
    if (keys[at++] !== 'reason' || found.reason !== update.reason) return false;
  }
  if (update.message) {
    if (keys[at++] !== 'message' || found.message !== update.message) return false;
  }
  if (severity) {
    if (keys[at++] !== 'severity' || found.severity !== severity) return false;
  }
  return keys[at] === 'lastTransitionTime' && keys.length === at + 1;
}

/** Copy another object's condition under a new type (e.g. a Configuration's Ready as ConfigurationsReady). */
function mirror(type: string, source: Condition | ConditionUpdate): ConditionUpdate {
  return {
    type,
    status: source.status,
    ...(source.reason ? { reason: source.reason } : {}),
    ...(source.message ? { message: source.message } : {}),
  };
}

// ---- Service ----

const REASON_OUT_OF_DATE = 'OutOfDate';
const REASON_TRAFFIC_NOT_MIGRATED = 'TrafficNotMigrated';
const MESSAGE_TRAFFIC_NOT_MIGRATED = 'Traffic is not yet migrated to the latest revision.';

/**
 * ConfigurationsReady: Unknown `OutOfDate` until the Configuration has observed its latest
 * generation, then a copy of the Configuration's Ready (unchanged while it has none).
 */
export function serviceConfigurationsReady(config: Configuration): ConditionUpdate | undefined {
  if ((config.metadata.generation ?? 0) !== (config.status?.observedGeneration ?? 0)) {
    return {
      type: 'ConfigurationsReady',
      status: 'Unknown',
      reason: REASON_OUT_OF_DATE,
      message: 'The Configuration is still working to reflect the latest desired specification.',
    };
  }
  const ready = getCondition(config.status?.conditions, READY);
  return ready ? mirror('ConfigurationsReady', ready) : undefined;
}

/**
 * RoutesReady: Unknown `OutOfDate` until the Route has observed its latest generation, then a
 * copy of the Route's Ready — except that a Ready Route whose traffic does not yet match what the
 * Service asks for is Unknown `TrafficNotMigrated`.
 */
export function serviceRoutesReady(route: Route, trafficMigrated: boolean): ConditionUpdate | undefined {
  if ((route.metadata.generation ?? 0) !== (route.status?.observedGeneration ?? 0)) {
    return {
      type: 'RoutesReady',
      status: 'Unknown',
      reason: REASON_OUT_OF_DATE,
      message: 'The Route is still working to reflect the latest desired specification.',
    };
  }
  const ready = getCondition(route.status?.conditions, READY);
  if (!ready) return undefined;
  if (ready.status === 'True' && !trafficMigrated) {
    return {
      type: 'RoutesReady',
      status: 'Unknown',
      reason: REASON_TRAFFIC_NOT_MIGRATED,
      message: MESSAGE_TRAFFIC_NOT_MIGRATED,
    };
  }
  return mirror('RoutesReady', ready);
}

/**
 * RoutesReady when the Service leaves its Route alone because the template's BYO revision name is
 * taken by a conflicting Revision (Knative's MarkRevisionNameTaken).
 */
export function serviceRevisionNameTaken(name: string): ConditionUpdate {
  return {
    type: 'RoutesReady',
    status: 'False',
    reason: 'RevisionNameTaken',
    message: `The revision name "${name}" is taken by a conflicting Revision, so traffic will not be migrated`,
  };
}

/**
 * Whether the Route's status traffic is what its spec asks for, with the Configuration's targets
 * resolved to its latest ready revision (URLs and latestRevision flags are not compared).
 */
export function isTrafficMigrated(
  specTraffic: readonly TrafficTarget[] | undefined,
  statusTraffic: readonly TrafficTarget[] | undefined,
  config: Configuration,
): boolean {
  const want = (specTraffic ?? []).map((t) =>
    t.configurationName === config.metadata.name
      ? { ...t, revisionName: config.status?.latestReadyRevisionName, configurationName: undefined }
      : t,
  );
  const got = statusTraffic ?? [];
  if (want.length !== got.length) return false;
  return want.every((w, i) => {
    const g = got[i]!;
    return (
      (w.tag ?? '') === (g.tag ?? '') &&
      (w.revisionName ?? '') === (g.revisionName ?? '') &&
      (w.configurationName ?? '') === (g.configurationName ?? '') &&
      (w.percent ?? 0) === (g.percent ?? 0)
    );
  });
}

// ---- Configuration ----

export interface ConfigurationFacts {
  readonly latestCreatedRevisionName?: string;
  readonly latestReadyRevisionName?: string;
  /** The latest created revision failed (its Ready is False) with this message. */
  readonly latestCreatedFailedMessage?: string;
  /** Creating the revision failed with this message. */
  readonly revisionCreationFailedMessage?: string;
  /** The latest ready revision was deleted. */
  readonly latestReadyDeleted?: boolean;
}

/**
 * The revision a Configuration reports as latest ready, among its own revisions, as Knative's
 * reconciler finds it (findAndSetLatestReadyRevision, serving PR 13239: it only moves forward):
 * - the one its template names (BYO) when that one is ready, as Knative sorts it first, so that
 *   rolling back to an explicitly named older revision makes it latest ready again;
 * - else the ready one of the highest generation up to the current one (the first listed among
 *   equals), searched no lower than the generation of the latest ready revision it had
 *   (`previousReady`): a newer revision that becomes ready moves it forward, but when the latest
 *   ready one fails, an older ready one does not take its place. With no previous one, or when it
 *   was deleted, every generation is searched.
 * Undefined when none qualifies: the Configuration keeps the latest ready revision it had.
 */
export function latestReadyRevision(
  revisions: readonly Revision[],
  generation: number,
  byoName: string | undefined,
  previousReady?: string,
): Revision | undefined {
  const floor = searchFloor(revisions, generation, previousReady);
  let latest: Revision | undefined;
  let latestGeneration = Number.NEGATIVE_INFINITY;
  for (const r of revisions) {
    if (getCondition(r.status?.conditions, READY)?.status !== 'True') continue;
    if (byoName && r.metadata.name === byoName) return r;
    const g = Number(r.metadata.labels?.[LABEL_CONFIGURATION_GENERATION] ?? 0);
    if (g >= floor && g <= generation && g > latestGeneration) {
      latest = r;
      latestGeneration = g;
    }
  }
  return latest;
}

/**
 * The lowest generation the search for a latest ready revision looks at: that of the previous
 * latest ready revision (the current generation when its label does not parse, as Knative does),
 * or none when there was none or it is gone.
 */
function searchFloor(revisions: readonly Revision[], generation: number, previousReady: string | undefined): number {
  if (!previousReady) return Number.NEGATIVE_INFINITY;
  const previous = revisions.find((r) => r.metadata.name === previousReady);
  if (!previous) return Number.NEGATIVE_INFINITY;
  const label = previous.metadata.labels?.[LABEL_CONFIGURATION_GENERATION];
  return label !== undefined && /^[+-]?\d+$/.test(label) ? Number(label) : generation;
}

/**
 * A Configuration's Ready (its only condition):
 * - False `RevisionFailed` `Revision "X-00002" failed with message: <msg>.` when the latest
 *   created revision failed (or `Revision creation failed with message: <msg>.`);
 * - False `RevisionDeleted` `Revision "X" was deleted.` when the latest ready one is gone;
 * - Unknown (no reason) while the latest created is not the latest ready;
 * - True once they are the same.
 */
export function configurationReady(facts: ConfigurationFacts): ConditionUpdate {
  if (facts.revisionCreationFailedMessage !== undefined) {
    return {
      type: READY,
      status: 'False',
      reason: 'RevisionFailed',
      message: `Revision creation failed with message: ${facts.revisionCreationFailedMessage}.`,
    };
  }
  if (facts.latestCreatedFailedMessage !== undefined) {
    return {
      type: READY,
      status: 'False',
      reason: 'RevisionFailed',
      message: `Revision "${facts.latestCreatedRevisionName ?? ''}" failed with message: ${facts.latestCreatedFailedMessage}.`,
    };
  }
  if (facts.latestReadyDeleted) {
    return {
      type: READY,
      status: 'False',
      reason: 'RevisionDeleted',
      message: `Revision "${facts.latestReadyRevisionName ?? ''}" was deleted.`,
    };
  }
  if (!facts.latestCreatedRevisionName || facts.latestCreatedRevisionName !== facts.latestReadyRevisionName) {
    return { type: READY, status: 'Unknown' };
  }
  return { type: READY, status: 'True' };
}

// ---- Route ----

const REASON_INGRESS_NOT_CONFIGURED = 'IngressNotConfigured';

/** IngressReady: Unknown `IngressNotConfigured` until the KIngress reports Ready, then a copy of it. */
export function routeIngressReady(ingressReady: Condition | undefined): ConditionUpdate {
  if (!ingressReady) {
    return {
      type: 'IngressReady',
      status: 'Unknown',
      reason: REASON_INGRESS_NOT_CONFIGURED,
      message: 'Ingress has not yet been reconciled.',
    };
  }
  return mirror('IngressReady', ingressReady);
}

/** CertificateProvisioned without TLS: True `TLSNotEnabled`. */
export function routeTlsNotEnabled(clusterLocal: boolean): ConditionUpdate {
  return {
    type: 'CertificateProvisioned',
    status: 'True',
    reason: 'TLSNotEnabled',
    message: clusterLocal ? 'TLS is not enabled for cluster-local' : 'external-domain-tls is not enabled',
  };
}

// ---- Revision ----

const REASON_DEPLOYING = 'Deploying';
const REASON_CONTAINER_MISSING = 'ContainerMissing';
const REASON_PROGRESS_DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';
const MESSAGE_INITIAL_SCALE_NEVER_ACHIEVED = 'Initial scale was never achieved';

/** Both dependents Unknown `Deploying`: a revision just created. */
export function revisionDeploying(): ConditionUpdate[] {
  return [
    { type: 'ResourcesAvailable', status: 'Unknown', reason: REASON_DEPLOYING },
    { type: 'ContainerHealthy', status: 'Unknown', reason: REASON_DEPLOYING },
  ];
}

/** The image tag could not be resolved to a digest: ContainerHealthy False `ContainerMissing`. */
export function revisionContainerMissing(image: string, error: string): ConditionUpdate {
  return {
    type: 'ContainerHealthy',
    status: 'False',
    reason: REASON_CONTAINER_MISSING,
    message: `Unable to fetch image "${image}": failed to resolve image to digest: ${error}`,
  };
}

/**
 * The Deployment wants pods and has none available, and its first pod says why: ResourcesAvailable
 * False with the PodScheduled reason (`Unschedulable`) and the scheduler's message, at once
 * (knative/serving#4191, pkg/reconciler/revision/reconcile_resources.go), or, once the
 * Deployment's progress deadline has passed, the container's waiting reason (`ImagePullBackOff`,
 * `ErrImagePull`) and message.
 */
export function revisionPodsFailing(reason: string, message: string): ConditionUpdate {
  return { type: 'ResourcesAvailable', status: 'False', reason, message };
}

/**
 * Knative's revision reconciler (reconcile_resources.go `reconcileDeployment`) explains a
 * Deployment that wants pods and has none available by its first pod; otherwise it looks at no pod.
 */
export function deploymentStalled(deployment: Deployment | undefined): boolean {
  if (!deployment || (deployment.spec.replicas ?? 1) <= 0) return false;
  return ((deployment.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0) === 0;
}

/** What a stalled Deployment's first pod says (`reconcileDeployment`), in the order Knative reads it. */
export interface FirstPodFailure {
  /** The scheduler could not place it: PodScheduled False's reason (`Unschedulable`) and message. */
  readonly unscheduledPod?: { readonly reason: string; readonly message: string };
  /** Its user container has exited before (lastState.terminated): the exit code and message. */
  readonly exitedContainer?: { readonly exitCode: number; readonly message: string };
  /**
   * Its user container never ran and waits (`ContainerCreating`, `ImagePullBackOff`), and the
   * Deployment has passed its progress deadline: the waiting reason and message.
   */
  readonly waitingContainer?: { readonly reason: string; readonly message: string };
}

/**
 * The first pod of a stalled Deployment, read as Knative reads it: an unscheduled pod first, then
 * the user container (`userContainer`) that exited. `look` leaves out what cannot be (a cluster
 * where every pod is placed at once, a run where no app exits).
 */
export function firstPodFailure(
  pod: Pod,
  userContainer: string,
  look: { readonly scheduling: boolean; readonly exits: boolean },
  deploymentTimedOut = false,
): FirstPodFailure {
  if (look.scheduling) {
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False')
      return { unscheduledPod: { reason: scheduled.reason ?? '', message: scheduled.message ?? '' } };
  }
  if (look.exits) {
    const status = (pod.status?.containerStatuses ?? []).find((s) => s.name === userContainer) as
      | { lastState?: { terminated?: { exitCode: number; message?: string } } }
      | undefined;
    const t = status?.lastState?.terminated;
    if (t) return { exitedContainer: { exitCode: t.exitCode, message: t.message ?? '' } };
  }
  // Only past the Deployment's deadline (`hasDeploymentTimedOut`): before, a container still
  // being created is no failure.
  if (deploymentTimedOut) {
    const status = (pod.status?.containerStatuses ?? []).find((s) => s.name === userContainer) as
      | { state?: { waiting?: { reason?: string; message?: string } } }
      | undefined;
    const w = status?.state?.waiting;
    if (w) return { waitingContainer: { reason: w.reason ?? '', message: w.message ?? '' } };
  }
  return {};
}

/** A user container exited: ContainerHealthy False `ExitCode<N>`. */
export function revisionContainerExited(exitCode: number, terminationMessage: string): ConditionUpdate {
  const text = exitCode === 0 && terminationMessage === '' ? 'container exited with no error' : terminationMessage;
  return {
    type: 'ContainerHealthy',
    status: 'False',
    reason: `ExitCode${exitCode}`,
    message: `Container failed with: ${text}`,
  };
}

/** ContainerHealthy turns True as soon as the Deployment has a ready replica. */
export function revisionContainerHealthyFromDeployment(readyReplicas: number): ConditionUpdate | undefined {
  return readyReplicas > 0 ? { type: 'ContainerHealthy', status: 'True' } : undefined;
}

export interface AutoscalerPropagation {
  readonly updates: ConditionUpdate[];
  /** The PA's actualScale/desiredScale when ≥ 0; undefined means "omit the field". */
  readonly actualReplicas?: number;
  readonly desiredReplicas?: number;
}

/**
 * What a Revision takes from its PodAutoscaler:
 * - replica counts (omitted when negative or unknown);
 * - before the PA has a Ready condition: Active Unknown `Deploying` (and ResourcesAvailable too,
 *   unless a failure is already recorded);
 * - once the PA's ScaleTargetInitialized is True (and nothing failed): ResourcesAvailable and
 *   ContainerHealthy True — but ResourcesAvailable stays Unknown `Deploying` while the PA has no
 *   service name or is not initialized;
 * - Active copies the PA's Ready: Unknown (reason copied, e.g. `Queued`), True, or False (e.g.
 *   `NoTraffic`). A PA not Ready (False, any reason) that has a service name but never reached
 *   initial scale also makes ResourcesAvailable False `ProgressDeadlineExceeded` "Initial scale
 *   was never achieved".
 */
export function revisionFromAutoscaler(
  revisionConditions: readonly Condition[] | undefined,
  pa: PodAutoscaler | undefined,
): AutoscalerPropagation {
  return revisionFromAutoscalerFacts(revisionConditions, autoscalerFacts(pa));
}

/**
 * All a Revision reads of its PodAutoscaler: the replica counts, the PA's Ready (what Active
 * mirrors of it), whether its ScaleTargetInitialized is True, its service name.
 * `revisionFromAutoscaler` reads the PA through this alone, so two PAs with equal facts give a
 * revision the same conditions (the Revision reconciler compares facts, not whole PA statuses,
 * to tell a reconcile that repeats the last one: most PA status writes change what a Revision
 * does not read, the SKS's readiness or a condition's time).
 */
export interface AutoscalerFacts {
  readonly actualReplicas?: number;
  readonly desiredReplicas?: number;
  readonly ready?: ConditionUpdate;
  readonly initialized: boolean;
  readonly serviceName: string;
}

export function autoscalerFacts(pa: PodAutoscaler | undefined): AutoscalerFacts {
  const status = pa?.status;
  const paReady = getCondition(status?.conditions, READY);
  return {
    ...(status?.actualScale !== undefined && status.actualScale >= 0 ? { actualReplicas: status.actualScale } : {}),
    ...(status?.desiredScale !== undefined && status.desiredScale >= 0 ? { desiredReplicas: status.desiredScale } : {}),
    ...(paReady ? { ready: mirror(READY, paReady) } : {}),
    initialized: getCondition(status?.conditions, 'ScaleTargetInitialized')?.status === 'True',
    serviceName: status?.serviceName ?? '',
  };
}

function revisionFromAutoscalerFacts(
  revisionConditions: readonly Condition[] | undefined,
  facts: AutoscalerFacts,
): AutoscalerPropagation {
  const replicas = {
    ...(facts.actualReplicas !== undefined ? { actualReplicas: facts.actualReplicas } : {}),
    ...(facts.desiredReplicas !== undefined ? { desiredReplicas: facts.desiredReplicas } : {}),
  };
  const failed =
    getCondition(revisionConditions, 'ResourcesAvailable')?.status === 'False' ||
    getCondition(revisionConditions, 'ContainerHealthy')?.status === 'False';
  const paReady = facts.ready;
  const updates: ConditionUpdate[] = [];
  if (!paReady) {
    updates.push({ type: 'Active', status: 'Unknown', reason: REASON_DEPLOYING });
    if (!failed) updates.push({ type: 'ResourcesAvailable', status: 'Unknown', reason: REASON_DEPLOYING });
    return { updates, ...replicas };
  }
  const { initialized, serviceName } = facts;
  let resourcesAvailable = getCondition(revisionConditions, 'ResourcesAvailable')?.status;
  if (initialized && !failed) {
    updates.push({ type: 'ResourcesAvailable', status: 'True' }, { type: 'ContainerHealthy', status: 'True' });
    resourcesAvailable = 'True';
  }
  if (resourcesAvailable === 'True' && (serviceName === '' || !initialized)) {
    updates.push({ type: 'ResourcesAvailable', status: 'Unknown', reason: REASON_DEPLOYING });
  }
  switch (paReady.status) {
    case 'Unknown':
      updates.push(mirror('Active', paReady));
      break;
    case 'False':
      // Any PA Ready False before initial scale was reached, whatever its reason: the PA gave
      // up on the revision (Knative's PropagateAutoscalerStatus, TestPropagateAutoscalerStatusNoProgress).
      if (!initialized && !failed && serviceName !== '') {
        updates.push({
          type: 'ResourcesAvailable',
          status: 'False',
          reason: REASON_PROGRESS_DEADLINE_EXCEEDED,
          message: MESSAGE_INITIAL_SCALE_NEVER_ACHIEVED,
        });
      }
      updates.push(mirror('Active', paReady));
      break;
    case 'True':
      updates.push({ type: 'Active', status: 'True' });
      // A PA that serves proves its pods run: a failure reported from the Deployment's pods
      // (e.g. Unschedulable until a node joined) is over.
      if (getCondition(revisionConditions, 'ResourcesAvailable')?.status === 'False') {
        updates.push({ type: 'ResourcesAvailable', status: 'True' }, { type: 'ContainerHealthy', status: 'True' });
      }
      break;
  }
  return { updates, ...replicas };
}

/**
 * A revision's Active as it reports it: `Deploying` before its PodAutoscaler has conditions
 * (Active absent, or Unknown `Deploying`), otherwise the status the PA's Ready gave it.
 */
export type RevisionActiveMode = 'Deploying' | ConditionStatus;

export function revisionActiveMode(conditions: readonly Condition[] | undefined): RevisionActiveMode {
  const active = getCondition(conditions, 'Active');
  if (!active || (active.status === 'Unknown' && active.reason === REASON_DEPLOYING)) return 'Deploying';
  return active.status;
}

// ---- PodAutoscaler ----

export const REASON_QUEUED = 'Queued';
export const MESSAGE_QUEUED = 'Requests to the target are being buffered as resources are provisioned.';
export const REASON_NO_TRAFFIC = 'NoTraffic';
export const MESSAGE_NO_TRAFFIC = 'The target is not receiving traffic.';
export const REASON_TIMED_OUT = 'TimedOut';
export const MESSAGE_TIMED_OUT = 'The target could not be activated.';

// The PA's Active condition and its threshold are the KPA's scale step: computeActiveCondition
// and minReadyPods in src/model/kpa/scaler.ts.

/** ScaleTargetInitialized turns True once enough pods were ready and the SKS service exists; never back. */
export function paScaleTargetInitialized(
  ready: number,
  minReady: number,
  serviceName: string,
): ConditionUpdate | undefined {
  return ready >= minReady && serviceName !== '' ? { type: 'ScaleTargetInitialized', status: 'True' } : undefined;
}

/** SKSReady: True when the SKS is Ready, else Unknown `NotReady` with the SKS's message. */
export function paSksReady(sksReady: Condition | undefined): ConditionUpdate {
  if (sksReady?.status === 'True') return { type: 'SKSReady', status: 'True' };
  return {
    type: 'SKSReady',
    status: 'Unknown',
    reason: 'NotReady',
    ...(sksReady?.message ? { message: sksReady.message } : {}),
  };
}
