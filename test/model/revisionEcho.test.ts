/**
 * The Revision reconciler leaves out a send that `revisionReconcileStays` says would leave the
 * machine as it is (src/sim/controllers/revision.ts `observe`: the status write's own echo, when
 * the stored Revision is the one the last reconcile left). Checked here by two hosts side by side
 * over generated runs, as in revisionRepeatsLater.test.ts: one sends every reconcile, the other
 * leaves out each the model says stays; their machines must stay equal in state and context and
 * emit the same events (a status counts when it changes the stored one, as the store writes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Condition, PodAutoscaler } from '../../src/model/api/types.js';
import { revisionLifecycleMachine, revisionReconcileStays } from '../../src/model/machines/revision.js';
import { dataEqual } from '../../src/sim/store.js';
import { revisionHost } from './revisionHost.js';

const iso = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();

/** A PA status from small domains, so that echoes, repeats and changes all happen. */
const statusArb = fc.record({
  serviceName: fc.constantFrom('', 'r'),
  actualScale: fc.constantFrom(-1, 0, 1),
  desiredScale: fc.constantFrom(-1, 0, 1),
  ready: fc.constantFrom(
    undefined,
    { status: 'True' as const },
    { status: 'False' as const, reason: 'NoTraffic', message: 'The target is not receiving traffic.' },
    { status: 'False' as const, reason: 'TimedOut' },
    { status: 'Unknown' as const, reason: 'Queued' },
  ),
  initialized: fc.constantFrom(undefined, 'True' as const, 'False' as const),
});
type StatusDraw = typeof statusArb extends fc.Arbitrary<infer S> ? S : never;

function pa(d: StatusDraw): PodAutoscaler {
  const at = iso(0);
  const conditions: Condition[] = [];
  if (d.ready) conditions.push({ type: 'Ready', ...d.ready, lastTransitionTime: at });
  if (d.initialized) conditions.push({ type: 'ScaleTargetInitialized', status: d.initialized, lastTransitionTime: at });
  return {
    apiVersion: 'autoscaling.internal.knative.dev/v1alpha1',
    kind: 'PodAutoscaler',
    metadata: { name: 'r' },
    spec: {},
    status: { serviceName: d.serviceName, actualScale: d.actualScale, desiredScale: d.desiredScale, conditions },
  } as PodAutoscaler;
}

const stepArb = fc.record({
  waitMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
  status: statusArb,
  readyReplicas: fc.integer({ min: 0, max: 2 }),
  unscheduled: fc.boolean(),
  unresolved: fc.integer({ min: 0, max: 9 }),
  // Observe what the step before observed.
  same: fc.boolean(),
  // Reconcile again with what this step observed (the status write's echo), after this long.
  echoAfterMs: fc.option(fc.integer({ min: 0, max: 3000 })),
});

describe('the Revision reconcile that judges the conditions as they are (fast-check)', () => {
  it('a send revisionReconcileStays leaves out would have changed nothing', () => {
    let left = 0;
    let sent = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 25 }), (steps) => {
        const every = revisionHost();
        const skipping = revisionHost();
        let t = 0;
        let before: (typeof steps)[number] | undefined;
        const reconcile = (observed: Parameters<typeof revisionReconcileStays>[1]['observed'], nowIso: string) => {
          every.actor.send({ type: 'revision.reconcile', previous: every.stored(), observed, nowIso });
          const event = { type: 'revision.reconcile', previous: skipping.stored(), observed, nowIso } as const;
          if (revisionReconcileStays(skipping.actor.getSnapshot().context, event)) left++;
          else {
            sent++;
            skipping.actor.send(event);
          }
          expect(dataEqual(every.view(), skipping.view())).toBe(true);
          expect(every.emitted).toEqual(skipping.emitted);
        };
        for (const drawn of steps) {
          const step =
            drawn.same && before ? { ...before, waitMs: drawn.waitMs, echoAfterMs: drawn.echoAfterMs } : drawn;
          before = step;
          t += step.waitMs;
          const observed = {
            readyReplicas: step.readyReplicas,
            autoscaler: pa(step.status),
            ...(step.unscheduled && step.readyReplicas === 0
              ? { unscheduledPod: { reason: 'Unschedulable', message: 'no node' } }
              : {}),
            ...(step.unresolved === 0 ? { unresolvedImage: { image: 'x', error: 'manifest unknown' } } : {}),
          };
          reconcile(observed, iso(t));
          if (step.echoAfterMs === null) continue;
          t += step.echoAfterMs;
          reconcile(observed, iso(t));
        }
      }),
      { numRuns: 500, seed: 1212 },
    );
    // Neither side of the property is empty.
    expect(left).toBeGreaterThan(1000);
    expect(sent).toBeGreaterThan(1000);
  });

  it('a machine that has judged nothing yet is sent the reconcile', () => {
    const actor = createActor(revisionLifecycleMachine, { input: { name: 'r' } }).start();
    const event = {
      type: 'revision.reconcile',
      previous: undefined,
      observed: { readyReplicas: 0, autoscaler: undefined },
      nowIso: iso(0),
    } as const;
    expect(revisionReconcileStays(actor.getSnapshot().context, event)).toBe(false);
  });
});
