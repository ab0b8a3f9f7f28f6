/**
 * The HPA class: the Kubernetes HPA algorithm (src/model/hpa) as the docs and the controller
 * state it, the HPA Knative makes from a PodAutoscaler, `kubectl get hpa`'s TARGETS, and in the
 * simulator an HPA revision without a CPU request (the HPA cannot compute a utilization).
 */
import { describe, expect, it } from 'vitest';
import { SimBackend } from '../../src/backends/sim.js';
import type { KubeObject } from '../../src/model/api/types.js';
import { EMPTY_HISTORY, normalizeWithBehavior, scaleDownLimit, scaleUpLimit } from '../../src/model/hpa/behavior.js';
import { decimalQuantity, hpaTargets, syncHpa } from '../../src/model/hpa/reconcile.js';
import { type HpaPod, resourceReplicas } from '../../src/model/hpa/replicas.js';
import { defaultScaleDown, defaultScaleUp, hpaInputsFor, hpaSpec } from '../../src/model/hpa/spec.js';
import { ScenarioRunner } from '../../src/runner/runner.js';
import { parseScenario } from '../../src/scenario/parse.js';
import { settingsFromScenario } from '../../src/sim/settings.js';

const MINUTE = 60_000;
const NOW = 60 * MINUTE;

/** A pod started long ago, ready, with `cpu` millicores used out of `request` requested. */
function pod(name: string, cpu: number | undefined, request: number | null = 200, over: Partial<HpaPod> = {}): HpaPod {
  return {
    name,
    phase: 'Running',
    deleting: false,
    ready: { status: true, sinceMs: NOW - 20 * MINUTE },
    startMs: NOW - 21 * MINUTE,
    requests: [
      { container: 'user-container', value: request ?? undefined },
      { container: 'queue-proxy', value: request === null ? 25 : 0 },
    ],
    ...(cpu !== undefined ? { metric: { value: cpu, timestampMs: NOW, windowMs: 15_000 } } : {}),
    ...over,
  };
}

const cpu = (pods: HpaPod[], current = pods.length, utilization = 50) =>
  resourceReplicas({ resource: 'cpu', currentReplicas: current, pods, target: { utilization }, nowMs: NOW });

describe('the replica calculation', () => {
  it('is ceil(current × utilization / target) over the ready pods', () => {
    expect(cpu([pod('a', 200), pod('b', 200)])).toEqual({ ok: true, replicas: 4, utilization: 100, averageValue: 200 });
    expect(cpu([pod('a', 60), pod('b', 40)])).toMatchObject({ replicas: 1, utilization: 25 });
  });

  it('does nothing within the 10 % tolerance', () => {
    expect(cpu([pod('a', 108), pod('b', 108)])).toMatchObject({ replicas: 2, utilization: 54 });
    expect(cpu([pod('a', 112), pod('b', 112)])).toMatchObject({ replicas: 3 });
  });

  it('on a scale-up counts pods without a metric, and unready ones, at 0 %', () => {
    // Ready pod at 200 %: 4 pods; with two more at 0 %, (200 + 0 + 0) / 3 = 66.7 % -> ceil(1.33 × 3) = 4.
    const starting = pod('c', 400, 200, { ready: { status: false, sinceMs: NOW - 5000 }, startMs: NOW - 10_000 });
    expect(cpu([pod('a', 400), pod('b', undefined), starting], 3)).toMatchObject({ replicas: 4, utilization: 200 });
  });

  it('on a scale-down counts pods without a metric at 100 % of their request, and gives up if that reverses it', () => {
    expect(cpu([pod('a', 20), pod('b', undefined)], 2)).toMatchObject({ replicas: 2 });
    expect(cpu([pod('a', 10), pod('b', 10), pod('c', undefined)], 3)).toMatchObject({ replicas: 3 });
  });

  it('cannot compute a utilization without a CPU request on every container', () => {
    expect(cpu([pod('a', 100, null)])).toEqual({
      ok: false,
      error: 'missing request for cpu in container user-container of Pod a',
    });
  });

  it('on memory, takes the average value per pod against the target, unready pods included', () => {
    const mi = 1024 * 1024;
    const mem = (value: number, name: string) => pod(name, value * mi, 200, { ready: { status: false, sinceMs: NOW } });
    const r = resourceReplicas({
      resource: 'memory',
      currentReplicas: 2,
      pods: [mem(150, 'a'), mem(150, 'b')],
      target: { averageValue: 100 * mi },
      nowMs: NOW,
    });
    expect(r).toEqual({ ok: true, replicas: 3, averageValue: 150 * mi });
  });

  it('reports no metrics when no pod is ready', () => {
    const fresh = pod('a', 100, 200, { ready: { status: false, sinceMs: NOW }, startMs: NOW - 1000 });
    expect(cpu([fresh])).toEqual({
      ok: false,
      error: 'did not receive metrics for targeted pods (pods might be unready)',
    });
  });
});

describe('the behaviour', () => {
  const behavior = { scaleUp: defaultScaleUp(), scaleDown: defaultScaleDown() };

  it('scales up by 4 pods or 100 % per 15 s, whichever is more', () => {
    expect(scaleUpLimit(1, EMPTY_HISTORY, behavior.scaleUp, NOW)).toBe(5);
    expect(scaleUpLimit(10, EMPTY_HISTORY, behavior.scaleUp, NOW)).toBe(20);
    // 4 added 10 s ago count against this period: it started at 6.
    expect(
      scaleUpLimit(10, { ...EMPTY_HISTORY, scaleUps: [{ atMs: NOW - 10_000, change: 4 }] }, behavior.scaleUp, NOW),
    ).toBe(12);
    expect(scaleDownLimit(10, EMPTY_HISTORY, behavior.scaleDown, NOW)).toBe(0);
  });

  it('keeps the highest recommendation of the last 5 minutes before it scales down', () => {
    const history = { ...EMPTY_HISTORY, recommendations: [{ atMs: NOW - 4 * MINUTE, replicas: 8 }] };
    const held = normalizeWithBehavior({ desired: 2, current: 8, min: 1, max: 10, behavior, history, nowMs: NOW });
    expect(held.replicas).toBe(8);
    expect(held.ableToScale.reason).toBe('ScaleDownStabilized');
    const later = normalizeWithBehavior({
      desired: 2,
      current: 8,
      min: 1,
      max: 10,
      behavior,
      history,
      nowMs: NOW + 61_000,
    });
    expect(later.replicas).toBe(2);
  });

  it('says when the rate or the bounds limit it', () => {
    const up = normalizeWithBehavior({
      desired: 30,
      current: 2,
      min: 1,
      max: 40,
      behavior,
      history: EMPTY_HISTORY,
      nowMs: NOW,
    });
    expect(up).toMatchObject({ replicas: 6, limited: { status: true, reason: 'ScaleUpLimit' } });
    const max = normalizeWithBehavior({
      desired: 30,
      current: 20,
      min: 1,
      max: 25,
      behavior,
      history: EMPTY_HISTORY,
      nowMs: NOW,
    });
    expect(max).toMatchObject({ replicas: 25, limited: { status: true, reason: 'TooManyReplicas' } });
  });
});

describe('the HPA Knative makes', () => {
  it('takes min-scale (at least 1), max-scale, the target and the window; 80 % CPU without a target', () => {
    const spec = hpaSpec(
      hpaInputsFor(
        {
          'autoscaling.knative.dev/metric': 'cpu',
          'autoscaling.knative.dev/target': '49.5',
          'autoscaling.knative.dev/window': '2m',
        },
        { minScale: 0, maxScale: 0 },
        'x-deployment',
      ),
    );
    expect(spec.minReplicas).toBe(1);
    expect(spec.maxReplicas).toBe(2147483647);
    expect(spec.metrics[0]!.resource.target).toEqual({ type: 'Utilization', averageUtilization: 50 });
    expect(spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(120);
    const memory = hpaSpec(
      hpaInputsFor(
        { 'autoscaling.knative.dev/metric': 'memory', 'autoscaling.knative.dev/target': '100' },
        { minScale: 2, maxScale: 5 },
        'x',
      ),
    );
    expect(memory.metrics[0]!.resource.target).toEqual({ type: 'AverageValue', averageValue: '100Mi' });
    expect(memory.minReplicas).toBe(2);
    expect(hpaSpec(hpaInputsFor({}, { minScale: 0, maxScale: 0 }, 'x')).metrics[0]!.resource.target).toEqual({
      type: 'Utilization',
      averageUtilization: 80,
    });
  });

  it('prints TARGETS as the API server does', () => {
    const spec = hpaSpec(hpaInputsFor({ 'autoscaling.knative.dev/target': '50' }, { minScale: 0, maxScale: 0 }, 'x'));
    expect(hpaTargets(spec, undefined)).toBe('cpu: <unknown>/50%');
    const synced = syncHpa({
      spec,
      currentReplicas: 2,
      previousDesired: 2,
      pods: [pod('a', 200), pod('b', 200)],
      history: undefined,
      nowMs: NOW,
    });
    expect(hpaTargets(spec, synced.currentMetrics)).toBe('cpu: 100%/50%');
    expect(synced.events).toEqual([
      {
        type: 'Normal',
        reason: 'SuccessfulRescale',
        message: 'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      },
    ]);
    expect(decimalQuantity(12_000)).toBe('12');
    expect(decimalQuantity(1500)).toBe('1500m');
    expect(decimalQuantity(32_000_000_000)).toBe('32M');
  });
});

describe('an HPA revision in the simulator', () => {
  it('cannot compute a utilization when the app’s container requests no CPU, and says so', async () => {
    const scenario = parseScenario(
      `
settings:
  cluster: { nodes: [ { cpu: 4, memory: 8Gi } ] }
  app: { cpu: 1 }
files:
  svc.yaml: |
    apiVersion: serving.knative.dev/v1
    kind: Service
    metadata: { name: nocpu }
    spec:
      template:
        metadata:
          annotations: { autoscaling.knative.dev/class: hpa.autoscaling.knative.dev }
        spec:
          containers: [ { image: docker.io/knsim/app } ]
steps:
  - apply: svc.yaml
  - wait: ksvc nocpu Ready
  - sleep: 1m
  - kubectl: get hpa
`,
      'test.yaml',
    );
    const backend = new SimBackend({
      seed: 1,
      namespace: 'default',
      settings: settingsFromScenario(scenario.settings),
    });
    await backend.start({ scenario: 'hpa', seed: 1, namespace: 'default' });
    const outcome = await new ScenarioRunner(scenario, backend).run();
    expect(outcome.ok, outcome.transcript).toBe(true);
    expect(outcome.transcript).toMatch(
      /nocpu-00001 +Deployment\/nocpu-00001-deployment +cpu: <unknown>\/80% +1 +2147483647 +1 /,
    );
    const hpa = backend.cluster.store.get(
      'horizontalpodautoscalers.autoscaling',
      'default',
      'nocpu-00001',
    ) as KubeObject & {
      status: { conditions: { type: string; status: string; reason: string; message: string }[] };
    };
    expect(hpa.status.conditions.find((c) => c.type === 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message:
        'the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container user-container of Pod ' +
        backend.cluster.store.list('pods', 'default')[0]!.metadata.name,
    });
  });
});
