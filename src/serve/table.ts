/**
 * Server-side printing (`meta.k8s.io/v1 Table`), what `kubectl get` asks for. The cells come
 * from the same column specs knsim's own `kubectl get` uses (src/model/rules/tables.ts), so real
 * kubectl prints the same bytes. As a real API server: the first column is "Name" (format name);
 * Knative's types then have their CRD printer columns; pods have the kubelet printer's columns
 * with the wide ones (IP, Node, …) at priority 1; column names are in the API's own case
 * (kubectl upper-cases them).
 */
import type { KubeObject, Pod } from '../model/api/types.js';
import type { ResourceType } from '../model/rules/resources.js';
import {
  type ColumnSpec,
  type EventFields,
  eventFirstSeen,
  eventSource,
  type RenderContext,
  tableSpecFor,
} from '../model/rules/tables.js';
import { ageSince } from '../model/rules/time.js';

interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

interface TableColumn {
  def: ColumnDefinition;
  value: (obj: KubeObject, ctx: RenderContext) => string;
}

/** API-case names for the headers in tables.ts (kubectl prints them upper-cased). */
const COLUMN_NAMES: Record<string, string> = {
  NAME: 'Name',
  URL: 'URL',
  LATESTCREATED: 'LatestCreated',
  LATESTREADY: 'LatestReady',
  READY: 'Ready',
  REASON: 'Reason',
  'CONFIG NAME': 'Config Name',
  GENERATION: 'Generation',
  'ACTUAL REPLICAS': 'Actual Replicas',
  'DESIRED REPLICAS': 'Desired Replicas',
  DESIREDSCALE: 'DesiredScale',
  ACTUALSCALE: 'ActualScale',
  MODE: 'Mode',
  ACTIVATORS: 'Activators',
  SERVICENAME: 'ServiceName',
  PRIVATESERVICENAME: 'PrivateServiceName',
  STATUS: 'Status',
  RESTARTS: 'Restarts',
  AGE: 'Age',
  'UP-TO-DATE': 'Up-to-date',
  AVAILABLE: 'Available',
  DATA: 'Data',
  TYPE: 'Type',
  'CLUSTER-IP': 'Cluster-IP',
  'EXTERNAL-IP': 'External-IP',
  'PORT(S)': 'Port(s)',
  DESIRED: 'Desired',
  CURRENT: 'Current',
  ENDPOINTS: 'Endpoints',
  ADDRESSTYPE: 'AddressType',
  PORTS: 'Ports',
  'LAST SEEN': 'Last Seen',
  OBJECT: 'Object',
  MESSAGE: 'Message',
};

function column(spec: ColumnSpec<KubeObject>, priority = 0): TableColumn {
  const name = COLUMN_NAMES[spec.header] ?? spec.header;
  return {
    def: {
      name,
      type: 'string',
      format: name === 'Name' ? 'name' : '',
      description: name === 'Name' ? 'Name must be unique within a namespace.' : '',
      priority,
    },
    value: spec.value,
  };
}

function extra(name: string, value: (obj: KubeObject, ctx: RenderContext) => string, priority = 1): TableColumn {
  return { def: { name, type: 'string', format: '', description: '', priority }, value };
}

const NONE = '<none>';

function columnsFor(resource: ResourceType): TableColumn[] {
  const base = tableSpecFor(resource).map((c) => column(c));
  switch (resource.id) {
    case 'pods':
      return [
        ...base,
        extra('IP', (o) => (o as Pod).status?.podIP || NONE),
        extra('Node', (o) => (o as { spec?: { nodeName?: string } }).spec?.nodeName || NONE),
        extra('Nominated Node', (o) => (o.status as { nominatedNodeName?: string })?.nominatedNodeName || NONE),
        extra('Readiness Gates', () => NONE),
      ];
    case 'deployments.apps':
    case 'replicasets.apps':
      return [
        ...base,
        extra('Containers', (o) =>
          containersOf(o)
            .map((c) => c.name ?? '')
            .join(','),
        ),
        extra('Images', (o) =>
          containersOf(o)
            .map((c) => c.image ?? '')
            .join(','),
        ),
        extra('Selector', (o) => selectorText((o as { spec?: { selector?: LabelSelector } }).spec?.selector)),
      ];
    case 'services':
      return [
        ...base,
        extra('Selector', (o) => {
          const sel = (o as { spec?: { selector?: Record<string, string> } }).spec?.selector;
          return sel && Object.keys(sel).length > 0 ? labelsText(sel) : NONE;
        }),
      ];
    case 'events': {
      // The event printer's wide columns sit between OBJECT and MESSAGE and after it.
      const e = (o: KubeObject) => o as EventFields;
      return [
        ...base.slice(0, 4),
        extra('Subobject', (o) => e(o).involvedObject?.fieldPath ?? ''),
        extra('Source', (o) => eventSource(e(o))),
        base[4]!,
        extra('First Seen', (o, ctx) => {
          const first = eventFirstSeen(e(o));
          return first ? ageSince(first, ctx.nowMs) : '<unknown>';
        }),
        extra('Count', (o) => String(e(o).count || 1)),
        extra('Name', (o) => o.metadata.name),
      ];
    }
    case 'namespaces':
      return [
        base[0]!,
        extra('Status', (o) => (o.status as { phase?: string } | undefined)?.phase ?? 'Active', 0),
        extra('Age', (o, ctx) => ageSince(o.metadata.creationTimestamp, ctx.nowMs), 0),
      ];
    default:
      return base;
  }
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

function containersOf(o: KubeObject): { name?: string; image?: string }[] {
  const spec = (o as { spec?: { template?: { spec?: { containers?: { name?: string; image?: string }[] } } } }).spec;
  return spec?.template?.spec?.containers ?? [];
}

/** Labels as kubectl prints a selector: `k=v,k2=v2`, sorted by key. */
function labelsText(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

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

export interface TableOptions {
  nowMs: number;
  resourceVersion: string;
  noHeaders?: boolean;
  /** includeObject: Metadata (default), Object or None. */
  includeObject?: string;
}

function partial(obj: KubeObject): unknown {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function toTable(resource: ResourceType, objects: readonly KubeObject[], options: TableOptions): unknown {
  const columns = columnsFor(resource);
  const ctx: RenderContext = { nowMs: options.nowMs };
  const include = options.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: options.resourceVersion },
    ...(options.noHeaders ? {} : { columnDefinitions: columns.map((c) => c.def) }),
    rows: objects.map((o) => ({
      cells: columns.map((c) => c.value(o, ctx)),
      ...(include === 'None' ? {} : { object: include === 'Object' ? o : partial(o) }),
    })),
  };
}

/** Does this Accept header ask for a Table? */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io') && params.includes('v=v1');
  });
}
