/**
 * Knative Serving's own lifecycle tests (pkg/apis/serving/v1/*_lifecycle_test.go), their data
 * transcribed and run against knsim's condition rules (src/model/rules/conditions.ts and the
 * Route's AllTrafficAssigned from traffic.ts). Each upstream flow is a list of steps: what the
 * reconciler learns, then the status each condition must have (`Unknown` is Knative's "ongoing",
 * `True` "succeeded", `False` "failed"). Knative's InitializeConditions is knsim's rule that a
 * dependent never set counts as Unknown (computeReady), or, for a Revision, `revisionDeploying()`.
 * Cases knsim does not model are listed in docs/conformance.md with the reason.
 */
import { describe, expect, it } from 'vitest';
import type {
  Condition,
  ConditionStatus,
  Configuration,
  PodAutoscaler,
  Revision,
  Route,
} from '../../src/model/api/types.js';
import {
  applyConditions,
  CONFIGURATION_CONDITION_SET,
  type ConditionSet,
  type ConditionUpdate,
  type ConfigurationFacts,
  configurationReady,
  getCondition,
  READY,
  REVISION_CONDITION_SET,
  ROUTE_CONDITION_SET,
  readyStatus,
  revisionDeploying,
  revisionFromAutoscaler,
  revisionPodsFailing,
  routeIngressReady,
  routeTlsNotEnabled,
  SERVICE_CONDITION_SET,
  serviceConfigurationsReady,
  serviceRoutesReady,
} from '../../src/model/rules/conditions.js';
import { isoAt } from '../../src/model/rules/time.js';
import { resolveTraffic } from '../../src/model/rules/traffic.js';

/** A status under test: its conditions, each step one second after the last. */
class Status {
  conditions: Condition[] = [];
  private seconds = 0;
  constructor(private readonly set: ConditionSet) {
    this.apply([]);
  }
  apply(updates: readonly (ConditionUpdate | undefined)[]): this {
    this.conditions = applyConditions(this.set, this.conditions, updates, isoAt(this.seconds++ * 1000));
    return this;
  }
  /** A condition's status; one never set counts as Unknown, as knsim's computeReady takes it. */
  status(type: string): ConditionStatus {
    return getCondition(this.conditions, type)?.status ?? 'Unknown';
  }
  get(type: string): Condition | undefined {
    return getCondition(this.conditions, type);
  }
}

const U: ConditionStatus = 'Unknown';
const T: ConditionStatus = 'True';
const F: ConditionStatus = 'False';

// ---- service_lifecycle_test.go ----

/** A Configuration or Route that has observed its generation, with this Ready (or none). */
function child<K extends 'Configuration' | 'Route'>(kind: K, ready: ConditionStatus | 'none', generation = 1) {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind,
    metadata: { name: 'svc', namespace: 'default', generation },
    spec: {},
    status: {
      observedGeneration: 1,
      conditions: ready === 'none' ? [] : [{ type: READY, status: ready }],
    },
  } as unknown as K extends 'Configuration' ? Configuration : Route;
}

interface ServiceStep {
  /** PropagateConfigurationStatus with a Configuration whose Ready is this ('none': no conditions). */
  readonly config?: ConditionStatus | 'none';
  /** PropagateRouteStatus likewise (its traffic taken as migrated). */
  readonly route?: ConditionStatus | 'none';
  /** Ready, ConfigurationsReady, RoutesReady after the step; omitted: not checked. */
  readonly want?: readonly [ConditionStatus, ConditionStatus, ConditionStatus];
}

const SERVICE_FLOWS: Record<string, readonly ServiceStep[]> = {
  TestServiceHappyPath: [
    { config: 'none', want: [U, U, U] },
    { route: 'none', want: [U, U, U] },
    { config: T, want: [U, T, U] },
    { route: T, want: [T, T, T] },
    { route: T, want: [T, T, T] },
  ],
  TestFailureRecovery: [
    { config: F, want: [F, F, U] },
    { route: F, want: [F, F, F] },
    { config: T, want: [F, T, F] },
    { route: T, want: [T, T, T] },
  ],
  TestConfigurationFailurePropagation: [{ config: F, want: [F, F, U] }],
  TestConfigurationFailureRecovery: [
    { route: T, want: [U, U, T] },
    { config: F, want: [F, F, T] },
    { config: T, want: [T, T, T] },
  ],
  TestConfigurationUnknownPropagation: [{ config: T }, { route: T, want: [T, T, T] }, { config: U, want: [U, U, T] }],
  TestRouteFailurePropagation: [{ route: F, want: [F, U, F] }],
  TestRouteFailureRecovery: [
    { config: T, want: [U, T, U] },
    { route: F, want: [F, T, F] },
    { route: T, want: [T, T, T] },
  ],
  TestRouteUnknownPropagation: [{ config: T }, { route: T, want: [T, T, T] }, { route: U, want: [U, T, U] }],
};

describe('service_lifecycle_test.go', () => {
  for (const [name, steps] of Object.entries(SERVICE_FLOWS)) {
    it(name, () => {
      const svc = new Status(SERVICE_CONDITION_SET);
      expect([svc.status(READY), svc.status('ConfigurationsReady'), svc.status('RoutesReady')]).toEqual([U, U, U]);
      steps.forEach((step, i) => {
        if (step.config) svc.apply([serviceConfigurationsReady(child('Configuration', step.config))]);
        if (step.route) svc.apply([serviceRoutesReady(child('Route', step.route), true)]);
        if (step.want) {
          const got = [svc.status(READY), svc.status('ConfigurationsReady'), svc.status('RoutesReady')];
          expect(got, `step ${i}`).toEqual(step.want);
        }
      });
    });
  }

  it('TestMarkRouteNotYetReady: a Ready Route whose traffic is not migrated', () => {
    const svc = new Status(SERVICE_CONDITION_SET).apply([serviceRoutesReady(child('Route', T), false)]);
    expect(svc.get(READY)).toMatchObject({
      status: U,
      reason: 'TrafficNotMigrated',
      message: 'Traffic is not yet migrated to the latest revision.',
    });
  });

  it('TestMarkRouteNotReconciled: a Route that has not observed its generation', () => {
    const svc = new Status(SERVICE_CONDITION_SET).apply([serviceRoutesReady(child('Route', T, 2), true)]);
    expect(svc.get(READY)).toMatchObject({ status: U, reason: 'OutOfDate' });
  });

  it('TestMarkConfigurationNotReconciled: a Configuration that has not observed its generation', () => {
    const svc = new Status(SERVICE_CONDITION_SET).apply([serviceConfigurationsReady(child('Configuration', T, 2))]);
    expect(svc.get(READY)).toMatchObject({ status: U, reason: 'OutOfDate' });
  });
});

// ---- IsReady / IsFailed (service, configuration, revision, route lifecycle tests) ----

const IS_READY_CASES: readonly { name: string; conditions: Condition[]; ready: boolean; failed: boolean }[] = [
  { name: 'empty status should not be ready', conditions: [], ready: false, failed: false },
  {
    name: 'Different condition type should not be ready',
    conditions: [{ type: 'Foo', status: T }],
    ready: false,
    failed: false,
  },
  {
    name: 'False condition status should not be ready',
    conditions: [{ type: READY, status: F }],
    ready: false,
    failed: true,
  },
  {
    name: 'Unknown condition status should not be ready',
    conditions: [{ type: READY, status: U }],
    ready: false,
    failed: false,
  },
  {
    name: 'Missing condition status should not be ready',
    conditions: [{ type: READY } as Condition],
    ready: false,
    failed: false,
  },
  {
    name: 'True condition status should be ready',
    conditions: [{ type: READY, status: T }],
    ready: true,
    failed: false,
  },
  {
    name: 'Multiple conditions with ready status should be ready',
    conditions: [
      { type: 'Foo', status: T },
      { type: READY, status: T },
    ],
    ready: true,
    failed: false,
  },
  {
    name: 'Multiple conditions with ready status false should not be ready',
    conditions: [
      { type: 'Foo', status: T },
      { type: READY, status: F },
    ],
    ready: false,
    failed: true,
  },
];

describe('TestServiceIsReady, TestConfigurationIsReady/IsFailed, TestRevisionIsReady/IsFailed, TestRouteIsReady/IsFailed', () => {
  for (const c of IS_READY_CASES) {
    it(c.name, () => {
      expect(readyStatus(c.conditions) === 'True').toBe(c.ready);
      expect(readyStatus(c.conditions) === 'False').toBe(c.failed);
    });
  }
});

// ---- configuration_lifecycle_test.go ----

interface ConfigurationStep {
  /** What the Configuration reconciler knows at this step (knsim's ConfigurationFacts). */
  readonly facts: ConfigurationFacts;
  readonly want: ConditionStatus;
  /** A substring the Ready message must contain. */
  readonly message?: string;
}

const CONFIGURATION_FLOWS: Record<string, readonly ConfigurationStep[]> = {
  TestTypicalFlow: [
    { facts: {}, want: U },
    { facts: { latestCreatedRevisionName: 'foo' }, want: U },
    { facts: { latestCreatedRevisionName: 'foo', latestReadyRevisionName: 'foo' }, want: T },
    // A second SetLatestCreatedRevisionName("foo") leaves it Ready.
    { facts: { latestCreatedRevisionName: 'foo', latestReadyRevisionName: 'foo' }, want: T },
    { facts: { latestCreatedRevisionName: 'bar', latestReadyRevisionName: 'foo' }, want: U },
    { facts: { latestCreatedRevisionName: 'bar', latestReadyRevisionName: 'bar' }, want: T },
  ],
  TestFailingFirstRevisionWithRecovery: [
    { facts: {}, want: U },
    {
      facts: { revisionCreationFailedMessage: 'transient API server failure' },
      want: F,
      message: 'transient API server failure',
    },
    { facts: { latestCreatedRevisionName: 'foo' }, want: U },
    {
      facts: { latestCreatedRevisionName: 'foo', latestCreatedFailedMessage: 'the message' },
      want: F,
      message: 'the message',
    },
    { facts: { latestCreatedRevisionName: 'bar' }, want: U },
    { facts: { latestCreatedRevisionName: 'bar', latestReadyRevisionName: 'bar' }, want: T },
  ],
  TestFailingSecondRevision: [
    { facts: {}, want: U },
    { facts: { latestCreatedRevisionName: 'foo' }, want: U },
    { facts: { latestCreatedRevisionName: 'foo', latestReadyRevisionName: 'foo' }, want: T },
    { facts: { latestCreatedRevisionName: 'bar', latestReadyRevisionName: 'foo' }, want: U },
    {
      facts: {
        latestCreatedRevisionName: 'bar',
        latestReadyRevisionName: 'foo',
        latestCreatedFailedMessage: 'the message',
      },
      want: F,
      message: 'the message',
    },
  ],
  TestLatestRevisionDeletedThenFixed: [
    { facts: {}, want: U },
    { facts: { latestCreatedRevisionName: 'foo' }, want: U },
    { facts: { latestCreatedRevisionName: 'foo', latestReadyRevisionName: 'foo' }, want: T },
    {
      facts: { latestCreatedRevisionName: 'foo', latestReadyRevisionName: 'foo', latestReadyDeleted: true },
      want: F,
      message: 'was deleted',
    },
    { facts: { latestCreatedRevisionName: 'bar', latestReadyRevisionName: 'foo' }, want: U },
    { facts: { latestCreatedRevisionName: 'bar', latestReadyRevisionName: 'bar' }, want: T },
  ],
};

describe('configuration_lifecycle_test.go', () => {
  for (const [name, steps] of Object.entries(CONFIGURATION_FLOWS)) {
    it(name, () => {
      const cfg = new Status(CONFIGURATION_CONDITION_SET);
      steps.forEach((step, i) => {
        cfg.apply([configurationReady(step.facts)]);
        expect(cfg.status(READY), `step ${i}`).toBe(step.want);
        if (step.message) expect(cfg.get(READY)?.message, `step ${i}`).toContain(step.message);
      });
    });
  }
});

// ---- revision_lifecycle_test.go ----

function revision(): Status {
  return new Status(REVISION_CONDITION_SET).apply(revisionDeploying());
}

/** A PodAutoscaler status: Ready and ScaleTargetInitialized (undefined: absent), its service name. */
function pa(ready?: ConditionStatus, initialized?: ConditionStatus, serviceName?: string): PodAutoscaler {
  const conditions: Condition[] = [];
  if (ready) conditions.push({ type: READY, status: ready });
  if (initialized) conditions.push({ type: 'ScaleTargetInitialized', status: initialized });
  return {
    apiVersion: 'autoscaling.internal.knative.dev/v1alpha1',
    kind: 'PodAutoscaler',
    metadata: { name: 'rev', namespace: 'default' },
    status: { conditions, ...(serviceName ? { serviceName } : {}) },
  } as unknown as PodAutoscaler;
}

function propagate(rev: Status, autoscaler: PodAutoscaler): Status {
  return rev.apply(revisionFromAutoscaler(rev.conditions, autoscaler).updates);
}

describe('revision_lifecycle_test.go', () => {
  it('TestRevisionInitializeConditions', () => {
    expect(revision().conditions.map((c) => c.type)).toEqual(['ContainerHealthy', READY, 'ResourcesAvailable']);
  });

  it('TestTypicalFlowWithProgressDeadlineExceeded', () => {
    const r = revision();
    expect([r.status('ResourcesAvailable'), r.status('ContainerHealthy'), r.status(READY)]).toEqual([U, U, U]);
    r.apply([revisionPodsFailing('ProgressDeadlineExceeded', 'the error message')]);
    expect(r.get('ResourcesAvailable')).toMatchObject({ status: F, message: 'the error message' });
    expect(r.get(READY)).toMatchObject({ status: F, message: 'the error message' });
  });

  it('TestTypicalFlowWithContainerMissing', () => {
    const want = 'something about the container being not found';
    const r = revision().apply([{ type: 'ContainerHealthy', status: F, reason: 'ContainerMissing', message: want }]);
    expect(r.status('ResourcesAvailable')).toBe(U);
    expect(r.get('ContainerHealthy')).toMatchObject({ status: F, reason: 'ContainerMissing', message: want });
    expect(r.get(READY)).toMatchObject({ status: F, reason: 'ContainerMissing', message: want });
    r.apply([{ type: 'ContainerHealthy', status: U, reason: 'Deploying', message: want }]);
    expect([r.status('ContainerHealthy'), r.status(READY)]).toEqual([U, U]);
  });

  it('TestTypicalFlowWithSuspendResume', () => {
    const r = revision().apply([
      { type: 'Active', status: T },
      { type: 'ContainerHealthy', status: T },
      { type: 'ResourcesAvailable', status: T },
    ]);
    expect([r.status('ResourcesAvailable'), r.status('ContainerHealthy'), r.status(READY)]).toEqual([T, T, T]);
    // Scaled to zero: Active False, the revision stays Ready.
    r.apply([{ type: 'Active', status: F, reason: 'Deactivated', message: 'Reserve' }]);
    expect(r.get('Active')).toMatchObject({ status: F, reason: 'Deactivated' });
    expect([r.status('ResourcesAvailable'), r.status('ContainerHealthy'), r.status(READY)]).toEqual([T, T, T]);
    r.apply([{ type: 'Active', status: U, reason: 'Activating', message: 'blah blah blah' }]);
    expect(r.get('Active')).toMatchObject({ status: U, reason: 'Activating' });
    expect(r.status(READY)).toBe(T);
    r.apply([{ type: 'Active', status: T }]);
    expect([r.status('ResourcesAvailable'), r.status('ContainerHealthy'), r.status(READY)]).toEqual([T, T, T]);
  });

  it('TestRevisionNotOwnedStuff', () => {
    const r = revision().apply([revisionPodsFailing('NotOwned', 'mark')]);
    expect(r.get('ResourcesAvailable')).toMatchObject({ status: F, reason: 'NotOwned' });
    expect(r.get(READY)).toMatchObject({ status: F, reason: 'NotOwned' });
  });

  it('TestRevisionResourcesUnavailable', () => {
    const r = revision().apply([revisionPodsFailing('unschedulable', 'insufficient energy')]);
    expect(r.get('ResourcesAvailable')).toMatchObject({
      status: F,
      reason: 'unschedulable',
      message: 'insufficient energy',
    });
    expect(r.status(READY)).toBe(F);
    r.apply([{ type: 'ResourcesAvailable', status: U, reason: 'unschedulable', message: 'insufficient energy' }]);
    expect([r.status('ResourcesAvailable'), r.status(READY)]).toEqual([U, U]);
  });

  // The PodAutoscalers below carry a service name: Knative's current PropagateAutoscalerStatus
  // (and knsim's) keeps ResourcesAvailable Unknown `Deploying` while the PA has none, so a ready
  // revision always has one.
  it('TestPropagateAutoscalerStatus', () => {
    const r = revision();
    propagate(r, pa());
    expect(r.status('Active')).toBe(U);
    propagate(r, pa(T, T, 'rev'));
    expect([r.status('Active'), r.status(READY)]).toEqual([T, T]);
    propagate(r, pa(U, T, 'rev'));
    expect([r.status('Active'), r.status(READY)]).toEqual([U, T]);
    propagate(r, pa(F, T, 'rev'));
    expect([r.status('Active'), r.status(READY), r.status('ContainerHealthy'), r.status('ResourcesAvailable')]).toEqual(
      [F, T, T, T],
    );
  });

  it('TestPAResAvailableNoOverride', () => {
    const r = revision().apply([revisionPodsFailing('somehow', 'somewhere')]);
    propagate(r, pa(U, T, 'rev'));
    expect(r.status('ResourcesAvailable')).toBe(F);
    expect(r.get('ResourcesAvailable')?.reason).not.toBe('ProgressDeadlineExceeded');
  });

  it('TestPropagateAutoscalerStatusNoProgress: a PA not ready that never reached initial scale', () => {
    const r = revision();
    // PA Ready False (whatever its reason), ScaleTargetInitialized Unknown, a service name.
    propagate(r, pa(F, U, 'testRevision'));
    expect(r.status('Active')).toBe(F);
    expect(r.get('ResourcesAvailable')).toMatchObject({ status: F, reason: 'ProgressDeadlineExceeded' });
    // Another failure reason already recorded is not overridden.
    r.apply([revisionPodsFailing('another-one', 'bit-the-dust')]);
    propagate(r, pa(F, U));
    expect(r.get('ResourcesAvailable')?.reason).not.toBe('ProgressDeadlineExceeded');
  });

  it('TestPropagateAutoscalerStatusRace: a PA that was ready and scaled down already', () => {
    const r = revision();
    propagate(r, pa());
    expect(r.status('Active')).toBe(U);
    propagate(r, pa(F, T, 'rev'));
    expect([r.status('Active'), r.status(READY)]).toEqual([F, T]);
  });
});

// ---- route_lifecycle_test.go ----

function route(): Status {
  return new Status(ROUTE_CONDITION_SET);
}

/** AllTrafficAssigned as knsim's route reconciler computes it, for one target of 100%. */
function allTrafficAssigned(
  target: { revisionName: string } | { configurationName: string },
  objects: { configurations?: Configuration[]; revisions?: Revision[] },
): ConditionUpdate {
  return resolveTraffic([{ ...target, percent: 100 }], {
    configurations: objects.configurations ?? [],
    revisions: objects.revisions ?? [],
  }).allTrafficAssigned;
}

function object<K extends 'Configuration' | 'Revision'>(kind: K, name: string, ready: ConditionStatus) {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind,
    metadata: { name, namespace: 'default' },
    spec: {},
    status: { conditions: [{ type: READY, status: ready }] },
  } as unknown as K extends 'Configuration' ? Configuration : Revision;
}

const ingress = (status: ConditionStatus): Condition => ({ type: READY, status });

describe('route_lifecycle_test.go', () => {
  it('TestTypicalRouteFlow', () => {
    const r = route();
    expect([r.status('AllTrafficAssigned'), r.status('IngressReady'), r.status(READY)]).toEqual([U, U, U]);
    r.apply([{ type: 'AllTrafficAssigned', status: T }, routeTlsNotEnabled(false)]);
    expect([r.status('AllTrafficAssigned'), r.status('IngressReady'), r.status(READY)]).toEqual([T, U, U]);
    r.apply([routeIngressReady(ingress(T))]);
    expect([r.status('AllTrafficAssigned'), r.status('IngressReady'), r.status(READY)]).toEqual([T, T, T]);
  });

  it('TestTrafficNotAssignedFlow: a Revision that does not exist', () => {
    const r = route().apply([allTrafficAssigned({ revisionName: 'does-not-exist' }, {})]);
    expect([r.status('AllTrafficAssigned'), r.status(READY)]).toEqual([F, F]);
  });

  it('TestTargetConfigurationNotYetReadyFlow', () => {
    const cfg = object('Configuration', 'i-have-no-ready-revision', U);
    const r = route().apply([allTrafficAssigned({ configurationName: cfg.metadata.name }, { configurations: [cfg] })]);
    expect([r.status('AllTrafficAssigned'), r.status(READY)]).toEqual([U, U]);
  });

  it('TestTargetConfigurationFailedToBeReadyFlow', () => {
    const cfg = object('Configuration', 'permanently-failed', F);
    const r = route().apply([allTrafficAssigned({ configurationName: cfg.metadata.name }, { configurations: [cfg] })]);
    expect([r.status('AllTrafficAssigned'), r.status('IngressReady'), r.status(READY)]).toEqual([F, U, F]);
  });

  it('TestTargetRevisionNotYetReadyFlow', () => {
    const rev = object('Revision', 'not-yet-ready', U);
    const r = route().apply([allTrafficAssigned({ revisionName: rev.metadata.name }, { revisions: [rev] })]);
    expect([r.status('AllTrafficAssigned'), r.status('IngressReady'), r.status(READY)]).toEqual([U, U, U]);
  });

  it('TestTargetRevisionFailedToBeReadyFlow', () => {
    const rev = object('Revision', 'cannot-find-image', F);
    const r = route().apply([allTrafficAssigned({ revisionName: rev.metadata.name }, { revisions: [rev] })]);
    expect([r.status('AllTrafficAssigned'), r.status('IngressReady'), r.status(READY)]).toEqual([F, U, F]);
  });

  it('TestIngressFailureRecovery', () => {
    const r = route().apply([routeIngressReady(ingress(U))]);
    expect([r.status('AllTrafficAssigned'), r.status('IngressReady'), r.status(READY)]).toEqual([U, U, U]);
    // An ingress without status: IngressReady Unknown `IngressNotConfigured`.
    r.apply([routeIngressReady(undefined)]);
    expect([r.status('AllTrafficAssigned'), r.status('IngressReady'), r.status(READY)]).toEqual([U, U, U]);
    r.apply([{ type: 'AllTrafficAssigned', status: T }, routeTlsNotEnabled(false), routeIngressReady(ingress(T))]);
    expect([r.status('AllTrafficAssigned'), r.status('IngressReady'), r.status(READY)]).toEqual([T, T, T]);
    r.apply([routeIngressReady(ingress(F))]);
    expect([r.status('AllTrafficAssigned'), r.status('IngressReady'), r.status(READY)]).toEqual([T, F, F]);
    r.apply([routeIngressReady(ingress(T))]);
    expect([r.status('AllTrafficAssigned'), r.status('IngressReady'), r.status(READY)]).toEqual([T, T, T]);
  });

  it('TestRouteAutoTLSNotEnabled', () => {
    expect(
      route()
        .apply([routeTlsNotEnabled(false)])
        .status('CertificateProvisioned'),
    ).toBe(T);
  });

  it('TestIngressNotConfigured', () => {
    const r = route().apply([routeIngressReady(undefined)]);
    expect(r.get('IngressReady')).toMatchObject({ status: U, reason: 'IngressNotConfigured' });
  });
});
