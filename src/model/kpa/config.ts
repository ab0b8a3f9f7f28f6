/**
 * The cluster-wide autoscaler settings (`config-autoscaler`), plus the two other ConfigMaps the
 * KPA reads (`config-deployment` for the progress deadline, `config-defaults` for revision
 * defaults).
 *
 * Each parser follows one pattern: start from the complete defaults, read every known key with a
 * typed helper, normalise legacy forms (a percentage above 1 becomes a fraction), then validate.
 * Validation stops at the first problem and throws a {@link ConfigError} whose message names the
 * key, the value and the allowed range. Unknown keys, including the documentation-only
 * `_example` block, are ignored.
 */

import { formatGoDuration, parseGoDuration } from './duration.js';
import { INT, parseGoBool, parseGoFloat, parseGoInt32 } from './goValues.js';

/** Bounds shared by the ConfigMap and the per-revision annotations. */
export const AUTOSCALING_LIMITS = {
  /** Shortest allowed stable window (6 s). */
  windowMinMs: 6_000,
  /** Longest allowed stable window (1 h). */
  windowMaxMs: 3_600_000,
  /** Smallest per-pod target; smaller products are lifted to this. */
  targetMin: 0.01,
  panicWindowPercentageMin: 1,
  panicWindowPercentageMax: 100,
  panicThresholdPercentageMin: 110,
  panicThresholdPercentageMax: 1000,
  /** Metric buckets are 1 s wide; also the smallest panic window. */
  bucketSizeMs: 1_000,
  /** Largest scale-down delay and last-pod retention accepted in annotations (1 h). */
  scaleDownDelayMaxMs: 3_600_000,
  scaleToZeroPodRetentionMaxMs: 3_600_000,
} as const;

/** The two built-in PodAutoscaler classes. */
export const KPA_CLASS = 'kpa.autoscaling.knative.dev';
export const HPA_CLASS = 'hpa.autoscaling.knative.dev';

/** Everything `config-autoscaler` can set, in typed form. Durations are milliseconds. */
export interface AutoscalerConfig {
  /** `enable-scale-to-zero`: when false a 0 decision becomes 1 (or min-scale). */
  readonly enableScaleToZero: boolean;
  /** `container-concurrency-target-percentage` as a fraction in (0, 1]; 70 is stored as 0.7. */
  readonly containerConcurrencyTargetFraction: number;
  /** `container-concurrency-target-default`: the per-pod "total" when containerConcurrency is 0. */
  readonly containerConcurrencyTargetDefault: number;
  /** `requests-per-second-target-default`: the per-pod "total" for the rps metric. */
  readonly rpsTargetDefault: number;
  /** Internal utilisation for the rps metric (0.7); no ConfigMap key sets it. */
  readonly targetUtilization: number;
  /** `target-burst-capacity`: spare capacity before the activator leaves the path; 0 or -1 are special. */
  readonly targetBurstCapacity: number;
  /** `activator-capacity`: concurrent requests one activator pod is assumed to take. */
  readonly activatorCapacity: number;
  /** `allow-zero-initial-scale`. */
  readonly allowZeroInitialScale: boolean;
  /** `initial-scale`: replicas of a new revision before it is Ready. */
  readonly initialScale: number;
  /** `min-scale`: cluster default lower bound. */
  readonly minScale: number;
  /** `max-scale`: cluster default upper bound, 0 = unlimited. */
  readonly maxScale: number;
  /** `max-scale-limit`: if > 0, every max-scale must be in [1, limit]. */
  readonly maxScaleLimit: number;
  /** `max-scale-up-rate`: at most ceil(rate × ready) pods per decision. */
  readonly maxScaleUpRate: number;
  /** `max-scale-down-rate`: at least floor(ready / rate) pods per decision. */
  readonly maxScaleDownRate: number;
  /** `stable-window`. */
  readonly stableWindowMs: number;
  /** `panic-window-percentage`: panic window as a percentage of the stable window. */
  readonly panicWindowPercentage: number;
  /** `panic-threshold-percentage`: 200 means panic at 2 × ready pods. */
  readonly panicThresholdPercentage: number;
  /** `scale-to-zero-grace-period`. */
  readonly scaleToZeroGracePeriodMs: number;
  /** `scale-to-zero-pod-retention-period`. */
  readonly scaleToZeroPodRetentionPeriodMs: number;
  /** `scale-down-delay`. */
  readonly scaleDownDelayMs: number;
  /** `pod-autoscaler-class`. */
  readonly podAutoscalerClass: string;
}

/** A ConfigMap value that could not be parsed or is out of range. */
export class ConfigError extends Error {
  readonly key: string;
  constructor(key: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.key = key;
  }
}

/** Knative's defaults (serving `defaultConfig()`); TBC has been 211 since v1.4. */
export function defaultAutoscalerConfig(): AutoscalerConfig {
  return {
    enableScaleToZero: true,
    containerConcurrencyTargetFraction: 0.7,
    containerConcurrencyTargetDefault: 100,
    rpsTargetDefault: 200,
    targetUtilization: 0.7,
    targetBurstCapacity: 211,
    activatorCapacity: 100,
    allowZeroInitialScale: false,
    initialScale: 1,
    minScale: 0,
    maxScale: 0,
    maxScaleLimit: 0,
    maxScaleUpRate: 1000,
    maxScaleDownRate: 2,
    stableWindowMs: 60_000,
    panicWindowPercentage: 10,
    panicThresholdPercentage: 200,
    scaleToZeroGracePeriodMs: 30_000,
    scaleToZeroPodRetentionPeriodMs: 0,
    scaleDownDelayMs: 0,
    podAutoscalerClass: KPA_CLASS,
  };
}

// ---------------------------------------------------------------------------------------------
// Typed readers. Each returns the default when the key is absent and throws a ConfigError naming
// the key when the text does not parse (Knative: `failed to parse "<key>": ...`).

type Data = Readonly<Record<string, string>>;

function parseError(key: string, value: string, what: string): ConfigError {
  return new ConfigError(key, `failed to parse "${key}": ${what} ${JSON.stringify(value)}`);
}

function readFloat(data: Data, key: string, fallback: number): number {
  const raw = data[key];
  if (raw === undefined) return fallback;
  const v = parseGoFloat(raw.trim());
  if (v === undefined) throw parseError(key, raw, 'invalid float');
  return v;
}

function readInt32(data: Data, key: string, fallback: number): number {
  const raw = data[key];
  if (raw === undefined) return fallback;
  const v = parseGoInt32(raw.trim());
  if (v === undefined) throw parseError(key, raw, 'invalid integer');
  return v;
}

function readBool(data: Data, key: string, fallback: boolean): boolean {
  const raw = data[key];
  if (raw === undefined) return fallback;
  const v = parseGoBool(raw.trim());
  if (v === undefined) throw parseError(key, raw, 'invalid boolean');
  return v;
}

function readDuration(data: Data, key: string, fallbackMs: number): number {
  const raw = data[key];
  if (raw === undefined) return fallbackMs;
  const v = parseGoDuration(raw.trim());
  if (v === undefined) throw parseError(key, raw, 'invalid duration');
  return v;
}

function readString(data: Data, key: string, fallback: string): string {
  const raw = data[key];
  return raw === undefined ? fallback : raw.trim();
}

const d = formatGoDuration;

// ---------------------------------------------------------------------------------------------

/**
 * Parses `config-autoscaler` data: defaults, typed parse, normalise, validate.
 * @throws ConfigError naming the first bad key.
 */
export function parseAutoscalerConfig(data: Data): AutoscalerConfig {
  const def = defaultAutoscalerConfig();
  const parsed: AutoscalerConfig = {
    enableScaleToZero: readBool(data, 'enable-scale-to-zero', def.enableScaleToZero),
    allowZeroInitialScale: readBool(data, 'allow-zero-initial-scale', def.allowZeroInitialScale),
    containerConcurrencyTargetFraction: readFloat(
      data,
      'container-concurrency-target-percentage',
      def.containerConcurrencyTargetFraction,
    ),
    containerConcurrencyTargetDefault: readFloat(
      data,
      'container-concurrency-target-default',
      def.containerConcurrencyTargetDefault,
    ),
    rpsTargetDefault: readFloat(data, 'requests-per-second-target-default', def.rpsTargetDefault),
    targetUtilization: def.targetUtilization,
    targetBurstCapacity: readFloat(data, 'target-burst-capacity', def.targetBurstCapacity),
    activatorCapacity: readFloat(data, 'activator-capacity', def.activatorCapacity),
    initialScale: readInt32(data, 'initial-scale', def.initialScale),
    minScale: readInt32(data, 'min-scale', def.minScale),
    maxScale: readInt32(data, 'max-scale', def.maxScale),
    maxScaleLimit: readInt32(data, 'max-scale-limit', def.maxScaleLimit),
    maxScaleUpRate: readFloat(data, 'max-scale-up-rate', def.maxScaleUpRate),
    maxScaleDownRate: readFloat(data, 'max-scale-down-rate', def.maxScaleDownRate),
    stableWindowMs: readDuration(data, 'stable-window', def.stableWindowMs),
    panicWindowPercentage: readFloat(data, 'panic-window-percentage', def.panicWindowPercentage),
    panicThresholdPercentage: readFloat(data, 'panic-threshold-percentage', def.panicThresholdPercentage),
    scaleToZeroGracePeriodMs: readDuration(data, 'scale-to-zero-grace-period', def.scaleToZeroGracePeriodMs),
    scaleToZeroPodRetentionPeriodMs: readDuration(
      data,
      'scale-to-zero-pod-retention-period',
      def.scaleToZeroPodRetentionPeriodMs,
    ),
    scaleDownDelayMs: readDuration(data, 'scale-down-delay', def.scaleDownDelayMs),
    podAutoscalerClass: readString(data, 'pod-autoscaler-class', def.podAutoscalerClass),
  };
  // Normalise: for legacy reasons the target percentage may be given as a fraction in (0, 1];
  // anything above 1 is a percentage, so "70" and "0.7" mean the same.
  const normalised: AutoscalerConfig =
    parsed.containerConcurrencyTargetFraction > 1
      ? { ...parsed, containerConcurrencyTargetFraction: parsed.containerConcurrencyTargetFraction / 100 }
      : parsed;
  validateAutoscalerConfig(normalised);
  return normalised;
}

/**
 * Checks ranges and cross-field rules of a typed config (Knative `validate()`), stopping at the
 * first problem.
 * @throws ConfigError naming the key, the value and the allowed range.
 */
function validateAutoscalerConfig(c: AutoscalerConfig): void {
  const L = AUTOSCALING_LIMITS;
  const fail = (key: string, message: string): never => {
    throw new ConfigError(key, message);
  };
  if (c.scaleDownDelayMs < 0)
    fail('scale-down-delay', `scale-down-delay cannot be negative, was: ${d(c.scaleDownDelayMs)}`);
  if (!isWholeSeconds(c.scaleDownDelayMs))
    fail(
      'scale-down-delay',
      `scale-down-delay = ${d(c.scaleDownDelayMs)}, must be specified with at most second precision`,
    );
  // Knative rejects grace periods shorter than the minimum window (6 s), which also rules out 0.
  if (!(c.scaleToZeroGracePeriodMs >= L.windowMinMs))
    fail(
      'scale-to-zero-grace-period',
      `scale-to-zero-grace-period must be at least ${d(L.windowMinMs)}, was: ${d(c.scaleToZeroGracePeriodMs)}`,
    );
  if (c.scaleToZeroPodRetentionPeriodMs < 0)
    fail(
      'scale-to-zero-pod-retention-period',
      `scale-to-zero-pod-retention-period cannot be negative, was: ${d(c.scaleToZeroPodRetentionPeriodMs)}`,
    );
  if (c.targetBurstCapacity < 0 && c.targetBurstCapacity !== -1)
    fail(
      'target-burst-capacity',
      `target-burst-capacity must be either non-negative or -1 (for unlimited), was: ${c.targetBurstCapacity}`,
    );
  if (!(c.containerConcurrencyTargetFraction > 0 && c.containerConcurrencyTargetFraction <= 1))
    fail(
      'container-concurrency-target-percentage',
      `container-concurrency-target-percentage = ${c.containerConcurrencyTargetFraction} is outside of valid range of (0, 100]`,
    );
  const target = c.containerConcurrencyTargetFraction * c.containerConcurrencyTargetDefault;
  if (!(target >= L.targetMin))
    fail(
      'container-concurrency-target-default',
      `container-concurrency-target-percentage and container-concurrency-target-default yield target concurrency of ${target}, can't be less than ${L.targetMin}`,
    );
  if (!(c.rpsTargetDefault >= L.targetMin))
    fail(
      'requests-per-second-target-default',
      `requests-per-second-target-default must be at least ${L.targetMin}, was ${c.rpsTargetDefault}`,
    );
  if (!(c.activatorCapacity >= 1))
    fail('activator-capacity', `activator-capacity = ${c.activatorCapacity}, must be at least 1`);
  if (!(c.maxScaleUpRate > 1))
    fail('max-scale-up-rate', `max-scale-up-rate = ${c.maxScaleUpRate}, must be greater than 1.0`);
  if (!(c.maxScaleDownRate > 1))
    fail('max-scale-down-rate', `max-scale-down-rate = ${c.maxScaleDownRate}, must be greater than 1.0`);
  if (c.stableWindowMs < L.windowMinMs || c.stableWindowMs > L.windowMaxMs)
    fail(
      'stable-window',
      `stable-window = ${d(c.stableWindowMs)}, must be in [${d(L.windowMinMs)}; ${d(L.windowMaxMs)}] range`,
    );
  if (!isWholeSeconds(c.stableWindowMs))
    fail('stable-window', `stable-window = ${d(c.stableWindowMs)}, must be specified with at most second precision`);
  if (!(c.panicWindowPercentage >= L.panicWindowPercentageMin && c.panicWindowPercentage <= L.panicWindowPercentageMax))
    fail(
      'panic-window-percentage',
      `panic-window-percentage = ${c.panicWindowPercentage}, must be in [${L.panicWindowPercentageMin}, ${L.panicWindowPercentageMax}] interval`,
    );
  if (c.initialScale < 0 || (c.initialScale === 0 && !c.allowZeroInitialScale))
    fail(
      'initial-scale',
      `initial-scale = ${c.initialScale}, must be at least 0 (or at least 1 when allow-zero-initial-scale is false)`,
    );
  if (c.minScale < 0) fail('min-scale', `min-scale = ${c.minScale}, must be at least 0`);
  if (c.maxScaleLimit < 0) fail('max-scale-limit', `max-scale-limit = ${c.maxScaleLimit}, must be at least 0`);
  if (c.maxScale < 0 || (c.maxScaleLimit > 0 && c.maxScale > c.maxScaleLimit))
    fail('max-scale', `max-scale = ${c.maxScale}, must be in [0, max-scale-limit] range`);
  if (c.maxScale !== 0 && c.minScale > c.maxScale)
    fail('min-scale', `min-scale (${c.minScale}) must be less than max-scale (${c.maxScale})`);
}

function isWholeSeconds(ms: number): boolean {
  return Number.isFinite(ms) && ms % 1000 === 0;
}

// ---------------------------------------------------------------------------------------------
// config-deployment

/** The parts of `config-deployment` the autoscaler uses. */
export interface DeploymentConfig {
  /** `progress-deadline` (default 600 s); the activation timeout is this plus 30 s. */
  readonly progressDeadlineMs: number;
  /** `digest-resolution-timeout` (default 10 s). */
  readonly digestResolutionTimeoutMs: number;
  /** `queue-sidecar-cpu-request` (default `25m`). */
  readonly queueSidecarCpuRequest: string;
  /**
   * `pod-is-always-schedulable` (default false, knative/serving#16146): when true the revision
   * reconciler does not report a pod the scheduler cannot place (clusters whose autoscaler
   * always adds a node).
   */
  readonly podIsAlwaysSchedulable: boolean;
}

export function defaultDeploymentConfig(): DeploymentConfig {
  return {
    progressDeadlineMs: 600_000,
    digestResolutionTimeoutMs: 10_000,
    queueSidecarCpuRequest: '25m',
    podIsAlwaysSchedulable: false,
  };
}

/**
 * Parses `config-deployment`: defaults, typed parse, validate.
 * @throws ConfigError naming the first bad key.
 */
export function parseDeploymentConfig(data: Data): DeploymentConfig {
  const def = defaultDeploymentConfig();
  const c: DeploymentConfig = {
    progressDeadlineMs: readDuration(data, 'progress-deadline', def.progressDeadlineMs),
    digestResolutionTimeoutMs: readDuration(data, 'digest-resolution-timeout', def.digestResolutionTimeoutMs),
    queueSidecarCpuRequest: readString(data, 'queue-sidecar-cpu-request', def.queueSidecarCpuRequest),
    podIsAlwaysSchedulable: readBool(data, 'pod-is-always-schedulable', def.podIsAlwaysSchedulable),
  };
  if (c.progressDeadlineMs <= 0)
    throw new ConfigError(
      'progress-deadline',
      `progress-deadline cannot be a non-positive duration, was ${d(c.progressDeadlineMs)}`,
    );
  if (!isWholeSeconds(c.progressDeadlineMs))
    throw new ConfigError(
      'progress-deadline',
      `progress-deadline must be rounded to a whole second, was: ${d(c.progressDeadlineMs)}`,
    );
  if (c.digestResolutionTimeoutMs <= 0)
    throw new ConfigError(
      'digest-resolution-timeout',
      `digest-resolution-timeout cannot be a non-positive duration, was ${d(c.digestResolutionTimeoutMs)}`,
    );
  return c;
}

// ---------------------------------------------------------------------------------------------
// config-defaults

/** The revision defaults from `config-defaults`. */
export interface DefaultsConfig {
  /** `revision-timeout-seconds` (300). */
  readonly revisionTimeoutSeconds: number;
  /** `max-revision-timeout-seconds` (600). */
  readonly maxRevisionTimeoutSeconds: number;
  /** `revision-response-start-timeout-seconds`; defaults to the revision timeout. */
  readonly revisionResponseStartTimeoutSeconds: number;
  /** `revision-idle-timeout-seconds` (0 = off). */
  readonly revisionIdleTimeoutSeconds: number;
  /** `container-concurrency` (0 = unlimited). */
  readonly containerConcurrency: number;
  /** `container-concurrency-max-limit` (1000). */
  readonly containerConcurrencyMaxLimit: number;
  /** `container-name-template` resolved; the user container is `user-container`. */
  readonly userContainerName: string;
  /** `allow-container-concurrency-zero` (true): whether containerConcurrency 0 (unlimited) is allowed. */
  readonly allowContainerConcurrencyZero: boolean;
  /** `enable-service-links` (false): what a revision's enableServiceLinks defaults to. */
  readonly enableServiceLinks: boolean;
}

export function defaultDefaultsConfig(): DefaultsConfig {
  return {
    revisionTimeoutSeconds: 300,
    maxRevisionTimeoutSeconds: 600,
    revisionResponseStartTimeoutSeconds: 300,
    revisionIdleTimeoutSeconds: 0,
    containerConcurrency: 0,
    containerConcurrencyMaxLimit: 1000,
    userContainerName: 'user-container',
    allowContainerConcurrencyZero: true,
    enableServiceLinks: false,
  };
}

/**
 * Parses `config-defaults`: defaults, typed parse, validate.
 * @throws ConfigError naming the first bad key.
 */
export function parseDefaultsConfig(data: Data): DefaultsConfig {
  const def = defaultDefaultsConfig();
  const revisionTimeoutSeconds = readInt64(data, 'revision-timeout-seconds', def.revisionTimeoutSeconds);
  const c: DefaultsConfig = {
    revisionTimeoutSeconds,
    maxRevisionTimeoutSeconds: readInt64(data, 'max-revision-timeout-seconds', def.maxRevisionTimeoutSeconds),
    revisionResponseStartTimeoutSeconds: readInt64(
      data,
      'revision-response-start-timeout-seconds',
      revisionTimeoutSeconds,
    ),
    revisionIdleTimeoutSeconds: readInt64(data, 'revision-idle-timeout-seconds', def.revisionIdleTimeoutSeconds),
    containerConcurrency: readInt64(data, 'container-concurrency', def.containerConcurrency),
    containerConcurrencyMaxLimit: readInt64(data, 'container-concurrency-max-limit', def.containerConcurrencyMaxLimit),
    userContainerName: readString(data, 'container-name-template', def.userContainerName),
    allowContainerConcurrencyZero: readBool(
      data,
      'allow-container-concurrency-zero',
      def.allowContainerConcurrencyZero,
    ),
    enableServiceLinks: readBool(data, 'enable-service-links', def.enableServiceLinks),
  };
  const fail = (key: string, message: string): never => {
    throw new ConfigError(key, message);
  };
  if (c.revisionTimeoutSeconds > c.maxRevisionTimeoutSeconds)
    fail(
      'revision-timeout-seconds',
      `revision-timeout-seconds (${c.revisionTimeoutSeconds}) cannot be greater than max-revision-timeout-seconds (${c.maxRevisionTimeoutSeconds})`,
    );
  if (c.revisionResponseStartTimeoutSeconds > c.revisionTimeoutSeconds)
    fail(
      'revision-response-start-timeout-seconds',
      `revision-response-start-timeout-seconds (${c.revisionResponseStartTimeoutSeconds}) cannot be greater than revision-timeout-seconds (${c.revisionTimeoutSeconds})`,
    );
  if (c.revisionIdleTimeoutSeconds > c.revisionTimeoutSeconds)
    fail(
      'revision-idle-timeout-seconds',
      `revision-idle-timeout-seconds (${c.revisionIdleTimeoutSeconds}) cannot be greater than revision-timeout-seconds (${c.revisionTimeoutSeconds})`,
    );
  if (c.containerConcurrencyMaxLimit < 1)
    fail(
      'container-concurrency-max-limit',
      `expected 1 <= ${c.containerConcurrencyMaxLimit} <= 2147483647: container-concurrency-max-limit`,
    );
  if (c.containerConcurrency < 0 || c.containerConcurrency > c.containerConcurrencyMaxLimit)
    fail(
      'container-concurrency',
      `expected 0 <= ${c.containerConcurrency} <= ${c.containerConcurrencyMaxLimit}: container-concurrency`,
    );
  return c;
}

function readInt64(data: Data, key: string, fallback: number): number {
  const raw = data[key];
  if (raw === undefined) return fallback;
  const t = raw.trim();
  if (!INT.test(t)) throw parseError(key, raw, 'invalid integer');
  return Number(t);
}
