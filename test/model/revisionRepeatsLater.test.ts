/**
 * The Revision reconciler skips a reconcile whose inputs equal the last one's
 * (src/sim/controllers/revision.ts `observe`): the conditions it starts from, the ready replicas,
 * the pods, the PodAutoscaler's facts (`autoscalerFacts`, not its whole status) and the time only
 * when it can matter (`stampTimeInput`). Checked here by two hosts side by side over generated
 * runs, as in reconcileRepeats.test.ts: one sends every reconcile, the other skips each repeat
 * the reconciler would skip, at a later instant and with a PodAutoscaler whose status differs in
 * one field; their machines must stay equal in state and context and emit the same events.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Condition, PodAutoscaler } from '../../src/model/api/types.js';

import { revisionInputs, stampTimeInput } from '../../src/sim/controllers/revision.js';
import { dataEqual } from '../../src/sim/store.js';
import { revisionHost } from './revisionHost.js';

const iso = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
const T0 = iso(0);

/** A PA status from small domains, so that repeats and changes both happen. */
const statusArb = fc.record({
  serviceName: fc.constantFrom('', 'r'),
  actualScale: fc.constantFrom(-1, 0, 1),
  desiredScale: fc.constantFrom(-1, 0, 1),
  metricsServiceName: fc.constantFrom('r-private', 'other'),
  ready: fc.constantFrom(
    undefined,
    { status: 'True' as const },
    { status: 'False' as const, reason: 'NoTraffic', message: 'The target is not receiving traffic.' },
    { status: 'False' as const, reason: 'TimedOut' },
    { status: 'Unknown' as const, reason: 'Queued' },
    { status: 'Unknown' as const, reason: 'Queued', message: 'buffered' },
  ),
  initialized: fc.constantFrom(undefined, 'True' as const, 'False' as const),
  sksReady: fc.constantFrom(undefined, 'True' as const, 'False' as const),
  stampedAt: fc.integer({ min: 0, max: 2 }),
});
type StatusDraw = typeof statusArb extends fc.Arbitrary<infer S> ? S : never;

function pa(d: StatusDraw): PodAutoscaler {
  const at = iso(d.stampedAt * 1000);
  const conditions: Condition[] = [];
  if (d.ready) conditions.push({ type: 'Ready', ...d.ready, lastTransitionTime: at });
  if (d.initialized) conditions.push({ type: 'ScaleTargetInitialized', status: d.initialized, lastTransitionTime: at });
  if (d.sksReady) conditions.push({ type: 'SKSReady', status: d.sksReady, lastTransitionTime: at });
  return {
    apiVersion: 'autoscaling.internal.knative.dev/v1alpha1',
    kind: 'PodAutoscaler',
    metadata: { name: 'r' },
    spec: {},
    status: {
      ...(d.serviceName !== undefined ? { serviceName: d.serviceName } : {}),
      ...(d.actualScale !== undefined ? { actualScale: d.actualScale } : {}),
      ...(d.desiredScale !== undefined ? { desiredScale: d.desiredScale } : {}),
      ...(d.metricsServiceName !== undefined ? { metricsServiceName: d.metricsServiceName } : {}),
      conditions,
    },
  } as PodAutoscaler;
}

const FIELDS = [
  'serviceName',
  'actualScale',
  'desiredScale',
  'metricsServiceName',
  'ready',
  'initialized',
  'sksReady',
  'stampedAt',
] as const;

const stepArb = fc.record({
  waitMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
  status: statusArb,
  readyReplicas: fc.integer({ min: 0, max: 2 }),
  unscheduled: fc.boolean(),
  // Observe what the step before observed (a reconcile that then writes nothing can be repeated).
  same: fc.boolean(),
  // The repeat: after how long, and which field of the PA status it draws again.
  repeat: fc.option(
    fc.record({ afterMs: fc.integer({ min: 0, max: 3000 }), field: fc.constantFrom(...FIELDS), with: statusArb }),
  ),
});

describe('the Revision reconciler repeats (fast-check)', () => {
  it('a reconcile it skips would have changed nothing, later and with other PA fields', () => {
    let skipped = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 25 }), (steps) => {
        const every = revisionHost();
        const skipping = revisionHost();
        let t = 0;
        let before: (typeof steps)[number] | undefined;
        for (const drawn of steps) {
          const step = drawn.same && before ? { ...before, waitMs: drawn.waitMs, repeat: drawn.repeat } : drawn;
          before = step;
          t += step.waitMs;
          const observed = {
            readyReplicas: step.readyReplicas,
            autoscaler: pa(step.status),
            ...(step.unscheduled && step.readyReplicas === 0
              ? { unscheduledPod: { reason: 'Unschedulable', message: 'no node' } }
              : {}),
          };
          const startedFrom = every.stored();
          const nowIso = iso(t);
          for (const h of [every, skipping])
            h.actor.send({ type: 'revision.reconcile', previous: h.stored(), observed, nowIso });
          if (!step.repeat) continue;
          // The reconcile that comes next, as the reconciler compares it with this one.
          const later = t + step.repeat.afterMs;
          const other = { ...step.status, [step.repeat.field]: step.repeat.with[step.repeat.field] };
          const again = { ...observed, autoscaler: pa(other) };
          if (
            !dataEqual(revisionInputs(startedFrom, observed, nowIso), revisionInputs(every.stored(), again, iso(later)))
          )
            continue;
          skipped++;
          t = later;
          every.actor.send({
            type: 'revision.reconcile',
            previous: every.stored(),
            observed: again,
            nowIso: iso(later),
          });
          expect(dataEqual(every.view(), skipping.view())).toBe(true);
          expect(every.emitted).toEqual(skipping.emitted);
        }
      }),
      { numRuns: 500 },
    );
    // The property is not empty: many repeats were skipped.
    expect(skipped).toBeGreaterThan(200);
  });

  it('the time counts when no conditions exist yet or one was stamped at that instant', () => {
    const c = (at: string): Condition => ({ type: 'Active', status: 'True', lastTransitionTime: at });
    expect(stampTimeInput(undefined, T0)).toBe(T0);
    expect(stampTimeInput([c(iso(5))], T0)).toBeUndefined();
    expect(stampTimeInput([c(iso(5)), c(T0)], T0)).toBe(T0);
  });
});
