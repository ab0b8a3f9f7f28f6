/**
 * Remembered transitions (src/sim/transitionPlans.ts) against XState's own, on the model's
 * machines that have nested and parallel states, targetless and `always` transitions and raises
 * taken at once (the Revision, Service, Route, Configuration, PodAutoscaler, SKS, autoscaler,
 * HPA and node machines): each is taken through random events (and its delayed events, fired in
 * any order) once by `machine.transition` / `getInitialSnapshot` and once by the plans, and after
 * every step both snapshots must be equal (state, status, context, state nodes in order, tags,
 * children, history, their fields in the same order) and the actions handed to the executor the
 * same. The plans are shared across runs, so most steps replay what earlier runs taught them;
 * the counts say they did, and that no plan came out different from XState (`refused`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import type { Condition, Configuration, PodAutoscaler, Route } from '../../src/model/api/types.js';
import type { HpaPod } from '../../src/model/hpa/replicas.js';
import { hpaInputsFor, hpaSpec } from '../../src/model/hpa/spec.js';
import { autoscalerMachine } from '../../src/model/machines/autoscaler.js';
import { configurationLifecycleMachine } from '../../src/model/machines/configuration.js';
import { hpaMachine } from '../../src/model/machines/hpa.js';
import { nodeMachine } from '../../src/model/machines/node.js';
import { podAutoscalerMachine } from '../../src/model/machines/podAutoscaler.js';
import { revisionLifecycleMachine } from '../../src/model/machines/revision.js';
import { routeMachine } from '../../src/model/machines/route.js';
import { serviceLifecycleMachine } from '../../src/model/machines/service.js';
import { sksMachine } from '../../src/model/machines/sks.js';
import type { ConditionUpdate } from '../../src/model/rules/conditions.js';
import { Pair, stepsArb, walk } from './transitionPlansOracle.js';

const t0 = '2026-01-01T00:00:00.000Z';
const t1 = '2026-01-01T00:00:01.000Z';
const cond = (type: string, status: 'True' | 'False' | 'Unknown', reason?: string, message?: string): Condition => ({
  type,
  status,
  lastTransitionTime: t0,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

/** Runs `runs` random walks of `machine` on one pair (plans shared); checks that plans replayed and none was refused. */
function holds(
  machine: AnyStateMachine,
  input: fc.Arbitrary<unknown>,
  event: fc.Arbitrary<{ type: string }>,
  minReplayed: number,
  runs = 200,
): Pair {
  const pair = new Pair(machine);
  expect(pair.plans.covered).toBe(true);
  fc.assert(
    fc.property(
      input,
      stepsArb,
      fc.array(fc.array(event, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }),
      (i, steps, events) => {
        walk(pair, i, steps, events);
      },
    ),
    { numRuns: runs },
  );
  expect(pair.plans.refused).toBe(0);
  expect(pair.plans.replayed).toBeGreaterThan(minReplayed);
  return pair;
}

const pa = (status: PodAutoscaler['status']): PodAutoscaler =>
  ({
    apiVersion: 'autoscaling.internal.knative.dev/v1alpha1',
    kind: 'PodAutoscaler',
    metadata: { name: 'r' },
    spec: {},
    status,
  }) as PodAutoscaler;

const autoscalers: (PodAutoscaler | undefined)[] = [
  undefined,
  pa({ conditions: [cond('Ready', 'Unknown', 'Queued'), cond('Active', 'Unknown', 'Queued')] }),
  pa({
    serviceName: 'r',
    actualScale: 1,
    desiredScale: 1,
    conditions: [cond('Ready', 'True'), cond('Active', 'True'), cond('ScaleTargetInitialized', 'True')],
  }),
  pa({
    serviceName: 'r',
    actualScale: 0,
    desiredScale: 0,
    conditions: [
      cond('Ready', 'False', 'NoTraffic'),
      cond('Active', 'False', 'NoTraffic'),
      cond('ScaleTargetInitialized', 'True'),
    ],
  }),
  pa({ serviceName: 'r', conditions: [cond('Ready', 'False', 'TimedOut'), cond('Active', 'False', 'TimedOut')] }),
];

const conditionLists: (Condition[] | undefined)[] = [
  undefined,
  [cond('Ready', 'Unknown', 'Deploying'), cond('Active', 'Unknown', 'Deploying')],
  [cond('Ready', 'True'), cond('Active', 'True')],
  [cond('Ready', 'True'), cond('Active', 'False', 'NoTraffic')],
  [cond('Ready', 'False', 'RevisionFailed', 'boom'), cond('Active', 'Unknown', 'Queued')],
  [cond('Ready', 'Unknown')],
];

describe('remembered transitions against XState: the model machines (property)', () => {
  it('the Revision machine (parallel regions, targetless moves)', () => {
    const event = fc.oneof(
      fc
        .record({
          previous: fc.constantFrom(...conditionLists),
          autoscaler: fc.constantFrom(...autoscalers),
          readyReplicas: fc.integer({ min: 0, max: 2 }),
          failing: fc.integer({ min: 0, max: 3 }),
          nowIso: fc.constantFrom(t0, t1),
        })
        .map(({ previous, autoscaler, readyReplicas, failing, nowIso }) => ({
          type: 'revision.reconcile',
          previous,
          observed: {
            readyReplicas,
            autoscaler,
            ...(failing === 1 ? { unscheduledPod: { reason: 'Unschedulable', message: 'no node' } } : {}),
            ...(failing === 2 ? { unresolvedImage: { image: 'x', error: 'not found' } } : {}),
            ...(failing === 3 ? { exitedContainer: { exitCode: 1, message: 'crash' } } : {}),
          },
          nowIso,
        })),
      fc.constantFrom(...conditionLists).map((conditions) => ({ type: 'revision.reported', conditions })),
    );
    holds(revisionLifecycleMachine, fc.record({ name: fc.constantFrom('r', 's') }), event, 500);
  });

  it('the Service machine (targetless moves)', () => {
    const ready = (status: 'True' | 'False' | 'Unknown', reason?: string) => [cond('Ready', status, reason)];
    const configuration = (status: Configuration['status']): Configuration => ({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Configuration',
      metadata: { name: 's', generation: 1 },
      spec: { template: { spec: { containers: [] } } },
      ...(status ? { status } : {}),
    });
    const route = (status: Route['status']): Route => ({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Route',
      metadata: { name: 's', generation: 1 },
      spec: { traffic: [{ configurationName: 's', latestRevision: true, percent: 100 }] },
      ...(status ? { status } : {}),
    });
    const served = [{ revisionName: 's-00001', latestRevision: true, percent: 100 }];
    const configurations = [
      configuration(undefined),
      configuration({ observedGeneration: 1, conditions: ready('Unknown'), latestCreatedRevisionName: 's-00001' }),
      configuration({
        observedGeneration: 1,
        conditions: ready('True'),
        latestCreatedRevisionName: 's-00001',
        latestReadyRevisionName: 's-00001',
      }),
      configuration({ observedGeneration: 1, conditions: ready('False', 'RevisionFailed') }),
    ];
    const routes = [
      undefined,
      route(undefined),
      route({ observedGeneration: 1, conditions: ready('True'), traffic: served, url: 'http://s.default' }),
      route({ observedGeneration: 1, conditions: ready('False', 'RevisionMissing') }),
    ];
    const event = fc.oneof(
      fc
        .record({
          previous: fc.constantFrom(...conditionLists),
          configuration: fc.constantFrom(...configurations),
          route: fc.constantFrom(...routes),
          taken: fc.boolean(),
        })
        .map(({ previous, configuration, route, taken }) => ({
          type: 'service.reconcile',
          previous,
          configuration,
          ...(route ? { route } : {}),
          ...(taken && !route ? { revisionNameTaken: 's-x' } : {}),
          nowIso: t0,
        })),
      fc
        .constantFrom(...conditionLists)
        .map((conditions) => ({ type: 'service.reported', status: conditions ? { conditions, url: 'u' } : undefined })),
    );
    holds(serviceLifecycleMachine, fc.record({ name: fc.constant('s') }), event, 500);
  });

  it('the Route machine (parallel regions, a raise taken at once, reenter, a root transition, a timer)', () => {
    const assigned: ConditionUpdate[] = [
      { type: 'AllTrafficAssigned', status: 'True' },
      { type: 'AllTrafficAssigned', status: 'False', reason: 'RevisionMissing', message: 'not there' },
      { type: 'AllTrafficAssigned', status: 'Unknown', reason: 'RevisionMissing', message: 'not ready' },
    ];
    const traffic = [undefined, '[{"revisionName":"a","percent":100}]', '[{"revisionName":"b","percent":100}]'];
    const event = fc.oneof(
      fc
        .record({
          previous: fc.constantFrom(...conditionLists),
          traffic: fc.constantFrom(...traffic),
          allTrafficAssigned: fc.constantFrom(...assigned),
          clusterLocal: fc.boolean(),
        })
        .map(({ previous, ...observed }) => ({ type: 'route.reconcile', previous, observed, nowIso: t0 })),
      fc.constantFrom(...conditionLists).map((conditions) => ({ type: 'route.reported', conditions })),
    );
    holds(
      routeMachine,
      fc.record({ name: fc.constant('r'), ingressProgrammingMs: fc.integer({ min: 0, max: 3000 }) }),
      event,
      500,
    );
  });

  it('the Configuration machine (root transitions, a raise taken at once)', () => {
    const facts = [
      { latestCreatedRevisionName: 'c-00001', latestReadyDeleted: false },
      { latestCreatedRevisionName: 'c-00001', latestReadyRevisionName: 'c-00001', latestReadyDeleted: false },
      {
        latestCreatedRevisionName: 'c-00002',
        latestReadyRevisionName: 'c-00001',
        latestCreatedFailedMessage: 'boom',
        latestReadyDeleted: false,
      },
      { latestCreatedRevisionName: 'c-00002', latestReadyRevisionName: 'c-00001', latestReadyDeleted: true },
    ];
    const event = fc.oneof(
      fc
        .record({ previous: fc.constantFrom(...conditionLists), facts: fc.constantFrom(...facts) })
        .map(({ previous, facts }) => ({ type: 'configuration.reconcile', previous, facts, nowIso: t0 })),
      fc.constantFrom(...conditionLists).map((conditions) => ({ type: 'configuration.reported', conditions })),
    );
    holds(configurationLifecycleMachine, fc.record({ name: fc.constant('c') }), event, 500);
  });

  it('the PodAutoscaler machine (compound states in parallel regions, an `always` at the start)', () => {
    const event = fc.oneof(
      fc.record({
        type: fc.constant('pa.scaled'),
        want: fc.integer({ min: -1, max: 3 }),
        readyPods: fc.integer({ min: 0, max: 3 }),
        minReady: fc.integer({ min: 0, max: 2 }),
      }),
      fc.constantFrom({ type: 'decider.panicked' }, { type: 'decider.calmed' }, { type: 'other' }),
    );
    holds(podAutoscalerMachine, fc.record({ revision: fc.constant('r'), panicking: fc.boolean() }), event, 500);
  });

  it('the SKS, autoscaler and node machines (flat: entry emits, timers, cancels, an `always` at the start)', () => {
    const sks = fc.record({
      type: fc.constant('sks.reconcile'),
      requested: fc.constantFrom('Proxy', 'Serve'),
      readyEndpoints: fc.integer({ min: 0, max: 2 }),
      activatorEndpoints: fc.integer({ min: 0, max: 2 }),
      nowMs: fc.integer({ min: 0, max: 10 }),
    });
    holds(sksMachine, fc.record({ revision: fc.constant('r'), nowMs: fc.nat(10) }), sks, 300);
    const ticker = fc.oneof(
      fc.constantFrom(
        { type: 'autoscaler.poke' },
        { type: 'autoscaler.idle' },
        { type: 'autoscaler.stop' },
        { type: 'autoscaler.tick' },
      ),
      fc.record({ type: fc.constant('autoscaler.wake'), delayMs: fc.integer({ min: 0, max: 2000 }) }),
    );
    holds(
      autoscalerMachine,
      fc.record({
        revision: fc.constant('r'),
        tickIntervalMs: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: undefined }),
      }),
      ticker,
      300,
    );
    const node = fc.constantFrom({ type: 'node.drain' }, { type: 'node.empty' });
    holds(
      nodeMachine,
      fc.record({ name: fc.constant('n'), provisioningMs: fc.integer({ min: -1, max: 3000 }) }),
      node,
      300,
    );
  });

  it('the HPA machine (parallel regions, a child target from a compound state, `always` after it, reenter)', () => {
    const spec = hpaSpec(hpaInputsFor({}, { minScale: 0, maxScale: 0 }, 'd'));
    const pods = (n: number, usage: number): HpaPod[] =>
      Array.from({ length: n }, (_, i) => ({
        name: `p${i}`,
        phase: 'Running',
        deleting: false,
        ready: { status: true, sinceMs: 0 },
        startMs: 0,
        requests: [{ container: 'user-container', value: 100 }],
        metric: { value: usage, timestampMs: 0, windowMs: 15_000 },
      }));
    const event = fc.oneof(
      fc
        .record({ n: fc.integer({ min: 0, max: 3 }), usage: fc.constantFrom(0, 50, 300), nowMs: fc.nat(60_000) })
        .map(({ n, usage, nowMs }) => ({
          type: 'hpa.observed',
          observation: { spec, currentReplicas: n, previousDesired: n, pods: pods(n, usage), nowMs },
        })),
      fc.constant({ type: 'hpa.stop' }),
    );
    holds(hpaMachine, fc.record({ name: fc.constant('h') }), event, 300);
  });
});
