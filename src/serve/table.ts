/**
 * Server-side printing (`meta.k8s.io/v1 Table`), what `kubectl get` asks for. The cells come
 * from the same column specs knsim's own `kubectl get` uses (src/model/rules/tables.ts), so real
 * kubectl prints the same bytes. As a real API server: the first column is "Name" (format name);
 * Knative's types then have their CRD printer columns; pods have the kubelet printer's columns
 * with the wide ones (IP, Node, …) at priority 1; column names are in the API's own case
 * (kubectl upper-cases them).
 */
import type { KubeObject } from '../model/api/types.js';
import type { ResourceType } from '../model/rules/resources.js';
import { type ColumnSpec, type RenderContext, tableSpecFor, wideTableSpecFor } from '../model/rules/tables.js';
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
  IP: 'IP',
  NODE: 'Node',
  'NOMINATED NODE': 'Nominated Node',
  'READINESS GATES': 'Readiness Gates',
  CONTAINERS: 'Containers',
  IMAGES: 'Images',
  SELECTOR: 'Selector',
  SUBOBJECT: 'Subobject',
  SOURCE: 'Source',
  'FIRST SEEN': 'First Seen',
  COUNT: 'Count',
  'INTERNAL-IP': 'Internal-IP',
  'OS-IMAGE': 'OS-Image',
  'KERNEL-VERSION': 'Kernel-Version',
  'CONTAINER-RUNTIME': 'Container-Runtime',
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

/** A priority-1 column (`-o wide`), as the API server's printers define them (no format, no description). */
function extra(name: string, value: (obj: KubeObject, ctx: RenderContext) => string, priority = 1): TableColumn {
  return { def: { name, type: 'string', format: '', description: '', priority }, value };
}

function columnsFor(resource: ResourceType): TableColumn[] {
  if (resource.id === 'namespaces') {
    const base = tableSpecFor(resource).map((c) => column(c));
    return [
      base[0]!,
      extra('Status', (o) => (o.status as { phase?: string } | undefined)?.phase ?? 'Active', 0),
      extra('Age', (o, ctx) => ageSince(o.metadata.creationTimestamp, ctx.nowMs), 0),
    ];
  }
  return wideTableSpecFor(resource).map((c) =>
    c.priority === 0 ? column(c) : extra(COLUMN_NAMES[c.header] ?? c.header, c.value),
  );
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
