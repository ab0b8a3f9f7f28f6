/**
 * The Service's and the Configuration's machines: conditions from their children (Knative's
 * rules), modes that follow Ready, and the Service's milestones, which tell a first deployment
 * from a later roll-out.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Condition, ConditionStatus, Configuration, Route } from '../../src/model/api/types.js';
import { configurationLifecycleMachine } from '../../src/model/machines/configuration.js';
import { serviceLifecycleMachine } from '../../src/model/machines/service.js';
import { getCondition } from '../../src/model/rules/conditions.js';
import { assertWithSeed, at } from './helpers.js';

function configuration(generation: number, observed: number, ready: Condition | undefined, latestReady?: string) {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Configuration',
    metadata: { name: 'hello', namespace: 'default', generation },
    spec: { template: { spec: { containers: [{ image: 'x' }] } } },
    status: {
      observedGeneration: observed,
      conditions: ready ? [ready] : [],
      ...(latestReady ? { latestReadyRevisionName: latestReady, latestCreatedRevisionName: latestReady } : {}),
    },
  } satisfies Configuration;
}

function route(ready: Condition | undefined, revision?: string) {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Route',
    metadata: { name: 'hello', namespace: 'default', generation: 1 },
    spec: { traffic: [{ configurationName: 'hello', latestRevision: true, percent: 100 }] },
    status: {
      observedGeneration: 1,
      conditions: ready ? [ready] : [],
      url: 'http://hello.default.example.com',
      ...(revision ? { traffic: [{ revisionName: revision, latestRevision: true, percent: 100 }] } : {}),
    },
  } satisfies Route;
}

const ready = (status: ConditionStatus, reason?: string): Condition => ({
  type: 'Ready',
  status,
  ...(reason ? { reason } : {}),
});

function service() {
  const actor = createActor(serviceLifecycleMachine, { input: { name: 'hello' } });
  const said: string[] = [];
  let conditions: Condition[] | undefined;
  let second = 0;
  actor.on('milestone', (e) => said.push(e.text));
  actor.on('status', (e) => {
    conditions = e.conditions;
  });
  actor.start();
  return {
    actor,
    said,
    ready: () => getCondition(conditions, 'Ready'),
    reconcile(config: Configuration, rt: Route) {
      actor.send({
        type: 'service.reconcile',
        previous: conditions,
        configuration: config,
        route: rt,
        nowIso: at(++second),
      });
    },
  };
}

describe('service machine', () => {
  it('is Ready once its Configuration and Route are, then rolls out a change and is Ready again', () => {
    const s = service();
    s.reconcile(configuration(1, 0, undefined), route(undefined));
    expect(s.ready()).toMatchObject({ status: 'Unknown', reason: 'OutOfDate' });
    s.reconcile(configuration(1, 1, ready('True'), 'hello-00001'), route(ready('True'), 'hello-00001'));
    expect(s.ready()?.status).toBe('True');
    s.reconcile(configuration(2, 1, ready('True'), 'hello-00001'), route(ready('True'), 'hello-00001'));
    expect(s.actor.getSnapshot().value).toBe('rollingOut');
    s.reconcile(configuration(2, 2, ready('True'), 'hello-00002'), route(ready('True'), 'hello-00002'));
    s.reconcile(
      configuration(3, 3, ready('False', 'RevisionFailed'), 'hello-00002'),
      route(ready('True'), 'hello-00002'),
    );
    expect(s.said).toEqual([
      'service hello is Ready at http://hello.default.example.com, serving hello-00001',
      'service hello is rolling out a change (OutOfDate)',
      'service hello is Ready again, serving hello-00002',
      'service hello is not ready (RevisionFailed): ',
    ]);
  });

  it('moves to the mode its Ready reports, whatever the order (Unknown is deploying only before anything else)', () => {
    const statuses = fc.array(fc.constantFrom<ConditionStatus>('True', 'False', 'Unknown'), { maxLength: 20 });
    assertWithSeed(
      fc.property(statuses, (seq) => {
        const actor = createActor(serviceLifecycleMachine, { input: { name: 'hello' } }).start();
        let mode = 'deploying';
        for (const status of seq) {
          actor.send({ type: 'service.reported', status: { conditions: [ready(status, 'R')] } });
          // A failed Service that goes Unknown again is rolling out a fix, as after having served.
          mode =
            status === 'True'
              ? 'ready'
              : status === 'False'
                ? 'failed'
                : mode === 'deploying'
                  ? 'deploying'
                  : 'rollingOut';
          expect(actor.getSnapshot().value).toBe(mode);
        }
      }),
      200,
      1234,
    );
  });
});

describe('configuration machine', () => {
  it('reports Ready from its revisions: waiting, ready, failed with the revision named', () => {
    const actor = createActor(configurationLifecycleMachine, { input: { name: 'hello' } });
    let conditions: Condition[] | undefined;
    actor.on('status', (e) => {
      conditions = e.conditions;
    });
    actor.start();
    const send = (facts: Parameters<typeof configurationFacts>[0]) =>
      actor.send({
        type: 'configuration.reconcile',
        previous: conditions,
        facts: configurationFacts(facts),
        nowIso: at(1),
      });
    send({ created: 'hello-00001' });
    expect(actor.getSnapshot().value).toBe('waiting');
    send({ created: 'hello-00001', ready: 'hello-00001' });
    expect(actor.getSnapshot().value).toBe('ready');
    send({ created: 'hello-00002', ready: 'hello-00001', failed: 'boom' });
    expect(actor.getSnapshot().value).toBe('failed');
    expect(getCondition(conditions, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'RevisionFailed',
      message: 'Revision "hello-00002" failed with message: boom.',
    });
  });
});

function configurationFacts(f: { created: string; ready?: string; failed?: string }) {
  return {
    latestCreatedRevisionName: f.created,
    ...(f.ready ? { latestReadyRevisionName: f.ready } : {}),
    ...(f.failed ? { latestCreatedFailedMessage: f.failed } : {}),
  };
}
