/**
 * The tables `kn service list`, `kn revision list` and `kn route list` print (knative/client
 * pkg/commands/{service,revision,route}/human_readable_flags.go): the same tabwriter as kubectl,
 * upper-case headers, a NAMESPACE column first with --all-namespaces (not for routes).
 */
import type { Condition, KubeObject, Service } from '../api/types.js';
import { tabwriterFormat } from './tables.js';
import { ageSince } from './time.js';

interface WithStatus extends KubeObject {
  status?: { conditions?: Condition[]; url?: string; latestReadyRevisionName?: string; traffic?: Traffic[] };
}

interface Traffic {
  revisionName?: string;
  percent?: number;
  tag?: string;
}

/** `3 OK / 3`: the conditions that are True, of all of them. */
export function knConditionsValue(conditions: readonly Condition[] | undefined): string {
  const all = conditions ?? [];
  return `${all.filter((c) => c.status === 'True').length} OK / ${all.length}`;
}

/** The Ready condition's status, `<unknown>` without one. */
export function knReadyCondition(conditions: readonly Condition[] | undefined): string {
  return conditions?.find((c) => c.type === 'Ready')?.status ?? '<unknown>';
}

/** The Ready condition's `reason : message` when it is not True. */
export function knNonReadyReason(conditions: readonly Condition[] | undefined): string {
  const ready = conditions?.find((c) => c.type === 'Ready');
  if (!ready) return '<unknown>';
  if (ready.status === 'True') return '';
  return ready.message ? `${ready.reason ?? ''} : ${ready.message}` : (ready.reason ?? '');
}

/** The longest a revision list cell may be before kn cuts it (`… ...`). */
const REVISION_CELL_MAX = 50;

function trunc(text: string): string {
  return text.length <= REVISION_CELL_MAX ? text : `${text.slice(0, REVISION_CELL_MAX - 4)} ...`;
}

function render(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return `${tabwriterFormat([header, ...rows])}\n`;
}

function byNamespaceThenName(a: KubeObject, b: KubeObject): number {
  const an = a.metadata.namespace ?? '';
  const bn = b.metadata.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** `kn service list`, or `No services found.` */
export function knServiceList(services: readonly KubeObject[], nowMs: number, allNamespaces: boolean): string {
  if (services.length === 0) return 'No services found.\n';
  const rows = [...services].sort(byNamespaceThenName).map((s) => {
    const st = (s as WithStatus).status;
    const cells = [
      s.metadata.name,
      st?.url ?? '',
      st?.latestReadyRevisionName ?? '',
      ageSince(s.metadata.creationTimestamp, nowMs),
      knConditionsValue(st?.conditions),
      knReadyCondition(st?.conditions),
      knNonReadyReason(st?.conditions),
    ];
    return allNamespaces ? [s.metadata.namespace ?? '', ...cells] : cells;
  });
  const header = ['NAME', 'URL', 'LATEST', 'AGE', 'CONDITIONS', 'READY', 'REASON'];
  return render(allNamespaces ? ['NAMESPACE', ...header] : header, rows);
}

/**
 * `kn revision list`: newest generation first within a Service, Services by name; TRAFFIC and
 * TAGS read from the owning Service's status traffic. `No revisions found.` when there are none.
 */
export function knRevisionList(
  revisions: readonly KubeObject[],
  services: readonly KubeObject[],
  nowMs: number,
  allNamespaces: boolean,
): string {
  if (revisions.length === 0) return 'No revisions found.\n';
  const serviceOf = (r: KubeObject) => r.metadata.labels?.['serving.knative.dev/service'] ?? '';
  const generationOf = (r: KubeObject) => r.metadata.labels?.['serving.knative.dev/configurationGeneration'] ?? '';
  const sorted = [...revisions].sort((a, b) => {
    const an = a.metadata.namespace ?? '';
    const bn = b.metadata.namespace ?? '';
    if (an !== bn) return an < bn ? -1 : 1;
    if (serviceOf(a) !== serviceOf(b)) return serviceOf(a) < serviceOf(b) ? -1 : 1;
    const ag = Number.parseInt(generationOf(a), 10);
    const bg = Number.parseInt(generationOf(b), 10);
    if (!Number.isNaN(ag) && !Number.isNaN(bg) && ag !== bg) return bg - ag;
    return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  });
  const rows = sorted.map((r) => {
    const service = services.find(
      (s) => s.metadata.name === serviceOf(r) && s.metadata.namespace === r.metadata.namespace,
    ) as Service | undefined;
    let percent = 0;
    const tags: string[] = [];
    for (const t of (service?.status?.traffic ?? []) as Traffic[]) {
      if (t.revisionName !== r.metadata.name) continue;
      percent += t.percent ?? 0;
      if (t.tag) tags.push(t.tag);
    }
    const st = (r as WithStatus).status;
    const cells = [
      r.metadata.name,
      serviceOf(r),
      percent !== 0 ? `${percent}%` : '',
      tags.join(','),
      generationOf(r),
      ageSince(r.metadata.creationTimestamp, nowMs),
      knConditionsValue(st?.conditions),
      knReadyCondition(st?.conditions),
      knNonReadyReason(st?.conditions),
    ].map(trunc);
    return allNamespaces ? [trunc(r.metadata.namespace ?? ''), ...cells] : cells;
  });
  const header = ['NAME', 'SERVICE', 'TRAFFIC', 'TAGS', 'GENERATION', 'AGE', 'CONDITIONS', 'READY', 'REASON'];
  return render(allNamespaces ? ['NAMESPACE', ...header] : header, rows);
}

/** `kn route list`: NAME, URL, READY (no namespace column, even across namespaces). */
export function knRouteList(routes: readonly KubeObject[]): string {
  if (routes.length === 0) return 'No routes found.\n';
  const rows = routes.map((r) => {
    const st = (r as WithStatus).status;
    return [r.metadata.name, st?.url ?? '', knReadyCondition(st?.conditions)];
  });
  return render(['NAME', 'URL', 'READY'], rows);
}
