/**
 * `knsim sweep`: a scenario run once per combination of settings (the grid of `--set key=v1,v2`),
 * across the machine's cores with worker_threads, and a table comparing the results.
 *
 * Keys:
 * - a `config-autoscaler` key (`target-burst-capacity`, `stable-window`, ...): set in the
 *   scenario's ConfigMap data;
 * - an annotation `autoscaling.knative.dev/<x>`: set on every Service template of the scenario;
 * - `containerConcurrency`: set on every Service template;
 * - simulator settings: `podStartup`, `drain`, `activatorProbePeriod` (durations), `networking`.
 *
 * Every combination is validated before anything runs: a bad key or value is a SweepError.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { USER_ERRORS } from '../../io/errors.js';
import { startTsWorker } from '../../io/tsWorker.js';
import type { KubeObject } from '../../model/api/types.js';
import { ANNOTATION_KEYS, parseAutoscalerConfig, validateAutoscalingAnnotations } from '../../model/kpa/index.js';
import type { RunResults } from '../../results/results.js';
import type { Scenario } from '../../scenario/types.js';
import { parseDuration } from '../../sim/load/duration.js';
import { NETWORK_LAYERS } from '../../sim/load/network.js';

export class SweepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** config-autoscaler keys the simulator reads. */
export const AUTOSCALER_CONFIG_KEYS = [
  'enable-scale-to-zero',
  'allow-zero-initial-scale',
  'container-concurrency-target-percentage',
  'container-concurrency-target-default',
  'requests-per-second-target-default',
  'target-burst-capacity',
  'activator-capacity',
  'initial-scale',
  'min-scale',
  'max-scale',
  'max-scale-limit',
  'max-scale-up-rate',
  'max-scale-down-rate',
  'stable-window',
  'panic-window-percentage',
  'panic-threshold-percentage',
  'scale-to-zero-grace-period',
  'scale-to-zero-pod-retention-period',
  'scale-down-delay',
  'pod-autoscaler-class',
] as const;

const ANNOTATIONS: ReadonlySet<string> = new Set(Object.values(ANNOTATION_KEYS).flat());
const SIM_DURATION_KEYS = ['podStartup', 'drain', 'activatorProbePeriod'] as const;
const SIM_KEYS = [...SIM_DURATION_KEYS, 'networking'] as const;

export type SweepKeyKind = 'config' | 'annotation' | 'containerConcurrency' | 'sim';

export interface SweepAxis {
  key: string;
  kind: SweepKeyKind;
  values: string[];
}

/** One grid point: the value of each axis, in axis order. */
export type SweepPoint = [key: string, value: string][];

function kindOf(key: string): SweepKeyKind | undefined {
  if ((AUTOSCALER_CONFIG_KEYS as readonly string[]).includes(key)) return 'config';
  if (ANNOTATIONS.has(key)) return 'annotation';
  if (key === 'containerConcurrency') return 'containerConcurrency';
  if ((SIM_KEYS as readonly string[]).includes(key)) return 'sim';
  return undefined;
}

/** Parses one `--set key=v1,v2`; throws SweepError naming what is wrong. */
export function parseSet(text: string): SweepAxis {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new SweepError(`--set ${text}: expected key=value[,value...]`);
  const key = text.slice(0, eq).trim();
  const values = text
    .slice(eq + 1)
    .split(',')
    .map((v) => v.trim());
  if (values.some((v) => v === '')) throw new SweepError(`--set ${text}: empty value`);
  const kind = kindOf(key);
  if (!kind) {
    throw new SweepError(
      `--set ${key}: unknown key; use a config-autoscaler key (${AUTOSCALER_CONFIG_KEYS.slice(0, 4).join(', ')}, ...), ` +
        `an annotation (autoscaling.knative.dev/target, ...), containerConcurrency, or ${SIM_KEYS.join(', ')}`,
    );
  }
  return { key, kind, values };
}

/** Every combination of the axes, the first axis varying slowest. */
export function grid(axes: readonly SweepAxis[]): SweepPoint[] {
  let points: SweepPoint[] = [[]];
  for (const axis of axes) {
    points = points.flatMap((p) => axis.values.map((v) => [...p, [axis.key, v]] as SweepPoint));
  }
  return points;
}

function services(scenario: Scenario): KubeObject[] {
  const out = new Set<KubeObject>();
  const add = (objs: readonly KubeObject[] | undefined) => {
    for (const o of objs ?? []) if (o.kind === 'Service' && o.apiVersion.startsWith('serving.knative.dev/')) out.add(o);
  };
  for (const objs of Object.values(scenario.files)) add(objs);
  for (const step of scenario.steps) {
    if (step.kind === 'apply') {
      add(step.manifests);
      for (const s of step.sources) add(s.manifests);
    } else if (step.kind === 'kubectl') add(step.manifests);
  }
  return [...out];
}

type Template = { metadata?: { annotations?: Record<string, string> }; spec?: { containerConcurrency?: number } };

/**
 * The scenario with one grid point applied (a deep copy; the input is not changed). Throws
 * SweepError for a value the key does not accept.
 */
export function applyPoint(input: Scenario, point: SweepPoint): Scenario {
  const scenario = structuredClone(input);
  const autoscaler = { ...(scenario.config['config-autoscaler'] ?? {}) };
  let touchedConfig = false;
  for (const [key, value] of point) {
    const kind = kindOf(key);
    if (kind === 'config') {
      autoscaler[key] = value;
      touchedConfig = true;
    } else if (kind === 'annotation' || kind === 'containerConcurrency') {
      let cc: number | undefined;
      if (kind === 'containerConcurrency') {
        cc = Number(value);
        if (!/^\d+$/.test(value) || cc > 1000) {
          throw new SweepError(`--set containerConcurrency=${value}: expected a whole number from 0 to 1000`);
        }
      }
      const svcs = services(scenario);
      if (svcs.length === 0) throw new SweepError(`--set ${key}: the scenario applies no Knative Service`);
      for (const svc of svcs) {
        const holder = svc as { spec?: { template?: Template } };
        holder.spec ??= {};
        holder.spec.template ??= {};
        const template = holder.spec.template;
        if (kind === 'annotation') {
          template.metadata ??= {};
          template.metadata.annotations = { ...(template.metadata.annotations ?? {}), [key]: value };
        } else {
          template.spec = { ...(template.spec ?? {}), containerConcurrency: cc! };
        }
      }
    } else if (kind === 'sim') {
      const settings = scenario.settings as Record<string, unknown>;
      if (key === 'networking') {
        if (!(NETWORK_LAYERS as readonly string[]).includes(value)) {
          throw new SweepError(`--set networking=${value}: expected one of ${NETWORK_LAYERS.join(', ')}`);
        }
        settings.networking = value;
      } else {
        let ms: number;
        try {
          ms = parseDuration(value);
        } catch (e) {
          throw new SweepError(`--set ${key}=${value}: ${(e as Error).message}`);
        }
        if (!(ms >= 0)) throw new SweepError(`--set ${key}=${value}: must not be negative`);
        if (key === 'podStartup') settings.podStartup = { kind: 'fixed', ms };
        else if (key === 'drain') settings.drainMs = ms;
        else settings.activatorProbePeriodMs = Math.max(1, ms);
      }
    } else {
      throw new SweepError(`--set ${key}: unknown key`);
    }
  }
  // Validate what Knative would refuse: the ConfigMap, then the annotations against it.
  let config: ReturnType<typeof parseAutoscalerConfig>;
  try {
    config = parseAutoscalerConfig(autoscaler);
  } catch (e) {
    throw new SweepError(`config-autoscaler with ${describePoint(point)}: ${(e as Error).message}`);
  }
  if (touchedConfig) scenario.config['config-autoscaler'] = autoscaler;
  for (const svc of services(scenario)) {
    const annotations = (svc as { spec?: { template?: Template } }).spec?.template?.metadata?.annotations ?? {};
    const errors = validateAutoscalingAnnotations(annotations, config);
    if (errors.length > 0) {
      throw new SweepError(
        `${describePoint(point)}: ${errors.map((e) => (e.path ? `${e.message}: ${e.path}` : e.message)).join('; ')}`,
      );
    }
  }
  return scenario;
}

export function describePoint(point: SweepPoint): string {
  return point.map(([k, v]) => `${k}=${v}`).join(' ');
}

export interface SweepJob {
  index: number;
  file: string;
  point: SweepPoint;
  seed?: number;
}

export interface SweepRow {
  point: SweepPoint;
  ok: boolean;
  failures: string[];
  results: RunResults;
  wallMs: number;
}

export interface SweepOptions {
  seed?: number;
  /** Worker threads; 0 runs every point in this thread, one after the other. */
  jobs?: number;
  /** Called as each point finishes (in completion order). */
  onRow?: (row: SweepRow, done: number, total: number) => void;
}

/** Runs one grid point in this thread (what each worker does). */
export async function runPoint(job: SweepJob): Promise<SweepRow> {
  const { loadScenario, runScenario } = await import('../../runner/simulate.js');
  const t0 = performance.now();
  const scenario = applyPoint(loadScenario(job.file), job.point);
  const outcome = await runScenario(scenario, job.file, {
    ...(job.seed !== undefined ? { seed: job.seed } : {}),
    log: { keep: false, requestSampling: 0 },
  });
  return {
    point: job.point,
    ok: outcome.ok,
    failures: outcome.failures,
    results: outcome.results,
    wallMs: performance.now() - t0,
  };
}

/** A worker on worker.ts (src/io/tsWorker.ts: how a worker runs the TypeScript sources). */
function startWorker(): Worker {
  return startTsWorker(new URL('./worker.ts', import.meta.url));
}

/**
 * Runs the grid (validated first: a bad combination fails before anything runs) and returns the
 * rows in grid order.
 */
export async function runSweep(
  file: string,
  scenario: Scenario,
  axes: readonly SweepAxis[],
  options: SweepOptions = {},
): Promise<SweepRow[]> {
  const points = grid(axes);
  for (const p of points) applyPoint(scenario, p);
  const jobs: SweepJob[] = points.map((point, index) => ({
    index,
    file,
    point,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  }));
  const rows: SweepRow[] = new Array(jobs.length);
  let done = 0;
  const finish = (job: SweepJob, row: SweepRow) => {
    rows[job.index] = row;
    done++;
    options.onRow?.(row, done, jobs.length);
  };
  const workers = Math.min(jobs.length, options.jobs ?? availableParallelism());
  if (workers <= 0) {
    for (const job of jobs) finish(job, await runPoint(job));
    return rows;
  }
  const queue = jobs.slice();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const worker = startWorker();
      try {
        for (let job = queue.shift(); job; job = queue.shift()) finish(job, await ask(worker, job));
      } finally {
        await worker.terminate();
      }
    }),
  );
  return rows;
}

function ask(worker: Worker, job: SweepJob): Promise<SweepRow> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (m: { row?: SweepRow; error?: string; name?: string }) => {
      cleanup();
      if (m.row) resolve(m.row);
      else {
        const e = new Error(`${describePoint(job.point)}: ${m.error}`);
        // The error crossed a thread as text: keep it a user error when its class was one.
        e.name = m.name !== undefined && USER_ERRORS.has(m.name) ? 'UserError' : 'Error';
        reject(e);
      }
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`sweep worker exited with code ${code}`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(job);
  });
}

// ---- the comparison table ----

function fmtMs(v: number | null): string {
  if (v === null || Number.isNaN(v)) return '-';
  if (v < 10) return `${v.toFixed(1)}ms`;
  if (v < 1000) return `${Math.round(v)}ms`;
  if (v < 100_000) return `${(v / 1000).toFixed(1)}s`;
  return `${Math.round(v / 1000)}s`;
}

const COLUMNS: { title: string; cell: (r: RunResults) => string }[] = [
  { title: 'requests', cell: (r) => String(r.requests) },
  { title: '503', cell: (r) => String(r.status503) },
  { title: '504', cell: (r) => String(r.status504) },
  { title: 'p50', cell: (r) => fmtMs(r.latency.p50) },
  { title: 'p95', cell: (r) => fmtMs(r.latency.p95) },
  { title: 'p99', cell: (r) => fmtMs(r.latency.p99) },
  { title: 'max', cell: (r) => fmtMs(r.latency.max) },
  { title: 'cold-req', cell: (r) => String(r.coldRequests) },
  { title: 'cold-p99', cell: (r) => fmtMs(r.coldLatency.p99) },
  { title: 'cold-starts', cell: (r) => String(r.coldStarts) },
  { title: 'to-zero', cell: (r) => fmtMs(r.timeToZeroMs) },
  { title: 'max-pods', cell: (r) => String(r.maxPods) },
  { title: 'mean-pods', cell: (r) => r.meanPods.toFixed(2) },
  { title: 'pod-s', cell: (r) => String(Math.round(r.podSeconds)) },
  { title: 'panic-s', cell: (r) => String(r.panicSeconds) },
  { title: 'activator-s', cell: (r) => String(r.activatorInPathSeconds) },
];

/** The rows as an aligned text table: one column per swept key, then the results. */
export function formatSweepTable(axes: readonly SweepAxis[], rows: readonly SweepRow[]): string {
  const header = [...axes.map((a) => a.key), ...COLUMNS.map((c) => c.title)];
  const body = rows.map((row) => [
    ...row.point.map(([, v]) => v),
    ...COLUMNS.map((c) => c.cell(row.results)),
    ...(row.ok ? [] : ['(expectations not met)']),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < axes.length ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...body.map(line)].join('\n')}\n`;
}
