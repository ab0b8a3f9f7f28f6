/**
 * What the live backend reads off real objects, as pure functions: a pod's phase in the event
 * log's terms, the revision a pod or deployment belongs to, a PodAutoscaler's scale, a
 * ServerlessService's mode, and which revision a route sends a host's traffic to.
 */
import type { KubeObject, Pod, PodAutoscaler, Route, ServerlessService } from '../../model/api/types.js';
import type { PodPhase } from '../../model/events.js';
import { hostOf } from '../../model/rules/domain.js';
import { LABEL_REVISION } from '../../model/rules/labels.js';

/**
 * Pending (not scheduled or not started), ContainerCreating (scheduled, containers being
 * created), Running (containers running, not Ready yet), Ready, Terminating (deletion requested).
 * `Gone` is the deletion itself, reported by the watch.
 */
export function podPhaseOf(pod: Pod): Exclude<PodPhase, 'Gone'> {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  const status = pod.status ?? {};
  const conditions = status.conditions ?? [];
  if (conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return 'Ready';
  const statuses = status.containerStatuses ?? [];
  if (status.phase === 'Running' || (statuses.length > 0 && statuses.every((c) => c.state?.running))) {
    return 'Running';
  }
  const scheduled = conditions.some((c) => c.type === 'PodScheduled' && c.status === 'True');
  if (statuses.some((c) => c.state?.waiting?.reason === 'ContainerCreating') || (scheduled && statuses.length === 0)) {
    return 'ContainerCreating';
  }
  if (scheduled && statuses.some((c) => c.state?.waiting)) return 'ContainerCreating';
  return 'Pending';
}

export function revisionOf(obj: KubeObject): string | undefined {
  return obj.metadata.labels?.[LABEL_REVISION];
}

export interface PaScale {
  desired: number | undefined;
  actual: number | undefined;
}

export function paScale(pa: PodAutoscaler): PaScale {
  return { desired: pa.status?.desiredScale, actual: pa.status?.actualScale };
}

export function sksMode(sks: ServerlessService): 'Serve' | 'Proxy' | undefined {
  return sks.spec?.mode;
}

/** The revision a route sends the most traffic to (what a request to its host lands on). */
export function mainRevisionOf(route: Route): string | undefined {
  const traffic = route.status?.traffic ?? [];
  let best: { name: string; percent: number } | undefined;
  for (const t of traffic) {
    if (!t.revisionName || t.tag) continue;
    const percent = t.percent ?? 0;
    if (!best || percent > best.percent) best = { name: t.revisionName, percent };
  }
  return best?.name;
}

/** The route whose URL (or a tagged URL) has this host. */
export function routeForHost(routes: Route[], host: string): Route | undefined {
  const bare = host.replace(/:\d+$/, '');
  for (const r of routes) {
    if (hostOf(r.status?.url)?.replace(/:\d+$/, '') === bare) return r;
    const tagged = (r.status?.traffic ?? []).find((t) => t.url && hostOf(t.url)?.replace(/:\d+$/, '') === bare);
    if (tagged) return r;
  }
  return undefined;
}

/** The revision that serves a host: the tagged target for a tag URL, else the route's main one. */
export function revisionForHost(routes: Route[], host: string): string | undefined {
  const bare = host.replace(/:\d+$/, '');
  const route = routeForHost(routes, host);
  if (!route) return undefined;
  const tagged = (route.status?.traffic ?? []).find((t) => t.url && hostOf(t.url)?.replace(/:\d+$/, '') === bare);
  return tagged?.revisionName ?? mainRevisionOf(route);
}

const TIME_KEYS = new Set([
  'creationTimestamp',
  'deletionTimestamp',
  'lastTransitionTime',
  'lastUpdateTime',
  'lastProbeTime',
  'startedAt',
  'finishedAt',
  'startTime',
]);

/**
 * The object with its timestamps moved by `shiftMs` (a copy). The runner's kubectl tables age
 * objects against run time on the simulator's epoch; shifting a live object's wall-clock
 * timestamps by (simulator epoch − run start) makes `AGE` come out right. The event log keeps
 * the real timestamps (its header carries the real epoch).
 */
export function shiftTimes<T>(value: T, shiftMs: number): T {
  if (Array.isArray(value)) return value.map((v) => shiftTimes(v, shiftMs)) as T;
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string' && TIME_KEYS.has(k)) {
      const ms = Date.parse(v);
      out[k] = Number.isFinite(ms) ? new Date(ms + shiftMs).toISOString().replace(/\.\d{3}Z$/, 'Z') : v;
    } else out[k] = typeof v === 'object' ? shiftTimes(v, shiftMs) : v;
  }
  return out as T;
}

/** managedFields are large and say nothing the log needs. */
export function stripManagedFields(obj: KubeObject): KubeObject {
  if (!obj.metadata || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _m, ...metadata } = obj.metadata;
  return { ...obj, metadata: metadata as KubeObject['metadata'] };
}
