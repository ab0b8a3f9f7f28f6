/**
 * A reconcile that repeats the last one need not reach the lifecycle machine (the Route's,
 * Configuration's and Service's reconcilers skip it, `ActorsByObject.repeats`): sent again the same
 * observation, with the conditions the machine emitted last as the stored ones, and nothing
 * else sent or fired in between, a machine changes nothing and emits only a status equal to the
 * stored one (which the store would not write). Checked here by two hosts side by side over
 * generated runs: one sends every reconcile, the other skips each repeat; their machines must
 * stay equal in state and context, emit the same events, and keep the same timers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyStateMachine, createActor } from 'xstate';
import type { Condition, Configuration, PodAutoscaler, Route } from '../../src/model/api/types.js';
import { configurationLifecycleMachine } from '../../src/model/machines/configuration.js';
import { revisionLifecycleMachine } from '../../src/model/machines/revision.js';
import { routeMachine } from '../../src/model/machines/route.js';
import { serviceLifecycleMachine } from '../../src/model/machines/service.js';
import type { ConditionUpdate } from '../../src/model/rules/conditions.js';
import { Engine } from '../../src/sim/engine.js';
import { dataEqual } from '../../src/sim/store.js';

interface Step {
  /** Simulated time before this reconcile (timers may fire). */
  waitMs: number;
  /** Index of the observation sent (a few of them, so that repeats and changes both happen). */
  observation: number;
  /** Send the same reconcile once more right after (same time, a later timestamp string). */
  repeat: boolean;
}

/** One host: a machine, its engine, the stored conditions, and what it was told. */
function host(machine: AnyStateMachine, input: unknown) {
  const engine = new Engine();
  const actor = createActor(machine, { clock: engine.clock, input });
  const emitted: unknown[] = [];
  let stored: Condition[] | undefined;
  actor.on('*', (e: { type: string; conditions?: Condition[] }) => {
    if (e.type === 'status') {
      // The store writes a status only when it differs from the stored one.
      if (!dataEqual(e.conditions, stored)) {
        stored = structuredClone(e.conditions);
        emitted.push({ wrote: stored, at: engine.now() });
      }
      return;
    }
    emitted.push({ ...e, at: engine.now() });
  });
  actor.start();
  return {
    engine,
    actor,
    emitted,
    stored: () => stored,
    /** What a later comparison needs: the state, the context, the timers. */
    view: () => {
      const snapshot = actor.getSnapshot();
      return {
        value: snapshot.value,
        context: snapshot.context,
        status: snapshot.status,
        pending: engine.pending(),
        // By the timer's own id (the key starts with the actor's session id, which differs).
        scheduled: Object.values(actor.system.getSnapshot()._scheduledEvents)
          .map((e) => (e as { id: string }).id)
          .sort(),
      };
    },
  };
}

function iso(ms: number, bump: number): string {
  return new Date(Date.UTC(2026, 0, 1) + ms + bump).toISOString();
}

/**
 * Runs `steps` on two hosts, the second skipping each repeat as the reconcilers do, and checks
 * that the repeat changed nothing on the first: the same state, context, timers and emits.
 */
function sideBySide(
  machine: AnyStateMachine,
  input: unknown,
  event: (observation: number, previous: Condition[] | undefined, nowIso: string) => { type: string },
  steps: Step[],
  /**
   * A repeat must also start from the conditions the first send started from, at the same
   * instant (the Revision's reconciler counts both among its inputs): only a send that wrote
   * nothing is repeated, with the same timestamp.
   */
  samePrevious = false,
): void {
  const every = host(machine, input);
  const skipping = host(machine, input);
  let t = 0;
  for (const step of steps) {
    t += step.waitMs;
    const startedFrom = every.stored();
    for (const h of [every, skipping]) {
      h.engine.runUntil(t);
      h.actor.send(event(step.observation, h.stored(), iso(t, 0)));
    }
    if (step.repeat && (!samePrevious || dataEqual(startedFrom, every.stored()))) {
      const before = skipping.view();
      const snapshot = every.actor.getSnapshot();
      every.actor.send(event(step.observation, every.stored(), iso(t, samePrevious ? 0 : 1 + step.waitMs)));
      // The repeat left the machine as it was (XState made a new snapshot object, equal in data)…
      expect(every.actor.getSnapshot() === snapshot || dataEqual(every.view(), before)).toBe(true);
    }
    expect(dataEqual(every.view(), skipping.view())).toBe(true);
    expect(every.emitted).toEqual(skipping.emitted);
  }
}

const steps = fc.array(
  fc.record({
    waitMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
    observation: fc.integer({ min: 0, max: 5 }),
    repeat: fc.boolean(),
  }),
  { maxLength: 25 },
);

describe('a repeated reconcile changes nothing in its lifecycle machine (fast-check)', () => {
  it('Route: the same traffic, assignment and visibility, and the conditions it emitted', () => {
    const assigned: ConditionUpdate[] = [
      { type: 'AllTrafficAssigned', status: 'True' },
      { type: 'AllTrafficAssigned', status: 'False', reason: 'RevisionMissing', message: 'not there' },
      { type: 'AllTrafficAssigned', status: 'Unknown', reason: 'RevisionMissing', message: 'not ready' },
    ];
    const traffic = [undefined, '[{"revisionName":"a","percent":100}]', '[{"revisionName":"b","percent":100}]'];
    fc.assert(
      fc.property(steps, (s) =>
        sideBySide(
          routeMachine,
          { name: 'r', ingressProgrammingMs: 1000 },
          (i, previous, nowIso) => ({
            type: 'route.reconcile',
            previous,
            observed: {
              traffic: traffic[i % 3],
              allTrafficAssigned: assigned[Math.floor(i / 2) % 3] as ConditionUpdate,
              clusterLocal: i === 5,
            },
            nowIso,
          }),
          s,
        ),
      ),
      { numRuns: 300 },
    );
  });

  it('Configuration: the same facts about its revisions, and the conditions it emitted', () => {
    const facts = [
      { latestCreatedRevisionName: 'c-00001', latestReadyDeleted: false },
      { latestCreatedRevisionName: 'c-00001', latestReadyRevisionName: 'c-00001', latestReadyDeleted: false },
      { latestCreatedRevisionName: 'c-00002', latestReadyRevisionName: 'c-00001', latestReadyDeleted: false },
      {
        latestCreatedRevisionName: 'c-00002',
        latestReadyRevisionName: 'c-00001',
        latestCreatedFailedMessage: 'boom',
        latestReadyDeleted: false,
      },
      { latestCreatedRevisionName: 'c-00002', latestReadyRevisionName: 'c-00001', latestReadyDeleted: true },
      { latestCreatedRevisionName: 'c-00002', latestReadyRevisionName: 'c-00002', latestReadyDeleted: false },
    ];
    fc.assert(
      fc.property(steps, (s) =>
        sideBySide(
          configurationLifecycleMachine,
          { name: 'c' },
          (i, previous, nowIso) => ({ type: 'configuration.reconcile', previous, facts: facts[i], nowIso }),
          s,
        ),
      ),
      { numRuns: 300 },
    );
  });

  it('Revision: the same conditions to start from, ready replicas, pods and PodAutoscaler status', () => {
    const pa = (status: PodAutoscaler['status']): PodAutoscaler =>
      ({
        apiVersion: 'autoscaling.internal.knative.dev/v1alpha1',
        kind: 'PodAutoscaler',
        metadata: { name: 'r' },
        spec: {},
        status,
      }) as PodAutoscaler;
    const t0 = '2026-01-01T00:00:00.000Z';
    const cond = (type: string, status: 'True' | 'False' | 'Unknown', reason?: string): Condition => ({
      type,
      status,
      lastTransitionTime: t0,
      ...(reason ? { reason } : {}),
    });
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
      pa({
        serviceName: 'r',
        actualScale: 0,
        desiredScale: 1,
        conditions: [
          cond('Ready', 'Unknown', 'Queued'),
          cond('Active', 'Unknown', 'Queued'),
          cond('ScaleTargetInitialized', 'True'),
        ],
      }),
      pa({
        serviceName: 'r',
        conditions: [cond('Ready', 'False', 'TimedOut'), cond('Active', 'False', 'TimedOut')],
      }),
      // Initialized without a service name: ResourcesAvailable is set True, then Unknown.
      pa({
        actualScale: 1,
        conditions: [cond('Ready', 'True'), cond('Active', 'True'), cond('ScaleTargetInitialized', 'True')],
      }),
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            waitMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
            observation: fc.integer({ min: 0, max: autoscalers.length - 1 }),
            repeat: fc.boolean(),
          }),
          { maxLength: 25 },
        ),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: autoscalers.length, maxLength: autoscalers.length }),
        (s, ready) =>
          sideBySide(
            revisionLifecycleMachine,
            { name: 'r' },
            (i, previous, nowIso) => ({
              type: 'revision.reconcile',
              previous,
              observed: {
                readyReplicas: ready[i] ?? 0,
                autoscaler: autoscalers[i],
                ...(i === 5 && ready[i] === 0
                  ? { unscheduledPod: { reason: 'Unschedulable', message: 'no node' } }
                  : {}),
                ...(i === 0 && ready[i] === 2 ? { unresolvedImage: { image: 'x', error: 'not found' } } : {}),
              },
              nowIso,
            }),
            s,
            true,
          ),
      ),
      { numRuns: 300 },
    );
  });

  it('Service: the same Configuration and Route, and the conditions it emitted', () => {
    const t0 = '2026-01-01T00:00:00.000Z';
    const ready = (status: 'True' | 'False' | 'Unknown', reason?: string, message?: string): Condition[] => [
      { type: 'Ready', status, lastTransitionTime: t0, ...(reason ? { reason } : {}), ...(message ? { message } : {}) },
    ];
    const configuration = (status: Configuration['status'], generation = 1): Configuration => ({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Configuration',
      metadata: { name: 's', generation },
      spec: { template: { spec: { containers: [] } } },
      ...(status ? { status } : {}),
    });
    const route = (status: Route['status'], generation = 1): Route => ({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Route',
      metadata: { name: 's', generation },
      spec: { traffic: [{ configurationName: 's', latestRevision: true, percent: 100 }] },
      ...(status ? { status } : {}),
    });
    const configurations = [
      configuration(undefined),
      configuration({ observedGeneration: 1, conditions: ready('Unknown'), latestCreatedRevisionName: 's-00001' }),
      configuration({
        observedGeneration: 1,
        conditions: ready('True'),
        latestCreatedRevisionName: 's-00001',
        latestReadyRevisionName: 's-00001',
      }),
      configuration({
        observedGeneration: 1,
        conditions: ready('False', 'RevisionFailed', 'boom'),
        latestCreatedRevisionName: 's-00002',
        latestReadyRevisionName: 's-00001',
      }),
      configuration({ observedGeneration: 1, conditions: ready('True'), latestReadyRevisionName: 's-00001' }, 2),
    ];
    const served = (revisionName: string) => [{ revisionName, latestRevision: true, percent: 100 }];
    const routes = [
      route(undefined),
      route({ observedGeneration: 1, conditions: ready('Unknown', 'IngressNotConfigured') }),
      route({ observedGeneration: 1, conditions: ready('True'), traffic: served('s-00001'), url: 'http://s.default' }),
      route({ observedGeneration: 1, conditions: ready('True'), traffic: served('s-00000'), url: 'http://s.default' }),
      route({ observedGeneration: 1, conditions: ready('False', 'RevisionMissing', 'gone') }),
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            waitMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
            observation: fc.integer({ min: 0, max: configurations.length * routes.length - 1 }),
            repeat: fc.boolean(),
          }),
          { maxLength: 25 },
        ),
        (s) =>
          sideBySide(
            serviceLifecycleMachine,
            { name: 's' },
            (i, previous, nowIso) => ({
              type: 'service.reconcile',
              previous,
              configuration: configurations[i % configurations.length],
              route: routes[Math.floor(i / configurations.length)],
              nowIso,
            }),
            s,
          ),
      ),
      { numRuns: 300 },
    );
  });
});
