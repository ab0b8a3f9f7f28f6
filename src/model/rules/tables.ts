/**
 * kubectl-style tables (`kubectl get …`), byte for byte.
 *
 * Layout: kubectl writes each row as cells separated by tabs and ending in a newline, through Go's
 * text/tabwriter with minwidth 6, tabwidth 4, padding 3, padchar ' ' and no flags. So every cell
 * except the last of its row is padded with spaces to (widest cell in that column + 3, at least
 * 6); the last cell of a row is written as is. An empty cell before the last one is therefore
 * all spaces, and a row whose last cell is empty ends in spaces (kubectl really prints them).
 *
 * Columns: each resource's columns are data — a header and a function from the object to the
 * cell text. The Knative types use their CRDs' additionalPrinterColumns (JSONPath cells: a field
 * that is absent prints as an empty cell, not `<none>`; kubectl skips null cells). The core types
 * follow kubectl's built-in printers (pods, deployments, configmaps, services).
 */
import type {
  Condition,
  ConfigMap,
  Configuration,
  ContainerStatus,
  Deployment,
  KubeObject,
  Pod,
  PodAutoscaler,
  Revision,
  Route,
  ServerlessService,
  Service,
} from '../api/types.js';
import { nodeRoles } from '../cluster/nodes.js';
import { hpaTargets, type MetricStatus } from '../hpa/reconcile.js';
import type { HpaSpec } from '../hpa/spec.js';
import { LABEL_CONFIGURATION, LABEL_CONFIGURATION_GENERATION } from './labels.js';
import { objectReference, type ResourceType, resolveResourceName, resourceById } from './resources.js';
import { ageSince } from './time.js';

// ---- tabwriter ----

export interface TabwriterSettings {
  readonly minwidth: number;
  readonly tabwidth: number;
  readonly padding: number;
  readonly padchar: string;
}

/** The settings kubectl's printers use (k8s.io/cli-runtime GetNewTabWriter). */
const KUBECTL_TABWRITER: TabwriterSettings = { minwidth: 6, tabwidth: 4, padding: 3, padchar: ' ' };

/** Display width of a cell: tabwriter counts code points (it assumes one column per rune). */
function textWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Align lines of cells as Go's text/tabwriter does (padchar ' ', no flags). In each line every
 * cell but the last is "tab-terminated" and belongs to a column; the last cell is not aligned.
 * A column is a run of consecutive lines that all have a terminated cell at that index, and its
 * width is max(minwidth, widest cell + padding) over that run only.
 * Lines are joined with '\n'; no newline is added after the last line.
 */
export function tabwriterFormat(lines: readonly (readonly string[])[], settings = KUBECTL_TABWRITER): string {
  const widths: number[] = [];
  const out: string[] = [];

  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i] ?? [];
      let text = '';
      cells.forEach((cell, j) => {
        text += cell;
        const width = widths[j];
        if (j < cells.length - 1 && width !== undefined) {
          text += settings.padchar.repeat(Math.max(0, width - textWidth(cell)));
        }
      });
      out.push(text);
    }
  };

  // Mirrors tabwriter's recursive column-block formatting.
  const format = (lineFrom: number, lineTo: number): void => {
    const column = widths.length;
    let start = lineFrom;
    for (let i = lineFrom; i < lineTo; i++) {
      if (column >= (lines[i]?.length ?? 0) - 1) continue;
      // A block of lines with a terminated cell in this column starts here.
      writeLines(start, i);
      start = i;
      let width = settings.minwidth;
      for (; i < lineTo; i++) {
        const cells = lines[i] ?? [];
        if (column >= cells.length - 1) break;
        width = Math.max(width, textWidth(cells[column] ?? '') + settings.padding);
      }
      widths.push(width);
      format(start, i);
      widths.pop();
      start = i; // line i has no cell in this column, so the outer i++ may skip it
    }
    writeLines(start, lineTo);
  };

  format(0, lines.length);
  return out.join('\n');
}

/**
 * A cell as kubectl prints a string value: only the text before the first line break (\n, \r or
 * \f) is shown, followed by `...` when something was cut.
 */
function printableCell(value: string): string {
  const cut = value.search(/[\f\n\r]/);
  return cut >= 0 ? `${value.slice(0, cut)}...` : value;
}

/** A header row and data rows laid out as kubectl prints them, each line ending in '\n'. */
export function renderTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [columns, ...rows.map((row) => row.map(printableCell))];
  return `${tabwriterFormat(lines)}\n`;
}

// ---- column specs ----

export interface RenderContext {
  /** Simulated now, for AGE columns. */
  readonly nowMs: number;
}

export interface ColumnSpec<T> {
  readonly header: string;
  readonly value: (obj: T, ctx: RenderContext) => string;
}

/** The columns of one resource type's table (NAME included). */
export type TableSpec<T> = readonly ColumnSpec<T>[];

function conditionOf(obj: KubeObject, type: string): Condition | undefined {
  const status = obj.status as { conditions?: Condition[] } | undefined;
  return status?.conditions?.find((c) => c.type === type);
}

/** An integer-or-absent field as a JSONPath printer column shows it. */
function numberCell(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

const name: ColumnSpec<KubeObject> = { header: 'NAME', value: (o) => o.metadata.name };
const ready: ColumnSpec<KubeObject> = { header: 'READY', value: (o) => conditionOf(o, 'Ready')?.status ?? '' };
const reason: ColumnSpec<KubeObject> = { header: 'REASON', value: (o) => conditionOf(o, 'Ready')?.reason ?? '' };
const age: ColumnSpec<KubeObject> = {
  header: 'AGE',
  value: (o, ctx) => ageSince(o.metadata.creationTimestamp, ctx.nowMs),
};

const KSVC_COLUMNS: TableSpec<Service> = [
  name,
  { header: 'URL', value: (s) => s.status?.url ?? '' },
  { header: 'LATESTCREATED', value: (s) => s.status?.latestCreatedRevisionName ?? '' },
  { header: 'LATESTREADY', value: (s) => s.status?.latestReadyRevisionName ?? '' },
  ready,
  reason,
];

const CONFIGURATION_COLUMNS: TableSpec<Configuration> = [
  name,
  { header: 'LATESTCREATED', value: (c) => c.status?.latestCreatedRevisionName ?? '' },
  { header: 'LATESTREADY', value: (c) => c.status?.latestReadyRevisionName ?? '' },
  ready,
  reason,
];

const ROUTE_COLUMNS: TableSpec<Route> = [name, { header: 'URL', value: (r) => r.status?.url ?? '' }, ready, reason];

/** Current Knative (since v1.15): no `K8S SERVICE NAME` column. */
const REVISION_COLUMNS: TableSpec<Revision> = [
  name,
  { header: 'CONFIG NAME', value: (r) => r.metadata.labels?.[LABEL_CONFIGURATION] ?? '' },
  { header: 'GENERATION', value: (r) => r.metadata.labels?.[LABEL_CONFIGURATION_GENERATION] ?? '' },
  ready,
  reason,
  { header: 'ACTUAL REPLICAS', value: (r) => numberCell(r.status?.actualReplicas) },
  { header: 'DESIRED REPLICAS', value: (r) => numberCell(r.status?.desiredReplicas) },
];

const PODAUTOSCALER_COLUMNS: TableSpec<PodAutoscaler> = [
  name,
  { header: 'DESIREDSCALE', value: (p) => numberCell(p.status?.desiredScale) },
  { header: 'ACTUALSCALE', value: (p) => numberCell(p.status?.actualScale) },
  ready,
  reason,
];

const METRIC_COLUMNS: TableSpec<KubeObject> = [name, ready, reason];

const SKS_COLUMNS: TableSpec<ServerlessService> = [
  name,
  { header: 'MODE', value: (s) => s.spec.mode ?? '' },
  { header: 'ACTIVATORS', value: (s) => numberCell(s.spec.numActivators) },
  { header: 'SERVICENAME', value: (s) => s.status?.serviceName ?? '' },
  { header: 'PRIVATESERVICENAME', value: (s) => s.status?.privateServiceName ?? '' },
  ready,
  reason,
];

/** What kubectl's pod printer computes for one pod (READY, STATUS, RESTARTS). */
export interface PodSummary {
  readyContainers: number;
  totalContainers: number;
  status: string;
  restarts: number;
  /** RFC 3339 time of the most recent container termination that led to a restart, if known. */
  lastRestartAt?: string;
}

interface ContainerStatusWithLastState extends ContainerStatus {
  lastState?: { terminated?: { finishedAt?: string } };
}

/**
 * kubectl's pod status rules (init containers are not modelled):
 * - start from the phase (or `status.reason`, e.g. `Evicted`, when set);
 * - walk the containers last to first: a waiting reason (`ContainerCreating`, `ImagePullBackOff`,
 *   `CrashLoopBackOff`) or a terminated reason wins; a terminated container without a reason shows
 *   `ExitCode:<n>`; a ready, running container counts towards READY;
 * - `Completed` with a container still running shows `Running` (pod Ready) or `NotReady`;
 * - a pod with a deletionTimestamp that is not Succeeded/Failed shows `Terminating`.
 */
export function summarizePod(pod: Pod): PodSummary {
  const status = pod.status ?? {};
  let text: string = (status.reason as string | undefined) || status.phase || '';
  let readyContainers = 0;
  let restarts = 0;
  let lastRestartAt: string | undefined;
  let hasRunning = false;
  const statuses = (status.containerStatuses ?? []) as ContainerStatusWithLastState[];
  for (let i = statuses.length - 1; i >= 0; i--) {
    const c = statuses[i]!;
    restarts += c.restartCount;
    const finishedAt = c.lastState?.terminated?.finishedAt;
    if (finishedAt && (!lastRestartAt || finishedAt > lastRestartAt)) lastRestartAt = finishedAt;
    const waiting = c.state?.waiting;
    const terminated = c.state?.terminated;
    if (waiting?.reason) text = waiting.reason;
    else if (terminated?.reason) text = terminated.reason;
    else if (terminated) text = `ExitCode:${terminated.exitCode}`;
    else if (c.ready && c.state?.running) {
      hasRunning = true;
      readyContainers++;
    }
  }
  if (text === 'Completed' && hasRunning) {
    const podReady = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    text = podReady ? 'Running' : 'NotReady';
  }
  if (pod.metadata.deletionTimestamp) {
    if (status.reason === 'NodeLost') text = 'Unknown';
    else if (status.phase !== 'Succeeded' && status.phase !== 'Failed') text = 'Terminating';
  }
  const summary: PodSummary = { readyContainers, totalContainers: pod.spec.containers.length, status: text, restarts };
  if (lastRestartAt) summary.lastRestartAt = lastRestartAt;
  return summary;
}

const POD_COLUMNS: TableSpec<Pod> = [
  name,
  {
    header: 'READY',
    value: (p) => {
      const s = summarizePod(p);
      return `${s.readyContainers}/${s.totalContainers}`;
    },
  },
  { header: 'STATUS', value: (p) => summarizePod(p).status },
  {
    header: 'RESTARTS',
    value: (p, ctx) => {
      const s = summarizePod(p);
      return s.restarts !== 0 && s.lastRestartAt
        ? `${s.restarts} (${ageSince(s.lastRestartAt, ctx.nowMs)} ago)`
        : String(s.restarts);
    },
  },
  age,
];

const DEPLOYMENT_COLUMNS: TableSpec<Deployment> = [
  name,
  { header: 'READY', value: (d) => `${d.status?.readyReplicas ?? 0}/${d.spec.replicas ?? 1}` },
  { header: 'UP-TO-DATE', value: (d) => String(d.status?.updatedReplicas ?? 0) },
  { header: 'AVAILABLE', value: (d) => String(d.status?.availableReplicas ?? 0) },
  age,
];

const CONFIGMAP_COLUMNS: TableSpec<ConfigMap> = [
  name,
  {
    header: 'DATA',
    value: (c) =>
      String(Object.keys(c.data ?? {}).length + Object.keys((c.binaryData as object | undefined) ?? {}).length),
  },
  age,
];

interface CoreServiceFields {
  spec?: {
    type?: string;
    clusterIP?: string;
    externalIPs?: string[];
    externalName?: string;
    ports?: { port: number; nodePort?: number; protocol?: string }[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

function coreServiceExternalIp(svc: CoreServiceFields): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '');
      const all = [...ingress.filter((x) => x !== ''), ...external];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

const CORE_SERVICE_COLUMNS: TableSpec<KubeObject> = [
  name,
  { header: 'TYPE', value: (o) => (o as CoreServiceFields).spec?.type ?? 'ClusterIP' },
  { header: 'CLUSTER-IP', value: (o) => (o as CoreServiceFields).spec?.clusterIP || '<none>' },
  { header: 'EXTERNAL-IP', value: (o) => coreServiceExternalIp(o as CoreServiceFields) },
  {
    header: 'PORT(S)',
    value: (o) => {
      const ports = (o as CoreServiceFields).spec?.ports ?? [];
      if (ports.length === 0) return '<none>';
      return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
    },
  },
  age,
];

interface ReplicaSetFields {
  spec?: { replicas?: number };
  status?: { replicas?: number; readyReplicas?: number };
}

const REPLICASET_COLUMNS: TableSpec<KubeObject> = [
  name,
  { header: 'DESIRED', value: (o) => String((o as ReplicaSetFields).spec?.replicas ?? 1) },
  { header: 'CURRENT', value: (o) => String((o as ReplicaSetFields).status?.replicas ?? 0) },
  { header: 'READY', value: (o) => String((o as ReplicaSetFields).status?.readyReplicas ?? 0) },
  age,
];

/** Knative's networking CRDs (KIngress, Certificate) print Ready and Reason only. */
const KINGRESS_COLUMNS: TableSpec<KubeObject> = [name, ready, reason];
const CERTIFICATE_COLUMNS: TableSpec<KubeObject> = [name, ready, reason];

interface EndpointsFields {
  subsets?: { addresses?: { ip: string }[]; ports?: { port: number }[] }[];
}

/**
 * kubectl's ENDPOINTS cell: `ip:port` for every port of every ready address, the first three
 * joined by commas, then ` + N more...`; `<none>` without subsets.
 */
function endpointsCell(o: KubeObject): string {
  const subsets = (o as EndpointsFields).subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  const add = (text: string) => {
    if (list.length < 3) list.push(text);
    count++;
  };
  for (const ss of subsets) {
    const ports = ss.ports ?? [];
    if (ports.length === 0) for (const a of ss.addresses ?? []) add(a.ip);
    for (const p of ports) for (const a of ss.addresses ?? []) add(`${a.ip}:${p.port}`);
  }
  const text = list.join(',');
  return count > 3 ? `${text} + ${count - 3} more...` : text;
}

const ENDPOINTS_COLUMNS: TableSpec<KubeObject> = [name, { header: 'ENDPOINTS', value: endpointsCell }, age];

interface EndpointSliceFields {
  addressType?: string;
  ports?: { name?: string; port?: number }[];
  endpoints?: { addresses?: string[] }[];
}

/** The first three items, then ` + N more...`; `<unset>` for none (the EndpointSlice printer). */
function listWithMore(items: readonly string[]): string {
  if (items.length === 0) return '<unset>';
  const shown = items.slice(0, 3).join(',');
  return items.length > 3 ? `${shown} + ${items.length - 3} more...` : shown;
}

const ENDPOINTSLICE_COLUMNS: TableSpec<KubeObject> = [
  name,
  { header: 'ADDRESSTYPE', value: (o) => (o as EndpointSliceFields).addressType ?? '' },
  {
    header: 'PORTS',
    value: (o) =>
      listWithMore(
        ((o as EndpointSliceFields).ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : (p.name ?? '*'))),
      ),
  },
  {
    header: 'ENDPOINTS',
    value: (o) => listWithMore(((o as EndpointSliceFields).endpoints ?? []).flatMap((e) => e.addresses ?? [])),
  },
  age,
];

/** The fields of a core/v1 Event that its table shows. */
export interface EventFields {
  type?: string;
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; name?: string; fieldPath?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  count?: number;
}

/** When an event was first seen: firstTimestamp, else (events/v1 style) eventTime. */
export function eventFirstSeen(e: EventFields): string | undefined {
  return e.firstTimestamp || e.eventTime || undefined;
}

/** When an event was last seen: lastTimestamp, else when it was first seen. */
function eventLastSeen(e: EventFields): string | undefined {
  return e.lastTimestamp || eventFirstSeen(e);
}

/** Who reported an event, as kubectl prints it: `kubelet`, `kubelet, knsim`. */
export function eventSource(e: EventFields): string {
  const component = e.source?.component || e.reportingComponent || '';
  const instance = e.source?.host || e.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

const since = (iso: string | undefined, nowMs: number) => (iso ? ageSince(iso, nowMs) : '<unknown>');

/** `kubectl get events` (the kube-apiserver's event printer; SUBOBJECT, SOURCE, … are wide). */
const EVENT_COLUMNS: TableSpec<KubeObject> = [
  { header: 'LAST SEEN', value: (o, ctx) => since(eventLastSeen(o as EventFields), ctx.nowMs) },
  { header: 'TYPE', value: (o) => (o as EventFields).type ?? '' },
  { header: 'REASON', value: (o) => (o as EventFields).reason ?? '' },
  {
    header: 'OBJECT',
    value: (o) => {
      const io = (o as EventFields).involvedObject ?? {};
      const kind = (io.kind ?? '').toLowerCase();
      return io.name ? `${kind}/${io.name}` : kind;
    },
  },
  { header: 'MESSAGE', value: (o) => ((o as EventFields).message ?? '').trim() },
];

/**
 * `kubectl get nodes` (the API server's node printer): STATUS is the Ready condition's
 * (`Ready`, `NotReady`, `Unknown`), with `,SchedulingDisabled` for a cordoned node.
 */
const NODE_COLUMNS: TableSpec<KubeObject> = [
  name,
  {
    header: 'STATUS',
    value: (o) => {
      const ready = conditionOf(o, 'Ready');
      const status = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
      return (o.spec as { unschedulable?: boolean } | undefined)?.unschedulable
        ? `${status},SchedulingDisabled`
        : status;
    },
  },
  { header: 'ROLES', value: (o) => nodeRoles(o.metadata.labels) },
  age,
  {
    header: 'VERSION',
    value: (o) => (o.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion ?? '',
  },
];

/** `kubectl get hpa` (the API server's printer, with the metric's name in TARGETS since 1.30). */
const HPA_COLUMNS: TableSpec<KubeObject> = [
  name,
  {
    header: 'REFERENCE',
    value: (o) => {
      const ref = (o.spec as { scaleTargetRef?: { kind?: string; name?: string } } | undefined)?.scaleTargetRef;
      return `${ref?.kind ?? ''}/${ref?.name ?? ''}`;
    },
  },
  {
    header: 'TARGETS',
    value: (o) =>
      hpaTargets(
        o.spec as HpaSpec | undefined,
        (o.status as { currentMetrics?: MetricStatus[] } | undefined)?.currentMetrics,
      ),
  },
  {
    header: 'MINPODS',
    value: (o) => {
      const min = (o.spec as { minReplicas?: number } | undefined)?.minReplicas;
      return min === undefined ? '<unset>' : String(min);
    },
  },
  { header: 'MAXPODS', value: (o) => String((o.spec as { maxReplicas?: number } | undefined)?.maxReplicas ?? 0) },
  {
    header: 'REPLICAS',
    value: (o) => String((o.status as { currentReplicas?: number } | undefined)?.currentReplicas ?? 0),
  },
  age,
];

/** kubectl's fallback for types without a printer: NAME and AGE. */
const DEFAULT_COLUMNS: TableSpec<KubeObject> = [name, age];

/** Table columns per resource id (see resources.ts). */
const TABLE_SPECS: Readonly<Record<string, TableSpec<never>>> = {
  'services.serving.knative.dev': KSVC_COLUMNS,
  'configurations.serving.knative.dev': CONFIGURATION_COLUMNS,
  'routes.serving.knative.dev': ROUTE_COLUMNS,
  'revisions.serving.knative.dev': REVISION_COLUMNS,
  'podautoscalers.autoscaling.internal.knative.dev': PODAUTOSCALER_COLUMNS,
  'metrics.autoscaling.internal.knative.dev': METRIC_COLUMNS,
  'serverlessservices.networking.internal.knative.dev': SKS_COLUMNS,
  pods: POD_COLUMNS,
  'deployments.apps': DEPLOYMENT_COLUMNS,
  'replicasets.apps': REPLICASET_COLUMNS,
  configmaps: CONFIGMAP_COLUMNS,
  nodes: NODE_COLUMNS,
  'horizontalpodautoscalers.autoscaling': HPA_COLUMNS,
  services: CORE_SERVICE_COLUMNS,
  endpoints: ENDPOINTS_COLUMNS,
  'endpointslices.discovery.k8s.io': ENDPOINTSLICE_COLUMNS,
  events: EVENT_COLUMNS,
  'ingresses.networking.internal.knative.dev': KINGRESS_COLUMNS,
  'certificates.networking.internal.knative.dev': CERTIFICATE_COLUMNS,
};

/** The columns for a resource type; NAME + AGE when knsim has no specific printer. */
export function tableSpecFor(resource: ResourceType): TableSpec<KubeObject> {
  return (TABLE_SPECS[resource.id] ?? DEFAULT_COLUMNS) as TableSpec<KubeObject>;
}

/** A column of `kubectl get -o wide`: priority 1 columns show only there. */
export interface WideColumnSpec<T> extends ColumnSpec<T> {
  readonly priority: 0 | 1;
}

const NONE = '<none>';
const wide = (header: string, value: ColumnSpec<KubeObject>['value']): WideColumnSpec<KubeObject> => ({
  header,
  value,
  priority: 1,
});
const always = (c: ColumnSpec<KubeObject>): WideColumnSpec<KubeObject> => ({ ...c, priority: 0 });

interface TemplatedFields {
  spec?: {
    selector?: LabelSelector;
    template?: { spec?: { containers?: { name?: string; image?: string }[] } };
  };
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

const containersOf = (o: KubeObject) => (o as TemplatedFields).spec?.template?.spec?.containers ?? [];

/** Labels as kubectl prints a selector: `k=v,k2=v2`, sorted by key. */
function labelsText(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/** A label selector as kubectl's wide column prints it (metav1.FormatLabelSelector). */
function selectorText(sel: LabelSelector | undefined): string {
  if (!sel) return NONE;
  const parts: string[] = [];
  if (sel.matchLabels && Object.keys(sel.matchLabels).length > 0) parts.push(labelsText(sel.matchLabels));
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'exists') parts.push(e.key);
    else if (op === 'doesnotexist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${op} (${(e.values ?? []).join(',')})`);
  }
  return parts.length > 0 ? parts.join(',') : NONE;
}

/** The wide columns the API server's printers add (priority 1), where they sit among the others. */
const WIDE_COLUMNS: Readonly<Record<string, (base: TableSpec<KubeObject>) => readonly WideColumnSpec<KubeObject>[]>> = {
  pods: (base) => [
    ...base.map(always),
    wide('IP', (o) => (o.status as { podIP?: string } | undefined)?.podIP || NONE),
    wide('NODE', (o) => (o.spec as { nodeName?: string } | undefined)?.nodeName || NONE),
    wide('NOMINATED NODE', (o) => (o.status as { nominatedNodeName?: string } | undefined)?.nominatedNodeName || NONE),
    wide('READINESS GATES', () => NONE),
  ],
  'deployments.apps': (base) => templatedWide(base),
  'replicasets.apps': (base) => templatedWide(base),
  services: (base) => [
    ...base.map(always),
    wide('SELECTOR', (o) => {
      const sel = (o.spec as { selector?: Record<string, string> } | undefined)?.selector;
      return sel && Object.keys(sel).length > 0 ? labelsText(sel) : NONE;
    }),
  ],
  nodes: (base) => {
    const address = (o: KubeObject, type: string) =>
      (o.status as { addresses?: { type?: string; address?: string }[] } | undefined)?.addresses?.find(
        (a) => a.type === type,
      )?.address || NONE;
    const info = (o: KubeObject) =>
      (o.status as { nodeInfo?: Record<string, string | undefined> } | undefined)?.nodeInfo ?? {};
    return [
      ...base.map(always),
      wide('INTERNAL-IP', (o) => address(o, 'InternalIP')),
      wide('EXTERNAL-IP', (o) => address(o, 'ExternalIP')),
      wide('OS-IMAGE', (o) => info(o).osImage || '<unknown>'),
      wide('KERNEL-VERSION', (o) => info(o).kernelVersion || '<unknown>'),
      wide('CONTAINER-RUNTIME', (o) => info(o).containerRuntimeVersion || '<unknown>'),
    ];
  },
  events: (base) => {
    const e = (o: KubeObject) => o as EventFields;
    return [
      ...base.slice(0, 4).map(always),
      wide('SUBOBJECT', (o) => e(o).involvedObject?.fieldPath ?? ''),
      wide('SOURCE', (o) => eventSource(e(o))),
      always(base[4]!),
      wide('FIRST SEEN', (o, ctx) => {
        const first = eventFirstSeen(e(o));
        return first ? ageSince(first, ctx.nowMs) : '<unknown>';
      }),
      wide('COUNT', (o) => String(e(o).count || 1)),
      wide('NAME', (o) => o.metadata.name),
    ];
  },
};

function templatedWide(base: TableSpec<KubeObject>): readonly WideColumnSpec<KubeObject>[] {
  return [
    ...base.map(always),
    wide('CONTAINERS', (o) =>
      containersOf(o)
        .map((c) => c.name ?? '')
        .join(','),
    ),
    wide('IMAGES', (o) =>
      containersOf(o)
        .map((c) => c.image ?? '')
        .join(','),
    ),
    wide('SELECTOR', (o) => selectorText((o as TemplatedFields).spec?.selector)),
  ];
}

/** Every column of a resource type's table, the wide ones (`-o wide`) at priority 1. */
export function wideTableSpecFor(resource: ResourceType): readonly WideColumnSpec<KubeObject>[] {
  const base = tableSpecFor(resource);
  return WIDE_COLUMNS[resource.id]?.(base) ?? base.map(always);
}

export interface KubectlGetOptions extends RenderContext {
  /** `kubectl get -o wide`: the priority 1 columns too. */
  readonly wide?: boolean;
  /** `--show-labels`: a LABELS column last. */
  readonly showLabels?: boolean;
  /** `--no-headers`: no header line. */
  readonly noHeaders?: boolean;
  /** The objects are in the order to print (`--sort-by`), not to be sorted by name. */
  readonly keepOrder?: boolean;
  /** The namespace asked for; used in the "No resources found" message. */
  readonly namespace?: string;
  /** `kubectl get -A`: adds a NAMESPACE column and sorts by namespace, then name. */
  readonly allNamespaces?: boolean;
}

/** kubectl's (stderr) message for an empty list. */
export function noResourcesMessage(namespace: string | undefined, allNamespaces = false): string {
  return allNamespaces || !namespace ? 'No resources found' : `No resources found in ${namespace} namespace.`;
}

/**
 * The full output of `kubectl get <resource>` for these objects: the table with a trailing
 * newline, or `No resources found in <ns> namespace.` (no newline) when there are none.
 * Rows are sorted by name (namespace first with allNamespaces), the API server's list order.
 * `resource` is a ResourceType or anything {@link resolveResourceName} accepts.
 */
export function renderKubectlGet(
  resource: ResourceType | string,
  objects: readonly KubeObject[],
  options: KubectlGetOptions,
): string {
  let type: ResourceType;
  if (typeof resource === 'string') {
    const byId = resourceById(resource);
    const resolved = byId ? { ok: true as const, resource: byId } : resolveResourceName(resource);
    if (!resolved.ok) return resolved.error;
    type = resolved.resource;
  } else {
    type = resource;
  }
  if (objects.length === 0) return noResourcesMessage(options.namespace, options.allNamespaces);
  const spec = options.wide ? wideTableSpecFor(type) : tableSpecFor(type);
  const sorted = options.keepOrder
    ? objects
    : [...objects].sort((a, b) => {
        if (options.allNamespaces) {
          const byNs = compareStrings(a.metadata.namespace ?? '', b.metadata.namespace ?? '');
          if (byNs !== 0) return byNs;
        }
        return compareStrings(a.metadata.name, b.metadata.name);
      });
  const headers = spec.map((c) => c.header);
  let rows = sorted.map((o) => spec.map((c) => c.value(o, options)));
  if (options.showLabels) {
    headers.push('LABELS');
    rows = rows.map((row, i) => {
      const labels = sorted[i]!.metadata.labels ?? {};
      return [...row, Object.keys(labels).length > 0 ? labelsText(labels) : NONE];
    });
  }
  if (options.allNamespaces) {
    headers.unshift('NAMESPACE');
    rows = rows.map((row, i) => [sorted[i]!.metadata.namespace ?? '', ...row]);
  }
  return options.noHeaders ? renderRows(rows) : renderTable(headers, rows);
}

/** A table's rows without its header line (`--no-headers`): the columns are as wide as the rows need. */
export function renderRows(rows: readonly (readonly string[])[]): string {
  return `${tabwriterFormat(rows.map((row) => row.map(printableCell)))}\n`;
}

/** Byte-wise comparison, as Go sorts strings (not locale-aware). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface GetSection {
  readonly resource: ResourceType;
  readonly objects: readonly KubeObject[];
}

/**
 * `kubectl get` for several types at once (`kubectl get all`, `kubectl get pods,ksvc`): one
 * table per type that has objects, names prefixed with `<singular>[.<group>]/`
 * (`pod/…`, `deployment.apps/…`, `service.serving.knative.dev/…`), tables separated by a blank
 * line. Sections are printed in the order given. `No resources found…` when all are empty.
 */
export function renderKubectlGetMany(sections: readonly GetSection[], options: KubectlGetOptions): string {
  const tables: string[] = [];
  for (const { resource, objects } of sections) {
    if (objects.length === 0) continue;
    const renamed = objects.map((o) => ({
      ...o,
      metadata: { ...o.metadata, name: objectReference(resource, o.metadata.name) },
    }));
    tables.push(renderKubectlGet(resource, renamed, options));
  }
  if (tables.length === 0) return noResourcesMessage(options.namespace, options.allNamespaces);
  return tables.join('\n');
}
