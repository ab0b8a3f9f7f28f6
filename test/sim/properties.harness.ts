/**
 * A small simulated cluster for property tests: one Knative Service with generated autoscaler
 * settings, annotations and a handful of requests, run in-process for a few simulated minutes.
 * Each case is small on purpose, so that hundreds of them run in seconds.
 */
import fc from 'fast-check';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import type { LogEvent, LogLine, PanicEvent, RequestEvent, SampleEvent, ScaleEvent } from '../../src/model/events.js';
import { parseGoDuration } from '../../src/model/kpa/index.js';

export const NAMESPACE = 'default';
export const SERVICE = 'prop';
export const REVISION = 'prop-00001';
const HOST = `${SERVICE}.${NAMESPACE}.svc.cluster.local`;

export interface Burst {
  /** When the requests arrive (ms after the service is applied). */
  atMs: number;
  count: number;
  serviceMs: number;
}

export interface Case {
  seed: number;
  autoscaler: Record<string, string>;
  annotations: Record<string, string>;
  containerConcurrency: number;
  bursts: Burst[];
}

const seconds = (values: number[]) => fc.constantFrom(...values.map((v) => `${v}s`));

/** config-autoscaler values Knative accepts; windows kept short so scale to zero fits in a run. */
export const autoscalerArb: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'stable-window': seconds([6, 10, 20, 30]),
    'panic-window-percentage': fc.constantFrom('10', '20', '50', '100'),
    'panic-threshold-percentage': fc.constantFrom('110', '150', '200', '400'),
    'max-scale-up-rate': fc.constantFrom('1.5', '2', '10', '1000'),
    'max-scale-down-rate': fc.constantFrom('1.5', '2', '4'),
    'scale-to-zero-grace-period': seconds([6, 10, 30]),
    'scale-to-zero-pod-retention-period': seconds([0, 5, 20]),
    'target-burst-capacity': fc.constantFrom('-1', '0', '10', '211'),
    'container-concurrency-target-default': fc.constantFrom('1', '2', '10', '100'),
    'enable-scale-to-zero': fc.constantFrom('true', 'true', 'true', 'false'),
    'scale-down-delay': seconds([0, 0, 4, 10]),
  },
  { requiredKeys: ['stable-window'] },
);

/**
 * min-scale ≤ max-scale (when max > 0); optional target, metric (concurrency or rps), initial
 * scale and activation scale (≥ 2, within [min, max] as Knative's validation wants).
 */
export const annotationsArb: fc.Arbitrary<Record<string, string>> = fc
  .record({
    min: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    max: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    target: fc.option(fc.constantFrom('0.5', '1', '3', '10'), { nil: undefined }),
    rps: fc.boolean(),
    initial: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    activation: fc.option(fc.integer({ min: 2, max: 4 }), { nil: undefined }),
  })
  .map(({ min, max, target, rps, initial, activation }) => {
    const a: Record<string, string> = {};
    const lo = min ?? 0;
    const hi = max !== undefined && max > 0 ? Math.max(max, lo) : 0;
    if (min !== undefined) a['autoscaling.knative.dev/min-scale'] = String(min);
    if (max !== undefined) a['autoscaling.knative.dev/max-scale'] = String(hi);
    if (target !== undefined) a['autoscaling.knative.dev/target'] = target;
    if (rps) a['autoscaling.knative.dev/metric'] = 'rps';
    if (initial !== undefined) a['autoscaling.knative.dev/initial-scale'] = String(initial);
    if (activation !== undefined && activation >= lo && (hi === 0 || activation <= hi)) {
      a['autoscaling.knative.dev/activation-scale'] = String(activation);
    }
    return a;
  });

export const burstsArb: fc.Arbitrary<Burst[]> = fc.array(
  fc.record({
    // After the Service is Ready: with initial-scale 3 the node pulls the image once and the
    // other two pods wait for that pull, about 6 s in all.
    atMs: fc.integer({ min: 10_000, max: 60_000 }),
    count: fc.integer({ min: 1, max: 12 }),
    serviceMs: fc.constantFrom(5, 50, 500, 2_000, 6_000),
  }),
  { minLength: 0, maxLength: 4 },
);

export const caseArb: fc.Arbitrary<Case> = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  autoscaler: autoscalerArb,
  annotations: annotationsArb,
  containerConcurrency: fc.constantFrom(0, 0, 1, 2, 10),
  bursts: burstsArb,
});

export interface CaseRun {
  /** The whole log as JSON Lines (computed on demand). */
  text(): string;
  readonly events: LogEvent[];
  readonly stableWindowMs: number;
  readonly gracePeriodMs: number;
  readonly retentionMs: number;
  readonly minScale: number;
  readonly maxScale: number;
  readonly endMs: number;
  scales(): ScaleEvent[];
  panics(): PanicEvent[];
  samples(): SampleEvent[];
  requests(phase: RequestEvent['phase']): RequestEvent[];
}

function ms(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : (parseGoDuration(text) ?? fallback);
}

/**
 * Runs a case: the service is applied at 0, requests arrive as generated, and the run goes on
 * until every request is answered and a full stable window, the grace period, the retention and
 * the pod drain have passed after the last one (so scale to zero can happen), capped at `maxMs`.
 */
export function runCase(c: Case, options: { horizonMs?: number } = {}): CaseRun {
  const backend = new SimBackend({ seed: c.seed, namespace: NAMESPACE });
  backend.log.header({
    type: 'header',
    format: 1,
    knsim: 'test',
    backend: 'sim',
    scenario: 'property',
    seed: c.seed,
    namespace: NAMESPACE,
    epoch: '2026-01-01T00:00:00.000Z',
  });
  const cluster = backend.cluster;
  cluster.setConfigMap('config-autoscaler', c.autoscaler);
  const service: KubeObject = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: SERVICE, namespace: NAMESPACE },
    spec: {
      template: {
        metadata: { annotations: c.annotations },
        spec: {
          containerConcurrency: c.containerConcurrency,
          containers: [{ image: 'docker.io/knsim/demo' }],
        },
      },
    },
  } as KubeObject;
  // The backend's apply runs synchronously (admission, defaults) although it returns a promise.
  backend.apply([service], 'prop.yaml').catch((e: unknown) => {
    throw e;
  });
  let outstanding = 0;
  for (const b of c.bursts) {
    cluster.engine.at(b.atMs, () => {
      for (let i = 0; i < b.count; i++) {
        outstanding++;
        cluster.send(HOST, b.serviceMs, () => {
          outstanding--;
        });
      }
    });
  }
  const stableWindowMs = ms(c.autoscaler['stable-window'], 60_000);
  const gracePeriodMs = ms(c.autoscaler['scale-to-zero-grace-period'], 30_000);
  const retentionMs = ms(c.autoscaler['scale-to-zero-pod-retention-period'], 0);
  const lastArrival = Math.max(0, ...c.bursts.map((b) => b.atMs));
  let endMs: number;
  if (options.horizonMs !== undefined) {
    endMs = options.horizonMs;
  } else {
    // Let the requests arrive and be answered (or time out: 300 s), then let the revision settle
    // long enough for a stable window, the grace period or the retention, and a pod drain.
    cluster.engine.runUntil(lastArrival + 1);
    cluster.engine.runUntilCondition(() => outstanding === 0, lastArrival + 400_000);
    const settle = stableWindowMs + Math.max(gracePeriodMs, retentionMs) + 40_000;
    endMs = Math.max(cluster.now(), 60_000) + settle;
  }
  cluster.engine.runUntil(endMs);
  const lines: LogLine[] = backend.log.lines;
  const events = lines.filter((l): l is LogEvent => l.type !== 'header');
  const of = <T extends LogEvent>(type: T['type']) => events.filter((e): e is T => e.type === type);
  const min = Number(c.annotations['autoscaling.knative.dev/min-scale'] ?? '0');
  const max = Number(c.annotations['autoscaling.knative.dev/max-scale'] ?? '0');
  return {
    text: () => backend.log.text(),
    events,
    stableWindowMs,
    gracePeriodMs,
    retentionMs,
    minScale: min,
    maxScale: max,
    endMs,
    scales: () => of<ScaleEvent>('scale').filter((e) => e.revision === REVISION),
    panics: () => of<PanicEvent>('panic').filter((e) => e.revision === REVISION),
    samples: () => of<SampleEvent>('sample').filter((e) => e.revision === REVISION),
    requests: (phase) => of<RequestEvent>('request').filter((e) => e.phase === phase),
  };
}
