/**
 * The event log's shapes (src/model/events.ts) as zod schemas, for every reader of a log file:
 * a line that does not have the fields its readers use is refused where it is read, naming the
 * line, instead of crashing a screen later. Objects are loose (fields added later pass through);
 * the type checks below keep each schema and its interface in step, and the map of schemas
 * covers every event type of `LogEvent`: adding an event type without its schema does not compile.
 */
import * as z from 'zod';
import type { LogEvent, LogHeader } from './events.js';
import { LOG_FORMAT_VERSION } from './events.js';

const count = z.int().nonnegative();
const name = z.string().min(1);
/**
 * Run time in ms: no run gets past 366 days (the simulator's time limit, src/io/runLimits.ts), so
 * a later time is a damaged line, refused before a reader sizes its per-second series by it.
 */
const MAX_RUN_TIME_MS = 366 * 24 * 3_600_000;
const runTime = z
  .number()
  .nonnegative()
  .max(MAX_RUN_TIME_MS, { error: 'a run time beyond 366 days (no run gets there)' });
const stringMap = z.record(z.string(), z.string());

const condition = z.looseObject({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
});

/** What every reader of an API object relies on: its identity, labels, owners and conditions. */
const kubeObjectSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    generation: z.number().optional(),
    resourceVersion: z.string().optional(),
    creationTimestamp: z.string().optional(),
    deletionTimestamp: z.string().optional(),
    labels: stringMap.optional(),
    annotations: stringMap.optional(),
    ownerReferences: z
      .array(
        z.looseObject({
          apiVersion: z.string(),
          kind: z.string(),
          name: z.string(),
          uid: z.string(),
          controller: z.boolean().optional(),
        }),
      )
      .optional(),
  }),
  spec: z.looseObject({}).optional(),
  status: z.looseObject({ conditions: z.array(condition).optional() }).optional(),
});

const logHeaderSchema = z.looseObject({
  type: z.literal('header'),
  format: z.int().positive(),
  knsim: z.string(),
  backend: z.enum(['sim', 'live']),
  scenario: z.string(),
  scenarioFile: z.string().optional(),
  seed: z.number(),
  namespace: z.string(),
  epoch: z.iso.datetime({ offset: true }),
}) satisfies z.ZodType<LogHeader>;

const objectEvent = z.looseObject({
  type: z.literal('object'),
  t: runTime,
  op: z.enum(['added', 'modified', 'deleted']),
  kind: name,
  namespace: z.string(),
  name: name,
  object: kubeObjectSchema,
});

const podEvent = z.looseObject({
  type: z.literal('pod'),
  t: runTime,
  pod: name,
  revision: z.string(),
  phase: z.enum(['Pending', 'ContainerCreating', 'Running', 'Ready', 'Terminating', 'Gone']),
  pullMs: z.number().nonnegative().optional(),
});

/** The decider's record: readers use these fields (the rest is explanation input, loose). */
const decision = z.looseObject({
  valid: z.boolean(),
  desiredPodCount: z.number().optional(),
  excessBurstCapacity: z.number().optional(),
  panicking: z.boolean().optional(),
  readyPods: z.number().optional(),
  stableWindowMs: z.number().optional(),
  panicWindowMs: z.number().optional(),
  panicThreshold: z.number().optional(),
});

const kpaTickEvent = z.looseObject({
  type: z.literal('kpa.tick'),
  t: runTime,
  revision: name,
  decision,
  scale: z.looseObject({ want: z.number().optional(), gate: z.string().optional() }).optional(),
  explain: z.array(z.string()).optional(),
  context: z
    .looseObject({
      readyPods: count,
      replicas: count,
      paState: z.enum(['Active', 'Activating', 'Inactive']),
      paStateForMs: z.number(),
      sksMode: z.enum(['Serve', 'Proxy']),
      activatorInPath: z.boolean(),
      activators: count,
      reconciled: z.boolean(),
      scaleAtMs: z.number().nullable(),
      minScale: count,
      maxScale: count,
    })
    .optional(),
  specVersion: count.optional(),
  shadow: z
    .looseObject({
      source: z.enum(['autoscaler', 'queue-proxy', 'none']),
      windows: z.looseObject({ stable: z.number().nullable(), panic: z.number().nullable() }).optional(),
      gap: z.string().optional(),
    })
    .optional(),
  cluster: z
    .looseObject({
      naming: z.enum(['opencensus', 'otel']),
      scrapedAtMs: runTime,
      desiredPods: z.number().optional(),
      stable: z.number().optional(),
      panic: z.number().optional(),
      target: z.number().optional(),
      excessBurstCapacity: z.number().optional(),
      panicking: z.boolean().optional(),
      requestedPods: z.number().optional(),
      readyPods: z.number().optional(),
      notReadyPods: z.number().optional(),
      pendingPods: z.number().optional(),
      terminatingPods: z.number().optional(),
    })
    .optional(),
  comparison: z
    .looseObject({
      agree: z.boolean().nullable(),
      modelPods: z.number().nullable(),
      clusterPods: z.number().nullable(),
      delta: z.number().nullable(),
      because: z.array(
        z.looseObject({
          input: z.enum(['scrape gap', 'no data', 'window', 'ready pods', 'target', 'panic', 'history']),
          text: z.string(),
        }),
      ),
    })
    .optional(),
});

/** A number, or what JSON made of an infinite one (null): configurations may hold Inf. */
const real = z.union([z.number(), z.null().transform(() => Number.POSITIVE_INFINITY)]);

const statEvent = z.looseObject({
  type: z.literal('stat'),
  t: runTime,
  revision: name,
  source: z.enum(['scraper', 'activator']),
  averageConcurrency: z.number(),
  averageProxiedConcurrency: z.number(),
  requestCount: z.number(),
  proxiedRequestCount: z.number(),
});

/** src/model/kpa DeciderSpec, every field: `knsim verify` decides with it. */
const deciderSpec = z.looseObject({
  autoscalerClass: z.string(),
  metric: z.string(),
  targetValue: real,
  totalValue: real,
  targetUtilization: real,
  panicThreshold: real,
  maxScaleUpRate: real,
  maxScaleDownRate: real,
  stableWindowMs: runTime,
  panicWindowMs: runTime,
  scaleDownDelayMs: runTime,
  targetBurstCapacity: z.number(),
  activationScale: z.number(),
  initialScale: z.number(),
  reachable: z.boolean(),
  aggregation: z.enum(['linear', 'weighted-exponential']),
  minScale: z.number(),
  maxScale: z.number(),
  scaleToZeroGracePeriodMs: runTime,
  scaleToZeroPodRetentionMs: runTime,
  enableScaleToZero: z.boolean(),
  activatorCapacity: real,
  activationTimeoutMs: runTime,
});

const kpaSpecEvent = z.looseObject({
  type: z.literal('kpa.spec'),
  t: runTime,
  revision: name,
  version: z.int().positive(),
  spec: deciderSpec,
  readyPods: count.optional(),
});

const kpaScaleEvent = z.looseObject({
  type: z.literal('kpa.scale'),
  t: runTime,
  revision: name,
  specVersion: z.int().positive(),
  byTick: z.boolean().optional(),
  inputs: z.looseObject({
    desired: z.number(),
    paState: z.enum(['Active', 'Activating', 'Inactive']),
    paStateSinceMs: z.number(),
    scaleTargetInitialized: z.boolean(),
    currentReplicas: count,
    sksMode: z.enum(['Serve', 'Proxy']),
    proxySinceMs: z.number().nullable(),
    activatorProbeOk: z.boolean(),
    nowMs: runTime,
  }),
  scale: z.looseObject({ want: z.number(), gate: z.string() }),
});

/** src/model/hpa ScalingRules: the behaviour a sync is normalized with. */
const hpaScalingRules = z.looseObject({
  stabilizationWindowSeconds: z.number().nonnegative(),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']),
  policies: z.array(
    z.looseObject({ type: z.enum(['Pods', 'Percent']), value: z.number(), periodSeconds: z.number().positive() }),
  ),
});

/** src/model/hpa HpaSpec, every field `knsim verify` syncs with. */
const hpaSpec = z.looseObject({
  scaleTargetRef: z.looseObject({ apiVersion: z.string(), kind: z.string(), name: z.string() }),
  minReplicas: count,
  maxReplicas: count,
  metrics: z
    .array(
      z.union([
        z.looseObject({
          type: z.literal('Resource'),
          resource: z.looseObject({
            name: z.literal('cpu'),
            target: z.looseObject({ type: z.literal('Utilization'), averageUtilization: z.number() }),
          }),
        }),
        z.looseObject({
          type: z.literal('Resource'),
          resource: z.looseObject({
            name: z.literal('memory'),
            target: z.looseObject({ type: z.literal('AverageValue'), averageValue: z.string() }),
          }),
        }),
      ]),
    )
    .min(1),
  behavior: z.looseObject({ scaleUp: hpaScalingRules, scaleDown: hpaScalingRules }),
});

/** src/model/hpa HpaPod: a pod of the target as the HPA controller saw it. */
const hpaPod = z.looseObject({
  name,
  phase: z.enum(['Pending', 'Running', 'Failed']),
  deleting: z.boolean(),
  ready: z.looseObject({ status: z.boolean(), sinceMs: z.number() }).optional(),
  startMs: z.number().optional(),
  // JSON leaves out the value of a container without a request.
  requests: z.array(z.looseObject({ container: z.string(), value: z.number().optional() })),
  metric: z.looseObject({ value: z.number(), timestampMs: z.number(), windowMs: z.number() }).optional(),
});

const hpaHistory = z.looseObject({
  recommendations: z.array(z.looseObject({ atMs: z.number(), replicas: z.number() })),
  scaleUps: z.array(z.looseObject({ atMs: z.number(), change: z.number() })),
  scaleDowns: z.array(z.looseObject({ atMs: z.number(), change: z.number() })),
});

const hpaSyncEvent = z.looseObject({
  type: z.literal('hpa.sync'),
  t: runTime,
  revision: name,
  inputs: z.looseObject({
    spec: hpaSpec,
    currentReplicas: count,
    previousDesired: count,
    pods: z.array(hpaPod),
    history: hpaHistory.optional(),
  }),
  decision: z.looseObject({
    desiredReplicas: count,
    scaleTo: count.optional(),
    mode: z.enum(['active', 'failing', 'disabled']),
    conditions: z.array(
      z.looseObject({
        type: z.enum(['AbleToScale', 'ScalingActive', 'ScalingLimited']),
        status: z.enum(['True', 'False']),
        reason: z.string(),
        message: z.string(),
      }),
    ),
    currentMetrics: z
      .array(
        z.looseObject({
          type: z.literal('Resource'),
          resource: z.looseObject({
            name: z.enum(['cpu', 'memory']),
            current: z.looseObject({ averageUtilization: z.number().optional(), averageValue: z.string() }),
          }),
        }),
      )
      .optional(),
    events: z.array(z.looseObject({ type: z.enum(['Normal', 'Warning']), reason: z.string(), message: z.string() })),
  }),
});

const scaleEvent = z.looseObject({
  type: z.literal('scale'),
  t: runTime,
  revision: name,
  from: count,
  to: count,
  reason: z.string(),
});

const sksEvent = z.looseObject({
  type: z.literal('sks'),
  t: runTime,
  revision: name,
  mode: z.enum(['Serve', 'Proxy']),
  activators: count,
});

const panicEvent = z.looseObject({
  type: z.literal('panic'),
  t: runTime,
  revision: name,
  panicking: z.boolean(),
});

const requestEvent = z.looseObject({
  type: z.literal('request'),
  t: runTime,
  phase: z.enum(['arrived', 'held', 'dispatched', 'done']),
  id: z.number(),
  revision: z.string().optional(),
  pod: z.string().optional(),
  status: z.int().min(0).max(999).optional(),
  latencyMs: z.number().nonnegative().optional(),
  cold: z.boolean().optional(),
  outcome: z.enum(['ok', '503', '504', 'error', 'unanswered']).optional(),
  error: z.string().optional(),
  serviceMs: z.number().nonnegative().optional(),
});

const sampleEvent = z.looseObject({
  type: z.literal('sample'),
  t: runTime,
  revision: name,
  rps: z.number().nonnegative(),
  concurrency: z.number().nonnegative(),
  desired: z.number(),
  ready: count,
  pending: count,
  terminating: count,
  activatorQueue: z.number().nonnegative(),
  queueProxyQueue: z.number().nonnegative(),
  inFlight: z.number().nonnegative(),
  panic: z.boolean(),
  activatorInPath: z.boolean(),
  cpuMillis: z.number().nonnegative().optional(),
  memoryBytes: z.number().nonnegative().optional(),
});

const stepEvent = z.looseObject({
  type: z.literal('step'),
  t: runTime,
  startedAt: runTime.optional(),
  index: count,
  command: z.string(),
  output: z.string(),
  ok: z.boolean(),
});

const expectEvent = z.looseObject({
  type: z.literal('expect'),
  t: runTime,
  text: z.string(),
  ok: z.boolean(),
  actual: z.string(),
});

const narrationEvent = z.looseObject({
  type: z.literal('narration'),
  t: runTime,
  text: z.string(),
  revision: z.string().optional(),
});

const divergenceEvent = z.looseObject({
  type: z.literal('divergence'),
  t: runTime,
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  from: z.string(),
  to: z.string(),
  rule: z.string(),
});

const endEvent = z.looseObject({
  type: z.literal('end'),
  t: runTime,
  ok: z.boolean(),
  interrupted: z.enum(['SIGINT', 'SIGTERM']).optional(),
  stopped: z.string().optional(),
});

type EventOf<K extends LogEvent['type']> = Extract<LogEvent, { type: K }>;

/** One schema per event type of the log format. */
export const EVENT_SCHEMAS = {
  object: objectEvent,
  pod: podEvent,
  'kpa.tick': kpaTickEvent,
  'kpa.spec': kpaSpecEvent,
  'kpa.scale': kpaScaleEvent,
  'hpa.sync': hpaSyncEvent,
  stat: statEvent,
  scale: scaleEvent,
  sks: sksEvent,
  panic: panicEvent,
  request: requestEvent,
  sample: sampleEvent,
  step: stepEvent,
  expect: expectEvent,
  narration: narrationEvent,
  divergence: divergenceEvent,
  end: endEvent,
} satisfies { [K in LogEvent['type']]: z.ZodType<EventOf<K>> };

export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as LogEvent['type'][];

/** A line of the log that is not what its type says, in words: `kpa.tick event without "decision"`. */
export type LineProblem = string;

function expectedWords(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
      return 'an object';
    case 'array':
      return 'a list';
    case 'boolean':
      return 'true or false';
    case 'int':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    default:
      return expected;
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out === '' ? '' : '.'}${String(p)}`;
  return out;
}

function describeIssue(label: string, issue: z.core.$ZodIssue): LineProblem {
  const where = pathText(issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `${label} without "${where}" (${expectedWords(issue.expected)})`;
      return `${label}: "${where}" must be ${expectedWords(issue.expected)}, got ${describeValue(issue.input)}`;
    case 'invalid_value':
      if (issue.input === undefined) {
        return `${label} without "${where}" (one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')})`;
      }
      return `${label}: "${where}" must be ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${issue.input !== undefined ? `, got ${describeValue(issue.input)}` : ''}`;
    default:
      return `${label}: "${where}": ${issue.message}${issue.input !== undefined ? ` (got ${describeValue(issue.input)})` : ''}`;
  }
}

/** A parsed line checked against its schema: the event, or what is wrong with it. */
export function checkLogLine(value: unknown): { line: LogHeader | LogEvent } | { problem: LineProblem } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: 'expected an event object ({"type": …, "t": …})' };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return { problem: 'expected an event object with a "type" field' };
  if (type === 'header') {
    const r = logHeaderSchema.safeParse(value, { reportInput: true });
    if (!r.success) return { problem: describeIssue('header', r.error.issues[0]!) };
    if (r.data.format > LOG_FORMAT_VERSION) {
      return {
        problem: `written by a newer knsim (log format ${r.data.format}; this one reads format ${LOG_FORMAT_VERSION})`,
      };
    }
    return { line: r.data };
  }
  const schema = (EVENT_SCHEMAS as Record<string, z.ZodType<LogEvent>>)[type];
  if (!schema) return { problem: `unknown event type ${JSON.stringify(type)} (known: ${EVENT_TYPES.join(', ')})` };
  const r = schema.safeParse(value, { reportInput: true });
  if (!r.success) return { problem: describeIssue(`${type} event`, r.error.issues[0]!) };
  return { line: r.data };
}
