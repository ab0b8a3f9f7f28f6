/**
 * Runs the kubectl commands a scenario contains against a backend and prints what kubectl
 * prints. The tables themselves are the model's (src/model/rules/tables.ts).
 */
import { stringify } from 'yaml';
import type { Backend } from '../backends/backend.js';
import type { KubeObject } from '../model/api/types.js';
import { describerFor, joinDescriptions } from '../model/rules/describe.js';
import { columnCell, columnPath, JsonPathError, parseCustomColumns, renderJsonPath } from '../model/rules/jsonpath.js';
import {
  deletedLine,
  notFoundMessage,
  objectReference,
  type ResourceType,
  resolveResourceName,
  resourcesInCategory,
} from '../model/rules/resources.js';
import { type FieldSelector, parseFieldSelector, parseLabelSelector, SelectorError } from '../model/rules/selectors.js';
import { sortByJsonPath } from '../model/rules/sortBy.js';
import {
  noResourcesMessage,
  renderKubectlGet,
  renderKubectlGetMany,
  renderRows,
  renderTable,
} from '../model/rules/tables.js';
import type { KubectlCommand, KubectlDescribe, KubectlGet, KubectlLogs } from '../scenario/kubectl.js';

/** Objects as kubectl prints them: keys sorted (Go marshals maps sorted). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export interface CommandOutput {
  text: string;
  ok: boolean;
}

function resolveTypes(names: string[]): { types: ResourceType[]; error?: string } {
  const types: ResourceType[] = [];
  for (const name of names) {
    const category = resourcesInCategory(name.toLowerCase());
    if (name.toLowerCase() === 'all' || (category.length > 0 && !resolveResourceName(name).ok)) {
      types.push(...category);
      continue;
    }
    const resolved = resolveResourceName(name);
    if (!resolved.ok) return { types, error: resolved.error };
    types.push(resolved.resource);
  }
  return { types };
}

function typeIdOf(typed: string): string | undefined {
  const r = resolveResourceName(typed);
  return r.ok ? r.resource.id : undefined;
}

async function get(cmd: KubectlGet, backend: Backend, defaultNamespace: string): Promise<CommandOutput> {
  const namespace = cmd.allNamespaces ? undefined : (cmd.namespace ?? defaultNamespace);
  const wanted = cmd.refs.length > 0 ? cmd.refs.map((r) => r.resource) : cmd.resources;
  const { types, error } = resolveTypes(wanted);
  if (error) return { text: error, ok: false };
  const now = backend.now();
  const sections: { resource: ResourceType; objects: KubeObject[] }[] = [];
  const missing: string[] = [];
  for (const type of types) {
    let fields: FieldSelector;
    try {
      fields = parseFieldSelector(cmd.fieldSelector, type.kind);
    } catch (e) {
      if (!(e instanceof SelectorError)) throw e;
      // The API server refuses the list; kubectl prints its error.
      const selectors = `label selector "${cmd.selector ?? ''}", field selector "${cmd.fieldSelector}"`;
      const message = `Unable to find "${groupVersionResource(type)}" that match ${selectors}: ${e.message}`;
      return { text: `Error from server (BadRequest): ${message}`, ok: false };
    }
    const labels = parseLabelSelector(cmd.selector);
    let objects = (await backend.list(type.id, type.namespaced ? namespace : undefined)).filter(
      (o) => labels(o.metadata.labels) && fields(o),
    );
    const names =
      cmd.refs.length > 0 ? cmd.refs.filter((r) => typeIdOf(r.resource) === type.id).map((r) => r.name) : cmd.names;
    if (names.length > 0) {
      for (const n of names) if (!objects.some((o) => o.metadata.name === n)) missing.push(notFoundMessage(type, n));
      objects = objects.filter((o) => names.includes(o.metadata.name));
    }
    if (cmd.sortBy) {
      // The API server lists by namespace and name; --sort-by orders that list.
      objects = [...objects].sort(byNamespaceAndName);
      try {
        objects = sortByJsonPath(objects, cmd.sortBy);
      } catch (e) {
        if (e instanceof JsonPathError) return { text: `error: ${e.message}`, ok: false };
        throw e;
      }
    }
    sections.push({ resource: type, objects });
  }
  const all = sections.flatMap((s) => s.objects);
  const single = all.length === 1 && cmd.names.length + cmd.refs.length === 1;
  const asList = (items: KubeObject[]) => ({
    apiVersion: 'v1',
    items,
    kind: 'List',
    metadata: { resourceVersion: '' },
  });
  let text: string;
  switch (cmd.output) {
    case 'json':
      text = `${JSON.stringify(sortKeys(single ? all[0] : asList(all)), null, 4)}\n`;
      break;
    case 'yaml':
      text = stringify(sortKeys(single ? all[0] : asList(all)), { indentSeq: false });
      break;
    case 'jsonpath':
      text = renderJsonPath(cmd.template ?? '', sortKeys(single ? all[0] : asList(all)));
      break;
    case 'custom-columns': {
      const columns = parseCustomColumns(cmd.template ?? '');
      const paths = columns.map((c) => columnPath(c.path));
      const rows = all.map((o) => paths.map((valuesIn) => columnCell(valuesIn(o))));
      text =
        all.length === 0
          ? ''
          : cmd.noHeaders
            ? renderRows(rows)
            : renderTable(
                columns.map((c) => c.header),
                rows,
              );
      break;
    }
    case 'name':
      text = sections
        .flatMap((s) => s.objects.map((o) => `${objectReference(s.resource, o.metadata.name)}\n`))
        .join('');
      break;
    default: {
      const options = {
        nowMs: now,
        ...(namespace ? { namespace } : {}),
        allNamespaces: cmd.allNamespaces,
        wide: cmd.output === 'wide',
        showLabels: cmd.showLabels,
        noHeaders: cmd.noHeaders,
        keepOrder: cmd.sortBy !== undefined,
      };
      if (sections.length === 1) {
        const only = sections[0]!;
        text =
          only.objects.length === 0 && (cmd.names.length > 0 || cmd.refs.length > 0)
            ? ''
            : renderKubectlGet(only.resource, only.objects, options);
      } else {
        text =
          all.length === 0 ? noResourcesMessage(namespace, cmd.allNamespaces) : renderKubectlGetMany(sections, options);
      }
    }
  }
  const errors = missing.map((m) => `${m}\n`).join('');
  return { text: errors + text, ok: missing.length === 0 };
}

/**
 * `kubectl describe`: each named object (or, as kubectl does, every object whose name starts
 * with the given one), or all of the type; the describers are kubectl's (src/model/rules/describe.ts).
 */
async function describe(cmd: KubectlDescribe, backend: Backend, defaultNamespace: string): Promise<CommandOutput> {
  const namespace = cmd.namespace ?? defaultNamespace;
  const wanted: { type: ResourceType; name?: string }[] = [];
  if (cmd.refs.length > 0) {
    for (const ref of cmd.refs) {
      const r = resolveResourceName(ref.resource);
      if (!r.ok) return { text: `${r.error}\n`, ok: false };
      wanted.push({ type: r.resource, name: ref.name });
    }
  } else {
    const { types, error } = resolveTypes(cmd.resources);
    if (error) return { text: `${error}\n`, ok: false };
    for (const type of types) {
      if (cmd.names.length === 0) wanted.push({ type });
      for (const name of cmd.names) wanted.push({ type, name });
    }
  }
  const texts: string[] = [];
  const errors: string[] = [];
  const events = await backend.list('events', namespace);
  const labels = parseLabelSelector(cmd.selector);
  for (const { type, name } of wanted) {
    const all = (await backend.list(type.id, type.namespaced ? namespace : undefined))
      .filter((o) => labels(o.metadata.labels))
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
    let objects = all;
    if (name !== undefined) {
      const exact = all.filter((o) => o.metadata.name === name);
      objects = exact.length > 0 ? exact : all.filter((o) => o.metadata.name.startsWith(name));
      if (objects.length === 0) errors.push(`${notFoundMessage(type, name)}\n`);
    }
    if (objects.length === 0) continue;
    const { describe: describeOne, reads } = describerFor(type.id);
    // A cluster-scoped object's describer reads across namespaces (a node's pods).
    const relatedNs = type.namespaced ? namespace : undefined;
    const related = (await Promise.all(reads.map((id) => backend.list(id, relatedNs)))).flat();
    for (const o of objects) texts.push(describeOne(o, { nowMs: backend.now(), events, related }));
  }
  if (texts.length === 0 && errors.length === 0) {
    return { text: `${noResourcesMessage(namespace)}\n`, ok: true };
  }
  return { text: errors.join('') + joinDescriptions(texts), ok: errors.length === 0 };
}

interface PodFields {
  spec?: { containers?: { name?: string }[] };
  status?: {
    conditions?: { type: string; status: string }[];
    containerStatuses?: {
      name: string;
      state?: { running?: unknown; terminated?: unknown; waiting?: { reason?: string } };
    }[];
  };
}

/**
 * `kubectl logs POD|TYPE/NAME [-c CONTAINER] [--tail N] [--timestamps]`: for a Deployment or
 * ReplicaSet, one of its pods (a ready one first), as kubectl picks it; the container defaults to
 * the first, with kubectl's note.
 */
async function logs(cmd: KubectlLogs, backend: Backend, defaultNamespace: string): Promise<CommandOutput> {
  const namespace = cmd.namespace ?? defaultNamespace;
  if (!backend.podLogs) return { text: 'error: kubectl logs is not available with this backend\n', ok: false };
  const slash = cmd.target.indexOf('/');
  const typed = slash > 0 ? cmd.target.slice(0, slash) : 'pod';
  const name = slash > 0 ? cmd.target.slice(slash + 1) : cmd.target;
  const resolved = resolveResourceName(typed);
  if (!resolved.ok) return { text: `${resolved.error}\n`, ok: false };
  const type = resolved.resource;
  const pods = (await backend.list('pods', namespace)) as (KubeObject & PodFields)[];
  let pod: (KubeObject & PodFields) | undefined;
  let note = '';
  if (type.id === 'pods') {
    pod = pods.find((p) => p.metadata.name === name);
    if (!pod) return { text: `${notFoundMessage(type, name)}\n`, ok: false };
  } else if (type.id === 'deployments.apps' || type.id === 'replicasets.apps') {
    const owner = (await backend.list(type.id, namespace)).find((o) => o.metadata.name === name);
    if (!owner) return { text: `${notFoundMessage(type, name)}\n`, ok: false };
    const replicaSets =
      type.id === 'deployments.apps'
        ? (await backend.list('replicasets.apps', namespace)).filter((rs) =>
            rs.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid),
          )
        : [owner];
    const uids = new Set(replicaSets.map((rs) => rs.metadata.uid));
    const ready = (p: PodFields) =>
      p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    const owned = pods
      .filter((p) => p.metadata.ownerReferences?.some((r) => uids.has(r.uid)))
      .sort((a, b) => Number(ready(b)) - Number(ready(a)) || (a.metadata.name < b.metadata.name ? -1 : 1));
    pod = owned[0];
    if (!pod) return { text: `error: timed out waiting for the condition\n`, ok: false };
    if (owned.length > 1) note = `Found ${owned.length} pods, using pod/${pod.metadata.name}\n`;
  } else {
    return { text: `error: cannot get the logs from ${type.id}: selector for ${type.id} not implemented\n`, ok: false };
  }
  const containers = (pod.spec?.containers ?? []).map((c) => c.name ?? '');
  let container = cmd.container;
  if (container === undefined) {
    container = containers[0] ?? '';
    if (containers.length > 1) note += `Defaulted container "${container}" out of: ${containers.join(', ')}\n`;
  }
  if (!containers.includes(container)) {
    return { text: `${note}error: container ${container} is not valid for pod ${pod.metadata.name}\n`, ok: false };
  }
  const state = pod.status?.containerStatuses?.find((c) => c.name === container)?.state;
  if (!state?.running && !state?.terminated) {
    return {
      text: `${note}Error from server (BadRequest): container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${state?.waiting?.reason ?? 'ContainerCreating'}\n`,
      ok: false,
    };
  }
  const text = await backend.podLogs(namespace, pod.metadata.name, container, {
    ...(cmd.tail !== undefined ? { tailLines: cmd.tail } : {}),
    timestamps: cmd.timestamps,
  });
  return { text: note + text, ok: true };
}

export async function runKubectl(
  cmd: KubectlCommand,
  backend: Backend,
  defaultNamespace: string,
  manifests?: KubeObject[],
): Promise<CommandOutput> {
  switch (cmd.verb) {
    case 'get':
      return get(cmd, backend, defaultNamespace);
    case 'apply': {
      const results = await backend.apply(manifests ?? [], cmd.files.join(', '));
      return { text: results.map((r) => `${r.reference} ${r.outcome}\n`).join(''), ok: true };
    }
    case 'delete': {
      const lines: string[] = [];
      let ok = true;
      const namespace = cmd.namespace ?? defaultNamespace;
      const targets: { type: ResourceType; name: string }[] = [];
      for (const m of manifests ?? []) {
        const r = resolveResourceName(m.kind);
        if (r.ok) targets.push({ type: r.resource, name: m.metadata.name });
      }
      const { types, error } = resolveTypes(cmd.resources);
      if (error) return { text: error, ok: false };
      for (const t of types) for (const n of cmd.names) targets.push({ type: t, name: n });
      for (const ref of cmd.refs) {
        const r = resolveResourceName(ref.resource);
        if (!r.ok) return { text: r.error, ok: false };
        targets.push({ type: r.resource, name: ref.name });
      }
      for (const t of targets) {
        try {
          await backend.delete(t.type.id, namespace, t.name);
          lines.push(`${deletedLine(t.type, t.name)}\n`);
        } catch {
          ok = false;
          lines.push(`${notFoundMessage(t.type, t.name)}\n`);
        }
      }
      return { text: lines.join(''), ok };
    }
    case 'describe':
      return describe(cmd, backend, defaultNamespace);
    case 'logs':
      return logs(cmd, backend, defaultNamespace);
  }
}

/** The API server's list order: by namespace, then name (bytewise, as Go compares strings). */
function byNamespaceAndName(a: KubeObject, b: KubeObject): number {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** How the API server names a resource in its errors: `serving.knative.dev/v1, Resource=services`, `/v1, Resource=pods`. */
function groupVersionResource(type: ResourceType): string {
  const slash = type.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : type.apiVersion.slice(0, slash);
  const version = slash < 0 ? type.apiVersion : type.apiVersion.slice(slash + 1);
  return `${group}/${version}, Resource=${type.plural}`;
}
