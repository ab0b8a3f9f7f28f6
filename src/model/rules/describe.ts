/**
 * `kubectl describe`, byte for byte as kubectl 1.32 prints it (its describers are client-side,
 * so knsim's own `kubectl describe` must format exactly what real kubectl prints against
 * `knsim serve`):
 *
 * - the layout is a prefix writer (two spaces per level) through Go's text/tabwriter with
 *   minwidth 0, tabwidth 8, padding 2;
 * - Knative's types (and any other custom resource) use the generic describer: Name, Namespace,
 *   Labels, Annotations, then every other field of the object, keys sorted, names made readable
 *   (`lastTransitionTime` → `Last Transition Time`), lists of objects flattened, then Events;
 * - pods, Deployments, ReplicaSets, ConfigMaps, core Services, Endpoints and Namespaces have
 *   kubectl's own describers (conditions tables, containers with state, ports, probes,
 *   environment and mounts, tolerations, replica sets, …);
 * - Events: the object's events sorted by when they were last seen, with their age, `(x3 over
 *   5m)` for repeats, and who reported them.
 *
 * Times are printed in UTC (kubectl prints its own time zone: run it with TZ=UTC to compare).
 * Ages are relative to `nowMs`, the simulated now (kubectl uses its own clock).
 */
import type { KubeObject } from '../api/types.js';
import { containerRequests } from '../cluster/containers.js';
import { nodeRoles } from '../cluster/nodes.js';
import { cpuMillis, formatCpu, formatMemory, memoryBytes } from '../cluster/quantity.js';
import { type EventFields, eventFirstSeen, tabwriterFormat } from './tables.js';
import { ageSince, isoAt } from './time.js';

/** The settings of kubectl's describe tabwriter (tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)). */
const DESCRIBE_TABWRITER = { minwidth: 0, tabwidth: 8, padding: 2, padchar: ' ' } as const;

/** Text with tabs and newlines, aligned as Go's tabwriter aligns it. */
function tabbed(text: string): string {
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  const body = tabwriterFormat(
    lines.map((l) => l.split('\t')),
    DESCRIBE_TABWRITER,
  );
  return `${lines.length > 0 ? `${body}\n` : ''}${last}`;
}

/** kubectl's PrefixWriter: each level indents two spaces. */
class PrefixWriter {
  text = '';
  write(level: number, s: string): void {
    this.text += '  '.repeat(level) + s;
  }
}

// ---- values as Go's %v prints them ----

/** A float64 as Go's %v prints it (strconv 'g', shortest digits, exponent from 21 or below 1e-4). */
function goFloat(f: number): string {
  if (!Number.isFinite(f)) return Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa, expText] = Math.abs(f).toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const digits = mantissa.replace('.', '');
  const nd = digits.length;
  let eprec = 6;
  if (eprec > nd && nd >= exp + 1) eprec = nd;
  const sign = f < 0 ? '-' : '';
  if (exp < -4 || exp >= Math.max(eprec, 21)) {
    const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    return `${sign}${digits[0]}${nd > 1 ? `.${digits.slice(1)}` : ''}e${e}`;
  }
  return `${sign}${Math.abs(f).toString()}`;
}

/** A JSON value of an unstructured object as Go's %v prints it. */
function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : goFloat(v);
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  const keys = Object.keys(v as object).sort(byteOrder);
  return `map[${keys.map((k) => `${k}:${goValue((v as Record<string, unknown>)[k])}`).join(' ')}]`;
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * fatih/camelcase's Split: runs of lower case, upper case, digits and other characters; an upper
 * case run followed by lower case gives its last letter to the next word (`HTTPServer` → `HTTP`,
 * `Server`; `podIPs` → `pod`, `I`, `Ps`).
 */
function camelcaseSplit(s: string): string[] {
  const kind = (c: string) => (/\p{Ll}/u.test(c) ? 1 : /\p{Lu}/u.test(c) ? 2 : /\p{Nd}/u.test(c) ? 3 : 4);
  const runs: string[][] = [];
  let last = 0;
  for (const c of s) {
    const k = kind(c);
    if (k === last && runs.length > 0) runs[runs.length - 1]!.push(c);
    else runs.push([c]);
    last = k;
  }
  for (let i = 0; i < runs.length - 1; i++) {
    const a = runs[i]!;
    const b = runs[i + 1]!;
    if (kind(a[0]!) === 2 && kind(b[0]!) === 1) {
      b.unshift(a.pop()!);
    }
  }
  return runs.filter((r) => r.length > 0).map((r) => r.join(''));
}

const ACRONYMS = new Set(['API', 'URL', 'UID', 'OSB', 'GUID']);

/** kubectl's readable label for a field name: `lastTransitionTime` → `Last Transition Time`. */
function smartLabelFor(field: string): string {
  if ([...field].some((c) => !/\p{L}/u.test(c) && c !== '-')) return field;
  return camelcaseSplit(field)
    .filter((p) => p !== '_')
    .map((p) => (ACRONYMS.has(p.toUpperCase()) ? p.toUpperCase() : goTitle(p)))
    .join(' ');
}

/** Go's strings.Title: the first letter of each word in upper case. */
function goTitle(s: string): string {
  let out = '';
  let prevLetter = false;
  for (const c of s) {
    const letter = /[\p{L}\p{N}_']/u.test(c);
    out += letter && !prevLetter ? c.toUpperCase() : c;
    prevLetter = letter;
  }
  return out;
}

// ---- common parts ----

/** kubectl's RFC1123Z in UTC: `Thu, 01 Jan 2026 00:00:05 +0000`. */
function rfc1123z(iso: string | undefined): string {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  const d = new Date(Number.isNaN(ms) ? -62135596800000 : ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function printLabelsMultiline(
  w: PrefixWriter,
  title: string,
  labels: Record<string, string> | undefined,
  initialIndent = '',
): void {
  w.write(0, `${initialIndent}${title}:\t`);
  const keys = Object.keys(labels ?? {}).sort(byteOrder);
  if (keys.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, `${initialIndent}\t`);
    w.write(0, `${k}=${labels![k]}\n`);
  });
}

const MAX_ANNOTATION_LEN = 140;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function printAnnotationsMultiline(
  w: PrefixWriter,
  title: string,
  annotations: Record<string, string> | undefined,
): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {})
    .filter((k) => k !== LAST_APPLIED)
    .sort(byteOrder);
  if (keys.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, '\t');
    const value = (annotations![k] ?? '').replace(/\n$/, '');
    if (value.length + k.length + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(0, `${k}:\n`);
      for (const line of value.split('\n')) {
        const short = line.length > MAX_ANNOTATION_LEN - 2 ? `${line.slice(0, MAX_ANNOTATION_LEN - 2)}...` : line;
        w.write(0, `\t  ${short}\n`);
      }
    } else {
      w.write(0, `${k}: ${value}\n`);
    }
  });
}

/** The printed content of an unstructured object: every field, sorted, nested by level. */
function printUnstructuredContent(
  w: PrefixWriter,
  level: number,
  content: Record<string, unknown>,
  skipPrefix: string,
  skip: readonly string[],
): void {
  for (const field of Object.keys(content).sort(byteOrder)) {
    const value = content[field];
    const skipExpr = `${skipPrefix}.${field}`;
    if (skip.includes(skipExpr)) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      w.write(level, `${smartLabelFor(field)}:\n`);
      printUnstructuredContent(w, level + 1, value as Record<string, unknown>, skipExpr, skip);
    } else if (Array.isArray(value)) {
      w.write(level, `${smartLabelFor(field)}:\n`);
      for (const child of value) {
        if (child !== null && typeof child === 'object' && !Array.isArray(child)) {
          printUnstructuredContent(w, level + 1, child as Record<string, unknown>, skipExpr, skip);
        } else {
          w.write(level + 1, `${goValue(child)}\n`);
        }
      }
    } else {
      w.write(level, `${smartLabelFor(field)}:\t${goValue(value)}\n`);
    }
  }
}

// ---- events ----

const lastSeenMs = (e: EventFields) => (e.lastTimestamp ? Date.parse(e.lastTimestamp) : Number.NEGATIVE_INFINITY);

/**
 * The events kubectl finds for an object: same namespace, name and uid, and kind unless
 * `anyKind` (a pod's search leaves the kind out).
 */
function eventsFor(obj: KubeObject, events: readonly KubeObject[], anyKind = false): KubeObject[] {
  return events.filter((e) => {
    const io = (e as EventFields & { involvedObject?: { namespace?: string; uid?: string } }).involvedObject ?? {};
    return (
      io.name === obj.metadata.name &&
      (io.namespace ?? '') === (obj.metadata.namespace ?? '') &&
      (!obj.metadata.uid || io.uid === obj.metadata.uid) &&
      (anyKind || io.kind === obj.kind)
    );
  });
}

const since = (iso: string | undefined, nowMs: number) => (iso ? ageSince(iso, nowMs) : '<unknown>');

function describeEvents(w: PrefixWriter, events: readonly KubeObject[] | undefined, nowMs: number): void {
  if (!events) return;
  if (events.length === 0) {
    w.write(0, 'Events:\t<none>\n');
    return;
  }
  const sorted = events
    .map((e, i) => ({ e: e as KubeObject & EventFields, i }))
    .sort((a, b) => lastSeenMs(a.e) - lastSeenMs(b.e) || a.i - b.i)
    .map((x) => x.e);
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  for (const e of sorted) {
    const first = since(eventFirstSeen(e), nowMs);
    const count = e.count ?? 0;
    const interval = count > 1 ? `${since(e.lastTimestamp ?? undefined, nowMs)} (x${count} over ${first})` : first;
    const from = e.source?.component || e.reportingComponent || '';
    w.write(1, `${e.type ?? ''}\t${e.reason ?? ''}\t${interval}\t${from}\t${(e.message ?? '').trim()}\n`);
  }
}

// ---- describers ----

export interface DescribeContext {
  /** Simulated now, for ages. */
  nowMs: number;
  /** Events in the object's namespace. */
  events: readonly KubeObject[];
  /** Other objects a describer reads: ReplicaSets for a Deployment, pods for a ReplicaSet. */
  related?: readonly KubeObject[];
}

/** The generic describer, used for custom resources (all of Knative's types). */
function describeGeneric(obj: KubeObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  w.write(0, `Name:\t${obj.metadata.name}\n`);
  w.write(0, `Namespace:\t${obj.metadata.namespace ?? ''}\n`);
  printLabelsMultiline(w, 'Labels', obj.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', obj.metadata.annotations);
  printUnstructuredContent(w, 0, obj as unknown as Record<string, unknown>, '', [
    '.metadata.managedFields',
    '.metadata.name',
    '.metadata.namespace',
    '.metadata.labels',
    '.metadata.annotations',
  ]);
  describeEvents(w, eventsFor(obj, ctx.events), ctx.nowMs);
  return tabbed(w.text);
}

interface Probe {
  exec?: { command?: string[] };
  httpGet?: { scheme?: string; host?: string; port?: number | string; path?: string };
  tcpSocket?: { host?: string; port?: number | string };
  grpc?: { port?: number; service?: string };
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

/** kubectl's one-line probe: `http-get http://:8012/ delay=0s timeout=1s period=10s #success=1 #failure=3`. */
function describeProbe(p: Probe): string {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 0}s period=${p.periodSeconds ?? 0}s #success=${p.successThreshold ?? 0} #failure=${p.failureThreshold ?? 0}`;
  if (p.exec) return `exec [${(p.exec.command ?? []).join(' ')}] ${attrs}`;
  if (p.httpGet) {
    const g = p.httpGet;
    const port = g.port === undefined ? '' : String(g.port);
    const host =
      port !== '' ? `${(g.host ?? '').includes(':') ? `[${g.host}]` : (g.host ?? '')}:${port}` : (g.host ?? '');
    return `http-get ${(g.scheme ?? 'HTTP').toLowerCase()}://${host}${g.path ?? ''} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port ?? ''} ${attrs}`;
  if (p.grpc) return `grpc <pod>:${p.grpc.port ?? 0} ${p.grpc.service ?? ''} ${attrs}`;
  return `unknown ${attrs}`;
}

interface ContainerSpec {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: { containerPort?: number; hostPort?: number; protocol?: string }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      fieldRef?: { apiVersion?: string; fieldPath?: string };
      resourceFieldRef?: { resource?: string };
      secretKeyRef?: { name?: string; key?: string; optional?: boolean };
      configMapKeyRef?: { name?: string; key?: string; optional?: boolean };
    };
  }[];
  envFrom?: {
    prefix?: string;
    configMapRef?: { name?: string; optional?: boolean };
    secretRef?: { name?: string; optional?: boolean };
  }[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  securityContext?: { seccompProfile?: { type?: string; localhostProfile?: string } };
}

interface ContainerStatusSpec {
  name: string;
  containerID?: string;
  imageID?: string;
  ready?: boolean;
  restartCount?: number;
  state?: Record<string, Record<string, unknown> | undefined>;
  lastState?: Record<string, Record<string, unknown> | undefined>;
}

function describeState(w: PrefixWriter, name: string, state: ContainerStatusSpec['state']): void {
  const s = state ?? {};
  if (s.running) {
    w.write(2, `${name}:\tRunning\n`);
    w.write(3, `Started:\t${rfc1123z(s.running.startedAt as string | undefined)}\n`);
  } else if (s.waiting) {
    w.write(2, `${name}:\tWaiting\n`);
    if (s.waiting.reason) w.write(3, `Reason:\t${s.waiting.reason}\n`);
  } else if (s.terminated) {
    const t = s.terminated;
    w.write(2, `${name}:\tTerminated\n`);
    if (t.reason) w.write(3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(3, `Message:\t${t.message}\n`);
    w.write(3, `Exit Code:\t${t.exitCode ?? 0}\n`);
    if (typeof t.signal === 'number' && t.signal > 0) w.write(3, `Signal:\t${t.signal}\n`);
    w.write(3, `Started:\t${rfc1123z(t.startedAt as string | undefined)}\n`);
    w.write(3, `Finished:\t${rfc1123z(t.finishedAt as string | undefined)}\n`);
  } else {
    w.write(2, `${name}:\tWaiting\n`);
  }
}

/**
 * A fieldRef's value in a pod as kubectl resolves it: only metadata (name, namespace, uid, a
 * label or annotation); `status.podIP` and the like print empty, as kubectl prints them.
 */
function fieldRefValue(pod: KubeObject | undefined, fieldPath: string | undefined): string {
  if (!pod || !fieldPath) return '';
  const meta = pod.metadata;
  const keyed = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (keyed) return (keyed[1] === 'labels' ? meta.labels : meta.annotations)?.[keyed[2]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return meta.name;
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    default:
      return '';
  }
}

function describeContainers(
  w: PrefixWriter,
  label: string,
  containers: readonly ContainerSpec[],
  statuses: readonly ContainerStatusSpec[] | undefined,
  pod: KubeObject | undefined,
  space: string,
): void {
  w.write(0, `${space}${label}:${containers.length === 0 ? ' <none>' : ''}\n`);
  const nameIndent = space.length > 0 ? ' ' : '';
  for (const c of containers) {
    const status = statuses?.find((s) => s.name === c.name);
    w.write(1, `${nameIndent}${c.name ?? ''}:\n`);
    if (status) w.write(2, `Container ID:\t${status.containerID ?? ''}\n`);
    w.write(2, `Image:\t${c.image ?? ''}\n`);
    if (status) w.write(2, `Image ID:\t${status.imageID ?? ''}\n`);
    const ports = (c.ports ?? []).map((p) => `${p.containerPort ?? 0}/${p.protocol ?? ''}`).join(', ');
    if (ports.includes(',')) w.write(2, `Ports:\t${ports}\n`);
    else w.write(2, `Port:\t${ports || '<none>'}\n`);
    const hostPorts = (c.ports ?? []).map((p) => `${p.hostPort ?? 0}/${p.protocol ?? ''}`).join(', ');
    if (hostPorts.includes(',')) w.write(2, `Host Ports:\t${hostPorts}\n`);
    else w.write(2, `Host Port:\t${hostPorts || '<none>'}\n`);
    const seccomp = c.securityContext?.seccompProfile;
    if (seccomp) {
      w.write(2, `SeccompProfile:\t${seccomp.type ?? ''}\n`);
      if (seccomp.type === 'Localhost') w.write(3, `LocalhostProfile:\t${seccomp.localhostProfile ?? ''}\n`);
    }
    if (c.command && c.command.length > 0) {
      w.write(2, 'Command:\n');
      for (const s of c.command) for (const line of s.split('\n')) w.write(3, `${line}\n`);
    }
    if (c.args && c.args.length > 0) {
      w.write(2, 'Args:\n');
      for (const s of c.args) for (const line of s.split('\n')) w.write(3, `${line}\n`);
    }
    if (status) {
      describeState(w, 'State', status.state);
      if (status.lastState?.terminated) describeState(w, 'Last State', status.lastState);
      w.write(2, `Ready:\t${status.ready ? 'True' : 'False'}\n`);
      w.write(2, `Restart Count:\t${status.restartCount ?? 0}\n`);
    }
    for (const [title, list] of [
      ['Limits', c.resources?.limits],
      ['Requests', c.resources?.requests],
    ] as const) {
      const names = Object.keys(list ?? {}).sort(byteOrder);
      if (names.length > 0) w.write(2, `${title}:\n`);
      for (const n of names) w.write(3, `${n}:\t${list![n]}\n`);
    }
    if (c.livenessProbe) w.write(2, `Liveness:\t${describeProbe(c.livenessProbe)}\n`);
    if (c.readinessProbe) w.write(2, `Readiness:\t${describeProbe(c.readinessProbe)}\n`);
    if (c.startupProbe) w.write(2, `Startup:\t${describeProbe(c.startupProbe)}\n`);
    if (c.envFrom && c.envFrom.length > 0) {
      w.write(2, 'Environment Variables from:\n');
      for (const e of c.envFrom) {
        const from = e.configMapRef ? 'ConfigMap' : e.secretRef ? 'Secret' : '';
        const ref = e.configMapRef ?? e.secretRef;
        const optional = ref?.optional === true;
        if (!e.prefix) w.write(3, `${ref?.name ?? ''}\t${from}\tOptional: ${optional}\n`);
        else w.write(3, `${ref?.name ?? ''}\t${from} with prefix '${e.prefix}'\tOptional: ${optional}\n`);
      }
    }
    const env = c.env ?? [];
    w.write(2, `Environment:${env.length === 0 ? '\t<none>' : ''}\n`);
    for (const e of env) {
      if (!e.valueFrom) {
        (e.value ?? '').split('\n').forEach((line, i) => {
          w.write(3, i === 0 ? `${e.name}:\t${line}\n` : `\t${line}\n`);
        });
        continue;
      }
      const from = e.valueFrom;
      if (from.fieldRef) {
        const value = pod ? fieldRefValue(pod, from.fieldRef.fieldPath) : '';
        w.write(3, `${e.name}:\t${value} (${from.fieldRef.apiVersion ?? ''}:${from.fieldRef.fieldPath ?? ''})\n`);
      } else if (from.resourceFieldRef) {
        w.write(3, `${e.name}:\t (${from.resourceFieldRef.resource ?? ''})\n`);
      } else if (from.secretKeyRef) {
        const r = from.secretKeyRef;
        w.write(
          3,
          `${e.name}:\t<set to the key '${r.key ?? ''}' in secret '${r.name ?? ''}'>\tOptional: ${r.optional === true}\n`,
        );
      } else if (from.configMapKeyRef) {
        const r = from.configMapKeyRef;
        w.write(
          3,
          `${e.name}:\t<set to the key '${r.key ?? ''}' of config map '${r.name ?? ''}'>\tOptional: ${r.optional === true}\n`,
        );
      }
    }
    const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => byteOrder(a.mountPath, b.mountPath));
    w.write(2, `Mounts:${mounts.length === 0 ? '\t<none>' : ''}\n`);
    for (const m of mounts) {
      const flags = [m.readOnly ? 'ro' : 'rw', ...(m.subPath ? [`path=${JSON.stringify(m.subPath)}`] : [])];
      w.write(3, `${m.mountPath} from ${m.name} (${flags.join(',')})\n`);
    }
  }
}

interface Volume {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
  configMap?: { name?: string; optional?: boolean };
  secret?: { secretName?: string; optional?: boolean };
  projected?: {
    sources?: {
      serviceAccountToken?: { expirationSeconds?: number };
      configMap?: { name?: string; optional?: boolean };
      secret?: { name?: string; optional?: boolean };
      downwardAPI?: unknown;
    }[];
  };
}

function describeVolumes(w: PrefixWriter, volumes: readonly Volume[] | undefined, space: string): void {
  if (!volumes || volumes.length === 0) {
    w.write(0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(0, `${space}Volumes:\n`);
  const nameIndent = space.length > 0 ? ' ' : '';
  for (const v of volumes) {
    w.write(1, `${nameIndent}${v.name}:\n`);
    if (v.emptyDir) {
      w.write(
        2,
        `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${v.emptyDir.medium ?? ''}\n    SizeLimit:\t${v.emptyDir.sizeLimit ?? '<unset>'}\n`,
      );
    } else if (v.secret) {
      w.write(
        2,
        `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${v.secret.secretName ?? ''}\n    Optional:\t${v.secret.optional === true}\n`,
      );
    } else if (v.configMap) {
      w.write(
        2,
        `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${v.configMap.name ?? ''}\n    Optional:\t${v.configMap.optional === true}\n`,
      );
    } else if (v.projected) {
      w.write(2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
      for (const s of v.projected.sources ?? []) {
        // kubectl 1.32 prints the optional pointer itself (`<nil>` when unset).
        const optional = (o: boolean | undefined) => (o === undefined ? '<nil>' : String(o));
        if (s.secret)
          w.write(2, `SecretName:\t${s.secret.name ?? ''}\n    SecretOptionalName:\t${optional(s.secret.optional)}\n`);
        else if (s.downwardAPI) w.write(2, 'DownwardAPI:\ttrue\n');
        else if (s.configMap)
          w.write(
            2,
            `ConfigMapName:\t${s.configMap.name ?? ''}\n    ConfigMapOptional:\t${optional(s.configMap.optional)}\n`,
          );
        else if (s.serviceAccountToken)
          w.write(2, `TokenExpirationSeconds:\t${s.serviceAccountToken.expirationSeconds ?? 0}\n`);
      }
    } else {
      w.write(1, '<unknown>\n');
    }
  }
}

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

function printTolerations(
  w: PrefixWriter,
  title: string,
  tolerations: readonly Toleration[] | undefined,
  initialIndent = '',
): void {
  w.write(0, `${initialIndent}${title}:\t`);
  if (!tolerations || tolerations.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  const sorted = [...tolerations].sort((a, b) => byteOrder(a.key ?? '', b.key ?? ''));
  sorted.forEach((t, i) => {
    if (i !== 0) w.write(0, `${initialIndent}\t`);
    let s = t.key ?? '';
    if (t.value) s += `=${t.value}`;
    if (t.effect) s += `:${t.effect}`;
    if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined) s += ` for ${t.tolerationSeconds}s`;
    w.write(0, `${s}\n`);
  });
}

function controllerOf(obj: KubeObject): string {
  const ref = obj.metadata.ownerReferences?.find((o) => o.controller);
  return ref ? `${ref.kind}/${ref.name}` : '';
}

interface PodFields {
  spec: {
    containers?: ContainerSpec[];
    initContainers?: ContainerSpec[];
    priority?: number;
    priorityClassName?: string;
    serviceAccountName?: string;
    nodeName?: string;
    volumes?: Volume[];
    nodeSelector?: Record<string, string>;
    tolerations?: Toleration[];
  };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    hostIP?: string;
    podIP?: string;
    podIPs?: { ip: string }[];
    startTime?: string;
    nominatedNodeName?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: ContainerStatusSpec[];
    initContainerStatuses?: ContainerStatusSpec[];
    qosClass?: string;
  };
}

/** `kubectl describe pod`. */
function describePod(obj: KubeObject, ctx: DescribeContext): string {
  const pod = obj as KubeObject & PodFields;
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const w = new PrefixWriter();
  w.write(0, `Name:\t${pod.metadata.name}\n`);
  w.write(0, `Namespace:\t${pod.metadata.namespace ?? ''}\n`);
  if (spec.priority !== undefined) w.write(0, `Priority:\t${spec.priority}\n`);
  if (spec.priorityClassName) w.write(0, `Priority Class Name:\t${spec.priorityClassName}\n`);
  if (spec.serviceAccountName) w.write(0, `Service Account:\t${spec.serviceAccountName}\n`);
  w.write(0, spec.nodeName ? `Node:\t${spec.nodeName}/${status.hostIP ?? ''}\n` : 'Node:\t<none>\n');
  if (status.startTime) w.write(0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
  printLabelsMultiline(w, 'Labels', pod.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', pod.metadata.annotations);
  const deletion = pod.metadata.deletionTimestamp;
  if (deletion && status.phase !== 'Failed' && status.phase !== 'Succeeded') {
    w.write(0, `Status:\tTerminating (lasts ${ageSince(deletion, ctx.nowMs)})\n`);
    w.write(0, `Termination Grace Period:\t${Number(pod.metadata.deletionGracePeriodSeconds ?? 0)}s\n`);
  } else {
    w.write(0, `Status:\t${status.phase ?? ''}\n`);
  }
  if (status.reason) w.write(0, `Reason:\t${status.reason}\n`);
  if (status.message) w.write(0, `Message:\t${status.message}\n`);
  w.write(0, `IP:\t${status.podIP ?? ''}\n`);
  if (!status.podIPs || status.podIPs.length === 0) w.write(0, 'IPs:\t<none>\n');
  else {
    w.write(0, 'IPs:\n');
    for (const ip of status.podIPs) w.write(1, `IP:\t${ip.ip}\n`);
  }
  const controlledBy = controllerOf(pod);
  if (controlledBy) w.write(0, `Controlled By:\t${controlledBy}\n`);
  if (status.nominatedNodeName) w.write(0, `NominatedNodeName:\t${status.nominatedNodeName}\n`);
  if (spec.initContainers && spec.initContainers.length > 0) {
    describeContainers(w, 'Init Containers', spec.initContainers, status.initContainerStatuses, pod, '');
  }
  describeContainers(w, 'Containers', spec.containers ?? [], status.containerStatuses, pod, '');
  if (status.conditions && status.conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of status.conditions) w.write(1, `${c.type} \t${c.status} \n`);
  }
  describeVolumes(w, spec.volumes, '');
  w.write(0, `QoS Class:\t${status.qosClass ?? ''}\n`);
  printLabelsMultiline(w, 'Node-Selectors', spec.nodeSelector);
  printTolerations(w, 'Tolerations', spec.tolerations);
  describeEvents(w, eventsFor(pod, ctx.events, true), ctx.nowMs);
  return tabbed(w.text);
}

interface TemplateFields {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: PodFields['spec'];
}

function describePodTemplate(w: PrefixWriter, template: TemplateFields | undefined): void {
  w.write(0, 'Pod Template:\n');
  if (!template) {
    w.write(1, '<unset>');
    return;
  }
  printLabelsMultiline(w, 'Labels', template.metadata?.labels, '  ');
  const annotations = template.metadata?.annotations;
  if (annotations && Object.keys(annotations).length > 0) {
    printAnnotationsIndented(w, annotations);
  }
  const spec = template.spec ?? {};
  if (spec.serviceAccountName) w.write(1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (spec.initContainers && spec.initContainers.length > 0) {
    describeContainers(w, 'Init Containers', spec.initContainers, undefined, undefined, '  ');
  }
  describeContainers(w, 'Containers', spec.containers ?? [], undefined, undefined, '  ');
  describeVolumes(w, spec.volumes, '  ');
  if (spec.priorityClassName) w.write(1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  printLabelsMultiline(w, 'Node-Selectors', spec.nodeSelector, '  ');
  printTolerations(w, 'Tolerations', spec.tolerations, '  ');
}

/** printAnnotationsMultiline with the title `  Annotations` (a pod template's). */
function printAnnotationsIndented(w: PrefixWriter, annotations: Record<string, string>): void {
  printAnnotationsMultiline(w, '  Annotations', annotations);
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** A label selector as labels.Selector prints it: requirements sorted by key. */
function selectorString(sel: LabelSelector | undefined): string {
  if (!sel) return '';
  const parts: [string, string][] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push([k, `${k}=${v}`]);
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    const values = [...(e.values ?? [])].sort(byteOrder).join(',');
    if (op === 'in') parts.push([e.key, `${e.key} in (${values})`]);
    else if (op === 'notin') parts.push([e.key, `${e.key} notin (${values})`]);
    else if (op === 'exists') parts.push([e.key, e.key]);
    else if (op === 'doesnotexist') parts.push([e.key, `!${e.key}`]);
  }
  return parts
    .sort((a, b) => byteOrder(a[0], b[0]))
    .map((p) => p[1])
    .join(',');
}

/** A selector as metav1.FormatLabelSelector prints it (`<none>` when empty). */
function formatLabelSelector(sel: LabelSelector | undefined): string {
  const s = selectorString(sel);
  return s === '' ? '<none>' : s;
}

interface WorkloadFields {
  spec: {
    replicas?: number;
    selector?: LabelSelector;
    template?: TemplateFields;
    minReadySeconds?: number;
    strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
  };
  status?: {
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: { type: string; status: string; reason?: string }[];
  };
}

/** `kubectl describe deployment` (`related`: the namespace's ReplicaSets). */
function describeDeployment(obj: KubeObject, ctx: DescribeContext): string {
  const d = obj as KubeObject & WorkloadFields;
  const w = new PrefixWriter();
  w.write(0, `Name:\t${d.metadata.name}\n`);
  w.write(0, `Namespace:\t${d.metadata.namespace ?? ''}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(d.metadata.creationTimestamp)}\n`);
  printLabelsMultiline(w, 'Labels', d.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', d.metadata.annotations);
  w.write(0, `Selector:\t${selectorString(d.spec.selector)}\n`);
  const s = d.status ?? {};
  w.write(
    0,
    `Replicas:\t${d.spec.replicas ?? 1} desired | ${s.updatedReplicas ?? 0} updated | ${s.replicas ?? 0} total | ${s.availableReplicas ?? 0} available | ${s.unavailableReplicas ?? 0} unavailable\n`,
  );
  w.write(0, `StrategyType:\t${d.spec.strategy?.type ?? ''}\n`);
  w.write(0, `MinReadySeconds:\t${d.spec.minReadySeconds ?? 0}\n`);
  const ru = d.spec.strategy?.rollingUpdate;
  if (ru) {
    w.write(0, `RollingUpdateStrategy:\t${ru.maxUnavailable ?? 0} max unavailable, ${ru.maxSurge ?? 0} max surge\n`);
  }
  describePodTemplate(w, d.spec.template);
  if (s.conditions && s.conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\tReason\n');
    w.write(1, '----\t------\t------\n');
    for (const c of s.conditions) w.write(1, `${c.type} \t${c.status}\t${c.reason ?? ''}\n`);
  }
  const owned = (ctx.related ?? []).filter(
    (o) => o.kind === 'ReplicaSet' && o.metadata.ownerReferences?.some((r) => r.controller && r.uid === d.metadata.uid),
  );
  const isNew = (rs: KubeObject) => {
    const template = (rs as KubeObject & WorkloadFields).spec.template;
    const { 'pod-template-hash': _h, ...labels } = template?.metadata?.labels ?? {};
    return (
      JSON.stringify({ ...template, metadata: { ...template?.metadata, labels } }) === JSON.stringify(d.spec.template)
    );
  };
  const created = (rs: KubeObject) => {
    const r = rs as KubeObject & WorkloadFields;
    return `${r.metadata.name} (${r.status?.replicas ?? 0}/${r.spec.replicas ?? 1} replicas created)`;
  };
  const newRs = owned.find(isNew);
  const old = owned.filter((r) => r !== newRs);
  w.write(0, `OldReplicaSets:\t${old.length > 0 ? old.map(created).join(', ') : '<none>'}\n`);
  w.write(0, `NewReplicaSet:\t${newRs ? created(newRs) : '<none>'}\n`);
  describeEvents(w, eventsFor(d, ctx.events), ctx.nowMs);
  return tabbed(w.text);
}

/** `kubectl describe replicaset` (`related`: the namespace's pods). */
function describeReplicaSet(obj: KubeObject, ctx: DescribeContext): string {
  const rs = obj as KubeObject & WorkloadFields;
  const w = new PrefixWriter();
  w.write(0, `Name:\t${rs.metadata.name}\n`);
  w.write(0, `Namespace:\t${rs.metadata.namespace ?? ''}\n`);
  w.write(0, `Selector:\t${formatLabelSelector(rs.spec.selector)}\n`);
  printLabelsMultiline(w, 'Labels', rs.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', rs.metadata.annotations);
  const controlledBy = controllerOf(rs);
  if (controlledBy) w.write(0, `Controlled By:\t${controlledBy}\n`);
  w.write(0, `Replicas:\t${rs.status?.replicas ?? 0} current / ${rs.spec.replicas ?? 1} desired\n`);
  const pods = (ctx.related ?? []).filter(
    (p) => p.kind === 'Pod' && p.metadata.ownerReferences?.some((r) => r.controller && r.uid === rs.metadata.uid),
  );
  const phase = (p: KubeObject) => (p as KubeObject & PodFields).status?.phase;
  const count = (ph: string) => pods.filter((p) => phase(p) === ph).length;
  w.write(0, 'Pods Status:\t');
  w.write(
    0,
    `${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed\n`,
  );
  describePodTemplate(w, rs.spec.template);
  describeEvents(w, eventsFor(rs, ctx.events), ctx.nowMs);
  return tabbed(w.text);
}

/** `kubectl describe configmap`. */
function describeConfigMap(obj: KubeObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  w.write(0, `Name:\t${obj.metadata.name}\n`);
  w.write(0, `Namespace:\t${obj.metadata.namespace ?? ''}\n`);
  printLabelsMultiline(w, 'Labels', obj.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', obj.metadata.annotations);
  w.write(0, '\nData\n====\n');
  // kubectl ranges over a Go map: the order is random; knsim sorts.
  const data = (obj as { data?: Record<string, string> }).data ?? {};
  for (const k of Object.keys(data).sort(byteOrder)) {
    w.write(0, `${k}:\n----\n`);
    w.write(0, `${data[k]}\n`);
    w.write(0, '\n');
  }
  w.write(0, '\nBinaryData\n====\n');
  const binary = (obj as { binaryData?: Record<string, string> }).binaryData ?? {};
  for (const k of Object.keys(binary).sort(byteOrder)) {
    w.write(0, `${k}: ${Buffer.from(binary[k] ?? '', 'base64').length} bytes\n`);
  }
  w.write(0, '\n');
  describeEvents(w, eventsFor(obj, ctx.events), ctx.nowMs);
  return tabbed(w.text);
}

interface ServiceFields {
  spec?: {
    type?: string;
    selector?: Record<string, string>;
    clusterIP?: string;
    clusterIPs?: string[];
    ipFamilies?: string[];
    ipFamilyPolicy?: string;
    externalName?: string;
    ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string; nodePort?: number }[];
    sessionAffinity?: string;
    internalTrafficPolicy?: string;
  };
}

interface EndpointSubset {
  addresses?: { ip: string }[];
  notReadyAddresses?: { ip: string }[];
  ports?: { name?: string; port: number; protocol?: string }[];
}

interface EndpointSliceFields {
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[];
  ports?: { name?: string; port?: number }[];
}

/**
 * The ready endpoints of a Service's port from its EndpointSlices, as kubectl's
 * formatEndpointSlices prints them: `ip:port`, three at most, then ` + N more...`.
 */
function formatEndpointSlices(slices: readonly KubeObject[], port: string): string {
  if (slices.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const slice of slices as (KubeObject & EndpointSliceFields)[]) {
    const ports = slice.ports ?? [];
    const endpoints = slice.endpoints ?? [];
    if (ports.length === 0) {
      for (const e of endpoints) {
        if (e.conditions?.ready === false) continue;
        if (list.length < 3) list.push(e.addresses?.[0] ?? '');
        count++;
      }
      continue;
    }
    for (const p of ports) {
      if ((p.name ?? '') !== port) continue;
      for (const e of endpoints) {
        if (e.conditions?.ready === false) continue;
        if (list.length < 3) list.push(`${e.addresses?.[0] ?? ''}:${p.port ?? ''}`);
        count++;
      }
    }
  }
  const text = list.join(',');
  return count > 3 ? `${text} + ${count - 3} more...` : text;
}

/** `kubectl describe service` (`related`: the namespace's EndpointSlices). */
function describeService(obj: KubeObject, ctx: DescribeContext): string {
  const svc = obj as KubeObject & ServiceFields;
  const spec = svc.spec ?? {};
  const slices = (ctx.related ?? []).filter(
    (o) => o.kind === 'EndpointSlice' && o.metadata.labels?.['kubernetes.io/service-name'] === svc.metadata.name,
  );
  const w = new PrefixWriter();
  w.write(0, `Name:\t${svc.metadata.name}\n`);
  w.write(0, `Namespace:\t${svc.metadata.namespace ?? ''}\n`);
  printLabelsMultiline(w, 'Labels', svc.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', svc.metadata.annotations);
  w.write(
    0,
    `Selector:\t${Object.keys(spec.selector ?? {}).length > 0 ? selectorString({ matchLabels: spec.selector }) : '<none>'}\n`,
  );
  w.write(0, `Type:\t${spec.type ?? ''}\n`);
  if (spec.ipFamilyPolicy) w.write(0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
  if (spec.ipFamilies && spec.ipFamilies.length > 0) w.write(0, `IP Families:\t${spec.ipFamilies.join(',')}\n`);
  else w.write(0, 'IP Families:\t<none>\n');
  w.write(0, `IP:\t${spec.clusterIP ?? ''}\n`);
  if (spec.clusterIPs && spec.clusterIPs.length > 0) w.write(0, `IPs:\t${spec.clusterIPs.join(',')}\n`);
  else w.write(0, 'IPs:\t<none>\n');
  if (spec.type === 'ExternalName') w.write(0, `External Name:\t${spec.externalName ?? ''}\n`);
  for (const p of spec.ports ?? []) {
    const name = p.name || '<unset>';
    w.write(0, `Port:\t${name}\t${p.port}/${p.protocol ?? 'TCP'}\n`);
    const target = p.targetPort;
    if (typeof target === 'string') w.write(0, `TargetPort:\t${target}/${p.protocol ?? 'TCP'}\n`);
    else w.write(0, `TargetPort:\t${target ?? p.port}/${p.protocol ?? 'TCP'}\n`);
    if (p.nodePort) w.write(0, `NodePort:\t${name}\t${p.nodePort}/${p.protocol ?? 'TCP'}\n`);
    w.write(0, `Endpoints:\t${formatEndpointSlices(slices, p.name ?? '')}\n`);
  }
  w.write(0, `Session Affinity:\t${spec.sessionAffinity ?? ''}\n`);
  if (spec.internalTrafficPolicy) w.write(0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
  describeEvents(w, eventsFor(svc, ctx.events), ctx.nowMs);
  return tabbed(w.text);
}

/** `kubectl describe endpoints`. */
function describeEndpoints(obj: KubeObject, ctx: DescribeContext): string {
  const subsets = ((obj as { subsets?: EndpointSubset[] }).subsets ?? []) as EndpointSubset[];
  const w = new PrefixWriter();
  w.write(0, `Name:\t${obj.metadata.name}\n`);
  w.write(0, `Namespace:\t${obj.metadata.namespace ?? ''}\n`);
  printLabelsMultiline(w, 'Labels', obj.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', obj.metadata.annotations);
  w.write(0, 'Subsets:\n');
  for (const ss of subsets) {
    const ips = (list: { ip: string }[] | undefined) =>
      list && list.length > 0 ? list.map((a) => a.ip).join(',') : '<none>';
    w.write(1, `Addresses:\t${ips(ss.addresses)}\n`);
    w.write(1, `NotReadyAddresses:\t${ips(ss.notReadyAddresses)}\n`);
    if (ss.ports && ss.ports.length > 0) {
      w.write(1, 'Ports:\n    Name\tPort\tProtocol\n');
      w.write(2, '----\t----\t--------\n');
      for (const p of ss.ports) w.write(2, `${p.name || '<unset>'}\t${p.port}\t${p.protocol ?? ''}\n`);
    }
    w.write(0, '\n');
  }
  describeEvents(w, eventsFor(obj, ctx.events), ctx.nowMs);
  return tabbed(w.text);
}

/** `kubectl describe namespace` (no quotas or limit ranges in a simulated cluster). */
function describeNamespace(obj: KubeObject, _ctx: DescribeContext): string {
  const w = new PrefixWriter();
  w.write(0, `Name:\t${obj.metadata.name}\n`);
  printLabelsMultiline(w, 'Labels', obj.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', obj.metadata.annotations);
  w.write(0, `Status:\t${(obj.status as { phase?: string } | undefined)?.phase ?? ''}\n`);
  w.write(0, '\n');
  w.write(0, 'No resource quota.\n');
  w.write(0, '\n');
  w.write(0, 'No LimitRange resource.\n');
  return tabbed(w.text);
}

interface NodeFields {
  spec?: {
    unschedulable?: boolean;
    podCIDR?: string;
    podCIDRs?: string[];
    taints?: { key: string; value?: string; effect: string }[];
  };
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: {
      type: string;
      status: string;
      lastHeartbeatTime?: string;
      lastTransitionTime?: string;
      reason?: string;
      message?: string;
    }[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: Record<string, string>;
  };
}

interface ResourceFields {
  requests?: { cpu?: string | number; memory?: string | number };
  limits?: { cpu?: string | number; memory?: string | number };
}

/** A pod's CPU and memory requests and limits summed over its containers (millicores, bytes). */
function podResources(pod: KubeObject): { cpuReq: number; cpuLim: number; memReq: number; memLim: number } {
  const out = { cpuReq: 0, cpuLim: 0, memReq: 0, memLim: 0 };
  for (const c of (pod as { spec?: { containers?: { resources?: ResourceFields }[] } }).spec?.containers ?? []) {
    const r = c.resources ?? {};
    const req = containerRequests(r);
    out.cpuReq += req.cpuMillis ?? 0;
    out.memReq += req.memoryBytes ?? 0;
    out.cpuLim += r.limits?.cpu !== undefined ? (cpuMillis(r.limits.cpu) ?? 0) : 0;
    out.memLim += r.limits?.memory !== undefined ? (memoryBytes(r.limits.memory) ?? 0) : 0;
  }
  return out;
}

/**
 * `kubectl describe node` (`related`: the pods of every namespace; it lists the ones bound to
 * the node that have not ended, and adds up their requests and limits against Allocatable).
 */
function describeNode(obj: KubeObject, ctx: DescribeContext): string {
  const node = obj as KubeObject & NodeFields;
  const w = new PrefixWriter();
  const status = node.status ?? {};
  w.write(0, `Name:\t${node.metadata.name}\n`);
  w.write(0, `Roles:\t${nodeRoles(node.metadata.labels)}\n`);
  printLabelsMultiline(w, 'Labels', node.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', node.metadata.annotations);
  w.write(0, `CreationTimestamp:\t${rfc1123z(node.metadata.creationTimestamp)}\n`);
  const taints = node.spec?.taints ?? [];
  if (taints.length === 0) w.write(0, 'Taints:\t<none>\n');
  else {
    taints.forEach((t, i) => {
      w.write(0, `${i === 0 ? 'Taints:' : ''}\t${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}\n`);
    });
  }
  w.write(0, `Unschedulable:\t${node.spec?.unschedulable === true}\n`);
  w.write(0, 'Lease:\n');
  w.write(1, `HolderIdentity:\t${node.metadata.name}\n`);
  w.write(1, 'AcquireTime:\t<unset>\n');
  w.write(1, `RenewTime:\t${rfc1123z(isoAt(Math.floor(ctx.nowMs / 1000) * 1000))}\n`);
  const conditions = status.conditions ?? [];
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of conditions) {
      w.write(
        1,
        `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ''} \t${c.message ?? ''}\n`,
      );
    }
  }
  w.write(0, 'Addresses:\n');
  for (const a of status.addresses ?? []) w.write(1, `${a.type}:\t${a.address}\n`);
  const list = (title: string, resources: Record<string, string> | undefined) => {
    if (!resources || Object.keys(resources).length === 0) return;
    w.write(0, `${title}:\n`);
    for (const k of Object.keys(resources).sort()) w.write(0, `  ${k}:\t${resources[k]}\n`);
  };
  list('Capacity', status.capacity);
  list('Allocatable', status.allocatable);
  const info = status.nodeInfo ?? {};
  w.write(0, 'System Info:\n');
  for (const [label, key] of [
    ['Machine ID', 'machineID'],
    ['System UUID', 'systemUUID'],
    ['Boot ID', 'bootID'],
    ['Kernel Version', 'kernelVersion'],
    ['OS Image', 'osImage'],
    ['Operating System', 'operatingSystem'],
    ['Architecture', 'architecture'],
    ['Container Runtime Version', 'containerRuntimeVersion'],
    ['Kubelet Version', 'kubeletVersion'],
  ] as const) {
    w.write(0, `  ${label}:\t${info[key] ?? ''}\n`);
  }
  if (info.kubeProxyVersion) w.write(0, `  Kube-Proxy Version:\t${info.kubeProxyVersion}\n`);
  if (node.spec?.podCIDR) w.write(0, `PodCIDR:\t${node.spec.podCIDR}\n`);
  if (node.spec?.podCIDRs?.length) w.write(0, `PodCIDRs:\t${node.spec.podCIDRs.join(',')}\n`);
  const pods = (ctx.related ?? []).filter((p) => {
    const phase = (p.status as { phase?: string } | undefined)?.phase;
    const bound = (p.spec as { nodeName?: string } | undefined)?.nodeName === node.metadata.name;
    return bound && phase !== 'Succeeded' && phase !== 'Failed';
  });
  const allocatable = status.allocatable ?? status.capacity ?? {};
  const cpuAll = cpuMillis(allocatable.cpu ?? '0') ?? 0;
  const memAll = memoryBytes(allocatable.memory ?? '0') ?? 0;
  const pct = (x: number, of: number) => (of === 0 ? 0 : Math.trunc((x / of) * 100));
  const cpu = (m: number) => (m === 0 ? '0' : formatCpu(m));
  const mem = (b: number) => (b === 0 ? '0' : formatMemory(b));
  const cell = (x: number, of: number, show: (v: number) => string) => `${show(x)} (${pct(x, of)}%)`;
  w.write(0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const total = { cpuReq: 0, cpuLim: 0, memReq: 0, memLim: 0 };
  for (const p of pods) {
    const r = podResources(p);
    total.cpuReq += r.cpuReq;
    total.cpuLim += r.cpuLim;
    total.memReq += r.memReq;
    total.memLim += r.memLim;
    const cells = [
      cell(r.cpuReq, cpuAll, cpu),
      cell(r.cpuLim, cpuAll, cpu),
      cell(r.memReq, memAll, mem),
      cell(r.memLim, memAll, mem),
    ].join('\t');
    w.write(
      1,
      `${p.metadata.namespace ?? ''}\t${p.metadata.name}\t\t${cells}\t${ageSince(p.metadata.creationTimestamp, ctx.nowMs)}\n`,
    );
  }
  w.write(0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(1, 'Resource\tRequests\tLimits\n');
  w.write(1, '--------\t--------\t------\n');
  w.write(1, `cpu\t${cell(total.cpuReq, cpuAll, cpu)}\t${cell(total.cpuLim, cpuAll, cpu)}\n`);
  w.write(1, `memory\t${cell(total.memReq, memAll, mem)}\t${cell(total.memLim, memAll, mem)}\n`);
  w.write(1, 'ephemeral-storage\t0 (0%)\t0 (0%)\n');
  for (const k of Object.keys(allocatable)
    .filter((k) => k.startsWith('hugepages-'))
    .sort()) {
    w.write(1, `${k}\t0 (0%)\t0 (0%)\n`);
  }
  describeEvents(w, eventsFor(node, ctx.events), ctx.nowMs);
  return tabbed(w.text);
}

/** Which describer kubectl uses for a resource type (by resource id), and what else it reads. */
export function describerFor(resourceId: string): {
  describe: (obj: KubeObject, ctx: DescribeContext) => string;
  /** Resource ids of the other objects it needs (`related`). */
  reads: readonly string[];
} {
  switch (resourceId) {
    case 'pods':
      return { describe: describePod, reads: [] };
    case 'deployments.apps':
      return { describe: describeDeployment, reads: ['replicasets.apps'] };
    case 'replicasets.apps':
      return { describe: describeReplicaSet, reads: ['pods'] };
    case 'configmaps':
      return { describe: describeConfigMap, reads: [] };
    case 'services':
      return { describe: describeService, reads: ['endpointslices.discovery.k8s.io'] };
    case 'endpoints':
      return { describe: describeEndpoints, reads: [] };
    case 'namespaces':
      return { describe: describeNamespace, reads: [] };
    case 'nodes':
      return { describe: describeNode, reads: ['pods'] };
    default:
      return { describe: describeGeneric, reads: [] };
  }
}

/** Several objects described at once are separated by a blank line, as kubectl prints them. */
export function joinDescriptions(texts: readonly string[]): string {
  return texts.join('\n\n');
}
