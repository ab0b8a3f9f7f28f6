/**
 * The Service machine judges each event in its own step (src/model/machines/service.ts): the
 * guards read the conditions the event brings, where the machine it replaced stored them, then
 * raised a second event for the guards to read them from its context. Both side by side over
 * generated runs of reconciles and reports must emit the same events in the same order and end
 * in the same state with the same context; serviceMachineOld.ts is the machine as it was.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyStateMachine, createActor } from 'xstate';
import type { Condition, ConditionStatus, Configuration, Route } from '../../src/model/api/types.js';
import { serviceLifecycleMachine } from '../../src/model/machines/service.js';
import { serviceLifecycleMachine as oldServiceMachine } from './serviceMachineOld.js';

const STATUSES: ConditionStatus[] = ['True', 'False', 'Unknown'];
const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();

const readyArb = fc.option(
  fc.record({
    status: fc.constantFrom(...STATUSES),
    reason: fc.constantFrom(undefined, 'RevisionFailed', 'Deploying'),
    message: fc.constantFrom(undefined, 'boom'),
  }),
);
type ReadyDraw = { status: ConditionStatus; reason: string | undefined; message: string | undefined } | null;

const cond = (type: string, r: NonNullable<ReadyDraw>, t: number): Condition => ({
  type,
  status: r.status,
  ...(r.reason ? { reason: r.reason } : {}),
  ...(r.message ? { message: r.message } : {}),
  lastTransitionTime: at(t),
});

const eventArb = fc.oneof(
  fc.record({
    kind: fc.constant('reconcile' as const),
    configReady: readyArb,
    observed: fc.integer({ min: 1, max: 2 }),
    latestReady: fc.constantFrom(undefined, 'hello-00001', 'hello-00002'),
    routeReady: readyArb,
    routed: fc.constantFrom(undefined, 'hello-00001', 'hello-00002'),
    url: fc.constantFrom(undefined, 'http://hello.default.example.com'),
    waitS: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('reported' as const),
    ready: readyArb,
    latestReady: fc.constantFrom(undefined, 'hello-00001'),
    url: fc.constantFrom(undefined, 'http://hello.default.example.com'),
    none: fc.boolean(),
    waitS: fc.integer({ min: 0, max: 3 }),
  }),
);

function host(machine: AnyStateMachine) {
  const actor = createActor(machine, { input: { name: 'hello' } });
  const emitted: unknown[] = [];
  let stored: Condition[] | undefined;
  actor.on('*', (e: { type: string; conditions?: Condition[] }) => {
    emitted.push(e);
    if (e.type === 'status') stored = e.conditions;
  });
  actor.start();
  return { actor, emitted, stored: () => stored };
}

describe('the Service machine judged in one step', () => {
  it('emits and ends as the machine that raised a second event did', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 30 }), (events) => {
        const now = host(serviceLifecycleMachine);
        const before = host(oldServiceMachine);
        let t = 0;
        for (const e of events) {
          t += e.waitS;
          for (const h of [now, before]) {
            if (e.kind === 'reconcile') {
              const configuration = {
                apiVersion: 'serving.knative.dev/v1',
                kind: 'Configuration',
                metadata: { name: 'hello', namespace: 'default', generation: 2 },
                spec: { template: { spec: { containers: [{ image: 'x' }] } } },
                status: {
                  observedGeneration: e.observed,
                  conditions: e.configReady ? [cond('Ready', e.configReady, t)] : [],
                  ...(e.latestReady
                    ? { latestReadyRevisionName: e.latestReady, latestCreatedRevisionName: e.latestReady }
                    : {}),
                },
              } satisfies Configuration;
              const route = {
                apiVersion: 'serving.knative.dev/v1',
                kind: 'Route',
                metadata: { name: 'hello', namespace: 'default', generation: 1 },
                spec: { traffic: [{ configurationName: 'hello', latestRevision: true, percent: 100 }] },
                status: {
                  observedGeneration: 1,
                  conditions: e.routeReady ? [cond('Ready', e.routeReady, t)] : [],
                  ...(e.url ? { url: e.url } : {}),
                  ...(e.routed ? { traffic: [{ revisionName: e.routed, latestRevision: true, percent: 100 }] } : {}),
                },
              } satisfies Route;
              h.actor.send({
                type: 'service.reconcile',
                previous: h.stored(),
                configuration,
                route,
                nowIso: at(t),
              });
            } else {
              h.actor.send({
                type: 'service.reported',
                status: e.none
                  ? undefined
                  : {
                      conditions: e.ready ? [cond('Ready', e.ready, t)] : [],
                      ...(e.latestReady ? { latestReadyRevisionName: e.latestReady } : {}),
                      ...(e.url ? { url: e.url } : {}),
                    },
              });
            }
          }
          expect(now.emitted).toEqual(before.emitted);
          expect(now.actor.getSnapshot().value).toEqual(before.actor.getSnapshot().value);
          expect(now.actor.getSnapshot().context).toEqual(before.actor.getSnapshot().context);
        }
      }),
      { numRuns: 500 },
    );
  });
});
