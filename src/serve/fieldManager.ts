/**
 * Field ownership as the API server keeps it in `metadata.managedFields` (server-side apply):
 * one entry per field manager and operation, each with the set of fields it owns in the
 * `FieldsV1` encoding (`{"f:spec":{"f:template":{…}}}`).
 *
 * - An Update (create, PUT, a non-apply PATCH) gives its manager the fields it changed and takes
 *   them from everyone else; removed fields leave every set.
 * - An Apply gives its manager exactly the fields of the applied configuration. A field the
 *   apply would change that another manager owns is a conflict (409, "Apply failed with 1
 *   conflict: conflict with \"kubectl-client-side-apply\" using serving.knative.dev/v1:
 *   .spec.template.spec.containers"), unless `force=true`, which takes it over. Fields the
 *   manager applied before and no longer applies are removed when nobody else owns them.
 *
 * The schema knowledge needed is small: Knative's CRDs declare no list types, so every list is
 * atomic (owned as a whole), except ObjectMeta's ownerReferences (a map keyed by uid) and
 * finalizers (a set); objects are structs, except the free maps (labels, annotations, a
 * ConfigMap's data, resource quantities, the revision template's metadata, which Knative's CRD
 * leaves schemaless), which are also owned as a node when they are added whole (`".": {}`).
 */
import type { KubeObject } from '../model/api/types.js';
import { isoAt } from '../model/rules/time.js';
import { dataEqual } from '../sim/store.js';
import { isObject } from './objects.js';
import { apiError } from './status.js';

/** One path element in FieldsV1 form: `f:name`, `k:{"uid":"…"}`, `v:"x"`, `i:0`. */
type Element = string;
type Path = readonly Element[];

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** Metadata the server sets itself: never owned by a manager. */
const SERVER_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** Last path segments (field names) of objects that are free maps rather than structs. */
const MAP_FIELDS = new Set(['labels', 'annotations', 'data', 'binaryData', 'limits', 'requests', 'nodeSelector']);

const SEP = '\u0000';
const keyOf = (path: Path): string => path.join(SEP);
const pathOf = (key: string): Path => (key === '' ? [] : key.split(SEP));

function isMap(path: Path): boolean {
  const last = path[path.length - 1] ?? '';
  if (MAP_FIELDS.has(last.slice(2))) return true;
  // Knative's CRD keeps the revision template's metadata schemaless: every object in it is a map.
  return path.length >= 3 && path[0] === 'f:spec' && path[1] === 'f:template' && path[2] === 'f:metadata';
}

type ListType = { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: string[] };

function listType(path: Path): ListType {
  if (path.length === 2 && path[0] === 'f:metadata') {
    if (path[1] === 'f:ownerReferences') return { type: 'map', keys: ['uid'] };
    if (path[1] === 'f:finalizers') return { type: 'set' };
  }
  return { type: 'atomic' };
}

function itemKey(item: unknown, keys: string[]): Element {
  const o = isObject(item) ? item : {};
  const k: Record<string, unknown> = {};
  for (const name of keys) k[name] = o[name];
  return `k:${JSON.stringify(k)}`;
}

/** The managed part of an object: no apiVersion/kind, no server metadata, spec or status only. */
function managedPart(obj: KubeObject | undefined, subresource: string | undefined): Record<string, unknown> {
  if (!obj) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata') {
      const meta: Record<string, unknown> = {};
      for (const [mk, mv] of Object.entries(isObject(v) ? v : {})) {
        if (!SERVER_METADATA.has(mk) && mv !== undefined) meta[mk] = mv;
      }
      if (Object.keys(meta).length > 0) out.metadata = meta;
      continue;
    }
    if ((k === 'status') !== (subresource === 'status')) continue;
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * The fields of a value. `added`: the value appears whole (an Update that added it), so free
 * maps own themselves too; otherwise (an applied configuration) only leaves and list items.
 */
function collect(value: unknown, path: Path, added: boolean, out: Set<string>): void {
  if (Array.isArray(value)) {
    const lt = listType(path);
    if (lt.type === 'atomic' || path.length === 0) {
      out.add(keyOf(path));
      return;
    }
    if (added) out.add(keyOf(path));
    for (const item of value) {
      if (lt.type === 'set') {
        out.add(keyOf([...path, `v:${JSON.stringify(item)}`]));
      } else {
        const p = [...path, itemKey(item, lt.keys)];
        out.add(keyOf(p));
        for (const [k, v] of Object.entries(isObject(item) ? item : {})) collect(v, [...p, `f:${k}`], added, out);
      }
    }
    return;
  }
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (keys.length === 0) {
      if (path.length > 0) out.add(keyOf(path));
      return;
    }
    if (added && path.length > 0 && isMap(path)) out.add(keyOf(path));
    for (const k of keys) collect(value[k], [...path, `f:${k}`], added, out);
    return;
  }
  if (value !== undefined && path.length > 0) out.add(keyOf(path));
}

/** The fields an Update from `before` to `after` changed (added or modified) and removed. */
function compare(before: unknown, after: unknown, path: Path, changed: Set<string>, removed: Set<string>): void {
  if (dataEqual(before, after)) return;
  if (before === undefined) {
    collect(after, path, true, changed);
    return;
  }
  if (after === undefined) {
    collect(before, path, true, removed);
    removed.add(keyOf(path));
    return;
  }
  if (isObject(before) && isObject(after)) {
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
      compare(before[k], after[k], [...path, `f:${k}`], changed, removed);
    }
    return;
  }
  const lt = listType(path);
  if (Array.isArray(before) && Array.isArray(after) && lt.type !== 'atomic') {
    const index = (items: unknown[]) =>
      new Map(
        items.map((item) => [lt.type === 'set' ? `v:${JSON.stringify(item)}` : itemKey(item, lt.keys), item] as const),
      );
    const a = index(before);
    const b = index(after);
    for (const [k, item] of b) {
      if (lt.type === 'set') {
        if (!a.has(k)) changed.add(keyOf([...path, k]));
      } else if (!a.has(k)) {
        collect([item], path, true, changed);
      } else {
        compare(a.get(k), item, [...path, k], changed, removed);
      }
    }
    for (const [k] of a) if (!b.has(k)) removed.add(keyOf([...path, k]));
    return;
  }
  // A leaf, an atomic list, or a value that changed type: the node itself changed.
  changed.add(keyOf(path));
  if (isObject(before)) collect(before, path, true, removed);
}

// ---- FieldsV1 encoding ----

interface Node {
  self: boolean;
  children: Map<Element, Node>;
}

const ELEMENT_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function toFieldsV1(set: Set<string>): Record<string, unknown> {
  const root: Node = { self: false, children: new Map() };
  for (const key of set) {
    let node = root;
    for (const el of pathOf(key)) {
      let next = node.children.get(el);
      if (!next) {
        next = { self: false, children: new Map() };
        node.children.set(el, next);
      }
      node = next;
    }
    node.self = true;
  }
  const encode = (node: Node): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (node.self && node.children.size > 0) out['.'] = {};
    const els = [...node.children.keys()].sort((a, b) => {
      const byType = (ELEMENT_ORDER[a[0] ?? 'f'] ?? 9) - (ELEMENT_ORDER[b[0] ?? 'f'] ?? 9);
      return byType !== 0 ? byType : a < b ? -1 : a > b ? 1 : 0;
    });
    for (const el of els) out[el] = encode(node.children.get(el)!);
    return out;
  };
  return encode(root);
}

function fromFieldsV1(fields: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (node: unknown, path: Element[]) => {
    if (!isObject(node)) return;
    const keys = Object.keys(node);
    if (keys.length === 0 && path.length > 0) out.add(keyOf(path));
    for (const k of keys) {
      if (k === '.') out.add(keyOf(path));
      else walk(node[k], [...path, k]);
    }
  };
  walk(fields, []);
  return out;
}

/** A path as the API server prints it in a conflict: `.spec.template.spec.containers`, `[name="x"]`. */
export function pathString(key: string): string {
  return pathOf(key)
    .map((el) => {
      const kind = el.slice(0, 2);
      const rest = el.slice(2);
      if (kind === 'f:') return `.${rest}`;
      if (kind === 'i:') return `[${rest}]`;
      if (kind === 'v:') return `[=${rest}]`;
      const k = JSON.parse(rest) as Record<string, unknown>;
      return `[${Object.entries(k)
        .map(([name, v]) => `${name}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

// ---- entries ----

interface Entry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  subresource: string | undefined;
  set: Set<string>;
}

function readEntries(obj: KubeObject | undefined): Entry[] {
  const raw = obj?.metadata.managedFields;
  if (!Array.isArray(raw)) return [];
  const out: Entry[] = [];
  for (const e of raw) {
    if (!isObject(e) || typeof e.manager !== 'string') continue;
    if (e.operation !== 'Apply' && e.operation !== 'Update') continue;
    out.push({
      manager: e.manager,
      operation: e.operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      time: typeof e.time === 'string' ? e.time : '',
      subresource: typeof e.subresource === 'string' && e.subresource !== '' ? e.subresource : undefined,
      set: fromFieldsV1(e.fieldsV1),
    });
  }
  return out;
}

function writeEntries(entries: Entry[]): ManagedFieldsEntry[] {
  return entries
    .filter((e) => e.set.size > 0)
    .map((e) => ({
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fieldsType: 'FieldsV1' as const,
      fieldsV1: toFieldsV1(e.set),
      ...(e.subresource ? { subresource: e.subresource } : {}),
    }));
}

/** Applies and Updates are different owners even for one manager name (as in the API server). */
const sameOwner = (e: Entry, manager: string, operation: string, apiVersion: string, sub: string | undefined) =>
  e.manager === manager &&
  e.operation === operation &&
  e.subresource === sub &&
  (operation === 'Apply' || e.apiVersion === apiVersion);

/** How a conflict names the other manager: Apply managers by name, Update managers with their version. */
function describeManager(e: Entry): string {
  let text = JSON.stringify(e.manager);
  if (e.subresource) text += ` with subresource ${JSON.stringify(e.subresource)}`;
  return e.operation === 'Update' ? `${text} using ${e.apiVersion}` : text;
}

function conflictError(conflicts: { entry: Entry; key: string }[]): never {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describeManager(c.entry)}`,
    field: pathString(c.key),
  }));
  let message: string;
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    message = `Apply failed with 1 conflict: conflict with ${describeManager(c.entry)}: ${pathString(c.key)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const m = describeManager(c.entry);
      byManager.set(m, [...(byManager.get(m) ?? []), pathString(c.key)]);
    }
    const lines: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${m}:`);
      for (const p of byManager.get(m)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  throw apiError(409, 'Conflict', message, { causes });
}

export interface FieldManagerRequest {
  manager: string;
  apiVersion: string;
  nowMs: number;
  subresource?: string;
}

/**
 * The managedFields after an Update (create when `before` is undefined) from `before` to
 * `after`. When the request itself set different managedFields, they are taken as given (how
 * kubectl moves client-side-apply ownership to server-side apply); an empty list clears them.
 */
export function updateManagedFields(
  before: KubeObject | undefined,
  after: KubeObject,
  req: FieldManagerRequest,
): ManagedFieldsEntry[] {
  const requested = after.metadata.managedFields;
  if (before && Array.isArray(requested) && !dataEqual(requested, before.metadata.managedFields)) {
    return writeEntries(readEntries(after));
  }
  const changed = new Set<string>();
  const removed = new Set<string>();
  compare(managedPart(before, req.subresource), managedPart(after, req.subresource), [], changed, removed);
  const entries = readEntries(before);
  if (changed.size === 0 && removed.size === 0) return writeEntries(entries);
  for (const e of entries) {
    for (const k of changed) e.set.delete(k);
    for (const k of removed) e.set.delete(k);
  }
  const time = isoAt(req.nowMs);
  let mine = entries.find((e) => sameOwner(e, req.manager, 'Update', req.apiVersion, req.subresource));
  if (!mine) {
    mine = {
      manager: req.manager,
      operation: 'Update',
      apiVersion: req.apiVersion,
      time,
      subresource: req.subresource,
      set: new Set(),
    };
    entries.push(mine);
  }
  mine.time = time;
  for (const k of changed) mine.set.add(k);
  return writeEntries(entries);
}

/** Deletes the field at `key` from a plain object (a list item by its key, a field by name). */
function removeField(target: Record<string, unknown>, key: string): void {
  const path = pathOf(key);
  let node: unknown = target;
  for (let i = 0; i < path.length - 1; i++) {
    const el = path[i]!;
    if (!isObject(node)) return;
    node = node[el.slice(2)];
    if (Array.isArray(node)) {
      const next = path[i + 1]!;
      if (next.startsWith('k:') || next.startsWith('v:')) {
        const lt = listType(path.slice(0, i + 1));
        const idx = node.findIndex((item) =>
          lt.type === 'map' ? itemKey(item, lt.keys) === next : `v:${JSON.stringify(item)}` === next,
        );
        if (idx < 0) return;
        if (i + 1 === path.length - 1) {
          node.splice(idx, 1);
          return;
        }
        node = node[idx];
        i++;
      }
    }
  }
  const last = path[path.length - 1];
  if (isObject(node) && last?.startsWith('f:')) delete node[last.slice(2)];
}

export interface ApplyResult {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

/**
 * Server-side apply of `applied` over `live` (undefined: the object is created) by `manager`.
 * Returns the merged object and its managedFields, or throws the API server's 409 conflict.
 * `merge` is the apply merge of two objects (the applied fields win, lists are replaced).
 */
export function applyManagedFields(
  live: KubeObject | undefined,
  applied: KubeObject,
  req: FieldManagerRequest,
  force: boolean,
  merge: (live: KubeObject, applied: KubeObject) => KubeObject,
): ApplyResult {
  const appliedSet = new Set<string>();
  collect(managedPart(applied, req.subresource), [], false, appliedSet);
  const time = isoAt(req.nowMs);
  if (!live) {
    return {
      object: applied,
      managedFields: writeEntries([
        {
          manager: req.manager,
          operation: 'Apply',
          apiVersion: req.apiVersion,
          time,
          subresource: req.subresource,
          set: appliedSet,
        },
      ]),
    };
  }
  const entries = readEntries(live);
  const mine = entries.find((e) => sameOwner(e, req.manager, 'Apply', req.apiVersion, req.subresource));
  const others = entries.filter((e) => e !== mine);
  // A copy of its own: the merge shares what it leaves unchanged with the stored object, whose
  // parts are frozen (src/sim/intern.ts) and must stay as they are, and the fields this manager
  // stops applying are deleted from it below.
  const merged = structuredClone(merge(live, applied));
  // Fields this manager applied before and applies no more go, unless someone else owns them.
  for (const k of mine?.set ?? []) {
    if (appliedSet.has(k) || others.some((e) => e.set.has(k))) continue;
    removeField(merged as unknown as Record<string, unknown>, k);
  }
  const changed = new Set<string>();
  const removed = new Set<string>();
  compare(managedPart(live, req.subresource), managedPart(merged, req.subresource), [], changed, removed);
  const touched = new Set([...changed, ...removed]);
  const conflicts: { entry: Entry; key: string }[] = [];
  for (const e of others) {
    if (e.subresource !== req.subresource) continue;
    for (const k of e.set) if (touched.has(k) && appliedSet.has(k)) conflicts.push({ entry: e, key: k });
  }
  if (conflicts.length > 0 && !force) conflictError(conflicts);
  for (const e of others) {
    for (const k of removed) e.set.delete(k);
    if (force) for (const k of appliedSet) if (touched.has(k)) e.set.delete(k);
  }
  const next = others.filter((e) => e.set.size > 0);
  next.push({
    manager: req.manager,
    operation: 'Apply',
    apiVersion: req.apiVersion,
    time,
    subresource: req.subresource,
    set: appliedSet,
  });
  return { object: merged, managedFields: writeEntries(sortEntries(next, entries)) };
}

/** Entries keep their order; a new one goes last. */
function sortEntries(next: Entry[], previous: Entry[]): Entry[] {
  const rank = (e: Entry) => {
    const i = previous.findIndex(
      (p) => p.manager === e.manager && p.operation === e.operation && p.subresource === e.subresource,
    );
    return i < 0 ? previous.length : i;
  };
  return [...next].sort((a, b) => rank(a) - rank(b));
}

/**
 * The field manager of a request: `fieldManager`, else the user agent's first word as the API
 * server does (`kubectl/v1.32.4 (linux/amd64) …` → `kubectl`).
 */
export function requestManager(fieldManager: string | null, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  const prefix = (userAgent ?? '').split('/')[0]?.trim() ?? '';
  return prefix === '' ? 'unknown' : prefix.slice(0, 128);
}
