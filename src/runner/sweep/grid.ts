/**
 * `knsim sweep`'s grid: the `--set key=v1,v2` axes, every combination of them, and the scenario
 * with one combination applied (run.ts runs the points, table.ts compares them).
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
import type { KubeObject } from '../../model/api/types.js';
import { ANNOTATION_KEYS, parseAutoscalerConfig, validateAutoscalingAnnotations } from '../../model/kpa/index.js';
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

/** Parses every `--set`; a key given twice is a SweepError (its values belong in one --set). */
export function parseAxes(sets: readonly string[]): SweepAxis[] {
  const axes = sets.map(parseSet);
  const dup = axes.find((a, i) => axes.findIndex((b) => b.key === a.key) !== i);
  if (dup) throw new SweepError(`--set ${dup.key} given twice; list its values in one --set`);
  return axes;
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
