/**
 * The Route's machine: the ingress is programmed one delay after the last traffic change, and
 * IngressReady (so Ready) is True only then; a Route whose traffic cannot be assigned reports it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Condition } from '../../src/model/api/types.js';
import { type RouteObservation, routeMachine } from '../../src/model/machines/route.js';
import { getCondition } from '../../src/model/rules/conditions.js';
import { Engine } from '../../src/sim/engine.js';
import { assertWithSeed, at } from './helpers.js';

const assigned = { type: 'AllTrafficAssigned', status: 'True' } as const;
const waiting = {
  type: 'AllTrafficAssigned',
  status: 'Unknown',
  reason: 'RevisionMissing',
  message: 'Configuration "hello" is waiting for a Revision to become ready.',
} as const;

function route(ingressProgrammingMs = 800) {
  const engine = new Engine();
  const actor = createActor(routeMachine, { clock: engine.clock, input: { name: 'hello', ingressProgrammingMs } });
  const programmed: string[] = [];
  let conditions: Condition[] | undefined;
  actor.on('ingress.programmed', (e) => programmed.push(`${engine.now()}:${e.traffic}`));
  actor.on('status', (e) => {
    conditions = e.conditions;
  });
  actor.start();
  const reconcile = (observed: Partial<RouteObservation>) =>
    actor.send({
      type: 'route.reconcile',
      previous: conditions,
      observed: { traffic: undefined, allTrafficAssigned: assigned, clusterLocal: true, ...observed },
      nowIso: at(engine.now() / 1000),
    });
  return { engine, actor, programmed, reconcile, ready: () => getCondition(conditions, 'Ready') };
}

describe('route machine', () => {
  it("reports the traffic's reason while a target is not ready, as Knative's Route reconciler stops before TLS and the ingress", () => {
    const r = route();
    r.reconcile({ allTrafficAssigned: waiting });
    // route.go: MarkIngressNotConfigured, then the bad target marked; nothing after it.
    expect(r.ready()).toMatchObject({ status: 'Unknown', reason: 'RevisionMissing', message: waiting.message });
    const conditions = (r.actor.getSnapshot().context.conditions ?? []).map((c) => [c.type, c.status, c.reason]);
    expect(conditions).toEqual([
      ['AllTrafficAssigned', 'Unknown', 'RevisionMissing'],
      ['CertificateProvisioned', 'Unknown', undefined],
      ['IngressReady', 'Unknown', 'IngressNotConfigured'],
      ['Ready', 'Unknown', 'RevisionMissing'],
    ]);
    // Again, later: still the traffic's reason.
    r.engine.runUntil(3000);
    r.reconcile({ allTrafficAssigned: waiting });
    expect(r.ready()).toMatchObject({ reason: 'RevisionMissing' });
    // Once the revision is ready the traffic is assigned: the ingress is what Ready waits for.
    r.reconcile({ traffic: 'a' });
    expect(r.ready()).toMatchObject({ status: 'Unknown', reason: 'IngressNotConfigured' });
    expect(getCondition(r.actor.getSnapshot().context.conditions, 'CertificateProvisioned')).toMatchObject({
      status: 'True',
      reason: 'TLSNotEnabled',
    });
  });

  it('programs the ingress one delay after the last traffic change, and is Ready only then', () => {
    const r = route();
    r.reconcile({ allTrafficAssigned: waiting });
    expect(r.ready()?.status).toBe('Unknown');
    r.engine.runUntil(5000);
    expect(r.programmed).toEqual([]);
    r.reconcile({ traffic: 'a' });
    r.engine.runUntil(5500);
    r.reconcile({ traffic: 'b' });
    expect(r.ready()).toMatchObject({ status: 'Unknown', reason: 'IngressNotConfigured' });
    r.engine.runUntil(6299);
    expect(r.programmed).toEqual([]);
    r.engine.runUntil(6300);
    expect(r.programmed).toEqual(['6300:b']);
    // The reconciler runs again when told the ingress is programmed.
    r.reconcile({ traffic: 'b' });
    expect(r.ready()?.status).toBe('True');
    expect(r.actor.getSnapshot().value).toEqual({ ingress: 'programmed', readiness: 'ready' });
    // The same traffic again programs nothing.
    r.reconcile({ traffic: 'b' });
    r.engine.runUntil(20_000);
    expect(r.programmed).toEqual(['6300:b']);
    // A change makes it Unknown again while it is programmed: the Route is updating.
    r.reconcile({ traffic: 'c' });
    expect(r.actor.getSnapshot().value).toEqual({ ingress: 'programming', readiness: 'updating' });
  });

  it('Ready is True exactly when traffic is assigned and the last traffic handed over is programmed', () => {
    type Step = { kind: 'reconcile'; traffic: string | undefined; assigned: boolean } | { kind: 'wait'; ms: number };
    const stepArb: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        kind: fc.constant('reconcile' as const),
        traffic: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
        assigned: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 2000 }) }),
    );
    assertWithSeed(
      fc.property(fc.array(stepArb, { maxLength: 30 }), (steps) => {
        const r = route(800);
        let handed: string | undefined;
        let handedAt = 0;
        for (const step of steps) {
          if (step.kind === 'wait') {
            r.engine.runUntil(r.engine.now() + step.ms);
            continue;
          }
          if (step.traffic !== undefined && step.traffic !== handed) {
            handed = step.traffic;
            handedAt = r.engine.now();
          }
          r.reconcile({ traffic: step.traffic, allTrafficAssigned: step.assigned ? assigned : waiting });
          const programmed = handed !== undefined && r.engine.now() - handedAt >= 800;
          expect(r.ready()?.status).toBe(step.assigned && programmed ? 'True' : 'Unknown');
        }
      }),
      300,
      8080,
    );
  });
});
