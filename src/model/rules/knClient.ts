/**
 * The kn CLI's own conventions (knative/client): how `kn service create` and `kn service update`
 * turn flags into a Service, and how kn's wait prints a Service's progress. kn is a client, not a
 * controller: what it writes is an ordinary Service, which Knative then reconciles as any other
 * (docs/scenarios.md "kn"; the sources are named in docs/simulator.md "The kn client").
 */
import type { Container, KubeObject, Revision, Service } from '../api/types.js';
import { isoAt } from './time.js';

/** The template annotation kn keeps the image as the user typed it in (lock-to-digest). */
export const KN_USER_IMAGE = 'client.knative.dev/user-image';
/** The template annotation kn stamps on every change that makes a new revision. */
export const KN_UPDATE_TIMESTAMP = 'client.knative.dev/updateTimestamp';

const AUTOSCALING_PREFIX = 'autoscaling.knative.dev';

/** `NAME=value` sets, `NAME-` removes (kn's "minus suffix"), in the order given. */
export type KnSetting = readonly [key: string, value: string | undefined];

/** What the flags of `kn service create|update` ask for; absent: the flag was not given. */
export interface KnServiceEdits {
  readonly image?: string;
  readonly env: readonly KnSetting[];
  readonly port?: { readonly name?: string; readonly containerPort: number };
  /** `--annotation`: on the Service (autoscaling ones excepted) and on the revision template. */
  readonly annotations: readonly KnSetting[];
  /** `--label`: on the Service and on the revision template. */
  readonly labels: readonly KnSetting[];
  readonly scaleMin?: number;
  readonly scaleMax?: number;
  readonly scaleInit?: number;
  readonly scaleTarget?: number;
  readonly scaleUtilization?: number;
  readonly scaleWindow?: string;
  readonly scaleMetric?: string;
  readonly scaleActivation?: number;
  readonly concurrencyLimit?: number;
  readonly timeoutSeconds?: number;
  readonly revisionName?: string;
  /** `--cluster-local` (true) or `--no-cluster-local` (false). */
  readonly clusterLocal?: boolean;
  readonly requests: readonly KnSetting[];
  readonly limits: readonly KnSetting[];
  /** `--no-lock-to-digest`: kn keeps no user-image annotation and pins no digest. */
  readonly lockToDigest: boolean;
}

/** Whether any flag that makes a new revision was given (kn's `AnyMutation`). */
export function knMakesRevision(e: KnServiceEdits): boolean {
  return (
    e.image !== undefined ||
    e.env.length > 0 ||
    e.port !== undefined ||
    e.annotations.length > 0 ||
    e.labels.length > 0 ||
    e.scaleMin !== undefined ||
    e.scaleMax !== undefined ||
    e.scaleInit !== undefined ||
    e.scaleTarget !== undefined ||
    e.scaleUtilization !== undefined ||
    e.scaleWindow !== undefined ||
    e.scaleMetric !== undefined ||
    e.scaleActivation !== undefined ||
    e.concurrencyLimit !== undefined ||
    e.timeoutSeconds !== undefined ||
    e.revisionName !== undefined ||
    e.requests.length > 0 ||
    e.limits.length > 0
  );
}

/** A new Service as `kn service create NAME --image …` builds it before sending it. */
export function knNewService(name: string, namespace: string, edits: KnServiceEdits, nowMs: number): Service {
  const service: Service = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace },
    // kn starts from a template carrying an empty user-image annotation: its presence is what
    // makes the first mutation record the image there (lock-to-digest).
    spec: { template: { metadata: { annotations: { [KN_USER_IMAGE]: '' } }, spec: { containers: [{}] } } },
  };
  return knEditService(service, edits, nowMs, undefined);
}

/**
 * The Service after `kn service update`'s flags (or create's) are applied to it, in kn's order:
 * the pod spec, the revision name, the update timestamp, the image's digest, then the scale
 * annotations, concurrency, visibility, labels, annotations, initial scale and timeout.
 * `baseDigest` is the image digest of the revision the template made, which an update without
 * --image pins the image to. Returns a new object; `service` is not changed.
 */
export function knEditService(
  service: Service,
  edits: KnServiceEdits,
  nowMs: number,
  baseDigest: string | undefined,
): Service {
  const out = structuredClone(service);
  const template = out.spec.template;
  template.metadata ??= {};
  template.spec.containers ??= [];
  const containers = template.spec.containers;
  if (containers.length === 0) containers.push({});
  const container = containers[0] as Container & {
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  };

  if (edits.image !== undefined) container.image = edits.image;
  if (edits.env.length > 0) container.env = applySettings(container.env ?? [], edits.env);
  if (edits.port) {
    container.ports = [
      { containerPort: edits.port.containerPort, ...(edits.port.name ? { name: edits.port.name } : {}) },
    ];
  }
  if (edits.requests.length > 0 || edits.limits.length > 0) {
    container.resources ??= {};
    const resources = container.resources;
    resources.requests = setMap(resources.requests, edits.requests) ?? {};
    resources.limits = setMap(resources.limits, edits.limits) ?? {};
  }

  const mutation = knMakesRevision(edits);
  if (edits.revisionName !== undefined && mutation) {
    template.metadata.name = knRevisionName(edits.revisionName, out);
  }
  template.metadata.annotations ??= {};
  const annotations = template.metadata.annotations;
  if (mutation) annotations[KN_UPDATE_TIMESTAMP] = isoAt(nowMs);
  if (edits.lockToDigest && mutation && KN_USER_IMAGE in annotations) {
    const image = container.image ?? '';
    annotations[KN_USER_IMAGE] = image.includes('@') ? (annotations[KN_USER_IMAGE] ?? image) : image;
    if (edits.image === undefined && baseDigest) container.image = baseDigest;
  }
  if (!edits.lockToDigest) delete annotations[KN_USER_IMAGE];

  const scale: Record<string, string> = {};
  if (edits.scaleMin !== undefined) scale[`${AUTOSCALING_PREFIX}/min-scale`] = String(edits.scaleMin);
  if (edits.scaleMax !== undefined) scale[`${AUTOSCALING_PREFIX}/max-scale`] = String(edits.scaleMax);
  if (edits.scaleWindow !== undefined) scale[`${AUTOSCALING_PREFIX}/window`] = edits.scaleWindow;
  if (edits.scaleTarget !== undefined) scale[`${AUTOSCALING_PREFIX}/target`] = String(edits.scaleTarget);
  if (edits.scaleMetric !== undefined) scale[`${AUTOSCALING_PREFIX}/metric`] = edits.scaleMetric;
  if (edits.scaleActivation !== undefined)
    scale[`${AUTOSCALING_PREFIX}/activation-scale`] = String(edits.scaleActivation);
  if (edits.scaleUtilization !== undefined)
    scale[`${AUTOSCALING_PREFIX}/target-utilization-percentage`] = String(edits.scaleUtilization);
  Object.assign(annotations, scale);
  if (edits.concurrencyLimit !== undefined) template.spec.containerConcurrency = edits.concurrencyLimit;

  if (edits.clusterLocal !== undefined) {
    const labels = { ...(out.metadata.labels ?? {}) };
    if (edits.clusterLocal) labels['networking.knative.dev/visibility'] = 'cluster-local';
    else delete labels['networking.knative.dev/visibility'];
    out.metadata.labels = labels;
  }
  if (edits.labels.length > 0) {
    out.metadata.labels = setMap(out.metadata.labels, edits.labels) ?? {};
    template.metadata.labels = setMap(template.metadata.labels, edits.labels) ?? {};
  }
  if (edits.annotations.length > 0) {
    setMap(annotations, edits.annotations, annotations);
    // A Service cannot carry autoscaling annotations: those go on the template only.
    const forService = edits.annotations.filter(([k, v]) => v === undefined || !k.startsWith(AUTOSCALING_PREFIX));
    if (forService.length > 0) out.metadata.annotations = setMap(out.metadata.annotations, forService) ?? {};
  }
  if (edits.scaleInit !== undefined) annotations[`${AUTOSCALING_PREFIX}/initial-scale`] = String(edits.scaleInit);
  if (edits.timeoutSeconds !== undefined) template.spec.timeoutSeconds = edits.timeoutSeconds;
  return out;
}

/** Env entries updated in place, new ones appended in the order given, `NAME-` ones removed. */
function applySettings(
  env: readonly { name: string; value?: string }[],
  settings: readonly KnSetting[],
): { name: string; value?: string }[] {
  const out = env.map((e) => ({ ...e }));
  for (const [name, value] of settings) {
    if (value === undefined) continue;
    const at = out.findIndex((e) => e.name === name);
    if (at >= 0) out[at] = { name, value };
    else out.push({ name, value });
  }
  const removed = new Set(settings.filter(([, v]) => v === undefined).map(([k]) => k));
  return out.filter((e) => !removed.has(e.name));
}

function setMap(
  map: Record<string, string> | undefined,
  settings: readonly KnSetting[],
  into: Record<string, string> = { ...(map ?? {}) },
): Record<string, string> | undefined {
  for (const [k, v] of settings) if (v !== undefined) into[k] = v;
  for (const [k, v] of settings) if (v === undefined) delete into[k];
  return into;
}

/**
 * `--revision-name`: a Go template with `{{.Service}}`, `{{.Generation}}` (the generation the
 * update will get) and `{{.Random n}}`, which knsim does not draw (it is refused when the scenario
 * is read: a run must be the same for the same seed). The name must start with the Service's name
 * and a dash; a name without a template is taken as it is.
 */
export function knRevisionName(template: string, service: Service): string {
  const generation = (service.metadata.generation ?? 0) + 1;
  const name = template
    .replace(/\{\{\s*\.Service\s*\}\}/g, service.metadata.name)
    .replace(/\{\{\s*\.Generation\s*\}\}/g, String(generation));
  if (!name.startsWith(`${service.metadata.name}-`)) {
    throw new KnError(`revision name '${name}' must be prefixed with service name '${service.metadata.name}'`);
  }
  return name;
}

/**
 * The revision a Service's template made, which an update without --image pins its image's digest
 * to (kn's GetBaseRevision): the one the template names, else the latest created one if it runs
 * the template's image; none otherwise.
 */
export function knBaseRevision(service: Service, revisions: readonly Revision[]): Revision | undefined {
  const template = service.spec.template;
  const named = template.metadata?.name;
  if (named) return revisions.find((r) => r.metadata.name === named);
  const latest = service.status?.latestCreatedRevisionName;
  if (!latest) return undefined;
  const revision = revisions.find((r) => r.metadata.name === latest);
  const image = template.spec.containers?.[0]?.image;
  return revision && revision.spec.containers?.[0]?.image === image ? revision : undefined;
}

/** An error kn reports (`Error: …` on stderr, exit 1). */
export class KnError extends Error {}

// ---- the wait ----

/**
 * What kn's wait does with one watch event of the Service (knative/client pkg/wait): an event
 * whose generation is not yet observed is skipped; Ready True ends the wait; Ready False starts
 * the error window (the wait fails if it does not turn within it); a Ready condition with a
 * message prints it, `...` when it is the previous line's message again.
 */
export type KnWaitStep =
  | { readonly kind: 'skip' }
  | { readonly kind: 'ready' }
  | { readonly kind: 'message'; readonly message: string; readonly failed?: { reason: string; message: string } };

export function knWaitStep(obj: KubeObject): KnWaitStep {
  const status = (obj as { status?: { observedGeneration?: number; conditions?: ReadyCondition[] } }).status;
  if (status?.observedGeneration === undefined || status.observedGeneration !== obj.metadata.generation) {
    return { kind: 'skip' };
  }
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  if (!ready) return { kind: 'skip' };
  if (ready.status === 'True') return { kind: 'ready' };
  const failed = ready.status === 'False' ? { reason: ready.reason ?? '', message: ready.message ?? '' } : undefined;
  return { kind: 'message', message: ready.message ?? '', ...(failed ? { failed } : {}) };
}

interface ReadyCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** One progress line: seconds since the wait began, as Go's `%7.3fs`, then the message. */
export function knProgressLine(elapsedMs: number, message: string): string {
  return `${(Math.round(elapsedMs) / 1000).toFixed(3).padStart(7)}s ${message}`;
}

/** kn's error window: how long Ready may stay False before the wait gives up (--wait-window). */
export const KN_WAIT_WINDOW_MS = 2_000;
/** kn's default --wait-timeout, in seconds. */
export const KN_WAIT_TIMEOUT_S = 600;
