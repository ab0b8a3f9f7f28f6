/**
 * Label and field selectors as the API server parses them (`app=a,tier!=db,env in (a,b),!gone`,
 * `metadata.name=x`). Only what kubectl and client-node send is supported; anything else is a
 * 400 with the API server's wording.
 */
import type { KubeObject } from '../api/types.js';

export class SelectorError extends Error {}

type Requirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export type Selector = (labels: Record<string, string> | undefined) => boolean;

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${whole}"`);
  return key;
}

function checkValue(value: string, whole: string): string {
  if (!VALUE.test(value)) {
    throw new SelectorError(`unable to parse requirement: invalid label value: "${value}" in "${whole}"`);
  }
  return value;
}

function parseRequirement(term: string): Requirement {
  let m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (m) {
    const values = m[3]!
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '')
      .map((v) => checkValue(v, term));
    return { op: m[2] === 'in' ? 'in' : 'notin', key: checkKey(m[1]!, term), values };
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
  if (m) {
    return { op: m[2] === '!=' ? 'neq' : 'eq', key: checkKey(m[1]!, term), value: checkValue(m[3]!.trim(), term) };
  }
  m = /^!\s*(\S+)$/.exec(term);
  if (m) return { op: 'notexists', key: checkKey(m[1]!, term) };
  return { op: 'exists', key: checkKey(term, term) };
}

/** Parses a label selector; the empty selector matches everything. */
export function parseLabelSelector(text: string | null | undefined): Selector {
  if (!text) return () => true;
  const reqs = splitTerms(text).map(parseRequirement);
  return (labels) => {
    const l = labels ?? {};
    return reqs.every((r) => {
      const has = Object.hasOwn(l, r.key);
      const v = l[r.key];
      switch (r.op) {
        case 'eq':
          return has && v === r.value;
        case 'neq':
          return !has || v !== r.value;
        case 'in':
          return has && r.values.includes(v ?? '');
        case 'notin':
          return !has || !r.values.includes(v ?? '');
        case 'exists':
          return has;
        case 'notexists':
          return !has;
      }
      return false;
    });
  };
}

export type FieldSelector = (obj: KubeObject) => boolean;

/** A string field of an object by its path (`spec.nodeName`), '' when absent. */
function stringAt(obj: KubeObject, path: string): string {
  let v: unknown = obj;
  for (const part of path.split('.'))
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v === undefined || v === null ? '' : String(v);
}

/**
 * The fields each kind can be selected by, as the API server's registries list them (their
 * ToSelectableFields / GetAttrs): metadata.name and metadata.namespace for every kind; Pods' spec
 * and status fields (pkg/registry/core/pod/strategy.go); a Namespace's phase; an Event's object,
 * reason, type, source and reporting component (pkg/registry/core/event/strategy.go), which is
 * what `kubectl get events --field-selector type=Warning` asks for.
 */
const SELECTABLE: Record<string, readonly string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  Namespace: ['status.phase'],
};

function fieldValue(obj: KubeObject, field: string, kind = obj.kind): string | undefined {
  switch (field) {
    case 'metadata.name':
      return obj.metadata.name;
    case 'metadata.namespace':
      return obj.metadata.namespace ?? '';
  }
  if (kind === 'Event') {
    const event = obj as { involvedObject?: Record<string, unknown>; source?: { component?: string } } & Record<
      string,
      unknown
    >;
    if (/^involvedObject\.(kind|namespace|name|uid|apiVersion|resourceVersion|fieldPath)$/.test(field)) {
      return String(event.involvedObject?.[field.slice('involvedObject.'.length)] ?? '');
    }
    switch (field) {
      case 'reason':
      case 'type':
      case 'reportingComponent':
        return String(event[field] ?? '');
      case 'source':
        // The core/v1 source's component, else the reporting controller (events.k8s.io writers).
        return event.source?.component || String(event.reportingComponent ?? '');
    }
    return undefined;
  }
  return SELECTABLE[kind]?.includes(field) ? stringAt(obj, field) : undefined;
}

/** Parses a field selector (`metadata.name=x`, `metadata.namespace!=y`). */
export function parseFieldSelector(text: string | null | undefined, kind: string): FieldSelector {
  if (!text) return () => true;
  const reqs = splitTerms(text).map((term) => {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new SelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = m[1]!;
    if (fieldValue({ apiVersion: 'v1', kind, metadata: { name: '' } } as KubeObject, field, kind) === undefined) {
      throw new SelectorError(`field label not supported: ${field}`);
    }
    return { field, negate: m[2] === '!=', value: m[3]!.trim() };
  });
  return (obj) => reqs.every((r) => (fieldValue(obj, r.field) === r.value) !== r.negate);
}
