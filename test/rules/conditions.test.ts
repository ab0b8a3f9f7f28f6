import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Condition, Configuration, PodAutoscaler, Route } from '../../src/model/api/types.js';
import {
  applyConditions,
  CONFIGURATION_CONDITION_SET,
  computeReady,
  configurationReady,
  getCondition,
  isTrafficMigrated,
  PODAUTOSCALER_CONDITION_SET,
  paScaleTargetInitialized,
  paSksReady,
  REVISION_CONDITION_SET,
  revisionContainerExited,
  revisionContainerMissing,
  revisionDeploying,
  revisionFromAutoscaler,
  routeIngressReady,
  routeTlsNotEnabled,
  SERVICE_CONDITION_SET,
  serviceConfigurationsReady,
  serviceRoutesReady,
  setCondition,
  waitCondition,
} from '../../src/model/rules/conditions.js';
import { isoAt } from '../../src/model/rules/time.js';

const t = (s: number) => isoAt(s * 1000);

function cond(type: string, status: Condition['status'], atSeconds: number, reason?: string): Condition {
  return { type, status, lastTransitionTime: t(atSeconds), ...(reason ? { reason } : {}) };
}

describe('setCondition', () => {
  it('keeps lastTransitionTime while the condition is unchanged', () => {
    const before = setCondition([], { type: 'Active', status: 'True' }, t(0));
    const after = setCondition(before, { type: 'Active', status: 'True' }, t(30));
    expect(getCondition(after, 'Active')?.lastTransitionTime).toBe(t(0));
  });

  it('stamps now when the status changes', () => {
    const before = setCondition([], { type: 'Active', status: 'True' }, t(0));
    expect(
      getCondition(setCondition(before, { type: 'Active', status: 'False' }, t(30)), 'Active')?.lastTransitionTime,
    ).toBe(t(30));
  });

  it('also stamps now when only the reason changes, as Knative does', () => {
    const before = setCondition([], { type: 'Active', status: 'Unknown', reason: 'Deploying' }, t(0));
    const after = setCondition(before, { type: 'Active', status: 'Unknown', reason: 'Queued' }, t(5));
    expect(getCondition(after, 'Active')?.lastTransitionTime).toBe(t(5));
  });

  it('keeps conditions sorted by type and does not modify its input', () => {
    const before: Condition[] = [cond('Ready', 'True', 0)];
    const after = setCondition(before, { type: 'Active', status: 'True' }, t(1));
    expect(after.map((c) => c.type)).toEqual(['Active', 'Ready']);
    expect(before).toHaveLength(1);
  });
});

describe('computeReady: Ready from the dependents', () => {
  const deps = ['A', 'B', 'C'];

  it('is True when all dependents are True', () => {
    expect(computeReady([cond('A', 'True', 0), cond('B', 'True', 0), cond('C', 'True', 0)], deps)).toEqual({
      status: 'True',
    });
  });

  it('False beats Unknown, even when the Unknown changed later', () => {
    const r = computeReady(
      [cond('A', 'False', 1, 'Broken'), cond('B', 'Unknown', 9, 'Waiting'), cond('C', 'True', 0)],
      deps,
    );
    expect(r).toEqual({ status: 'False', reason: 'Broken' });
  });

  it('among several False dependents, the most recently changed one is shown', () => {
    const r = computeReady(
      [cond('A', 'False', 5, 'Newer'), cond('B', 'False', 2, 'Older'), cond('C', 'True', 0)],
      deps,
    );
    expect(r.reason).toBe('Newer');
  });

  it('among Unknown dependents, the most recently changed one is shown', () => {
    const r = computeReady(
      [cond('A', 'Unknown', 1, 'Old'), cond('B', 'Unknown', 3, 'New'), cond('C', 'True', 0)],
      deps,
    );
    expect(r).toEqual({ status: 'Unknown', reason: 'New' });
  });

  it('a dependent that was never set makes Ready Unknown without a reason', () => {
    expect(computeReady([cond('A', 'True', 0), cond('B', 'True', 0)], deps)).toEqual({ status: 'Unknown' });
  });

  it('ignores informational conditions', () => {
    expect(
      computeReady(
        [cond('A', 'True', 0), cond('B', 'True', 0), cond('C', 'True', 0), cond('Active', 'False', 9)],
        deps,
      ),
    ).toEqual({
      status: 'True',
    });
  });
});

describe('applyConditions', () => {
  it('a new Service shows Unknown RevisionMissing: RoutesReady is applied after ConfigurationsReady', () => {
    const conditions = applyConditions(
      SERVICE_CONDITION_SET,
      [],
      [
        { type: 'ConfigurationsReady', status: 'Unknown' },
        {
          type: 'RoutesReady',
          status: 'Unknown',
          reason: 'RevisionMissing',
          message: 'Configuration "hello" is waiting for a Revision to become ready.',
        },
      ],
      t(0),
    );
    expect(getCondition(conditions, 'Ready')).toMatchObject({ status: 'Unknown', reason: 'RevisionMissing' });
  });

  it('Ready turns True with the last dependent, and its time is then', () => {
    let c = applyConditions(REVISION_CONDITION_SET, [], revisionDeploying(), t(0));
    expect(getCondition(c, 'Ready')).toMatchObject({ status: 'Unknown', reason: 'Deploying' });
    c = applyConditions(
      REVISION_CONDITION_SET,
      c,
      [
        { type: 'ResourcesAvailable', status: 'True' },
        { type: 'ContainerHealthy', status: 'True' },
      ],
      t(7),
    );
    expect(getCondition(c, 'Ready')).toEqual({ type: 'Ready', status: 'True', lastTransitionTime: t(7) });
  });

  it('informational conditions get severity Info and leave Ready alone', () => {
    const ready = applyConditions(
      REVISION_CONDITION_SET,
      [],
      [
        { type: 'ResourcesAvailable', status: 'True' },
        { type: 'ContainerHealthy', status: 'True' },
      ],
      t(0),
    );
    const c = applyConditions(
      REVISION_CONDITION_SET,
      ready,
      [{ type: 'Active', status: 'False', reason: 'NoTraffic' }],
      t(60),
    );
    expect(getCondition(c, 'Active')).toMatchObject({ status: 'False', severity: 'Info' });
    expect(getCondition(c, 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: t(0) });
  });
});

describe('Service conditions', () => {
  const config = (generation: number, observed: number, ready?: Condition): Configuration => ({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: { name: 'hello', generation },
    spec: { template: { spec: {} } },
    status: { observedGeneration: observed, latestReadyRevisionName: 'hello-00001', conditions: ready ? [ready] : [] },
  });

  it('ConfigurationsReady is OutOfDate until the Configuration catches up', () => {
    expect(serviceConfigurationsReady(config(2, 1))).toEqual({
      type: 'ConfigurationsReady',
      status: 'Unknown',
      reason: 'OutOfDate',
      message: 'The Configuration is still working to reflect the latest desired specification.',
    });
  });

  it("then mirrors the Configuration's Ready", () => {
    const failed: Condition = { type: 'Ready', status: 'False', reason: 'RevisionFailed', message: 'x' };
    expect(serviceConfigurationsReady(config(2, 2, failed))).toEqual({
      type: 'ConfigurationsReady',
      status: 'False',
      reason: 'RevisionFailed',
      message: 'x',
    });
  });

  const route = (ready: Condition): Route => ({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Route',
    metadata: { name: 'hello', generation: 1 },
    spec: { traffic: [{ configurationName: 'hello', latestRevision: true, percent: 100 }] },
    status: {
      observedGeneration: 1,
      conditions: [ready],
      traffic: [{ revisionName: 'hello-00001', latestRevision: true, percent: 100 }],
    },
  });

  it('RoutesReady is TrafficNotMigrated while a Ready Route still points at the old revision', () => {
    const r = route({ type: 'Ready', status: 'True' });
    const moved = config(2, 2);
    moved.status!.latestReadyRevisionName = 'hello-00002';
    expect(isTrafficMigrated(r.spec.traffic, r.status!.traffic, moved)).toBe(false);
    expect(serviceRoutesReady(r, false)).toEqual({
      type: 'RoutesReady',
      status: 'Unknown',
      reason: 'TrafficNotMigrated',
      message: 'Traffic is not yet migrated to the latest revision.',
    });
    expect(isTrafficMigrated(r.spec.traffic, r.status!.traffic, config(1, 1))).toBe(true);
    expect(serviceRoutesReady(r, true)).toEqual({ type: 'RoutesReady', status: 'True' });
  });
});

describe('Configuration Ready', () => {
  it('is set directly: a Configuration has no dependents', () => {
    const c = applyConditions(
      CONFIGURATION_CONDITION_SET,
      [],
      [configurationReady({ latestCreatedRevisionName: 'x-00001', latestReadyRevisionName: 'x-00001' })],
      t(3),
    );
    expect(c).toEqual([{ type: 'Ready', status: 'True', lastTransitionTime: t(3) }]);
  });

  it('True when the latest created revision is the latest ready one', () => {
    expect(configurationReady({ latestCreatedRevisionName: 'x-00001', latestReadyRevisionName: 'x-00001' })).toEqual({
      type: 'Ready',
      status: 'True',
    });
  });

  it('Unknown with no reason while a newer revision is not ready', () => {
    expect(configurationReady({ latestCreatedRevisionName: 'x-00002', latestReadyRevisionName: 'x-00001' })).toEqual({
      type: 'Ready',
      status: 'Unknown',
    });
  });

  it("RevisionFailed quotes the revision's message", () => {
    expect(
      configurationReady({
        latestCreatedRevisionName: 'x-00001',
        latestCreatedFailedMessage: 'Initial scale was never achieved',
      }),
    ).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'RevisionFailed',
      message: 'Revision "x-00001" failed with message: Initial scale was never achieved.',
    });
  });

  it('RevisionDeleted when the latest ready revision is gone', () => {
    expect(configurationReady({ latestReadyRevisionName: 'x-00001', latestReadyDeleted: true })).toMatchObject({
      reason: 'RevisionDeleted',
      message: 'Revision "x-00001" was deleted.',
    });
  });
});

describe('Route conditions', () => {
  it('IngressReady is IngressNotConfigured until the ingress reports', () => {
    expect(routeIngressReady(undefined)).toEqual({
      type: 'IngressReady',
      status: 'Unknown',
      reason: 'IngressNotConfigured',
      message: 'Ingress has not yet been reconciled.',
    });
    expect(routeIngressReady({ type: 'Ready', status: 'True' })).toEqual({ type: 'IngressReady', status: 'True' });
  });

  it('CertificateProvisioned is True TLSNotEnabled without TLS', () => {
    expect(routeTlsNotEnabled(false)).toMatchObject({ status: 'True', reason: 'TLSNotEnabled' });
  });
});

describe('Revision conditions', () => {
  it('ContainerMissing names the image and the resolver error', () => {
    expect(revisionContainerMissing('docker.io/x/demo', 'no such tag')).toEqual({
      type: 'ContainerHealthy',
      status: 'False',
      reason: 'ContainerMissing',
      message: 'Unable to fetch image "docker.io/x/demo": failed to resolve image to digest: no such tag',
    });
  });

  it('an exiting container gives ExitCode<N>', () => {
    expect(revisionContainerExited(1, 'boom')).toMatchObject({
      reason: 'ExitCode1',
      message: 'Container failed with: boom',
    });
    expect(revisionContainerExited(0, '')).toMatchObject({
      reason: 'ExitCode0',
      message: 'Container failed with: container exited with no error',
    });
  });

  const pa = (
    conditions: Condition[],
    serviceName = 'hello-00001',
    actualScale = 1,
    desiredScale = 1,
  ): PodAutoscaler => ({
    apiVersion: 'autoscaling.internal.knative.dev/v1alpha1',
    kind: 'PodAutoscaler',
    metadata: { name: 'hello-00001' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hello-00001-deployment' } },
    status: { serviceName, actualScale, desiredScale, conditions },
  });

  it('before the PA reports: Active and ResourcesAvailable Unknown Deploying', () => {
    expect(revisionFromAutoscaler([], undefined).updates).toEqual([
      { type: 'Active', status: 'Unknown', reason: 'Deploying' },
      { type: 'ResourcesAvailable', status: 'Unknown', reason: 'Deploying' },
    ]);
  });

  it('an initialized, active PA makes the revision Ready and Active, with replica counts', () => {
    const p = revisionFromAutoscaler(
      [],
      pa([cond('Ready', 'True', 0), cond('ScaleTargetInitialized', 'True', 0), cond('Active', 'True', 0)]),
    );
    const c = applyConditions(REVISION_CONDITION_SET, [], p.updates, t(5));
    expect(getCondition(c, 'Ready')?.status).toBe('True');
    expect(getCondition(c, 'Active')?.status).toBe('True');
    expect([p.actualReplicas, p.desiredReplicas]).toEqual([1, 1]);
  });

  it('scaled to zero: Active False NoTraffic, Ready stays True', () => {
    const p = revisionFromAutoscaler(
      [cond('ResourcesAvailable', 'True', 0), cond('ContainerHealthy', 'True', 0)],
      pa(
        [
          { ...cond('Ready', 'False', 60, 'NoTraffic'), message: 'The target is not receiving traffic.' },
          cond('ScaleTargetInitialized', 'True', 0),
        ],
        'hello-00001',
        0,
        0,
      ),
    );
    const c = applyConditions(REVISION_CONDITION_SET, [], p.updates, t(60));
    expect(getCondition(c, 'Active')).toMatchObject({
      status: 'False',
      reason: 'NoTraffic',
      message: 'The target is not receiving traffic.',
    });
    expect(getCondition(c, 'Ready')?.status).toBe('True');
    expect([p.actualReplicas, p.desiredReplicas]).toEqual([0, 0]);
  });

  it("activating: Active copies the PA's Queued reason", () => {
    const p = revisionFromAutoscaler(
      [],
      pa([cond('Ready', 'Unknown', 0, 'Queued'), cond('ScaleTargetInitialized', 'True', 0)]),
    );
    expect(p.updates.find((u) => u.type === 'Active')).toEqual({ type: 'Active', status: 'Unknown', reason: 'Queued' });
  });

  it('a PA that timed out before initial scale: ProgressDeadlineExceeded', () => {
    const p = revisionFromAutoscaler([], pa([cond('Ready', 'False', 0, 'TimedOut')], 'hello-00001', 0, 0));
    const c = applyConditions(REVISION_CONDITION_SET, [], p.updates, t(630));
    expect(getCondition(c, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: 'Initial scale was never achieved',
    });
  });

  it('negative scales from a fresh autoscaler are omitted', () => {
    const p = revisionFromAutoscaler([], pa([cond('Ready', 'Unknown', 0)], 'x', -1, -1));
    expect(p).not.toHaveProperty('actualReplicas');
    expect(p).not.toHaveProperty('desiredReplicas');
  });
});

describe('PodAutoscaler conditions', () => {
  it('Ready needs Active, ScaleTargetInitialized and SKSReady', () => {
    const c = applyConditions(
      PODAUTOSCALER_CONDITION_SET,
      [],
      [
        { type: 'Active', status: 'True' },
        paScaleTargetInitialized(1, 1, 'hello-00001'),
        paSksReady({ type: 'Ready', status: 'True' }),
      ],
      t(0),
    );
    expect(getCondition(c, 'Ready')?.status).toBe('True');
    const notReady = applyConditions(
      PODAUTOSCALER_CONDITION_SET,
      c,
      [paSksReady({ type: 'Ready', status: 'Unknown', message: 'no endpoints' })],
      t(3),
    );
    expect(getCondition(notReady, 'Ready')).toMatchObject({
      status: 'Unknown',
      reason: 'NotReady',
      message: 'no endpoints',
    });
  });

  it('ScaleTargetInitialized needs the SKS service name', () => {
    expect(paScaleTargetInitialized(1, 1, '')).toBeUndefined();
  });
});

describe('waitCondition (kubectl wait --for=condition)', () => {
  const obj = (generation: number | undefined, status: Record<string, unknown>) => ({
    metadata: { ...(generation !== undefined ? { generation } : {}) },
    status,
  });
  const ready = { type: 'Ready', status: 'True' };

  it("a condition of the object's generation is current", () => {
    const w = waitCondition(obj(2, { observedGeneration: 2, conditions: [ready] }), 'ready');
    expect(w).toMatchObject({ stale: false, generation: 2, observedGeneration: 2 });
    expect(w.condition).toEqual(ready);
  });

  it('status.observedGeneration below metadata.generation makes it stale', () => {
    expect(waitCondition(obj(2, { observedGeneration: 1, conditions: [ready] }), 'Ready').stale).toBe(true);
  });

  it("the condition's own observedGeneration wins over the status's", () => {
    const own = { ...ready, observedGeneration: 2 };
    expect(waitCondition(obj(2, { observedGeneration: 1, conditions: [own] }), 'Ready').stale).toBe(false);
    const old = { ...ready, observedGeneration: 1 };
    expect(waitCondition(obj(2, { observedGeneration: 2, conditions: [old] }), 'Ready').stale).toBe(true);
  });

  it('without a generation or an observed one the condition is taken as it is', () => {
    expect(waitCondition(obj(undefined, { observedGeneration: 1, conditions: [ready] }), 'Ready').stale).toBe(false);
    expect(waitCondition(obj(3, { conditions: [ready] }), 'Ready').stale).toBe(false);
    expect(waitCondition(obj(3, {}), 'Ready')).toMatchObject({ condition: undefined, stale: false });
  });
});

/** setCondition and computeReady as first written (one sort with the new condition appended; a time parsed per comparison). */
const reference = {
  setCondition(conditions: readonly Condition[] | undefined, condition: Condition, nowIso: string): Condition[] {
    const next: Condition = { type: condition.type, status: condition.status };
    if (condition.reason) next.reason = condition.reason;
    if (condition.message) next.message = condition.message;
    if (condition.severity) next.severity = condition.severity;
    const previous = conditions?.find((c) => c.type === condition.type);
    const same =
      previous &&
      previous.status === next.status &&
      (previous.reason ?? '') === (next.reason ?? '') &&
      (previous.message ?? '') === (next.message ?? '') &&
      (previous.severity ?? '') === (next.severity ?? '');
    next.lastTransitionTime = same ? previous.lastTransitionTime : nowIso;
    return [...(conditions ?? []).filter((c) => c.type !== condition.type), next].sort((a, b) =>
      a.type < b.type ? -1 : a.type > b.type ? 1 : 0,
    );
  },
  computeReady(conditions: readonly Condition[], dependents: readonly string[]) {
    const present = conditions.map((c, index) => ({ c, index })).filter(({ c }) => dependents.includes(c.type));
    const time = (c: Condition): number => {
      const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : Number.NaN;
      return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
    };
    present.sort((a, b) => {
      const ta = time(a.c);
      const tb = time(b.c);
      if (ta !== tb) return tb > ta ? 1 : -1;
      return b.index - a.index;
    });
    const pick = present.find(({ c }) => c.status === 'False') ?? present.find(({ c }) => c.status === 'Unknown');
    if (pick) {
      const { status, reason, message } = pick.c;
      return { status, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
    }
    const seen = new Set(present.map(({ c }) => c.type));
    if (dependents.some((d) => !seen.has(d))) return { status: 'Unknown' };
    return { status: 'True' };
  },
};

const conditionArb = fc.record(
  {
    type: fc.constantFrom('Active', 'Ready', 'ContainerHealthy', 'ResourcesAvailable', 'B', 'a'),
    status: fc.constantFrom('True' as const, 'False' as const, 'Unknown' as const),
    reason: fc.constantFrom('R1', 'R2', ''),
    message: fc.constantFrom('m', ''),
    severity: fc.constantFrom('Info' as const, 'Warning' as const),
    lastTransitionTime: fc.constantFrom('2026-12-07T00:00:00Z', '2026-12-07T00:00:01Z', 'not a time', ''),
  },
  { requiredKeys: ['type', 'status'] },
);

describe('setCondition and computeReady, against their first versions', () => {
  it('give the same conditions for any list, sorted or not, with repeated types', () => {
    fc.assert(
      fc.property(
        fc.option(fc.array(conditionArb, { maxLength: 7 }), { nil: undefined }),
        conditionArb,
        fc.boolean(),
        (conditions, update, sortFirst) => {
          const list =
            sortFirst && conditions
              ? [...conditions].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
              : conditions;
          const now = '2026-12-07T00:00:02Z';
          expect(setCondition(list, update, now)).toStrictEqual(reference.setCondition(list, update, now));
        },
      ),
    );
  });

  it('pick the same Ready from any dependents', () => {
    fc.assert(
      fc.property(
        fc.array(conditionArb, { maxLength: 7 }),
        fc.subarray(['Active', 'Ready', 'ContainerHealthy', 'ResourcesAvailable', 'B']),
        (conditions, dependents) => {
          expect(computeReady(conditions, dependents)).toStrictEqual(reference.computeReady(conditions, dependents));
        },
      ),
    );
  });
});
