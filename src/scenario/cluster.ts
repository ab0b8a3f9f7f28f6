/**
 * The `settings.cluster` and `settings.images` sections: the nodes a scenario runs on, the
 * cluster-autoscaler, and what knsim knows of images (sizes, pull times). Every value is checked
 * here, so a wrong one names its file, line and field before anything runs.
 */
import {
  CLUSTER_AUTOSCALER_DEFAULTS,
  type ClusterSpec,
  defaultNodeGroup,
  type NodeGroupSpec,
} from '../model/cluster/nodes.js';
import { cpuMillis, memoryBytes, parseQuantity } from '../model/cluster/quantity.js';
import { conv, duration, isPlainObject, PathError, PathErrors, type PathSeg, unknownKey } from './fields.js';
import { describeValue } from './issues.js';

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const GROUP_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function cpuFrom(v: unknown): number {
  const m = typeof v === 'number' || typeof v === 'string' ? cpuMillis(v) : undefined;
  if (m === undefined || m <= 0) {
    throw new PathError([], `expected a CPU quantity such as 2, "1.5" or "500m", got ${describeValue(v)}`);
  }
  return m;
}

function memoryFrom(v: unknown): number {
  const b = typeof v === 'number' || typeof v === 'string' ? memoryBytes(v) : undefined;
  if (b === undefined || b <= 0) {
    throw new PathError([], `expected a memory quantity such as "2Gi" or "512Mi", got ${describeValue(v)}`);
  }
  return b;
}

/** A size in bytes: a quantity (`400Mi`, `1G`, 123456789), with an optional `B` (`400MB`). */
export function bytesFrom(v: unknown, what = 'a size such as "400MB" or "250Mi"'): number {
  let text = v;
  if (typeof text === 'string' && /[0-9KMGTPEi]B$/.test(text)) text = text.slice(0, -1);
  const b = typeof text === 'number' || typeof text === 'string' ? parseQuantity(text) : undefined;
  if (b === undefined || !(b > 0)) throw new PathError([], `expected ${what}, got ${describeValue(v)}`);
  return Math.round(b);
}

/** A bandwidth `<size>/s` (`50MB/s`, `100Mi/s`) in bytes per second. */
function bandwidthFrom(v: unknown): number {
  const what = 'a bandwidth such as "50MB/s"';
  if (typeof v !== 'string' || !v.endsWith('/s')) throw new PathError([], `expected ${what}, got ${describeValue(v)}`);
  return bytesFrom(v.slice(0, -2), what);
}

function countFrom(min: number, what: string) {
  return (v: unknown): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new PathError([], `expected ${what} (a whole number, at least ${min}), got ${describeValue(v)}`);
    }
    return v;
  };
}

function labelsFrom(v: unknown): Record<string, string> {
  if (!isPlainObject(v)) throw new PathError([], `expected a mapping of label keys to values, got ${describeValue(v)}`);
  const errors: PathError[] = [];
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (!LABEL_KEY.test(k) || k.length > 316) {
      errors.push(new PathError([k], `invalid label key ${JSON.stringify(k)}`, { unknownKey: true }));
      continue;
    }
    const value = typeof val === 'number' || typeof val === 'boolean' ? String(val) : val;
    if (typeof value !== 'string' || !LABEL_VALUE.test(value) || value.length > 63) {
      errors.push(
        new PathError([k], `invalid label value ${describeValue(val)}: up to 63 letters, digits, "-", "_", "."`),
      );
      continue;
    }
    out[k] = value;
  }
  if (errors.length > 0) throw new PathErrors(errors);
  return out;
}

const GROUP_KEYS = ['name', 'count', 'cpu', 'memory', 'pods', 'labels', 'reserved', 'pullBandwidth'] as const;

function groupFrom(v: unknown, index: number): NodeGroupSpec {
  if (!isPlainObject(v)) {
    throw new PathError(
      [],
      `expected a node group such as { count: 3, cpu: 4, memory: 16Gi }, got ${describeValue(v)}`,
    );
  }
  const errors: PathError[] = [];
  const field = <T>(key: string, read: (x: unknown) => T): T | undefined => {
    if (v[key] === undefined) return undefined;
    try {
      return read(v[key]);
    } catch (e) {
      if (e instanceof PathErrors)
        for (const pe of e.errors) errors.push(new PathError([key, ...pe.path], pe.message, pe.params));
      else if (e instanceof PathError) errors.push(new PathError([key, ...e.path], e.message, e.params));
      else throw e;
      return undefined;
    }
  };
  for (const k of Object.keys(v))
    if (!(GROUP_KEYS as readonly string[]).includes(k)) errors.push(unknownKey([k], k, GROUP_KEYS));
  const name = field('name', (x) => {
    if (typeof x !== 'string' || !GROUP_NAME.test(x) || x.length > 50) {
      throw new PathError(
        [],
        `expected a node group name (lower-case letters, digits and "-"), got ${describeValue(x)}`,
      );
    }
    return x;
  });
  const count = field('count', countFrom(0, 'a node count'));
  const cpu = field('cpu', cpuFrom);
  const memory = field('memory', memoryFrom);
  const pods = field('pods', countFrom(1, 'a pod count'));
  const labels = field('labels', labelsFrom);
  const reserved = field('reserved', (x) => {
    if (!isPlainObject(x))
      throw new PathError([], `expected { cpu: 500m, memory: 1Gi, pods: 10 }, got ${describeValue(x)}`);
    const errs: PathError[] = [];
    const out = { cpuMillis: 0, memoryBytes: 0, pods: 0 };
    for (const [k, val] of Object.entries(x)) {
      try {
        if (k === 'cpu') out.cpuMillis = val === 0 ? 0 : cpuFrom(val);
        else if (k === 'memory') out.memoryBytes = val === 0 ? 0 : memoryFrom(val);
        else if (k === 'pods') out.pods = countFrom(0, 'a pod count')(val);
        else errs.push(unknownKey([k], k, ['cpu', 'memory', 'pods']));
      } catch (e) {
        if (!(e instanceof PathError)) throw e;
        errs.push(new PathError([k, ...e.path], e.message, e.params));
      }
    }
    if (errs.length > 0) throw new PathErrors(errs);
    return out;
  });
  const pullBandwidth = field('pullBandwidth', bandwidthFrom);
  if (errors.length > 0) throw new PathErrors(errors);
  const base = defaultNodeGroup();
  const declared = cpu !== undefined || memory !== undefined;
  return {
    name: name ?? (index === 0 ? base.name : `group-${index + 1}`),
    count: count ?? 1,
    cpuMillis: cpu ?? base.cpuMillis,
    memoryBytes: memory ?? base.memoryBytes,
    pods: pods ?? base.pods,
    labels: labels ?? {},
    // A node shaped by the scenario runs only what the scenario runs, unless it says otherwise.
    reserved: reserved ?? (declared ? { cpuMillis: 0, memoryBytes: 0, pods: 0 } : base.reserved),
    ...(pullBandwidth !== undefined ? { pullBytesPerSecond: pullBandwidth } : {}),
  };
}

const AUTOSCALER_KEYS = [
  'nodes',
  'min',
  'max',
  'provisioning',
  'scanInterval',
  'scaleDownUnneeded',
  'scaleDownDelayAfterAdd',
  'scaleDownUtilizationThreshold',
] as const;

export function clusterFrom(v: unknown): ClusterSpec {
  if (!isPlainObject(v)) {
    throw new PathError([], `expected { nodes: [...], autoscaler: {...} }, got ${describeValue(v)}`);
  }
  const errors: PathError[] = [];
  const at = (path: PathSeg[], e: unknown) => {
    if (e instanceof PathErrors)
      for (const pe of e.errors) errors.push(new PathError([...path, ...pe.path], pe.message, pe.params));
    else if (e instanceof PathError) errors.push(new PathError([...path, ...e.path], e.message, e.params));
    else throw e;
  };
  for (const k of Object.keys(v)) {
    if (!['nodes', 'autoscaler', 'serializeImagePulls'].includes(k)) {
      errors.push(unknownKey([k], k, ['nodes', 'autoscaler', 'serializeImagePulls']));
    }
  }
  let groups: NodeGroupSpec[] = [defaultNodeGroup()];
  const nodes = v.nodes;
  if (typeof nodes === 'number') {
    try {
      groups = [{ ...defaultNodeGroup(), count: countFrom(1, 'a node count')(nodes) }];
    } catch (e) {
      at(['nodes'], e);
    }
  } else if (Array.isArray(nodes)) {
    if (nodes.length === 0) errors.push(new PathError(['nodes'], 'expected at least one node group'));
    groups = [];
    nodes.forEach((g, i) => {
      try {
        groups.push(groupFrom(g, i));
      } catch (e) {
        at(['nodes', i], e);
      }
    });
    const seen = new Set<string>();
    groups.forEach((g, i) => {
      if (seen.has(g.name))
        errors.push(new PathError(['nodes', i, 'name'], `node group ${JSON.stringify(g.name)} is declared twice`));
      seen.add(g.name);
    });
  } else if (nodes !== undefined) {
    errors.push(
      new PathError(['nodes'], `expected a number of nodes or a list of node groups, got ${describeValue(nodes)}`),
    );
  }
  let serialize = true;
  if (v.serializeImagePulls !== undefined) {
    if (typeof v.serializeImagePulls !== 'boolean') {
      errors.push(
        new PathError(['serializeImagePulls'], `expected true or false, got ${describeValue(v.serializeImagePulls)}`),
      );
    } else serialize = v.serializeImagePulls;
  }
  let autoscaler: ClusterSpec['autoscaler'];
  const a = v.autoscaler;
  if (a !== undefined) {
    if (!isPlainObject(a)) {
      errors.push(
        new PathError(['autoscaler'], `expected { min: 1, max: 5, provisioning: 90s }, got ${describeValue(a)}`),
      );
    } else {
      for (const k of Object.keys(a)) {
        if (!(AUTOSCALER_KEYS as readonly string[]).includes(k))
          errors.push(unknownKey(['autoscaler', k], k, AUTOSCALER_KEYS));
      }
      const read = <T>(key: string, fn: (x: unknown) => T, fallback: T): T => {
        if (a[key] === undefined) return fallback;
        try {
          return fn(a[key]);
        } catch (e) {
          at(['autoscaler', key], e);
          return fallback;
        }
      };
      const durationOf = (x: unknown) => {
        const r = duration.safeParse(x);
        if (!r.success) throw new PathError([], r.error.issues[0]?.message ?? 'invalid duration');
        return r.data ?? 0;
      };
      const group = read(
        'nodes',
        (x) => {
          if (typeof x !== 'string' || !groups.some((g) => g.name === x)) {
            throw new PathError(
              [],
              `expected the name of a node group (${groups.map((g) => g.name).join(', ')}), got ${describeValue(x)}`,
            );
          }
          return x;
        },
        groups[0]?.name ?? '',
      );
      const target = groups.find((g) => g.name === group);
      const min = read('min', countFrom(0, 'a node count'), 0);
      const max = read('max', countFrom(1, 'a node count'), Math.max(1, target?.count ?? 1));
      if (max < min) errors.push(new PathError(['autoscaler', 'max'], `max (${max}) is less than min (${min})`));
      if (target && (target.count < min || target.count > max)) {
        errors.push(
          new PathError(
            ['autoscaler', 'nodes'],
            `node group ${JSON.stringify(group)} starts with ${target.count} nodes, outside min ${min} and max ${max}`,
          ),
        );
      }
      const threshold = read(
        'scaleDownUtilizationThreshold',
        (x) => {
          if (typeof x !== 'number' || !(x > 0 && x <= 1))
            throw new PathError([], `expected a number above 0 and at most 1, got ${describeValue(x)}`);
          return x;
        },
        CLUSTER_AUTOSCALER_DEFAULTS.scaleDownUtilizationThreshold,
      );
      const provisioningMs = read('provisioning', durationOf, 60_000);
      autoscaler = {
        group,
        minNodes: min,
        maxNodes: max,
        provisioningMs,
        scanIntervalMs: read('scanInterval', durationOf, CLUSTER_AUTOSCALER_DEFAULTS.scanIntervalMs),
        scaleDownUnneededMs: read('scaleDownUnneeded', durationOf, CLUSTER_AUTOSCALER_DEFAULTS.scaleDownUnneededMs),
        scaleDownDelayAfterAddMs: read(
          'scaleDownDelayAfterAdd',
          durationOf,
          CLUSTER_AUTOSCALER_DEFAULTS.scaleDownDelayAfterAddMs,
        ),
        scaleDownUtilizationThreshold: threshold,
      };
      if (autoscaler.scanIntervalMs <= 0)
        errors.push(new PathError(['autoscaler', 'scanInterval'], 'expected a positive duration'));
    }
  }
  if (errors.length > 0) throw new PathErrors(errors);
  return { groups, serializeImagePulls: serialize, ...(autoscaler ? { autoscaler } : {}) };
}

/** `settings.images`: image name → { size, pull }. */
export function imagesFrom(v: unknown): Record<string, { sizeBytes?: number; pullMs?: number }> {
  if (!isPlainObject(v)) {
    throw new PathError(
      [],
      `expected a mapping of image names to { size: 400MB } or { pull: 20s }, got ${describeValue(v)}`,
    );
  }
  const errors: PathError[] = [];
  const out: Record<string, { sizeBytes?: number; pullMs?: number }> = {};
  for (const [image, spec] of Object.entries(v)) {
    if (!isPlainObject(spec)) {
      errors.push(new PathError([image], `expected { size: 400MB } or { pull: 20s }, got ${describeValue(spec)}`));
      continue;
    }
    const entry: { sizeBytes?: number; pullMs?: number } = {};
    for (const [k, val] of Object.entries(spec)) {
      try {
        if (k === 'size') entry.sizeBytes = bytesFrom(val);
        else if (k === 'pull') {
          const r = duration.safeParse(val);
          if (!r.success) throw new PathError([], r.error.issues[0]?.message ?? 'invalid duration');
          entry.pullMs = r.data ?? 0;
        } else errors.push(unknownKey([image, k], k, ['size', 'pull']));
      } catch (e) {
        if (!(e instanceof PathError)) throw e;
        errors.push(new PathError([image, k, ...e.path], e.message, e.params));
      }
    }
    out[image] = entry;
  }
  if (errors.length > 0) throw new PathErrors(errors);
  return out;
}

export const clusterSchema = conv(clusterFrom);
export const imagesSchema = conv(imagesFrom);
