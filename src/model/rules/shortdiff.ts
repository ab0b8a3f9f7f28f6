/**
 * knative.dev/pkg's `kmp.ShortDiff` of two revision templates, as the webhook prints it in
 * "Saw the following changes without a name change (-old +new)": one entry per changed value,
 * named by its path in Go (go-cmp's `%#v` of a cmp.Path), then the old value after `-:` and the
 * new after `+:` (each `"%+v"`), a side left out when it has no value there:
 *
 *     {*v1.RevisionTemplateSpec}.Spec.PodSpec.Containers[0].Image:
 *     	-: "helloworld:bar"
 *     	+: "helloworld:foo"
 *
 * Knative diffs Go structs; knsim diffs the JSON form, naming each field by its Go name and
 * walking fields in the Go types' order where it knows them (the template, its metadata, the
 * revision spec, the pod spec, a container), else in name order. Exact for changed and
 * added/removed scalars and map entries. Where Go prints a Go value knsim cannot reproduce,
 * it prints the nearest it can (see docs/conformance.md, faith14): a whole added or removed list
 * element or struct as `{Field:value …}` of its set fields only; a `resource.Quantity` as its
 * string; a pointer set on one side as `&value` (Go prints its address). Lists of different
 * lengths are compared element by element, the extra ones added or removed (`[i->?]`, `[?->j]`),
 * where go-cmp may pair elements differently.
 */
import { PROBE_TIMING_FIELDS } from './schema.js';

type Json = unknown;

/** The Go struct a JSON object stands for, where its field order and pointer fields matter. */
type GoType = 'template' | 'meta' | 'revisionSpec' | 'podSpec' | 'container' | 'probe' | 'other';

/** Go field order of the structs a template is made of (the rest sort after, by name). */
const FIELD_ORDER: Readonly<Record<GoType, readonly string[]>> = {
  template: ['metadata', 'spec'],
  meta: [
    'name',
    'generateName',
    'namespace',
    'uid',
    'generation',
    'labels',
    'annotations',
    'ownerReferences',
    'finalizers',
  ],
  revisionSpec: ['containerConcurrency', 'timeoutSeconds', 'responseStartTimeoutSeconds', 'idleTimeoutSeconds'],
  podSpec: [
    'volumes',
    'initContainers',
    'containers',
    'ephemeralContainers',
    'restartPolicy',
    'terminationGracePeriodSeconds',
    'activeDeadlineSeconds',
    'dnsPolicy',
    'nodeSelector',
    'serviceAccountName',
    'serviceAccount',
    'automountServiceAccountToken',
    'nodeName',
    'hostNetwork',
    'hostPID',
    'hostIPC',
    'shareProcessNamespace',
    'securityContext',
    'imagePullSecrets',
    'hostname',
    'subdomain',
    'affinity',
    'schedulerName',
    'tolerations',
    'hostAliases',
    'priorityClassName',
    'priority',
    'dnsConfig',
    'readinessGates',
    'runtimeClassName',
    'enableServiceLinks',
    'preemptionPolicy',
    'overhead',
    'topologySpreadConstraints',
  ],
  container: [
    'name',
    'image',
    'command',
    'args',
    'workingDir',
    'ports',
    'envFrom',
    'env',
    'resources',
    'resizePolicy',
    'restartPolicy',
    'volumeMounts',
    'volumeDevices',
    'livenessProbe',
    'readinessProbe',
    'startupProbe',
    'lifecycle',
    'terminationMessagePath',
    'terminationMessagePolicy',
    'imagePullPolicy',
    'securityContext',
    'stdin',
    'stdinOnce',
    'tty',
  ],
  probe: ['exec', 'httpGet', 'tcpSocket', 'grpc', ...PROBE_TIMING_FIELDS],
  other: [],
};

/** Go pointer fields (`*int64`, `*bool`, …) of these structs: a change of their value is reported through the pointer. */
const POINTER_FIELDS: Readonly<Record<GoType, ReadonlySet<string>>> = {
  template: new Set(),
  meta: new Set(),
  revisionSpec: new Set([
    'containerConcurrency',
    'timeoutSeconds',
    'responseStartTimeoutSeconds',
    'idleTimeoutSeconds',
  ]),
  podSpec: new Set([
    'terminationGracePeriodSeconds',
    'activeDeadlineSeconds',
    'automountServiceAccountToken',
    'shareProcessNamespace',
    'priority',
    'runtimeClassName',
    'enableServiceLinks',
    'preemptionPolicy',
  ]),
  container: new Set(),
  probe: new Set(['terminationGracePeriodSeconds']),
  other: new Set(),
};

/** JSON names whose Go names are not the JSON name capitalized. */
const GO_NAMES: Readonly<Record<string, string>> = {
  httpGet: 'HTTPGet',
  tcpSocket: 'TCPSocket',
  grpc: 'GRPC',
  hostIP: 'HostIP',
  podIP: 'PodIP',
  hostPID: 'HostPID',
  hostIPC: 'HostIPC',
  tty: 'TTY',
  uid: 'UID',
  dnsPolicy: 'DNSPolicy',
  dnsConfig: 'DNSConfig',
  serviceAccount: 'DeprecatedServiceAccount',
};

const goName = (key: string) => GO_NAMES[key] ?? key.charAt(0).toUpperCase() + key.slice(1);

/** The RevisionSpec's own fields; the rest of a revision spec is its embedded PodSpec. */
const REVISION_SPEC_OWN = new Set(FIELD_ORDER.revisionSpec);

function childType(parent: GoType, key: string): GoType {
  if (parent === 'template') return key === 'metadata' ? 'meta' : 'revisionSpec';
  if (parent === 'podSpec' && (key === 'containers' || key === 'initContainers')) return 'container';
  if (parent === 'container' && key.endsWith('Probe')) return 'probe';
  return 'other';
}

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Go leaves out empty lists and maps (omitempty), so an empty one is the same as none. */
const isAbsent = (v: Json) =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);

/** `%+v` of a value: a scalar bare, a struct or list in Go's braces with only its set fields. */
function goValue(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .map((k) => `${goName(k)}:${goValue(v[k])}`)
      .join(' ')}}`;
  return String(v);
}

function goMap(m: Record<string, Json> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return `map[${keys.map((k) => `${k}:${goValue(m?.[k])}`).join(' ')}]`;
}

/** One changed value: its Go path and each side as printed after `-: ` / `+: `. */
interface Entry {
  path: string;
  old?: string;
  new?: string;
}

/** `"%+v"`: the value in quotes. */
const q = (v: Json) => `"${goValue(v)}"`;

/**
 * The short diff of two revision templates (old, new) in kmp's format; '' when they are the same.
 */
export function revisionTemplateShortDiff(old: Json, current: Json): string {
  const entries: Entry[] = [];
  walkStruct('{*v1.RevisionTemplateSpec}', 'template', old, current, entries);
  return entries
    .map(
      (e) =>
        `${e.path}:\n${e.old !== undefined ? `\t-: ${e.old}\n` : ''}${e.new !== undefined ? `\t+: ${e.new}\n` : ''}`,
    )
    .join('');
}

function orderedKeys(type: GoType, a: Record<string, Json>, b: Record<string, Json>): string[] {
  const order = FIELD_ORDER[type];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const rank = (k: string) => {
    const i = order.indexOf(k);
    return i < 0 ? order.length : i;
  };
  return keys.sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0));
}

function walkStruct(path: string, type: GoType, old: Json, current: Json, out: Entry[]): void {
  const a = isObject(old) ? old : {};
  const b = isObject(current) ? current : {};
  const keys = orderedKeys(type, a, b);
  // A revision spec's PodSpec fields come first (the embedded struct is its first field).
  if (type === 'revisionSpec') {
    const pod = (o: Record<string, Json>) =>
      Object.fromEntries(Object.entries(o).filter(([k]) => !REVISION_SPEC_OWN.has(k)));
    walkStruct(`${path}.PodSpec`, 'podSpec', pod(a), pod(b), out);
    for (const k of keys) if (REVISION_SPEC_OWN.has(k)) walkField(path, type, k, a[k], b[k], out);
    return;
  }
  for (const k of keys) walkField(path, type, k, a[k], b[k], out);
}

function walkField(parentPath: string, parent: GoType, key: string, old: Json, current: Json, out: Entry[]): void {
  const path = `${parentPath}.${goName(key)}`;
  if (parent === 'template') {
    // The template's metadata is its embedded ObjectMeta.
    if (key === 'metadata') walkStruct(`${parentPath}.ObjectMeta`, 'meta', old, current, out);
    else walkStruct(path, 'revisionSpec', old, current, out);
  } else if (POINTER_FIELDS[parent].has(key)) {
    walkPointer(path, old, current, out);
  } else {
    walkValue(path, childType(parent, key), old, current, out, parent === 'other' && /^(limits|requests)$/.test(key));
  }
}

/** A Go pointer field: set on one side only, go-cmp reports the pointer; else the value it points to (`*path`). */
function walkPointer(path: string, old: Json, current: Json, out: Entry[]): void {
  if (isAbsent(old) && isAbsent(current)) return;
  if (isAbsent(old) || isAbsent(current)) out.push({ path, old: pointer(old), new: pointer(current) });
  else if (old !== current) out.push({ path: `*${path}`, old: q(old), new: q(current) });
}

const pointer = (v: Json) => (isAbsent(v) ? '"<nil>"' : `"&${goValue(v)}"`);

function walkValue(path: string, type: GoType, old: Json, current: Json, out: Entry[], quantities = false): void {
  if (isAbsent(old) && isAbsent(current)) return;
  if (Array.isArray(old) || Array.isArray(current)) {
    walkList(path, type, old, current, out);
  } else if (isObject(old) || isObject(current)) {
    if (type === 'other') walkMapOrStruct(path, old, current, out, quantities);
    // A struct knsim knows (a probe) set on one side only: Go reports the pointer whole.
    else if (isAbsent(old) || isAbsent(current)) out.push({ path, old: pointer(old), new: pointer(current) });
    else walkStruct(path, type, old, current, out);
  } else if (old !== current) {
    // A scalar: present on both sides, or (a struct field) its zero value on the other.
    out.push({ path, old: q(old ?? zeroOf(current)), new: q(current ?? zeroOf(old)) });
  }
}

function zeroOf(v: Json): Json {
  return typeof v === 'number' ? 0 : typeof v === 'boolean' ? false : '';
}

/**
 * An object knsim has no Go type for: a map (labels, annotations, limits) or a nested struct.
 * A map absent on one side is reported whole (`map[…]`); entries by key (`["key"]`) otherwise.
 */
function walkMapOrStruct(path: string, old: Json, current: Json, out: Entry[], quantities: boolean): void {
  const isMapPath = /\.(Labels|Annotations|NodeSelector|Limits|Requests)$/.test(path);
  if (isMapPath && (isAbsent(old) || isAbsent(current))) {
    out.push({
      path,
      old: `"${goMap(isObject(old) ? old : undefined)}"`,
      new: `"${goMap(isObject(current) ? current : undefined)}"`,
    });
    return;
  }
  const a = isObject(old) ? old : {};
  const b = isObject(current) ? current : {};
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (isMapPath) {
      const at = `${path}[${JSON.stringify(k)}]`;
      const x = a[k];
      const y = b[k];
      if (x === y) continue;
      const show = (v: Json) => (quantities ? `resource.Quantity: ${q(v)}` : q(v));
      out.push({
        path: at,
        ...(x !== undefined ? { old: show(x) } : {}),
        ...(y !== undefined ? { new: show(y) } : {}),
      });
      continue;
    }
    walkValue(`${path}.${goName(k)}`, 'other', a[k], b[k], out);
  }
}

function walkList(path: string, type: GoType, old: Json, current: Json, out: Entry[]): void {
  const a = Array.isArray(old) ? old : [];
  const b = Array.isArray(current) ? current : [];
  if (a.length === 0 || b.length === 0) {
    out.push({ path, old: q(a), new: q(b) });
    return;
  }
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) walkValue(`${path}[${i}]`, type, a[i], b[i], out);
  for (let i = common; i < a.length; i++) out.push({ path: `${path}[${i}->?]`, old: q(a[i]) });
  for (let j = common; j < b.length; j++) out.push({ path: `${path}[?->${j}]`, new: q(b[j]) });
}
